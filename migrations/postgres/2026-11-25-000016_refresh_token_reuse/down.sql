DROP TABLE rotated_refresh_tokens;
