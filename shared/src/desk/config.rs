//! Configuring the desk: what an administrator sends and reads back for business
//! calendars, SLA policies, cluster routes and departments' assignment. The rules themselves
//! live beside their subject (`sla`, `routing`, `priority`); this module holds the input and
//! output shapes of the configuration API and checks the parts of an input those rules do not
//! (the time zone name is checked by the API, which has the tz database).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::sla::{self, BreachActions, BusinessCalendar, SlaPolicy, WeeklyHours};
use super::{AssignmentStrategy, Cluster, Priority};
use crate::FieldError;
use crate::validate::{Errors, NAME_MAX, SKILL_MAX, TEXT_MAX};

// ---------------------------------------------------------------------------------------
// Business calendars

/// A business-hours calendar as an administrator writes it (create, or replace whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Rome office hours", "time_zone": "Europe/Rome",
    "week": {
        "mon": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}],
        "tue": [{"start": "09:00", "end": "18:00"}], "wed": [{"start": "09:00", "end": "18:00"}],
        "thu": [{"start": "09:00", "end": "18:00"}], "fri": [{"start": "09:00", "end": "17:00"}]
    },
    "holidays": ["2026-12-25", "2026-12-26"]
})))]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    pub name: String,
    /// IANA time zone name, such as `Europe/Rome`.
    pub time_zone: String,
    /// Opening hours per weekday in local time; a day left out is closed.
    pub week: WeeklyHours,
    /// Whole local days closed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, format = Date))]
    pub holidays: Vec<NaiveDate>,
}

impl CalendarInput {
    /// The calendar's rules, for validation and for the clocks.
    pub fn rules(&self) -> BusinessCalendar {
        BusinessCalendar {
            time_zone: self.time_zone.trim().to_string(),
            week: self.week.clone(),
            holidays: self.holidays.clone(),
        }
    }
}

/// The name and the rules of `sla::validate_calendar`; the API adds the time zone lookup.
pub fn validate_calendar_input(c: &CalendarInput) -> Vec<FieldError> {
    let mut errors = Errors::default();
    errors.required_text("name", &c.name, NAME_MAX);
    errors.0.extend(sla::validate_calendar(&c.rules()));
    errors.0
}

/// A stored business calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e40", "name": "Rome office hours",
    "time_zone": "Europe/Rome",
    "week": {
        "mon": [{"start": "09:00", "end": "18:00"}], "tue": [{"start": "09:00", "end": "18:00"}],
        "wed": [{"start": "09:00", "end": "18:00"}], "thu": [{"start": "09:00", "end": "18:00"}],
        "fri": [{"start": "09:00", "end": "18:00"}], "sat": [], "sun": []
    },
    "holidays": ["2026-12-25"], "policy_count": 1,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z", "version": 1
})))]
pub struct CalendarRecord {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub week: WeeklyHours,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, format = Date))]
    pub holidays: Vec<NaiveDate>,
    /// How many SLA policies count their targets in this calendar (it cannot be deleted
    /// while any does).
    pub policy_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

// ---------------------------------------------------------------------------------------
// SLA policies

/// An SLA policy as an administrator writes it (create, or replace whole). `priority` and
/// `plan` left out mean any; the most specific policy that fits a new ticket applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Business, high priority", "priority": "high", "plan": "business",
    "first_response_minutes": 60, "resolution_minutes": 480,
    "calendar_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e40",
    "on_breach": {"notify": true, "raise_priority": true, "reassign": false}
})))]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyInput {
    pub name: String,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// A plan name (compared without regard to case); left out or empty: any plan.
    #[serde(default)]
    pub plan: Option<String>,
    /// Business minutes until the first public reply is due.
    pub first_response_minutes: i64,
    /// Business minutes until resolution is due; left out: no resolution target.
    #[serde(default)]
    pub resolution_minutes: Option<i64>,
    /// The business calendar the minutes are counted in; left out: around the clock (UTC).
    #[serde(default)]
    pub calendar_id: Option<String>,
    /// What happens on a breach; left out: notify only.
    #[serde(default)]
    pub on_breach: BreachActions,
}

impl SlaPolicyInput {
    /// The policy in the shared rules' shape (plan trimmed, an empty plan meaning any).
    pub fn to_policy(&self, id: &str) -> SlaPolicy {
        SlaPolicy {
            id: id.to_string(),
            name: self.name.trim().to_string(),
            priority: self.priority,
            plan: self.plan_name(),
            first_response_minutes: self.first_response_minutes,
            resolution_minutes: self.resolution_minutes,
            calendar_id: self.calendar_id.clone(),
            on_breach: self.on_breach,
        }
    }

    /// The plan as stored: trimmed, `None` when empty.
    pub fn plan_name(&self) -> Option<String> {
        self.plan
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
    }
}

/// `sla::validate_policy` plus the plan's length; the API checks that the calendar exists.
pub fn validate_policy_input(p: &SlaPolicyInput) -> Vec<FieldError> {
    let mut errors = Errors::default();
    errors.0.extend(sla::validate_policy(&p.to_policy("")));
    errors.optional_text("plan", p.plan.as_deref(), SKILL_MAX);
    if let Some(id) = &p.calendar_id {
        errors.required_text("calendar_id", id, NAME_MAX);
    }
    errors.0
}

