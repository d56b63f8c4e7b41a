//! Listing, raising, reading and moving on handoffs.

use actix_web::{HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::desk::handoff::{self, Handoff, HandoffPatch, HandoffStatus, NewHandoff};
use shared::notification::NotificationKind;
use shared::page::Page;
use utoipa::IntoParams;

use super::{HandoffRow, load, to_dto, to_dtos};
use crate::auth::Actor;
use crate::config::Config;
use crate::db::schema::{
    handoff_tickets as ht, handoffs as h, organizations as o, projects as p, tickets as t,
};
use crate::db::{DbConn, new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::notify::{Notice, notify};
use crate::policy::{self, OrgScope};
use crate::resources::ok_with_etag;
use crate::resources::tickets::org_facts;
use crate::resources::users;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub organization_id: Option<String>,
    /// Handoffs about this ticket (raised by it or joined by it as a repeat).
    pub ticket_id: Option<String>,
    pub project_id: Option<String>,
    /// A user id, or `me`.
    pub owner: Option<String>,
    pub status: Option<HandoffStatus>,
    /// `true`: only open and in-progress ones.
    pub open: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/v1/handoffs", operation_id = "listHandoffs", tag = "handoffs",
    summary = "List handoffs",
    description = "Vendor staff (client users get 403: handoffs are internal). Newest first, within the organisations you can see (a CSM: their clients). Filters combine; `owner=me` lists your own work, `open=true` leaves out done and cancelled ones.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of handoffs", body = Page<Handoff>),
        (status = 403, description = "Client users do not see handoffs", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad limit or cursor", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/handoffs")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    policy::list_handoffs(&actor)?;
    let page = PageRequest::from_query(&shared::page::PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    })?;
    let query = query.into_inner();
    let result = state
        .db
        .run(move |conn| {
            let mut q = h::table
                .select(HandoffRow::as_select())
                .order(h::id.desc())
                .limit(page.fetch_limit())
                .into_boxed();
            match policy::org_scope(&actor) {
                OrgScope::All => {}
                OrgScope::Assigned { csm_id, vendor_id } => {
                    q = q.filter(
                        h::organization_id
                            .eq_any(o::table.filter(o::csm_id.eq(csm_id)).select(o::id))
                            .or(h::organization_id.eq(vendor_id)),
                    );
                }
                OrgScope::Own(org) => q = q.filter(h::organization_id.eq(org)),
            }
            if let Some(org) = query.organization_id {
                q = q.filter(h::organization_id.eq(org));
            }
            if let Some(ticket) = query.ticket_id {
                q = q.filter(
                    h::id.eq_any(
                        ht::table
                            .filter(ht::ticket_id.eq(ticket))
                            .select(ht::handoff_id),
                    ),
                );
            }
            if let Some(project) = query.project_id {
                q = q.filter(h::project_id.eq(project));
            }
            if let Some(owner) = query.owner {
                let owner = if owner == "me" {
                    actor.user_id.clone()
                } else {
                    owner
                };
                q = q.filter(h::owner_id.eq(owner));
            }
            if let Some(status) = query.status {
                q = q.filter(h::status.eq(status.as_str()));
            }
            if query.open == Some(true) {
                q = q.filter(h::status.eq_any([
                    HandoffStatus::Open.as_str(),
                    HandoffStatus::InProgress.as_str(),
                ]));
            }
            if let Some(after) = &page.after {
                q = q.filter(h::id.lt(after.clone()));
            }
            let rows: Vec<HandoffRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The owner must be an active vendor staff member.
fn check_owner(conn: &mut DbConn, owner_id: &str) -> ApiResult<()> {
    let ok = users::find(conn, owner_id)?.is_some_and(|u| u.active && u.role().is_staff());
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "owner_id",
            "staff",
            "must be an active vendor staff member",
        ))
    }
}

fn tell_owner(
    conn: &mut DbConn,
    config: &Config,
    row: &HandoffRow,
    org_name: &str,
    actor_id: &str,
) -> ApiResult<()> {
    notify(
        conn,
        config,
        std::slice::from_ref(&row.owner_id),
        &Notice {
            kind: NotificationKind::Handoff,
            title: format!("Handoff for you: {} at {org_name}", row.title),
            body: row.summary.clone(),
            project_id: row.project_id.clone(),
            link: Some(format!("/handoffs/{}", row.id)),
            actor_id: Some(actor_id.to_string()),
        },
    )?;
    Ok(())
}

