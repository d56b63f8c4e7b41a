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
    department_members as dm, departments as d, tickets as t, user_skills as us, users as u,
};
use crate::db::{DbConn, now, to_utc};
use crate::error::ApiResult;
use crate::notify::{Notice, notify};
use crate::resources::tickets::{TicketRow, record};

/// The department's way of spreading tickets.
pub fn strategy(conn: &mut DbConn, department_id: &str) -> ApiResult<AssignmentStrategy> {
    let s: Option<String> = d::table
        .find(department_id)
        .select(d::assignment_strategy)
        .first(conn)
        .optional()?;
    Ok(s.as_deref()
        .and_then(AssignmentStrategy::parse)
        .unwrap_or(AssignmentStrategy::RoundRobin))
}

/// The department's active members with what assignment weighs.
pub fn candidates(conn: &mut DbConn, department_id: &str) -> ApiResult<Vec<Candidate>> {
    type Member = (String, String, Option<String>, i32, Option<NaiveDateTime>);
    let members: Vec<Member> = dm::table
        .inner_join(u::table)
        .filter(dm::department_id.eq(department_id))
        .filter(u::active.eq(true))
        .select((
            u::id,
            u::name,
            u::availability,
            u::ticket_capacity,
            u::last_assigned_at,
        ))
        .load(conn)?;
    let ids: Vec<&String> = members.iter().map(|m| &m.0).collect();
    let mut skills: HashMap<String, Vec<String>> = HashMap::new();
    for (user, skill) in us::table
        .filter(us::user_id.eq_any(&ids))
        .select((us::user_id, us::skill))
        .load::<(String, String)>(conn)?
    {
        skills.entry(user).or_default().push(skill);
    }
    let loads: HashMap<String, i64> = t::table
        .filter(t::active.eq(true))
        .filter(t::assignee_id.eq_any(&ids))
        .group_by(t::assignee_id)
        .select((t::assignee_id.assume_not_null(), diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(members
        .into_iter()
        .map(|(id, name, availability, capacity, last)| Candidate {
            availability: availability
                .as_deref()
                .and_then(Availability::parse)
                .unwrap_or(Availability::Offline),
            skills: skills.remove(&id).unwrap_or_default(),
            active_tickets: u32::try_from(loads.get(&id).copied().unwrap_or(0)).unwrap_or(u32::MAX),
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
    Ok(assignment::choose(&candidates, required_skill, strategy))
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
    match &decision.assignee_id {
        Some(agent) => {
            row.assignee_id = Some(agent.clone());
            diesel::update(u::table.find(agent))
                .set(u::last_assigned_at.eq(Some(now())))
                .execute(conn)?;
            record(
                conn,
                &row.id,
                actor_id,
                "assigned",
                &format!("Assigned to {}", decision.reason),
            )?;
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
            record(
                conn,
                &row.id,
                actor_id,
                "unassigned",
                &format!("Waiting for an agent: {}", decision.reason),
            )?;
        }
    }
    Ok(())
}
