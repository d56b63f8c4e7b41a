DROP INDEX tickets_active_number;
DROP INDEX users_role;
DROP TRIGGER tickets_count_open_update;
DROP TRIGGER tickets_count_open_delete;
DROP TRIGGER tickets_count_open_insert;
ALTER TABLE users DROP COLUMN open_tickets;
DROP INDEX tickets_unassigned_queue;
CREATE VIRTUAL TABLE ticket_search_unscoped USING fts5(ticket_id UNINDEXED, public UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO ticket_search_unscoped (rowid, ticket_id, public, body)
SELECT rowid, ticket_id, public, body FROM ticket_search ORDER BY rowid;
DROP TABLE ticket_search_vocab;
DROP TABLE ticket_search;
ALTER TABLE ticket_search_unscoped RENAME TO ticket_search;
INSERT INTO ticket_search (ticket_search) VALUES ('optimize');
CREATE VIRTUAL TABLE ticket_search_vocab USING fts5vocab(ticket_search, 'row');
