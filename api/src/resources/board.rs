//! The board: Markdown notes between the CSM and the client. Both sides post
//! and comment; only the author edits (the post is then marked edited); the CSM side pins
//! and unpins. Text is rendered to safe HTML once, when written (`crate::markdown`). Every
//! change reaches the participants as `board.changed`.

use actix_web::{HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use shared::Role;
use shared::board::{self, BoardComment, BoardPost, BoardPostPatch, NewBoardComment, NewBoardPost};
use shared::chat::{PREVIEW_CHARS, preview};
use shared::notification::NotificationKind;
use shared::page::{Page, PageQuery};

use crate::auth::Actor;
use crate::db::schema::{board_comments as bc, board_posts as bp, users as u};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::markdown;
use crate::notify::{Notice, notify};
use crate::policy;
use crate::realtime::events::publish;
use crate::resources::chat::{author_of, authors};
use crate::resources::ok_with_etag;
use crate::resources::projects::{self, ProjectCtx};
use crate::state::AppState;

#[derive(Queryable, Debug, Clone)]
struct PostRow {
    id: String,
    project_id: String,
    author_id: Option<String>,
    body: String,
    body_html: String,
    pinned: bool,
    pinned_at: Option<chrono::NaiveDateTime>,
    edited_at: Option<chrono::NaiveDateTime>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    version: i32,
}

#[derive(Queryable, Debug)]
struct CommentRow {
    id: String,
    post_id: String,
    author_id: Option<String>,
    body: String,
    body_html: String,
    created_at: chrono::NaiveDateTime,
}

fn post_dtos(conn: &mut DbConn, rows: Vec<PostRow>) -> ApiResult<Vec<BoardPost>> {
    let who = authors(conn, rows.iter().filter_map(|r| r.author_id.as_ref()))?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let counts: std::collections::HashMap<String, i64> = if ids.is_empty() {
        Default::default()
    } else {
        bc::table
            .filter(bc::post_id.eq_any(ids))
            .group_by(bc::post_id)
            .select((bc::post_id, diesel::dsl::count_star()))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let (author_name, author_side) = author_of(&who, r.author_id.as_ref());
            BoardPost {
                comments_count: counts.get(&r.id).copied().unwrap_or(0),
                id: r.id,
                project_id: r.project_id,
                author_id: r.author_id,
                author_name,
                author_side,
                body: r.body,
                body_html: r.body_html,
                pinned: r.pinned,
                pinned_at: r.pinned_at.map(to_utc),
                edited: r.edited_at.is_some(),
                edited_at: r.edited_at.map(to_utc),
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
                version: r.version,
            }
        })
        .collect())
}

fn post_dto(conn: &mut DbConn, row: PostRow) -> ApiResult<BoardPost> {
    post_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("board post vanished"))
}

fn comment_dtos(conn: &mut DbConn, rows: Vec<CommentRow>) -> ApiResult<Vec<BoardComment>> {
    let who = authors(conn, rows.iter().filter_map(|r| r.author_id.as_ref()))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (author_name, author_side) = author_of(&who, r.author_id.as_ref());
            BoardComment {
                id: r.id,
                post_id: r.post_id,
                author_id: r.author_id,
                author_name,
                author_side,
                body: r.body,
                body_html: r.body_html,
                created_at: to_utc(r.created_at),
            }
        })
        .collect())
}

fn find_post(conn: &mut DbConn, id: &str) -> ApiResult<Option<PostRow>> {
    Ok(bp::table
        .find(id)
        .select(bp::all_columns)
        .first(conn)
        .optional()?)
}

