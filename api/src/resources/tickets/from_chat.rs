//! "Turn this chat message into a ticket": the CSM side of a project hands a client's chat
//! message to the support desk, which routes, prioritises and assigns it like any ticket.

use actix_web::{HttpResponse, post, web};
use diesel::prelude::*;
use shared::chat::preview;
use shared::desk::Channel;
use shared::desk::ticket::{SUBJECT_MAX, Ticket, TicketFromChat};

use crate::auth::Actor;
use crate::db::schema::{chat_messages as cm, users as u};
use crate::desk::intake::{self, Intake, Requester};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::etag;
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::policy;
use crate::resources::projects;
use crate::resources::tickets::{self, record};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/projects/{id}/chat/messages/{message_id}/ticket", operation_id = "createTicketFromChat", tag = "tickets",
    summary = "Turn a client's chat message into a ticket",
    description = "The project's CSM (or an administrator). The message's author — a client user — becomes the requester; the ticket (channel `chat`) is routed, prioritised and assigned like any other, and its history says it came from the chat. Send an `Idempotency-Key` header to make retries safe.",
    params(
        ("id" = String, Path, description = "Project id"),
        ("message_id" = String, Path, description = "Chat message id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer"),
    ),
    request_body = TicketFromChat,
    responses(
        (status = 201, description = "Opened", body = Ticket, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not the project's CSM side", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/projects/{id}/chat/messages/{message_id}/ticket")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    key: IdempotencyKey,
    body: web::Json<TicketFromChat>,
) -> ApiResult<HttpResponse> {
    let (project_id, message_id) = path.into_inner();
    let input = body.into_inner();
    if let Some(s) = &input.subject {
        let mut e = shared::validate::Errors::default();
        e.required_text("subject", s, SUBJECT_MAX);
        if !e.0.is_empty() {
            return Err(ApiError::validation(e.0));
        }
    }
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            let ctx = projects::access(conn, &actor, &project_id)?;
            policy::run_project(ctx.side)?;
            create_once(
                conn,
                &actor.user_id,
                &key,
                &(&project_id, &message_id, &input),
                |conn| {
                    let message: Option<(Option<String>, String)> = cm::table
                        .filter(cm::project_id.eq(&project_id))
                        .filter(cm::id.eq(&message_id))
                        .select((cm::author_id, cm::body))
                        .first(conn)
                        .optional()?;
                    let (author, body) =
                        message.ok_or_else(|| ApiError::not_found("chat message"))?;
                    let author: Option<(String, String, String)> = match author {
                        Some(id) => u::table
                            .find(&id)
                            .filter(u::organization_id.eq(&ctx.org.id))
                            .select((u::id, u::name, u::email))
                            .first(conn)
                            .optional()?,
                        None => None,
                    };
                    let (requester_id, name, email) = author.ok_or_else(|| {
                        ApiError::field(
                            "message_id",
                            "client_message",
                            "only a message written by the client's users becomes a ticket",
                        )
                    })?;
                    let subject = input.subject.clone().unwrap_or_else(|| preview(&body, 80));
                    let row = intake::open(
                        conn,
                        &config,
                        Intake {
                            subject,
                            body,
                            cluster: input.cluster,
                            product_id: input.product_id.clone(),
                            channel: Channel::Chat,
                            requester: Requester {
                                id: Some(requester_id),
                                name,
                                email,
                            },
                            organization: ctx.org.clone(),
                            purchase_date: None,
                            tags: Vec::new(),
                            created_by: Some(actor.user_id.clone()),
                            email_thread_id: None,
                        },
                    )?;
                    record(
                        conn,
                        &row.id,
                        Some(&actor.user_id),
                        "created",
                        "Turned into a ticket from the project's chat",
                    )?;
                    let ctx = tickets::access(conn, &actor, &row.id)?;
                    tickets::to_dto(conn, &ctx)
                },
            )
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |t: &Ticket| Some(format!("/api/v1/tickets/{}", t.id)),
        |t: &Ticket| Some(etag(t.version)),
    ))
}
