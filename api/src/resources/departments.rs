//! Departments of the vendor; support agents belong to them (the desk routes by them).

use actix_web::{HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use shared::desk::AssignmentStrategy;
use shared::desk::config::{self, DepartmentPatch};
use shared::identity::{Department, NewDepartment};
use shared::page::{Page, PageQuery};

use crate::auth::Actor;
use crate::db::schema::{department_members as dm, departments as d};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::policy;
use crate::state::AppState;

type Row = (
    String,
    String,
    Option<String>,
    chrono::NaiveDateTime,
    String,
);

const COLUMNS: (
    d::id,
    d::name,
    d::description,
    d::created_at,
    d::assignment_strategy,
) = (
    d::id,
    d::name,
    d::description,
    d::created_at,
    d::assignment_strategy,
);

fn to_dtos(conn: &mut DbConn, rows: Vec<Row>) -> ApiResult<Vec<Department>> {
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let counts: std::collections::HashMap<String, i64> = dm::table
        .filter(dm::department_id.eq_any(ids))
        .group_by(dm::department_id)
        .select((dm::department_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, name, description, created_at, strategy)| Department {
            member_count: counts.get(&id).copied().unwrap_or(0),
            assignment_strategy: AssignmentStrategy::parse(&strategy)
                .unwrap_or(AssignmentStrategy::RoundRobin),
            id,
            name,
            description,
            created_at: to_utc(created_at),
        })
        .collect())
}

/// Creates a department (validated by the caller); shared by the API and the demo loader.
pub fn insert(conn: &mut DbConn, new: &NewDepartment) -> ApiResult<Department> {
    let taken: i64 = d::table
        .filter(d::name.eq(new.name.trim()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::field(
            "name",
            "unique",
            "another department has this name",
        ));
    }
    let id = new_id();
    diesel::insert_into(d::table)
        .values((
            d::id.eq(&id),
            d::name.eq(new.name.trim()),
            d::description.eq(&new.description),
            d::created_at.eq(now()),
        ))
        .execute(conn)?;
    let row: Row = d::table.find(&id).select(COLUMNS).first(conn)?;
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("department vanished"))
}

#[utoipa::path(
    get, path = "/api/v1/departments", operation_id = "listDepartments", tag = "departments",
    summary = "List departments",
    description = "Vendor staff only.",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of departments", body = Page<Department>),
        (status = 403, description = "Client users cannot see departments", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/departments")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    policy::view_departments(&actor)?;
    let page = PageRequest::from_query(&query)?;
    let result = state
        .db
        .run(move |conn| {
            let mut q = d::table
                .select(COLUMNS)
                .order(d::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                q = q.filter(d::id.gt(after.clone()));
            }
            let rows: Vec<Row> = q.load(conn)?;
            page.page(rows, |r| &r.0, |rows| to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/departments", operation_id = "createDepartment", tag = "departments",
    summary = "Create a department",
    description = "Admins only.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewDepartment,
    responses(
        (status = 201, description = "Created", body = Department),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/departments")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewDepartment>,
) -> ApiResult<HttpResponse> {
    policy::manage_departments(&actor)?;
    let new = body.into_inner();
    shared::validate::new_department(&new).map_err(ApiError::validation)?;
    let created = state
        .db
        .tx(move |conn| create_once(conn, &actor.user_id, &key, &new, |conn| insert(conn, &new)))
        .await?;
    Ok(idempotency::respond(created, |_| None, |_| None))
}

#[utoipa::path(
    patch, path = "/api/v1/departments/{id}", operation_id = "updateDepartment", tag = "departments",
    summary = "Change a department",
    description = "Admins only. Name, description (`null` clears it) and how new tickets are spread among the department's online agents: `round_robin` (who was given a ticket longest ago) or `least_loaded` (fewest active tickets); agents at their `ticket_capacity` are skipped either way. Departments carry no version, so the ETag is a digest of the department; `If-Match` with it is honoured.",
    params(("id" = String, Path, description = "Department id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = DepartmentPatch,
    responses(
        (status = 200, description = "The changed department", body = Department, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/departments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<DepartmentPatch>,
) -> ApiResult<HttpResponse> {
    use crate::resources::desk_config::{check_content, content_etag};
    policy::manage_departments(&actor)?;
    let p = body.into_inner();
    let errors = config::validate_department_patch(&p);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let id = id.into_inner();
    let dept = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "departments", &id)?;
            let load = |conn: &mut DbConn| -> ApiResult<Department> {
                let row: Row = d::table
                    .find(&id)
                    .select(COLUMNS)
                    .first(conn)
                    .optional()?
                    .ok_or_else(|| ApiError::not_found("department"))?;
                to_dtos(conn, vec![row])?
                    .pop()
                    .ok_or_else(|| ApiError::not_found("department"))
            };
            let current = load(conn)?;
            check_content(&if_match, &content_etag(&current))?;
            if let Some(name) = &p.name {
                let taken: i64 = d::table
                    .filter(d::name.eq(name.trim()))
                    .filter(d::id.ne(&id))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    return Err(ApiError::field(
                        "name",
                        "unique",
                        "another department has this name",
                    ));
                }
            }
            if p != DepartmentPatch::default() {
                diesel::update(d::table.find(&id))
                    .set((
                        p.name.as_ref().map(|v| d::name.eq(v.trim().to_string())),
                        p.description.clone().map(|v| d::description.eq(v)),
                        p.assignment_strategy
                            .map(|v| d::assignment_strategy.eq(v.as_str())),
                    ))
                    .execute(conn)?;
            }
            load(conn)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", content_etag(&dept)))
        .json(dept))
}
