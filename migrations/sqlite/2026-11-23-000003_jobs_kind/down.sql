DROP INDEX jobs_kind_status_payload;
