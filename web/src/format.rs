//! How values read on screen.

use chrono::{DateTime, NaiveDate, Utc};
use shared::identity::{Availability, GrowthPotential, LifecycleStage, TouchModel};

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "—".to_string())
}

pub fn datetime(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
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
