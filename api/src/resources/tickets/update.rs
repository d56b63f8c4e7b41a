//! Reading one ticket, its history, and changing it: status (through the shared status
//! machine), priority, cluster, product, department, assignee, subject and tags.

use actix_web::{HttpResponse, get, patch, web};
use diesel::prelude::*;
use shared::ErrorCode;
use shared::desk::assignment::AssignmentDecision;
use shared::desk::status;
use shared::desk::ticket::{self, Side, Ticket, TicketHistoryEntry, TicketPatch, normalize_tags};
use shared::desk::{Cluster, TicketStatus};
use shared::notification::NotificationKind;

use crate::auth::Actor;
use crate::config::Config;
use crate::db::schema::{
    cluster_routes as cr, department_members as dm, departments as d, products as pr, users as u,
};
use crate::db::{DbConn, now};
use crate::desk::{assign, clock, csat};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::notify::{Notice, notify};
use crate::policy;
use crate::resources::ok_with_etag;
use crate::resources::tickets::{self, TicketCtx, TicketRow, rank, record};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}", operation_id = "getTicket", tag = "tickets",
    summary = "Read a ticket",
    description = "Staff who can see the ticket's organisation; the organisation's client admins; the client member who opened it. Staff also get the SLA clocks. `allowed_statuses` lists the moves the caller may make.",
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, description = "The ticket", body = Ticket, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/tickets/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let ticket = state
        .db
        .run(move |conn| {
            let ctx = tickets::access(conn, &actor, &id)?;
            tickets::to_dto(conn, &ctx)
        })
        .await?;
    Ok(ok_with_etag(&ticket, ticket.version))
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/history", operation_id = "getTicketHistory", tag = "tickets",
    summary = "A ticket's history",
    description = "Everything that happened to the ticket, oldest first, each with who and why: opening, routing, priority, SLA, assignment (and the reason for the choice), status changes, replies and notes (staff only), automation rules, escalations. Staff only.",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The history", body = Vec<TicketHistoryEntry>),
        (status = 403, description = "Client users see the thread, not the desk's history", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/tickets/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let entries = state
        .db
        .run(move |conn| {
            let ctx = tickets::access(conn, &actor, &id)?;
            if ctx.side == Side::Client {
                return Err(ApiError::forbidden(
                    "the desk's history of a ticket is for staff",
                ));
            }
            tickets::history(conn, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Moves the ticket to `to` after the status machine agreed: the active flag, resolution and
/// closing times, the SLA clocks, a history line, and — the first time the ticket is done —
/// the satisfaction request to the client. The caller saves the row.
pub fn change_status(
    conn: &mut DbConn,
    config: &Config,
    row: &mut TicketRow,
    to: TicketStatus,
    actor_id: Option<&str>,
    who: &str,
) -> ApiResult<()> {
    let from = row.status();
    let at = now();
    row.status = to.as_str().into();
    row.active = to.is_active();
    match to {
        TicketStatus::Resolved => row.resolved_at = Some(at),
        TicketStatus::Closed => {
            row.closed_at = Some(at);
            row.resolved_at.get_or_insert(at);
        }
        _ if !from.is_active() => {
            // Reopened: the resolution clock runs again from where it was.
            row.resolved_at = None;
            row.closed_at = None;
        }
        _ => {}
    }
    if row.resolved_at.is_some()
        && let Some(due) = row.resolution_due_at
        && !row.resolution_breached
        && at > due
    {
        row.resolution_breached = true;
    }
    clock::on_status(conn, row, from, to, at.and_utc())?;
    if from.is_active() && !to.is_active() {
        csat::request(conn, config, row)?;
    }
    record(
        conn,
        &row.id,
        actor_id,
        "status",
        &format!(
            "{who} moved the ticket from {} to {}",
            from.label(),
            to.label()
        ),
    )?;
    Ok(())
}

/// The status machine's verdict as an API error.
pub fn check_move(ctx: &TicketCtx, to: TicketStatus) -> ApiResult<()> {
    status::check(ctx.ticket.status(), to, ctx.status_actor())
        .map_err(|why| ApiError::new(ErrorCode::TransitionNotAllowed, why))
}

fn staff_user(conn: &mut DbConn, id: &str) -> ApiResult<String> {
    let row: Option<(String, String, bool)> = u::table
        .find(id)
        .select((u::name, u::role, u::active))
        .first(conn)
        .optional()?;
    match row {
        Some((name, role, true)) if shared::Role::parse(&role).is_some_and(|r| r.is_staff()) => {
            Ok(name)
        }
        _ => Err(ApiError::field(
            "assignee_id",
            "exists",
            "is not an active staff user",
        )),
    }
}

fn apply_patch(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    ctx: &mut TicketCtx,
    patch: TicketPatch,
) -> ApiResult<()> {
    let who = crate::resources::users::names(conn, [&actor.user_id])?
        .remove(&actor.user_id)
        .unwrap_or_default();
    let me = Some(actor.user_id.as_str());
    let staff_fields = patch.subject.is_some()
        || patch.priority.is_some()
        || patch.cluster.is_some()
        || patch.product_id.is_some()
        || patch.department_id.is_some()
        || patch.assignee_id.is_some()
        || patch.tags.is_some();
    if ctx.side == Side::Client && staff_fields {
        return Err(ApiError::forbidden(
            "client users can only close or reopen their tickets (status)",
        ));
    }
    if ctx.side == Side::Staff {
        policy::work_tickets(actor)?;
    }
    if let Some(to) = patch.status {
        check_move(ctx, to)?;
    }
    let row = &mut ctx.ticket;
    if let Some(subject) = patch.subject {
        row.subject = subject.trim().to_string();
        record(
            conn,
            &row.id,
            me,
            "changed",
            &format!("{who} renamed the ticket to \"{}\"", row.subject),
        )?;
    }
    if let Some(p) = patch.priority.filter(|p| *p != row.priority()) {
        row.priority = p.as_str().into();
        row.priority_rank = rank(p);
        row.priority_reason = format!("{}: set by {who}", p.as_str());
        record(
            conn,
            &row.id,
            me,
            "prioritized",
            &format!("{who} set the priority to {}", p.as_str()),
        )?;
    }
    if let Some(product) = patch.product_id {
        if let Some(id) = &product {
            let exists: i64 = pr::table.filter(pr::id.eq(id)).count().get_result(conn)?;
            if exists == 0 {
                return Err(ApiError::field(
                    "product_id",
                    "exists",
                    "is not a product of this desk",
                ));
            }
        }
        row.product_id = product;
        record(
            conn,
            &row.id,
            me,
            "changed",
            &format!("{who} changed the product"),
        )?;
    }
    let mut new_department = patch.department_id.clone();
    if let Some(c) = patch.cluster.filter(|c| *c != row.cluster()) {
        row.cluster = c.as_str().into();
        record(
            conn,
            &row.id,
            me,
            "changed",
            &format!("{who} set the cluster to {}", c.label().to_lowercase()),
        )?;
        if new_department.is_none() {
            new_department = route_of(conn, c)?;
        }
    }
    if let Some(dept) = new_department.filter(|d| Some(d) != row.department_id.as_ref()) {
        let name: Option<String> = d::table
            .find(&dept)
            .select(d::name)
            .first(conn)
            .optional()?;
        let name =
            name.ok_or_else(|| ApiError::field("department_id", "exists", "is not a department"))?;
        row.department_id = Some(dept.clone());
        record(
            conn,
            &row.id,
            me,
            "routed",
            &format!("{who} moved the ticket to {name}"),
        )?;
        // A new department means new hands unless the caller chose them, or the assignee
        // belongs to the new department too.
        let assignee_stays = match &row.assignee_id {
            Some(a) => {
                dm::table
                    .filter(dm::department_id.eq(&dept))
                    .filter(dm::user_id.eq(a))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
            }
            None => false,
        };
        if patch.assignee_id.is_none() && !assignee_stays && row.active {
            let choice = assign::decide(conn, row, None)?;
            assign::apply(conn, config, row, &choice, me)?;
        }
    }
    if let Some(assignee) = patch.assignee_id {
        match assignee {
            Some(agent) if Some(&agent) != row.assignee_id.as_ref() => {
                let name = staff_user(conn, &agent)?;
                let decision = AssignmentDecision {
                    assignee_id: Some(agent),
                    reason: format!("{name}: chosen by {who}"),
                };
                assign::apply(conn, config, row, &decision, me)?;
            }
            Some(_) => {}
            None if row.assignee_id.is_some() => {
                let decision = AssignmentDecision {
                    assignee_id: None,
                    reason: format!("put back in the queue by {who}"),
                };
                assign::apply(conn, config, row, &decision, me)?;
            }
            None => {}
        }
    }
    if let Some(tags) = patch.tags {
        tickets::set_tags(conn, &row.id, &normalize_tags(&tags))?;
        record(conn, &row.id, me, "changed", &format!("{who} set the tags"))?;
    }
    if let Some(to) = patch.status {
        change_status(conn, config, row, to, me, &who)?;
        if ctx.side == Side::Client
            && let Some(agent) = &row.assignee_id
        {
            notify(
                conn,
                config,
                std::slice::from_ref(agent),
                &Notice {
                    kind: NotificationKind::TicketUpdated,
                    title: format!(
                        "Ticket #{} is now {}",
                        row.number,
                        to.label().to_lowercase()
                    ),
                    body: format!("{who} changed the status of \"{}\"", row.subject),
                    project_id: None,
                    link: Some(row.link()),
                    actor_id: Some(actor.user_id.clone()),
                },
            )?;
        }
    }
    Ok(())
}

/// The department a cluster routes to, if any.
fn route_of(conn: &mut DbConn, cluster: Cluster) -> ApiResult<Option<String>> {
    Ok(cr::table
        .filter(cr::cluster.eq(cluster.as_str()))
        .select(cr::department_id)
        .first(conn)
        .optional()?)
}

#[utoipa::path(
    patch, path = "/api/v1/tickets/{id}", operation_id = "updateTicket", tag = "tickets",
    summary = "Change a ticket",
    description = "Staff (not sales) change any field; client users may only move the status as `allowed_statuses` says (close, or reopen a resolved ticket). Status moves follow the shared status machine (`409 transition_not_allowed` with the reason). Changing the cluster re-routes the ticket; a new department re-assigns it unless you name the assignee; `assignee_id: null` puts it back in the unassigned queue. Every change lands in the history. Send `If-Match` with the ETag to avoid overwriting someone else's change (412).",
    params(("id" = String, Path, description = "Ticket id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you saw")),
    request_body = TicketPatch,
    responses(
        (status = 200, description = "The changed ticket", body = Ticket, headers(("ETag" = String))),
        (status = 403, description = "Sales, or a client user changing more than the status", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The status machine does not allow this move", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The ticket changed since your ETag", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/tickets/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<TicketPatch>,
) -> ApiResult<HttpResponse> {
    let patch = body.into_inner();
    ticket::validate_patch(&patch).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let ticket = state
        .db
        .tx(move |conn| {
            let mut ctx = tickets::access_for_update(conn, &actor, &id)?;
            if_match.check(ctx.ticket.version)?;
            let was_held = ctx.ticket.active && ctx.ticket.assignee_id.is_some();
            apply_patch(conn, &config, &actor, &mut ctx, patch)?;
            ctx.ticket.version += 1;
            ctx.ticket.updated_at = now();
            tickets::save(conn, &ctx.ticket)?;
            // A resolved or closed ticket frees its agent's place: waiting tickets move up.
            if was_held
                && !ctx.ticket.active
                && let Some(dept) = ctx.ticket.department_id.clone()
            {
                crate::desk::sweep::hand_out(conn, &config, &dept)?;
            }
            tickets::announce(
                conn,
                &ctx.ticket,
                ctx.org.csm_id.as_deref(),
                Some(&actor.user_id),
            )?;
            tickets::to_dto(conn, &ctx)
        })
        .await?;
    Ok(ok_with_etag(&ticket, ticket.version))
}
