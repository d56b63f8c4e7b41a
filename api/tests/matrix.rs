//! The route × role matrix: every API operation, called as every role (and anonymously),
//! must answer the status this table says. A test also checks that every operation in the
//! OpenAPI document has rows here, so each new route must join the table.

mod common;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use common::{TestApp, date, spawn_app};

/// Column order of the expectations.
const ROLES: [&str; 8] = [
    "anonymous",
    "admin",
    "csm",
    "account_manager",
    "support_agent",
    "sales",
    "client_admin",
    "client_member",
];

const LOGINS: [(&str, &str); 7] = [
    ("admin", "admin@magicstore.test"),
    ("csm", "csm1@magicstore.test"),
    ("account_manager", "account@magicstore.test"),
    ("support_agent", "agent1@magicstore.test"),
    ("sales", "sales@magicstore.test"),
    ("client_admin", "admin@fashop.test"),
    ("client_member", "member@fashop.test"),
];

struct Fixture {
    fashop_appointment: String,
    bianchi_appointment: String,
    doomed_appointment: String,
    calendar_token: String,
    vendor: String,
    fashop: String,
    bianchi: String,
    fashop_member: String,
    bianchi_admin: String,
    bianchi_member: String,
    verdi: String,
    template: String,
    fashop_project: String,
    bianchi_project: String,
    fashop_category: String,
    bianchi_category: String,
    fashop_item: String,
    bianchi_item: String,
    fashop_done_item: String,
    bianchi_done_item: String,
    csm_notification: String,
    fashop_post: String,
    bianchi_post: String,
    fashop_message: String,
    bianchi_message: String,
    /// Opened by FaShop's member; by FaShop's admin; by Bianchi's member.
    fashop_ticket: String,
    fashop_admin_ticket: String,
    fashop_client_message: String,
    fashop_attachment: String,
    bianchi_attachment: String,
    bianchi_ticket: String,
    /// The desk's configuration: a calendar a policy uses, one nobody uses (deleted by the
    /// admin's row), a policy and a policy to delete, a department, a cluster to route.
    desk_calendar: String,
    doomed_calendar: String,
    desk_policy: String,
    doomed_policy: String,
    tech_department: String,
    route_cluster: String,
    /// Automation rules and canned replies (admin's): one of each to read and change, one
    /// of each to delete.
    automation_rule: String,
    doomed_rule: String,
    canned_reply: String,
    doomed_canned: String,
    /// Handoffs (raised by the admin, owned by each client's CSM), return/refund tickets
    /// opened by FaShop's and Bianchi's members (each with a pending request), and the
    /// account manager (an owner to hand over to).
    fashop_handoff: String,
    bianchi_handoff: String,
    fashop_refund_ticket: String,
    bianchi_refund_ticket: String,
    fashop_refund: String,
    bianchi_refund: String,
    account_manager: String,
}

struct Row {
    method: Method,
    /// With `{vendor}`, `{fashop}`, … standing for fixture ids.
    path: &'static str,
    body: Option<Value>,
    /// Per role, in `ROLES` order.
    expect: [u16; 8],
}

