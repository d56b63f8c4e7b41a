//! The Activities section: the checklist by category with each category's progress; the
//! CSM adds items. Changes from anyone show at once (`activity.changed`).

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::activity::{ActivityList, NewActivity, ProjectSide, Responsible};

use super::activity_row::ActivityRow;
use super::use_project;
use crate::components::empty::EmptyState;
use crate::components::field::{SelectField, TextField};
use crate::components::form::{FormBanner, FormState};
use crate::components::progress::ProgressBar;
use crate::{api, live};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Loading,
    Empty,
    Items,
}

#[component]
pub fn ActivitiesSection() -> impl IntoView {
    let pv = use_project();
    let list = RwSignal::new(None::<ActivityList>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let generation = RwSignal::new(0u32);

    let load = move || {
        let id = pv.id.get_untracked();
        generation.update(|g| *g += 1);
        let mine = generation.get_untracked();
        spawn_local(async move {
            let result = api::activities::list(&id).await;
            if generation.try_get_untracked() != Some(mine) {
                return;
            }
            match result {
                Ok(l) => {
                    error.set(None);
                    list.set(Some(l));
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    };
    // On entering, and when another project is opened in the same page.
    Effect::new(move |_| {
        pv.id.track();
        list.set(None);
        load();
    });
    live::on("activity.", move |events| {
        if live::for_project(&events, &pv.id.get_untracked()) {
            load();
        }
    });
    // What the section shows, apart from the items: redrawn only when this changes, so that
    // rows keep what is open in them (a reason being typed, a history) across live updates.
    let shape = Memo::new(move |_| {
        list.with(|l| match l {
            None => Shape::Loading,
            Some(l) if l.categories.iter().all(|c| c.items.is_empty()) => Shape::Empty,
            Some(_) => Shape::Items,
        })
    });
    let changed = Callback::new(move |message: Option<String>| {
        if message.is_some() {
            notice.set(message);
        }
        load();
        pv.reload();
    });

    view! {
        <div class="section" data-test="activities">
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="section-error">{e}</div> })}
            {move || notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="activity-notice">{n}</div> })}
            {move || match shape.get() {
                Shape::Loading => {
                    error
                        .with(Option::is_none)
                        .then(|| view! { <p class="muted" data-test="loading">"Loading…"</p> })
                        .into_any()
                }
                Shape::Empty if !pv.runs() => {
                    view! {
                        <EmptyState title="No activities yet." test="activities-empty">
                            <p>"Your CSM adds the steps of the project here."</p>
                        </EmptyState>
                    }
                        .into_any()
                }
                _ => {
                    let side = pv.side.get();
                    view! {
                        <For
                            each=move || {
                                list.with(|l| {
                                    l.as_ref()
                                        .map(|l| l.categories.iter().map(|c| (c.id.clone(), c.name.clone())).collect::<Vec<_>>())
                                        .unwrap_or_default()
                                })
                            }
                            key=|c| c.clone()
                            children=move |(id, name)| view! { <Category id name list side on_changed=changed /> }
                        />
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn Category(
    id: String,
    name: String,
    list: RwSignal<Option<ActivityList>>,
    side: ProjectSide,
    on_changed: Callback<Option<String>>,
) -> impl IntoView {
    let category = {
        let id = id.clone();
        Memo::new(move |_| {
            list.with(|l| {
                l.as_ref()
                    .and_then(|l| l.categories.iter().find(|c| c.id == id).cloned())
            })
        })
    };
    let progress = Signal::derive(move || {
        category.with(|c| c.as_ref().map(|c| c.progress).unwrap_or_default())
    });
    let items = move || category.with(|c| c.as_ref().map(|c| c.items.clone()).unwrap_or_default());
    let adding = RwSignal::new(false);
    let cat_id = id;
    view! {
        <section class="category card" data-test="category" data-name=name.clone()>
            <div class="category-head">
                <h2 data-test="category-name">{name.clone()}</h2>
                <ProgressBar progress test="category-progress" label="Category progress" />
            </div>
            {move || {
                category
                    .with(|c| c.as_ref().is_some_and(|c| c.items.is_empty()))
                    .then(|| view! { <p class="muted small">"No items in this category."</p> })
            }}
            <ul class="activities">
                // Keyed by version: a row is redrawn only when its item changed.
                <For
                    each=items
                    key=|i| (i.id.clone(), i.version)
                    children=move |item| view! { <ActivityRow item side on_changed /> }
                />
            </ul>
            {(side == ProjectSide::Csm).then(|| {
                let cat_id = cat_id.clone();
                view! {
                    <Show
                        when=move || adding.get()
                        fallback=move || view! {
                            <button class="button secondary small" data-test="activity-add" on:click=move |_| adding.set(true)>
                                "Add item"
                            </button>
                        }
                    >
                        <NewItemForm category_id=cat_id.clone() on_done=Callback::new(move |m: Option<String>| {
                            adding.set(false);
                            if m.is_some() {
                                on_changed.run(m);
                            }
                        }) />
                    </Show>
                }
            })}
        </section>
    }
}

/// The CSM's form for a new item in a category.
#[component]
fn NewItemForm(category_id: String, on_done: Callback<Option<String>>) -> impl IntoView {
    let pv = use_project();
    let title = RwSignal::new(String::new());
    let responsible = RwSignal::new(Responsible::Client.as_str().to_string());
    let due = RwSignal::new(String::new());
    let form = FormState::new(&["title", "responsible", "due_date"]);
    let category_id = StoredValue::new(category_id);
    let options = Signal::derive(|| {
        [Responsible::Client, Responsible::Csm]
            .into_iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string()))
            .collect::<Vec<_>>()
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let due_text = due.get_untracked();
        let due_date = match due_text.trim() {
            "" => None,
            t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    return form.invalid(vec![shared::FieldError::new(
                        "due_date",
                        "date",
                        "must be a date (YYYY-MM-DD)",
                    )]);
                }
            },
        };
        let new = NewActivity {
            category_id: category_id.get_value(),
            title: title.get_untracked().trim().to_string(),
            description: None,
            responsible: Responsible::parse(&responsible.get_untracked())
                .unwrap_or(Responsible::Client),
            due_date,
            review_date: None,
            links: Vec::new(),
        };
        if let Err(errors) = shared::validate::new_activity(&new) {
            return form.invalid(errors);
        }
        form.busy.set(true);
        let project_id = pv.id.get_untracked();
        spawn_local(async move {
            match api::activities::create(&project_id, &new).await {
                Ok(a) => on_done.run(Some(format!("“{}” added.", a.title))),
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };
    view! {
        <form class="form inline-form" on:submit=submit novalidate=true data-test="activity-new-form">
            <FormBanner form test="activity-new" />
            <TextField label="Title" field="title" value=title form test="activity-new-title" required=true />
            <div class="field-row">
                <SelectField label="Who ticks it" field="responsible" value=responsible options form test="activity-new-responsible" />
                <TextField label="Due date" field="due_date" value=due form test="activity-new-due" kind="date" />
            </div>
            <div class="actions">
                <button class="button small" type="submit" data-test="activity-new-submit" disabled=move || form.busy.get()>
                    "Add item"
                </button>
                <button class="button secondary small" type="button" on:click=move |_| on_done.run(None)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
