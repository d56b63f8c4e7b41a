-- Desk search at scale (issue #4, item 13). A ticket list's `q` used to keep the tickets
-- whose id is among the search matches: FTS5 cannot be probed by `ticket_id` (UNINDEXED), so
-- every match of a common word was materialised before the first page could be cut. Now a
-- search row's rowid says which ticket it belongs to: `number << 20 | n` (n counts that
-- ticket's rows from 0), so the matches can be walked newest first (FTS5 answers `ORDER BY
-- rowid DESC` and `rowid BETWEEN` without materialising) and joined to tickets by number.
-- The existing rows are copied over with their new rowids (rows of deleted tickets are left
-- behind), in rowid order, then merged into one segment.
CREATE VIRTUAL TABLE ticket_search_rebuilt USING fts5(ticket_id UNINDEXED, public UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO ticket_search_rebuilt (rowid, ticket_id, public, body)
SELECT (t.number << 20) | (row_number() OVER (PARTITION BY t.number ORDER BY s.rowid) - 1),
       s.ticket_id, s.public, s.body
FROM ticket_search s JOIN tickets t ON t.id = s.ticket_id
ORDER BY 1;
DROP TABLE ticket_search;
ALTER TABLE ticket_search_rebuilt RENAME TO ticket_search;
INSERT INTO ticket_search (ticket_search) VALUES ('optimize');

-- The last word of a search is a prefix ("search as you type"). FTS5 answers a prefix by
-- merging the whole doclist of every word that starts with it (millions of rows for a common
-- word) before the first match; a word list lets the search name those words instead
-- (`("refund" OR "refunds")`), which FTS5 walks lazily like any word. `ticket_search_words`
-- is filled from the index here and kept up to date through `ticket_search_scratch`: each
-- new text is tokenised there by the same tokenizer, its words copied over, then dropped.
CREATE VIRTUAL TABLE ticket_search_vocab USING fts5vocab(ticket_search, 'row');
CREATE TABLE ticket_search_words (word TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
INSERT INTO ticket_search_words (word) SELECT term FROM ticket_search_vocab;
CREATE VIRTUAL TABLE ticket_search_scratch USING fts5(body, content = '', detail = none, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE ticket_search_scratch_vocab USING fts5vocab(ticket_search_scratch, 'row');

-- The breaching queue filtered by cluster: with only `tickets_cluster (cluster, id)` the
-- planner took that and sorted every ticket of the cluster by due date; this one walks the
-- cluster's running clocks in due order.
CREATE INDEX tickets_cluster_due ON tickets (cluster, next_due_at, id) WHERE next_due_at IS NOT NULL;
