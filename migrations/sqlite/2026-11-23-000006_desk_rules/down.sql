ALTER TABLE ticket_messages DROP COLUMN by_desk;
DROP TABLE automation_rules;
DROP TABLE canned_replies;
