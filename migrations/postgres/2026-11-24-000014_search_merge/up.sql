-- The SQLite twin configures its FTS5 index's merging; PostgreSQL's GIN index needs nothing.
SELECT 1;
