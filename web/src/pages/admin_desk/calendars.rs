//! Business calendars: weekly opening hours in a time zone, and holidays. Hours are typed per
//! day as `09:00-13:00, 14:00-18:00` (an empty day is closed, `24:00` is midnight); the API
//! checks the time zone. A calendar an SLA policy uses cannot be deleted (`409`, shown).

use chrono::{NaiveDate, NaiveTime, Weekday};
use leptos::prelude::*;
use shared::desk::config::{CalendarInput, CalendarRecord, validate_calendar_input};
use shared::desk::sla::{OpenInterval, WeeklyHours};
use shared::{FieldError, Problem};

use super::{SectionHead, delete_button};
use crate::api;
use crate::api::Versioned;
use crate::components::edit_panel::{EditPanel, PanelText, Record, RecordFields};
use crate::components::field::TextField;
use crate::components::form::FormState;
use crate::components::paged::Paged;

/// The fields shown, one per day: an error on the whole `week` (no day open) has no field of
/// its own, so the form's banner lists it.
const FIELDS: &[&str] = &[
    "name",
    "time_zone",
    "week.mon",
    "week.tue",
    "week.wed",
    "week.thu",
    "week.fri",
    "week.sat",
    "week.sun",
    "holidays",
];

/// `(day, field, label)` in week order.
const DAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "week.mon", "Monday"),
    (Weekday::Tue, "week.tue", "Tuesday"),
    (Weekday::Wed, "week.wed", "Wednesday"),
    (Weekday::Thu, "week.thu", "Thursday"),
    (Weekday::Fri, "week.fri", "Friday"),
    (Weekday::Sat, "week.sat", "Saturday"),
    (Weekday::Sun, "week.sun", "Sunday"),
];

impl Record for CalendarRecord {
    type New = CalendarInput;
    /// The whole calendar when anything changed (the API replaces it whole).
    type Patch = Option<CalendarInput>;
    const NOUN: &'static str = "calendar";

    fn id(&self) -> &str {
        &self.id
    }

    fn describe(&self) -> String {
        format!("Calendar “{}”", self.name)
    }

    async fn get(id: String) -> Result<Versioned<Self>, Problem> {
        api::desk_config::calendar(&id).await
    }

    async fn create(new: CalendarInput) -> Result<Self, Problem> {
        api::desk_config::create_calendar(&new).await
    }

    async fn update(
        id: String,
        etag: String,
        patch: Option<CalendarInput>,
    ) -> Result<Versioned<Self>, Problem> {
        match patch {
            Some(input) => api::desk_config::replace_calendar(&id, &etag, &input).await,
            None => api::desk_config::calendar(&id).await,
        }
    }
}

