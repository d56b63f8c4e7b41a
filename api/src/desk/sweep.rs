//! The desk's periodic sweep, on the job queue every `desk_sweep_secs`: SLA warnings at 80 %
//! of a target, escalation on breach (notify, raise priority, reassign — as the ticket's
//! policy says), and handing waiting tickets to agents who came online or freed up. Each
//! ticket's next check instant is indexed (`sla_next_check_at`), so a sweep reads only the
//! tickets that need it, at most `MAX_PER_SWEEP` per transaction.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use shared::desk::assignment::{self, AssignmentDecision, Waiting};
use shared::notification::NotificationKind;

use crate::config::Config;
use crate::db::schema::{
    cluster_routes as cr, department_members as dm, products as pr, tickets as t,
};
use crate::db::{DbConn, now, to_utc};
use crate::desk::{assign, clock};
use crate::error::ApiResult;
use crate::notify::{Notice, notify};
use crate::resources::tickets::{self, TicketRow, rank, record};
use crate::state::AppState;

pub const JOB_KIND: &str = "desk_sweep";
/// Tickets one sweep looks at, at most, so its transaction stays short.
pub const MAX_PER_SWEEP: i64 = 200;

fn interval(config: &Config) -> Duration {
    Duration::seconds(config.desk_sweep_secs.max(1))
}

pub fn ensure_scheduled(conn: &mut DbConn, config: &Config) -> ApiResult<()> {
    crate::jobs::ensure_periodic(
        conn,
        JOB_KIND,
        config.job_max_attempts,
        now() + interval(config),
    )
}

/// The job: queue the next sweep first (a failing sweep never ends the chain), then sweep.
pub async fn run_job(state: &AppState) -> Result<(), String> {
    crate::jobs::schedule_next_run(state, JOB_KIND, now() + interval(&state.config)).await?;
    let config = state.config.clone();
    let checked = state
        .db
        .tx(move |conn| sla(conn, &config, now()))
        .await
        .map_err(|e| e.to_string())?;
    let config = state.config.clone();
    state
        .db
        .tx(move |conn| {
            if checked >= MAX_PER_SWEEP as usize {
                crate::jobs::continue_now(conn, JOB_KIND, config.job_max_attempts)?;
            }
            hand_out_all(conn, &config)
        })
        .await
        .map_err(|e| e.to_string())
}

/// Warns about and escalates the tickets whose next SLA instant has come; answers how many
/// it looked at.
pub fn sla(conn: &mut DbConn, config: &Config, at: NaiveDateTime) -> ApiResult<usize> {
    let rows: Vec<TicketRow> = t::table
        .filter(t::sla_next_check_at.le(at))
        .filter(t::active.eq(true))
        .order(t::sla_next_check_at.asc())
        .limit(MAX_PER_SWEEP)
        .select(TicketRow::as_select())
        .load(conn)?;
    let n = rows.len();
    for mut row in rows {
        check(conn, config, &mut row, at)?;
    }
    Ok(n)
}

/// Who hears about a ticket's SLA: its agent, or the department when nobody has it yet.
fn watchers(conn: &mut DbConn, row: &TicketRow) -> ApiResult<Vec<String>> {
    if let Some(a) = &row.assignee_id {
        return Ok(vec![a.clone()]);
    }
    match &row.department_id {
        Some(d) => Ok(dm::table
            .filter(dm::department_id.eq(d))
            .select(dm::user_id)
            .load(conn)?),
        None => Ok(Vec::new()),
    }
}

