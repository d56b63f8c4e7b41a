//! The one error type. Policy: every failure leaves as `application/problem+json` with a
//! stable code from `shared::ErrorCode` (its status comes from the code's single table);
//! validation failures name each field and rule; internal details (SQL, paths, driver
//! messages) go to the log only, never to the client.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use shared::{ErrorCode, FieldError, Problem};

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<String>,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// Logged, never sent.
    pub internal: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            code,
            detail: Some(detail.into()),
            fields: Vec::new(),
            retry_after: None,
            internal: None,
        }
    }

    pub fn bare(code: ErrorCode) -> Self {
        ApiError {
            code,
            detail: None,
            fields: Vec::new(),
            retry_after: None,
            internal: None,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, detail)
    }

    pub fn invalid_body(detail: impl Into<String>, fields: Vec<FieldError>) -> Self {
        ApiError {
            fields,
            ..Self::new(ErrorCode::InvalidBody, detail)
        }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let n = fields.len();
        let detail = if n == 1 {
            "1 field is not valid".to_string()
        } else {
            format!("{n} fields are not valid")
        };
        ApiError {
            fields,
            ..Self::new(ErrorCode::ValidationFailed, detail)
        }
    }

    /// One field broke one rule.
    pub fn field(field: &str, rule: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, rule, message)])
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(
                ErrorCode::RateLimited,
                format!(
                    "too many attempts; try again in {} seconds",
                    retry_after_secs.max(1)
                ),
            )
        }
    }

    pub fn internal(internal: impl Into<String>) -> Self {
        ApiError {
            internal: Some(internal.into()),
            ..Self::bare(ErrorCode::Internal)
        }
    }

    pub fn unavailable(internal: impl Into<String>) -> Self {
        ApiError {
            internal: Some(internal.into()),
            retry_after: Some(5),
            ..Self::new(
                ErrorCode::ServiceUnavailable,
                "the database is not answering; nothing was changed, please retry",
            )
        }
    }

    pub fn problem(&self) -> Problem {
        let mut p = Problem::new(self.code, self.detail.clone());
        p.errors = self.fields.clone();
        p
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code.as_str())?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        if let Some(i) = &self.internal {
            write!(f, " ({i})")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(internal) = &self.internal {
            tracing::error!(code = self.code.as_str(), error = %internal, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => ApiError::bare(ErrorCode::NotFound),
            E::DatabaseError(K::UniqueViolation, info) => ApiError {
                internal: Some(info.message().to_string()),
                ..ApiError::conflict("a record with the same unique value already exists")
            },
            E::DatabaseError(K::ForeignKeyViolation, info) => ApiError {
                internal: Some(info.message().to_string()),
                ..ApiError::new(
                    ErrorCode::ValidationFailed,
                    "a referenced record does not exist",
                )
            },
            E::DatabaseError(K::SerializationFailure, info) => {
                ApiError::unavailable(info.message().to_string())
            }
            E::DatabaseError(K::ClosedConnection, info) => {
                ApiError::unavailable(info.message().to_string())
            }
            other => {
                let text = other.to_string();
                // SQLite reports a writer that waited past busy_timeout as "database is locked".
                if text.contains("database is locked") {
                    ApiError::unavailable(text)
                } else {
                    ApiError::internal(text)
                }
            }
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(format!("json: {e}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
