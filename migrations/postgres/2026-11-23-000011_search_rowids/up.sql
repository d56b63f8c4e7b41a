-- Desk search at scale (issue #4, item 13): the SQLite twin renumbers the FTS5 search rows
-- and adds a word list for prefixes; PostgreSQL's GIN index needs neither. Both get the
-- index for the breaching queue filtered by cluster (walked in due order, not sorted).
CREATE INDEX tickets_cluster_due ON tickets (cluster, next_due_at, id) WHERE next_due_at IS NOT NULL;