fn check(
    conn: &mut DbConn,
    config: &Config,
    row: &mut TicketRow,
    at: NaiveDateTime,
) -> ApiResult<()> {
    let first = row.first_responded_at.is_none() && !row.first_response_breached;
    let (target, deadline) = if first {
        ("first response", row.first_response_deadline())
    } else {
        ("resolution", row.resolution_deadline())
    };
    let Some(d) = deadline else {
        clock::refresh(row);
        return tickets::save(conn, row);
    };
    let now_utc = to_utc(at);
    let watchers = watchers(conn, row)?;
    if now_utc >= d.due_at {
        if first {
            row.first_response_breached = true;
        } else {
            row.resolution_breached = true;
        }
        row.sla_warned = false;
        record(
            conn,
            &row.id,
            None,
            "sla",
            &format!(
                "The {target} target was breached (due {})",
                d.due_at.format("%Y-%m-%d %H:%M UTC")
            ),
        )?;
        let policy = match &row.sla_policy_id {
            Some(id) => clock::policies(conn)?.into_iter().find(|p| &p.id == id),
            None => None,
        }
        .unwrap_or_else(clock::default_policy);
        if policy.on_breach.notify {
            notify(
                conn,
                config,
                &watchers,
                &Notice {
                    kind: NotificationKind::SlaWarning,
                    title: format!("Ticket #{} breached its {target} target", row.number),
                    body: row.subject.clone(),
                    project_id: None,
                    link: Some(row.link()),
                    actor_id: None,
                },
            )?;
        }
        if policy.on_breach.raise_priority && row.priority() != row.priority().raised() {
            let p = row.priority().raised();
            row.priority = p.as_str().into();
            row.priority_rank = rank(p);
            row.priority_reason = format!(
                "{}: raised after the {target} target was breached",
                p.as_str()
            );
            record(
                conn,
                &row.id,
                None,
                "prioritized",
                &format!("Escalated to {} on breach", p.as_str()),
            )?;
        }
        if policy.on_breach.reassign {
            let previous = row.assignee_id.clone();
            let mut decision = assign::decide_excluding(conn, row, previous.as_deref())?;
            if decision.assignee_id.is_none() {
                decision.reason =
                    format!("no other agent free after the breach ({})", decision.reason);
            }
            if decision.assignee_id.is_some() {
                assign::apply(conn, config, row, &decision, None)?;
            }
        }
    } else if !row.sla_warned && now_utc >= d.warn_at {
        row.sla_warned = true;
        let left = shared::desk::sla::time_left_in_words((d.due_at - now_utc).num_seconds());
        record(
            conn,
            &row.id,
            None,
            "sla",
            &format!("Warning: the {target} target is due in {left}"),
        )?;
        notify(
            conn,
            config,
            &watchers,
            &Notice {
                kind: NotificationKind::SlaWarning,
                title: format!("Ticket #{}: {target} due in {left}", row.number),
                body: row.subject.clone(),
                project_id: None,
                link: Some(row.link()),
                actor_id: None,
            },
        )?;
    }
    clock::refresh(row);
    row.version += 1;
    row.updated_at = at;
    tickets::save(conn, row)?;
    tickets::announce_desk_change(conn, row)
}

/// Hands waiting (unassigned, active) tickets of every department to free online agents.
pub fn hand_out_all(conn: &mut DbConn, config: &Config) -> ApiResult<()> {
    let depts: Vec<Option<String>> = t::table
        .filter(t::active.eq(true))
        .filter(t::assignee_id.is_null())
        // Waiting on the customer (e.g. answered automatically): nobody is needed yet.
        .filter(t::status.ne(shared::desk::TicketStatus::PendingCustomer.as_str()))
        .filter(t::department_id.is_not_null())
        .select(t::department_id)
        .distinct()
        .load(conn)?;
    for dept in depts.into_iter().flatten() {
        hand_out(conn, config, &dept)?;
    }
    Ok(())
}

/// Hands a department's waiting tickets, highest priority and oldest first, to its free
/// online agents; called when an agent comes online or a ticket frees a place, and by the
/// sweep.
pub fn hand_out(conn: &mut DbConn, config: &Config, department_id: &str) -> ApiResult<usize> {
    let rows: Vec<TicketRow> = t::table
        .filter(t::department_id.eq(department_id))
        .filter(t::active.eq(true))
        .filter(t::assignee_id.is_null())
        .filter(t::status.ne(shared::desk::TicketStatus::PendingCustomer.as_str()))
        .order((t::priority_rank.desc(), t::id.asc()))
        .limit(MAX_PER_SWEEP)
        .select(TicketRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let route_skill: Option<String> = cr::table
        .filter(cr::department_id.eq(department_id))
        .select(cr::required_skill)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    let mut waiting = Vec::with_capacity(rows.len());
    for r in &rows {
        let product_skill: Option<String> = match &r.product_id {
            Some(p) => pr::table
                .find(p)
                .select(pr::skill)
                .first::<Option<String>>(conn)
                .optional()?
                .flatten(),
            None => None,
        };
        waiting.push(Waiting {
            ticket_id: r.id.clone(),
            priority: r.priority(),
            created_at: to_utc(r.created_at),
            required_skill: product_skill.or_else(|| route_skill.clone()),
        });
    }
    let strategy = assign::strategy(conn, department_id)?;
    let candidates = assign::candidates(conn, department_id)?;
    let given = assignment::sweep(&waiting, &candidates, strategy);
    let n = given.len();
    for (ticket_id, decision) in given {
        let Some(mut row) = rows.iter().find(|r| r.id == ticket_id).cloned() else {
            continue;
        };
        let decision = AssignmentDecision {
            assignee_id: decision.assignee_id,
            reason: format!("{} (from the waiting queue)", decision.reason),
        };
        assign::apply(conn, config, &mut row, &decision, None)?;
        row.version += 1;
        row.updated_at = now();
        tickets::save(conn, &row)?;
        tickets::announce_desk_change(conn, &row)?;
    }
    Ok(n)
}
