//! Private calendar feeds: each user has a secret URL that calendar apps
//! subscribe to without signing in. The feed holds the appointments and the open items' due
//! dates of every project the user can see, read fresh on every fetch. Regenerating the
//! secret makes the old URL answer 404.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, http::header, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::Role;
use shared::activity::{ActivityState, Responsible};
use shared::agenda::CalendarFeed;

use crate::auth::Actor;
use crate::config::Config;
use crate::db::schema::{
    activities as a, appointments as ap, calendar_feeds as cf, organizations as o, projects as p,
    users as u,
};
use crate::db::{DbConn, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::ics::{Calendar, Event, When};
use crate::policy::{self, OrgScope};
use crate::resources::appointments::AppointmentRow;
use crate::state::AppState;

/// The feed covers this many days back …
const DAYS_BACK: i64 = 90;
/// … and this many ahead.
const DAYS_AHEAD: i64 = 365;
/// At most this many appointments and as many due dates, the soonest first.
const MAX_EVENTS: i64 = 5000;
/// Ids per `IN (…)` list, well below both backends' bind limits.
const CHUNK: usize = 1000;

/// 32 random bytes, URL-safe: unguessable, and usable in a path as is.
fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn feed_url(config: &Config, token: &str) -> String {
    format!(
        "{}/api/v1/calendar/{token}.ics",
        config.public_url.trim_end_matches('/')
    )
}

fn feed_of(conn: &mut DbConn, user_id: &str) -> ApiResult<Option<(String, NaiveDateTime)>> {
    Ok(cf::table
        .find(user_id)
        .select((cf::token, cf::created_at))
        .first(conn)
        .optional()?)
}

/// The user's feed, made on first use (two first calls at once agree on one token).
fn ensure_feed(conn: &mut DbConn, user_id: &str) -> ApiResult<(String, NaiveDateTime)> {
    if let Some(feed) = feed_of(conn, user_id)? {
        return Ok(feed);
    }
    let (token, at) = (new_token(), now());
    crate::on_driver!(conn, |c| diesel::insert_into(cf::table)
        .values((
            cf::user_id.eq(user_id),
            cf::token.eq(&token),
            cf::created_at.eq(at)
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    feed_of(conn, user_id)?.ok_or_else(|| ApiError::internal("calendar feed vanished"))
}

fn dto(config: &Config, (token, created_at): (String, NaiveDateTime)) -> CalendarFeed {
    CalendarFeed {
        url: feed_url(config, &token),
        created_at: to_utc(created_at),
    }
}

#[utoipa::path(
    get, path = "/api/v1/me/calendar", operation_id = "getMyCalendarFeed", tag = "agenda",
    summary = "Your private calendar feed URL",
    description = "An iCalendar (RFC 5545) URL to subscribe to from any calendar app: the appointments and open items' due dates of every project you can see. Made on first call. Keep it secret: anyone with the URL can read it.",
    responses((status = 200, description = "The feed", body = CalendarFeed)),
    security(("bearer" = [])),
)]
#[get("/me/calendar")]
pub async fn mine(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let config = state.config.clone();
    let feed = state
        .db
        .tx(move |conn| ensure_feed(conn, &actor.user_id))
        .await?;
    Ok(HttpResponse::Ok().json(dto(&config, feed)))
}

#[utoipa::path(
    post, path = "/api/v1/me/calendar/regenerate", operation_id = "regenerateMyCalendarFeed", tag = "agenda",
    summary = "Replace your calendar feed URL",
    description = "Makes a new secret URL; the old one answers 404 from now on.",
    responses((status = 200, description = "The new feed", body = CalendarFeed)),
    security(("bearer" = [])),
)]
#[post("/me/calendar/regenerate")]
pub async fn regenerate(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let config = state.config.clone();
    let feed = state
        .db
        .tx(move |conn| {
            let (token, at) = (new_token(), now());
            diesel::delete(cf::table.find(&actor.user_id)).execute(conn)?;
            diesel::insert_into(cf::table)
                .values((
                    cf::user_id.eq(&actor.user_id),
                    cf::token.eq(&token),
                    cf::created_at.eq(at),
                ))
                .execute(conn)?;
            Ok((token, at))
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto(&config, feed)))
}

/// The owner of a feed token, as the policy sees them; `None` for an unknown token or an
/// account that is no longer active.
fn owner(conn: &mut DbConn, token: &str) -> ApiResult<Option<(Actor, String)>> {
    let row: Option<(String, String, String, String)> = cf::table
        .inner_join(u::table.on(u::id.eq(cf::user_id)))
        .filter(cf::token.eq(token))
        .filter(u::active.eq(true))
        .select((u::id, u::role, u::organization_id, u::name))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(user_id, role, organization_id, name)| {
        Some((
            Actor {
                user_id,
                session_id: String::new(),
                role: Role::parse(&role)?,
                organization_id,
            },
            name,
        ))
    }))
}

/// A project in the feed: its name and its organisation's.
struct Place {
    project: String,
    org: String,
}

/// The projects `actor` can see, by id.
fn visible_projects(conn: &mut DbConn, actor: &Actor) -> ApiResult<HashMap<String, Place>> {
    let mut q = p::table
        .inner_join(o::table)
        .filter(o::kind.eq("client"))
        .select((p::id, p::name, o::name))
        .into_boxed();
    q = match policy::org_scope(actor) {
        OrgScope::All => q,
        OrgScope::Assigned { csm_id, .. } => q.filter(o::csm_id.eq(csm_id)),
        OrgScope::Own(id) => q.filter(o::id.eq(id)),
    };
    Ok(q.load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, project, org)| (id, Place { project, org }))
        .collect())
}

