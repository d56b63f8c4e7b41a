//! Handoffs between roles: work passed on with an owner, a status and a due
//! date, so nothing is dropped and nothing is done twice — support → CSM when a problem keeps
//! coming back, CSM → account manager for an upsell, sales → CSM at
//! onboarding. Internal to the vendor: client users never see them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Cluster;
use crate::FieldError;
use crate::validate::{Errors, NAME_MAX, TEXT_MAX};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HandoffKind {
    SupportToCsm,
    CsmToAccount,
    SalesToCsm,
}
str_enum!(HandoffKind { SupportToCsm => "support_to_csm", CsmToAccount => "csm_to_account", SalesToCsm => "sales_to_csm" });

impl HandoffKind {
    pub const ALL: [HandoffKind; 3] = [
        HandoffKind::SupportToCsm,
        HandoffKind::CsmToAccount,
        HandoffKind::SalesToCsm,
    ];
    pub fn label(self) -> &'static str {
        match self {
            HandoffKind::SupportToCsm => "Support → CSM",
            HandoffKind::CsmToAccount => "CSM → Account manager",
            HandoffKind::SalesToCsm => "Sales → CSM",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HandoffStatus {
    Open,
    InProgress,
    Done,
    Cancelled,
}
str_enum!(HandoffStatus { Open => "open", InProgress => "in_progress", Done => "done", Cancelled => "cancelled" });

impl HandoffStatus {
    pub const ALL: [HandoffStatus; 4] = [
        HandoffStatus::Open,
        HandoffStatus::InProgress,
        HandoffStatus::Done,
        HandoffStatus::Cancelled,
    ];
    /// Still someone's work (open or in progress).
    pub fn is_open(self) -> bool {
        matches!(self, HandoffStatus::Open | HandoffStatus::InProgress)
    }
    pub fn label(self) -> &'static str {
        match self {
            HandoffStatus::Open => "Open",
            HandoffStatus::InProgress => "In progress",
            HandoffStatus::Done => "Done",
            HandoffStatus::Cancelled => "Cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f60", "kind": "support_to_csm",
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01", "organization_name": "Fashop",
    "project_id": null, "ticket_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01",
    "ticket_ids": ["01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01"],
    "product_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20", "cluster": "product_not_working",
    "owner_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e03", "owner_name": "Giulia Rossi",
    "created_by": null, "title": "Repeated problem: Checkout (product not working)",
    "summary": "3 tickets about Checkout (product not working) from this client in the last 30 days",
    "status": "open", "due_on": "2026-11-26",
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct Handoff {
    pub id: String,
    pub kind: HandoffKind,
    pub organization_id: String,
    pub organization_name: String,
    pub project_id: Option<String>,
    /// The ticket that raised it, if any.
    pub ticket_id: Option<String>,
    /// Every ticket it is about: the first and the repeats that joined it.
    pub ticket_ids: Vec<String>,
    pub product_id: Option<String>,
    pub cluster: Option<Cluster>,
    pub owner_id: String,
    pub owner_name: String,
    /// `null` when the desk raised it by itself.
    pub created_by: Option<String>,
    pub title: String,
    pub summary: String,
    pub status: HandoffStatus,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A handoff a person raises (e.g. a CSM passing an upsell to an account manager).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "kind": "csm_to_account", "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
    "owner_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e07", "title": "Upsell: second shop",
    "summary": "They plan a second shop in spring; talk about the business plan.",
    "due_on": "2026-12-01"
})))]
#[serde(deny_unknown_fields)]
pub struct NewHandoff {
    pub kind: HandoffKind,
    pub organization_id: String,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub ticket_id: Option<String>,
    /// A vendor staff member who takes it over.
    pub owner_id: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub due_on: NaiveDate,
}

/// Changes to a handoff; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "in_progress", "due_on": "2026-11-27"})))]
#[serde(deny_unknown_fields)]
pub struct HandoffPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<HandoffStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

pub fn validate_new(h: &NewHandoff) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("title", &h.title, NAME_MAX);
    e.max_len("summary", &h.summary, TEXT_MAX);
    e.required_text("organization_id", &h.organization_id, NAME_MAX);
    e.required_text("owner_id", &h.owner_id, NAME_MAX);
    e.into_result()
}

pub fn validate_patch(p: &HandoffPatch) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(t) = &p.title {
        e.required_text("title", t, NAME_MAX);
    }
    e.optional_text("summary", p.summary.as_deref(), TEXT_MAX);
    if let Some(o) = &p.owner_id {
        e.required_text("owner_id", o, NAME_MAX);
    }
    e.into_result()
}

/// A support → CSM handoff's title: "Repeated problem: Checkout (product not working)".
pub fn repeat_title(product: &str, cluster: Cluster) -> String {
    let product = product.trim();
    let product = if product.is_empty() {
        "no product"
    } else {
        product
    };
    format!(
        "Repeated problem: {product} ({})",
        cluster.label().to_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(title: &str) -> NewHandoff {
        NewHandoff {
            kind: HandoffKind::CsmToAccount,
            organization_id: "o".into(),
            project_id: None,
            ticket_id: None,
            owner_id: "u".into(),
            title: title.into(),
            summary: String::new(),
            due_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        }
    }

    #[test]
    fn names_round_trip_and_open_states() {
        for k in HandoffKind::ALL {
            assert_eq!(HandoffKind::parse(k.as_str()), Some(k));
        }
        for s in HandoffStatus::ALL {
            assert_eq!(HandoffStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                s.is_open(),
                matches!(s, HandoffStatus::Open | HandoffStatus::InProgress)
            );
        }
    }

    #[test]
    fn validation_names_the_field() {
        assert!(validate_new(&new("Upsell")).is_ok());
        let errs = validate_new(&new("  ")).expect_err("blank title");
        assert_eq!(errs[0].field, "title");
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(
            validate_new(&new(&long)).expect_err("long")[0].rule,
            "too_long"
        );
        let p = HandoffPatch {
            title: Some(String::new()),
            owner_id: Some(" ".into()),
            ..HandoffPatch::default()
        };
        let fields: Vec<String> = validate_patch(&p)
            .expect_err("blank")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["title", "owner_id"]);
        assert!(validate_patch(&HandoffPatch::default()).is_ok());
        assert!(serde_json::from_str::<HandoffPatch>(r#"{"x":1}"#).is_err());
    }

    #[test]
    fn titles() {
        assert_eq!(
            repeat_title(" Checkout ", Cluster::ProductNotWorking),
            "Repeated problem: Checkout (product not working)"
        );
        assert_eq!(
            repeat_title("", Cluster::Billing),
            "Repeated problem: no product (billing)"
        );
    }
}
