//! Reminders: a sweep on the job queue finds items due soon, items
//! overdue and appointments about to start, and notifies the people concerned. Each reminder
//! goes out once: its key (subject, kind, and the date or time it is for) is written to
//! `reminders_sent` in the same transaction, so moving a due date or an appointment arms a
//! new reminder, and two sweeps (or two processes) never send the same one twice.
//!
//! The sweep job re-queues itself every `reminder_interval_secs`; `ensure_scheduled` puts
//! the first one in place when a process with jobs enabled starts.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::activity::{ActivityState, Responsible};
use shared::notification::NotificationKind;

use crate::config::Config;
use crate::db::schema::{
    activities as a, appointment_attendees as aa, appointments as ap, organizations as o,
    projects as p, reminders_sent as rs, users as u,
};
use crate::db::{DbConn, now, to_utc};
use crate::error::ApiResult;
use crate::notify::{Notice, notify};
use crate::resources::appointments::local_time;
use crate::state::AppState;

pub const JOB_KIND: &str = "reminder_sweep";

/// Reminders one sweep sends at most, so its transaction stays short (on SQLite writers wait
/// for it); a backlog — say, the first
/// sweep over an imported data set — drains over sweeps that follow at once.
pub const MAX_PER_SWEEP: usize = 500;

/// How many reminders one sweep sent, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub due_soon: usize,
    pub overdue: usize,
    pub appointments: usize,
}

impl Swept {
    pub fn total(&self) -> usize {
        self.due_soon + self.overdue + self.appointments
    }
}

fn interval(config: &Config) -> Duration {
    Duration::seconds(config.reminder_interval_secs.max(1))
}

/// Queues the first sweep unless one is already waiting or running (its run queues the next).
pub fn ensure_scheduled(conn: &mut DbConn, config: &Config) -> ApiResult<()> {
    crate::jobs::ensure_periodic(
        conn,
        JOB_KIND,
        config.job_max_attempts,
        now() + interval(config),
    )
}

/// The job: queue the next sweep first (committed on its own, so a failing sweep, retried by
/// the queue, never ends the chain), then sweep.
pub async fn run_job(state: &AppState) -> Result<(), String> {
    crate::jobs::schedule_next_run(state, JOB_KIND, now() + interval(&state.config)).await?;
    let config = state.config.clone();
    let swept = state
        .db
        .tx(move |conn| sweep(conn, &config, now()))
        .await
        .map_err(|e| e.to_string())?;
    if swept.total() >= MAX_PER_SWEEP {
        // More are due: sweep again now rather than after the interval.
        let config = state.config.clone();
        state
            .db
            .tx(move |conn| crate::jobs::continue_now(conn, JOB_KIND, config.job_max_attempts))
            .await
            .map_err(|e| e.to_string())?;
    }
    // Coverage ends on a date, so the same periodic job moves ended clients to low touch.
    state
        .db
        .tx(|conn| crate::coverage::sweep(conn, now().date()).map(|_| ()))
        .await
        .map_err(|e| e.to_string())
}

