//! Appointments of a project: the CSM records, reschedules and cancels them;
//! everyone in the project reads them. Attendees are the project's participants.

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::FieldError;
use shared::agenda::{
    self, Appointment, AppointmentKind, AppointmentPatch, Attendee, NewAppointment,
};
use shared::notification::NotificationKind;

use crate::auth::Actor;
use crate::config::Config;
use crate::db::schema::{appointment_attendees as aa, appointments as ap, users as u};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::notify::{Notice, notify};
use crate::policy;
use crate::realtime::events::publish;
use crate::resources::ok_with_etag;
use crate::resources::projects::{self, ProjectCtx};
use crate::state::AppState;

#[derive(Queryable, Debug, Clone)]
pub struct AppointmentRow {
    pub id: String,
    pub project_id: String,
    pub title: String,
    pub kind: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub time_zone: String,
    pub location: Option<String>,
    pub video_url: Option<String>,
    pub description: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl AppointmentRow {
    pub fn kind(&self) -> AppointmentKind {
        AppointmentKind::parse(&self.kind).unwrap_or(AppointmentKind::Other)
    }

    /// "Tue 1 Dec 2026, 10:00 CET", in the zone the appointment was planned in.
    pub fn local_start(&self) -> String {
        local_time(to_utc(self.starts_at), &self.time_zone)
    }
}

/// Whether `name` is an IANA time zone the server knows.
pub fn zone_exists(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

/// A wall-clock time in `zone` (UTC if the zone is unknown).
pub fn local_time(at: DateTime<Utc>, zone: &str) -> String {
    const FORMAT: &str = "%a %-d %b %Y, %H:%M %Z";
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format(FORMAT).to_string(),
        Err(_) => at.format(FORMAT).to_string(),
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<AppointmentRow>> {
    Ok(ap::table
        .find(id)
        .select(ap::all_columns)
        .first(conn)
        .optional()?)
}

/// The appointment and its project, if the caller may see the project; else 404.
pub fn access(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> ApiResult<(AppointmentRow, ProjectCtx)> {
    let row = find(conn, id)?.ok_or_else(|| ApiError::not_found("appointment"))?;
    let ctx = projects::access(conn, actor, &row.project_id)
        .map_err(|_| ApiError::not_found("appointment"))?;
    Ok((row, ctx))
}

/// Attendees of several appointments, by appointment, sorted by name.
pub fn attendees(conn: &mut DbConn, ids: &[String]) -> ApiResult<HashMap<String, Vec<Attendee>>> {
    let mut map: HashMap<String, Vec<Attendee>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let rows: Vec<(String, String, String)> = aa::table
        .inner_join(u::table.on(u::id.eq(aa::user_id)))
        .filter(aa::appointment_id.eq_any(ids))
        .order((u::name.asc(), u::id.asc()))
        .select((aa::appointment_id, u::id, u::name))
        .load(conn)?;
    for (appointment, id, name) in rows {
        map.entry(appointment)
            .or_default()
            .push(Attendee { id, name });
    }
    Ok(map)
}

pub fn to_dtos(conn: &mut DbConn, rows: Vec<AppointmentRow>) -> ApiResult<Vec<Appointment>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut people = attendees(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Appointment {
            kind: r.kind(),
            attendees: people.remove(&r.id).unwrap_or_default(),
            id: r.id,
            project_id: r.project_id,
            title: r.title,
            starts_at: to_utc(r.starts_at),
            ends_at: to_utc(r.ends_at),
            time_zone: r.time_zone,
            location: r.location,
            video_url: r.video_url,
            description: r.description,
            created_by: r.created_by,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            version: r.version,
        })
        .collect())
}

fn to_dto(conn: &mut DbConn, row: AppointmentRow) -> ApiResult<Appointment> {
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("appointment vanished"))
}

/// The attendees, each once, after checking that every one takes part in the project.
fn check_attendees(conn: &mut DbConn, ctx: &ProjectCtx, ids: &[String]) -> ApiResult<Vec<String>> {
    let participants: BTreeSet<String> = ctx.participants(conn)?.into_iter().collect();
    let mut errors = Vec::new();
    let mut chosen = BTreeSet::new();
    for (i, id) in ids.iter().enumerate() {
        if participants.contains(id.trim()) {
            chosen.insert(id.trim().to_string());
        } else {
            errors.push(FieldError::new(
                format!("attendee_ids[{i}]"),
                "participant",
                "must be one of the project's participants: the client's users or the CSM",
            ));
        }
    }
    if errors.is_empty() {
        Ok(chosen.into_iter().collect())
    } else {
        Err(ApiError::validation(errors))
    }
}

fn write_attendees(conn: &mut DbConn, appointment_id: &str, ids: &[String]) -> ApiResult<()> {
    diesel::delete(aa::table.filter(aa::appointment_id.eq(appointment_id))).execute(conn)?;
    for id in ids {
        diesel::insert_into(aa::table)
            .values((aa::appointment_id.eq(appointment_id), aa::user_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

fn attendee_ids(conn: &mut DbConn, appointment_id: &str) -> ApiResult<Vec<String>> {
    Ok(aa::table
        .filter(aa::appointment_id.eq(appointment_id))
        .select(aa::user_id)
        .load(conn)?)
}

/// What happened to an appointment, as its notification says it.
#[derive(Clone, Copy)]
enum Change {
    Created,
    Changed,
    Cancelled,
}

/// Tells the attendees and the project's participants (not the actor), then publishes
/// `agenda.changed` so open agendas reload.
fn announce(
    conn: &mut DbConn,
    config: &Config,
    ctx: &ProjectCtx,
    actor: &Actor,
    attendees: &[String],
    change: Change,
    row: &AppointmentRow,
) -> ApiResult<()> {
    let (kind, title) = match change {
        Change::Created => (NotificationKind::AppointmentCreated, "New appointment"),
        Change::Changed => (NotificationKind::AppointmentChanged, "Appointment changed"),
        Change::Cancelled => (
            NotificationKind::AppointmentChanged,
            "Appointment cancelled",
        ),
    };
    let mut audience = ctx.participants(conn)?;
    audience.extend(attendees.iter().cloned());
    notify(
        conn,
        config,
        &audience,
        &Notice {
            kind,
            title: format!("{title}: {}", row.title),
            body: format!("{} · {}", row.local_start(), ctx.project.name),
            project_id: Some(ctx.project.id.clone()),
            link: Some(ctx.link(Some("agenda"))),
            actor_id: Some(actor.user_id.clone()),
        },
    )?;
    audience.push(actor.user_id.clone());
    audience.sort();
    audience.dedup();
    publish(
        conn,
        &audience,
        "agenda.changed",
        &serde_json::json!({"project_id": ctx.project.id}),
    )
}

/// Trims text and turns empty optional text into "absent".
fn tidy_new(mut a: NewAppointment) -> NewAppointment {
    a.title = a.title.trim().to_string();
    a.time_zone = a.time_zone.trim().to_string();
    a.location = agenda::blank_to_none(a.location);
    a.video_url = agenda::blank_to_none(a.video_url);
    a.description = agenda::blank_to_none(a.description);
    a
}

#[utoipa::path(
    post, path = "/api/v1/projects/{id}/appointments", operation_id = "createAppointment", tag = "agenda",
    summary = "Record an appointment",
    description = "The project's CSM or an administrator. Times are RFC 3339 with any offset (answered in UTC); `time_zone` is an IANA name. Attendees must take part in the project (the client's users or the CSM). Notifies the attendees and the project's participants. Send an `Idempotency-Key` header to make retries safe.",
    params(
        ("id" = String, Path, description = "Project id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer"),
    ),
    request_body = NewAppointment,
    responses(
        (status = 201, description = "Created", body = Appointment, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/projects/{id}/appointments")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    id: web::Path<String>,
    body: web::Json<NewAppointment>,
) -> ApiResult<HttpResponse> {
    let project_id = id.into_inner();
    let new = tidy_new(body.into_inner());
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            let ctx = projects::access(conn, &actor, &project_id)?;
            policy::run_project(ctx.side)?;
            agenda::new_appointment(&new, &zone_exists).map_err(ApiError::validation)?;
            // The project is part of the request: one key may not create in two projects.
            let request = (&project_id, &new);
            create_once(conn, &actor.user_id, &key, &request, |conn| {
                let people = check_attendees(conn, &ctx, &new.attendee_ids)?;
                let id = new_id();
                let at = now();
                diesel::insert_into(ap::table)
                    .values((
                        ap::id.eq(&id),
                        ap::project_id.eq(&ctx.project.id),
                        ap::title.eq(&new.title),
                        ap::kind.eq(new.kind.as_str()),
                        ap::starts_at.eq(new.starts_at.naive_utc()),
                        ap::ends_at.eq(new.ends_at.naive_utc()),
                        ap::time_zone.eq(&new.time_zone),
                        ap::location.eq(&new.location),
                        ap::video_url.eq(&new.video_url),
                        ap::description.eq(&new.description),
                        ap::created_by.eq(&actor.user_id),
                        ap::created_at.eq(at),
                        ap::updated_at.eq(at),
                        ap::version.eq(1),
                    ))
                    .execute(conn)?;
                write_attendees(conn, &id, &people)?;
                let row =
                    find(conn, &id)?.ok_or_else(|| ApiError::internal("appointment vanished"))?;
                announce(conn, &config, &ctx, &actor, &people, Change::Created, &row)?;
                to_dto(conn, row)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |a| Some(format!("/api/v1/appointments/{}", a.id)),
        |a| Some(etag(a.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/appointments/{id}", operation_id = "getAppointment", tag = "agenda",
    summary = "Get one appointment",
    description = "Anyone who can see the project; 404 otherwise.",
    params(("id" = String, Path, description = "Appointment id")),
    responses((status = 200, description = "The appointment", body = Appointment, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/appointments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let appointment = state
        .db
        .run(move |conn| {
            let (row, _) = access(conn, &actor, &id)?;
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&appointment, appointment.version))
}

#[utoipa::path(
    patch, path = "/api/v1/appointments/{id}", operation_id = "updateAppointment", tag = "agenda",
    summary = "Reschedule or edit an appointment",
    description = "The project's CSM or an administrator. Absent fields stay, `null` clears `location`, `video_url` or `description`, `attendee_ids` replaces the list. Notifies the attendees (before and after) and the project's participants.",
    params(
        ("id" = String, Path, description = "Appointment id"),
        ("If-Match" = Option<String>, Header, description = "The version last read (its ETag)"),
    ),
    request_body = AppointmentPatch,
    responses(
        (status = 200, description = "The appointment, changed", body = Appointment, headers(("ETag" = String))),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/appointments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: IfMatch,
    id: web::Path<String>,
    body: web::Json<AppointmentPatch>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let mut p = body.into_inner();
    p.title = p.title.map(|t| t.trim().to_string());
    p.time_zone = p.time_zone.map(|t| t.trim().to_string());
    p.location = p.location.map(agenda::blank_to_none);
    p.video_url = p.video_url.map(agenda::blank_to_none);
    p.description = p.description.map(agenda::blank_to_none);
    let config = state.config.clone();
    let appointment = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "appointments", &id)?;
            let (row, ctx) = access(conn, &actor, &id)?;
            policy::run_project(ctx.side)?;
            if_match.check(row.version)?;
            agenda::appointment_patch(&p, to_utc(row.starts_at), to_utc(row.ends_at), &zone_exists)
                .map_err(ApiError::validation)?;
            if p == AppointmentPatch::default() {
                return to_dto(conn, row);
            }
            let mut told = attendee_ids(conn, &id)?;
            if let Some(ids) = &p.attendee_ids {
                let people = check_attendees(conn, &ctx, ids)?;
                write_attendees(conn, &id, &people)?;
                told.extend(people);
            }
            diesel::update(ap::table.find(&id))
                .set((
                    p.title.as_ref().map(|v| ap::title.eq(v)),
                    p.kind.map(|v| ap::kind.eq(v.as_str())),
                    p.starts_at.map(|v| ap::starts_at.eq(v.naive_utc())),
                    p.ends_at.map(|v| ap::ends_at.eq(v.naive_utc())),
                    p.time_zone.as_ref().map(|v| ap::time_zone.eq(v)),
                    p.location.as_ref().map(|v| ap::location.eq(v)),
                    p.video_url.as_ref().map(|v| ap::video_url.eq(v)),
                    p.description.as_ref().map(|v| ap::description.eq(v)),
                    ap::updated_at.eq(now()),
                    ap::version.eq(ap::version + 1),
                ))
                .execute(conn)?;
            let row = find(conn, &id)?.ok_or_else(|| ApiError::internal("appointment vanished"))?;
            announce(conn, &config, &ctx, &actor, &told, Change::Changed, &row)?;
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&appointment, appointment.version))
}

#[utoipa::path(
    delete, path = "/api/v1/appointments/{id}", operation_id = "deleteAppointment", tag = "agenda",
    summary = "Cancel an appointment",
    description = "The project's CSM or an administrator. Removes it from the agenda and the calendar feeds, and tells the attendees and the project's participants. `If-Match` is honoured when sent.",
    params(
        ("id" = String, Path, description = "Appointment id"),
        ("If-Match" = Option<String>, Header, description = "The version last read (its ETag)"),
    ),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since the version in `If-Match`", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/appointments/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: IfMatch,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let config = state.config.clone();
    state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "appointments", &id)?;
            let (row, ctx) = access(conn, &actor, &id)?;
            policy::run_project(ctx.side)?;
            if_match.check(row.version)?;
            let told = attendee_ids(conn, &id)?;
            write_attendees(conn, &id, &[])?;
            diesel::delete(ap::table.find(&id)).execute(conn)?;
            announce(conn, &config, &ctx, &actor, &told, Change::Cancelled, &row)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
