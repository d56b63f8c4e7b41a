//! Extractor settings so that malformed JSON, unknown fields, wrong types and oversized
//! bodies answer problem+json naming the field, like every other error.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};
use shared::{ErrorCode, FieldError};

use crate::error::ApiError;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req: &HttpRequest| json_error(err).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(err).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        ApiError::new(ErrorCode::NotFound, format!("no such resource ({err})")).into()
    })
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body must be at most {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::invalid_body(
            "the body must be JSON (Content-Type: application/json)",
            vec![],
        ),
        JsonPayloadError::Deserialize(e) => serde_problem(&e.to_string()),
        other => ApiError::invalid_body(other.to_string(), vec![]),
    }
}

fn query_error(err: QueryPayloadError) -> ApiError {
    match err {
        QueryPayloadError::Deserialize(e) => {
            let mut problem = serde_problem(&e.to_string());
            problem.code = ErrorCode::ValidationFailed;
            problem
        }
        other => ApiError::field("query", "invalid", other.to_string()),
    }
}

/// Turns serde's message into a field error when it names the field.
fn serde_problem(message: &str) -> ApiError {
    let quoted = |prefix: &str| -> Option<String> {
        let rest = message.split(prefix).nth(1)?;
        let rest = rest.strip_prefix('`')?;
        Some(rest.split('`').next()?.to_string())
    };
    let clean = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    let field = match quoted("unknown field ") {
        Some(f) => Some(FieldError::new(
            f,
            "unknown_field",
            "is not a field of this operation",
        )),
        None => quoted("missing field ").map(|f| FieldError::new(f, "required", "is required")),
    };
    ApiError::invalid_body(clean, field.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let e = serde_problem(
            "unknown field `colour`, expected one of `name`, `plan` at line 1 column 10",
        );
        assert_eq!(e.fields[0].field, "colour");
        assert_eq!(e.fields[0].rule, "unknown_field");
        assert_eq!(
            e.detail.as_deref(),
            Some("unknown field `colour`, expected one of `name`, `plan`")
        );
        let e = serde_problem("missing field `email` at line 1 column 2");
        assert_eq!(
            (e.fields[0].field.as_str(), e.fields[0].rule.as_str()),
            ("email", "required")
        );
        let e = serde_problem("invalid type: integer `3`, expected a string at line 1 column 9");
        assert!(e.fields.is_empty());
        assert_eq!(e.code, ErrorCode::InvalidBody);
    }
}
