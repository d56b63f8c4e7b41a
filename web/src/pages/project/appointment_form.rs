//! The CSM's appointment form: a new appointment, or changing or cancelling one. Times are
//! entered in the browser's time zone, which is also recorded as the appointment's zone.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::agenda::{
    Appointment, AppointmentKind, AppointmentPatch, NewAppointment, blank_to_none, new_appointment,
};
use shared::{ErrorCode, FieldError};

use super::use_project;
use crate::components::field::{MultiCheckField, SelectField, TextField};
use crate::components::form::{FormBanner, FormState};
use crate::{api, format};

const FIELDS: &[&str] = &[
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "time_zone",
    "location",
    "video_url",
    "description",
    "attendee_ids",
];

/// The browser's IANA time zone, such as `Europe/Rome`.
pub fn browser_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".to_string())
}

/// A wall-clock date and time in the browser's zone, as an instant.
fn instant(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    use chrono::{Datelike, Timelike};
    let d = js_sys::Date::new_with_year_month_day_hr_min(
        date.year() as u32,
        date.month0() as i32,
        date.day() as i32,
        time.hour() as i32,
        time.minute() as i32,
    );
    let ms = d.get_time();
    (!ms.is_nan())
        .then(|| DateTime::from_timestamp_millis(ms as i64))
        .flatten()
}

#[derive(Clone, Copy)]
struct Fields {
    title: RwSignal<String>,
    kind: RwSignal<String>,
    date: RwSignal<String>,
    start: RwSignal<String>,
    end: RwSignal<String>,
    location: RwSignal<String>,
    video_url: RwSignal<String>,
    description: RwSignal<String>,
    attendees: RwSignal<Vec<String>>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            title: RwSignal::new(String::new()),
            kind: RwSignal::new(AppointmentKind::Training.as_str().to_string()),
            date: RwSignal::new(format::today().to_string()),
            start: RwSignal::new("10:00".to_string()),
            end: RwSignal::new("11:00".to_string()),
            location: RwSignal::new(String::new()),
            video_url: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            attendees: RwSignal::new(Vec::new()),
        }
    }

    fn fill(&self, a: &Appointment) {
        let start = format::local(a.starts_at);
        let end = format::local(a.ends_at);
        self.title.set(a.title.clone());
        self.kind.set(a.kind.as_str().to_string());
        self.date.set(start.date_naive().to_string());
        self.start.set(start.format("%H:%M").to_string());
        self.end.set(end.format("%H:%M").to_string());
        self.location.set(a.location.clone().unwrap_or_default());
        self.video_url.set(a.video_url.clone().unwrap_or_default());
        self.description
            .set(a.description.clone().unwrap_or_default());
        self.attendees
            .set(a.attendees.iter().map(|x| x.id.clone()).collect());
    }

    /// The typed appointment, or the fields that cannot be read.
    fn read(&self) -> Result<NewAppointment, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = NaiveDate::parse_from_str(self.date.get_untracked().trim(), "%Y-%m-%d");
        let start = NaiveTime::parse_from_str(self.start.get_untracked().trim(), "%H:%M");
        let end = NaiveTime::parse_from_str(self.end.get_untracked().trim(), "%H:%M");
        if date.is_err() {
            errors.push(FieldError::new("starts_at", "date", "pick a day"));
        }
        if start.is_err() {
            errors.push(FieldError::new("starts_at", "time", "pick a start time"));
        }
        if end.is_err() {
            errors.push(FieldError::new("ends_at", "time", "pick an end time"));
        }
        let (Ok(date), Ok(start), Ok(end)) = (date, start, end) else {
            return Err(errors);
        };
        let (Some(starts_at), Some(ends_at)) = (instant(date, start), instant(date, end)) else {
            return Err(vec![FieldError::new(
                "starts_at",
                "time",
                "is not a valid time",
            )]);
        };
        let new = NewAppointment {
            title: self.title.get_untracked().trim().to_string(),
            kind: AppointmentKind::parse(&self.kind.get_untracked())
                .unwrap_or(AppointmentKind::Other),
            starts_at,
            ends_at,
            time_zone: browser_zone(),
            location: blank_to_none(Some(self.location.get_untracked())),
            video_url: blank_to_none(Some(self.video_url.get_untracked())),
            description: blank_to_none(Some(self.description.get_untracked())),
            attendee_ids: self.attendees.get_untracked(),
        };
        // The browser cannot list every zone; the server checks the name.
        new_appointment(&new, &|_| true)?;
        Ok(new)
    }
}

fn patch_from(new: NewAppointment) -> AppointmentPatch {
    AppointmentPatch {
        title: Some(new.title),
        kind: Some(new.kind),
        starts_at: Some(new.starts_at),
        ends_at: Some(new.ends_at),
        time_zone: Some(new.time_zone),
        location: Some(new.location),
        video_url: Some(new.video_url),
        description: Some(new.description),
        attendee_ids: Some(new.attendee_ids),
    }
}