/// Claims a reminder; false when it was sent before.
fn claim(conn: &mut DbConn, key: &str, at: NaiveDateTime) -> ApiResult<bool> {
    let added = crate::on_driver!(conn, |c| diesel::insert_into(rs::table)
        .values((rs::reminder_key.eq(key), rs::created_at.eq(at)))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(added == 1)
}

/// Active users of client organisations, by organisation, loaded once per sweep.
struct ClientUsers(HashMap<String, Vec<String>>);

impl ClientUsers {
    fn of(&mut self, conn: &mut DbConn, org_id: &str) -> ApiResult<Vec<String>> {
        if let Some(users) = self.0.get(org_id) {
            return Ok(users.clone());
        }
        let users: Vec<String> = u::table
            .filter(u::organization_id.eq(org_id))
            .filter(u::active.eq(true))
            .select(u::id)
            .load(conn)?;
        self.0.insert(org_id.to_string(), users.clone());
        Ok(users)
    }
}

/// An open item with a due date, and where it lives.
type DueRow = (
    String,
    String,
    String,
    NaiveDate,
    String,
    String,
    String,
    Option<String>,
);

fn due_items(
    conn: &mut DbConn,
    from: Option<NaiveDate>,
    before: NaiveDate,
) -> ApiResult<Vec<DueRow>> {
    let mut q = a::table
        .inner_join(p::table.inner_join(o::table))
        .filter(a::state.eq(ActivityState::Todo.as_str()))
        .filter(a::due_date.lt(before))
        .select((
            a::id,
            a::title,
            a::responsible,
            a::due_date.assume_not_null(),
            p::id,
            p::name,
            o::id,
            o::csm_id,
        ))
        .into_boxed();
    if let Some(from) = from {
        q = q.filter(a::due_date.ge(from));
    }
    Ok(q.load(conn)?)
}

/// An appointment about to start, and where it lives.
type StartRow = (
    String,
    String,
    NaiveDateTime,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// Sends every reminder due at `at` that was not sent before. Deterministic in `at`, so
/// tests can call it directly; the job calls it with the current time.
pub fn sweep(conn: &mut DbConn, config: &Config, at: NaiveDateTime) -> ApiResult<Swept> {
    let today = at.date();
    let mut done = Swept::default();
    let mut clients = ClientUsers(HashMap::new());
    let horizon = today + Duration::days(config.due_soon_days.max(0) + 1);

    for (id, title, responsible, due, project_id, project, org_id, csm) in
        due_items(conn, Some(today), horizon)?
    {
        if done.total() >= MAX_PER_SWEEP {
            return Ok(done);
        }
        if !claim(conn, &format!("item:{id}:due_soon:{due}"), at)? {
            continue;
        }
        let to = match Responsible::parse(&responsible) {
            Some(Responsible::Client) => clients.of(conn, &org_id)?,
            _ => csm.into_iter().collect(),
        };
        let when = match (due - today).num_days() {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            _ => format!("on {}", due.format("%a %-d %b")),
        };
        let notice = Notice {
            kind: NotificationKind::ItemDueSoon,
            title: format!("Due {when}: {title}"),
            body: format!("{project} · due {due}"),
            link: Some(format!("/projects/{project_id}/activities")),
            project_id: Some(project_id),
            actor_id: None,
        };
        notify(conn, config, &to, &notice)?;
        done.due_soon += 1;
    }

    for (id, title, _, due, project_id, project, org_id, csm) in due_items(conn, None, today)? {
        if done.total() >= MAX_PER_SWEEP {
            return Ok(done);
        }
        if !claim(conn, &format!("item:{id}:overdue:{due}"), at)? {
            continue;
        }
        let mut to = clients.of(conn, &org_id)?;
        to.extend(csm);
        let notice = Notice {
            kind: NotificationKind::ItemOverdue,
            title: format!("Overdue: {title}"),
            body: format!("{project} · was due {due}"),
            link: Some(format!("/projects/{project_id}/activities")),
            project_id: Some(project_id),
            actor_id: None,
        };
        notify(conn, config, &to, &notice)?;
        done.overdue += 1;
    }

    let soon = at + Duration::minutes(config.appointment_reminder_minutes.max(0));
    let starting: Vec<StartRow> = ap::table
        .inner_join(p::table.inner_join(o::table))
        .filter(ap::starts_at.gt(at))
        .filter(ap::starts_at.le(soon))
        .select((
            ap::id,
            ap::title,
            ap::starts_at,
            ap::time_zone,
            p::id,
            p::name,
            o::id,
            o::csm_id,
        ))
        .load(conn)?;
    for (id, title, starts_at, zone, project_id, project, org_id, csm) in starting {
        if done.total() >= MAX_PER_SWEEP {
            return Ok(done);
        }
        let start = to_utc(starts_at);
        if !claim(
            conn,
            &format!("appointment:{id}:reminder:{}", start.to_rfc3339()),
            at,
        )? {
            continue;
        }
        let mut to: Vec<String> = aa::table
            .filter(aa::appointment_id.eq(&id))
            .select(aa::user_id)
            .load(conn)?;
        to.extend(clients.of(conn, &org_id)?);
        to.extend(csm);
        let notice = Notice {
            kind: NotificationKind::AppointmentReminder,
            title: format!("Starting soon: {title}"),
            body: format!("{} · {project}", local_time(start, &zone)),
            link: Some(format!("/projects/{project_id}/agenda")),
            project_id: Some(project_id),
            actor_id: None,
        };
        notify(conn, config, &to, &notice)?;
        done.appointments += 1;
    }
    Ok(done)
}
