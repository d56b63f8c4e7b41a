-- "Is a digest already queued for this user?" is asked on every notification; without this
-- index it scanned every queued job.
CREATE INDEX jobs_kind_status_payload ON jobs (kind, status, payload);
