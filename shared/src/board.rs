//! The board: asynchronous notes between the CSM and the client — an operation
//! to do, an appointment fixed, a reminder. Both sides post and comment in Markdown, which the
//! server renders to safe HTML; the CSM side pins; only the author edits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::chat::AuthorSide;
use crate::validate::Errors;

/// Longest post, in characters of Markdown.
pub const POST_MAX: usize = 20_000;
/// Longest comment, in characters of Markdown.
pub const COMMENT_MAX: usize = 4000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e70", "project_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
    "author_id": "01935c4e-8a1b-7c3d-9e4f-000000000001", "author_name": "Carla Conti", "author_side": "csm",
    "body": "**Training booked**: Tuesday 1 December, 10:00 — [agenda](https://tandem.example/agenda)",
    "body_html": "<p><strong>Training booked</strong>: Tuesday 1 December, 10:00 — <a href=\"https://tandem.example/agenda\" rel=\"noopener noreferrer nofollow\">agenda</a></p>\n",
    "pinned": true, "pinned_at": "2026-11-23T09:05:00Z", "edited": false, "edited_at": null,
    "comments_count": 2, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:05:00Z",
    "version": 2
})))]
pub struct BoardPost {
    pub id: String,
    pub project_id: String,
    /// Absent when the author's account no longer exists.
    pub author_id: Option<String>,
    pub author_name: String,
    pub author_side: AuthorSide,
    /// The Markdown as written.
    pub body: String,
    /// `body` rendered on the server and sanitised: safe to insert into a page as is.
    pub body_html: String,
    pub pinned: bool,
    pub pinned_at: Option<DateTime<Utc>>,
    /// The author changed the text after posting it.
    pub edited: bool,
    pub edited_at: Option<DateTime<Utc>>,
    pub comments_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every edit, pin and unpin (not with comments); the `ETag` carries it.
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"body": "**Training booked**: Tuesday 1 December, 10:00"})))]
#[serde(deny_unknown_fields)]
pub struct NewBoardPost {
    /// Markdown, 1 to 20000 characters. HTML typed into it is shown as text.
    pub body: String,
}

/// The author's new text for a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"body": "**Training moved**: Wednesday 2 December, 10:00"})))]
#[serde(deny_unknown_fields)]
pub struct BoardPostPatch {
    /// Markdown, 1 to 20000 characters.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e80", "post_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e70",
    "author_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e07", "author_name": "Luca Verdi", "author_side": "client",
    "body": "Thanks, *we'll be there*.", "body_html": "<p>Thanks, <em>we'll be there</em>.</p>\n",
    "created_at": "2026-11-23T10:00:00Z"
})))]
pub struct BoardComment {
    pub id: String,
    pub post_id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub author_side: AuthorSide,
    pub body: String,
    /// `body` rendered and sanitised.
    pub body_html: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"body": "Thanks, *we'll be there*."})))]
#[serde(deny_unknown_fields)]
pub struct NewBoardComment {
    /// Markdown, 1 to 4000 characters.
    pub body: String,
}

pub fn validate_post(body: &str) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("body", body.trim(), POST_MAX);
    e.into_result()
}

pub fn validate_comment(c: &NewBoardComment) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("body", c.body.trim(), COMMENT_MAX);
    e.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(r: Result<(), Vec<FieldError>>) -> Option<(String, String)> {
        r.err().map(|e| (e[0].field.clone(), e[0].rule.clone()))
    }

    #[test]
    fn post_and_comment_bodies_are_required_and_bounded() {
        assert_eq!(rule(validate_post("# Hi")), None);
        assert_eq!(
            rule(validate_post(" \t\n")),
            Some(("body".into(), "required".into()))
        );
        assert_eq!(rule(validate_post(&"x".repeat(POST_MAX))), None);
        assert_eq!(
            rule(validate_post(&"x".repeat(POST_MAX + 1))),
            Some(("body".into(), "too_long".into()))
        );
        let comment = |b: &str| validate_comment(&NewBoardComment { body: b.into() });
        assert_eq!(rule(comment("ok")), None);
        assert_eq!(rule(comment("")), Some(("body".into(), "required".into())));
        assert_eq!(
            rule(comment(&"x".repeat(COMMENT_MAX + 1))),
            Some(("body".into(), "too_long".into()))
        );
    }
}
