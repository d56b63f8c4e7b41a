//! Assignment: the department's members as candidates (availability, skills, load,
//! capacity), the shared rule's choice, and recording it — on the ticket, in its history, on
//! the agent (round-robin order), with a notification to the agent.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::desk::AssignmentStrategy;
use shared::desk::assignment::{self, AssignmentDecision, Candidate};
use shared::identity::Availability;
use shared::notification::NotificationKind;

use crate::config::Config;
use crate::db::schema::{
    department_members as dm, departments as d, user_skills as us, users as u,
};
use crate::db::{DbConn, now, to_utc};
use crate::error::ApiResult;
use crate::notify::{Notice, notify};
use crate::resources::tickets::{History, TicketRow};

/// The department's way of spreading tickets.
pub fn strategy(conn: &mut DbConn, department_id: &str) -> ApiResult<AssignmentStrategy> {
    let s: Option<String> = crate::on_driver!(conn, |c| d::table
        .find(department_id)
        .select(d::assignment_strategy)
        .first(c)
        .optional())?;
    Ok(s.as_deref()
        .and_then(AssignmentStrategy::parse)
        .unwrap_or(AssignmentStrategy::RoundRobin))
}

/// The department's active members with what assignment weighs. Their open tickets are
/// counted by the database as tickets change (`users.open_tickets`, kept by a trigger on
/// tickets: migration `000013_desk_at_scale`), not read ticket by ticket here.
pub fn candidates(conn: &mut DbConn, department_id: &str) -> ApiResult<Vec<Candidate>> {
    type Member = (
        String,
        String,
        Option<String>,
        i32,
        Option<NaiveDateTime>,
        i32,
    );
    let members: Vec<Member> = crate::on_driver!(conn, |c| dm::table
        .inner_join(u::table)
        .filter(dm::department_id.eq(department_id))
        .filter(u::active.eq(true))
        .select((
            u::id,
            u::name,
            u::availability,
            u::ticket_capacity,
            u::last_assigned_at,
            u::open_tickets,
        ))
        .load(c))?;
    let ids: Vec<&String> = members.iter().map(|m| &m.0).collect();
    let mut skills: HashMap<String, Vec<String>> = HashMap::new();
    for (user, skill) in crate::on_driver!(conn, |c| us::table
        .filter(us::user_id.eq_any(&ids))
        .select((us::user_id, us::skill))
        .load::<(String, String)>(c))?
    {
        skills.entry(user).or_default().push(skill);
    }
    Ok(members
        .into_iter()
        .map(|(id, name, availability, capacity, last, open)| Candidate {
            availability: availability
                .as_deref()
                .and_then(Availability::parse)
                .unwrap_or(Availability::Offline),
            skills: skills.remove(&id).unwrap_or_default(),
            active_tickets: u32::try_from(open).unwrap_or(0),
            capacity: u32::try_from(capacity).unwrap_or(0),
            last_assigned_at: last.map(to_utc),
            user_id: id,
            name,
        })
        .collect())
}

/// Chooses an agent for the ticket among its department's members.
pub fn decide(
    conn: &mut DbConn,
    row: &TicketRow,
    required_skill: Option<&str>,
) -> ApiResult<AssignmentDecision> {
    decide_among(conn, row, required_skill, None)
}

/// Chooses another agent than `excluded` (escalation after a breach), needing no skill.
pub fn decide_excluding(
    conn: &mut DbConn,
    row: &TicketRow,
    excluded: Option<&str>,
) -> ApiResult<AssignmentDecision> {
    decide_among(conn, row, None, excluded)
}

fn decide_among(
    conn: &mut DbConn,
    row: &TicketRow,
    required_skill: Option<&str>,
    excluded: Option<&str>,
) -> ApiResult<AssignmentDecision> {
    let Some(dept) = &row.department_id else {
        return Ok(AssignmentDecision {
            assignee_id: None,
            reason: "no department to assign from (the cluster has no route)".into(),
        });
    };
    let strategy = strategy(conn, dept)?;
    let mut candidates = candidates(conn, dept)?;
    candidates.retain(|c| Some(c.user_id.as_str()) != excluded);
    // Tickets created at the same moment would all pick the same next agent and queue on
    // that agent's row until each commits; each takes the next agent nobody is being
    // assigned right now, and waits only when every fitting agent is.
    let first = assignment::choose(&candidates, required_skill, strategy);
    let mut decision = first.clone();
    while let Some(agent) = decision.assignee_id.clone() {
        if try_hold(conn, &agent)? {
            return Ok(decision);
        }
        candidates.retain(|c| c.user_id != agent);
        decision = assignment::choose(&candidates, required_skill, strategy);
    }
    Ok(first)
}

/// PostgreSQL: whether this transaction now holds the agent's row, without waiting for an
/// assignment in flight elsewhere. SQLite's writers take turns, so it always does there.
/// `NO KEY UPDATE`, the lock the assignment's own update takes: a stronger one would also
/// block the key-share locks that rows naming the agent (events, notifications) take, and
/// two creations each holding one agent and writing about the other would deadlock.
fn try_hold(conn: &mut DbConn, agent: &str) -> ApiResult<bool> {
    match conn {
        DbConn::Pg(c) => Ok(u::table
            .find(agent)
            .select(u::id)
            .for_no_key_update()
            .skip_locked()
            .first::<String>(c)
            .optional()?
            .is_some()),
        DbConn::Sqlite(_) => Ok(true),
    }
}

/// Gives the ticket to `agent` (or records why it waits), with history and notification.
/// The caller saves the row.
pub fn apply(
    conn: &mut DbConn,
    config: &Config,
    row: &mut TicketRow,
    decision: &AssignmentDecision,
    actor_id: Option<&str>,
) -> ApiResult<()> {
    let mut history = History::new(&row.id);
    give(conn, config, row, decision, actor_id, &mut history)?;
    history.write(conn)
}

/// [`apply`] with the history line added to `history` (a new ticket's, written with it).
pub fn give(
    conn: &mut DbConn,
    config: &Config,
    row: &mut TicketRow,
    decision: &AssignmentDecision,
    actor_id: Option<&str>,
    history: &mut History,
) -> ApiResult<()> {
    match &decision.assignee_id {
        Some(agent) => {
            row.assignee_id = Some(agent.clone());
            crate::on_driver!(conn, |c| diesel::update(u::table.find(agent))
                .set(u::last_assigned_at.eq(Some(now())))
                .execute(c))?;
            history.add(
                actor_id,
                "assigned",
                &format!("Assigned to {}", decision.reason),
            );
            notify(
                conn,
                config,
                std::slice::from_ref(agent),
                &Notice {
                    kind: NotificationKind::TicketUpdated,
                    title: format!("Ticket #{} assigned to you", row.number),
                    body: row.subject.clone(),
                    project_id: None,
                    link: Some(row.link()),
                    actor_id: actor_id.map(str::to_string),
                },
            )?;
        }
        None => {
            row.assignee_id = None;
            history.add(
                actor_id,
                "unassigned",
                &format!("Waiting for an agent: {}", decision.reason),
            );
        }
    }
    Ok(())
}
