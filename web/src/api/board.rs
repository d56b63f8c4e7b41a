//! A project's board: posts (pinned first), editing, pinning, comments.

use shared::Problem;
use shared::board::{BoardComment, BoardPost, BoardPostPatch, NewBoardComment, NewBoardPost};
use shared::page::Page;

use super::client::{Call, etag_of, query, segment};

pub async fn list(project_id: &str, cursor: Option<String>) -> Result<Page<BoardPost>, Problem> {
    let qs = query(&[("cursor", cursor)]);
    Call::get(format!("/projects/{}/board{qs}", segment(project_id)))
        .fetch()
        .await
}

pub async fn create(project_id: &str, new: &NewBoardPost) -> Result<BoardPost, Problem> {
    Call::post(format!("/projects/{}/board", segment(project_id)))
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn update(id: &str, version: i32, patch: &BoardPostPatch) -> Result<BoardPost, Problem> {
    Call::patch(format!("/board-posts/{}", segment(id)))
        .if_match(&etag_of(version))
        .json(patch)?
        .fetch()
        .await
}

/// Pins (`true`) or unpins the post.
pub async fn pin(id: &str, version: i32, pinned: bool) -> Result<BoardPost, Problem> {
    let action = if pinned { "pin" } else { "unpin" };
    Call::post(format!("/board-posts/{}/{action}", segment(id)))
        .if_match(&etag_of(version))
        .fetch()
        .await
}

pub async fn comments(
    post_id: &str,
    cursor: Option<String>,
) -> Result<Page<BoardComment>, Problem> {
    let qs = query(&[("cursor", cursor)]);
    Call::get(format!("/board-posts/{}/comments{qs}", segment(post_id)))
        .fetch()
        .await
}

pub async fn comment(post_id: &str, new: &NewBoardComment) -> Result<BoardComment, Problem> {
    Call::post(format!("/board-posts/{}/comments", segment(post_id)))
        .idempotent()
        .json(new)?
        .fetch()
        .await
}
