//! The caller's notifications and their preferences. Every user sees only
//! their own; the policy is the identity in the token.

use actix_web::{HttpResponse, get, post, put, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::notification::{
    Channel, Notification, NotificationKind, NotificationPage, Preference, Preferences, UnreadCount,
};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::{notification_preferences as np, notifications as n};
use crate::db::{DbConn, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::{PageRequest, encode_cursor};
use crate::realtime::events::publish;
use crate::state::AppState;

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

fn select() -> (
    n::id,
    n::kind,
    n::title,
    n::body,
    n::project_id,
    n::link,
    n::actor_id,
    n::created_at,
    n::read_at,
) {
    (
        n::id,
        n::kind,
        n::title,
        n::body,
        n::project_id,
        n::link,
        n::actor_id,
        n::created_at,
        n::read_at,
    )
}

fn to_dtos(conn: &mut DbConn, rows: Vec<Row>) -> ApiResult<Vec<Notification>> {
    let actor_ids: Vec<&String> = rows.iter().filter_map(|r| r.6.as_ref()).collect();
    let names = crate::resources::users::names(conn, actor_ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Notification {
                kind: NotificationKind::parse(&r.1)?,
                actor_name: r.6.as_ref().and_then(|a| names.get(a).cloned()),
                id: r.0,
                title: r.2,
                body: r.3,
                project_id: r.4,
                link: r.5,
                created_at: to_utc(r.7),
                read_at: r.8.map(to_utc),
            })
        })
        .collect())
}

