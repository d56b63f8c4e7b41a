-- An event for a whole department (a new or changed ticket its queue shows) is one row for
-- the department instead of one per member: each member's connections get it, and a member
-- catching up reads it beside their own. Exactly one of user_id and department_id is set.
ALTER TABLE events ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE events ADD COLUMN department_id TEXT REFERENCES departments(id) ON DELETE CASCADE;
ALTER TABLE events ADD CONSTRAINT events_one_audience
    CHECK ((user_id IS NULL) <> (department_id IS NULL));
CREATE INDEX events_department_id_seq ON events (department_id, seq)
    WHERE department_id IS NOT NULL;

ALTER TABLE event_outbox ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE event_outbox ADD COLUMN department_id TEXT REFERENCES departments(id) ON DELETE CASCADE;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_one_audience
    CHECK ((user_id IS NULL) <> (department_id IS NULL));
