//! SLA clocks on tickets: which policy applies, when targets fall due in the policy's
//! business calendar, pausing while the ticket waits on the customer, and the two indexed
//! instants the queues and the SLA sweep read (`next_due_at`, `sla_next_check_at`).

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::desk::sla::{
    self, BreachActions, BusinessCalendar, DEFAULT_FIRST_RESPONSE_MINUTES, Deadline, SlaPolicy,
    WeeklyHours,
};
use shared::desk::{Priority, TicketStatus};

use crate::db::schema::{business_calendars as bc, sla_policies as sp};
use crate::db::{DbConn, to_utc};
use crate::error::ApiResult;
use crate::resources::tickets::TicketRow;

/// A business calendar with its time zone parsed.
pub struct Calendar {
    pub rules: BusinessCalendar,
    pub tz: chrono_tz::Tz,
}

impl Calendar {
    fn always_open() -> Calendar {
        Calendar {
            rules: BusinessCalendar::always_open(),
            tz: chrono_tz::UTC,
        }
    }

    /// The calendar of that id; around the clock in UTC when there is none (or it vanished).
    pub fn load(conn: &mut DbConn, id: Option<&str>) -> ApiResult<Calendar> {
        let Some(id) = id else {
            return Ok(Calendar::always_open());
        };
        let row: Option<(String, String, String)> = crate::on_driver!(conn, |c| bc::table
            .find(id)
            .select((bc::time_zone, bc::week, bc::holidays))
            .first(c)
            .optional())?;
        let Some((time_zone, week, holidays)) = row else {
            return Ok(Calendar::always_open());
        };
        let week: WeeklyHours = serde_json::from_str(&week)?;
        let holidays = serde_json::from_str(&holidays)?;
        let tz = chrono_tz::Tz::from_str(&time_zone).unwrap_or(chrono_tz::UTC);
        Ok(Calendar {
            rules: BusinessCalendar {
                time_zone,
                week,
                holidays,
            },
            tz,
        })
    }

    pub fn deadline(&self, start: DateTime<Utc>, minutes: i64) -> Deadline {
        sla::deadline(&self.rules, &self.tz, start, minutes)
    }

    pub fn resume(&self, d: Deadline, paused_at: DateTime<Utc>, at: DateTime<Utc>) -> Deadline {
        sla::resume(&self.rules, &self.tz, d, paused_at, at)
    }
}

#[derive(Queryable, Debug)]
struct PolicyRow {
    id: String,
    name: String,
    priority: Option<String>,
    plan: Option<String>,
    first_response_minutes: i32,
    resolution_minutes: Option<i32>,
    calendar_id: Option<String>,
    notify_on_breach: bool,
    raise_priority_on_breach: bool,
    reassign_on_breach: bool,
}

