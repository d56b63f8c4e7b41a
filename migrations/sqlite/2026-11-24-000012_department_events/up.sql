-- An event for a whole department (a new or changed ticket its queue shows) is one row for
-- the department instead of one per member: each member's connections get it, and a member
-- catching up reads it beside their own. Exactly one of user_id and department_id is set.
-- SQLite cannot relax NOT NULL in place: the tables are rebuilt, keeping every seq.
CREATE TABLE events_new (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    department_id TEXT REFERENCES departments(id) ON DELETE CASCADE,
    CHECK ((user_id IS NULL) <> (department_id IS NULL))
);
INSERT INTO events_new (seq, user_id, kind, payload, created_at)
    SELECT seq, user_id, kind, payload, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_user_id_seq ON events (user_id, seq);
CREATE INDEX events_department_id_seq ON events (department_id, seq)
    WHERE department_id IS NOT NULL;

CREATE TABLE event_outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    department_id TEXT REFERENCES departments(id) ON DELETE CASCADE,
    CHECK ((user_id IS NULL) <> (department_id IS NULL))
);
DROP TABLE event_outbox;
ALTER TABLE event_outbox_new RENAME TO event_outbox;
