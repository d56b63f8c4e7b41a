DROP TABLE refund_requests;
DROP TABLE handoff_tickets;
DROP TABLE handoffs;
