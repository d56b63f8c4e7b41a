-- The PostgreSQL twin stages live events here before they get their sequence number.
-- SQLite has one writer at a time, so its events go straight into `events` and this table
-- stays empty; it exists so both engines share one schema.
CREATE TABLE event_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
