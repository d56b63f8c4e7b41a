//! The one route table.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::resources::{
    auth, departments, events, health, invitations, jobs, me, organizations, projects, templates,
    users, ws,
};

/// Everything under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(health::health)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::change_password)
        .service(me::me)
        .service(me::update)
        .service(organizations::list)
        .service(organizations::create)
        .service(organizations::get)
        .service(organizations::update)
        .service(users::list)
        .service(users::create)
        .service(users::get)
        .service(users::update)
        .service(departments::list)
        .service(departments::create)
        .service(invitations::list)
        .service(invitations::create)
        .service(invitations::accept)
        .service(jobs::list)
        .service(jobs::retry)
        .service(events::list)
        .service(ws::connect)
        // The client project (PRODUCT §2).
        .service(templates::list)
        .service(templates::create)
        .service(templates::get)
        .service(templates::replace)
        .service(projects::list)
        .service(projects::create)
        .service(projects::get)
        .route("/openapi.json", web::get().to(crate::openapi::json))
        .route("/openapi.yaml", web::get().to(crate::openapi::yaml));
}

/// Unknown API paths answer problem+json, never the web app.
pub async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        shared::ErrorCode::NotFound,
        format!("no API operation at {} {}", req.method(), req.path()),
    ))
}
