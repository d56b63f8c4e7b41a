//! Canned replies and automation rules (the desk's saved answers and what runs on new
//! tickets): list, read one with its `ETag`, create, change (`If-Match`), delete; and a canned
//! reply filled in for one ticket.

use shared::Problem;
use shared::desk::automation::{AutomationRule, AutomationRuleInput, AutomationRulePatch};
use shared::desk::canned::{CannedReply, CannedReplyInput, CannedReplyPatch, RenderedCannedReply};
use shared::page::Page;

use super::client::{Call, Versioned, etag_of, query, segment};

/// The replies a department may use (its own and everyone's), or all of them.
pub async fn list(
    department_id: Option<String>,
    cursor: Option<String>,
) -> Result<Page<CannedReply>, Problem> {
    let qs = query(&[
        ("limit", Some("200".to_string())),
        ("department_id", department_id),
        ("cursor", cursor),
    ]);
    Call::get(format!("/canned-replies{qs}")).fetch().await
}

pub async fn create(new: &CannedReplyInput) -> Result<CannedReply, Problem> {
    Call::post("/canned-replies")
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn get(id: &str) -> Result<Versioned<CannedReply>, Problem> {
    Call::get(format!("/canned-replies/{}", segment(id)))
        .fetch_versioned(|r: &CannedReply| r.version)
        .await
}

pub async fn update(
    id: &str,
    etag: &str,
    patch: &CannedReplyPatch,
) -> Result<Versioned<CannedReply>, Problem> {
    Call::patch(format!("/canned-replies/{}", segment(id)))
        .if_match(etag)
        .json(patch)?
        .fetch_versioned(|r: &CannedReply| r.version)
        .await
}

pub async fn remove(reply: &CannedReply) -> Result<(), Problem> {
    Call::delete(format!("/canned-replies/{}", segment(&reply.id)))
        .if_match(&etag_of(reply.version))
        .run()
        .await
}

/// The reply filled in for the ticket, with the caller as the agent.
pub async fn rendered(ticket_id: &str, reply_id: &str) -> Result<RenderedCannedReply, Problem> {
    Call::get(format!(
        "/tickets/{}/canned-replies/{}/rendered",
        segment(ticket_id),
        segment(reply_id)
    ))
    .fetch()
    .await
}

pub async fn rules() -> Result<Vec<AutomationRule>, Problem> {
    Call::get("/desk/automation-rules").fetch().await
}

pub async fn create_rule(new: &AutomationRuleInput) -> Result<AutomationRule, Problem> {
    Call::post("/desk/automation-rules")
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn rule(id: &str) -> Result<Versioned<AutomationRule>, Problem> {
    Call::get(format!("/desk/automation-rules/{}", segment(id)))
        .fetch_versioned(|r: &AutomationRule| r.version)
        .await
}

pub async fn update_rule(
    id: &str,
    etag: &str,
    patch: &AutomationRulePatch,
) -> Result<Versioned<AutomationRule>, Problem> {
    Call::patch(format!("/desk/automation-rules/{}", segment(id)))
        .if_match(etag)
        .json(patch)?
        .fetch_versioned(|r: &AutomationRule| r.version)
        .await
}

pub async fn set_rule_enabled(
    rule: &AutomationRule,
    enabled: bool,
) -> Result<AutomationRule, Problem> {
    let patch = AutomationRulePatch {
        enabled: Some(enabled),
        ..AutomationRulePatch::default()
    };
    update_rule(&rule.id, &etag_of(rule.version), &patch)
        .await
        .map(|v| v.value)
}

pub async fn remove_rule(rule: &AutomationRule) -> Result<(), Problem> {
    Call::delete(format!("/desk/automation-rules/{}", segment(&rule.id)))
        .if_match(&etag_of(rule.version))
        .run()
        .await
}
