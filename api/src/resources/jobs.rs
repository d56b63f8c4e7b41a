//! Background jobs as admins see them: failed ones to inspect and retry.

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::jobs::Job;
use shared::page::{Page, PageQuery};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::jobs as j;
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::PageRequest;
use crate::jobs::{self, JobRow};
use crate::policy;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `queued`, `running`, `done` or `failed`.
    pub status: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/jobs", operation_id = "listJobs", tag = "admin",
    summary = "List background jobs", description = "Admins only. Filter by `status=failed` to see what gave up.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of jobs", body = Page<Job>),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/admin/jobs")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    policy::manage_jobs(&actor)?;
    let query = query.into_inner();
    let page = PageRequest::from_query(&PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    })?;
    if let Some(s) = &query.status
        && ![jobs::QUEUED, jobs::RUNNING, jobs::DONE, jobs::FAILED].contains(&s.as_str())
    {
        return Err(ApiError::field(
            "status",
            "one_of",
            "must be queued, running, done or failed",
        ));
    }
    let result = state
        .db
        .run(move |conn| {
            let mut q = j::table
                .select(j::all_columns)
                .order(j::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                q = q.filter(j::id.gt(after.clone()));
            }
            if let Some(s) = query.status {
                q = q.filter(j::status.eq(s));
            }
            let rows: Vec<JobRow> = q.load(conn)?;
            page.page(
                rows,
                |r| &r.id,
                |rows| Ok(rows.into_iter().map(Job::from).collect()),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/admin/jobs/{id}/retry", operation_id = "retryJob", tag = "admin",
    summary = "Retry a failed job", description = "Admins only. The job gets a fresh set of attempts.",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "Queued again", body = Job),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/admin/jobs/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::manage_jobs(&actor)?;
    let id = id.into_inner();
    let job = state.db.tx(move |conn| jobs::retry(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(Job::from(job)))
}
