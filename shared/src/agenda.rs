//! The agenda: appointments the CSM records, merged with the checklist's due
//! and review dates; the private calendar feed; and the field rules for appointments.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::activity::{ActivityState, Responsible};
use crate::validate::{Errors, NAME_MAX, TEXT_MAX};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentKind {
    KickoffCall,
    Training,
    Review,
    Qbr,
    Other,
}

impl AppointmentKind {
    pub const ALL: [AppointmentKind; 5] = [
        AppointmentKind::KickoffCall,
        AppointmentKind::Training,
        AppointmentKind::Review,
        AppointmentKind::Qbr,
        AppointmentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentKind::KickoffCall => "kickoff_call",
            AppointmentKind::Training => "training",
            AppointmentKind::Review => "review",
            AppointmentKind::Qbr => "qbr",
            AppointmentKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AppointmentKind::KickoffCall => "Kick-off call",
            AppointmentKind::Training => "Training session",
            AppointmentKind::Review => "Review meeting",
            AppointmentKind::Qbr => "QBR",
            AppointmentKind::Other => "Appointment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendee {
    pub id: String,
    pub name: String,
}

/// An appointment of a project. Times are UTC instants; `time_zone` is the zone the meeting
/// was planned in, for showing its wall-clock time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e30", "project_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
    "title": "Kick-off call", "kind": "kickoff_call",
    "starts_at": "2026-12-01T09:00:00Z", "ends_at": "2026-12-01T10:00:00Z", "time_zone": "Europe/Rome",
    "location": null, "video_url": "https://meet.example.com/fashop-kickoff",
    "description": "Goals, plan and who does what.",
    "attendees": [{"id": "01935c4e-8a1b-7c3d-9e4f-000000000001", "name": "Carla Conti"}],
    "created_by": "01935c4e-8a1b-7c3d-9e4f-000000000001",
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct Appointment {
    pub id: String,
    pub project_id: String,
    pub title: String,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA name, such as `Europe/Rome`.
    pub time_zone: String,
    pub location: Option<String>,
    pub video_url: Option<String>,
    pub description: Option<String>,
    pub attendees: Vec<Attendee>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A new appointment. `starts_at`/`ends_at` are RFC 3339 with any offset (stored in UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "title": "Kick-off call", "kind": "kickoff_call",
    "starts_at": "2026-12-01T10:00:00+01:00", "ends_at": "2026-12-01T11:00:00+01:00",
    "time_zone": "Europe/Rome", "video_url": "https://meet.example.com/fashop-kickoff",
    "attendee_ids": ["01935c4e-8a1b-7c3d-9e4f-000000000001"]
})))]
#[serde(deny_unknown_fields)]
pub struct NewAppointment {
    pub title: String,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA name, such as `Europe/Rome`.
    pub time_zone: String,
    #[serde(default)]
    pub location: Option<String>,
    /// An `http(s)://` meeting link.
    #[serde(default)]
    pub video_url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Users taking part in the project: the client's users and the CSM.
    #[serde(default)]
    pub attendee_ids: Vec<String>,
}

/// Rescheduling or editing an appointment. Absent fields stay; `null` clears an optional
/// one; `attendee_ids` replaces the whole list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "starts_at": "2026-12-02T10:00:00+01:00", "ends_at": "2026-12-02T11:00:00+01:00"
})))]
#[serde(deny_unknown_fields)]
pub struct AppointmentPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AppointmentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub location: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub video_url: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendee_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgendaKind {
    Appointment,
    DueDate,
    ReviewDate,
}

