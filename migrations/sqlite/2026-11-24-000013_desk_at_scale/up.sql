-- Desk search narrowed to a client (issue #4, item 13). A client's search (or a CSM's, or a
-- list filtered by organisation) probed each of the client's tickets for the words, newest
-- first: one FTS5 lookup per ticket, each an OR of the words a prefix stands for (23 ms for
-- a common word at 1,000,000 tickets). Search rows now carry their ticket's scope as words
-- of a column of their own: `o` + the organisation's id and `r` + the requester's (dashes
-- dropped; desk::search spells them). A narrowed search is then `scope : (...) AND body :
-- (...)`, which FTS5 intersects lazily, newest first. A ticket's organisation and requester
-- never change, so the words are written once, with the row. Existing rows are copied
-- over (rowids kept), then merged into one segment.
CREATE VIRTUAL TABLE ticket_search_scoped USING fts5(ticket_id UNINDEXED, public UNINDEXED, scope, body, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO ticket_search_scoped (rowid, ticket_id, public, scope, body)
SELECT s.rowid, s.ticket_id, s.public,
       'o' || replace(t.organization_id, '-', '') || coalesce(' r' || replace(t.requester_id, '-', ''), ''),
       s.body
FROM ticket_search s JOIN tickets t ON t.id = s.ticket_id
ORDER BY s.rowid;
DROP TABLE ticket_search_vocab;
DROP TABLE ticket_search;
ALTER TABLE ticket_search_scoped RENAME TO ticket_search;
INSERT INTO ticket_search (ticket_search) VALUES ('optimize');
-- Per column now: the word list for prefixes takes the words of `body` only.
CREATE VIRTUAL TABLE ticket_search_vocab USING fts5vocab(ticket_search, 'col');

-- The unassigned queue in its order, as on PostgreSQL (where `assignee_id IS NULL` made the
-- planner sort every unassigned ticket).
CREATE INDEX tickets_unassigned_queue ON tickets (priority_rank DESC, id) WHERE assignee_id IS NULL AND active;

-- Each agent's open tickets, counted by the database as tickets change (see the PostgreSQL
-- twin for why): a ticket counts for its assignee while it is active.
ALTER TABLE users ADD COLUMN open_tickets INTEGER NOT NULL DEFAULT 0;
UPDATE users SET open_tickets = (SELECT COUNT(*) FROM tickets WHERE tickets.assignee_id = users.id AND tickets.active);
CREATE TRIGGER tickets_count_open_insert AFTER INSERT ON tickets
WHEN NEW.active AND NEW.assignee_id IS NOT NULL
BEGIN
    UPDATE users SET open_tickets = open_tickets + 1 WHERE id = NEW.assignee_id;
END;
CREATE TRIGGER tickets_count_open_delete AFTER DELETE ON tickets
WHEN OLD.active AND OLD.assignee_id IS NOT NULL
BEGIN
    UPDATE users SET open_tickets = open_tickets - 1 WHERE id = OLD.assignee_id;
END;
CREATE TRIGGER tickets_count_open_update AFTER UPDATE OF assignee_id, active ON tickets
WHEN OLD.assignee_id IS NOT NEW.assignee_id OR OLD.active IS NOT NEW.active
BEGIN
    UPDATE users SET open_tickets = open_tickets - 1 WHERE id = OLD.assignee_id AND OLD.active;
    UPDATE users SET open_tickets = open_tickets + 1 WHERE id = NEW.assignee_id AND NEW.active;
END;

-- The approvers of a refund are found by role (a scan of every user, clients included).
CREATE INDEX users_role ON users (role, active);

-- A work queue searched for a word gathers only the matches of active tickets' numbers
-- and up (desk::search): the oldest active ticket is this index's first entry.
CREATE INDEX tickets_active_number ON tickets (number) WHERE active;
