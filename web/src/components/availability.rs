//! A support agent's availability (online / away / offline) as a segmented control. Each
//! choice is saved at once through `PATCH /me`; the control shows the choice while it is being
//! saved, then what the server stored (the session's user), or the choice is undone and the
//! reason shown.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::identity::{Availability, MePatch};

use super::field::FieldErrors;
use super::form::{FormBanner, FormState};
use crate::{api, format, session};

const CHOICES: [Availability; 3] = [
    Availability::Online,
    Availability::Away,
    Availability::Offline,
];

#[component]
pub fn AvailabilityControl() -> impl IntoView {
    let s = session::get();
    let form = FormState::new(&["availability"]);
    let saved = Memo::new(move |_| s.user.with(|u| u.as_ref().and_then(|u| u.availability)));
    // The choice on its way to the server, shown until it answers.
    let pending = RwSignal::new(None::<Availability>);
    let shown = move || pending.get().or_else(|| saved.get());

    // One request at a time: a choice made while another is being saved waits for it, and
    // only the latest choice is sent (two requests in flight could be applied out of order).
    let choose = move |choice: Availability| {
        if pending.get_untracked().or_else(|| saved.get_untracked()) == Some(choice) {
            return;
        }
        pending.set(Some(choice));
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        form.busy.set(true);
        spawn_local(async move {
            while let Some(choice) = pending.get_untracked() {
                let patch = MePatch {
                    availability: Some(choice),
                    ..MePatch::default()
                };
                // No If-Match: the latest choice should win, whatever else changed meanwhile.
                let result = api::auth::update_me(None, &patch).await;
                if pending.get_untracked() != Some(choice) {
                    continue;
                }
                pending.set(None);
                match result {
                    Ok(user) => {
                        let now = user.availability.unwrap_or(choice);
                        form.succeed(format!(
                            "Saved: you are {}.",
                            format::availability(now).to_lowercase()
                        ));
                    }
                    Err(mut problem) => {
                        problem.detail = Some(format!(
                            "Your availability was not changed: {}",
                            problem.detail.as_deref().unwrap_or(&problem.title)
                        ));
                        form.fail(problem);
                    }
                }
            }
            form.busy.set(false);
        });
    };

    let options = CHOICES
        .into_iter()
        .map(|choice| {
            let value = choice.as_str();
            view! {
                <label class="segment" data-test=format!("availability-{value}")>
                    <input
                        type="radio"
                        name="availability"
                        value=value
                        prop:checked=move || shown() == Some(choice)
                        on:change=move |_| choose(choice)
                    />
                    <span>{format::availability(choice)}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <fieldset
            class="field availability"
            data-test="availability"
            data-saved=move || saved.get().map(Availability::as_str).unwrap_or("")
            aria-busy=move || if form.busy.get() { "true" } else { "false" }
        >
            <legend>"Availability"</legend>
            <div class="segmented">{options}</div>
            <p class="hint">
                {move || {
                    if form.busy.get() {
                        "Saving…"
                    } else if saved.get().is_none() {
                        "Not set yet: choose one."
                    } else {
                        "New tickets are routed to agents who are online."
                    }
                }}
            </p>
            <FieldErrors form field="availability" test="availability" />
            <FormBanner form test="availability" />
        </fieldset>
    }
}