#[component]
pub fn AppointmentForm(
    /// The appointment to change; `None` for a new one.
    existing: Option<String>,
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let pv = use_project();
    let f = Fields::new();
    let form = FormState::new(FIELDS);
    let current = RwSignal::new(None::<Appointment>);
    let people = RwSignal::new(Vec::<(String, String)>::new());
    let editing = existing.is_some();
    let confirm_cancel = RwSignal::new(false);

    if let Some(id) = existing {
        spawn_local(async move {
            match api::agenda::get(&id).await {
                Ok(a) => {
                    f.fill(&a);
                    current.set(Some(a));
                }
                Err(p) => form.fail(p),
            }
        });
    }
    // Who can attend: the client's users and the CSM.
    let project = pv.project.get_untracked();
    spawn_local(async move {
        let Some(p) = project else { return };
        let mut list = Vec::new();
        if let (Some(id), Some(name)) = (p.csm_id.clone(), p.csm_name.clone()) {
            list.push((id, format!("{name} (CSM)")));
        }
        if let Ok(page) =
            api::users::list(Some(p.organization_id.clone()), None, None, Some(200)).await
        {
            list.extend(
                page.items
                    .into_iter()
                    .filter(|u| u.active)
                    .map(|u| (u.id, u.name)),
            );
        }
        people.set(list);
    });

    let kinds = Signal::derive(|| {
        AppointmentKind::ALL
            .into_iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string()))
            .collect::<Vec<_>>()
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let new = match f.read() {
            Ok(n) => n,
            Err(errors) => return form.invalid(errors),
        };
        form.busy.set(true);
        let project_id = pv.id.get_untracked();
        let current = current.get_untracked();
        spawn_local(async move {
            let result = match &current {
                None => api::agenda::create(&project_id, &new)
                    .await
                    .map(|a| format!("“{}” added to the agenda.", a.title)),
                Some(a) => api::agenda::update(&a.id, a.version, &patch_from(new))
                    .await
                    .map(|a| format!("“{}” saved.", a.title)),
            };
            match result {
                Ok(message) => on_saved.run(message),
                Err(mut p) if p.code == ErrorCode::PreconditionFailed => {
                    p.detail = Some("Someone changed this appointment meanwhile. Close the form and open it again.".to_string());
                    form.fail(p);
                }
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };
    let cancel_appointment = move |_| {
        let Some(a) = current.get_untracked() else {
            return;
        };
        form.busy.set(true);
        spawn_local(async move {
            match api::agenda::delete(&a.id, a.version).await {
                Ok(()) => on_saved.run(format!("“{}” cancelled.", a.title)),
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };

    view! {
        <form class="card form" on:submit=submit novalidate=true data-test="appointment-form">
            <h2>{if editing { "Change appointment" } else { "New appointment" }}</h2>
            <FormBanner form test="appointment" />
            <TextField label="Title" field="title" value=f.title form test="appointment-title" required=true placeholder="Training: orders and shipping" />
            <SelectField label="Kind" field="kind" value=f.kind options=kinds form test="appointment-kind" />
            <div class="field-row">
                <TextField label="Day" field="starts_at" value=f.date form test="appointment-date" kind="date" required=true />
                <TextField label="From" field="starts_at_time" value=f.start form test="appointment-start" kind="time" required=true />
                <TextField label="To" field="ends_at" value=f.end form test="appointment-end" kind="time" required=true />
            </div>
            <p class="hint">{format!("Times in {} (your time zone).", browser_zone())}</p>
            <TextField label="Place" field="location" value=f.location form test="appointment-location" />
            <TextField label="Video link" field="video_url" value=f.video_url form test="appointment-video" kind="url" placeholder="https://…" />
            <TextField label="Notes" field="description" value=f.description form test="appointment-description" />
            <MultiCheckField label="Attendees" field="attendee_ids" chosen=f.attendees options=people form test="appointment-attendees" />
            <div class="actions">
                <button class="button" type="submit" data-test="appointment-submit" disabled=move || form.busy.get()>
                    {if editing { "Save" } else { "Add to agenda" }}
                </button>
                <button class="button secondary" type="button" data-test="appointment-cancel-form" on:click=move |_| on_cancel.run(())>
                    "Close"
                </button>
                {editing.then(|| view! {
                    <Show
                        when=move || confirm_cancel.get()
                        fallback=move || view! {
                            <button class="button secondary danger" type="button" data-test="appointment-delete" on:click=move |_| confirm_cancel.set(true)>
                                "Cancel appointment"
                            </button>
                        }
                    >
                        <button class="button danger" type="button" data-test="appointment-delete-confirm" on:click=cancel_appointment>
                            "Yes, cancel it"
                        </button>
                    </Show>
                })}
            </div>
        </form>
    }
}
