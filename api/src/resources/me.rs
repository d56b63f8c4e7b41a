use actix_web::{get, web, HttpResponse};
use shared::identity::User;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::resources::users;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/me", operation_id = "getMe", tag = "auth",
    summary = "The signed-in user",
    description = "Your profile, role, organisation, departments and skills.",
    responses((status = 200, description = "You", body = User)),
    security(("bearer" = [])),
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let user = state
        .db
        .run(move |conn| {
            let row = users::find(conn, &actor.user_id)?.ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
            users::to_dto(conn, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(user))
}
