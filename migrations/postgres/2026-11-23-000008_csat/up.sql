-- Customer satisfaction per ticket: asked once when the ticket is first resolved (e-mail
-- with one-click scores + the portal), answered 1-5 with an optional comment.
CREATE TABLE ticket_ratings (
    ticket_id TEXT PRIMARY KEY NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    -- SHA-256 of the secret in the e-mailed link; the link is the proof, no login needed.
    token_hash TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    score INTEGER,
    comment TEXT,
    channel TEXT,
    rated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    rated_at TIMESTAMP
);
CREATE UNIQUE INDEX ticket_ratings_token ON ticket_ratings (token_hash);
CREATE INDEX ticket_ratings_organization ON ticket_ratings (organization_id, rated_at);
