//! The CSM chat: direct messages between a client's users and their CSM, per
//! project, with read markers. It closes (read-only) when CSM coverage ends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::Role;
use crate::validate::Errors;

/// Longest chat message, in characters (after trimming).
pub const MESSAGE_MAX: usize = 4000;
/// Notifications quote this many characters of a message or note.
pub const PREVIEW_CHARS: usize = 140;

/// Which side of the project wrote something: the client's users, or the vendor (the
/// project's CSM, or an administrator acting for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorSide {
    Client,
    Csm,
}

impl AuthorSide {
    /// Only participants write, so a client role is the client side and any staff role the
    /// vendor's.
    pub fn of(role: Role) -> AuthorSide {
        if role.is_client() {
            AuthorSide::Client
        } else {
            AuthorSide::Csm
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthorSide::Client => "client",
            AuthorSide::Csm => "csm",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e60", "project_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
    "author_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e07", "author_name": "Luca Verdi",
    "author_side": "client", "body": "Hi Carla, the product feed is ready for a first look.",
    "created_at": "2026-11-23T09:00:00Z"
})))]
pub struct ChatMessage {
    pub id: String,
    pub project_id: String,
    /// Absent when the author's account no longer exists.
    pub author_id: Option<String>,
    pub author_name: String,
    pub author_side: AuthorSide,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"body": "Hi Carla, the product feed is ready for a first look."})))]
#[serde(deny_unknown_fields)]
pub struct NewChatMessage {
    /// 1 to 4000 characters; surrounding blanks are trimmed.
    pub body: String,
}

/// A page of a project's chat. Pages run backwards from the newest message, but the items of
/// a page are oldest first, ready to show top to bottom; `next_cursor` fetches the older page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "items": [{
        "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e60", "project_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
        "author_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e07", "author_name": "Luca Verdi",
        "author_side": "client", "body": "Hi Carla, the product feed is ready for a first look.",
        "created_at": "2026-11-23T09:00:00Z"
    }],
    "next_cursor": null, "last_read_id": null, "unread_count": 1
})))]
pub struct ChatPage {
    /// Oldest first within the page.
    pub items: Vec<ChatMessage>,
    /// Pass as `cursor` to get the page of older messages; absent on the oldest page.
    pub next_cursor: Option<String>,
    /// The last message you have read; absent before your first read.
    pub last_read_id: Option<String>,
    /// Messages from others after `last_read_id`.
    pub unread_count: i64,
}

/// Moves the caller's read marker forward to this message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"last_read_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e60"})))]
#[serde(deny_unknown_fields)]
pub struct ChatReadRequest {
    /// A message of this project's chat.
    pub last_read_id: String,
}

/// The caller's read marker and what is still unread after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"last_read_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e60", "unread_count": 0})))]
pub struct ChatReadState {
    pub last_read_id: Option<String>,
    pub unread_count: i64,
}

pub fn validate_message(m: &NewChatMessage) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("body", m.body.trim(), MESSAGE_MAX);
    e.into_result()
}

/// The start of a text for a notification: blanks folded to single spaces, cut at `max`
/// characters with an ellipsis.
pub fn preview(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let mut cut: String = folded.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_required_and_bounded_after_trimming() {
        let check = |body: &str| {
            validate_message(&NewChatMessage { body: body.into() })
                .err()
                .map(|e| e[0].rule.clone())
        };
        assert_eq!(check("hello"), None);
        assert_eq!(check("   \n "), Some("required".into()));
        assert_eq!(check(&"x".repeat(MESSAGE_MAX)), None);
        assert_eq!(
            check(&format!("  {}  ", "é".repeat(MESSAGE_MAX))),
            None,
            "characters, not bytes, and blanks do not count"
        );
        assert_eq!(check(&"x".repeat(MESSAGE_MAX + 1)), Some("too_long".into()));
    }

    #[test]
    fn previews_fold_blanks_and_cut_with_an_ellipsis() {
        assert_eq!(preview("  a\n\n b  ", 10), "a b");
        assert_eq!(preview("abcdef", 6), "abcdef");
        assert_eq!(preview("abc defgh", 6), "abc d…");
        assert_eq!(preview("abcd efgh", 6), "abcd…");
        assert_eq!(preview(&"è".repeat(200), 140).chars().count(), 140);
    }

    #[test]
    fn sides_follow_roles() {
        for role in Role::ALL {
            let side = AuthorSide::of(role);
            assert_eq!(side == AuthorSide::Client, role.is_client(), "{role:?}");
        }
        assert_eq!(
            serde_json::to_string(&AuthorSide::Csm).ok().as_deref(),
            Some("\"csm\"")
        );
    }
}
