//! The user's event stream, for catching up after the WebSocket was away.

use shared::Problem;
use shared::events::EventList;

use super::client::{Call, query};

pub async fn after(seq: i64) -> Result<EventList, Problem> {
    Call::get(format!(
        "/events{}",
        query(&[("after", Some(seq.to_string()))])
    ))
    .fetch()
    .await
}
