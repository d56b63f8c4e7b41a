//! Returns, refunds and cancellations on a new ticket: the refund policy
//! (`shared::desk::refund::decide`) applied to the date the ticket gives — the purchase of
//! what is returned, the order of what is cancelled. A cancellation is of the service going
//! forward, so the contract's start says nothing about it: without a date a person decides.
//! Inside the window, or with no date at all, the request waits for the approver role, whose
//! users are told. Outside it
//! the desk answers the client itself, quoting the policy, and records the refusal. Either
//! way the ticket's history says what happened; the ticket is worked as usual.
//!
//! The approver's decision (`decide`) becomes a public reply on the ticket, so the client
//! hears the answer where they asked.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::Role;
use shared::desk::refund::{self, RefundDecision};
use shared::desk::refund_request::{
    self, RefundDecisionInput, RefundKind, RefundRequest, RefundStatus, RefundVerdict,
};
use shared::desk::ticket::NewTicketMessage;
use shared::desk::{Channel, MessageKind};
use shared::notification::NotificationKind;

use crate::auth::Actor;
use crate::config::Config;
use crate::db::schema::{
    organizations as o, refund_requests as rr, ticket_messages as tm, tickets as t, users as u,
};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::desk::search;
use crate::error::{ApiError, ApiResult};
use crate::notify::{Notice, notify};
use crate::resources::organizations::OrgRow;
use crate::resources::tickets::{self, DESK, TicketCtx, TicketRow, record};
use crate::resources::users;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = rr)]
pub struct RefundRow {
    pub id: String,
    pub ticket_id: String,
    pub organization_id: String,
    pub kind: String,
    pub reference_date: Option<NaiveDate>,
    pub window_days: i32,
    pub window_ends: Option<NaiveDate>,
    pub approver_role: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl RefundRow {
    pub fn approver(&self) -> Role {
        Role::parse(&self.approver_role).unwrap_or(Role::Admin)
    }
    pub fn status(&self) -> RefundStatus {
        RefundStatus::parse(&self.status).unwrap_or(RefundStatus::Pending)
    }
    fn kind(&self) -> RefundKind {
        RefundKind::parse(&self.kind).unwrap_or(RefundKind::ReturnRefund)
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<RefundRow>> {
    Ok(rr::table
        .find(id)
        .select(RefundRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn of_ticket(conn: &mut DbConn, ticket_id: &str) -> ApiResult<Option<RefundRow>> {
    Ok(rr::table
        .filter(rr::ticket_id.eq(ticket_id))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()?)
}

/// The DTOs, with ticket, organisation and decider names looked up once per list.
pub fn to_dtos(conn: &mut DbConn, rows: Vec<RefundRow>) -> ApiResult<Vec<RefundRequest>> {
    let ticket_ids: Vec<&String> = rows.iter().map(|r| &r.ticket_id).collect();
    let ticket_info: std::collections::HashMap<String, (i64, String)> = t::table
        .filter(t::id.eq_any(ticket_ids))
        .select((t::id, t::number, t::subject))
        .load::<(String, i64, String)>(conn)?
        .into_iter()
        .map(|(id, n, s)| (id, (n, s)))
        .collect();
    let org_ids: Vec<&String> = rows.iter().map(|r| &r.organization_id).collect();
    let orgs: std::collections::HashMap<String, String> = o::table
        .filter(o::id.eq_any(org_ids))
        .select((o::id, o::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let names = users::names(conn, rows.iter().filter_map(|r| r.decided_by.as_ref()))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (number, subject) = ticket_info.get(&r.ticket_id).cloned().unwrap_or_default();
            RefundRequest {
                kind: r.kind(),
                approver_role: r.approver(),
                status: r.status(),
                ticket_number: number,
                ticket_subject: subject,
                organization_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
                decided_by_name: r.decided_by.as_ref().and_then(|d| names.get(d).cloned()),
                id: r.id,
                ticket_id: r.ticket_id,
                organization_id: r.organization_id,
                reference_date: r.reference_date,
                window_days: r.window_days,
                window_ends: r.window_ends,
                decided_by: r.decided_by,
                decided_at: r.decided_at.map(to_utc),
                decision_note: r.decision_note,
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
                version: r.version,
            }
        })
        .collect())
}

pub fn to_dto(conn: &mut DbConn, row: RefundRow) -> ApiResult<RefundRequest> {
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("refund request vanished"))
}

/// Who approves for `role` on this organisation: its CSM when CSMs approve (else every CSM),
/// otherwise every active user with the role.
fn approvers(conn: &mut DbConn, role: Role, org: &OrgRow) -> ApiResult<Vec<String>> {
    if role == Role::Csm
        && let Some(csm) = &org.csm_id
    {
        return Ok(vec![csm.clone()]);
    }
    Ok(u::table
        .filter(u::role.eq(role.as_str()))
        .filter(u::active.eq(true))
        .select(u::id)
        .load(conn)?)
}

/// Applies the refund policy to a new ticket (inserted already); nothing for other clusters.
pub fn apply(conn: &mut DbConn, config: &Config, row: &TicketRow, org: &OrgRow) -> ApiResult<()> {
    let cluster = row.cluster();
    let Some(kind) = RefundKind::of(cluster) else {
        return Ok(());
    };
    let reference = row.purchase_date;
    let policy = crate::desk::settings::refund_policy(conn)?;
    let today = Utc::now().date_naive();
    let at = now();
    let mut request = RefundRow {
        id: new_id(),
        ticket_id: row.id.clone(),
        organization_id: row.organization_id.clone(),
        kind: kind.as_str().into(),
        reference_date: reference,
        window_days: i32::try_from(policy.window_days).unwrap_or(i32::MAX),
        window_ends: reference.map(|d| refund::window_ends(&policy, d)),
        approver_role: policy.approver_role.as_str().into(),
        status: RefundStatus::Pending.as_str().into(),
        decided_by: None,
        decided_at: None,
        decision_note: None,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    match refund::decide(&policy, cluster, reference, today) {
        RefundDecision::NotApplicable => return Ok(()),
        RefundDecision::NeedsApproval { approver_role, .. } => {
            insert(conn, &request)?;
            record(
                conn,
                &row.id,
                None,
                "refund",
                &refund_request::pending_line(approver_role, request.window_ends),
            )?;
            let to = approvers(conn, approver_role, org)?;
            notify(
                conn,
                config,
                &to,
                &Notice {
                    kind: NotificationKind::Handoff,
                    title: format!(
                        "Ticket #{}: a {} waits for your approval",
                        row.number,
                        cluster.label().to_lowercase()
                    ),
                    body: format!("{} — {}", org.name, row.subject),
                    project_id: None,
                    link: Some(row.link()),
                    actor_id: None,
                },
            )?;
        }
        RefundDecision::OutsideWindow { answer } => {
            request.status = RefundStatus::RefusedOutsideWindow.as_str().into();
            request.decided_at = Some(at);
            insert(conn, &request)?;
            desk_reply(conn, config, row, &answer)?;
            record(
                conn,
                &row.id,
                None,
                "refund",
                &format!(
                    "refund: outside the window ({} days from {}); {DESK} answered with the policy",
                    policy.window_days,
                    reference.map(|d| d.to_string()).unwrap_or_default()
                ),
            )?;
        }
    }
    Ok(())
}

fn insert(conn: &mut DbConn, r: &RefundRow) -> ApiResult<()> {
    diesel::insert_into(rr::table)
        .values((
            rr::id.eq(&r.id),
            rr::ticket_id.eq(&r.ticket_id),
            rr::organization_id.eq(&r.organization_id),
            rr::kind.eq(&r.kind),
            rr::reference_date.eq(r.reference_date),
            rr::window_days.eq(r.window_days),
            rr::window_ends.eq(r.window_ends),
            rr::approver_role.eq(&r.approver_role),
            rr::status.eq(&r.status),
            rr::decided_by.eq(&r.decided_by),
            rr::decided_at.eq(r.decided_at),
            rr::decision_note.eq(&r.decision_note),
            rr::created_at.eq(r.created_at),
            rr::updated_at.eq(r.updated_at),
            rr::version.eq(r.version),
        ))
        .execute(conn)?;
    Ok(())
}

/// A public reply written by the desk itself (`by_desk`), mailed on e-mail tickets and
/// announced to the requester — as an automatic answer is.
fn desk_reply(conn: &mut DbConn, config: &Config, row: &TicketRow, text: &str) -> ApiResult<()> {
    diesel::insert_into(tm::table)
        .values((
            tm::id.eq(new_id()),
            tm::ticket_id.eq(&row.id),
            tm::author_id.eq(None::<String>),
            tm::author_name.eq(DESK),
            tm::kind.eq(MessageKind::Reply.as_str()),
            tm::channel.eq(row.channel.as_str()),
            tm::body.eq(text),
            tm::created_at.eq(now()),
            tm::by_desk.eq(true),
        ))
        .execute(conn)?;
    search::index(conn, &row.id, true, &[text])?;
    if row.channel() == Channel::Email {
        crate::mail::queue(
            conn,
            config,
            &crate::mail::Mail {
                to: row.requester_email.clone(),
                subject: format!("Re: [#{}] {}", row.number, row.subject),
                text: text.to_string(),
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
            body: shared::chat::preview(text, shared::chat::PREVIEW_CHARS),
            project_id: None,
            link: Some(row.link()),
            actor_id: None,
        },
    )?;
    Ok(())
}

/// The approver's decision on a pending request (the caller checked the policy): a public
/// reply from the approver tells the client, the history records it, the assignee is told.
pub fn decide(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    mut request: RefundRow,
    ctx: &mut TicketCtx,
    input: &RefundDecisionInput,
) -> ApiResult<RefundRow> {
    if request.status() != RefundStatus::Pending {
        return Err(ApiError::new(
            shared::ErrorCode::Conflict,
            format!(
                "this request was decided already ({})",
                request.status().label().to_lowercase()
            ),
        ));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let text = refund_request::decision_reply(request.kind(), input.decision, note);
    crate::resources::tickets::messages::add(
        conn,
        config,
        actor,
        ctx,
        &NewTicketMessage {
            kind: MessageKind::Reply,
            body: text,
            status: None,
        },
        None,
    )?;
    let (status, word) = match input.decision {
        RefundVerdict::Approve => (RefundStatus::Approved, "approved"),
        RefundVerdict::Reject => (RefundStatus::Rejected, "rejected"),
    };
    let at = now();
    request.status = status.as_str().into();
    request.decided_by = Some(actor.user_id.clone());
    request.decided_at = Some(at);
    request.decision_note = note.map(str::to_string);
    request.updated_at = at;
    request.version += 1;
    diesel::update(rr::table.find(&request.id))
        .set((
            rr::status.eq(&request.status),
            rr::decided_by.eq(&request.decided_by),
            rr::decided_at.eq(request.decided_at),
            rr::decision_note.eq(&request.decision_note),
            rr::updated_at.eq(at),
            rr::version.eq(request.version),
        ))
        .execute(conn)?;
    let who = users::names(conn, [&actor.user_id])?
        .remove(&actor.user_id)
        .unwrap_or_default();
    let ticket = &ctx.ticket;
    record(
        conn,
        &ticket.id,
        Some(&actor.user_id),
        "refund",
        &format!("refund: {word} by {who}"),
    )?;
    let assignee: Vec<String> = ticket.assignee_id.clone().into_iter().collect();
    notify(
        conn,
        config,
        &assignee,
        &Notice {
            kind: NotificationKind::TicketUpdated,
            title: format!("Ticket #{}: {who} {word} the request", ticket.number),
            body: ticket.subject.clone(),
            project_id: None,
            link: Some(ticket.link()),
            actor_id: Some(actor.user_id.clone()),
        },
    )?;
    tickets::announce(
        conn,
        ticket,
        ctx.org.csm_id.as_deref(),
        Some(&actor.user_id),
    )?;
    Ok(request)
}
