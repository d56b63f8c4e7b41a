-- Desk lists at 1,000,000 tickets (issue #4, item 13).
-- The SQLite twin gives its FTS5 search rows their ticket's organisation and requester as
-- words, so a client's search is one intersection; PostgreSQL plans a client's search from
-- the organisation's index and needs nothing for it.
-- The unassigned queue: `assignee_id IS NULL` does not fix the column for ordering the way
-- `=` does, so the planner gathered every unassigned active ticket and sorted them (7,800 at
-- 1M, p99 18 ms); this index holds them in the queue's order.
CREATE INDEX tickets_unassigned_queue ON tickets (priority_rank DESC, id) WHERE assignee_id IS NULL AND active;
