//! Rating a resolved ticket (CSAT, 1–5 and a comment): from the client portal, signed in, or
//! from the page behind the e-mailed link, where the link's secret is the proof.

use actix_web::{HttpResponse, post, put, web};
use diesel::prelude::*;
use shared::desk::csat::{self, RateByLink, RateTicket, RatingChannel, RatingInvite, RatingToken};
use shared::desk::ticket::Ticket;

use crate::auth::Actor;
use crate::config::Config;
use crate::db::DbConn;
use crate::db::schema::{organizations as o, tickets as t};
use crate::desk::csat as service;
use crate::error::{ApiError, ApiResult};
use crate::policy;
use crate::resources::ok_with_etag;
use crate::resources::tickets::{self, TicketRow};
use crate::state::AppState;

#[utoipa::path(
    put, path = "/api/v1/tickets/{id}/rating", operation_id = "rateTicket", tag = "tickets",
    summary = "Rate a resolved ticket (CSAT)",
    description = "Client users who can see the ticket rate the help from 1 to 5, with an optional comment, once it is resolved or closed. Sending again changes the rating. The assignee is told; the ticket's history records it.",
    params(("id" = String, Path, description = "Ticket id")),
    request_body = RateTicket,
    responses(
        (status = 200, description = "The ticket with its rating", body = Ticket, headers(("ETag" = String))),
        (status = 403, description = "Staff do not rate tickets; clients do", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not visible to the caller", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is not resolved yet", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The score is not 1–5, or the comment is too long", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/tickets/{id}/rating")]
pub async fn rate(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<RateTicket>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    input.validate().map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let ticket = state
        .db
        .tx(move |conn| {
            let ctx = tickets::access_for_update(conn, &actor, &id)?;
            policy::rate_ticket(&actor, ctx.side)?;
            let who = crate::resources::users::names(conn, [&actor.user_id])?
                .remove(&actor.user_id)
                .unwrap_or_default();
            record(
                conn,
                &config,
                &ctx.ticket,
                &input,
                RatingChannel::Portal,
                Some(&actor.user_id),
                &who,
            )?;
            let ctx = tickets::access(conn, &actor, &id)?;
            tickets::to_dto(conn, &ctx)
        })
        .await?;
    Ok(ok_with_etag(&ticket, ticket.version))
}

#[utoipa::path(
    post, path = "/api/v1/ratings/lookup", operation_id = "lookUpRatingLink", tag = "tickets",
    summary = "What an e-mailed rating link rates",
    description = "Needs no authentication: the secret from the link is the proof. Answers the ticket's number, subject and organisation and the rating so far, for the page that records the one-click score.",
    request_body = RatingToken,
    responses(
        (status = 200, description = "The ticket and its rating", body = RatingInvite),
        (status = 404, description = "The link is unknown", body = shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/ratings/lookup")]
pub async fn lookup(
    state: web::Data<AppState>,
    body: web::Json<RatingToken>,
) -> ApiResult<HttpResponse> {
    let RatingToken { token } = body.into_inner();
    let invite = state
        .db
        .run(move |conn| {
            let ticket = by_token(conn, &token)?;
            invite(conn, &ticket)
        })
        .await?;
    Ok(HttpResponse::Ok().json(invite))
}

#[utoipa::path(
    post, path = "/api/v1/ratings", operation_id = "rateByLink", tag = "tickets",
    summary = "Rate a ticket from the e-mailed link",
    description = "Needs no authentication: the secret from the link sent when the ticket was resolved is the proof. Records (or changes) the 1–5 score and optional comment, like the portal does; the history names the requester.",
    request_body = RateByLink,
    responses(
        (status = 200, description = "The ticket and its rating", body = RatingInvite),
        (status = 404, description = "The link is unknown", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket was reopened; rate it once it is resolved again", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The score is not 1–5, or the comment is too long", body = shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/ratings")]
pub async fn rate_by_link(
    state: web::Data<AppState>,
    body: web::Json<RateByLink>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let rating = input.rating();
    rating.validate().map_err(ApiError::validation)?;
    let config = state.config.clone();
    let invite = state
        .db
        .tx(move |conn| {
            let ticket = by_token(conn, &input.token)?;
            let requester = ticket.requester_id.clone();
            let who = ticket.requester_name.clone();
            record(
                conn,
                &config,
                &ticket,
                &rating,
                RatingChannel::Email,
                requester.as_deref(),
                &who,
            )?;
            let ticket = by_token(conn, &input.token)?;
            invite(conn, &ticket)
        })
        .await?;
    Ok(HttpResponse::Ok().json(invite))
}

/// The ticket a link's secret rates, or 404.
fn by_token(conn: &mut DbConn, token: &str) -> ApiResult<TicketRow> {
    let gone = || ApiError::not_found("rating link");
    let id = service::ticket_of_token(conn, token)?.ok_or_else(gone)?;
    tickets::find(conn, &id)?.ok_or_else(gone)
}

fn invite(conn: &mut DbConn, ticket: &TicketRow) -> ApiResult<RatingInvite> {
    let organization_name: String = o::table
        .find(&ticket.organization_id)
        .select(o::name)
        .first(conn)?;
    let rating =
        service::of_ticket(conn, &ticket.id)?.ok_or_else(|| ApiError::not_found("rating link"))?;
    Ok(RatingInvite {
        ticket_number: ticket.number,
        subject: ticket.subject.clone(),
        organization_name,
        rating,
        can_rate: csat::can_rate(ticket.status()).is_ok(),
    })
}

/// Checks the ticket may be rated now, records the rating, and makes the ticket's change
/// visible: a new version (its representation changed) and a live `ticket.changed`.
fn record(
    conn: &mut DbConn,
    config: &Config,
    ticket: &TicketRow,
    input: &RateTicket,
    channel: RatingChannel,
    rated_by: Option<&str>,
    who: &str,
) -> ApiResult<()> {
    csat::can_rate(ticket.status()).map_err(ApiError::conflict)?;
    service::rate(conn, config, ticket, input, channel, rated_by, who)?;
    diesel::update(t::table.find(&ticket.id))
        .set(t::version.eq(t::version + 1))
        .execute(conn)?;
    tickets::announce_desk_change(conn, ticket)
}