/// `09:00-13:00, 14:00-24:00`.
fn hours_text(day: &[OpenInterval]) -> String {
    day.iter()
        .map(|iv| {
            let end = iv
                .end
                .map(|e| e.format("%H:%M").to_string())
                .unwrap_or_else(|| "24:00".into());
            format!("{}-{end}", iv.start.format("%H:%M"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn hours(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Vec<OpenInterval> {
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once(['-', '–']).and_then(|(a, b)| {
            let end = if b.trim() == "24:00" {
                Some(None)
            } else {
                time(b).map(Some)
            };
            Some(OpenInterval::new(time(a)?, end?))
        });
        match parsed {
            Some(iv) => out.push(iv),
            None => {
                errors.push(FieldError::new(
                    field,
                    "format",
                    format!("“{part}” is not like 09:00-18:00"),
                ));
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
pub struct CalendarFields {
    name: RwSignal<String>,
    time_zone: RwSignal<String>,
    days: [RwSignal<String>; 7],
    holidays: RwSignal<String>,
}

impl CalendarFields {
    fn new() -> Self {
        CalendarFields {
            name: RwSignal::new(String::new()),
            time_zone: RwSignal::new(String::new()),
            days: std::array::from_fn(|_| RwSignal::new(String::new())),
            holidays: RwSignal::new(String::new()),
        }
    }

    fn input(&self) -> Result<CalendarInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut week = WeeklyHours::closed();
        for (i, (day, field, _)) in DAYS.into_iter().enumerate() {
            *week.day_mut(day) = hours(field, &self.days[i].get_untracked(), &mut errors);
        }
        let mut holidays = Vec::new();
        for d in super::list(&self.holidays.get_untracked()) {
            match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                Ok(date) => holidays.push(date),
                Err(_) => errors.push(FieldError::new(
                    "holidays",
                    "format",
                    format!("“{d}” is not a date like 2026-12-25"),
                )),
            }
        }
        let input = CalendarInput {
            name: self.name.get_untracked(),
            time_zone: self.time_zone.get_untracked().trim().to_string(),
            week,
            holidays,
        };
        errors.extend(validate_calendar_input(&input));
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

impl RecordFields<CalendarRecord> for CalendarFields {
    fn clear(&self) {
        self.name.set(String::new());
        self.time_zone.set("Europe/Rome".into());
        for (i, d) in self.days.iter().enumerate() {
            d.set(if i < 5 {
                "09:00-18:00".into()
            } else {
                String::new()
            });
        }
        self.holidays.set(String::new());
    }

    fn fill(&self, c: &CalendarRecord) {
        self.name.set(c.name.clone());
        self.time_zone.set(c.time_zone.clone());
        for (i, (day, _, _)) in DAYS.into_iter().enumerate() {
            self.days[i].set(hours_text(c.week.day(day)));
        }
        self.holidays.set(
            c.holidays
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }

    fn new_body(&self) -> Result<CalendarInput, Vec<FieldError>> {
        self.input()
    }

    fn patch_body(&self, c: &CalendarRecord) -> Result<Option<CalendarInput>, Vec<FieldError>> {
        let input = self.input()?;
        let same = input.name.trim() == c.name
            && input.time_zone == c.time_zone
            && input.week == c.week
            && input.holidays == c.holidays;
        Ok((!same).then_some(input))
    }
}

#[component]
fn CalendarFieldsView(fields: CalendarFields, form: FormState) -> impl IntoView {
    view! {
        <TextField label="Name" field="name" value=fields.name form test="calendar-name" required=true />
        <TextField label="Time zone" field="time_zone" value=fields.time_zone form test="calendar-time-zone" required=true placeholder="Europe/Rome" />
        <p class="hint">"Opening hours per day, like 09:00-13:00, 14:00-18:00; leave a day empty when closed."</p>
        {DAYS.into_iter().enumerate().map(|(i, (_, field, label))| view! {
            <TextField label field value=fields.days[i] form test=field />
        }).collect_view()}
        <TextField label="Holidays (comma-separated dates)" field="holidays" value=fields.holidays form test="calendar-holidays" placeholder="2026-12-25, 2026-12-26" />
    }
}

#[component]
pub fn CalendarsSection(calendars: Paged<CalendarRecord>) -> impl IntoView {
    let panel = EditPanel::new(CalendarFields::new(), FIELDS, calendars);
    let error = RwSignal::new(None::<String>);
    let form = panel.form;
    let panel_view = panel.view(
        PanelText {
            test: "calendar",
            create: ("New business calendar", "Add calendar"),
            edit: ("Edit business calendar", "Save changes"),
        },
        move |_| view! { <CalendarFieldsView fields=panel.fields form /> },
    );
    view! {
        <section class="desk-config-section" data-test="calendars-section">
            <SectionHead title="Business calendars" test="calendar" add="New calendar" on_add=Callback::new(move |()| panel.open_create()) />
            {move || panel.notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="calendar-page-notice">{n}</div> })}
            {panel_view}
            {move || error.get().or_else(|| calendars.error.get()).map(|e| view! { <p class="field-errors" role="alert" data-test="calendar-list-error">{e}</p> })}
            <ul class="rows" data-test="calendar-list">
                {move || calendars.items.get().into_iter().map(|c| {
                    let id = c.id.clone();
                    let open_days = DAYS.iter().filter(|(d, _, _)| !c.week.day(*d).is_empty()).count();
                    let meta = format!(
                        "{} · open {open_days} day{} a week · {} holiday{} · used by {} polic{}",
                        c.time_zone,
                        if open_days == 1 { "" } else { "s" },
                        c.holidays.len(),
                        if c.holidays.len() == 1 { "" } else { "s" },
                        c.policy_count,
                        if c.policy_count == 1 { "y" } else { "ies" },
                    );
                    let doomed = c.clone();
                    view! {
                        <li class="row static" data-test="calendar-row">
                            <span class="row-title">{c.name.clone()}</span>
                            <span class="row-meta">{meta}</span>
                            <div class="actions">
                                <button class="button secondary small" type="button" data-test="calendar-edit" on:click=move |_| panel.open_edit(id.clone())>"Edit"</button>
                                {delete_button("calendar-delete", error, move || {
                                    let doomed = doomed.clone();
                                    async move {
                                        api::desk_config::remove_calendar(&doomed).await?;
                                        calendars.items.update(|all| all.retain(|x| x.id != doomed.id));
                                        Ok(())
                                    }
                                })}
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || (!calendars.loading.get() && calendars.items.with(Vec::is_empty)).then(|| view! {
                <p class="muted" data-test="calendar-empty">"No calendar yet: SLA targets count around the clock (UTC)."</p>
            })}
        </section>
    }
}
