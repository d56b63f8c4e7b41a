//! Serves the built web app; unknown non-API paths get `index.html`, so the app's own
//! routes work on reload and from bookmarks.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;

pub fn service(dist: &str) -> Files {
    let index: PathBuf = Path::new(dist).join("index.html");
    Files::new("/", dist)
        .index_file("index.html")
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                if req.path().starts_with("/api/") {
                    let res = ApiError::new(
                        shared::ErrorCode::NotFound,
                        format!("no API operation at {}", req.path()),
                    )
                    .error_response();
                    return Ok(ServiceResponse::new(req, res));
                }
                let res = match NamedFile::open(&index) {
                    Ok(file) => file.into_response(&req),
                    Err(_) => not_built(),
                };
                Ok(ServiceResponse::new(req, res))
            }
        }))
}

/// What `/` shows when the web app has not been built.
pub fn not_built() -> HttpResponse {
    HttpResponse::ServiceUnavailable().content_type("text/html; charset=utf-8").body(
        "<!doctype html><meta charset=utf-8><link rel=icon href=\"data:,\"><title>Tandem</title>\
         <h1>Tandem</h1><p>The API is running at <a href=\"/api/docs/\">/api/docs/</a>, but the web app is not built. \
         Run <code>bash scripts/build-web.sh</code>, or set <code>TANDEM_WEB_DIST</code> to its folder.</p>",
    )
}
