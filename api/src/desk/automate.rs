//! Automation rules on a new ticket.
//! After routing and priority, before assignment, the enabled rules run in position order
//! against the ticket (channel, cluster, product, subject and first message, the client's
//! plan); what the fired rules' actions add up to (`shared::desk::automation::outcome`, later
//! actions winning) is applied, and the history names each rule that fired.
//!
//! An automatic answer is a public reply written by the desk (`by_desk`, author "Tandem"). It
//! is not the human first response the SLA waits for: the customer got an answer, but no
//! person has looked yet. Answered with nobody asked for, the ticket waits on the customer
//! (`pending_customer`, clock paused) unassigned; when the customer writes again it reopens
//! and the SLA's first response is still due from a person. With `escalate_to_human` (or no
//! answer at all) it is assigned as usual and never closed by a rule.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::desk::assignment::AssignmentDecision;
use shared::desk::automation::{self, AutomationRule, RuleAction, TicketFacts};
use shared::desk::canned;
use shared::desk::ticket::normalize_tags;
use shared::desk::{Channel, MessageKind, TicketStatus};
use shared::notification::NotificationKind;

use crate::config::Config;
use crate::db::schema::{
    automation_rules as ar, canned_replies as cr, departments as d, ticket_messages as tm,
};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::desk::{clock, search};
use crate::error::{ApiError, ApiResult};
use crate::notify::{Notice, notify};
use crate::resources::canned_replies;
use crate::resources::organizations::OrgRow;
use crate::resources::tickets::update::change_status;
use crate::resources::tickets::{self, DESK, TicketRow, rank, record};

