-- Automation and canned replies (PRODUCT §3). The twin folder for the other engine holds the
-- same tables, columns and indexes (a test compares them).

-- Saved answers with placeholders; `department_id` NULL: every department may use it.
CREATE TABLE canned_replies (
    id TEXT PRIMARY KEY NOT NULL,
    department_id TEXT REFERENCES departments(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX canned_replies_department_id ON canned_replies (department_id);

-- Rules run on each new ticket, lowest `position` first; conditions and actions are JSON
-- (shared::desk::automation). The name is unique: the ticket's history names the rule.
CREATE TABLE automation_rules (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    conditions TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX automation_rules_name ON automation_rules (name);
CREATE INDEX automation_rules_position ON automation_rules (position, id);

-- A public reply the desk wrote by itself (an automatic answer), not a person.
ALTER TABLE ticket_messages ADD COLUMN by_desk BOOLEAN NOT NULL DEFAULT FALSE;
