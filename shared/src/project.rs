//! Projects, their templates, and CSM coverage.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::{Link, Progress, Responsible};

/// The first category of every project.
pub const KICKOFF: &str = "Kick-off";

/// How long the CSM accompanies a client: 12 months from contract start, for life on
/// `business`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"active": true, "lifetime": false, "ends_on": "2027-01-15"})))]
pub struct Coverage {
    /// The CSM chat is open and the client is high-touch.
    pub active: bool,
    /// `business` plan: coverage never ends.
    pub lifetime: bool,
    /// The first day without coverage; absent for lifetime coverage or no contract start.
    pub ends_on: Option<NaiveDate>,
}

pub const COVERAGE_MONTHS: u32 = 12;
pub const LIFETIME_PLAN: &str = "business";

/// Coverage of an organisation on `today`. Without a contract start the contract has not
/// begun, so coverage has not started to run out: it counts as active.
pub fn coverage(
    plan: Option<&str>,
    contract_start: Option<NaiveDate>,
    today: NaiveDate,
) -> Coverage {
    if plan.is_some_and(|p| p.eq_ignore_ascii_case(LIFETIME_PLAN)) {
        return Coverage {
            active: true,
            lifetime: true,
            ends_on: None,
        };
    }
    match contract_start.and_then(|s| s.checked_add_months(Months::new(COVERAGE_MONTHS))) {
        Some(end) => Coverage {
            active: today < end,
            lifetime: false,
            ends_on: Some(end),
        },
        None => Coverage {
            active: true,
            lifetime: false,
            ends_on: None,
        },
    }
}

/// A project as a dashboard and the project page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01", "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f",
    "organization_name": "Verdi Arredamenti", "plan": "standard",
    "csm_id": "01935c4e-8a1b-7c3d-9e4f-000000000001", "csm_name": "Carla Conti",
    "name": "Onboarding", "kickoff_date": "2026-12-01", "template_id": null,
    "coverage": {"active": true, "lifetime": false, "ends_on": "2027-11-01"},
    "progress": {"done": 3, "applicable": 12, "percent": 25},
    "overdue_items": 1, "unread_chat": 2,
    "next_appointment": {"id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e30", "title": "Kick-off call", "starts_at": "2026-12-01T09:00:00Z"},
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct Project {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub plan: Option<String>,
    /// The organisation's CSM, who runs the project.
    pub csm_id: Option<String>,
    pub csm_name: Option<String>,
    pub name: String,
    pub kickoff_date: NaiveDate,
    pub template_id: Option<String>,
    pub coverage: Coverage,
    pub progress: Progress,
    /// Items still to do whose due date has passed.
    pub overdue_items: i64,
    /// Chat messages from others the caller has not read.
    pub unread_chat: i64,
    pub next_appointment: Option<AppointmentBrief>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentBrief {
    pub id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
}

/// A new project for a client organisation, from a template or empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f", "name": "Onboarding",
    "kickoff_date": "2026-12-01", "template_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e50"
})))]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub organization_id: String,
    pub name: String,
    /// `YYYY-MM-DD`; item due dates are placed relative to it.
    pub kickoff_date: NaiveDate,
    /// Without a template the project starts with an empty "Kick-off" category.
    #[serde(default)]
    pub template_id: Option<String>,
}

/// An item of a template; its dates are days after the kick-off date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub responsible: Responsible,
    /// Days after kick-off the item is due (0 = on the kick-off day).
    #[serde(default)]
    pub due_after_days: Option<i32>,
    /// Days after kick-off to review the item.
    #[serde(default)]
    pub review_after_days: Option<i32>,
    #[serde(default)]
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateCategory {
    pub name: String,
    pub items: Vec<TemplateItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectTemplate {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Shipped with Tandem; it can be edited but comes back when deleted.
    pub builtin: bool,
    pub categories: Vec<TemplateCategory>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A template to create, or (as PUT) the whole new content of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Onboarding — marketplace", "description": "For clients selling on marketplaces",
    "categories": [
        {"name": "Kick-off", "items": [{"title": "Kick-off call", "responsible": "csm", "due_after_days": 0}]},
        {"name": "Training", "items": [{"title": "Training: catalogue", "responsible": "client", "due_after_days": 14}]}
    ]
})))]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The first category must be "Kick-off".
    pub categories: Vec<TemplateCategory>,
}

