-- The search index's merge job (desk::search_merge) merges any two segments of a level, not
-- only four: a busy desk's index then stays in a few segments, which every search word
-- walks one by one. The setting is kept in the index's own configuration.
INSERT INTO ticket_search (ticket_search, rank) VALUES ('usermerge', 2);
