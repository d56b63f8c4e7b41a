use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use shared::health::Health;

use crate::error::ApiResult;
use crate::state::AppState;

/// Liveness and readiness in one: answers only when the database does.
#[utoipa::path(
    get, path = "/api/v1/health", operation_id = "getHealth", tag = "system",
    summary = "Server and database health",
    description = "Answers 200 only when the database answers too; `database` names the engine in use. Needs no authentication.",
    responses((status = 200, description = "The server and its database answer", body = Health)),
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state
        .db
        .run(|conn| conn.batch_execute("SELECT 1").map_err(Into::into))
        .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: state.db.backend().name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
