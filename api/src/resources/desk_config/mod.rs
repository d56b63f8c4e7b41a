//! Configuring the support desk: business calendars, SLA policies,
//! cluster routes and priority rules. Vendor staff read them (`policy::view_desk`), only
//! administrators change them (`policy::manage_desk`). Departments' assignment strategy and
//! agents' capacity are set on the department and user resources.
//!
//! Calendars and policies carry a version (ETag, `If-Match` on PUT and DELETE). Priority rules
//! and departments have no version column, so their ETag is a digest of their content, which
//! serves `If-Match` just as well: a write based on an older read is refused with 412.

pub mod automation_rules;
pub mod calendars;
pub mod policies;
pub mod priority_rules;
pub mod refund_policy;
pub mod repeat_rule;
pub mod routes;

use serde::Serialize;
use shared::ErrorCode;

use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;

/// A strong ETag from a resource's JSON (FNV-1a, 64 bits): equal content, equal tag.
pub fn content_etag<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

/// Refuses with 412 when `If-Match` was sent and names none of `current` or `*`.
pub fn check_content(if_match: &IfMatch, current: &str) -> ApiResult<()> {
    let Some(value) = &if_match.0 else {
        return Ok(());
    };
    if value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == current)
    {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "changed since you read it; reload it and apply your change again",
        ))
    }
}
