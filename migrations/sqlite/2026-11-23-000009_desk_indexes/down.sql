DROP INDEX tickets_assignee;
DROP INDEX tickets_channel;
DROP INDEX tickets_priority;
DROP INDEX tickets_cluster;
