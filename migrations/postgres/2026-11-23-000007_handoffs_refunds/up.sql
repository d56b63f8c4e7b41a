-- Handoffs between roles and refund/return/cancellation requests (PRODUCT §3, §4; issue 4
-- items 8 and 9). The twin folder for the other engine holds the same tables, columns and
-- indexes (a test compares them).

-- Work passed from one role to another (support → CSM on a repeated problem, CSM → account
-- manager on an upsell, sales → CSM at onboarding), so nothing is dropped or done twice.
-- `product_id` and `cluster` name the repeated problem a support → CSM handoff is about: an
-- open one for the same organisation, product and cluster absorbs later tickets.
CREATE TABLE handoffs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
    ticket_id TEXT REFERENCES tickets(id) ON DELETE SET NULL,
    product_id TEXT REFERENCES products(id) ON DELETE SET NULL,
    cluster TEXT,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX handoffs_organization ON handoffs (organization_id, id);
CREATE INDEX handoffs_owner ON handoffs (owner_id, status, id);
CREATE INDEX handoffs_project ON handoffs (project_id, id);
CREATE INDEX handoffs_problem ON handoffs (organization_id, product_id, cluster, status);

-- Every ticket a handoff is about: the one that raised it and the repeats that joined it.
CREATE TABLE handoff_tickets (
    handoff_id TEXT NOT NULL REFERENCES handoffs(id) ON DELETE CASCADE,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (handoff_id, ticket_id)
);
CREATE INDEX handoff_tickets_ticket ON handoff_tickets (ticket_id);

-- One per return/refund/cancellation ticket: the policy as applied when it arrived (window,
-- approver) and the decision. `refused_outside_window` was answered by the desk itself.
CREATE TABLE refund_requests (
    id TEXT PRIMARY KEY NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reference_date DATE,
    window_days INTEGER NOT NULL,
    window_ends DATE,
    approver_role TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    decided_at TIMESTAMP,
    decision_note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX refund_requests_ticket ON refund_requests (ticket_id);
CREATE INDEX refund_requests_status ON refund_requests (status, id);
CREATE INDEX refund_requests_organization ON refund_requests (organization_id, id);
