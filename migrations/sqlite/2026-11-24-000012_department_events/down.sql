CREATE TABLE events_old (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO events_old (seq, user_id, kind, payload, created_at)
    SELECT seq, user_id, kind, payload, created_at FROM events WHERE user_id IS NOT NULL;
DROP TABLE events;
ALTER TABLE events_old RENAME TO events;
CREATE INDEX events_user_id_seq ON events (user_id, seq);

CREATE TABLE event_outbox_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
DROP TABLE event_outbox;
ALTER TABLE event_outbox_old RENAME TO event_outbox;
