//! The one error vocabulary. Every failed API call answers `application/problem+json`
//! (RFC 9457) carrying a stable `code` from [`ErrorCode`]; clients branch on the code, people
//! read `title` and `detail`, and validation failures list each field with the rule it broke.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON, has a wrong type, or names a field the operation does not know.
    InvalidBody,
    /// One or more fields broke a rule; see `errors`.
    ValidationFailed,
    /// No valid access token or API token was presented.
    Unauthenticated,
    /// E-mail and password do not match an active account.
    InvalidCredentials,
    /// The refresh token is unknown, expired, revoked or already used.
    InvalidRefreshToken,
    /// The caller is known but their role may not do this.
    Forbidden,
    /// The resource does not exist, or the caller may not know that it exists.
    NotFound,
    /// The path exists but not with this method; `Allow` lists the methods it has.
    MethodNotAllowed,
    /// The request clashes with existing data (for example an e-mail already in use).
    Conflict,
    /// `If-Match` does not name the current version: someone changed the resource first.
    PreconditionFailed,
    /// The same `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused,
    /// The invitation link is unknown, used or expired.
    InvitationInvalid,
    /// A state machine (checklist item, ticket status) does not allow this move: who may, from
    /// which state.
    TransitionNotAllowed,
    /// CSM coverage has ended: the project's chat is read-only.
    CoverageEnded,
    /// Too many attempts; retry after the number of seconds in `Retry-After`.
    RateLimited,
    /// The body is larger than this operation accepts.
    PayloadTooLarge,
    /// The database is unreachable or overloaded; the request changed nothing.
    ServiceUnavailable,
    /// An unexpected fault; the request id in the logs tells operators where to look.
    Internal,
}

impl ErrorCode {
    /// The single status table: one HTTP status per code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidBody | ErrorCode::ValidationFailed => 422,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidRefreshToken => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict
            | ErrorCode::IdempotencyKeyReused
            | ErrorCode::TransitionNotAllowed
            | ErrorCode::CoverageEnded => 409,
            ErrorCode::InvitationInvalid => 410,
            ErrorCode::PreconditionFailed => 412,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::ServiceUnavailable => 503,
            ErrorCode::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidRefreshToken => "invalid_refresh_token",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::InvitationInvalid => "invitation_invalid",
            ErrorCode::TransitionNotAllowed => "transition_not_allowed",
            ErrorCode::CoverageEnded => "coverage_ended",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// A short, stable, human title for the code.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::InvalidBody => "The request body could not be read",
            ErrorCode::ValidationFailed => "Some fields are not valid",
            ErrorCode::Unauthenticated => "Sign-in required",
            ErrorCode::InvalidCredentials => "Wrong e-mail or password",
            ErrorCode::InvalidRefreshToken => "Session expired",
            ErrorCode::Forbidden => "Not allowed for your role",
            ErrorCode::NotFound => "Not found",
            ErrorCode::MethodNotAllowed => "Method not allowed on this path",
            ErrorCode::Conflict => "Conflicts with existing data",
            ErrorCode::PreconditionFailed => "Changed by someone else",
            ErrorCode::IdempotencyKeyReused => "Idempotency key already used for another request",
            ErrorCode::InvitationInvalid => "Invitation no longer valid",
            ErrorCode::TransitionNotAllowed => "This move of the item is not allowed",
            ErrorCode::CoverageEnded => "CSM coverage has ended",
            ErrorCode::RateLimited => "Too many attempts",
            ErrorCode::PayloadTooLarge => "Request too large",
            ErrorCode::ServiceUnavailable => "Service temporarily unavailable",
            ErrorCode::Internal => "Unexpected error",
        }
    }
}

/// One broken rule on one field. `field` is a JSON path such as `email` or `members[2].role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    /// Machine-readable rule name: `required`, `too_long`, `invalid_email`, `one_of`, ...
    pub rule: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            rule: rule.to_string(),
            message: message.into(),
        }
    }
}

/// The `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "https://tandem.dev/problems/validation_failed",
    "title": "Some fields are not valid",
    "status": 422,
    "code": "validation_failed",
    "detail": "1 field is not valid",
    "errors": [{"field": "email", "rule": "invalid_email", "message": "must be an e-mail address such as name@example.com"}]
})))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_url: String,
    pub title: String,
    pub status: u16,
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: Option<String>) -> Self {
        Problem {
            type_url: format!("https://tandem.dev/problems/{}", code.as_str()),
            title: code.title().to_string(),
            status: code.status(),
            code,
            detail,
            errors: Vec::new(),
        }
    }

    /// The text to show a person: the detail when there is one, else the title, followed by
    /// each field's message.
    pub fn message(&self) -> String {
        let mut out = self.detail.clone().unwrap_or_else(|| self.title.clone());
        for e in &self.errors {
            out.push_str(&format!("; {}: {}", e.field, e.message));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 18] = [
        ErrorCode::InvalidBody,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::InvalidRefreshToken,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PreconditionFailed,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::InvitationInvalid,
        ErrorCode::TransitionNotAllowed,
        ErrorCode::CoverageEnded,
        ErrorCode::RateLimited,
        ErrorCode::PayloadTooLarge,
        ErrorCode::ServiceUnavailable,
        ErrorCode::Internal,
    ];

    #[test]
    fn codes_serialise_as_their_stable_names() {
        for code in ALL {
            let json = serde_json::to_string(&code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!((400..600).contains(&code.status()));
        }
    }

    #[test]
    fn problem_body_has_the_rfc_9457_members() {
        let mut p = Problem::new(
            ErrorCode::ValidationFailed,
            Some("1 field is not valid".into()),
        );
        p.errors
            .push(FieldError::new("email", "required", "is required"));
        let v = serde_json::to_value(&p).expect("serialise");
        assert_eq!(v["type"], "https://tandem.dev/problems/validation_failed");
        assert_eq!(v["status"], 422);
        assert_eq!(v["code"], "validation_failed");
        assert_eq!(v["errors"][0]["field"], "email");
        assert_eq!(p.message(), "1 field is not valid; email: is required");
    }
}
