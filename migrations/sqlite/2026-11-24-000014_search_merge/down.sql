INSERT INTO ticket_search (ticket_search, rank) VALUES ('usermerge', 4);
