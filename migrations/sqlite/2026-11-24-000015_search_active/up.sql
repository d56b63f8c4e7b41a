-- The PostgreSQL twin gives the search rows of active tickets an index of their own for work
-- queues; SQLite bounds a queue's search by the oldest active ticket's rowid (000013). Both
-- get the breaching queue's partial index (PostgreSQL's planner needs it, see there).
CREATE INDEX tickets_breaching_queue ON tickets (next_due_at, id) WHERE active AND next_due_at IS NOT NULL;
