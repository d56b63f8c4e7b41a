//! Business-hours calendars: weekly opening hours in a time zone, with holidays. SLA policies
//! count their targets in one. A calendar that a policy uses cannot be deleted (409
//! `conflict`): the policy's deadlines would silently become around-the-clock ones.

use std::collections::HashMap;
use std::str::FromStr;

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::FieldError;
use shared::desk::config::{self, CalendarInput, CalendarRecord};

use crate::auth::Actor;
use crate::db::schema::{business_calendars as bc, sla_policies as sp};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::policy;
use crate::resources::ok_with_etag;
use crate::state::AppState;

type Row = (
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

fn load_rows(conn: &mut DbConn, id: Option<&str>) -> ApiResult<Vec<Row>> {
    let mut q = bc::table
        .select((
            bc::id,
            bc::name,
            bc::time_zone,
            bc::week,
            bc::holidays,
            bc::created_at,
            bc::updated_at,
            bc::version,
        ))
        .order(bc::name.asc())
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(bc::id.eq(id.to_string()));
    }
    Ok(q.load(conn)?)
}

fn to_dtos(conn: &mut DbConn, rows: Vec<Row>) -> ApiResult<Vec<CalendarRecord>> {
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let counts: HashMap<String, i64> = sp::table
        .filter(sp::calendar_id.eq_any(ids))
        .group_by(sp::calendar_id)
        .select((sp::calendar_id.assume_not_null(), diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(
            |(id, name, time_zone, week, holidays, created_at, updated_at, version)| {
                Ok(CalendarRecord {
                    policy_count: counts.get(&id).copied().unwrap_or(0),
                    week: serde_json::from_str(&week)?,
                    holidays: serde_json::from_str(&holidays)?,
                    id,
                    name,
                    time_zone,
                    created_at: to_utc(created_at),
                    updated_at: to_utc(updated_at),
                    version,
                })
            },
        )
        .collect()
}

/// The calendar, or 404.
pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<CalendarRecord> {
    let rows = load_rows(conn, Some(id))?;
    to_dtos(conn, rows)?
        .pop()
        .ok_or_else(|| ApiError::not_found("business calendar"))
}

/// The shared rules plus the time zone, which only the API can look up.
fn validate(input: &CalendarInput) -> ApiResult<()> {
    let mut errors = config::validate_calendar_input(input);
    let tz = input.time_zone.trim();
    if !tz.is_empty()
        && !errors.iter().any(|e| e.field == "time_zone")
        && chrono_tz::Tz::from_str(tz).is_err()
    {
        errors.push(FieldError::new(
            "time_zone",
            "time_zone",
            "is not a known IANA time zone name, such as Europe/Rome",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

fn name_free(conn: &mut DbConn, name: &str, except: Option<&str>) -> ApiResult<()> {
    let mut q = bc::table.filter(bc::name.eq(name.to_string())).into_boxed();
    if let Some(id) = except {
        q = q.filter(bc::id.ne(id.to_string()));
    }
    let taken: i64 = q.count().get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::field(
            "name",
            "unique",
            "another business calendar has this name",
        ));
    }
    Ok(())
}

#[utoipa::path(
    get, path = "/api/v1/business-calendars", operation_id = "listBusinessCalendars", tag = "desk",
    summary = "List business calendars",
    description = "Vendor staff. Every calendar, by name, with how many SLA policies use it. A short list, so it is not paged.",
    responses(
        (status = 200, description = "The calendars", body = Vec<CalendarRecord>),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/business-calendars")]
pub async fn list(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let all = state
        .db
        .run(|conn| {
            let rows = load_rows(conn, None)?;
            to_dtos(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(all))
}

#[utoipa::path(
    post, path = "/api/v1/business-calendars", operation_id = "createBusinessCalendar", tag = "desk",
    summary = "Add a business calendar",
    description = "Administrators. Weekly opening hours in local time (intervals of a day must not overlap; `end` after `start`, `null` meaning midnight), an IANA `time_zone` and holidays. The name is unique. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = CalendarInput,
    responses(
        (status = 201, description = "Added", body = CalendarRecord, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/business-calendars")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<CalendarInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let input = body.into_inner();
    validate(&input)?;
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &input, |conn| {
                let name = input.name.trim().to_string();
                name_free(conn, &name, None)?;
                let id = new_id();
                let at = now();
                diesel::insert_into(bc::table)
                    .values((
                        bc::id.eq(&id),
                        bc::name.eq(&name),
                        bc::time_zone.eq(input.time_zone.trim()),
                        bc::week.eq(serde_json::to_string(&input.week)?),
                        bc::holidays.eq(serde_json::to_string(&input.holidays)?),
                        bc::created_at.eq(at),
                        bc::updated_at.eq(at),
                        bc::version.eq(1),
                    ))
                    .execute(conn)?;
                find(conn, &id)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |c| Some(format!("/api/v1/business-calendars/{}", c.id)),
        |c| Some(etag(c.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/business-calendars/{id}", operation_id = "getBusinessCalendar", tag = "desk",
    summary = "Get one business calendar",
    description = "Vendor staff.",
    params(("id" = String, Path, description = "Calendar id")),
    responses(
        (status = 200, description = "The calendar", body = CalendarRecord, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/business-calendars/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let id = id.into_inner();
    let cal = state.db.run(move |conn| find(conn, &id)).await?;
    Ok(ok_with_etag(&cal, cal.version))
}

#[utoipa::path(
    put, path = "/api/v1/business-calendars/{id}", operation_id = "replaceBusinessCalendar", tag = "desk",
    summary = "Replace a business calendar",
    description = "Administrators. Replaces name, time zone, hours and holidays. Tickets already open keep the due times computed when they were opened; new tickets (and clocks resumed after a pause) use the new hours. Send `If-Match`.",
    params(("id" = String, Path, description = "Calendar id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CalendarInput,
    responses(
        (status = 200, description = "The calendar as now stored", body = CalendarRecord, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/business-calendars/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<CalendarInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let input = body.into_inner();
    validate(&input)?;
    let id = id.into_inner();
    let cal = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "business_calendars", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            let name = input.name.trim().to_string();
            name_free(conn, &name, Some(&id))?;
            diesel::update(bc::table.find(&id))
                .set((
                    bc::name.eq(&name),
                    bc::time_zone.eq(input.time_zone.trim()),
                    bc::week.eq(serde_json::to_string(&input.week)?),
                    bc::holidays.eq(serde_json::to_string(&input.holidays)?),
                    bc::updated_at.eq(now()),
                    bc::version.eq(current.version + 1),
                ))
                .execute(conn)?;
            find(conn, &id)
        })
        .await?;
    Ok(ok_with_etag(&cal, cal.version))
}

#[utoipa::path(
    delete, path = "/api/v1/business-calendars/{id}", operation_id = "deleteBusinessCalendar", tag = "desk",
    summary = "Delete a business calendar",
    description = "Administrators. Refused with 409 `conflict` while an SLA policy uses the calendar: change or delete those policies first. `If-Match` is honoured when sent.",
    params(("id" = String, Path, description = "Calendar id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An SLA policy still uses the calendar", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/business-calendars/{id}")]
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
            crate::db::lock_row(conn, "business_calendars", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            if current.policy_count > 0 {
                let names: Vec<String> = sp::table
                    .filter(sp::calendar_id.eq(&id))
                    .order(sp::name.asc())
                    .select(sp::name)
                    .load(conn)?;
                return Err(ApiError::conflict(format!(
                    "the calendar is used by the SLA policies {}; change or delete them first",
                    names.join(", ")
                )));
            }
            diesel::delete(bc::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
