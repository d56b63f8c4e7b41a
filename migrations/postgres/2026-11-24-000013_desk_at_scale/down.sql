DROP INDEX tickets_active_number;
DROP INDEX users_role;
DROP TRIGGER tickets_count_open ON tickets;
DROP FUNCTION tickets_count_open();
ALTER TABLE users DROP COLUMN open_tickets;
DROP INDEX tickets_unassigned_queue;
