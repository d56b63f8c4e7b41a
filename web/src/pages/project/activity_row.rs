//! One checklist item: its details, the moves the state machine in `shared` allows the
//! signed-in side, reopening with a reason, the CSM's due-date edit, and the item's history.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::activity::{
    Activity, ActivityAction, ActivityPatch, ActivityState, ActivityTransition, ProjectSide,
    TransitionRequest, allowed_actions,
};
use shared::{ErrorCode, Problem};

use crate::{api, format};

/// What the row tells the section after a change: reload, with this message for the page.
pub type Changed = Callback<Option<String>>;

fn state_label(s: ActivityState) -> &'static str {
    match s {
        ActivityState::Todo => "To do",
        ActivityState::Done => "Done",
        ActivityState::Skipped => "Not applicable",
    }
}

/// The message for a refused change; a stale item (`412`) is reloaded by the caller.
fn refusal(p: &Problem) -> String {
    if p.code == ErrorCode::PreconditionFailed {
        "Someone else changed this item meanwhile; it now shows its current state.".to_string()
    } else {
        p.message()
    }
}

#[component]
pub fn ActivityRow(item: Activity, side: ProjectSide, on_changed: Changed) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let reopening = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let editing_due = RwSignal::new(false);
    let due_input = RwSignal::new(item.due_date.map(|d| d.to_string()).unwrap_or_default());
    let history_open = RwSignal::new(false);
    let item = StoredValue::new(item);

    let move_item = move |action: ActivityAction, why: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        let (id, version) = item.with_value(|i| (i.id.clone(), i.version));
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let req = TransitionRequest {
                action,
                reason: why,
            };
            match api::activities::transition(&id, version, &req).await {
                Ok(a) => {
                    let message = match action {
                        ActivityAction::Complete => format!("“{}” marked done.", a.title),
                        ActivityAction::Reopen => format!("“{}” reopened.", a.title),
                        ActivityAction::Skip => format!("“{}” marked not applicable.", a.title),
                    };
                    on_changed.run(Some(message));
                }
                Err(p) => {
                    let stale = p.code == ErrorCode::PreconditionFailed;
                    error.set(Some(refusal(&p)));
                    if stale {
                        on_changed.run(None);
                    }
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let on_action = move |action: ActivityAction| {
        if action == ActivityAction::Reopen {
            reason.set(String::new());
            reopening.set(true);
        } else {
            move_item(action, None);
        }
    };
    let on_reopen = move |ev: SubmitEvent| {
        ev.prevent_default();
        let why = reason.get_untracked().trim().to_string();
        if why.is_empty() {
            error.set(Some("Say why the item is reopened.".to_string()));
            return;
        }
        if let Err(errors) = shared::validate::reason(Some(&why)) {
            error.set(errors.first().map(|e| format!("Reason: {}", e.message)));
            return;
        }
        reopening.set(false);
        move_item(ActivityAction::Reopen, Some(why));
    };

    let save_due = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = due_input.get_untracked();
        let due = if text.trim().is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    error.set(Some("Enter the date as YYYY-MM-DD.".to_string()));
                    return;
                }
            }
        };
        let (id, version) = item.with_value(|i| (i.id.clone(), i.version));
        let patch = ActivityPatch {
            due_date: Some(due),
            ..ActivityPatch::default()
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::activities::update(&id, version, &patch).await {
                Ok(a) => {
                    let _ = editing_due.try_set(false);
                    let when = a
                        .due_date
                        .map(format::date)
                        .unwrap_or_else(|| "no date".into());
                    on_changed.run(Some(format!("“{}” is now due: {when}.", a.title)));
                }
                Err(p) => {
                    error.set(Some(refusal(&p)));
                    if p.code == ErrorCode::PreconditionFailed {
                        on_changed.run(None);
                    }
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let i = item.get_value();
    let actions = allowed_actions(side, i.responsible, i.state);
    let csm = side == ProjectSide::Csm;
    let due_class = if i.overdue {
        "activity-due overdue"
    } else {
        "activity-due"
    };
    let state_class = format!("badge state-{}", i.state.as_str());
    let done_by = match (i.state, &i.done_by_name, i.done_at) {
        (ActivityState::Done, Some(who), Some(at)) => {
            Some(format!("by {who}, {}", format::local_datetime(at)))
        }
        (ActivityState::Done, None, Some(at)) => Some(format::local_datetime(at)),
        _ => None,
    };
    view! {
        <li
            class="activity"
            class:activity-done=i.state == ActivityState::Done
            class:activity-skipped=i.state == ActivityState::Skipped
            data-test="activity"
            data-id=i.id.clone()
            data-state=i.state.as_str()
            data-responsible=i.responsible.as_str()
        >
            <div class="activity-main">
                <span class="activity-title" data-test="activity-title">{i.title.clone()}</span>
                <span class="activity-tags">
                    <span class=format!("badge who-{}", i.responsible.as_str()) data-test="activity-responsible">
                        {i.responsible.label()}
                    </span>
                    <span class=state_class data-test="activity-state">{state_label(i.state)}</span>
                    {done_by.map(|d| view! { <span class="muted small">{d}</span> })}
                </span>
                {i.due_date.map(|d| {
                    view! {
                        <span class=due_class data-test="activity-due" data-overdue=if i.overdue { "true" } else { "false" }>
                            {if i.overdue { "Overdue since " } else { "Due " }}
                            {format::date(d)}
                        </span>
                    }
                })}
                {i.review_date.map(|d| view! { <span class="muted small">"Review " {format::date(d)}</span> })}
                {i.description.clone().filter(|d| !d.trim().is_empty()).map(|d| view! { <p class="activity-desc">{d}</p> })}
                {(!i.links.is_empty()).then(|| {
                    view! {
                        <ul class="activity-links">
                            {i.links.iter().map(|l| view! {
                                <li><a href=l.url.clone() target="_blank" rel="noopener noreferrer">{l.title.clone()}</a></li>
                            }).collect_view()}
                        </ul>
                    }
                })}
            </div>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="activity-error">{e}</p> })}
            <div class="actions activity-actions">
                {actions
                    .into_iter()
                    .map(|a| {
                        let primary = a == ActivityAction::Complete;
                        view! {
                            <button
                                class=if primary { "button small" } else { "button secondary small" }
                                data-test=format!("activity-action-{}", a.as_str())
                                disabled=move || busy.get()
                                on:click=move |_| on_action(a)
                            >
                                {a.label()}
                            </button>
                        }
                    })
                    .collect_view()}
                {csm.then(|| view! {
                    <button
                        class="button secondary small"
                        data-test="activity-edit-due"
                        on:click=move |_| editing_due.update(|e| *e = !*e)
                    >
                        "Due date"
                    </button>
                })}
                <button
                    class="button secondary small"
                    data-test="activity-history-toggle"
                    aria-expanded=move || if history_open.get() { "true" } else { "false" }
                    on:click=move |_| history_open.update(|o| *o = !*o)
                >
                    "History"
                </button>
            </div>
            <Show when=move || reopening.get()>
                <form class="inline-form" on:submit=on_reopen data-test="reopen-form">
                    <label for=format!("reason-{}", item.with_value(|i| i.id.clone()))>"Why reopen it?"</label>
                    <input
                        id=format!("reason-{}", item.with_value(|i| i.id.clone()))
                        type="text"
                        data-test="reopen-reason"
                        placeholder="e.g. the session was cancelled"
                        bind:value=reason
                    />
                    <div class="actions">
                        <button class="button small" type="submit" data-test="reopen-confirm">"Reopen"</button>
                        <button class="button secondary small" type="button" on:click=move |_| reopening.set(false)>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
            <Show when=move || editing_due.get()>
                <form class="inline-form" on:submit=save_due data-test="due-form">
                    <label>
                        "Due date"
                        <input type="date" data-test="activity-due-input" bind:value=due_input />
                    </label>
                    <div class="actions">
                        <button class="button small" type="submit" data-test="activity-due-save" disabled=move || busy.get()>
                            "Save date"
                        </button>
                        <button class="button secondary small" type="button" on:click=move |_| due_input.set(String::new())>
                            "Clear"
                        </button>
                    </div>
                </form>
            </Show>
            <Show when=move || history_open.get()>
                <History id=item.with_value(|i| i.id.clone()) />
            </Show>
        </li>
    }
}

#[component]
fn History(id: String) -> impl IntoView {
    let entries = LocalResource::new(move || {
        let id = id.clone();
        async move { api::activities::history(&id).await }
    });
    view! {
        <div class="history" data-test="activity-history">
            {move || match entries.get() {
                None => view! { <p class="muted small">"Loading…"</p> }.into_any(),
                Some(Err(p)) => view! { <p class="field-errors">{p.message()}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => {
                    view! { <p class="muted small" data-test="activity-history-empty">"No changes yet."</p> }.into_any()
                }
                Some(Ok(page)) => {
                    view! {
                        <ol class="history-list">
                            {page.items.into_iter().map(|t| view! { <HistoryEntry t /> }).collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn HistoryEntry(t: ActivityTransition) -> impl IntoView {
    let who = t.actor_name.clone().unwrap_or_else(|| "Tandem".to_string());
    view! {
        <li data-test="activity-history-entry">
            <span>
                {who} ": " {state_label(t.from_state)} " → " {state_label(t.to_state)}
            </span>
            <span class="muted small">{format::local_datetime(t.created_at)}</span>
            {t.reason.map(|r| view! { <span class="history-reason">"“" {r} "”"</span> })}
        </li>
    }
}