/// One line of the agenda: an appointment (with times) or an item's date (all day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "kind": "due_date", "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e44", "title": "Training: catalogue and products",
    "starts_at": null, "ends_at": null, "date": "2026-12-15", "time_zone": null,
    "appointment_kind": null, "location": null, "video_url": null,
    "state": "todo", "responsible": "client", "overdue": false,
    "link": "/projects/01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01/activities"
})))]
pub struct AgendaEntry {
    pub kind: AgendaKind,
    /// The appointment's or the item's id.
    pub id: String,
    pub title: String,
    /// Appointments only.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Items only: the due or review date (all day).
    pub date: Option<NaiveDate>,
    /// Appointments only: the zone it was planned in.
    pub time_zone: Option<String>,
    pub appointment_kind: Option<AppointmentKind>,
    pub location: Option<String>,
    pub video_url: Option<String>,
    /// Items only.
    pub state: Option<ActivityState>,
    pub responsible: Option<Responsible>,
    /// A due date that has passed with the item still to do.
    pub overdue: bool,
    /// The web app path that shows it.
    pub link: String,
}

/// A project's agenda between two dates (both included), sorted by time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agenda {
    pub project_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub entries: Vec<AgendaEntry>,
}

/// The caller's private calendar feed (iCalendar). Anyone with the URL can read it:
/// regenerate it to cut off an old copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "url": "https://tandem.example.com/api/v1/calendar/3q2-7wQ0d0kVQm4Lh2ZK0l9Xc7WJm1b4yq8gW2f3cQo.ics",
    "created_at": "2026-11-23T09:00:00Z"
})))]
pub struct CalendarFeed {
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// Without `from`, the agenda starts a week before today.
pub const DEFAULT_DAYS_BACK: i64 = 7;
/// Without `to`, it spans six weeks (a month view with its leading and trailing days).
pub const DEFAULT_SPAN_DAYS: i64 = 42;
/// The widest range one request may ask for.
pub const MAX_SPAN_DAYS: i64 = 366;
pub const LOCATION_MAX: usize = 500;
pub const ATTENDEES_MAX: usize = 100;

/// The dates an agenda request covers, from the optional `from` and `to`.
pub fn range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Vec<FieldError>> {
    let from = from.unwrap_or(today - Duration::days(DEFAULT_DAYS_BACK));
    let to = to.unwrap_or(from + Duration::days(DEFAULT_SPAN_DAYS));
    if to < from {
        return Err(vec![FieldError::new(
            "to",
            "after_from",
            "must not be before `from`",
        )]);
    }
    if (to - from).num_days() > MAX_SPAN_DAYS {
        return Err(vec![FieldError::new(
            "to",
            "range",
            format!("must be at most {MAX_SPAN_DAYS} days after `from`"),
        )]);
    }
    Ok((from, to))
}

/// An item's due date is overdue when it has passed and the item is still to do.
pub fn overdue(state: ActivityState, due: NaiveDate, today: NaiveDate) -> bool {
    state == ActivityState::Todo && due < today
}

/// Orders entries by when they happen; a day's all-day dates come before its appointments.
pub fn sort(entries: &mut [AgendaEntry]) {
    fn key(e: &AgendaEntry) -> (DateTime<Utc>, u8, String) {
        match (e.starts_at, e.date) {
            (Some(at), _) => (at, 1, e.title.clone()),
            (None, Some(d)) => (
                d.and_time(chrono::NaiveTime::MIN).and_utc(),
                0,
                e.title.clone(),
            ),
            (None, None) => (DateTime::<Utc>::MIN_UTC, 0, e.title.clone()),
        }
    }
    entries.sort_by_cached_key(key);
}

/// Empty or blank optional text counts as absent (forms send "" for an empty input).
pub fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn push(e: &mut Errors, field: &str, rule: &str, message: impl Into<String>) {
    e.0.push(FieldError::new(field, rule, message));
}

fn zone(e: &mut Errors, value: &str, known: &dyn Fn(&str) -> bool) {
    if value.trim().is_empty() {
        push(e, "time_zone", "required", "is required");
    } else if !known(value.trim()) {
        push(
            e,
            "time_zone",
            "time_zone",
            "must be an IANA time zone such as Europe/Rome",
        );
    }
}

fn times(e: &mut Errors, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
    if ends_at <= starts_at {
        push(e, "ends_at", "after_start", "must be after `starts_at`");
    }
}

fn attendees(e: &mut Errors, ids: &[String]) {
    if ids.len() > ATTENDEES_MAX {
        push(
            e,
            "attendee_ids",
            "too_many",
            format!("at most {ATTENDEES_MAX} attendees"),
        );
    }
    for (i, id) in ids.iter().enumerate() {
        e.required_text(&format!("attendee_ids[{i}]"), id, NAME_MAX);
    }
}

fn optional_url(e: &mut Errors, field: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        e.url(field, v);
    }
}

