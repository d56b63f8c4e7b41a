//! Refund, return and cancellation requests: the approvers' list, a ticket's
//! request, and the decision. Internal to the vendor; the client hears the outcome as a reply.

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::Role;
use shared::desk::refund_request::{self, RefundDecisionInput, RefundRequest, RefundStatus};
use shared::page::Page;
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::{organizations as o, refund_requests as rr};
use crate::desk::refunds::{self, RefundRow};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::http::pagination::PageRequest;
use crate::policy::{self, OrgScope};
use crate::resources::ok_with_etag;
use crate::resources::tickets;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `pending` lists what waits for a decision.
    pub status: Option<RefundStatus>,
    pub organization_id: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/refund-requests", operation_id = "listRefundRequests", tag = "tickets",
    summary = "List refund, return and cancellation requests",
    description = "Administrators see every request; users with the role the refund policy names as approver see the requests waiting for that role. Other staff and client users get 403. Oldest first, so the longest-waiting request comes first.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of requests", body = Page<RefundRequest>),
        (status = 403, description = "Not an approver", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad limit or cursor", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/refund-requests")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::from_query(&shared::page::PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    })?;
    let query = query.into_inner();
    let result = state
        .db
        .run(move |conn| {
            let policy_now = crate::desk::settings::refund_policy(conn)?;
            policy::list_refund_requests(&actor, policy_now.approver_role)?;
            let mut q = rr::table
                .select(RefundRow::as_select())
                .order(rr::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if actor.role != Role::Admin {
                q = q.filter(rr::approver_role.eq(actor.role.as_str()));
            }
            match policy::org_scope(&actor) {
                OrgScope::All => {}
                OrgScope::Assigned { csm_id, .. } => {
                    q = q.filter(
                        rr::organization_id
                            .eq_any(o::table.filter(o::csm_id.eq(csm_id)).select(o::id)),
                    );
                }
                OrgScope::Own(org) => q = q.filter(rr::organization_id.eq(org)),
            }
            if let Some(s) = query.status {
                q = q.filter(rr::status.eq(s.as_str()));
            }
            if let Some(org) = query.organization_id {
                q = q.filter(rr::organization_id.eq(org));
            }
            if let Some(after) = &page.after {
                q = q.filter(rr::id.gt(after.clone()));
            }
            let rows: Vec<RefundRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| refunds::to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/refund-request", operation_id = "getTicketRefundRequest", tag = "tickets",
    summary = "A ticket's refund, return or cancellation request",
    description = "Vendor staff who can see the ticket. 404 when the ticket has none (it is not a return/refund or cancellation, or arrived before the policy). Client users get 403: they see the outcome as a reply.",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The request", body = RefundRequest, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see refund requests", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or it has no request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/tickets/{id}/refund-request")]
pub async fn for_ticket(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let r = state
        .db
        .run(move |conn| {
            let ctx = tickets::access(conn, &actor, &id)?;
            policy::view_refund_request(ctx.side)?;
            let row = refunds::of_ticket(conn, &id)?
                .ok_or_else(|| ApiError::not_found("refund request"))?;
            refunds::to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&r, r.version))
}

#[utoipa::path(
    post, path = "/api/v1/refund-requests/{id}/decision", operation_id = "decideRefundRequest", tag = "tickets",
    summary = "Approve or reject a pending request",
    description = "A user with the request's approver role, or an administrator. The decision becomes a public reply on the ticket from you (the client sees it; e-mail tickets get it by mail), a line in the ticket's history and a notification to the assignee. A rejection needs a `note` saying why. A request decided already answers 409. `If-Match` (optional) guards against deciding on a stale read.",
    params(("id" = String, Path, description = "Refund request id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RefundDecisionInput,
    responses(
        (status = 200, description = "The request as decided", body = RefundRequest, headers(("ETag" = String))),
        (status = 403, description = "Not the approver role", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request (or not yours to see)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already, or the ticket is closed", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule (a rejection without a note)", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/refund-requests/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<RefundDecisionInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    refund_request::validate_decision(&input).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let r = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "refund_requests", &id)?;
            let row =
                refunds::find(conn, &id)?.ok_or_else(|| ApiError::not_found("refund request"))?;
            // Someone who cannot see the ticket does not learn the request exists.
            let mut ctx = tickets::access(conn, &actor, &row.ticket_id)
                .map_err(|_| ApiError::not_found("refund request"))?;
            if ctx.side == shared::desk::ticket::Side::Client {
                return Err(ApiError::not_found("refund request"));
            }
            policy::decide_refund(&actor, row.approver())?;
            if_match.check(row.version)?;
            let row = refunds::decide(conn, &config, &actor, row, &mut ctx, &input)?;
            refunds::to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&r, r.version))
}
