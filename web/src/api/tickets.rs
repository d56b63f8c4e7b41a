//! Support tickets: the queues and lists, one ticket, its thread and history, opening,
//! changing and answering.

use shared::Problem;
use shared::desk::ticket::{
    NewTicket, NewTicketMessage, Ticket, TicketHistoryEntry, TicketMessage, TicketPatch,
    TicketSummary,
};
use shared::desk::{Channel, Cluster, Priority, TicketStatus};
use shared::page::Page;

use super::client::{Call, Versioned, query, segment};

/// An agent's work queue; `None` in [`Filter::queue`] lists all tickets, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Unassigned,
    Department,
    Breaching,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::Department => "department",
            Queue::Breaching => "breaching",
        }
    }
}

/// What a ticket list is narrowed to; every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub queue: Option<Queue>,
    pub department_id: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub cluster: Option<Cluster>,
    pub channel: Option<Channel>,
    pub organization_id: Option<String>,
    pub assignee_id: Option<String>,
    pub tag: Option<String>,
    /// Full-text search of subjects and messages: every word must match, the last as a
    /// prefix.
    pub q: Option<String>,
}

pub async fn list(
    filter: Filter,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<TicketSummary>, Problem> {
    let qs = query(&[
        ("limit", limit.map(|l| l.to_string())),
        ("cursor", cursor),
        ("queue", filter.queue.map(|q| q.as_str().to_string())),
        ("department_id", filter.department_id),
        ("status", filter.status.map(|s| s.as_str().to_string())),
        ("priority", filter.priority.map(|p| p.as_str().to_string())),
        ("cluster", filter.cluster.map(|c| c.as_str().to_string())),
        ("channel", filter.channel.map(|c| c.as_str().to_string())),
        ("organization_id", filter.organization_id),
        ("assignee_id", filter.assignee_id),
        ("tag", filter.tag),
        ("q", filter.q),
    ]);
    Call::get(format!("/tickets{qs}")).fetch().await
}

pub async fn get(id: &str) -> Result<Versioned<Ticket>, Problem> {
    Call::get(format!("/tickets/{}", segment(id)))
        .fetch_versioned(|t: &Ticket| t.version)
        .await
}

pub async fn create(new: &NewTicket) -> Result<Ticket, Problem> {
    Call::post("/tickets").idempotent().json(new)?.fetch().await
}

pub async fn update(
    id: &str,
    etag: &str,
    patch: &TicketPatch,
) -> Result<Versioned<Ticket>, Problem> {
    Call::patch(format!("/tickets/{}", segment(id)))
        .if_match(etag)
        .json(&patch_body(patch))?
        .fetch_versioned(|t: &Ticket| t.version)
        .await
}

/// The JSON of a patch with the fields left alone omitted. `TicketPatch` serialises an
/// absent field as `null`, which for `product_id` and `assignee_id` would mean "clear it";
/// only a deliberate `Some(None)` may send `null` there.
fn patch_body(patch: &TicketPatch) -> serde_json::Value {
    let mut value = serde_json::to_value(patch).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        fields.retain(|key, v| {
            !v.is_null()
                || (key == "product_id" && patch.product_id.is_some())
                || (key == "assignee_id" && patch.assignee_id.is_some())
        });
    }
    value
}

/// Staff only: everything that happened to the ticket, oldest first.
pub async fn history(id: &str) -> Result<Vec<TicketHistoryEntry>, Problem> {
    Call::get(format!("/tickets/{}/history", segment(id)))
        .fetch()
        .await
}

/// The thread, oldest first; `cursor` (a `next_cursor`) leads to later messages.
pub async fn messages(
    id: &str,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<TicketMessage>, Problem> {
    let qs = query(&[("limit", limit.map(|l| l.to_string())), ("cursor", cursor)]);
    Call::get(format!("/tickets/{}/messages{qs}", segment(id)))
        .fetch()
        .await
}

/// A reply or (staff) an internal note, optionally moving the status in the same step.
pub async fn post_message(id: &str, new: &NewTicketMessage) -> Result<TicketMessage, Problem> {
    Call::post(format!("/tickets/{}/messages", segment(id)))
        .idempotent()
        .json(new)?
        .fetch()
        .await
}
