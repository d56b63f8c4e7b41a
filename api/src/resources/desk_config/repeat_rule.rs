//! The repeated-problem rule: how many tickets about the same product and
//! cluster from one client (or from how many clients) within how many days tell the client's
//! CSM and open a support → CSM handoff. Applies to tickets opened from now on.

use actix_web::{HttpResponse, get, put, web};
use shared::desk::repeats::{self, RepeatRule};

use super::{check_content, content_etag};
use crate::auth::Actor;
use crate::desk::settings;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::policy;
use crate::state::AppState;

fn ok(r: &RepeatRule) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", content_etag(r)))
        .json(r)
}

#[utoipa::path(
    get, path = "/api/v1/desk/repeat-rule", operation_id = "getRepeatRule", tag = "desk",
    summary = "Get the repeated-problem rule",
    description = "Vendor staff. Until an administrator saves one: 3 tickets from one client in 30 days, or 3 organisations in 7 days, about the same product and cluster.",
    responses(
        (status = 200, description = "The rule in force", body = RepeatRule, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/desk/repeat-rule")]
pub async fn show(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let r = state.db.run(settings::repeat_rule).await?;
    Ok(ok(&r))
}

#[utoipa::path(
    put, path = "/api/v1/desk/repeat-rule", operation_id = "replaceRepeatRule", tag = "desk",
    summary = "Replace the repeated-problem rule",
    description = "Administrators. Every number at least 1; look-backs at most 365 days. Send `If-Match` with the ETag last read.",
    params(("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RepeatRule,
    responses(
        (status = 200, description = "The rule as now stored", body = RepeatRule, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/desk/repeat-rule")]
pub async fn replace(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: IfMatch,
    body: web::Json<RepeatRule>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let r = body.into_inner();
    let errors = repeats::validate_rule(&r);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let saved = state
        .db
        .tx(move |conn| {
            crate::db::lock_key(conn, "desk/repeat-rule")?;
            let current = settings::repeat_rule(conn)?;
            check_content(&if_match, &content_etag(&current))?;
            settings::save_repeat_rule(conn, &r)?;
            Ok(r)
        })
        .await?;
    Ok(ok(&saved))
}
