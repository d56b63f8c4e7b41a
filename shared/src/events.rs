//! Real-time events: each user's stream, numbered so a reconnecting client misses nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "seq": 42, "kind": "organization.updated",
    "payload": {"organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f"},
    "created_at": "2026-01-10T09:00:00Z"
})))]
pub struct Event {
    /// Increases across all events; ask `/events?after=<seq>` for what came later.
    pub seq: i64,
    /// Dotted name such as `organization.updated`.
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventList {
    pub items: Vec<Event>,
    /// The highest `seq` in `items`, or the `after` asked for when there are none.
    pub last_seq: i64,
    /// True when more events wait beyond this page.
    pub has_more: bool,
}

/// The WebSocket close code for "the session ended" (signed out, password changed in another
/// session, account deactivated): the client must sign in again, not reconnect. From the
/// range RFC 6455 leaves to applications; 4401 echoes HTTP 401.
pub const WS_CLOSE_SESSION_ENDED: u16 = 4401;

/// What the server sends on the WebSocket, one JSON text frame each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WsMessage {
    /// First frame after connecting: the newest sequence number the user has.
    Hello {
        latest_seq: i64,
    },
    Event {
        event: Event,
    },
}
