DELETE FROM event_outbox WHERE user_id IS NULL;
ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_one_audience;
ALTER TABLE event_outbox DROP COLUMN department_id;
ALTER TABLE event_outbox ALTER COLUMN user_id SET NOT NULL;

DELETE FROM events WHERE user_id IS NULL;
DROP INDEX events_department_id_seq;
ALTER TABLE events DROP CONSTRAINT events_one_audience;
ALTER TABLE events DROP COLUMN department_id;
ALTER TABLE events ALTER COLUMN user_id SET NOT NULL;
