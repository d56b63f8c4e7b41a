use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "ok", "database": "sqlite", "version": "0.1.0"})))]
pub struct Health {
    /// `ok` when the server answers and its database is reachable.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub version: String,
}
