DROP INDEX tickets_unassigned_queue;
