-- A work queue lists active tickets only (3 % of them in the 1,000,000-ticket bench), yet its
-- search gathered a word's matches among every ticket's rows and joined them with the queue:
-- 201 ms for a word in a few tickets per hundred. Search rows now say whether their ticket
-- is active, kept by the database as tickets change, and the rows of active tickets have a
-- GIN index of their own, which a queue's search reads (desk::search). SQLite bounds the
-- same search by the oldest active ticket's rowid instead (see 000013).
ALTER TABLE ticket_search ADD COLUMN active BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE ticket_search s SET active = TRUE FROM tickets t WHERE t.id = s.ticket_id AND t.active;
CREATE INDEX ticket_search_active_fts ON ticket_search USING GIN (to_tsvector('simple', body)) WHERE active;

-- The breaching queue in its order: with fresh statistics the planner preferred reading every
-- active ticket by `tickets_active_number` and sorting them (25 ms at 1,000,000 tickets) to
-- walking `tickets_next_due` and skipping; this one it walks and stops (0.2 ms).
CREATE INDEX tickets_breaching_queue ON tickets (next_due_at, id) WHERE active AND next_due_at IS NOT NULL;

-- A new row takes its ticket's state; a ticket's rows follow it when it closes or reopens.
CREATE FUNCTION ticket_search_takes_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.active := COALESCE((SELECT t.active FROM tickets t WHERE t.id = NEW.ticket_id), FALSE);
    RETURN NEW;
END;
$$;
CREATE TRIGGER ticket_search_takes_active BEFORE INSERT ON ticket_search
FOR EACH ROW EXECUTE FUNCTION ticket_search_takes_active();

CREATE FUNCTION tickets_search_follow_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_search SET active = NEW.active WHERE ticket_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER tickets_search_follow_active AFTER UPDATE OF active ON tickets
FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active)
EXECUTE FUNCTION tickets_search_follow_active();