fn unread(conn: &mut DbConn, user_id: &str) -> ApiResult<i64> {
    Ok(n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// The reader's other tabs update their counters from this event.
fn announce_read(conn: &mut DbConn, user_id: &str, unread_count: i64) -> ApiResult<()> {
    publish(
        conn,
        &[user_id.to_string()],
        "notification.read",
        &serde_json::json!({"unread_count": unread_count}),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only notifications not yet read.
    pub unread_only: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/v1/notifications", operation_id = "listNotifications", tag = "notifications",
    summary = "Your notifications, newest first, with your unread count",
    params(ListQuery),
    responses((status = 200, description = "A page of notifications", body = NotificationPage)),
    security(("bearer" = [])),
)]
#[get("/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let page = PageRequest::from_query(&shared::page::PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    })?;
    let result = state
        .db
        .run(move |conn| {
            let mut q = n::table
                .filter(n::user_id.eq(&actor.user_id))
                .order(n::id.desc())
                .limit(page.fetch_limit())
                .select(select())
                .into_boxed();
            if let Some(before) = &page.after {
                q = q.filter(n::id.lt(before.clone()));
            }
            if query.unread_only == Some(true) {
                q = q.filter(n::read_at.is_null());
            }
            let mut rows: Vec<Row> = q.load(conn)?;
            let more = rows.len() as i64 > page.limit;
            rows.truncate(page.limit as usize);
            let next_cursor = if more {
                rows.last().map(|r| encode_cursor(&r.0))
            } else {
                None
            };
            Ok(NotificationPage {
                items: to_dtos(conn, rows)?,
                next_cursor,
                unread_count: unread(conn, &actor.user_id)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/notifications/{id}/read", operation_id = "markNotificationRead", tag = "notifications",
    summary = "Mark one notification read",
    description = "Marking it again changes nothing. Another user's notification is 404.",
    params(("id" = String, Path, description = "Notification id")),
    responses((status = 200, description = "The notification", body = Notification)),
    security(("bearer" = [])),
)]
#[post("/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let item = state
        .db
        .tx(move |conn| {
            let mine = n::table.find(&id).filter(n::user_id.eq(&actor.user_id));
            let changed = diesel::update(mine.filter(n::read_at.is_null()))
                .set(n::read_at.eq(now()))
                .execute(conn)?;
            let row: Row = mine
                .select(select())
                .first(conn)
                .optional()?
                .ok_or_else(|| ApiError::not_found("notification"))?;
            if changed > 0 {
                let count = unread(conn, &actor.user_id)?;
                announce_read(conn, &actor.user_id, count)?;
            }
            to_dtos(conn, vec![row])?
                .pop()
                .ok_or_else(|| ApiError::internal("notification of an unknown kind"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(item))
}

#[utoipa::path(
    post, path = "/api/v1/notifications/read-all", operation_id = "markAllNotificationsRead", tag = "notifications",
    summary = "Mark all your notifications read",
    responses((status = 200, description = "Your unread count (0)", body = UnreadCount)),
    security(("bearer" = [])),
)]
#[post("/notifications/read-all")]
pub async fn mark_all_read(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let count = state
        .db
        .tx(move |conn| {
            diesel::update(
                n::table
                    .filter(n::user_id.eq(&actor.user_id))
                    .filter(n::read_at.is_null()),
            )
            .set(n::read_at.eq(now()))
            .execute(conn)?;
            let count = unread(conn, &actor.user_id)?;
            announce_read(conn, &actor.user_id, count)?;
            Ok(count)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UnreadCount {
        unread_count: count,
    }))
}

fn preferences(conn: &mut DbConn, user_id: &str) -> ApiResult<Preferences> {
    let rows: std::collections::HashMap<String, String> = np::table
        .filter(np::user_id.eq(user_id))
        .select((np::kind, np::channel))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(Preferences {
        preferences: NotificationKind::ALL
            .into_iter()
            .map(|kind| Preference {
                kind,
                channel: rows
                    .get(kind.as_str())
                    .and_then(|c| Channel::parse(c))
                    .unwrap_or(Channel::DEFAULT),
            })
            .collect(),
    })
}

#[utoipa::path(
    get, path = "/api/v1/me/notification-preferences", operation_id = "getNotificationPreferences", tag = "notifications",
    summary = "How you want to hear about each kind of notification",
    description = "Every kind with its channel: `in_app`, `email` (in the app, and by e-mail while you are not online, batched), or `none`.",
    responses((status = 200, description = "Your preferences", body = Preferences)),
    security(("bearer" = [])),
)]
#[get("/me/notification-preferences")]
pub async fn get_preferences(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let prefs = state
        .db
        .run(move |conn| preferences(conn, &actor.user_id))
        .await?;
    Ok(HttpResponse::Ok().json(prefs))
}

#[utoipa::path(
    put, path = "/api/v1/me/notification-preferences", operation_id = "setNotificationPreferences", tag = "notifications",
    summary = "Choose how you hear about kinds of notification",
    description = "Kinds listed are set; kinds not listed keep their current channel. A kind listed twice is an error.",
    request_body = Preferences,
    responses((status = 200, description = "All your preferences as now stored", body = Preferences)),
    security(("bearer" = [])),
)]
#[put("/me/notification-preferences")]
pub async fn set_preferences(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<Preferences>,
) -> ApiResult<HttpResponse> {
    let wanted = body.into_inner();
    let mut seen = std::collections::HashSet::new();
    for (i, p) in wanted.preferences.iter().enumerate() {
        if !seen.insert(p.kind) {
            return Err(ApiError::field(
                &format!("preferences[{i}].kind"),
                "unique",
                "this kind is listed twice",
            ));
        }
    }
    let prefs = state
        .db
        .tx(move |conn| {
            for p in &wanted.preferences {
                diesel::delete(
                    np::table
                        .filter(np::user_id.eq(&actor.user_id))
                        .filter(np::kind.eq(p.kind.as_str())),
                )
                .execute(conn)?;
                diesel::insert_into(np::table)
                    .values((
                        np::user_id.eq(&actor.user_id),
                        np::kind.eq(p.kind.as_str()),
                        np::channel.eq(p.channel.as_str()),
                    ))
                    .execute(conn)?;
            }
            preferences(conn, &actor.user_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(prefs))
}
