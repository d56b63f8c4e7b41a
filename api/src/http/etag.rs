//! Optimistic concurrency: a mutable resource carries its `version` as a strong ETag; a write
//! that sends `If-Match` with an older one is refused with 412 instead of overwriting.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, http::header};
use std::future::{Ready, ready};

use crate::error::ApiError;
use shared::ErrorCode;

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` header, when the client sent one.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub Option<String>);

impl IfMatch {
    /// Fails with 412 when the client's version is not the current one.
    pub fn check(&self, current_version: i32) -> Result<(), ApiError> {
        let Some(value) = &self.0 else { return Ok(()) };
        let current = etag(current_version);
        let matches = value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == current);
        if matches {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::PreconditionFailed,
                format!(
                    "the resource is now at version {current}; reload it and apply your change again"
                ),
            ))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        ready(Ok(IfMatch(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_current_weak_and_star_and_refuses_stale() {
        assert!(IfMatch(None).check(3).is_ok());
        assert!(IfMatch(Some("\"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("W/\"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"1\", \"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("*".into())).check(3).is_ok());
        let stale = IfMatch(Some("\"2\"".into())).check(3).err().map(|e| e.code);
        assert_eq!(stale, Some(ErrorCode::PreconditionFailed));
    }
}