type RuleRow = (
    String,
    String,
    i32,
    bool,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

fn to_rule(r: RuleRow) -> ApiResult<AutomationRule> {
    let (id, name, position, enabled, conditions, actions, created_at, updated_at, version) = r;
    Ok(AutomationRule {
        conditions: serde_json::from_str(&conditions)?,
        actions: serde_json::from_str(&actions)?,
        id,
        name,
        position,
        enabled,
        created_at: to_utc(created_at),
        updated_at: to_utc(updated_at),
        version,
    })
}

fn load(conn: &mut DbConn, id: Option<&str>, enabled_only: bool) -> ApiResult<Vec<AutomationRule>> {
    let rows: Vec<RuleRow> = crate::on_driver!(conn, |c| {
        let mut q = ar::table
            .select(ar::all_columns)
            .order((ar::position.asc(), ar::id.asc()))
            .into_boxed();
        if let Some(id) = id {
            q = q.filter(ar::id.eq(id.to_string()));
        }
        if enabled_only {
            q = q.filter(ar::enabled.eq(true));
        }
        q.load(c)
    })?;
    rows.into_iter().map(to_rule).collect()
}

/// Every rule, in the order they run.
pub fn rules(conn: &mut DbConn) -> ApiResult<Vec<AutomationRule>> {
    load(conn, None, false)
}

/// The rule, or 404.
pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<AutomationRule> {
    load(conn, Some(id), false)?
        .pop()
        .ok_or_else(|| ApiError::not_found("automation rule"))
}

/// Whether the rule answers with this canned reply.
pub fn answers_with(rule: &AutomationRule, canned_reply_id: &str) -> bool {
    rule.actions.iter().any(
        |a| matches!(a, RuleAction::AutoReply { canned_reply_id: id } if id == canned_reply_id),
    )
}

fn department_name(conn: &mut DbConn, id: &str) -> ApiResult<Option<String>> {
    Ok(d::table.find(id).select(d::name).first(conn).optional()?)
}

fn canned_title(conn: &mut DbConn, id: &str) -> ApiResult<Option<String>> {
    Ok(cr::table
        .find(id)
        .select(cr::title)
        .first(conn)
        .optional()?)
}

/// The action in words, with the canned reply's title or the department's name.
pub fn describe(conn: &mut DbConn, action: &RuleAction) -> ApiResult<String> {
    let label = match action {
        RuleAction::AutoReply { canned_reply_id } => canned_title(conn, canned_reply_id)?,
        RuleAction::Route { department_id } => department_name(conn, department_id)?,
        _ => None,
    };
    Ok(automation::describe(action, label.as_deref()))
}

/// The assignment decision for a ticket answered automatically with nobody asked for.
pub fn left_for_customer() -> AssignmentDecision {
    AssignmentDecision {
        assignee_id: None,
        reason: "answered automatically; a person takes it if the customer writes again".into(),
    }
}

/// The enabled rules a new ticket meets, in the order they run (nothing is written).
pub fn fired(
    conn: &mut DbConn,
    row: &TicketRow,
    body: &str,
    org: &OrgRow,
) -> ApiResult<Vec<AutomationRule>> {
    let facts = TicketFacts {
        channel: row.channel(),
        cluster: row.cluster(),
        product_id: row.product_id.as_deref(),
        subject: &row.subject,
        body,
        plan: org.plan.as_deref(),
    };
    Ok(load(conn, None, true)?
        .into_iter()
        .filter(|r| automation::matches(&r.conditions, &facts))
        .collect())
}

/// Applies the [`fired`] rules to a new ticket (already inserted; the caller saves `row`).
/// Answers whether a person must take it (assignment).
pub fn apply(
    conn: &mut DbConn,
    config: &Config,
    row: &mut TicketRow,
    fired: &[AutomationRule],
    org: &OrgRow,
) -> ApiResult<bool> {
    if fired.is_empty() {
        return Ok(true);
    }
    let mut actions = Vec::new();
    for rule in fired {
        let mut words = Vec::with_capacity(rule.actions.len());
        for a in &rule.actions {
            words.push(describe(conn, a)?);
        }
        let line = format!(
            "automation: rule '{}' fired: {}",
            rule.name,
            words.join(", ")
        );
        record(conn, &row.id, None, "automation", &line)?;
        actions.extend(rule.actions.iter().cloned());
    }
    let out = automation::outcome(&actions);
    // The rule behind the priority, for the ticket's explanation ("high: …").
    let priority_rule = fired.iter().rev().find(|r| {
        r.actions
            .iter()
            .any(|a| matches!(a, RuleAction::SetPriority { .. }))
    });

    if let Some(dept) = &out.department_id
        && row.department_id.as_ref() != Some(dept)
    {
        match department_name(conn, dept)? {
            Some(name) => {
                row.department_id = Some(dept.clone());
                record(
                    conn,
                    &row.id,
                    None,
                    "routed",
                    &format!("Routed to {name} by automation"),
                )?;
            }
            None => record(
                conn,
                &row.id,
                None,
                "automation",
                "automation: the department to route to no longer exists; the route stays",
            )?,
        }
    }
    if let (Some(p), Some(rule)) = (out.priority, priority_rule)
        && p != row.priority()
    {
        row.priority = p.as_str().into();
        row.priority_rank = rank(p);
        row.priority_reason = format!("{}: set by automation rule '{}'", p.as_str(), rule.name);
        record(
            conn,
            &row.id,
            None,
            "prioritized",
            &format!("Priority {}", row.priority_reason),
        )?;
        // The SLA policy follows the priority: the clocks start again from the ticket's opening.
        let detail = clock::start(conn, row, org.plan.as_deref(), to_utc(row.created_at))?;
        record(conn, &row.id, None, "sla", &detail)?;
    }
    if !out.tags.is_empty() {
        let mut tags = tickets::tags_of(conn, &row.id)?;
        tags.extend(out.tags.iter().cloned());
        tickets::set_tags(conn, &row.id, &normalize_tags(&tags))?;
    }
    let mut needs_human = out.needs_human;
    if let Some(reply_id) = &out.auto_reply {
        if answer(conn, config, row, org, reply_id)? {
            if !needs_human {
                change_status(conn, config, row, TicketStatus::PendingCustomer, None, DESK)?;
            }
        } else {
            needs_human = true;
        }
    }
    Ok(needs_human)
}

/// Posts the canned reply, filled in, as the desk's public reply; false when it vanished.
fn answer(
    conn: &mut DbConn,
    config: &Config,
    row: &TicketRow,
    org: &OrgRow,
    reply_id: &str,
) -> ApiResult<bool> {
    let Some(reply) = canned_replies::find_row(conn, reply_id)? else {
        record(
            conn,
            &row.id,
            None,
            "automation",
            "automation: the canned reply to answer with no longer exists; nothing was sent",
        )?;
        return Ok(false);
    };
    let values = canned_replies::placeholders(conn, row, org, DESK)?;
    let text = canned::render(&reply.body, &values);
    diesel::insert_into(tm::table)
        .values((
            tm::id.eq(new_id()),
            tm::ticket_id.eq(&row.id),
            tm::author_id.eq(None::<String>),
            tm::author_name.eq(DESK),
            tm::kind.eq(MessageKind::Reply.as_str()),
            tm::channel.eq(row.channel.as_str()),
            tm::body.eq(&text),
            tm::created_at.eq(now()),
            tm::by_desk.eq(true),
        ))
        .execute(conn)?;
    search::index(conn, &row.id, true, &[&text])?;
    record(
        conn,
        &row.id,
        None,
        "replied",
        &format!(
            "{DESK} answered automatically with canned reply '{}'",
            reply.title
        ),
    )?;
    // E-mail tickets are answered by e-mail, as an agent's reply would be.
    if row.channel() == Channel::Email {
        crate::mail::queue(
            conn,
            config,
            &crate::mail::Mail {
                to: row.requester_email.clone(),
                subject: format!("Re: [#{}] {}", row.number, row.subject),
                text: text.clone(),
            },
        )?;
    }
    let requester: Vec<String> = row.requester_id.clone().into_iter().collect();
    notify(
        conn,
        config,
        &requester,
        &Notice {
            kind: NotificationKind::TicketUpdated,
            title: format!("Ticket #{} was answered", row.number),
            body: shared::chat::preview(&text, shared::chat::PREVIEW_CHARS),
            project_id: None,
            link: Some(row.link()),
            actor_id: None,
        },
    )?;
    Ok(true)
}
