//! A ticket's thread: public replies and internal notes. Client users never see notes — not
//! in the thread, not live. A staff reply is the first response the SLA waits for; a client
//! reply reopens a ticket that waited on them or was resolved.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::ErrorCode;
use shared::chat::{PREVIEW_CHARS, preview};
use shared::desk::status;
use shared::desk::ticket::{self, NewTicketMessage, Side, TicketMessage};
use shared::desk::{Channel, MessageKind};
use shared::notification::NotificationKind;
use shared::page::{Page, PageQuery};

use crate::auth::Actor;
use crate::config::Config;
use crate::db::schema::{ticket_messages as tm, users as u};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::desk::clock;
use crate::error::{ApiError, ApiResult};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::notify::{Notice, notify};
use crate::policy;
use crate::resources::tickets::update::{change_status, check_move};
use crate::resources::tickets::{self, TicketCtx, record};
use crate::state::AppState;

#[derive(Queryable, Debug)]
struct MessageRow {
    id: String,
    ticket_id: String,
    author_id: Option<String>,
    author_name: String,
    kind: String,
    channel: String,
    body: String,
    created_at: NaiveDateTime,
    /// Written by the desk itself (an automation rule's answer), not by a person.
    by_desk: bool,
}

fn to_dtos(conn: &mut DbConn, rows: Vec<MessageRow>) -> ApiResult<Vec<TicketMessage>> {
    let mut ids: Vec<&String> = rows.iter().filter_map(|r| r.author_id.as_ref()).collect();
    ids.sort();
    ids.dedup();
    let roles: std::collections::HashMap<String, String> = if ids.is_empty() {
        Default::default()
    } else {
        u::table
            .filter(u::id.eq_any(ids))
            .select((u::id, u::role))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            // A message without an author account came from outside (an e-mail sender).
            let side = match r.author_id.as_ref().and_then(|a| roles.get(a)) {
                _ if r.by_desk => Side::Staff,
                Some(role) if shared::Role::parse(role).is_some_and(|r| r.is_staff()) => {
                    Side::Staff
                }
                _ => Side::Client,
            };
            TicketMessage {
                kind: MessageKind::parse(&r.kind).unwrap_or(MessageKind::Note),
                channel: Channel::parse(&r.channel).unwrap_or(Channel::Api),
                author_side: side,
                id: r.id,
                ticket_id: r.ticket_id,
                author_id: r.author_id,
                author_name: r.author_name,
                body: r.body,
                created_at: to_utc(r.created_at),
            }
        })
        .collect())
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/messages", operation_id = "listTicketMessages", tag = "tickets",
    summary = "Read a ticket's thread",
    description = "Oldest first; `next_cursor` leads to later messages. Staff see replies and internal notes; client users see replies only.",
    params(("id" = String, Path, description = "Ticket id"), PageQuery),
    responses((status = 200, description = "A page of the thread", body = Page<TicketMessage>)),
    security(("bearer" = [])),
)]
#[get("/tickets/{id}/messages")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::from_query(&query)?;
    let id = id.into_inner();
    let result = state
        .db
        .run(move |conn| {
            let ctx = tickets::access(conn, &actor, &id)?;
            let mut q = tm::table
                .filter(tm::ticket_id.eq(&id))
                .select(tm::all_columns)
                .order(tm::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if ctx.side == Side::Client {
                q = q.filter(tm::kind.eq(MessageKind::Reply.as_str()));
            }
            if let Some(after) = &page.after {
                q = q.filter(tm::id.gt(after.clone()));
            }
            let rows: Vec<MessageRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/messages", operation_id = "postTicketMessage", tag = "tickets",
    summary = "Reply to a ticket, or add an internal note",
    description = "Staff (not sales) reply or add notes; client users who can see the ticket reply. A staff reply is the ticket's first response (SLA) if none came before and moves a new ticket to open; `status` moves it in the same step (e.g. `pending_customer`, which pauses the SLA clock). A client reply reopens a ticket that waited on them or was resolved. Closed tickets take no messages (`409 transition_not_allowed`). Everyone concerned receives `ticket.message` live — client users only for replies — and is notified. Send an `Idempotency-Key` header to make retries safe.",
    params(("id" = String, Path, description = "Ticket id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewTicketMessage,
    responses(
        (status = 201, description = "Added", body = TicketMessage),
        (status = 403, description = "Sales do not write on tickets", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed, or the status move is not allowed", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/tickets/{id}/messages")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: web::Json<NewTicketMessage>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    ticket::validate_message(&new).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            let mut ctx = tickets::access_for_update(conn, &actor, &id)?;
            let key_request = (&id, &new);
            create_once(conn, &actor.user_id, &key, &key_request, |conn| {
                add(conn, &config, &actor, &mut ctx, &new, None)
            })
        })
        .await?;
    Ok(idempotency::respond(created, |_| None, |_| None))
}

/// Adds a message to a ticket the actor can see (checked by the caller through
/// `tickets::access`): the rules of who may write what, the first response, the status move,
/// notifications and live events. `channel` is where it came from (default: the portal for
/// client users, the ticket's channel for staff). Shared by the API and inbound e-mail.
pub fn add(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    ctx: &mut TicketCtx,
    new: &NewTicketMessage,
    channel: Option<Channel>,
) -> ApiResult<TicketMessage> {
    if ctx.side == Side::Client {
        if new.kind == MessageKind::Note {
            return Err(ApiError::field(
                "kind",
                "staff_only",
                "internal notes are for staff; send a reply",
            ));
        }
        if new.status.is_some() {
            return Err(ApiError::field(
                "status",
                "staff_only",
                "leave it out; close or reopen the ticket with PATCH",
            ));
        }
    } else {
        policy::work_tickets(actor)?;
    }
    let actor_kind = ctx.status_actor();
    status::can_add_message(ctx.ticket.status(), actor_kind, new.kind)
        .map_err(|why| ApiError::new(ErrorCode::TransitionNotAllowed, why))?;
    // Asking for the status the ticket already has is no move at all.
    let wanted = new.status.filter(|s| *s != ctx.ticket.status());
    if let Some(to) = wanted {
        check_move(ctx, to)?;
    }
    let who = crate::resources::users::names(conn, [&actor.user_id])?
        .remove(&actor.user_id)
        .unwrap_or_default();
    let at = now();
    let row = MessageRow {
        id: new_id(),
        ticket_id: ctx.ticket.id.clone(),
        author_id: Some(actor.user_id.clone()),
        author_name: who.clone(),
        kind: new.kind.as_str().into(),
        channel: channel
            .unwrap_or(if ctx.side == Side::Client {
                Channel::Portal
            } else {
                ctx.ticket.channel()
            })
            .as_str()
            .into(),
        body: new.body.trim().to_string(),
        created_at: at,
        by_desk: false,
    };
    diesel::insert_into(tm::table)
        .values((
            tm::id.eq(&row.id),
            tm::ticket_id.eq(&row.ticket_id),
            tm::author_id.eq(&row.author_id),
            tm::author_name.eq(&row.author_name),
            tm::kind.eq(&row.kind),
            tm::channel.eq(&row.channel),
            tm::body.eq(&row.body),
            tm::created_at.eq(row.created_at),
        ))
        .execute(conn)?;
    crate::desk::search::index(
        conn,
        &row.ticket_id,
        new.kind == MessageKind::Reply,
        &[&row.body],
    )?;
    let me = Some(actor.user_id.as_str());
    let t = &mut ctx.ticket;
    let staff_reply = ctx.side == Side::Staff && new.kind == MessageKind::Reply;
    record(
        conn,
        &t.id,
        me,
        if new.kind == MessageKind::Note {
            "noted"
        } else {
            "replied"
        },
        &format!(
            "{who} {}",
            if new.kind == MessageKind::Note {
                "added an internal note"
            } else {
                "replied"
            }
        ),
    )?;
    if staff_reply && t.first_responded_at.is_none() {
        t.first_responded_at = Some(at);
        let late = t.first_response_due_at.is_some_and(|due| at > due);
        t.first_response_breached |= late;
        t.sla_warned = false;
        record(
            conn,
            &t.id,
            me,
            "sla",
            if late {
                "First response sent after its target"
            } else {
                "First response sent within its target"
            },
        )?;
    }
    let next = wanted.or_else(|| status::after_message(t.status(), actor_kind, new.kind));
    if let Some(to) = next.filter(|to| *to != t.status()) {
        change_status(conn, config, t, to, me, &who)?;
    } else {
        clock::refresh(t);
    }
    t.updated_at = at;
    t.version += 1;
    tickets::save(conn, t)?;

    let message = to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("message vanished"))?;
    let notice = |title: String| Notice {
        kind: NotificationKind::TicketUpdated,
        title,
        body: preview(&message.body, PREVIEW_CHARS),
        project_id: None,
        link: Some(t.link()),
        actor_id: Some(actor.user_id.clone()),
    };
    match (ctx.side, new.kind) {
        (Side::Staff, MessageKind::Reply) => {
            // E-mail tickets are answered by e-mail; the number in the subject threads the
            // requester's answer back into the ticket.
            if t.channel() == Channel::Email {
                crate::mail::queue(
                    conn,
                    config,
                    &crate::mail::Mail {
                        to: t.requester_email.clone(),
                        subject: format!("Re: [#{}] {}", t.number, t.subject),
                        text: message.body.clone(),
                    },
                )?;
            }
            let requester: Vec<String> = t.requester_id.clone().into_iter().collect();
            notify(
                conn,
                config,
                &requester,
                &notice(format!("{who} replied to ticket #{}", t.number)),
            )?;
        }
        (Side::Staff, MessageKind::Note) => {
            let assignee: Vec<String> = t.assignee_id.clone().into_iter().collect();
            notify(
                conn,
                config,
                &assignee,
                &notice(format!("{who} added a note to ticket #{}", t.number)),
            )?;
        }
        (Side::Client, _) => {
            let assignee: Vec<String> = t.assignee_id.clone().into_iter().collect();
            notify(
                conn,
                config,
                &assignee,
                &notice(format!("{who} replied to ticket #{}", t.number)),
            )?;
        }
    }
    // Staff follow every message; client users only replies (never internal notes).
    tickets::tell(
        conn,
        t,
        ctx.org.csm_id.as_deref(),
        Some(&actor.user_id),
        new.kind == MessageKind::Reply,
        "ticket.message",
        &serde_json::to_value(&message)?,
    )?;
    tickets::announce(conn, t, ctx.org.csm_id.as_deref(), me)?;
    Ok(message)
}
