//! SLA policies: first-response and resolution targets by priority and plan, counted in a
//! business calendar, and what a breach sets off. A new ticket takes the most specific policy
//! that fits it (`desk::clock::policy_for`); without one, the default (first response within
//! 24 hours). Deleting a policy leaves the tickets that had it with their due times; clocks
//! resumed after a pause then count around the clock.

use std::collections::HashMap;

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::desk::Priority;
use shared::desk::config::{self, SlaPolicyInput, SlaPolicyRecord};
use shared::desk::sla::BreachActions;

use crate::auth::Actor;
use crate::db::schema::{business_calendars as bc, sla_policies as sp, tickets as t};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::policy;
use crate::resources::ok_with_etag;
use crate::state::AppState;

#[derive(Queryable)]
struct Row {
    id: String,
    name: String,
    priority: Option<String>,
    plan: Option<String>,
    first_response_minutes: i32,
    resolution_minutes: Option<i32>,
    calendar_id: Option<String>,
    notify_on_breach: bool,
    raise_priority_on_breach: bool,
    reassign_on_breach: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

fn load(conn: &mut DbConn, id: Option<&str>) -> ApiResult<Vec<SlaPolicyRecord>> {
    let mut q = sp::table
        .select((
            sp::id,
            sp::name,
            sp::priority,
            sp::plan,
            sp::first_response_minutes,
            sp::resolution_minutes,
            sp::calendar_id,
            sp::notify_on_breach,
            sp::raise_priority_on_breach,
            sp::reassign_on_breach,
            sp::created_at,
            sp::updated_at,
            sp::version,
        ))
        .order(sp::name.asc())
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(sp::id.eq(id.to_string()));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let calendar_ids: Vec<&String> = rows.iter().filter_map(|r| r.calendar_id.as_ref()).collect();
    let calendars: HashMap<String, String> = bc::table
        .filter(bc::id.eq_any(calendar_ids))
        .select((bc::id, bc::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| SlaPolicyRecord {
            calendar_name: r
                .calendar_id
                .as_ref()
                .and_then(|id| calendars.get(id).cloned()),
            id: r.id,
            name: r.name,
            priority: r.priority.as_deref().and_then(Priority::parse),
            plan: r.plan,
            first_response_minutes: i64::from(r.first_response_minutes),
            resolution_minutes: r.resolution_minutes.map(i64::from),
            calendar_id: r.calendar_id,
            on_breach: BreachActions {
                notify: r.notify_on_breach,
                raise_priority: r.raise_priority_on_breach,
                reassign: r.reassign_on_breach,
            },
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            version: r.version,
        })
        .collect())
}

/// The policy, or 404.
pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<SlaPolicyRecord> {
    load(conn, Some(id))?
        .pop()
        .ok_or_else(|| ApiError::not_found("SLA policy"))
}

/// What the database checks: a unique name and a calendar that exists.
fn check_refs(conn: &mut DbConn, input: &SlaPolicyInput, except: Option<&str>) -> ApiResult<()> {
    let mut q = sp::table
        .filter(sp::name.eq(input.name.trim().to_string()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(sp::id.ne(id.to_string()));
    }
    let taken: i64 = q.count().get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::field(
            "name",
            "unique",
            "another SLA policy has this name",
        ));
    }
    if let Some(id) = &input.calendar_id {
        let found: i64 = bc::table.find(id).count().get_result(conn)?;
        if found == 0 {
            return Err(ApiError::field(
                "calendar_id",
                "exists",
                "is not a business calendar of this desk",
            ));
        }
    }
    Ok(())
}

/// Minutes fit the column once validated (at most a year of them).
fn minutes(m: i64) -> ApiResult<i32> {
    i32::try_from(m).map_err(|_| ApiError::internal("minutes out of range after validation"))
}

