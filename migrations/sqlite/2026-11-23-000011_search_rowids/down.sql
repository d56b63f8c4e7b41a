DROP INDEX tickets_cluster_due;
DROP TABLE ticket_search_scratch_vocab;
DROP TABLE ticket_search_scratch;
DROP TABLE ticket_search_words;
DROP TABLE ticket_search_vocab;
-- The rowids stay as they are: the old search never read them.
