//! Project templates: categories and items with dates relative to kick-off.

use actix_web::{HttpResponse, get, post, put, web};
use diesel::prelude::*;
use shared::project::{ProjectTemplate, TemplateCategory, TemplateInput, builtin_ecommerce};

use crate::auth::Actor;
use crate::db::schema::project_templates as t;
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
    Option<String>,
    String,
    bool,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    i32,
);

fn to_dto(r: Row) -> ApiResult<ProjectTemplate> {
    let categories: Vec<TemplateCategory> = serde_json::from_str(&r.3)
        .map_err(|e| ApiError::internal(format!("template {} is unreadable: {e}", r.0)))?;
    Ok(ProjectTemplate {
        id: r.0,
        name: r.1,
        description: r.2,
        categories,
        builtin: r.4,
        updated_at: to_utc(r.6),
        version: r.7,
    })
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<ProjectTemplate>> {
    t::table
        .find(id)
        .select(t::all_columns)
        .first::<Row>(conn)
        .optional()?
        .map(to_dto)
        .transpose()
}

/// Puts the built-in template in place when no built-in one exists (first start). Several
/// processes may start at once: the name is unique, and a lost race changes nothing.
pub fn ensure_builtin(conn: &mut DbConn) -> ApiResult<()> {
    let exists: Option<String> = t::table
        .filter(t::builtin.eq(true))
        .select(t::id)
        .first(conn)
        .optional()?;
    if exists.is_none() {
        let _ = insert(conn, &builtin_ecommerce(), true);
    }
    Ok(())
}

fn insert(conn: &mut DbConn, input: &TemplateInput, builtin: bool) -> ApiResult<String> {
    let id = new_id();
    let at = now();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(&id),
            t::name.eq(input.name.trim()),
            t::description.eq(&input.description),
            t::body.eq(serde_json::to_string(&input.categories)?),
            t::builtin.eq(builtin),
            t::created_at.eq(at),
            t::updated_at.eq(at),
            t::version.eq(1),
        ))
        .execute(conn)?;
    Ok(id)
}

fn name_taken(conn: &mut DbConn, name: &str, except: Option<&str>) -> ApiResult<()> {
    let other: Option<String> = t::table
        .filter(t::name.eq(name.trim()))
        .filter(t::id.ne(except.unwrap_or("")))
        .select(t::id)
        .first(conn)
        .optional()?;
    match other {
        Some(_) => Err(ApiError::field(
            "name",
            "unique",
            "another template has this name",
        )),
        None => Ok(()),
    }
}

#[utoipa::path(
    get, path = "/api/v1/project-templates", operation_id = "listProjectTemplates", tag = "projects",
    summary = "List project templates",
    description = "Vendor staff. Templates are few, so the list is not paged; the built-in \"Onboarding — e-commerce\" comes first.",
    responses(
        (status = 200, description = "Every template", body = Vec<ProjectTemplate>),
        (status = 403, description = "Client users do not see templates", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/project-templates")]
pub async fn list(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_templates(&actor)?;
    let items = state
        .db
        .run(|conn| {
            t::table
                .order((t::builtin.desc(), t::name.asc()))
                .select(t::all_columns)
                .load::<Row>(conn)?
                .into_iter()
                .map(to_dto)
                .collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

#[utoipa::path(
    post, path = "/api/v1/project-templates", operation_id = "createProjectTemplate", tag = "projects",
    summary = "Create a project template",
    description = "CSMs and administrators. The first category must be \"Kick-off\".",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = TemplateInput,
    responses(
        (status = 201, description = "Created", body = ProjectTemplate, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not a CSM or administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/project-templates")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<TemplateInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_templates(&actor)?;
    let input = body.into_inner();
    shared::validate::template(&input).map_err(ApiError::validation)?;
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &input, |conn| {
                name_taken(conn, &input.name, None)?;
                let id = insert(conn, &input, false)?;
                find(conn, &id)?.ok_or_else(|| ApiError::internal("template vanished"))
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |t| Some(format!("/api/v1/project-templates/{}", t.id)),
        |t| Some(etag(t.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/project-templates/{id}", operation_id = "getProjectTemplate", tag = "projects",
    summary = "Get one project template",
    params(("id" = String, Path, description = "Template id")),
    responses(
        (status = 200, description = "The template", body = ProjectTemplate, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see templates", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/project-templates/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::view_templates(&actor)?;
    let id = id.into_inner();
    let tpl = state
        .db
        .run(move |conn| find(conn, &id)?.ok_or_else(|| ApiError::not_found("template")))
        .await?;
    Ok(ok_with_etag(&tpl, tpl.version))
}

#[utoipa::path(
    put, path = "/api/v1/project-templates/{id}", operation_id = "replaceProjectTemplate", tag = "projects",
    summary = "Replace a project template's content",
    description = "CSMs and administrators. Projects already created keep their items; the change applies to new projects. Send `If-Match`.",
    params(("id" = String, Path, description = "Template id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = TemplateInput,
    responses(
        (status = 200, description = "The template as now stored", body = ProjectTemplate, headers(("ETag" = String))),
        (status = 403, description = "Not a CSM or administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/project-templates/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<TemplateInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_templates(&actor)?;
    let input = body.into_inner();
    shared::validate::template(&input).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let tpl = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "project_templates", &id)?;
            let current = find(conn, &id)?.ok_or_else(|| ApiError::not_found("template"))?;
            if_match.check(current.version)?;
            name_taken(conn, &input.name, Some(&id))?;
            diesel::update(t::table.find(&id))
                .set((
                    t::name.eq(input.name.trim()),
                    t::description.eq(&input.description),
                    t::body.eq(serde_json::to_string(&input.categories)?),
                    t::updated_at.eq(now()),
                    t::version.eq(current.version + 1),
                ))
                .execute(conn)?;
            find(conn, &id)?.ok_or_else(|| ApiError::internal("template vanished"))
        })
        .await?;
    Ok(ok_with_etag(&tpl, tpl.version))
}