/// Every broken rule of a new appointment. `zone_exists` says whether a name is a known IANA
/// zone (the server checks against its time-zone database).
pub fn new_appointment(
    a: &NewAppointment,
    zone_exists: &dyn Fn(&str) -> bool,
) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("title", &a.title, NAME_MAX);
    times(&mut e, a.starts_at, a.ends_at);
    zone(&mut e, &a.time_zone, zone_exists);
    e.optional_text("location", a.location.as_deref(), LOCATION_MAX);
    optional_url(&mut e, "video_url", a.video_url.as_deref());
    e.optional_text("description", a.description.as_deref(), TEXT_MAX);
    attendees(&mut e, &a.attendee_ids);
    e.into_result()
}

/// Every broken rule of a change to an appointment now running from `starts_at` to `ends_at`.
pub fn appointment_patch(
    p: &AppointmentPatch,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    zone_exists: &dyn Fn(&str) -> bool,
) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(title) = &p.title {
        e.required_text("title", title, NAME_MAX);
    }
    if p.starts_at.is_some() || p.ends_at.is_some() {
        times(
            &mut e,
            p.starts_at.unwrap_or(starts_at),
            p.ends_at.unwrap_or(ends_at),
        );
    }
    if let Some(z) = &p.time_zone {
        zone(&mut e, z, zone_exists);
    }
    e.optional_text(
        "location",
        p.location.as_ref().and_then(|v| v.as_deref()),
        LOCATION_MAX,
    );
    optional_url(
        &mut e,
        "video_url",
        p.video_url.as_ref().and_then(|v| v.as_deref()),
    );
    e.optional_text(
        "description",
        p.description.as_ref().and_then(|v| v.as_deref()),
        TEXT_MAX,
    );
    if let Some(ids) = &p.attendee_ids {
        attendees(&mut e, ids);
    }
    e.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    fn rules(r: Result<(), Vec<FieldError>>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    fn rome(z: &str) -> bool {
        z == "Europe/Rome"
    }

    fn new() -> NewAppointment {
        NewAppointment {
            title: "Kick-off call".into(),
            kind: AppointmentKind::KickoffCall,
            starts_at: t("2026-12-01T10:00:00+01:00"),
            ends_at: t("2026-12-01T11:00:00+01:00"),
            time_zone: "Europe/Rome".into(),
            location: None,
            video_url: Some("https://meet.example.com/x".into()),
            description: None,
            attendee_ids: vec![],
        }
    }

    #[test]
    fn times_arrive_with_any_offset_and_are_kept_in_utc() {
        assert_eq!(new().starts_at, t("2026-12-01T09:00:00Z"));
    }

    #[test]
    fn a_new_appointment_reports_every_broken_rule() {
        assert_eq!(new_appointment(&new(), &rome), Ok(()));
        let bad = NewAppointment {
            title: " ".into(),
            ends_at: t("2026-12-01T08:00:00Z"),
            time_zone: "Mars/Olympus".into(),
            video_url: Some("javascript:alert(1)".into()),
            attendee_ids: vec!["".into()],
            ..new()
        };
        assert_eq!(
            rules(new_appointment(&bad, &rome)),
            vec![
                ("title".into(), "required".into()),
                ("ends_at".into(), "after_start".into()),
                ("time_zone".into(), "time_zone".into()),
                ("video_url".into(), "url".into()),
                ("attendee_ids[0]".into(), "required".into()),
            ]
        );
        let same = NewAppointment {
            ends_at: new().starts_at,
            video_url: Some("  ".into()),
            ..new()
        };
        assert_eq!(
            rules(new_appointment(&same, &rome)),
            vec![("ends_at".into(), "after_start".into())]
        );
    }

    #[test]
    fn a_patch_is_checked_against_the_current_times() {
        let (s, e) = (t("2026-12-01T09:00:00Z"), t("2026-12-01T10:00:00Z"));
        let later_start = AppointmentPatch {
            starts_at: Some(t("2026-12-01T10:30:00Z")),
            ..Default::default()
        };
        assert_eq!(
            rules(appointment_patch(&later_start, s, e, &rome)),
            vec![("ends_at".into(), "after_start".into())]
        );
        let moved = AppointmentPatch {
            starts_at: Some(t("2026-12-02T09:00:00Z")),
            ends_at: Some(t("2026-12-02T10:00:00Z")),
            video_url: Some(None),
            ..Default::default()
        };
        assert_eq!(appointment_patch(&moved, s, e, &rome), Ok(()));
        let zone = AppointmentPatch {
            time_zone: Some("Rome".into()),
            ..Default::default()
        };
        assert_eq!(
            rules(appointment_patch(&zone, s, e, &rome)),
            vec![("time_zone".into(), "time_zone".into())]
        );
    }

    #[test]
    fn ranges_default_to_six_weeks_from_a_week_ago_and_are_bounded() {
        let today = d("2026-11-23");
        assert_eq!(
            range(None, None, today),
            Ok((d("2026-11-16"), d("2026-12-28")))
        );
        assert_eq!(
            range(Some(d("2026-12-01")), None, today),
            Ok((d("2026-12-01"), d("2027-01-12")))
        );
        assert_eq!(
            range(Some(d("2026-01-01")), Some(d("2027-01-02")), today),
            Ok((d("2026-01-01"), d("2027-01-02")))
        );
        assert_eq!(
            rules(range(Some(d("2026-01-01")), Some(d("2027-01-03")), today).map(|_| ())),
            vec![("to".into(), "range".into())]
        );
        assert_eq!(
            rules(range(Some(d("2026-02-01")), Some(d("2026-01-01")), today).map(|_| ())),
            vec![("to".into(), "after_from".into())]
        );
    }

    #[test]
    fn only_unfinished_past_due_dates_are_overdue() {
        let today = d("2026-11-23");
        assert!(overdue(ActivityState::Todo, d("2026-11-22"), today));
        assert!(!overdue(ActivityState::Todo, d("2026-11-23"), today));
        assert!(!overdue(ActivityState::Done, d("2026-11-01"), today));
        assert!(!overdue(ActivityState::Skipped, d("2026-11-01"), today));
    }

    fn entry(title: &str, at: Option<&str>, date: Option<&str>) -> AgendaEntry {
        AgendaEntry {
            kind: if at.is_some() {
                AgendaKind::Appointment
            } else {
                AgendaKind::DueDate
            },
            id: title.into(),
            title: title.into(),
            starts_at: at.map(t),
            ends_at: None,
            date: date.map(d),
            time_zone: None,
            appointment_kind: None,
            location: None,
            video_url: None,
            state: None,
            responsible: None,
            overdue: false,
            link: String::new(),
        }
    }

    #[test]
    fn entries_sort_by_time_with_all_day_dates_first() {
        let mut v = vec![
            entry("call", Some("2026-12-01T09:00:00Z"), None),
            entry("later", Some("2026-12-02T08:00:00Z"), None),
            entry("due b", None, Some("2026-12-01")),
            entry("due a", None, Some("2026-12-01")),
            entry("early", None, Some("2026-11-30")),
        ];
        sort(&mut v);
        let order: Vec<&str> = v.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(order, vec!["early", "due a", "due b", "call", "later"]);
    }

    #[test]
    fn kinds_round_trip() {
        for k in AppointmentKind::ALL {
            assert_eq!(AppointmentKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).expect("json"),
                format!("\"{}\"", k.as_str())
            );
        }
    }
}
