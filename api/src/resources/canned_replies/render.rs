//! A canned reply filled in for one ticket: what the agent's reply box receives. Nothing is
//! sent; the agent reads it, edits it if needed, and replies as usual.

use actix_web::{HttpResponse, get, web};
use shared::desk::canned::{self, RenderedCannedReply};

use super::{find, placeholders};
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::policy;
use crate::resources::{tickets, users};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/canned-replies/{reply_id}/rendered", operation_id = "renderCannedReply", tag = "tickets",
    summary = "Fill a canned reply in for a ticket",
    description = "Staff who work the ticket (not sales). The reply's text with its placeholders filled in from the ticket: `client_name` (the organisation), `requester_name`, `ticket_number`, `ticket_subject`, `agent_name` (you) and `csm_name` (the organisation's CSM); a missing value is left empty. Nothing is sent. Client users get 403 on their own tickets and 404 on others.",
    params(("id" = String, Path, description = "Ticket id"), ("reply_id" = String, Path, description = "Canned reply id")),
    responses(
        (status = 200, description = "The filled-in text", body = RenderedCannedReply),
        (status = 403, description = "Client users and sales do not answer with canned replies", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/tickets/{id}/canned-replies/{reply_id}/rendered")]
pub async fn rendered(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (ticket_id, reply_id) = path.into_inner();
    let result = state
        .db
        .run(move |conn| {
            let ctx = tickets::access(conn, &actor, &ticket_id)?;
            policy::use_canned_reply(&actor, ctx.side)?;
            let reply = find(conn, &reply_id)?;
            let me = users::names(conn, [&actor.user_id])?
                .remove(&actor.user_id)
                .unwrap_or_default();
            let values = placeholders(conn, &ctx.ticket, &ctx.org, &me)?;
            Ok(RenderedCannedReply {
                body: canned::render(&reply.body, &values),
                canned_reply_id: reply.id,
                title: reply.title,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
