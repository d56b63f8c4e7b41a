-- Desk list performance (issue #4, item 13): the ticket list's filters without a queue are
-- served newest first (ORDER BY id DESC); these let a filter on cluster, priority, channel
-- or assignee read its first page straight off an index instead of sorting every match.
-- Measured with scripts/bench-desk.sh (1,000,000 tickets); the twin folder has the same.
CREATE INDEX tickets_cluster ON tickets (cluster, id);
CREATE INDEX tickets_priority ON tickets (priority, id);
CREATE INDEX tickets_channel ON tickets (channel, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);
