//! The agenda: a project's appointments merged with item dates, appointments, and the
//! user's private calendar feed.

use chrono::NaiveDate;
use shared::Problem;
use shared::agenda::{Agenda, Appointment, AppointmentPatch, CalendarFeed, NewAppointment};

use super::client::{Call, etag_of, query, segment};

pub async fn agenda(project_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Agenda, Problem> {
    let qs = query(&[
        ("from", Some(from.to_string())),
        ("to", Some(to.to_string())),
    ]);
    Call::get(format!("/projects/{}/agenda{qs}", segment(project_id)))
        .fetch()
        .await
}

pub async fn create(project_id: &str, new: &NewAppointment) -> Result<Appointment, Problem> {
    Call::post(format!("/projects/{}/appointments", segment(project_id)))
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn update(
    id: &str,
    version: i32,
    patch: &AppointmentPatch,
) -> Result<Appointment, Problem> {
    Call::patch(format!("/appointments/{}", segment(id)))
        .if_match(&etag_of(version))
        .json(patch)?
        .fetch()
        .await
}

pub async fn get(id: &str) -> Result<Appointment, Problem> {
    Call::get(format!("/appointments/{}", segment(id)))
        .fetch()
        .await
}

pub async fn delete(id: &str, version: i32) -> Result<(), Problem> {
    Call::delete(format!("/appointments/{}", segment(id)))
        .if_match(&etag_of(version))
        .run()
        .await
}

pub async fn calendar() -> Result<CalendarFeed, Problem> {
    Call::get("/me/calendar").fetch().await
}

pub async fn regenerate_calendar() -> Result<CalendarFeed, Problem> {
    Call::post("/me/calendar/regenerate").fetch().await
}