/// A stored SLA policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e41", "name": "Business, high priority",
    "priority": "high", "plan": "business", "first_response_minutes": 60,
    "resolution_minutes": 480, "calendar_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e40",
    "calendar_name": "Rome office hours",
    "on_breach": {"notify": true, "raise_priority": true, "reassign": false},
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z", "version": 1
})))]
pub struct SlaPolicyRecord {
    pub id: String,
    pub name: String,
    /// `null`: any priority.
    pub priority: Option<Priority>,
    /// `null`: any plan.
    pub plan: Option<String>,
    pub first_response_minutes: i64,
    pub resolution_minutes: Option<i64>,
    /// `null`: around the clock, UTC.
    pub calendar_id: Option<String>,
    pub calendar_name: Option<String>,
    pub on_breach: BreachActions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

// ---------------------------------------------------------------------------------------
// Cluster routes

/// Where one cluster's tickets go, as an administrator sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "department_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20", "required_skill": "payments"
})))]
#[serde(deny_unknown_fields)]
pub struct ClusterRouteInput {
    pub department_id: String,
    /// A skill assignment prefers; left out or empty: none.
    #[serde(default)]
    pub required_skill: Option<String>,
}

impl ClusterRouteInput {
    /// The skill as stored: trimmed and lower-case (agents' skills are), `None` when empty.
    pub fn skill(&self) -> Option<String> {
        self.required_skill
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
    }
}

pub fn validate_route_input(r: &ClusterRouteInput) -> Vec<FieldError> {
    let mut errors = Errors::default();
    errors.required_text("department_id", &r.department_id, NAME_MAX);
    errors.optional_text("required_skill", r.required_skill.as_deref(), SKILL_MAX);
    errors.0
}

/// One cluster's routing: its department, or `routed: false` when tickets of the cluster
/// wait without a department for a person to route them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "cluster": "billing", "cluster_label": "Billing", "routed": true,
    "department_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20", "department_name": "Billing and accounts",
    "required_skill": null, "updated_at": "2026-01-10T09:00:00Z"
})))]
pub struct ClusterRouteRecord {
    pub cluster: Cluster,
    pub cluster_label: String,
    pub routed: bool,
    pub department_id: Option<String>,
    pub department_name: Option<String>,
    pub required_skill: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------
// Departments

/// A change to a department; fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"assignment_strategy": "least_loaded"})))]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `null` clears the description.
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_strategy: Option<AssignmentStrategy>,
}

pub fn validate_department_patch(p: &DepartmentPatch) -> Vec<FieldError> {
    let mut errors = Errors::default();
    if let Some(name) = &p.name {
        errors.required_text("name", name, NAME_MAX);
    }
    if let Some(Some(d)) = &p.description {
        errors.max_len("description", d, TEXT_MAX);
    }
    errors.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)
    }

    fn calendar() -> CalendarInput {
        CalendarInput {
            name: "Office".into(),
            time_zone: "Europe/Rome".into(),
            week: WeeklyHours::office(t(9), t(18)),
            holidays: vec![],
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_good_calendar_passes_and_a_bad_one_names_its_fields() {
        assert!(validate_calendar_input(&calendar()).is_empty());
        let mut c = calendar();
        c.name = " ".into();
        c.time_zone = String::new();
        c.week.mon.push(sla::OpenInterval::new(t(10), Some(t(11))));
        let errors = validate_calendar_input(&c);
        assert_eq!(fields(&errors), ["name", "time_zone", "week.mon[1]"]);
    }

    fn policy() -> SlaPolicyInput {
        SlaPolicyInput {
            name: "Fast".into(),
            priority: Some(Priority::High),
            plan: Some(" business ".into()),
            first_response_minutes: 60,
            resolution_minutes: Some(480),
            calendar_id: None,
            on_breach: BreachActions::default(),
        }
    }

    #[test]
    fn policies_validate_minutes_and_trim_the_plan() {
        assert!(validate_policy_input(&policy()).is_empty());
        assert_eq!(policy().to_policy("x").plan.as_deref(), Some("business"));
        let mut p = policy();
        p.plan = Some("  ".into());
        assert_eq!(p.to_policy("x").plan, None);
        p.first_response_minutes = -5;
        p.resolution_minutes = Some(0);
        let errors = validate_policy_input(&p);
        assert_eq!(
            fields(&errors),
            ["first_response_minutes", "resolution_minutes"]
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let bad = r#"{"name":"x","first_response_minutes":5,"colour":"red"}"#;
        assert!(serde_json::from_str::<SlaPolicyInput>(bad).is_err());
        let bad = r#"{"department_id":"d","skill":"x"}"#;
        assert!(serde_json::from_str::<ClusterRouteInput>(bad).is_err());
    }

    #[test]
    fn route_skills_are_normalised_and_patches_checked() {
        let r = ClusterRouteInput {
            department_id: "d".into(),
            required_skill: Some(" Payments ".into()),
        };
        assert_eq!(r.skill().as_deref(), Some("payments"));
        assert!(validate_route_input(&r).is_empty());
        let p: DepartmentPatch =
            serde_json::from_str(r#"{"name":"","description":null}"#).unwrap_or_default();
        assert_eq!(p.description, Some(None));
        assert_eq!(fields(&validate_department_patch(&p)), ["name"]);
    }
}
