//! A project's agenda: its appointments merged with the checklist's due and
//! review dates, for the web app's month, week and list views.

use actix_web::{HttpResponse, get, web};
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::Deserialize;
use shared::activity::{ActivityState, Responsible};
use shared::agenda::{self, Agenda, AgendaEntry, AgendaKind};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::{activities as a, appointments as ap};
use crate::db::{now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::resources::appointments::AppointmentRow;
use crate::resources::projects;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgendaQuery {
    /// First day, `YYYY-MM-DD` (default: a week before today).
    pub from: Option<NaiveDate>,
    /// Last day, included (default: `from` + 42 days; at most 366 days after `from`).
    pub to: Option<NaiveDate>,
}

type ItemRow = (
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

#[utoipa::path(
    get, path = "/api/v1/projects/{id}/agenda", operation_id = "getAgenda", tag = "agenda",
    summary = "A project's agenda between two dates",
    description = "Appointments (overlapping the range) and the due and review dates of items that are not skipped, sorted by time; on each day the all-day dates come first. Dates are UTC days. Anyone who can see the project.",
    params(("id" = String, Path, description = "Project id"), AgendaQuery),
    responses((status = 200, description = "The agenda", body = Agenda)),
    security(("bearer" = [])),
)]
#[get("/projects/{id}/agenda")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<AgendaQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let today = now().date();
    let (from, to) = agenda::range(query.from, query.to, today).map_err(ApiError::validation)?;
    let result = state
        .db
        .run(move |conn| {
            let ctx = projects::access(conn, &actor, &id)?;
            let start = from.and_time(chrono::NaiveTime::MIN);
            let end = (to + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
            let meetings: Vec<AppointmentRow> = ap::table
                .filter(ap::project_id.eq(&id))
                .filter(ap::starts_at.lt(end))
                .filter(ap::ends_at.gt(start))
                .select(ap::all_columns)
                .load(conn)?;
            let items: Vec<ItemRow> = a::table
                .filter(a::project_id.eq(&id))
                .filter(a::state.ne(ActivityState::Skipped.as_str()))
                .filter(
                    a::due_date
                        .between(from, to)
                        .or(a::review_date.between(from, to)),
                )
                .select((
                    a::id,
                    a::title,
                    a::state,
                    a::responsible,
                    a::due_date,
                    a::review_date,
                ))
                .load(conn)?;
            let mut entries = Vec::with_capacity(meetings.len() + items.len());
            let agenda_link = ctx.link(Some("agenda"));
            for m in meetings {
                entries.push(AgendaEntry {
                    kind: AgendaKind::Appointment,
                    appointment_kind: Some(m.kind()),
                    id: m.id,
                    title: m.title,
                    starts_at: Some(to_utc(m.starts_at)),
                    ends_at: Some(to_utc(m.ends_at)),
                    date: None,
                    time_zone: Some(m.time_zone),
                    location: m.location,
                    video_url: m.video_url,
                    state: None,
                    responsible: None,
                    overdue: false,
                    link: agenda_link.clone(),
                });
            }
            let items_link = ctx.link(Some("activities"));
            for (item_id, title, state, responsible, due, review) in items {
                let state = ActivityState::parse(&state).unwrap_or(ActivityState::Todo);
                let responsible = Responsible::parse(&responsible);
                let dates = [(AgendaKind::DueDate, due), (AgendaKind::ReviewDate, review)];
                for (kind, date) in dates {
                    let Some(date) = date.filter(|d| (from..=to).contains(d)) else {
                        continue;
                    };
                    entries.push(AgendaEntry {
                        kind,
                        id: item_id.clone(),
                        title: title.clone(),
                        starts_at: None,
                        ends_at: None,
                        date: Some(date),
                        time_zone: None,
                        appointment_kind: None,
                        location: None,
                        video_url: None,
                        state: Some(state),
                        responsible,
                        overdue: kind == AgendaKind::DueDate && agenda::overdue(state, date, today),
                        link: items_link.clone(),
                    });
                }
            }
            agenda::sort(&mut entries);
            Ok(Agenda {
                project_id: id,
                from,
                to,
                entries,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
