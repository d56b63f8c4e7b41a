//! The Agenda section: appointments and item dates in a list, week or month view; the CSM
//! records appointments; everyone finds their calendar feed here. Changes show at once
//! (`agenda.changed`, and `activity.changed` for due dates).

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::agenda::{Agenda, AgendaEntry, AgendaKind};

use super::appointment_form::AppointmentForm;
use super::use_project;
use crate::components::calendar_feed::CalendarFeedPanel;
use crate::{api, format, live};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    List,
    Week,
    Month,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::List => "list",
            Mode::Week => "week",
            Mode::Month => "month",
        }
    }
}

/// How many weeks the list view shows from its start.
const LIST_WEEKS: i64 = 8;

fn monday_of(d: NaiveDate) -> NaiveDate {
    d.week(Weekday::Mon).first_day()
}

/// The first and last day a view of `anchor` covers.
fn span(mode: Mode, anchor: NaiveDate) -> (NaiveDate, NaiveDate) {
    match mode {
        Mode::List => (
            anchor,
            anchor + Duration::weeks(LIST_WEEKS) - Duration::days(1),
        ),
        Mode::Week => {
            let start = monday_of(anchor);
            (start, start + Duration::days(6))
        }
        Mode::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            let start = monday_of(first);
            (start, start + Duration::days(41))
        }
    }
}

/// Where "previous" and "next" lead.
fn step(mode: Mode, anchor: NaiveDate, forward: bool) -> NaiveDate {
    let sign = if forward { 1 } else { -1 };
    match mode {
        Mode::List => anchor + Duration::weeks(LIST_WEEKS * sign),
        Mode::Week => anchor + Duration::weeks(sign),
        Mode::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            if forward {
                first.checked_add_months(Months::new(1)).unwrap_or(first)
            } else {
                first.checked_sub_months(Months::new(1)).unwrap_or(first)
            }
        }
    }
}

fn title_of(mode: Mode, anchor: NaiveDate) -> String {
    let (from, to) = span(mode, anchor);
    match mode {
        Mode::Month => anchor.format("%B %Y").to_string(),
        _ => format!("{} – {}", format::date(from), format::date(to)),
    }
}

/// The day an entry falls on, in the browser's time zone for appointments.
fn day_of(e: &AgendaEntry) -> Option<NaiveDate> {
    e.starts_at.map(format::local_date).or(e.date)
}