fn validate(input: &SlaPolicyInput) -> ApiResult<()> {
    let errors = config::validate_policy_input(input);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

#[utoipa::path(
    get, path = "/api/v1/sla-policies", operation_id = "listSlaPolicies", tag = "desk",
    summary = "List SLA policies",
    description = "Vendor staff. Every policy, by name. A new ticket takes the most specific one that fits its priority and its organisation's plan (priority and plan, then priority, then plan, then neither); with none, first response is due within 24 hours around the clock. A short list, so it is not paged.",
    responses(
        (status = 200, description = "The policies", body = Vec<SlaPolicyRecord>),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/sla-policies")]
pub async fn list(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let all = state.db.run(|conn| load(conn, None)).await?;
    Ok(HttpResponse::Ok().json(all))
}

#[utoipa::path(
    post, path = "/api/v1/sla-policies", operation_id = "createSlaPolicy", tag = "desk",
    summary = "Add an SLA policy",
    description = "Administrators. `priority` and `plan` left out mean any; targets are business minutes (1 to 525,600), the resolution target at least the first-response one; `calendar_id` must name a business calendar (left out: around the clock). Applies to tickets opened from now on. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = SlaPolicyInput,
    responses(
        (status = 201, description = "Added", body = SlaPolicyRecord, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/sla-policies")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<SlaPolicyInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let input = body.into_inner();
    validate(&input)?;
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &input, |conn| {
                check_refs(conn, &input, None)?;
                let id = new_id();
                let at = now();
                diesel::insert_into(sp::table)
                    .values((
                        sp::id.eq(&id),
                        sp::name.eq(input.name.trim()),
                        sp::priority.eq(input.priority.map(Priority::as_str)),
                        sp::plan.eq(input.plan_name()),
                        sp::first_response_minutes.eq(minutes(input.first_response_minutes)?),
                        sp::resolution_minutes
                            .eq(input.resolution_minutes.map(minutes).transpose()?),
                        sp::calendar_id.eq(&input.calendar_id),
                        sp::notify_on_breach.eq(input.on_breach.notify),
                        sp::raise_priority_on_breach.eq(input.on_breach.raise_priority),
                        sp::reassign_on_breach.eq(input.on_breach.reassign),
                        sp::created_at.eq(at),
                        sp::updated_at.eq(at),
                        sp::version.eq(1),
                    ))
                    .execute(conn)?;
                find(conn, &id)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |p| Some(format!("/api/v1/sla-policies/{}", p.id)),
        |p| Some(etag(p.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/sla-policies/{id}", operation_id = "getSlaPolicy", tag = "desk",
    summary = "Get one SLA policy",
    description = "Vendor staff.",
    params(("id" = String, Path, description = "Policy id")),
    responses(
        (status = 200, description = "The policy", body = SlaPolicyRecord, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/sla-policies/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let id = id.into_inner();
    let p = state.db.run(move |conn| find(conn, &id)).await?;
    Ok(ok_with_etag(&p, p.version))
}

#[utoipa::path(
    put, path = "/api/v1/sla-policies/{id}", operation_id = "replaceSlaPolicy", tag = "desk",
    summary = "Replace an SLA policy",
    description = "Administrators. The same rules as `createSlaPolicy`. Tickets already open keep their due times; new tickets use the new targets. Send `If-Match`.",
    params(("id" = String, Path, description = "Policy id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = SlaPolicyInput,
    responses(
        (status = 200, description = "The policy as now stored", body = SlaPolicyRecord, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/sla-policies/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<SlaPolicyInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let input = body.into_inner();
    validate(&input)?;
    let id = id.into_inner();
    let p = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "sla_policies", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            check_refs(conn, &input, Some(&id))?;
            diesel::update(sp::table.find(&id))
                .set((
                    sp::name.eq(input.name.trim()),
                    sp::priority.eq(input.priority.map(Priority::as_str)),
                    sp::plan.eq(input.plan_name()),
                    sp::first_response_minutes.eq(minutes(input.first_response_minutes)?),
                    sp::resolution_minutes.eq(input.resolution_minutes.map(minutes).transpose()?),
                    sp::calendar_id.eq(&input.calendar_id),
                    sp::notify_on_breach.eq(input.on_breach.notify),
                    sp::raise_priority_on_breach.eq(input.on_breach.raise_priority),
                    sp::reassign_on_breach.eq(input.on_breach.reassign),
                    sp::updated_at.eq(now()),
                    sp::version.eq(current.version + 1),
                ))
                .execute(conn)?;
            find(conn, &id)
        })
        .await?;
    Ok(ok_with_etag(&p, p.version))
}

#[utoipa::path(
    delete, path = "/api/v1/sla-policies/{id}", operation_id = "deleteSlaPolicy", tag = "desk",
    summary = "Delete an SLA policy",
    description = "Administrators. Refused (409) while active tickets run on the policy; resolved and closed tickets keep their due times. New tickets fall to the next most specific policy, or the default. `If-Match` is honoured when sent.",
    params(("id" = String, Path, description = "Policy id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Active tickets run on this policy", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/sla-policies/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let id = id.into_inner();
    state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "sla_policies", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            // An active ticket shows its policy's name and is escalated by its rules: the
            // policy stays while any such ticket runs on it.
            let active: i64 = crate::on_driver!(conn, |c| t::table
                .filter(t::sla_policy_id.eq(&id))
                .filter(t::active.eq(true))
                .count()
                .get_result(c))?;
            if active > 0 {
                let (tickets, run, they) = if active == 1 {
                    ("ticket", "runs", "it is")
                } else {
                    ("tickets", "run", "they are")
                };
                return Err(ApiError::conflict(format!(
                    "{active} active {tickets} {run} on this policy; it can be deleted once {they} resolved or closed"
                )));
            }
            diesel::delete(sp::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
