-- The support desk (PRODUCT §3): products, routing, business calendars, SLA policies and
-- tickets with their thread, tags, attachments and history. The SQLite twin has the same
-- tables, columns and indexes (a test compares them); ticket numbers come from a sequence
-- here and from MAX(number) + 1 on SQLite (one writer at a time).

-- What the vendor supports. Urgency feeds ticket priority; skill feeds assignment.
CREATE TABLE products (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    urgency TEXT NOT NULL,
    skill TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX products_name ON products (name);

-- How each department spreads tickets, and how many active tickets each agent may hold.
ALTER TABLE departments ADD COLUMN assignment_strategy TEXT NOT NULL DEFAULT 'round_robin';
ALTER TABLE users ADD COLUMN ticket_capacity INTEGER NOT NULL DEFAULT 10;
ALTER TABLE users ADD COLUMN last_assigned_at TIMESTAMP;

-- The cluster decides the department (and optionally a skill the agent needs).
CREATE TABLE cluster_routes (
    cluster TEXT PRIMARY KEY NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    required_skill TEXT,
    updated_at TIMESTAMP NOT NULL
);

-- Weekly opening hours (JSON) in a time zone, with holidays (JSON list of dates).
CREATE TABLE business_calendars (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    week TEXT NOT NULL,
    holidays TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX business_calendars_name ON business_calendars (name);

-- First-response and resolution targets by priority and plan (NULL = any), counted in a
-- calendar's open hours (NULL = around the clock), and what happens on a breach.
CREATE TABLE sla_policies (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    priority TEXT,
    plan TEXT,
    first_response_minutes INTEGER NOT NULL,
    resolution_minutes INTEGER,
    calendar_id TEXT REFERENCES business_calendars(id) ON DELETE SET NULL,
    notify_on_breach BOOLEAN NOT NULL,
    raise_priority_on_breach BOOLEAN NOT NULL,
    reassign_on_breach BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX sla_policies_name ON sla_policies (name);

-- One row per ticket. Due/warn instants are stored so that queues and the SLA sweep are index
-- lookups; while the clock is paused (`sla_paused_at`) they are moved forward on resume.
-- `active` (not resolved or closed) and `priority_rank` (urgent = 3) order the work queues:
-- highest priority first, then oldest first, straight off one index. `next_due_at` is the
-- nearest unmet deadline ("breaching soon"); `sla_next_check_at` the next instant the SLA
-- sweep must look at the ticket (a warning or a breach).
CREATE TABLE tickets (
    id TEXT PRIMARY KEY NOT NULL,
    number BIGINT NOT NULL,
    subject TEXT NOT NULL,
    requester_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    requester_name TEXT NOT NULL,
    requester_email TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    product_id TEXT REFERENCES products(id) ON DELETE SET NULL,
    cluster TEXT NOT NULL,
    channel TEXT NOT NULL,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    priority_reason TEXT NOT NULL,
    department_id TEXT REFERENCES departments(id) ON DELETE SET NULL,
    assignee_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    sla_policy_id TEXT REFERENCES sla_policies(id) ON DELETE SET NULL,
    first_response_warn_at TIMESTAMP,
    first_response_due_at TIMESTAMP,
    first_responded_at TIMESTAMP,
    first_response_breached BOOLEAN NOT NULL,
    resolution_warn_at TIMESTAMP,
    resolution_due_at TIMESTAMP,
    resolution_breached BOOLEAN NOT NULL,
    sla_warned BOOLEAN NOT NULL,
    sla_paused_at TIMESTAMP,
    next_due_at TIMESTAMP,
    sla_next_check_at TIMESTAMP,
    purchase_date DATE,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    email_thread_id TEXT,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX tickets_number ON tickets (number);
CREATE INDEX tickets_organization ON tickets (organization_id, id);
CREATE INDEX tickets_requester ON tickets (requester_id, id);
CREATE INDEX tickets_assignee_queue ON tickets (assignee_id, active, priority_rank DESC, id);
CREATE INDEX tickets_department_queue ON tickets (department_id, active, priority_rank DESC, id);
CREATE INDEX tickets_active_queue ON tickets (active, priority_rank DESC, id);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_next_due ON tickets (next_due_at, id);
CREATE INDEX tickets_sla_next_check ON tickets (sla_next_check_at);
CREATE INDEX tickets_email_thread ON tickets (email_thread_id);
CREATE INDEX tickets_org_product_cluster ON tickets (organization_id, product_id, cluster, created_at);
CREATE INDEX tickets_product_cluster ON tickets (product_id, cluster, created_at);

CREATE TABLE ticket_tags (
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

-- The thread: public replies and internal notes (never shown to clients).
CREATE TABLE ticket_messages (
    id TEXT PRIMARY KEY NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

CREATE TABLE ticket_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id TEXT REFERENCES ticket_messages(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);

-- Everything that happened to a ticket, with why (routing, priority, assignment, rules, SLA).
CREATE TABLE ticket_history (
    id TEXT PRIMARY KEY NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, id);

-- Ticket numbers: a sequence hands them out without making creators wait on each other.
CREATE SEQUENCE ticket_numbers;

-- Full-text search over subjects and messages. One row per subject or message; `public` is
-- false for internal notes, which client users' searches skip. The SQLite twin is an FTS5
-- table; the schema test knows the two differ here.
CREATE TABLE ticket_search (
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    public BOOLEAN NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ticket_search_ticket ON ticket_search (ticket_id);
CREATE INDEX ticket_search_fts ON ticket_search USING GIN (to_tsvector('simple', body));
