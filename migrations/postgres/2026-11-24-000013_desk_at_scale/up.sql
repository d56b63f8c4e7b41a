-- The desk at 1,000,000 tickets (issue #4, item 13).
-- The SQLite twin gives its FTS5 search rows their ticket's organisation and requester as
-- words, so a client's search is one intersection; PostgreSQL plans a client's search from
-- the organisation's index and needs nothing for it.
-- The unassigned queue: `assignee_id IS NULL` does not fix the column for ordering the way
-- `=` does, so the planner gathered every unassigned active ticket and sorted them (7,800 at
-- 1M, p99 18 ms); this index holds them in the queue's order.
CREATE INDEX tickets_unassigned_queue ON tickets (priority_rank DESC, id) WHERE assignee_id IS NULL AND active;

-- Each agent's open tickets, counted by the database as tickets change: assignment used to
-- count every member's active tickets (up to the largest capacity) on every new ticket, the
-- costliest statement of `POST /tickets` (1.4 ms of index and heap reads for a department of
-- 51 at capacity, a quarter of PostgreSQL's work per ticket). A ticket counts for its
-- assignee while it is active; the trigger moves the count when either changes.
ALTER TABLE users ADD COLUMN open_tickets INTEGER NOT NULL DEFAULT 0;
UPDATE users SET open_tickets = c.n
FROM (SELECT assignee_id, COUNT(*) AS n FROM tickets WHERE active AND assignee_id IS NOT NULL GROUP BY assignee_id) AS c
WHERE c.assignee_id = users.id;
CREATE FUNCTION tickets_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.assignee_id IS NOT DISTINCT FROM NEW.assignee_id AND OLD.active = NEW.active THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active AND OLD.assignee_id IS NOT NULL THEN
        UPDATE users SET open_tickets = open_tickets - 1 WHERE id = OLD.assignee_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.active AND NEW.assignee_id IS NOT NULL THEN
        UPDATE users SET open_tickets = open_tickets + 1 WHERE id = NEW.assignee_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_count_open AFTER INSERT OR DELETE OR UPDATE OF assignee_id, active ON tickets
FOR EACH ROW EXECUTE FUNCTION tickets_count_open();

-- The approvers of a refund are found by role (a scan of every user, clients included).
CREATE INDEX users_role ON users (role, active);

-- A work queue searched for a word gathers only the matches of active tickets' numbers
-- and up (desk::search): the oldest active ticket is this index's first entry.
CREATE INDEX tickets_active_number ON tickets (number) WHERE active;