/// The post and its project if the caller may see them, else 404 (whether or not it exists).
fn access_post(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<(PostRow, ProjectCtx)> {
    let post = find_post(conn, id)?.ok_or_else(|| ApiError::not_found("board post"))?;
    let ctx = projects::access(conn, actor, &post.project_id)
        .map_err(|_| ApiError::not_found("board post"))?;
    Ok((post, ctx))
}

/// `board.changed` to the project's participants and whoever made the change.
fn changed(conn: &mut DbConn, ctx: &ProjectCtx, actor: &Actor, post_id: &str) -> ApiResult<()> {
    let audience = ctx.audience(conn, &actor.user_id)?;
    publish(
        conn,
        &audience,
        "board.changed",
        &serde_json::json!({"project_id": ctx.project.id, "post_id": post_id}),
    )
}

#[utoipa::path(
    get, path = "/api/v1/projects/{id}/board", operation_id = "listBoardPosts", tag = "board",
    summary = "List a project's board, pinned first",
    description = "Everyone who can see the project. Pinned posts come first, then the others; each group newest first. `body_html` is the Markdown rendered and sanitised on the server.",
    params(("id" = String, Path, description = "Project id"), PageQuery),
    responses((status = 200, description = "A page of posts", body = Page<BoardPost>)),
    security(("bearer" = [])),
)]
#[get("/projects/{id}/board")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::from_query(&query)?;
    let id = id.into_inner();
    let result = state
        .db
        .run(move |conn| {
            projects::access(conn, &actor, &id)?;
            let mut q = bp::table
                .filter(bp::project_id.eq(&id))
                .select(bp::all_columns)
                .order((bp::pinned.desc(), bp::id.desc()))
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                let last: Option<bool> = bp::table
                    .filter(bp::project_id.eq(&id))
                    .filter(bp::id.eq(after))
                    .select(bp::pinned)
                    .first(conn)
                    .optional()?;
                let pinned = last.ok_or_else(|| {
                    ApiError::field("cursor", "invalid", "is not a cursor returned by this list")
                })?;
                // Keyset on (pinned desc, id desc): the rest of the cursor's group, then
                // (after the pinned group) every unpinned post.
                let rest = bp::pinned.eq(pinned).and(bp::id.lt(after.clone()));
                q = if pinned {
                    q.filter(rest.or(bp::pinned.eq(false)))
                } else {
                    q.filter(rest)
                };
            }
            let rows: Vec<PostRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| post_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/projects/{id}/board", operation_id = "createBoardPost", tag = "board",
    summary = "Post a note on the board",
    description = "The client's users and the project's CSM (administrators count as the CSM side); other staff get 403. The other side is notified (`board_post`); participants receive `board.changed`. Markdown; HTML typed into it is shown as text, and links keep only `http`, `https` and `mailto` addresses. Send an `Idempotency-Key` header to make retries safe.",
    params(("id" = String, Path, description = "Project id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewBoardPost,
    responses(
        (status = 201, description = "Posted", body = BoardPost, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "You can see the project but do not take part in it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/projects/{id}/board")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: web::Json<NewBoardPost>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    board::validate_post(&new.body).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            let ctx = projects::access(conn, &actor, &id)?;
            policy::take_part(ctx.side)?;
            create_once(conn, &actor.user_id, &key, &(&id, &new), |conn| {
                let text = new.body.trim();
                let at = now();
                let row = PostRow {
                    id: new_id(),
                    project_id: id.clone(),
                    author_id: Some(actor.user_id.clone()),
                    body: text.to_string(),
                    body_html: markdown::to_html(text),
                    pinned: false,
                    pinned_at: None,
                    edited_at: None,
                    created_at: at,
                    updated_at: at,
                    version: 1,
                };
                diesel::insert_into(bp::table)
                    .values((
                        bp::id.eq(&row.id),
                        bp::project_id.eq(&row.project_id),
                        bp::author_id.eq(&row.author_id),
                        bp::body.eq(&row.body),
                        bp::body_html.eq(&row.body_html),
                        bp::pinned.eq(false),
                        bp::created_at.eq(at),
                        bp::updated_at.eq(at),
                        bp::version.eq(1),
                    ))
                    .execute(conn)?;
                let post = post_dto(conn, row)?;
                let others = ctx.other_side(conn, ctx.side)?;
                notify(
                    conn,
                    &config,
                    &others,
                    &Notice {
                        kind: NotificationKind::BoardPost,
                        title: format!("{} posted on the board", post.author_name),
                        body: preview(&post.body, PREVIEW_CHARS),
                        project_id: Some(id.clone()),
                        link: Some(ctx.link(Some("board"))),
                        actor_id: Some(actor.user_id.clone()),
                    },
                )?;
                changed(conn, &ctx, &actor, &post.id)?;
                Ok(post)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |p| Some(format!("/api/v1/board-posts/{}", p.id)),
        |p| Some(etag(p.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/board-posts/{id}", operation_id = "getBoardPost", tag = "board",
    summary = "Get one board post",
    description = "Everyone who can see its project; 404 otherwise. Its comments are listed by `listBoardComments`.",
    params(("id" = String, Path, description = "Board post id")),
    responses((status = 200, description = "The post", body = BoardPost, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/board-posts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let post = state
        .db
        .run(move |conn| {
            let (row, _) = access_post(conn, &actor, &id)?;
            post_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&post, post.version))
}

#[utoipa::path(
    patch, path = "/api/v1/board-posts/{id}", operation_id = "editBoardPost", tag = "board",
    summary = "Edit a board post (its author)",
    description = "Only the post's author; anyone else who can see it gets 403. The post is marked edited (`edited`, `edited_at`); the same text again changes nothing. Send `If-Match` with the ETag you read: a post changed meanwhile (edited, pinned or unpinned) answers 412.",
    params(("id" = String, Path, description = "Board post id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = BoardPostPatch,
    responses(
        (status = 200, description = "The post as now stored", body = BoardPost, headers(("ETag" = String))),
        (status = 403, description = "Not the post's author", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/board-posts/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<BoardPostPatch>,
) -> ApiResult<HttpResponse> {
    let p = body.into_inner();
    board::validate_post(&p.body).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let post = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "board_posts", &id)?;
            let (row, ctx) = access_post(conn, &actor, &id)?;
            policy::take_part(ctx.side)?;
            if row.author_id.as_deref() != Some(actor.user_id.as_str()) {
                return Err(ApiError::forbidden("only its author can edit a board post"));
            }
            if_match.check(row.version)?;
            let text = p.body.trim();
            if text == row.body {
                return post_dto(conn, row);
            }
            let at = now();
            diesel::update(bp::table.find(&id).filter(bp::version.eq(row.version)))
                .set((
                    bp::body.eq(text),
                    bp::body_html.eq(markdown::to_html(text)),
                    bp::edited_at.eq(at),
                    bp::updated_at.eq(at),
                    bp::version.eq(row.version + 1),
                ))
                .execute(conn)?;
            let row = find_post(conn, &id)?.ok_or_else(|| ApiError::internal("post vanished"))?;
            changed(conn, &ctx, &actor, &id)?;
            post_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&post, post.version))
}

/// Pins or unpins; already in that state, nothing changes.
async fn set_pinned(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    if_match: IfMatch,
    pinned: bool,
) -> ApiResult<HttpResponse> {
    let post = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "board_posts", &id)?;
            let (row, ctx) = access_post(conn, &actor, &id)?;
            policy::run_project(ctx.side)?;
            if_match.check(row.version)?;
            if row.pinned == pinned {
                return post_dto(conn, row);
            }
            let at = now();
            diesel::update(bp::table.find(&id).filter(bp::version.eq(row.version)))
                .set((
                    bp::pinned.eq(pinned),
                    bp::pinned_at.eq(pinned.then_some(at)),
                    bp::updated_at.eq(at),
                    bp::version.eq(row.version + 1),
                ))
                .execute(conn)?;
            let row = find_post(conn, &id)?.ok_or_else(|| ApiError::internal("post vanished"))?;
            changed(conn, &ctx, &actor, &id)?;
            post_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&post, post.version))
}

#[utoipa::path(
    post, path = "/api/v1/board-posts/{id}/pin", operation_id = "pinBoardPost", tag = "board",
    summary = "Pin a board post to the top",
    description = "The CSM side (the project's CSM or an administrator) decides what stays on top; client users and other staff get 403. Pinning a pinned post changes nothing. `If-Match` is honoured.",
    params(("id" = String, Path, description = "Board post id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "The post, pinned", body = BoardPost, headers(("ETag" = String))),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/board-posts/{id}/pin")]
pub async fn pin(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    set_pinned(state, actor, id.into_inner(), if_match, true).await
}

#[utoipa::path(
    post, path = "/api/v1/board-posts/{id}/unpin", operation_id = "unpinBoardPost", tag = "board",
    summary = "Unpin a board post",
    description = "The CSM side only, as for pinning. Unpinning a post that is not pinned changes nothing. `If-Match` is honoured.",
    params(("id" = String, Path, description = "Board post id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "The post, unpinned", body = BoardPost, headers(("ETag" = String))),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/board-posts/{id}/unpin")]
pub async fn unpin(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    set_pinned(state, actor, id.into_inner(), if_match, false).await
}

#[utoipa::path(
    get, path = "/api/v1/board-posts/{id}/comments", operation_id = "listBoardComments", tag = "board",
    summary = "List a board post's comments, oldest first",
    description = "Everyone who can see the post's project.",
    params(("id" = String, Path, description = "Board post id"), PageQuery),
    responses((status = 200, description = "A page of comments", body = Page<BoardComment>)),
    security(("bearer" = [])),
)]
#[get("/board-posts/{id}/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::from_query(&query)?;
    let id = id.into_inner();
    let result = state
        .db
        .run(move |conn| {
            access_post(conn, &actor, &id)?;
            let mut q = bc::table
                .filter(bc::post_id.eq(&id))
                .select(bc::all_columns)
                .order(bc::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                q = q.filter(bc::id.gt(after.clone()));
            }
            let rows: Vec<CommentRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| comment_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/board-posts/{id}/comments", operation_id = "commentBoardPost", tag = "board",
    summary = "Comment on a board post",
    description = "The client's users and the project's CSM (administrators count as the CSM side); other staff get 403. The post's author and earlier commenters are notified (`board_comment`), except you; participants receive `board.changed`. Markdown, rendered as for posts. Send an `Idempotency-Key` header to make retries safe.",
    params(("id" = String, Path, description = "Board post id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewBoardComment,
    responses(
        (status = 201, description = "Commented", body = BoardComment),
        (status = 403, description = "You can see the project but do not take part in it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/board-posts/{id}/comments")]
pub async fn create_comment(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: web::Json<NewBoardComment>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    board::validate_comment(&new).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            let (post, ctx) = access_post(conn, &actor, &id)?;
            policy::take_part(ctx.side)?;
            create_once(conn, &actor.user_id, &key, &(&id, &new), |conn| {
                let text = new.body.trim();
                let row = CommentRow {
                    id: new_id(),
                    post_id: id.clone(),
                    author_id: Some(actor.user_id.clone()),
                    body: text.to_string(),
                    body_html: markdown::to_html(text),
                    created_at: now(),
                };
                // Who hears: the post's author and everyone who commented before.
                let mut told: Vec<String> = bc::table
                    .filter(bc::post_id.eq(&id))
                    .filter(bc::author_id.is_not_null())
                    .select(bc::author_id.assume_not_null())
                    .distinct()
                    .load(conn)?;
                told.extend(post.author_id.clone());
                // Only those who can still open the post: participants, and administrators.
                let participants = ctx.participants(conn)?;
                let admins: Vec<String> = u::table
                    .filter(u::id.eq_any(&told))
                    .filter(u::role.eq(Role::Admin.as_str()))
                    .filter(u::active.eq(true))
                    .select(u::id)
                    .load(conn)?;
                told.retain(|u| participants.contains(u) || admins.contains(u));
                diesel::insert_into(bc::table)
                    .values((
                        bc::id.eq(&row.id),
                        bc::post_id.eq(&row.post_id),
                        bc::author_id.eq(&row.author_id),
                        bc::body.eq(&row.body),
                        bc::body_html.eq(&row.body_html),
                        bc::created_at.eq(row.created_at),
                    ))
                    .execute(conn)?;
                let comment = comment_dtos(conn, vec![row])?
                    .pop()
                    .ok_or_else(|| ApiError::internal("comment vanished"))?;
                notify(
                    conn,
                    &config,
                    &told,
                    &Notice {
                        kind: NotificationKind::BoardComment,
                        title: format!("{} commented on a board post", comment.author_name),
                        body: preview(&comment.body, PREVIEW_CHARS),
                        project_id: Some(ctx.project.id.clone()),
                        link: Some(ctx.link(Some("board"))),
                        actor_id: Some(actor.user_id.clone()),
                    },
                )?;
                changed(conn, &ctx, &actor, &id)?;
                Ok(comment)
            })
        })
        .await?;
    Ok(idempotency::respond(created, |_| None, |_| None))
}
