//! The CSM chat: per project, between the client's users and their CSM.
//! Messages arrive live over the WebSocket (`chat.message`) at every participant and every
//! open tab of the author; participants who are not online also get a notification. When CSM
//! coverage has ended the chat is read-only: posting answers `coverage_ended`.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use shared::chat::{
    self, AuthorSide, ChatMessage, ChatPage, ChatReadRequest, ChatReadState, NewChatMessage,
};
use shared::notification::NotificationKind;
use shared::page::PageQuery;
use shared::{ErrorCode, Role};

use crate::auth::Actor;
use crate::db::schema::{chat_messages as cm, chat_reads as cr, users as u};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::notify::{Notice, notify};
use crate::policy;
use crate::realtime::events::publish;
use crate::realtime::presence;
use crate::resources::projects::{self, ProjectCtx};
use crate::state::AppState;

/// Who wrote something on a project (chat, board): their name and side.
pub struct Author {
    pub name: String,
    pub side: AuthorSide,
}

/// Shown for content whose author's account no longer exists.
const FORMER_USER: &str = "Former user";

/// Names and sides of these users, in one query.
pub fn authors<'a>(
    conn: &mut DbConn,
    ids: impl IntoIterator<Item = &'a String>,
) -> ApiResult<HashMap<String, Author>> {
    let mut ids: Vec<&String> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, String)> = u::table
        .filter(u::id.eq_any(ids))
        .select((u::id, u::name, u::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role)| {
            let side = Role::parse(&role).map_or(AuthorSide::Csm, AuthorSide::of);
            (id, Author { name, side })
        })
        .collect())
}

/// The author's name and side; a vanished account reads as a former vendor user, since
/// client accounts are only ever deactivated.
pub fn author_of(authors: &HashMap<String, Author>, id: Option<&String>) -> (String, AuthorSide) {
    match id.and_then(|i| authors.get(i)) {
        Some(a) => (a.name.clone(), a.side),
        None => (FORMER_USER.to_string(), AuthorSide::Csm),
    }
}

#[derive(Queryable, Debug)]
struct MessageRow {
    id: String,
    project_id: String,
    author_id: Option<String>,
    body: String,
    created_at: chrono::NaiveDateTime,
}

fn to_dtos(conn: &mut DbConn, rows: Vec<MessageRow>) -> ApiResult<Vec<ChatMessage>> {
    let who = authors(conn, rows.iter().filter_map(|r| r.author_id.as_ref()))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (author_name, author_side) = author_of(&who, r.author_id.as_ref());
            ChatMessage {
                id: r.id,
                project_id: r.project_id,
                author_id: r.author_id,
                author_name,
                author_side,
                body: r.body,
                created_at: to_utc(r.created_at),
            }
        })
        .collect())
}

fn read_marker(conn: &mut DbConn, project_id: &str, user_id: &str) -> ApiResult<Option<String>> {
    Ok(cr::table
        .find((project_id, user_id))
        .select(cr::last_read_id)
        .first(conn)
        .optional()?)
}

/// Messages from others after the marker (all of them without one).
fn unread_count(
    conn: &mut DbConn,
    project_id: &str,
    user_id: &str,
    marker: Option<&str>,
) -> ApiResult<i64> {
    let mut q = cm::table
        .filter(cm::project_id.eq(project_id))
        .filter(cm::author_id.ne(user_id).or(cm::author_id.is_null()))
        .count()
        .into_boxed();
    if let Some(m) = marker {
        q = q.filter(cm::id.gt(m.to_string()));
    }
    Ok(q.get_result(conn)?)
}

fn read_state(conn: &mut DbConn, project_id: &str, user_id: &str) -> ApiResult<ChatReadState> {
    let last_read_id = read_marker(conn, project_id, user_id)?;
    let unread_count = unread_count(conn, project_id, user_id, last_read_id.as_deref())?;
    Ok(ChatReadState {
        last_read_id,
        unread_count,
    })
}

#[utoipa::path(
    get, path = "/api/v1/projects/{id}/chat/messages", operation_id = "listChatMessages", tag = "chat",
    summary = "Read a project's chat, newest page first",
    description = "Everyone who can see the project. The first page holds the newest messages; `next_cursor` leads to older ones (the cursor is the oldest message of the page, and the next page holds the messages before it). Within a page the items are oldest first, ready to show top to bottom. The answer also carries your read marker and how many messages from others you have not read. The history stays readable after CSM coverage ends.",
    params(("id" = String, Path, description = "Project id"), PageQuery),
    responses((status = 200, description = "A page of messages with your read state", body = ChatPage)),
    security(("bearer" = [])),
)]
#[get("/projects/{id}/chat/messages")]
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
            projects::access(conn, &actor, &id)?;
            // Newest first to cut the page; `after` is the cursor, read here as "before".
            let mut q = cm::table
                .filter(cm::project_id.eq(&id))
                .select(cm::all_columns)
                .order(cm::id.desc())
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(before) = &page.after {
                q = q.filter(cm::id.lt(before.clone()));
            }
            let rows: Vec<MessageRow> = q.load(conn)?;
            let mut items = page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows))?;
            items.items.reverse();
            let read = read_state(conn, &id, &actor.user_id)?;
            Ok(ChatPage {
                items: items.items,
                next_cursor: items.next_cursor,
                last_read_id: read.last_read_id,
                unread_count: read.unread_count,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The chat is open while CSM coverage runs.
fn ensure_open(ctx: &ProjectCtx) -> ApiResult<()> {
    if ctx.coverage().active {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::CoverageEnded,
            "CSM coverage for this organisation has ended, so its chat is closed; the history stays readable",
        ))
    }
}

