-- Live events are first written here, inside the transaction of the change they report,
-- without any lock; the dispatcher then moves them into `events` in one short transaction
-- at a time, so sequence numbers become visible strictly in order while the writers
-- themselves commit side by side (a global lock held until COMMIT capped all writes).
CREATE TABLE event_outbox (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
