//! Catching up on events missed while disconnected.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use shared::events::EventList;
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::realtime::events;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The last `seq` the client has seen (0 for everything kept).
    pub after: Option<i64>,
    /// At most this many events, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/events", operation_id = "listEvents", tag = "realtime",
    summary = "Your events after a sequence number",
    description = "What the WebSocket would have delivered since `after`, oldest first. A client that reconnects calls this with the last `seq` it saw, so it misses nothing.",
    params(EventsQuery),
    responses((status = 200, description = "Events in order", body = EventList)),
    security(("bearer" = [])),
)]
#[get("/events")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<EventsQuery>,
) -> ApiResult<HttpResponse> {
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            "range",
            "must be between 1 and 500",
        ));
    }
    let items = state
        .db
        .run(move |conn| {
            // Number what is staged first, so a caller reads its own writes.
            crate::db::write_tx(conn, events::sequence)?;
            let departments = events::departments_of(conn, &actor.user_id)?;
            events::for_user_after(conn, &actor.user_id, &departments, after, limit + 1)
        })
        .await?;
    let has_more = items.len() as i64 > limit;
    let items: Vec<_> = items.into_iter().take(limit as usize).collect();
    let last_seq = items.last().map(|e| e.seq).unwrap_or(after);
    Ok(HttpResponse::Ok().json(EventList {
        items,
        last_seq,
        has_more,
    }))
}
