//! A return, refund or cancellation request as the desk records it: the
//! policy as applied when the ticket arrived (`refund::decide`) and what the approver decided.
//! Internal: the client learns the outcome from the public reply on their ticket.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Cluster;
use crate::validate::{Errors, TEXT_MAX};
use crate::{FieldError, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Waiting for someone with the approver role.
    Pending,
    Approved,
    Rejected,
    /// Outside the window: the desk answered with the policy by itself.
    RefusedOutsideWindow,
}
str_enum!(RefundStatus { Pending => "pending", Approved => "approved", Rejected => "rejected", RefusedOutsideWindow => "refused_outside_window" });

impl RefundStatus {
    pub fn label(self) -> &'static str {
        match self {
            RefundStatus::Pending => "Waiting for approval",
            RefundStatus::Approved => "Approved",
            RefundStatus::Rejected => "Rejected",
            RefundStatus::RefusedOutsideWindow => "Refused: outside the window",
        }
    }
}

/// What is asked for, from the ticket's cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    ReturnRefund,
    Cancellation,
}
str_enum!(RefundKind { ReturnRefund => "return_refund", Cancellation => "cancellation" });

impl RefundKind {
    pub fn of(cluster: Cluster) -> Option<RefundKind> {
        match cluster {
            Cluster::ReturnRefund => Some(RefundKind::ReturnRefund),
            Cluster::Cancellation => Some(RefundKind::Cancellation),
            _ => None,
        }
    }
    fn words(self) -> &'static str {
        match self {
            RefundKind::ReturnRefund => "return or refund request",
            RefundKind::Cancellation => "cancellation request",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f70", "ticket_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01",
    "ticket_number": 1042, "ticket_subject": "Refund for order 5512",
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01", "organization_name": "Fashop",
    "kind": "return_refund", "reference_date": "2026-11-10", "window_days": 30,
    "window_ends": "2026-12-10", "approver_role": "account_manager", "status": "pending",
    "decided_by": null, "decided_by_name": null, "decided_at": null, "decision_note": null,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct RefundRequest {
    pub id: String,
    pub ticket_id: String,
    pub ticket_number: i64,
    pub ticket_subject: String,
    pub organization_id: String,
    pub organization_name: String,
    pub kind: RefundKind,
    /// The purchase (or, for a cancellation, order) date the policy was applied to;
    /// `null` when the ticket gave none.
    pub reference_date: Option<NaiveDate>,
    pub window_days: i32,
    /// The last day of the window; `null` when there was no date.
    pub window_ends: Option<NaiveDate>,
    pub approver_role: Role,
    pub status: RefundStatus,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundVerdict {
    Approve,
    Reject,
}

/// The approver's answer. A rejection needs a note: the client is told why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "decision": "approve", "note": "The refund reaches your card within 5 working days."
})))]
#[serde(deny_unknown_fields)]
pub struct RefundDecisionInput {
    pub decision: RefundVerdict,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn validate_decision(d: &RefundDecisionInput) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    let note = d.note.as_deref().unwrap_or("");
    if d.decision == RefundVerdict::Reject {
        e.required_text("note", note, TEXT_MAX);
    } else {
        e.max_len("note", note, TEXT_MAX);
    }
    e.into_result()
}

/// The public reply that tells the client the decision.
pub fn decision_reply(kind: RefundKind, verdict: RefundVerdict, note: Option<&str>) -> String {
    let head = match verdict {
        RefundVerdict::Approve => format!("Good news: your {} has been approved.", kind.words()),
        RefundVerdict::Reject => format!("We are sorry: your {} was not approved.", kind.words()),
    };
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{head}\n\n{n}"),
        None => head,
    }
}

/// The history line when the request goes to the approver.
pub fn pending_line(role: Role, window_ends: Option<NaiveDate>) -> String {
    match window_ends {
        Some(d) => format!(
            "refund: inside the window (until {}); waiting for approval by {}",
            d.format("%Y-%m-%d"),
            role.as_str()
        ),
        None => format!(
            "refund: no purchase or order date given; waiting for approval by {}",
            role.as_str()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_clusters() {
        for c in Cluster::ALL {
            let k = RefundKind::of(c);
            assert_eq!(
                k.is_some(),
                matches!(c, Cluster::ReturnRefund | Cluster::Cancellation)
            );
            if let Some(k) = k {
                assert_eq!(k.as_str(), c.as_str());
            }
        }
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        let reject = |note: Option<&str>| RefundDecisionInput {
            decision: RefundVerdict::Reject,
            note: note.map(str::to_string),
        };
        let errs = validate_decision(&reject(None)).expect_err("no note");
        assert_eq!(
            (errs[0].field.as_str(), errs[0].rule.as_str()),
            ("note", "required")
        );
        assert!(validate_decision(&reject(Some("used item"))).is_ok());
        let approve = RefundDecisionInput {
            decision: RefundVerdict::Approve,
            note: None,
        };
        assert!(validate_decision(&approve).is_ok());
        let long = RefundDecisionInput {
            decision: RefundVerdict::Approve,
            note: Some("x".repeat(TEXT_MAX + 1)),
        };
        assert_eq!(
            validate_decision(&long).expect_err("long")[0].rule,
            "too_long"
        );
        assert!(
            serde_json::from_str::<RefundDecisionInput>(r#"{"decision":"approve","x":1}"#).is_err()
        );
    }

    #[test]
    fn replies() {
        assert_eq!(
            decision_reply(RefundKind::ReturnRefund, RefundVerdict::Approve, None),
            "Good news: your return or refund request has been approved."
        );
        assert_eq!(
            decision_reply(
                RefundKind::Cancellation,
                RefundVerdict::Reject,
                Some(" Minimum term. ")
            ),
            "We are sorry: your cancellation request was not approved.\n\nMinimum term."
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(
            pending_line(Role::AccountManager, Some(d)),
            "refund: inside the window (until 2026-12-01); waiting for approval by account_manager"
        );
        assert!(pending_line(Role::Admin, None).contains("no purchase or order date"));
    }
}
