DROP INDEX tickets_cluster_due;