fn entries_on(agenda: &Option<Agenda>, day: NaiveDate) -> Vec<AgendaEntry> {
    agenda
        .as_ref()
        .map(|a| {
            a.entries
                .iter()
                .filter(|e| day_of(e) == Some(day))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[component]
pub fn AgendaSection() -> impl IntoView {
    let pv = use_project();
    let today = format::today();
    let mode = RwSignal::new(Mode::List);
    let anchor = RwSignal::new(monday_of(today));
    let agenda = RwSignal::new(None::<Agenda>);
    let error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(today);
    let creating = RwSignal::new(false);
    let editing = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let generation = RwSignal::new(0u32);

    let load = move || {
        let (from, to) = span(mode.get_untracked(), anchor.get_untracked());
        let id = pv.id.get_untracked();
        generation.update(|g| *g += 1);
        let mine = generation.get_untracked();
        spawn_local(async move {
            let result = api::agenda::agenda(&id, from, to).await;
            if generation.try_get_untracked() != Some(mine) {
                return;
            }
            match result {
                Ok(a) => {
                    error.set(None);
                    agenda.set(Some(a));
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    };
    Effect::new(move |_| {
        pv.id.track();
        mode.track();
        anchor.track();
        load();
    });
    for prefix in ["agenda.", "activity."] {
        live::on(prefix, move |events| {
            if live::for_project(&events, &pv.id.get_untracked()) {
                load();
            }
        });
    }
    let choose = move |m: Mode| {
        mode.set(m);
        anchor.set(match m {
            Mode::List | Mode::Week => monday_of(today),
            Mode::Month => today.with_day(1).unwrap_or(today),
        });
    };
    let saved = Callback::new(move |message: String| {
        creating.set(false);
        editing.set(None);
        notice.set(Some(message));
        load();
        pv.reload();
    });
    let edit = Callback::new(move |id: String| {
        creating.set(false);
        editing.set(Some(id));
    });

    view! {
        <div class="section agenda" data-test="agenda">
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="section-error">{e}</div> })}
            {move || notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="agenda-notice">{n}</div> })}
            <div class="agenda-bar">
                <div class="segmented" role="group" aria-label="View">
                    {[Mode::List, Mode::Week, Mode::Month].into_iter().map(|m| view! {
                        <button
                            class="seg-button"
                            class:active=move || mode.get() == m
                            aria-pressed=move || if mode.get() == m { "true" } else { "false" }
                            data-test=format!("agenda-view-{}", m.name())
                            on:click=move |_| choose(m)
                        >
                            {match m { Mode::List => "List", Mode::Week => "Week", Mode::Month => "Month" }}
                        </button>
                    }).collect_view()}
                </div>
                {move || pv.runs().then(|| view! {
                    <button class="button small" data-test="appointment-new" on:click=move |_| { editing.set(None); creating.set(true); }>
                        "New appointment"
                    </button>
                })}
            </div>
            <Show when=move || creating.get()>
                <AppointmentForm existing=None on_saved=saved on_cancel=Callback::new(move |()| creating.set(false)) />
            </Show>
            {move || editing.get().map(|id| view! {
                <AppointmentForm existing=Some(id) on_saved=saved on_cancel=Callback::new(move |()| editing.set(None)) />
            })}
            <div class="agenda-nav">
                <button class="button secondary small" data-test="agenda-prev" aria-label="Earlier" on:click=move |_| anchor.update(|a| *a = step(mode.get_untracked(), *a, false))>"‹"</button>
                <h2 class="agenda-title" data-test="agenda-title">{move || title_of(mode.get(), anchor.get())}</h2>
                <button class="button secondary small" data-test="agenda-next" aria-label="Later" on:click=move |_| anchor.update(|a| *a = step(mode.get_untracked(), *a, true))>"›"</button>
                <button class="button secondary small" data-test="agenda-today" on:click=move |_| choose(mode.get_untracked())>"Today"</button>
            </div>
            {move || match mode.get() {
                Mode::List => view! { <ListView agenda edit /> }.into_any(),
                Mode::Week => view! { <WeekView agenda anchor edit /> }.into_any(),
                Mode::Month => view! { <MonthView agenda anchor selected edit /> }.into_any(),
            }}
            <h2>"Your calendar feed"</h2>
            <CalendarFeedPanel />
        </div>
    }
}

#[component]
fn ListView(agenda: RwSignal<Option<Agenda>>, edit: Callback<String>) -> impl IntoView {
    view! {
        {move || {
            let entries = agenda.with(|a| a.as_ref().map(|a| a.entries.clone()));
            match entries {
                None => view! { <p class="muted" data-test="loading">"Loading…"</p> }.into_any(),
                Some(e) if e.is_empty() => view! {
                    <p class="empty" data-test="agenda-empty">"Nothing planned in these weeks."</p>
                }.into_any(),
                Some(entries) => {
                    // Grouped by day, in order.
                    let mut days: Vec<(NaiveDate, Vec<AgendaEntry>)> = Vec::new();
                    for e in entries {
                        let Some(d) = day_of(&e) else { continue };
                        match days.last_mut() {
                            Some((last, list)) if *last == d => list.push(e),
                            _ => days.push((d, vec![e])),
                        }
                    }
                    view! {
                        <div class="agenda-list" data-test="agenda-list">
                            {days.into_iter().map(|(d, list)| view! { <Day day=d entries=list edit /> }).collect_view()}
                        </div>
                    }.into_any()
                }
            }
        }}
    }
}

#[component]
fn WeekView(
    agenda: RwSignal<Option<Agenda>>,
    anchor: RwSignal<NaiveDate>,
    edit: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="agenda-week" data-test="agenda-week">
            {move || {
                let start = monday_of(anchor.get());
                agenda.with(|a| {
                    let a = a.clone();
                    (0..7)
                        .map(|i| {
                            let d = start + Duration::days(i);
                            view! { <Day day=d entries=entries_on(&a, d) edit show_empty=true /> }
                        })
                        .collect_view()
                })
            }}
        </div>
    }
}

#[component]
fn MonthView(
    agenda: RwSignal<Option<Agenda>>,
    anchor: RwSignal<NaiveDate>,
    selected: RwSignal<NaiveDate>,
    edit: Callback<String>,
) -> impl IntoView {
    let today = format::today();
    view! {
        <div class="month" data-test="agenda-month">
            {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].into_iter().map(|d| view! { <span class="month-head">{d}</span> }).collect_view()}
            {move || {
                let month = anchor.get().month();
                let (start, _) = span(Mode::Month, anchor.get());
                let a = agenda.get();
                (0..42)
                    .map(|i| {
                        let d = start + Duration::days(i);
                        let list = entries_on(&a, d);
                        let count = list.len();
                        let overdue = list.iter().any(|e| e.overdue);
                        let has_appointment = list.iter().any(|e| e.kind == AgendaKind::Appointment);
                        view! {
                            <button
                                class="month-day"
                                class:other-month=d.month() != month
                                class:today=d == today
                                class:selected=move || selected.get() == d
                                data-test="month-day"
                                data-date=d.to_string()
                                data-count=count.to_string()
                                aria-label=format!("{}: {} entries", format::date(d), count)
                                on:click=move |_| selected.set(d)
                            >
                                <span class="month-num">{d.day()}</span>
                                {(count > 0).then(|| view! {
                                    <span
                                        class="month-dot"
                                        class:dot-overdue=overdue
                                        class:dot-appointment=has_appointment
                                    >
                                        {count.to_string()}
                                    </span>
                                })}
                            </button>
                        }
                    })
                    .collect_view()
            }}
        </div>
        {move || {
            let d = selected.get();
            let list = agenda.with(|a| entries_on(a, d));
            view! { <Day day=d entries=list edit show_empty=true /> }
        }}
    }
}

