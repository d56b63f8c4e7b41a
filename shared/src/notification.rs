//! Notifications: what happened, for whom, and how each user wants to hear.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    ItemTicked,
    ItemReopened,
    ItemDueSoon,
    ItemOverdue,
    AppointmentCreated,
    AppointmentChanged,
    AppointmentReminder,
    BoardPost,
    BoardComment,
    ChatMessage,
    TicketUpdated,
    SlaWarning,
    Handoff,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 13] = [
        NotificationKind::ItemTicked,
        NotificationKind::ItemReopened,
        NotificationKind::ItemDueSoon,
        NotificationKind::ItemOverdue,
        NotificationKind::AppointmentCreated,
        NotificationKind::AppointmentChanged,
        NotificationKind::AppointmentReminder,
        NotificationKind::BoardPost,
        NotificationKind::BoardComment,
        NotificationKind::ChatMessage,
        NotificationKind::TicketUpdated,
        NotificationKind::SlaWarning,
        NotificationKind::Handoff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::ItemTicked => "item_ticked",
            NotificationKind::ItemReopened => "item_reopened",
            NotificationKind::ItemDueSoon => "item_due_soon",
            NotificationKind::ItemOverdue => "item_overdue",
            NotificationKind::AppointmentCreated => "appointment_created",
            NotificationKind::AppointmentChanged => "appointment_changed",
            NotificationKind::AppointmentReminder => "appointment_reminder",
            NotificationKind::BoardPost => "board_post",
            NotificationKind::BoardComment => "board_comment",
            NotificationKind::ChatMessage => "chat_message",
            NotificationKind::TicketUpdated => "ticket_updated",
            NotificationKind::SlaWarning => "sla_warning",
            NotificationKind::Handoff => "handoff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the kind is named in the preferences page.
    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::ItemTicked => "An item is ticked",
            NotificationKind::ItemReopened => "An item is reopened",
            NotificationKind::ItemDueSoon => "An item is due soon",
            NotificationKind::ItemOverdue => "An item is overdue",
            NotificationKind::AppointmentCreated => "A new appointment",
            NotificationKind::AppointmentChanged => "An appointment changes",
            NotificationKind::AppointmentReminder => "Appointment reminder",
            NotificationKind::BoardPost => "A board post",
            NotificationKind::BoardComment => "A comment on the board",
            NotificationKind::ChatMessage => "A chat message while you are away",
            NotificationKind::TicketUpdated => "A ticket is updated",
            NotificationKind::SlaWarning => "SLA warnings",
            NotificationKind::Handoff => "Handoffs",
        }
    }
}

/// Where a user wants a kind of notification: `in_app` only, `email` (in the app, and by
/// e-mail when not online), or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InApp,
    Email,
    None,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Email => "email",
            Channel::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "in_app" => Some(Channel::InApp),
            "email" => Some(Channel::Email),
            "none" => Some(Channel::None),
            _ => None,
        }
    }
    /// Without a choice of their own, users hear about everything in the app and by e-mail
    /// while away.
    pub const DEFAULT: Channel = Channel::Email;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e70", "kind": "item_ticked",
    "title": "Verdi Arredamenti ticked “Training: orders and shipping”",
    "body": "Onboarding — Training: 4 of 15 done (26%)",
    "project_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01", "link": "/projects/01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
    "actor_name": "Luca Verdi", "created_at": "2026-11-23T09:00:00Z", "read_at": null
})))]
pub struct Notification {
    pub id: String,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub project_id: Option<String>,
    /// The web app path to open.
    pub link: Option<String>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of notifications, newest first, with the caller's unread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    pub unread_count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub unread_count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preference {
    pub kind: NotificationKind,
    pub channel: Channel,
}

/// Every kind with the user's channel for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"preferences": [{"kind": "chat_message", "channel": "in_app"}]})))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    pub preferences: Vec<Preference>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_channels_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).expect("json"),
                format!("\"{}\"", k.as_str())
            );
        }
        for c in [Channel::InApp, Channel::Email, Channel::None] {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
    }
}
