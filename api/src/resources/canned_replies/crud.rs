//! Listing, adding, reading, changing and deleting canned replies. A reply that an automation
//! rule answers with cannot be deleted (409 naming the rules): the rule would go silent.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::desk::canned::{CannedReply, CannedReplyInput, CannedReplyPatch};
use shared::page::{Page, PageQuery};
use utoipa::IntoParams;

use super::{Row, find, to_dtos, validate};
use crate::auth::Actor;
use crate::db::schema::canned_replies as cr;
use crate::db::{new_id, now};
use crate::desk::automate;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::policy;
use crate::resources::{like_pattern, lower, ok_with_etag};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// The replies this department may use: its own and those for every department.
    pub department_id: Option<String>,
    /// Words in the title or the text (case-insensitive).
    pub q: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/canned-replies", operation_id = "listCannedReplies", tag = "desk",
    summary = "List canned replies",
    description = "Vendor staff. Oldest first. `department_id` narrows the list to what that department may use (its own replies and those for every department); `q` searches titles and texts.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of canned replies", body = Page<CannedReply>),
        (status = 403, description = "Client users do not see canned replies", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/canned-replies")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    policy::view_canned_replies(&actor)?;
    let query = query.into_inner();
    let page = PageRequest::from_query(&PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    })?;
    let result = state
        .db
        .run(move |conn| {
            let mut q = cr::table
                .select(cr::all_columns)
                .order(cr::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(dept) = &query.department_id {
                q = q.filter(
                    cr::department_id
                        .eq(dept.clone())
                        .or(cr::department_id.is_null()),
                );
            }
            if let Some(text) = query.q.as_deref().filter(|t| !t.trim().is_empty()) {
                let pattern = like_pattern(text);
                q = q.filter(
                    lower(cr::title)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(cr::body).like(pattern).escape('\\')),
                );
            }
            if let Some(after) = &page.after {
                q = q.filter(cr::id.gt(after.clone()));
            }
            let rows: Vec<Row> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/canned-replies", operation_id = "createCannedReply", tag = "desk",
    summary = "Add a canned reply",
    description = "Support agents and administrators. Title (at most 200) and text (at most 10,000) are required; the text may use the placeholders `{{client_name}}`, `{{requester_name}}`, `{{ticket_number}}`, `{{ticket_subject}}`, `{{agent_name}}` and `{{csm_name}}` — any other is refused (422, rule `unknown_placeholder`, naming it). Without `department_id` every department may use it. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = CannedReplyInput,
    responses(
        (status = 201, description = "Added", body = CannedReply, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Neither a support agent nor an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/canned-replies")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<CannedReplyInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_canned_replies(&actor)?;
    let input = body.into_inner();
    let created = state
        .db
        .tx(move |conn| {
            let dept = input.department_id.as_deref();
            validate(conn, &input.title, &input.body, dept)?;
            create_once(conn, &actor.user_id, &key, &input, |conn| {
                let id = new_id();
                let at = now();
                diesel::insert_into(cr::table)
                    .values((
                        cr::id.eq(&id),
                        cr::department_id.eq(&input.department_id),
                        cr::title.eq(input.title.trim()),
                        cr::body.eq(input.body.trim()),
                        cr::created_by.eq(&actor.user_id),
                        cr::created_at.eq(at),
                        cr::updated_at.eq(at),
                        cr::version.eq(1),
                    ))
                    .execute(conn)?;
                find(conn, &id)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |c| Some(format!("/api/v1/canned-replies/{}", c.id)),
        |c| Some(etag(c.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/canned-replies/{id}", operation_id = "getCannedReply", tag = "desk",
    summary = "Get one canned reply",
    description = "Vendor staff. The text as written, placeholders and all.",
    params(("id" = String, Path, description = "Canned reply id")),
    responses(
        (status = 200, description = "The canned reply", body = CannedReply, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see canned replies", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/canned-replies/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::view_canned_replies(&actor)?;
    let id = id.into_inner();
    let reply = state.db.run(move |conn| find(conn, &id)).await?;
    Ok(ok_with_etag(&reply, reply.version))
}

#[utoipa::path(
    patch, path = "/api/v1/canned-replies/{id}", operation_id = "updateCannedReply", tag = "desk",
    summary = "Change a canned reply",
    description = "Support agents and administrators. Absent fields stay as they are; `department_id: null` makes it available to every department. The same checks as when adding. Send `If-Match` with the ETag last read.",
    params(("id" = String, Path, description = "Canned reply id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CannedReplyPatch,
    responses(
        (status = 200, description = "The canned reply as now stored", body = CannedReply, headers(("ETag" = String))),
        (status = 403, description = "Neither a support agent nor an administrator", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/canned-replies/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<CannedReplyPatch>,
) -> ApiResult<HttpResponse> {
    policy::manage_canned_replies(&actor)?;
    let patch = body.into_inner();
    let id = id.into_inner();
    let reply = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "canned_replies", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            let title = patch.title.unwrap_or(current.title);
            let text = patch.body.unwrap_or(current.body);
            let dept = patch.department_id.unwrap_or(current.department_id);
            validate(conn, &title, &text, dept.as_deref())?;
            diesel::update(cr::table.find(&id))
                .set((
                    cr::title.eq(title.trim()),
                    cr::body.eq(text.trim()),
                    cr::department_id.eq(&dept),
                    cr::updated_at.eq(now()),
                    cr::version.eq(current.version + 1),
                ))
                .execute(conn)?;
            find(conn, &id)
        })
        .await?;
    Ok(ok_with_etag(&reply, reply.version))
}

#[utoipa::path(
    delete, path = "/api/v1/canned-replies/{id}", operation_id = "deleteCannedReply", tag = "desk",
    summary = "Delete a canned reply",
    description = "Support agents and administrators. Refused with 409 `conflict` while an automation rule answers with it: change or delete those rules first. `If-Match` is honoured when sent.",
    params(("id" = String, Path, description = "Canned reply id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Neither a support agent nor an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An automation rule answers with it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/canned-replies/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    policy::manage_canned_replies(&actor)?;
    let id = id.into_inner();
    state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "canned_replies", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            let users: Vec<String> = automate::rules(conn)?
                .into_iter()
                .filter(|r| automate::answers_with(r, &id))
                .map(|r| format!("'{}'", r.name))
                .collect();
            if !users.is_empty() {
                return Err(ApiError::conflict(format!(
                    "the automation rules {} answer with this reply; change or delete them first",
                    users.join(", ")
                )));
            }
            diesel::delete(cr::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
