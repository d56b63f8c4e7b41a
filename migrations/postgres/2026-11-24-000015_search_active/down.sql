DROP INDEX tickets_breaching_queue;
DROP TRIGGER tickets_search_follow_active ON tickets;
DROP FUNCTION tickets_search_follow_active();
DROP TRIGGER ticket_search_takes_active ON ticket_search;
DROP FUNCTION ticket_search_takes_active();
DROP INDEX ticket_search_active_fts;
ALTER TABLE ticket_search DROP COLUMN active;