/// Due date of a template item for a project kicking off on `kickoff`.
pub fn date_after(kickoff: NaiveDate, days: Option<i32>) -> Option<NaiveDate> {
    days.and_then(|d| kickoff.checked_add_signed(chrono::Duration::days(i64::from(d))))
}

/// The template Tandem ships: onboarding for an e-commerce client (seed 000).
pub fn builtin_ecommerce() -> TemplateInput {
    fn item(title: &str, description: &str, responsible: Responsible, due: i32) -> TemplateItem {
        TemplateItem {
            title: title.into(),
            description: Some(description.into()),
            responsible,
            due_after_days: Some(due),
            review_after_days: None,
            links: Vec::new(),
        }
    }
    use Responsible::{Client, Csm};
    TemplateInput {
        name: "Onboarding — e-commerce".into(),
        description: Some(
            "From kick-off to go-live of the client's e-commerce site: training on each service, data collection, launch."
                .into(),
        ),
        categories: vec![
            TemplateCategory {
                name: KICKOFF.into(),
                items: vec![
                    item("Kick-off call", "Meet the CSM, agree goals and the plan.", Csm, 0),
                    item("Share the project goals", "Write down what success looks like for you.", Client, 3),
                    item("Access to the service verified", "Every user can sign in.", Client, 3),
                ],
            },
            TemplateCategory {
                name: "Training".into(),
                items: vec![
                    item("Training: catalogue and products", "Load and organise products.", Client, 14),
                    item("Training: orders and shipping", "Process an order from payment to delivery.", Client, 21),
                    item("Training: sales channels", "Publish the catalogue on marketplaces and web channels.", Client, 28),
                    item("Training: reports", "Read sales and stock reports.", Client, 35),
                ],
            },
            TemplateCategory {
                name: "E-commerce data collection".into(),
                items: vec![
                    item("Company details and logo", "Legal details, logo and brand colours received.", Csm, 10),
                    item("Payment methods", "Payment providers chosen and accounts received.", Csm, 14),
                    item("Shipping rates", "Carriers and rates received.", Csm, 14),
                    item("Legal pages", "Terms, privacy and returns policy received.", Csm, 21),
                ],
            },
            TemplateCategory {
                name: "Go-live".into(),
                items: vec![
                    item("Site review with the client", "Walk through the site before launch.", Csm, 45),
                    item("Test order placed", "Place and refund a real order.", Client, 50),
                    item("Go-live", "The site is public.", Csm, 60),
                ],
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn coverage_lasts_twelve_months_or_for_life() {
        let c = coverage(Some("standard"), Some(d("2026-01-15")), d("2027-01-14"));
        assert!(c.active && !c.lifetime);
        assert_eq!(c.ends_on, Some(d("2027-01-15")));
        assert!(!coverage(Some("standard"), Some(d("2026-01-15")), d("2027-01-15")).active);
        let b = coverage(Some("Business"), Some(d("2010-01-01")), d("2030-01-01"));
        assert!(b.active && b.lifetime && b.ends_on.is_none());
        // End of month: 31 January + 12 months = 31 January; 29 February → 28 February.
        assert_eq!(
            coverage(None, Some(d("2028-02-29")), d("2028-03-01")).ends_on,
            Some(d("2029-02-28"))
        );
        let none = coverage(Some("standard"), None, d("2030-01-01"));
        assert!(none.active && none.ends_on.is_none());
    }

    #[test]
    fn builtin_template_starts_with_kickoff_and_is_valid() {
        let t = builtin_ecommerce();
        assert_eq!(t.categories[0].name, KICKOFF);
        assert_eq!(crate::validate::template(&t), Ok(()));
    }

    #[test]
    fn dates_follow_the_kickoff() {
        assert_eq!(date_after(d("2026-12-01"), Some(14)), Some(d("2026-12-15")));
        assert_eq!(date_after(d("2026-12-01"), None), None);
    }
}
