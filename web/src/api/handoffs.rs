//! Handoffs between roles and refund requests: internal to the
//! vendor's staff.

use shared::Problem;
use shared::desk::handoff::{Handoff, HandoffPatch};
use shared::desk::refund_request::{RefundDecisionInput, RefundRequest};
use shared::page::Page;

use super::client::{Call, Versioned, query, segment};

/// What a handoff list is narrowed to; every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub organization_id: Option<String>,
    pub ticket_id: Option<String>,
    pub project_id: Option<String>,
    /// `Some("me")` for the caller's own.
    pub owner: Option<String>,
    /// Only open and in-progress ones.
    pub open: bool,
}

pub async fn list(filter: Filter, limit: Option<u32>) -> Result<Page<Handoff>, Problem> {
    let qs = query(&[
        ("limit", limit.map(|l| l.to_string())),
        ("organization_id", filter.organization_id),
        ("ticket_id", filter.ticket_id),
        ("project_id", filter.project_id),
        ("owner", filter.owner),
        ("open", filter.open.then(|| "true".to_string())),
    ]);
    Call::get(format!("/handoffs{qs}")).fetch().await
}

pub async fn update(
    id: &str,
    etag: &str,
    patch: &HandoffPatch,
) -> Result<Versioned<Handoff>, Problem> {
    Call::patch(format!("/handoffs/{}", segment(id)))
        .if_match(etag)
        .json(patch)?
        .fetch_versioned(|h: &Handoff| h.version)
        .await
}

/// A ticket's refund request; `404` when it has none.
pub async fn refund_of_ticket(ticket_id: &str) -> Result<Versioned<RefundRequest>, Problem> {
    Call::get(format!("/tickets/{}/refund-request", segment(ticket_id)))
        .fetch_versioned(|r: &RefundRequest| r.version)
        .await
}

pub async fn decide_refund(
    id: &str,
    etag: &str,
    input: &RefundDecisionInput,
) -> Result<Versioned<RefundRequest>, Problem> {
    Call::post(format!("/refund-requests/{}/decision", segment(id)))
        .if_match(etag)
        .json(input)?
        .fetch_versioned(|r: &RefundRequest| r.version)
        .await
}
