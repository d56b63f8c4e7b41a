DROP INDEX tickets_breaching_queue;
