//! The priority rules: which plans count as premium and from which yearly spend a client is a
//! high spender. New tickets are prioritised with the saved rules (`desk::settings`); tickets
//! already open keep their priority.

use actix_web::{HttpResponse, get, put, web};
use shared::desk::priority::{self, PriorityRules};

use super::{check_content, content_etag};
use crate::auth::Actor;
use crate::desk::settings;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::policy;
use crate::state::AppState;

fn ok(rules: &PriorityRules) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", content_etag(rules)))
        .json(rules)
}

#[utoipa::path(
    get, path = "/api/v1/desk/priority-rules", operation_id = "getPriorityRules", tag = "desk",
    summary = "Get the priority rules",
    description = "Vendor staff. A ticket goes up a step for a client on a premium plan or with a yearly spend from `high_spend_from`; until an administrator saves rules, premium is `business` and the mark 40,000.",
    responses(
        (status = 200, description = "The rules in force", body = PriorityRules, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/desk/priority-rules")]
pub async fn show(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let rules = state.db.run(settings::priority_rules).await?;
    Ok(ok(&rules))
}

#[utoipa::path(
    put, path = "/api/v1/desk/priority-rules", operation_id = "replacePriorityRules", tag = "desk",
    summary = "Replace the priority rules",
    description = "Administrators. Plan names are short and non-empty (at most 50), the spend mark at least 1. Applies to tickets opened from now on. Send `If-Match` with the ETag last read.",
    params(("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = PriorityRules,
    responses(
        (status = 200, description = "The rules as now stored", body = PriorityRules, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read them", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/desk/priority-rules")]
pub async fn replace(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: IfMatch,
    body: web::Json<PriorityRules>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let mut rules = body.into_inner();
    let errors = priority::validate_rules(&rules);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    for plan in &mut rules.premium_plans {
        *plan = plan.trim().to_string();
    }
    let saved = state
        .db
        .tx(move |conn| {
            crate::db::lock_key(conn, "desk/priority-rules")?;
            let current = settings::priority_rules(conn)?;
            check_content(&if_match, &content_etag(&current))?;
            settings::save_priority_rules(conn, &rules)?;
            Ok(rules)
        })
        .await?;
    Ok(ok(&saved))
}