#[component]
fn Day(
    day: NaiveDate,
    entries: Vec<AgendaEntry>,
    edit: Callback<String>,
    #[prop(optional)] show_empty: bool,
) -> impl IntoView {
    let today = format::today();
    (show_empty || !entries.is_empty()).then(|| {
        view! {
            <section class="agenda-day" class:today=day == today data-test="agenda-day" data-date=day.to_string()>
                <h3 class="agenda-date">{day.format("%a %-d %b").to_string()}</h3>
                {entries.is_empty().then(|| view! { <p class="muted small">"Nothing planned."</p> })}
                <ul class="agenda-entries">
                    {entries.into_iter().map(|e| view! { <Entry e edit /> }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Entry(e: AgendaEntry, edit: Callback<String>) -> impl IntoView {
    let pv = use_project();
    let kind = match e.kind {
        AgendaKind::Appointment => "appointment",
        AgendaKind::DueDate => "due_date",
        AgendaKind::ReviewDate => "review_date",
    };
    let when = match (e.kind, e.starts_at, e.ends_at) {
        (AgendaKind::Appointment, Some(s), Some(end)) => {
            format!("{}–{}", format::local_time(s), format::local_time(end))
        }
        (AgendaKind::Appointment, Some(s), None) => format::local_time(s),
        (AgendaKind::DueDate, ..) if e.overdue => "Overdue".to_string(),
        (AgendaKind::DueDate, ..) => "Due".to_string(),
        _ => "Review".to_string(),
    };
    let label = e
        .appointment_kind
        .map(|k| k.label().to_string())
        .or_else(|| e.responsible.map(|r| format!("{} item", r.label())));
    let editable = e.kind == AgendaKind::Appointment;
    let id = e.id.clone();
    view! {
        <li class="agenda-entry" class:overdue=e.overdue data-test="agenda-entry" data-kind=kind data-id=e.id.clone()>
            <span class="agenda-when">{when}</span>
            <span class="agenda-what">
                <a href=e.link.clone() data-test="agenda-entry-title">{e.title.clone()}</a>
                {label.map(|l| view! { <span class="muted small">" · " {l}</span> })}
                {e.location.clone().map(|l| view! { <span class="muted small">" · " {l}</span> })}
                {e.video_url.clone().map(|u| view! {
                    " " <a class="small" href=u target="_blank" rel="noopener noreferrer">"Join video call"</a>
                })}
            </span>
            {move || (editable && pv.runs()).then(|| {
                let id = id.clone();
                view! {
                    <button class="button secondary small" data-test="appointment-edit" on:click=move |_| edit.run(id.clone())>
                        "Edit"
                    </button>
                }
            })}
        </li>
    }
}
