//! Security headers on every answer of the app — API, docs, web app files, errors and 404s
//! alike: no content-type sniffing, no framing, a referrer cut to the origin when leaving
//! the site, HSTS when `public_url` is `https`, and a Content-Security-Policy chosen by what
//! the answer is:
//!
//! - the web app (everything outside `/api/`): its own script and wasm only (the boot script
//!   is a file, `web/static/boot.js`, so no inline script is allowed), its own styles (the
//!   app sets styles through the CSSOM, `style:` in leptos, never a `style` attribute),
//!   pictures of its own, `data:` ones and `https:` ones (Markdown posts may show pictures
//!   from elsewhere), and connections only to its own origin, which covers the WebSocket;
//! - the interactive docs (`/api/docs/`): Swagger UI's own scripts (no inline script), and
//!   its inline styles;
//! - the API (`/api/v1/`): nothing at all, since JSON and downloads are never a page.
//!
//! A handler that sets one of these headers itself keeps its own.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{
    CONTENT_SECURITY_POLICY, HeaderMap, HeaderName, HeaderValue, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

/// The web app's policy.
pub const APP_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Swagger UI's policy. Its bundle injects a `<style>` element (refused under `style-src
/// 'self'`, as the browser tests saw); a hash of it would need updating with every Swagger UI
/// release, and the docs show no user content, so inline styles are allowed here.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The API's policy: its answers are data, never a page to render.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

/// One year; sent only when `public_url` is `https`, so a plain-HTTP set-up on a laptop or
/// behind a test proxy never pins browsers to HTTPS.
pub const HSTS: &str = "max-age=31536000";

pub const REFERRER: &str = "strict-origin-when-cross-origin";

/// The Content-Security-Policy for an answer to `path`.
pub fn policy_for(path: &str) -> &'static str {
    if path == "/api/docs" || path.starts_with("/api/docs/") {
        DOCS_POLICY
    } else if path.starts_with("/api/") {
        API_POLICY
    } else {
        APP_POLICY
    }
}

/// Whether answers carry `Strict-Transport-Security`.
pub fn hsts_for(public_url: &str) -> bool {
    public_url
        .trim()
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// Adds the headers with this Content-Security-Policy to `headers`, keeping any a handler
/// already set.
pub fn apply(headers: &mut HeaderMap, policy: &'static str, hsts: bool) {
    let mut add = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    add(X_CONTENT_TYPE_OPTIONS, "nosniff");
    add(REFERRER_POLICY, REFERRER);
    add(X_FRAME_OPTIONS, "DENY");
    add(CONTENT_SECURITY_POLICY, policy);
    if hsts {
        add(STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

/// The middleware. An error that passes through it leaves with its answer made here, so that
/// the answer gets the headers too.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let hsts = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| hsts_for(&s.config.public_url));
    let policy = policy_for(req.path());
    match next.call(req).await {
        Ok(mut res) => {
            apply(res.headers_mut(), policy, hsts);
            Ok(res)
        }
        Err(e) => {
            let mut answer = e.error_response();
            apply(answer.headers_mut(), policy, hsts);
            Err(InternalError::from_response(e, answer).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_gets_its_policy() {
        assert_eq!(policy_for("/"), APP_POLICY);
        assert_eq!(policy_for("/tickets/1"), APP_POLICY);
        assert_eq!(policy_for("/tandem_bg.wasm"), APP_POLICY);
        assert_eq!(policy_for("/api/docs"), DOCS_POLICY);
        assert_eq!(policy_for("/api/docs/index.html"), DOCS_POLICY);
        assert_eq!(policy_for("/api/v1/health"), API_POLICY);
        assert_eq!(policy_for("/api/docsx"), API_POLICY);
    }

    #[test]
    fn no_policy_allows_inline_script_or_framing() {
        for p in [APP_POLICY, DOCS_POLICY, API_POLICY] {
            let scripts = p
                .split(';')
                .map(str::trim)
                .filter(|d| d.starts_with("script-src ") || d.starts_with("default-src "));
            for directive in scripts {
                for refused in ["'unsafe-inline'", "'unsafe-eval'", "data:", "*"] {
                    assert!(!directive.split(' ').any(|s| s == refused), "{p}");
                }
            }
            assert!(p.contains("frame-ancestors 'none'"), "{p}");
        }
    }

    #[test]
    fn hsts_only_for_https() {
        assert!(hsts_for("https://tandem.example.com"));
        assert!(hsts_for("HTTPS://tandem.example.com/"));
        assert!(!hsts_for("http://127.0.0.1:8080"));
        assert!(!hsts_for(""));
        assert!(!hsts_for("https:"));
    }

    #[test]
    fn a_handler_keeps_its_own_header() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
        apply(&mut h, APP_POLICY, true);
        let get = |name| h.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(get(CONTENT_SECURITY_POLICY), Some("sandbox"));
        assert_eq!(get(X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
        assert_eq!(get(STRICT_TRANSPORT_SECURITY), Some(HSTS));
    }
}
