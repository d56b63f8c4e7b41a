//! The signed-in user's notifications and how they want to hear about each kind.

use shared::Problem;
use shared::notification::{NotificationPage, Preferences, UnreadCount};

use super::client::{Call, query, segment};

pub async fn list(
    unread_only: bool,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<NotificationPage, Problem> {
    let qs = query(&[
        ("limit", limit.map(|l| l.to_string())),
        ("cursor", cursor),
        ("unread_only", unread_only.then(|| "true".to_string())),
    ]);
    Call::get(format!("/notifications{qs}")).fetch().await
}

pub async fn mark_read(id: &str) -> Result<(), Problem> {
    Call::post(format!("/notifications/{}/read", segment(id)))
        .run()
        .await
}

pub async fn mark_all_read() -> Result<UnreadCount, Problem> {
    Call::post("/notifications/read-all").fetch().await
}

pub async fn preferences() -> Result<Preferences, Problem> {
    Call::get("/me/notification-preferences").fetch().await
}

pub async fn save_preferences(prefs: &Preferences) -> Result<Preferences, Problem> {
    Call::put("/me/notification-preferences")
        .json(prefs)?
        .fetch()
        .await
}