#[utoipa::path(
    post, path = "/api/v1/projects/{id}/chat/messages", operation_id = "postChatMessage", tag = "chat",
    summary = "Send a chat message",
    description = "The client's users and the project's CSM (administrators count as the CSM side); other staff who can see the project get 403. Every participant and every open tab of yours receives a `chat.message` event carrying the message; participants who are not online are also notified (`chat_message`). Refused with 409 `coverage_ended` once CSM coverage has ended. Send an `Idempotency-Key` header to make retries safe.",
    params(("id" = String, Path, description = "Project id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewChatMessage,
    responses(
        (status = 201, description = "Sent", body = ChatMessage),
        (status = 403, description = "You can see the project but do not take part in it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "CSM coverage has ended (`coverage_ended`), or the Idempotency-Key was used for another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/projects/{id}/chat/messages")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: web::Json<NewChatMessage>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    chat::validate_message(&new).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            let ctx = projects::access(conn, &actor, &id)?;
            policy::take_part(ctx.side)?;
            ensure_open(&ctx)?;
            create_once(conn, &actor.user_id, &key, &(&id, &new), |conn| {
                let row = MessageRow {
                    id: new_id(),
                    project_id: id.clone(),
                    author_id: Some(actor.user_id.clone()),
                    body: new.body.trim().to_string(),
                    created_at: now(),
                };
                diesel::insert_into(cm::table)
                    .values((
                        cm::id.eq(&row.id),
                        cm::project_id.eq(&row.project_id),
                        cm::author_id.eq(&row.author_id),
                        cm::body.eq(&row.body),
                        cm::created_at.eq(row.created_at),
                    ))
                    .execute(conn)?;
                let message = to_dtos(conn, vec![row])?
                    .pop()
                    .ok_or_else(|| ApiError::internal("message vanished"))?;
                let participants = ctx.participants(conn)?;
                let mut away = Vec::new();
                for user in participants.iter().filter(|p| **p != actor.user_id) {
                    if !presence::is_online(conn, user, config.presence_timeout_secs)? {
                        away.push(user.clone());
                    }
                }
                notify(
                    conn,
                    &config,
                    &away,
                    &Notice {
                        kind: NotificationKind::ChatMessage,
                        title: format!("New message from {}", message.author_name),
                        body: chat::preview(&message.body, chat::PREVIEW_CHARS),
                        project_id: Some(id.clone()),
                        link: Some(ctx.link(Some("chat"))),
                        actor_id: Some(actor.user_id.clone()),
                    },
                )?;
                let mut audience = participants;
                audience.push(actor.user_id.clone());
                audience.sort();
                audience.dedup();
                publish(
                    conn,
                    &audience,
                    "chat.message",
                    &serde_json::to_value(&message)?,
                )?;
                Ok(message)
            })
        })
        .await?;
    Ok(idempotency::respond(created, |_| None, |_| None))
}

#[utoipa::path(
    post, path = "/api/v1/projects/{id}/chat/read", operation_id = "markChatRead", tag = "chat",
    summary = "Mark the chat read up to a message",
    description = "Everyone who can see the project keeps their own read marker. The marker only moves forward: naming an older message than the one already marked changes nothing. Your other open tabs receive `chat.read` with the project and the marker, to update their counters. Answers your marker and the messages from others still unread after it.",
    params(("id" = String, Path, description = "Project id")),
    request_body = ChatReadRequest,
    responses((status = 200, description = "Your read state now", body = ChatReadState)),
    security(("bearer" = [])),
)]
#[post("/projects/{id}/chat/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<ChatReadRequest>,
) -> ApiResult<HttpResponse> {
    let wanted = body.into_inner().last_read_id;
    let id = id.into_inner();
    let result = state
        .db
        .tx(move |conn| {
            projects::access(conn, &actor, &id)?;
            let exists: i64 = cm::table
                .filter(cm::project_id.eq(&id))
                .filter(cm::id.eq(&wanted))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                return Err(ApiError::field(
                    "last_read_id",
                    "exists",
                    "is not a message of this project's chat",
                ));
            }
            let current = read_marker(conn, &id, &actor.user_id)?;
            let at = now();
            match &current {
                None => {
                    diesel::insert_into(cr::table)
                        .values((
                            cr::project_id.eq(&id),
                            cr::user_id.eq(&actor.user_id),
                            cr::last_read_id.eq(&wanted),
                            cr::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                Some(c) if *c < wanted => {
                    diesel::update(cr::table.find((&id, &actor.user_id)))
                        .set((cr::last_read_id.eq(&wanted), cr::updated_at.eq(at)))
                        .execute(conn)?;
                }
                Some(_) => {}
            }
            let read = read_state(conn, &id, &actor.user_id)?;
            publish(
                conn,
                std::slice::from_ref(&actor.user_id),
                "chat.read",
                &serde_json::json!({"project_id": id, "last_read_id": read.last_read_id, "unread_count": read.unread_count}),
            )?;
            Ok(read)
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