#[utoipa::path(
    post, path = "/api/v1/handoffs", operation_id = "createHandoff", tag = "handoffs",
    summary = "Hand work over to someone",
    description = "Vendor staff who can see the organisation (e.g. a CSM passing an upsell to an account manager, sales passing onboarding context to the CSM). The owner must be active vendor staff; a project or ticket named must belong to the organisation. The owner is notified. Starts `open`. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewHandoff,
    responses(
        (status = 201, description = "Raised", body = Handoff, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Client users do not raise handoffs", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation (or not yours to see)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/handoffs")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewHandoff>,
) -> ApiResult<HttpResponse> {
    policy::list_handoffs(&actor)?;
    let input = body.into_inner();
    handoff::validate_new(&input).map_err(ApiError::validation)?;
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &input, |conn| {
                let org = crate::resources::organizations::find(conn, &input.organization_id)?
                    .ok_or_else(|| ApiError::not_found("organization"))?;
                policy::create_handoff(&actor, org_facts(&org))?;
                check_owner(conn, &input.owner_id)?;
                if let Some(project) = &input.project_id {
                    let n: i64 = p::table
                        .filter(p::id.eq(project))
                        .filter(p::organization_id.eq(&org.id))
                        .count()
                        .get_result(conn)?;
                    if n == 0 {
                        return Err(ApiError::field(
                            "project_id",
                            "exists",
                            "is not a project of this organisation",
                        ));
                    }
                }
                if let Some(ticket) = &input.ticket_id {
                    let n: i64 = t::table
                        .filter(t::id.eq(ticket))
                        .filter(t::organization_id.eq(&org.id))
                        .count()
                        .get_result(conn)?;
                    if n == 0 {
                        return Err(ApiError::field(
                            "ticket_id",
                            "exists",
                            "is not a ticket of this organisation",
                        ));
                    }
                }
                let at = now();
                let row = HandoffRow {
                    id: new_id(),
                    kind: input.kind.as_str().into(),
                    organization_id: org.id.clone(),
                    project_id: input.project_id.clone(),
                    ticket_id: input.ticket_id.clone(),
                    product_id: None,
                    cluster: None,
                    owner_id: input.owner_id.clone(),
                    created_by: Some(actor.user_id.clone()),
                    title: input.title.trim().to_string(),
                    summary: input.summary.trim().to_string(),
                    status: HandoffStatus::Open.as_str().into(),
                    due_on: input.due_on,
                    created_at: at,
                    updated_at: at,
                    version: 1,
                };
                diesel::insert_into(h::table)
                    .values((
                        h::id.eq(&row.id),
                        h::kind.eq(&row.kind),
                        h::organization_id.eq(&row.organization_id),
                        h::project_id.eq(&row.project_id),
                        h::ticket_id.eq(&row.ticket_id),
                        h::product_id.eq(&row.product_id),
                        h::cluster.eq(&row.cluster),
                        h::owner_id.eq(&row.owner_id),
                        h::created_by.eq(&row.created_by),
                        h::title.eq(&row.title),
                        h::summary.eq(&row.summary),
                        h::status.eq(&row.status),
                        h::due_on.eq(row.due_on),
                        h::created_at.eq(at),
                        h::updated_at.eq(at),
                        h::version.eq(1),
                    ))
                    .execute(conn)?;
                if let Some(ticket) = &row.ticket_id {
                    diesel::insert_into(ht::table)
                        .values((
                            ht::handoff_id.eq(&row.id),
                            ht::ticket_id.eq(ticket),
                            ht::created_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                tell_owner(conn, &config, &row, &org.name, &actor.user_id)?;
                to_dto(conn, row)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |h| Some(format!("/api/v1/handoffs/{}", h.id)),
        |h| Some(etag(h.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/handoffs/{id}", operation_id = "getHandoff", tag = "handoffs",
    summary = "Get one handoff",
    description = "Vendor staff who can see its organisation; anyone else 404.",
    params(("id" = String, Path, description = "Handoff id")),
    responses(
        (status = 200, description = "The handoff", body = Handoff, headers(("ETag" = String))),
        (status = 404, description = "No such handoff (or not yours to see)", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/handoffs/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let h = state
        .db
        .run(move |conn| {
            let (row, org) = load(conn, &id)?;
            policy::view_handoff(&actor, org_facts(&org))?;
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&h, h.version))
}

#[utoipa::path(
    patch, path = "/api/v1/handoffs/{id}", operation_id = "updateHandoff", tag = "handoffs",
    summary = "Move a handoff on",
    description = "Its owner, whoever raised it, the client's CSM or an administrator: pass it to another owner (who is notified), set the status (`open`, `in_progress`, `done`, `cancelled`), the due date, title or summary. Send `If-Match` with the ETag last read.",
    params(("id" = String, Path, description = "Handoff id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = HandoffPatch,
    responses(
        (status = 200, description = "The handoff as now stored", body = Handoff, headers(("ETag" = String))),
        (status = 403, description = "Not yours to change", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such handoff (or not yours to see)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/handoffs/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<HandoffPatch>,
) -> ApiResult<HttpResponse> {
    let patch = body.into_inner();
    handoff::validate_patch(&patch).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let h = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "handoffs", &id)?;
            let (mut row, org) = load(conn, &id)?;
            policy::edit_handoff(
                &actor,
                org_facts(&org),
                &row.owner_id,
                row.created_by.as_deref(),
            )?;
            if_match.check(row.version)?;
            let new_owner = patch.owner_id.filter(|o| *o != row.owner_id);
            if let Some(owner) = &new_owner {
                check_owner(conn, owner)?;
                row.owner_id = owner.clone();
            }
            if let Some(s) = patch.status {
                row.status = s.as_str().into();
            }
            if let Some(d) = patch.due_on {
                row.due_on = d;
            }
            if let Some(t) = patch.title {
                row.title = t.trim().to_string();
            }
            if let Some(s) = patch.summary {
                row.summary = s.trim().to_string();
            }
            row.updated_at = now();
            row.version += 1;
            diesel::update(h::table.find(&row.id))
                .set((
                    h::owner_id.eq(&row.owner_id),
                    h::status.eq(&row.status),
                    h::due_on.eq(row.due_on),
                    h::title.eq(&row.title),
                    h::summary.eq(&row.summary),
                    h::updated_at.eq(row.updated_at),
                    h::version.eq(row.version),
                ))
                .execute(conn)?;
            if new_owner.is_some() {
                tell_owner(conn, &config, &row, &org.name, &actor.user_id)?;
            }
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&h, h.version))
}
