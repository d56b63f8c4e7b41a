//! A project's CSM chat: pages of messages (newest page first), sending, the read marker.

use shared::Problem;
use shared::chat::{ChatMessage, ChatPage, ChatReadRequest, ChatReadState, NewChatMessage};

use super::client::{Call, query, segment};

/// The newest page (`cursor` absent) or the page of messages before `cursor`.
pub async fn list(
    project_id: &str,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<ChatPage, Problem> {
    let qs = query(&[("limit", limit.map(|l| l.to_string())), ("cursor", cursor)]);
    Call::get(format!(
        "/projects/{}/chat/messages{qs}",
        segment(project_id)
    ))
    .fetch()
    .await
}

pub async fn send(project_id: &str, new: &NewChatMessage) -> Result<ChatMessage, Problem> {
    Call::post(format!("/projects/{}/chat/messages", segment(project_id)))
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn mark_read(project_id: &str, last_read_id: &str) -> Result<ChatReadState, Problem> {
    let body = ChatReadRequest {
        last_read_id: last_read_id.to_string(),
    };
    Call::post(format!("/projects/{}/chat/read", segment(project_id)))
        .json(&body)?
        .fetch()
        .await
}