type DueRow = (
    String,
    String,
    String,
    String,
    NaiveDate,
    NaiveDateTime,
    i32,
);

/// The whole feed of `actor`, as iCalendar text.
fn feed(conn: &mut DbConn, config: &Config, actor: &Actor, name: &str) -> ApiResult<String> {
    let at = now();
    let (from, until) = (
        at - Duration::days(DAYS_BACK),
        at + Duration::days(DAYS_AHEAD),
    );
    let places = visible_projects(conn, actor)?;
    let ids: Vec<&String> = places.keys().collect();
    let mut meetings: Vec<AppointmentRow> = Vec::new();
    let mut dues: Vec<DueRow> = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        meetings.extend(
            ap::table
                .filter(ap::project_id.eq_any(chunk))
                .filter(ap::ends_at.ge(from))
                .filter(ap::starts_at.le(until))
                .order(ap::starts_at.asc())
                .limit(MAX_EVENTS)
                .select(ap::all_columns)
                .load::<AppointmentRow>(conn)?,
        );
        dues.extend(
            a::table
                .filter(a::project_id.eq_any(chunk))
                .filter(a::state.eq(ActivityState::Todo.as_str()))
                .filter(a::due_date.between(from.date(), until.date()))
                .order(a::due_date.asc())
                .limit(MAX_EVENTS)
                .select((
                    a::id,
                    a::project_id,
                    a::title,
                    a::responsible,
                    a::due_date.assume_not_null(),
                    a::updated_at,
                    a::version,
                ))
                .load::<DueRow>(conn)?,
        );
    }
    meetings.sort_by_key(|m| m.starts_at);
    meetings.truncate(MAX_EVENTS as usize);
    dues.sort_by_key(|d| d.4);
    dues.truncate(MAX_EVENTS as usize);

    let base = config.public_url.trim_end_matches('/');
    // Staff follow many clients: their summaries name the client.
    let staff = actor.role.is_staff();
    let suffix = |place: Option<&Place>| match place {
        Some(pl) if staff => format!(" — {}", pl.org),
        _ => String::new(),
    };
    let about = |place: Option<&Place>| match place {
        Some(pl) => format!("{} — {}", pl.project, pl.org),
        None => String::new(),
    };
    let mut cal = Calendar::new(&format!("Tandem — {name}"));
    for m in &meetings {
        let place = places.get(&m.project_id);
        let page = format!("{base}/projects/{}/agenda", m.project_id);
        let mut description = m.description.clone().unwrap_or_default();
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&format!("{}\n{page}", about(place)));
        if let Some(video) = &m.video_url {
            description.push_str(&format!("\nJoin: {video}"));
        }
        cal.event(&Event {
            uid: format!("{}@tandem", m.id),
            sequence: m.version,
            stamp: to_utc(m.updated_at),
            start: When::At(to_utc(m.starts_at)),
            end: When::At(to_utc(m.ends_at)),
            summary: format!("{}{}", m.title, suffix(place)),
            location: m.location.clone(),
            url: Some(m.video_url.clone().unwrap_or(page)),
            description: Some(description),
            status: "CONFIRMED",
        });
    }
    for (id, project_id, title, responsible, due, updated_at, version) in &dues {
        let place = places.get(project_id);
        let page = format!("{base}/projects/{project_id}/activities");
        let side = Responsible::parse(responsible).map_or("", |r| r.label());
        cal.event(&Event {
            uid: format!("{id}-due@tandem"),
            sequence: *version,
            stamp: to_utc(*updated_at),
            start: When::Day(*due),
            end: When::Day(due.succ_opt().unwrap_or(*due)),
            summary: format!("Due: {title}{}", suffix(place)),
            location: None,
            url: Some(page.clone()),
            description: Some(format!("{}\nTo be ticked by: {side}\n{page}", about(place))),
            status: "CONFIRMED",
        });
    }
    Ok(cal.finish())
}

#[utoipa::path(
    get, path = "/api/v1/calendar/{token}.ics", operation_id = "getCalendarFeed", tag = "agenda",
    summary = "A calendar feed (iCalendar)",
    description = "The secret URL from `getMyCalendarFeed`; no sign-in (calendar apps cannot send one). RFC 5545: each appointment as an event in UTC, each open item's due date as an all-day event \"Due: …\", from 90 days back to a year ahead. Always current: nothing is cached. An unknown or replaced token answers 404.",
    params(("token" = String, Path, description = "The feed's secret token")),
    responses(
        (status = 200, description = "The calendar", body = String, content_type = "text/calendar"),
        (status = 404, description = "No feed with this token", body = shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/calendar/{token}.ics")]
pub async fn feed_ics(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let token = token.into_inner();
    let config = state.config.clone();
    let text = state
        .db
        .run(move |conn| {
            let (actor, name) =
                owner(conn, &token)?.ok_or_else(|| ApiError::not_found("calendar feed"))?;
            feed(conn, &config, &actor, &name)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache, private"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "inline; filename=\"tandem.ics\"",
        ))
        .body(text))
}
