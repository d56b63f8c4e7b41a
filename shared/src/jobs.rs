//! Background jobs as admins see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e40", "kind": "send_mail", "status": "failed",
    "attempts": 5, "max_attempts": 5, "run_at": "2026-01-10T09:10:00Z",
    "last_error": "connection refused by smtp.example.com:587",
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:10:00Z"
})))]
pub struct Job {
    pub id: String,
    pub kind: String,
    /// `queued`, `running`, `done` or `failed` (gave up after `max_attempts`).
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
