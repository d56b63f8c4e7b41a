//! How values read on screen.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use shared::identity::{Availability, GrowthPotential, LifecycleStage, TouchModel};
use shared::project::Coverage;

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "—".to_string())
}

pub fn datetime(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}

/// A moment in the browser's time zone: `3 Dec 2026 14:30`.
pub fn local_datetime(t: DateTime<Utc>) -> String {
    local(t).format("%-d %b %Y %H:%M").to_string()
}

/// The time of day in the browser's time zone: `14:30`.
pub fn local_time(t: DateTime<Utc>) -> String {
    local(t).format("%H:%M").to_string()
}

/// The calendar day of a moment in the browser's time zone.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    local(t).date_naive()
}

/// `t` in the browser's time zone (as its offset from UTC at that moment).
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    let ms = t.timestamp_millis() as f64;
    let minutes_west =
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).get_timezone_offset();
    let offset = FixedOffset::west_opt((minutes_west * 60.0) as i32)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    t.with_timezone(&offset)
}

/// Today in the browser's time zone.
pub fn today() -> NaiveDate {
    local_date(now())
}

/// The current moment, from the browser's clock (chrono's clock does not reach it here).
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// How long the CSM accompanies the client, as the project header says it.
pub fn coverage(c: &Coverage) -> String {
    match (c.active, c.lifetime, c.ends_on) {
        (true, true, _) => "CSM coverage for life".to_string(),
        (true, false, Some(end)) => format!("CSM coverage until {}", date(end)),
        (true, false, None) => "CSM coverage starts with the contract".to_string(),
        (false, _, Some(end)) => {
            format!("CSM coverage ended on {} — chat is read-only", date(end))
        }
        (false, _, None) => "CSM coverage ended — chat is read-only".to_string(),
    }
}

pub fn opt_text(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => "—".to_string(),
    }
}

pub fn lifecycle(s: LifecycleStage) -> &'static str {
    match s {
        LifecycleStage::Onboarding => "Onboarding",
        LifecycleStage::Adopting => "Adopting",
        LifecycleStage::Mature => "Mature",
        LifecycleStage::AtRisk => "At risk",
        LifecycleStage::Churned => "Churned",
    }
}

pub fn touch(t: TouchModel) -> &'static str {
    match t {
        TouchModel::High => "High touch",
        TouchModel::Low => "Low touch",
    }
}

pub fn growth(g: GrowthPotential) -> &'static str {
    match g {
        GrowthPotential::Low => "Low",
        GrowthPotential::Medium => "Medium",
        GrowthPotential::High => "High",
    }
}

pub fn availability(a: Availability) -> &'static str {
    match a {
        Availability::Online => "Online",
        Availability::Away => "Away",
        Availability::Offline => "Offline",
    }
}

/// `business` → `Business`.
pub fn plan(p: Option<&str>) -> String {
    match p {
        Some(p) if !p.is_empty() => {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => "No plan".to_string(),
    }
}

/// A file's size as people read it: `512 B`, `48.2 KB`, `3.1 MB` (powers of 1024), worded as
/// the server words its size limits.
pub fn file_size(bytes: i64) -> String {
    shared::desk::ticket::size_label(bytes.max(0).unsigned_abs())
}
