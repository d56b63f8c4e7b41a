-- Refresh tokens already exchanged for a new one, kept until they would have expired anyway:
-- one coming back means a copy is in someone else's hands, so its session ends for everyone
-- (refresh-token reuse detection, RFC 9700). Rows outlive no token: each refresh deletes
-- the expired ones.
CREATE TABLE rotated_refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX rotated_refresh_tokens_session_id ON rotated_refresh_tokens (session_id);
CREATE INDEX rotated_refresh_tokens_expires_at ON rotated_refresh_tokens (expires_at);