fn row(method: Method, path: &'static str, body: Option<Value>, expect: [u16; 8]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

fn table() -> Vec<Row> {
    use Method as M;
    let new_org = || Some(json!({"name": "Matrix Srl"}));
    vec![
        row(
            M::GET,
            "/health",
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/openapi.json",
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/auth/login",
            Some(json!({"email": "{role}@nobody.test", "password": "wrong password"})),
            [401, 401, 401, 401, 401, 401, 401, 401],
        ),
        row(
            M::POST,
            "/auth/refresh",
            Some(json!({"refresh_token": "rt_bogus"})),
            [401, 401, 401, 401, 401, 401, 401, 401],
        ),
        row(
            M::GET,
            "/me",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::PATCH,
            "/me",
            Some(json!({"name": "Renamed Self"})),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/auth/password",
            Some(
                json!({"current_password": "not my password", "new_password": "a brand new passphrase"}),
            ),
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        // Organisations: CSMs see their own clients and the vendor; clients only their own.
        row(
            M::GET,
            "/organizations",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/organizations",
            new_org(),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/organizations/{fashop}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/organizations/{bianchi}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/organizations/{vendor}",
            None,
            [401, 200, 200, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/organizations/{fashop}",
            Some(json!({"segment": "matrix"})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/organizations/{bianchi}",
            Some(json!({"segment": "matrix"})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // Users follow their organisation's visibility.
        row(
            M::GET,
            "/users",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/users",
            Some(
                json!({"email": "matrix@verdi.test", "name": "Matrix", "role": "client_member", "organization_id": "{verdi}"}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/users/{fashop_member}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/users/{bianchi_admin}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/users/{fashop_member}",
            Some(json!({"name": "Filippo F."})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/users/{bianchi_member}",
            Some(json!({"name": "Beatrice B."})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // Departments: staff read, admins write.
        row(
            M::GET,
            "/departments",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/departments",
            Some(json!({"name": "Matrix department"})),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/departments/{tech_department}",
            Some(json!({"assignment_strategy": "round_robin"})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        // Invitations: admins only; accepting is public.
        row(
            M::GET,
            "/invitations",
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/invitations",
            Some(
                json!({"email": "invited@verdi.test", "name": "Invited", "role": "client_member", "organization_id": "{verdi}"}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/invitations/accept",
            Some(json!({"token": "inv_bogus", "password": "a long passphrase"})),
            [410, 410, 410, 410, 410, 410, 410, 410],
        ),
        // Jobs: admins only.
        row(
            M::GET,
            "/admin/jobs",
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/admin/jobs/01a20000-0000-7000-8000-000000000000/retry",
            None,
            [401, 404, 403, 403, 403, 403, 403, 403],
        ),
        // Real time: everyone signed in has their own stream.
        row(
            M::GET,
            "/events",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // A plain GET (no upgrade headers) is refused after authentication.
        row(
            M::GET,
            "/ws",
            None,
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        // Projects: visible with their organisation; CSM side runs them.
        row(
            M::GET,
            "/project-templates",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/project-templates",
            Some(
                json!({"name": "Matrix {role}", "categories": [{"name": "Kick-off", "items": []}]}),
            ),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/project-templates/{template}",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/project-templates/{template}",
            Some(
                json!({"name": "Matrix template", "categories": [{"name": "Kick-off", "items": []}]}),
            ),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/projects",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/projects",
            Some(
                json!({"organization_id": "{verdi}", "name": "Matrix", "kickoff_date": "{next_week}"}),
            ),
            [401, 201, 201, 403, 403, 403, 422, 422],
        ),
        row(
            M::GET,
            "/projects/{fashop_project}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/projects/{bianchi_project}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/projects/{fashop_project}/activities",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/projects/{bianchi_project}/activities",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/projects/{fashop_project}/activities",
            Some(
                json!({"category_id": "{fashop_category}", "title": "Matrix item", "responsible": "client"}),
            ),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/projects/{bianchi_project}/activities",
            Some(
                json!({"category_id": "{bianchi_category}", "title": "Matrix item", "responsible": "client"}),
            ),
            [401, 201, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/activities/{fashop_item}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/activities/{bianchi_item}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/activities/{fashop_item}",
            Some(json!({"due_date": "{next_week}"})),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/activities/{bianchi_item}",
            Some(json!({"due_date": "{next_week}"})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // Completing an item that is already done: refused by the state machine (409) for
        // those who work in the project, by the policy (403/404) for the rest.
        row(
            M::POST,
            "/activities/{fashop_done_item}/transitions",
            Some(json!({"action": "complete"})),
            [401, 409, 409, 403, 403, 403, 409, 409],
        ),
        row(
            M::POST,
            "/activities/{bianchi_done_item}/transitions",
            Some(json!({"action": "complete"})),
            [401, 409, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/activities/{fashop_done_item}/history",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/activities/{bianchi_done_item}/history",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // Notifications: each user their own.
        row(
            M::GET,
            "/notifications",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/notifications/{csm_notification}/read",
            None,
            [401, 404, 200, 404, 404, 404, 404, 404],
        ),
        row(
            M::POST,
            "/notifications/read-all",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/me/notification-preferences",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::PUT,
            "/me/notification-preferences",
            Some(json!({"preferences": [{"kind": "chat_message", "channel": "in_app"}]})),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // CSM chat: participants write, everyone who sees the project reads
        // and keeps their own read marker.
        row(
            M::GET,
            "/projects/{fashop_project}/chat/messages",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/projects/{bianchi_project}/chat/messages",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/projects/{fashop_project}/chat/messages",
            Some(json!({"body": "Matrix message"})),
            [401, 201, 201, 403, 403, 403, 201, 201],
        ),
        row(
            M::POST,
            "/projects/{bianchi_project}/chat/messages",
            Some(json!({"body": "Matrix message"})),
            [401, 201, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::POST,
            "/projects/{fashop_project}/chat/read",
            Some(json!({"last_read_id": "{fashop_message}"})),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/projects/{bianchi_project}/chat/read",
            Some(json!({"last_read_id": "{bianchi_message}"})),
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // Board: participants post and comment, the author edits, the CSM
        // side pins.
        row(
            M::GET,
            "/projects/{fashop_project}/board",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/projects/{bianchi_project}/board",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/projects/{fashop_project}/board",
            Some(json!({"body": "Matrix **note**"})),
            [401, 201, 201, 403, 403, 403, 201, 201],
        ),
        row(
            M::POST,
            "/projects/{bianchi_project}/board",
            Some(json!({"body": "Matrix **note**"})),
            [401, 201, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/board-posts/{fashop_post}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/board-posts/{bianchi_post}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // The fixture's posts are the admin's: only they may edit them.
        row(
            M::PATCH,
            "/board-posts/{fashop_post}",
            Some(json!({"body": "Matrix edit {role}"})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/board-posts/{bianchi_post}",
            Some(json!({"body": "Matrix edit {role}"})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::POST,
            "/board-posts/{fashop_post}/pin",
            None,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/board-posts/{bianchi_post}/pin",
            None,
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::POST,
            "/board-posts/{fashop_post}/unpin",
            None,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/board-posts/{bianchi_post}/unpin",
            None,
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/board-posts/{fashop_post}/comments",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/board-posts/{bianchi_post}/comments",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/board-posts/{fashop_post}/comments",
            Some(json!({"body": "Matrix comment"})),
            [401, 201, 201, 403, 403, 403, 201, 201],
        ),
        row(
            M::POST,
            "/board-posts/{bianchi_post}/comments",
            Some(json!({"body": "Matrix comment"})),
            [401, 201, 404, 403, 403, 403, 404, 404],
        ),
        // Agenda: the CSM side records appointments; whoever sees the project
        // reads them and its agenda.
        row(
            M::POST,
            "/projects/{fashop_project}/appointments",
            Some(
                json!({"title": "Matrix {role}", "kind": "review", "starts_at": "{next_week}T09:00:00Z", "ends_at": "{next_week}T10:00:00Z", "time_zone": "Europe/Rome"}),
            ),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/projects/{bianchi_project}/appointments",
            Some(
                json!({"title": "Matrix {role}", "kind": "review", "starts_at": "{next_week}T09:00:00Z", "ends_at": "{next_week}T10:00:00Z", "time_zone": "Europe/Rome"}),
            ),
            [401, 201, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/appointments/{fashop_appointment}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/appointments/{bianchi_appointment}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/appointments/{fashop_appointment}",
            Some(json!({"title": "Matrix moved {role}"})),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/appointments/{bianchi_appointment}",
            Some(json!({"title": "Matrix moved {role}"})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // The admin (second column) cancels it; from then on it is gone for everyone.
        row(
            M::DELETE,
            "/appointments/{doomed_appointment}",
            None,
            [401, 204, 404, 404, 404, 404, 404, 404],
        ),
        row(
            M::DELETE,
            "/appointments/{bianchi_appointment}",
            None,
            [401, 204, 404, 404, 404, 404, 404, 404],
        ),
        row(
            M::GET,
            "/projects/{fashop_project}/agenda",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/projects/{bianchi_project}/agenda",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // Calendar feeds: everyone signed in has one; the feed itself needs only its secret.
        row(
            M::GET,
            "/me/calendar",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/calendar/{calendar_token}.ics",
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/me/calendar/regenerate",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // The admin regenerated theirs: the old URL answers 404 to anyone.
        row(
            M::GET,
            "/calendar/{calendar_token}.ics",
            None,
            [404, 404, 404, 404, 404, 404, 404, 404],
        ),
        // Support desk: staff see every ticket of the organisations they see
        // (a CSM their clients'), a client admin their organisation's, a client member their
        // own; sales read but do not work tickets; notes and the desk's history are staff's.
        // Inbound e-mail is for mail services with the secret; the test server has none set.
        row(
            M::POST,
            "/inbound/email",
            Some(json!({"from": "member@fashop.test", "subject": "Matrix", "text": "Matrix"})),
            [404, 404, 404, 404, 404, 404, 404, 404],
        ),
        row(
            M::GET,
            "/products",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/products",
            Some(json!({"name": "Matrix {role}", "urgency": "low"})),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        // The desk's configuration: staff read it, clients get 403, admins change it.
        row(
            M::GET,
            "/business-calendars",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/business-calendars",
            Some(
                json!({"name": "Matrix {role}", "time_zone": "Europe/Rome", "week": {"mon": [{"start": "09:00", "end": "18:00"}]}}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/business-calendars/{desk_calendar}",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/business-calendars/{desk_calendar}",
            Some(
                json!({"name": "Matrix office", "time_zone": "Europe/Rome", "week": {"tue": [{"start": "09:00", "end": "18:00"}]}}),
            ),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::DELETE,
            "/business-calendars/{doomed_calendar}",
            None,
            [401, 204, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/sla-policies",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/sla-policies",
            Some(json!({"name": "Matrix {role}", "first_response_minutes": 60})),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/sla-policies/{desk_policy}",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/sla-policies/{desk_policy}",
            Some(
                json!({"name": "Matrix policy", "priority": "low", "first_response_minutes": 600, "calendar_id": "{desk_calendar}"}),
            ),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::DELETE,
            "/sla-policies/{doomed_policy}",
            None,
            [401, 204, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/cluster-routes",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/cluster-routes/{route_cluster}",
            Some(json!({"department_id": "{tech_department}"})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/desk/priority-rules",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/desk/priority-rules",
            Some(json!({"premium_plans": ["business"], "high_spend_from": 40000})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        // Automation rules: staff read, admins write. Canned replies: staff read, support
        // agents and admins write (the doomed reply is gone once the admin deleted it: 404);
        // filling one in is for staff who work the ticket.
        row(
            M::GET,
            "/desk/automation-rules",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/desk/automation-rules",
            Some(
                json!({"name": "Matrix {role}", "conditions": {"clusters": ["billing"]}, "actions": [{"type": "add_tag", "tag": "matrix"}]}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/desk/automation-rules/{automation_rule}",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PATCH,
            "/desk/automation-rules/{automation_rule}",
            Some(json!({"enabled": false})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::DELETE,
            "/desk/automation-rules/{doomed_rule}",
            None,
            [401, 204, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/canned-replies",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/canned-replies",
            Some(json!({"title": "Matrix {role}", "body": "Hello {{requester_name}}"})),
            [401, 201, 403, 403, 201, 403, 403, 403],
        ),
        row(
            M::GET,
            "/canned-replies/{canned_reply}",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PATCH,
            "/canned-replies/{canned_reply}",
            Some(json!({"title": "Matrix reply"})),
            [401, 200, 403, 403, 200, 403, 403, 403],
        ),
        row(
            M::DELETE,
            "/canned-replies/{doomed_canned}",
            None,
            [401, 204, 403, 403, 404, 403, 403, 403],
        ),
        row(
            M::GET,
            "/tickets/{fashop_ticket}/canned-replies/{canned_reply}/rendered",
            None,
            [401, 200, 200, 200, 200, 403, 403, 403],
        ),
        row(
            M::GET,
            "/tickets/{bianchi_ticket}/canned-replies/{canned_reply}/rendered",
            None,
            [401, 200, 404, 200, 200, 403, 404, 404],
        ),
        row(
            M::GET,
            "/tickets",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/tickets",
            Some(json!({"subject": "Matrix", "body": "Matrix ticket", "cluster": "usage_help"})),
            [401, 422, 422, 422, 422, 403, 201, 201],
        ),
        row(
            M::POST,
            "/tickets",
            Some(
                json!({"subject": "Matrix", "body": "Matrix ticket", "cluster": "usage_help", "requester_id": "{fashop_member}"}),
            ),
            [401, 201, 201, 201, 201, 403, 422, 201],
        ),
        row(
            M::POST,
            "/tickets",
            Some(
                json!({"subject": "Matrix", "body": "Matrix ticket", "cluster": "usage_help", "requester_id": "{bianchi_member}"}),
            ),
            [401, 201, 422, 201, 201, 403, 422, 422],
        ),
        // A client's chat message (posted by FaShop's member) becomes a ticket: the CSM side.
        row(
            M::POST,
            "/projects/{fashop_project}/chat/messages/{fashop_client_message}/ticket",
            Some(json!({"cluster": "usage_help"})),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/projects/{bianchi_project}/chat/messages/{bianchi_message}/ticket",
            Some(json!({"cluster": "usage_help"})),
            [401, 422, 404, 403, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/tickets/{fashop_ticket}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/tickets/{fashop_admin_ticket}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 404],
        ),
        row(
            M::GET,
            "/tickets/{bianchi_ticket}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/tickets/{fashop_ticket}/messages",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/tickets/{bianchi_ticket}/messages",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/tickets/{fashop_ticket}/messages",
            Some(json!({"body": "Matrix reply"})),
            [401, 201, 201, 201, 201, 403, 201, 201],
        ),
        row(
            M::POST,
            "/tickets/{fashop_admin_ticket}/messages",
            Some(json!({"body": "Matrix reply"})),
            [401, 201, 201, 201, 201, 403, 201, 404],
        ),
        row(
            M::POST,
            "/tickets/{bianchi_ticket}/messages",
            Some(json!({"body": "Matrix reply"})),
            [401, 201, 404, 201, 201, 403, 404, 404],
        ),
        row(
            M::POST,
            "/tickets/{fashop_ticket}/messages",
            Some(json!({"kind": "note", "body": "Matrix note"})),
            [401, 201, 201, 201, 201, 403, 422, 422],
        ),
        row(
            M::GET,
            "/tickets/{fashop_ticket}/history",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::GET,
            "/tickets/{bianchi_ticket}/history",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // Attachments: the row's JSON body is no accepted file type (422) for whoever may
        // write on the ticket; the policy answers first for everyone else.
        row(
            M::POST,
            "/tickets/{fashop_ticket}/attachments?filename=matrix.json",
            Some(json!({"not": "a file"})),
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        row(
            M::POST,
            "/tickets/{bianchi_ticket}/attachments?filename=matrix.json",
            Some(json!({"not": "a file"})),
            [401, 422, 404, 422, 422, 422, 404, 404],
        ),
        row(
            M::GET,
            "/tickets/{fashop_ticket}/attachments",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/tickets/{bianchi_ticket}/attachments",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/attachments/{fashop_attachment}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/attachments/{bianchi_attachment}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/attachment-limits",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // CSAT: clients rate (once resolved: the open ticket answers 409); staff never do.
        row(
            M::PUT,
            "/tickets/{fashop_ticket}/rating",
            Some(json!({"score": 5})),
            [401, 403, 403, 403, 403, 403, 409, 409],
        ),
        row(
            M::PUT,
            "/tickets/{bianchi_ticket}/rating",
            Some(json!({"score": 5})),
            [401, 403, 404, 403, 403, 403, 404, 404],
        ),
        // The e-mailed rating link is its own proof: an unknown secret is 404 for everyone.
        row(
            M::POST,
            "/ratings/lookup",
            Some(json!({"token": "csat_bogus"})),
            [404, 404, 404, 404, 404, 404, 404, 404],
        ),
        row(
            M::POST,
            "/ratings",
            Some(json!({"token": "csat_bogus", "score": 5})),
            [404, 404, 404, 404, 404, 404, 404, 404],
        ),
        row(
            M::PATCH,
            "/tickets/{fashop_ticket}",
            Some(json!({"tags": ["matrix"]})),
            [401, 200, 200, 200, 200, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/tickets/{bianchi_ticket}",
            Some(json!({"tags": ["matrix"]})),
            [401, 200, 404, 200, 200, 403, 404, 404],
        ),
        // Refunds and handoffs: settings as the desk's configuration;
        // refund requests for approvers (account managers) and admins; handoffs for staff —
        // clients get 403 on lists and 404 on one.
        row(
            M::GET,
            "/desk/refund-policy",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/desk/refund-policy",
            Some(json!({"window_days": 30, "approver_role": "account_manager"})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/desk/repeat-rule",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::PUT,
            "/desk/repeat-rule",
            Some(
                json!({"per_client_tickets": 3, "per_client_days": 30, "across_clients_orgs": 3, "across_clients_days": 7}),
            ),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/refund-requests?status=pending",
            None,
            [401, 200, 403, 200, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/tickets/{fashop_refund_ticket}/refund-request",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::GET,
            "/tickets/{bianchi_refund_ticket}/refund-request",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // The admin decides first; the account manager then finds it decided (409).
        row(
            M::POST,
            "/refund-requests/{fashop_refund}/decision",
            Some(json!({"decision": "approve", "note": "Matrix"})),
            [401, 200, 403, 409, 403, 403, 404, 404],
        ),
        row(
            M::POST,
            "/refund-requests/{bianchi_refund}/decision",
            Some(json!({"decision": "reject", "note": "Matrix"})),
            [401, 200, 404, 409, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/handoffs",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/handoffs",
            Some(
                json!({"kind": "csm_to_account", "organization_id": "{fashop}", "owner_id": "{account_manager}", "title": "Matrix upsell", "due_on": "{next_week}"}),
            ),
            [401, 201, 201, 201, 201, 201, 403, 403],
        ),
        row(
            M::POST,
            "/handoffs",
            Some(
                json!({"kind": "csm_to_account", "organization_id": "{bianchi}", "owner_id": "{account_manager}", "title": "Matrix upsell", "due_on": "{next_week}"}),
            ),
            [401, 201, 404, 201, 201, 201, 403, 403],
        ),
        row(
            M::GET,
            "/handoffs/{fashop_handoff}",
            None,
            [401, 200, 200, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/handoffs/{bianchi_handoff}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        // Owner (csm1 for FaShop), raiser (the admin) or the client's CSM move it on.
        row(
            M::PATCH,
            "/handoffs/{fashop_handoff}",
            Some(json!({"status": "in_progress"})),
            [401, 200, 200, 403, 403, 403, 404, 404],
        ),
        row(
            M::PATCH,
            "/handoffs/{bianchi_handoff}",
            Some(json!({"status": "in_progress"})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // Last: logging out ends the caller's session.
        row(
            M::POST,
            "/auth/logout",
            Some(json!({"refresh_token": "rt_not_mine"})),
            [401, 204, 204, 204, 204, 204, 204, 204],
        ),
    ]
}

fn fill(text: &str, f: &Fixture) -> String {
    text.replace("{next_week}", &date(7))
        .replace("{vendor}", &f.vendor)
        .replace("{fashop_appointment}", &f.fashop_appointment)
        .replace("{bianchi_appointment}", &f.bianchi_appointment)
        .replace("{doomed_appointment}", &f.doomed_appointment)
        .replace("{calendar_token}", &f.calendar_token)
        .replace("{fashop}", &f.fashop)
        .replace("{bianchi}", &f.bianchi)
        .replace("{verdi}", &f.verdi)
        .replace("{fashop_member}", &f.fashop_member)
        .replace("{bianchi_admin}", &f.bianchi_admin)
        .replace("{bianchi_member}", &f.bianchi_member)
        .replace("{template}", &f.template)
        .replace("{fashop_project}", &f.fashop_project)
        .replace("{bianchi_project}", &f.bianchi_project)
        .replace("{fashop_category}", &f.fashop_category)
        .replace("{bianchi_category}", &f.bianchi_category)
        .replace("{fashop_item}", &f.fashop_item)
        .replace("{bianchi_item}", &f.bianchi_item)
        .replace("{fashop_done_item}", &f.fashop_done_item)
        .replace("{bianchi_done_item}", &f.bianchi_done_item)
        .replace("{csm_notification}", &f.csm_notification)
        .replace("{fashop_post}", &f.fashop_post)
        .replace("{bianchi_post}", &f.bianchi_post)
        .replace("{fashop_message}", &f.fashop_message)
        .replace("{bianchi_message}", &f.bianchi_message)
        .replace("{fashop_admin_ticket}", &f.fashop_admin_ticket)
        .replace("{fashop_client_message}", &f.fashop_client_message)
        .replace("{fashop_attachment}", &f.fashop_attachment)
        .replace("{bianchi_attachment}", &f.bianchi_attachment)
        .replace("{fashop_ticket}", &f.fashop_ticket)
        .replace("{bianchi_ticket}", &f.bianchi_ticket)
        .replace("{desk_calendar}", &f.desk_calendar)
        .replace("{doomed_calendar}", &f.doomed_calendar)
        .replace("{desk_policy}", &f.desk_policy)
        .replace("{doomed_policy}", &f.doomed_policy)
        .replace("{tech_department}", &f.tech_department)
        .replace("{route_cluster}", &f.route_cluster)
        .replace("{automation_rule}", &f.automation_rule)
        .replace("{doomed_rule}", &f.doomed_rule)
        .replace("{canned_reply}", &f.canned_reply)
        .replace("{doomed_canned}", &f.doomed_canned)
        .replace("{fashop_handoff}", &f.fashop_handoff)
        .replace("{bianchi_handoff}", &f.bianchi_handoff)
        .replace("{fashop_refund_ticket}", &f.fashop_refund_ticket)
        .replace("{bianchi_refund_ticket}", &f.bianchi_refund_ticket)
        .replace("{fashop_refund}", &f.fashop_refund)
        .replace("{bianchi_refund}", &f.bianchi_refund)
        .replace("{account_manager}", &f.account_manager)
}

/// A project's id, its first category, a CSM item and a client item.
async fn project_of(app: &TestApp, admin: &str, org: &str) -> (String, String, String, String) {
    let page = app
        .get_ok(&format!("/projects?organization_id={org}"), admin)
        .await;
    let project = page["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let list = app
        .get_ok(&format!("/projects/{project}/activities"), admin)
        .await;
    let items: Vec<&Value> = list["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .flat_map(|c| c["items"].as_array().expect("items"))
        .collect();
    let pick = |side: &str| {
        items
            .iter()
            .find(|i| i["responsible"] == side)
            .and_then(|i| i["id"].as_str())
            .expect("item")
            .to_string()
    };
    let category = list["categories"][0]["id"]
        .as_str()
        .expect("category")
        .to_string();
    (project, category, pick("csm"), pick("client"))
}

/// A board post and a chat message in the project, both by the caller.
async fn post_and_message(app: &TestApp, token: &str, project: &str) -> (String, String) {
    let mut ids = Vec::new();
    for path in ["board", "chat/messages"] {
        let res = app
            .post_json(
                &format!("/projects/{project}/{path}"),
                Some(token),
                &json!({"body": "Matrix fixture"}),
            )
            .await;
        assert_eq!(res.status(), 201, "{path}");
        let body: Value = res.json().await.expect("json");
        ids.push(body["id"].as_str().expect("id").to_string());
    }
    (ids[0].clone(), ids[1].clone())
}

async fn fixture(app: &TestApp, admin: &str) -> Fixture {
    let res = app.post_json("/users", Some(admin), &json!({"email": "sales@magicstore.test", "name": "Sara Sala", "role": "sales", "password": common::PASSWORD})).await;
    assert_eq!(res.status(), 201);
    let fashop = app.org_id(admin, "FaShop Srl").await;
    let bianchi = app.org_id(admin, "Bianchi Sport").await;
    let res = app
        .post_json(
            "/project-templates",
            Some(admin),
            &json!({"name": "Matrix fixture", "categories": [{"name": "Kick-off", "items": []}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let template = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (fashop_project, fashop_category, fashop_done_item, fashop_item) =
        project_of(app, admin, &fashop).await;
    let (bianchi_project, bianchi_category, bianchi_done_item, bianchi_item) =
        project_of(app, admin, &bianchi).await;
    // Done items, ticked by an admin; a client's tick leaves csm1 a notification.
    for item in [&fashop_done_item, &bianchi_done_item] {
        let res = app
            .post_json(
                &format!("/activities/{item}/transitions"),
                Some(admin),
                &json!({"action": "complete"}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let member = app.token("member@fashop.test").await;
    let res = app
        .post_json(
            &format!("/activities/{fashop_item}/transitions"),
            Some(&member),
            &json!({"action": "complete"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let csm = app.token("csm1@magicstore.test").await;
    let csm_notification = app.get_ok("/notifications", &csm).await["items"][0]["id"]
        .as_str()
        .expect("csm1 was notified")
        .to_string();
    let (fashop_post, fashop_message) = post_and_message(app, admin, &fashop_project).await;
    let (bianchi_post, bianchi_message) = post_and_message(app, admin, &bianchi_project).await;
    // Appointments recorded by the admin (CSM side), and the admin's calendar feed token.
    let mut appointments = Vec::new();
    for project in [&fashop_project, &bianchi_project, &fashop_project] {
        let res = app
            .post_json(
                &format!("/projects/{project}/appointments"),
                Some(admin),
                &json!({"title": "Matrix fixture", "kind": "other", "starts_at": format!("{}T09:00:00Z", date(7)), "ends_at": format!("{}T10:00:00Z", date(7)), "time_zone": "Europe/Rome"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        appointments.push(body["id"].as_str().expect("id").to_string());
    }
    let res = app
        .post_json(
            &format!("/projects/{fashop_project}/chat/messages"),
            Some(&member),
            &json!({"body": "Matrix: the feed import is stuck"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let fashop_client_message = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Tickets opened in the portal by FaShop's member and admin and by Bianchi's member.
    let mut tickets = Vec::new();
    for email in [
        "member@fashop.test",
        "admin@fashop.test",
        "member@bianchi.test",
    ] {
        let token = app.token(email).await;
        let res = app
            .post_json(
                "/tickets",
                Some(&token),
                &json!({"subject": "Matrix fixture", "body": "Matrix fixture", "cluster": "technical_problem"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        tickets.push(body["id"].as_str().expect("id").to_string());
    }
    // A file on FaShop's and on Bianchi's ticket, uploaded by the admin.
    let mut attachments = Vec::new();
    for ticket in [&tickets[0], &tickets[2]] {
        let res = app
            .request(
                Method::POST,
                &format!("/tickets/{ticket}/attachments?filename=log.txt"),
                Some(admin),
            )
            .header("Content-Type", "text/plain")
            .body("matrix log")
            .send()
            .await
            .expect("upload");
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        attachments.push(body["id"].as_str().expect("id").to_string());
    }
    // The desk's configuration.
    let mut calendars = Vec::new();
    for name in ["Matrix office", "Matrix doomed"] {
        let res = app
            .post_json(
                "/business-calendars",
                Some(admin),
                &json!({"name": name, "time_zone": "Europe/Rome", "week": {"mon": [{"start": "09:00", "end": "18:00"}]}}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        calendars.push(body["id"].as_str().expect("id").to_string());
    }
    let mut policies = Vec::new();
    for (name, calendar) in [
        ("Matrix policy", Some(&calendars[0])),
        ("Matrix doomed", None),
    ] {
        let res = app
            .post_json(
                "/sla-policies",
                Some(admin),
                &json!({"name": name, "priority": "low", "first_response_minutes": 600, "calendar_id": calendar}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        policies.push(body["id"].as_str().expect("id").to_string());
    }
    // Automation rules and canned replies.
    let mut canned = Vec::new();
    for title in ["Matrix canned", "Matrix doomed canned"] {
        let res = app
            .post_json(
                "/canned-replies",
                Some(admin),
                &json!({"title": title, "body": "Hello {{requester_name}}"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        canned.push(body["id"].as_str().expect("id").to_string());
    }
    let mut rules = Vec::new();
    for name in ["Matrix rule", "Matrix doomed rule"] {
        let res = app
            .post_json(
                "/desk/automation-rules",
                Some(admin),
                &json!({"name": name, "conditions": {"clusters": ["billing"]}, "actions": [{"type": "add_tag", "tag": "matrix"}]}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        rules.push(body["id"].as_str().expect("id").to_string());
    }
    let departments = app.get_ok("/departments", admin).await;
    let tech_department = departments["items"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["name"] == "Technical support"))
        .and_then(|d| d["id"].as_str())
        .expect("Technical support")
        .to_string();
    let feed = app.get_ok("/me/calendar", admin).await;
    let calendar_token = feed["url"]
        .as_str()
        .and_then(|u| u.rsplit_once("/calendar/"))
        .and_then(|(_, t)| t.strip_suffix(".ics"))
        .expect("feed url")
        .to_string();
    // Return/refund tickets without a date: each waits for an account manager's approval.
    let mut refunds = Vec::new();
    for email in ["member@fashop.test", "member@bianchi.test"] {
        let token = app.token(email).await;
        let res = app
            .post_json(
                "/tickets",
                Some(&token),
                &json!({"subject": "Matrix refund", "body": "Please refund", "cluster": "return_refund"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let ticket = res.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_string();
        let request = app
            .get_ok(&format!("/tickets/{ticket}/refund-request"), admin)
            .await["id"]
            .as_str()
            .expect("refund request")
            .to_string();
        refunds.push((ticket, request));
    }
    let mut handoffs = Vec::new();
    for (org, csm) in [
        (&fashop, "csm1@magicstore.test"),
        (&bianchi, "csm2@magicstore.test"),
    ] {
        let owner = app.user_id(admin, csm).await;
        let res = app
            .post_json(
                "/handoffs",
                Some(admin),
                &json!({"kind": "sales_to_csm", "organization_id": org, "owner_id": owner, "title": "Matrix fixture", "due_on": date(7)}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        handoffs.push(body["id"].as_str().expect("id").to_string());
    }
    Fixture {
        fashop_handoff: handoffs[0].clone(),
        bianchi_handoff: handoffs[1].clone(),
        fashop_refund_ticket: refunds[0].0.clone(),
        bianchi_refund_ticket: refunds[1].0.clone(),
        fashop_refund: refunds[0].1.clone(),
        bianchi_refund: refunds[1].1.clone(),
        account_manager: app.user_id(admin, "account@magicstore.test").await,
        desk_calendar: calendars[0].clone(),
        doomed_calendar: calendars[1].clone(),
        desk_policy: policies[0].clone(),
        doomed_policy: policies[1].clone(),
        tech_department,
        route_cluster: "usage_help".to_string(),
        automation_rule: rules[0].clone(),
        doomed_rule: rules[1].clone(),
        canned_reply: canned[0].clone(),
        doomed_canned: canned[1].clone(),
        fashop_appointment: appointments[0].clone(),
        bianchi_appointment: appointments[1].clone(),
        doomed_appointment: appointments[2].clone(),
        calendar_token,
        fashop_ticket: tickets[0].clone(),
        fashop_admin_ticket: tickets[1].clone(),
        fashop_client_message,
        fashop_attachment: attachments[0].clone(),
        bianchi_attachment: attachments[1].clone(),
        bianchi_ticket: tickets[2].clone(),
        fashop_post,
        bianchi_post,
        fashop_message,
        bianchi_message,
        template,
        fashop_project,
        bianchi_project,
        fashop_category,
        bianchi_category,
        fashop_item,
        bianchi_item,
        fashop_done_item,
        bianchi_done_item,
        csm_notification,
        vendor: app.org_id(admin, "MagicStore").await,
        fashop: app.org_id(admin, "FaShop Srl").await,
        bianchi: app.org_id(admin, "Bianchi Sport").await,
        verdi: app.org_id(admin, "Verdi Arredamenti").await,
        fashop_member: app.user_id(admin, "member@fashop.test").await,
        bianchi_admin: app.user_id(admin, "admin@bianchi.test").await,
        bianchi_member: app.user_id(admin, "member@bianchi.test").await,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_policy_says() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let f = fixture(&app, &admin).await;
    let mut tokens = vec![None];
    for (_, email) in LOGINS {
        tokens.push(Some(app.token(email).await));
    }
    let mut failures = Vec::new();
    for r in table() {
        let path = fill(r.path, &f);
        for (i, role) in ROLES.iter().enumerate() {
            let mut req = app.request(r.method.clone(), &path, tokens[i].as_deref());
            if let Some(body) = &r.body {
                // `{role}` keeps rows that count per account (login throttling) apart.
                let body: Value =
                    serde_json::from_str(&fill(&body.to_string(), &f).replace("{role}", role))
                        .expect("body");
                req = req.json(&body);
            }
            let res = req.send().await.expect("request");
            let got = res.status().as_u16();
            if got != r.expect[i] {
                let text = res.text().await.unwrap_or_default();
                failures.push(format!(
                    "{} {} as {role}: expected {}, got {got} {text}",
                    r.method, r.path, r.expect[i]
                ));
            } else if got >= 400 {
                let ct = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                if ct != "application/problem+json" {
                    failures.push(format!(
                        "{} {} as {role}: {got} without problem+json ({ct})",
                        r.method, r.path
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_documented_operation_has_matrix_rows() {
    let doc = serde_json::to_value(api::openapi::document()).expect("openapi");
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            let path = path.trim_start_matches("/api/v1").to_string();
            item.as_object()
                .expect("item")
                .keys()
                .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
                .map(move |m| format!("{} {}", m.to_uppercase(), normalise(&path)))
                .collect::<Vec<_>>()
        })
        .collect();
    let covered: BTreeSet<String> = table()
        .iter()
        .map(|r| format!("{} {}", r.method, normalise(r.path)))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without matrix rows: {missing:?}"
    );
}

/// `/organizations/{id}` and `/organizations/{fashop}` are the same route; a query string is
/// not part of it.
fn normalise(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{')
                || seg.len() == 36 && seg.chars().filter(|c| *c == '-').count() == 4
            {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