/// Every SLA policy, in the shared rules' shape (a handful of rows).
pub fn policies(conn: &mut DbConn) -> ApiResult<Vec<SlaPolicy>> {
    let rows: Vec<PolicyRow> = crate::on_driver!(conn, |c| sp::table
        .order(sp::name.asc())
        .select((
            sp::id,
            sp::name,
            sp::priority,
            sp::plan,
            sp::first_response_minutes,
            sp::resolution_minutes,
            sp::calendar_id,
            sp::notify_on_breach,
            sp::raise_priority_on_breach,
            sp::reassign_on_breach,
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|r| SlaPolicy {
            id: r.id,
            name: r.name,
            priority: r.priority.as_deref().and_then(Priority::parse),
            plan: r.plan,
            first_response_minutes: i64::from(r.first_response_minutes),
            resolution_minutes: r.resolution_minutes.map(i64::from),
            calendar_id: r.calendar_id,
            on_breach: BreachActions {
                notify: r.notify_on_breach,
                raise_priority: r.raise_priority_on_breach,
                reassign: r.reassign_on_breach,
            },
        })
        .collect())
}

/// The policy a ticket of this priority and plan falls under: the most specific one, or the
/// default (first response within 24 hours around the clock, notify on breach).
pub fn policy_for(
    conn: &mut DbConn,
    priority: Priority,
    plan: Option<&str>,
) -> ApiResult<SlaPolicy> {
    let all = policies(conn)?;
    Ok(sla::pick_policy(&all, priority, plan)
        .cloned()
        .unwrap_or_else(default_policy))
}

pub fn default_policy() -> SlaPolicy {
    SlaPolicy {
        id: String::new(),
        name: crate::resources::tickets::DEFAULT_POLICY.into(),
        priority: None,
        plan: None,
        first_response_minutes: DEFAULT_FIRST_RESPONSE_MINUTES,
        resolution_minutes: None,
        calendar_id: None,
        on_breach: BreachActions {
            notify: true,
            raise_priority: false,
            reassign: false,
        },
    }
}

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// Starts the clocks of a new ticket at `at`; answers a sentence for the history.
pub fn start(
    conn: &mut DbConn,
    row: &mut TicketRow,
    plan: Option<&str>,
    at: DateTime<Utc>,
) -> ApiResult<String> {
    let policy = policy_for(conn, row.priority(), plan)?;
    let calendar = Calendar::load(conn, policy.calendar_id.as_deref())?;
    let first = calendar.deadline(at, policy.first_response_minutes);
    row.sla_policy_id = Some(policy.id.clone()).filter(|id| !id.is_empty());
    row.first_response_warn_at = Some(naive(first.warn_at));
    row.first_response_due_at = Some(naive(first.due_at));
    let mut detail = format!(
        "SLA {}: first response due {}",
        policy.name,
        first.due_at.format("%Y-%m-%d %H:%M UTC")
    );
    if let Some(minutes) = policy.resolution_minutes {
        let resolution = calendar.deadline(at, minutes);
        row.resolution_warn_at = Some(naive(resolution.warn_at));
        row.resolution_due_at = Some(naive(resolution.due_at));
        detail.push_str(&format!(
            ", resolution due {}",
            resolution.due_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    refresh(row);
    Ok(detail)
}

/// Moves the clocks for a status change: pauses when the clock stops (waiting on the
/// customer), moves the deadlines by the business time of the pause when it runs again.
pub fn on_status(
    conn: &mut DbConn,
    row: &mut TicketRow,
    from: TicketStatus,
    to: TicketStatus,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let (ran, runs) = (sla::clock_runs(from), sla::clock_runs(to));
    if ran && !runs {
        row.sla_paused_at = Some(naive(at));
    } else if !ran
        && runs
        && let Some(paused_at) = row.sla_paused_at.take()
    {
        let policy = match &row.sla_policy_id {
            Some(id) => policies(conn)?.into_iter().find(|p| &p.id == id),
            None => None,
        }
        .unwrap_or_else(default_policy);
        let calendar = Calendar::load(conn, policy.calendar_id.as_deref())?;
        let paused_at = to_utc(paused_at);
        if row.first_responded_at.is_none()
            && let Some(d) = row.first_response_deadline()
        {
            let d = calendar.resume(d, paused_at, at);
            row.first_response_warn_at = Some(naive(d.warn_at));
            row.first_response_due_at = Some(naive(d.due_at));
        }
        if let Some(d) = row.resolution_deadline() {
            let d = calendar.resume(d, paused_at, at);
            row.resolution_warn_at = Some(naive(d.warn_at));
            row.resolution_due_at = Some(naive(d.due_at));
        }
    }
    refresh(row);
    Ok(())
}

/// Recomputes the nearest unmet deadline and the next instant the SLA sweep must look at:
/// nothing while paused or once every target is met or breached.
pub fn refresh(row: &mut TicketRow) {
    let paused = row.sla_paused_at.is_some() || !row.active;
    let current = if row.first_responded_at.is_none() && !row.first_response_breached {
        row.first_response_deadline()
    } else if row.resolved_at.is_none() && !row.resolution_breached {
        row.resolution_deadline()
    } else {
        None
    };
    match current.filter(|_| !paused) {
        Some(d) => {
            row.next_due_at = Some(naive(d.due_at));
            row.sla_next_check_at = Some(naive(if row.sla_warned { d.due_at } else { d.warn_at }));
        }
        None => {
            row.next_due_at = None;
            row.sla_next_check_at = None;
        }
    }
}
