//! The refund policy: the window in days for returns, refunds and
//! cancellations and the role that approves requests inside it. New requests are judged by
//! the saved policy (`desk::settings`); requests already recorded keep the policy they got.

use actix_web::{HttpResponse, get, put, web};
use shared::desk::refund::{self, RefundPolicy};

use super::{check_content, content_etag};
use crate::auth::Actor;
use crate::desk::settings;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::policy;
use crate::state::AppState;

fn ok(p: &RefundPolicy) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", content_etag(p)))
        .json(p)
}

#[utoipa::path(
    get, path = "/api/v1/desk/refund-policy", operation_id = "getRefundPolicy", tag = "desk",
    summary = "Get the refund policy",
    description = "Vendor staff. Returns, refunds and cancellations within `window_days` of the purchase date (a cancellation: of the contract start) wait for someone with `approver_role`; later ones are answered with the policy. Until an administrator saves one: 30 days, approved by account managers.",
    responses(
        (status = 200, description = "The policy in force", body = RefundPolicy, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/desk/refund-policy")]
pub async fn show(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let p = state.db.run(settings::refund_policy).await?;
    Ok(ok(&p))
}

#[utoipa::path(
    put, path = "/api/v1/desk/refund-policy", operation_id = "replaceRefundPolicy", tag = "desk",
    summary = "Replace the refund policy",
    description = "Administrators. `window_days` 1 to 3650; `approver_role` a staff role. Applies to requests arriving from now on. Send `If-Match` with the ETag last read.",
    params(("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RefundPolicy,
    responses(
        (status = 200, description = "The policy as now stored", body = RefundPolicy, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/desk/refund-policy")]
pub async fn replace(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: IfMatch,
    body: web::Json<RefundPolicy>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let p = body.into_inner();
    let errors = refund::validate_policy(&p);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let saved = state
        .db
        .tx(move |conn| {
            crate::db::lock_key(conn, "desk/refund-policy")?;
            let current = settings::refund_policy(conn)?;
            check_content(&if_match, &content_etag(&current))?;
            settings::save_refund_policy(conn, &p)?;
            Ok(p)
        })
        .await?;
    Ok(ok(&saved))
}
