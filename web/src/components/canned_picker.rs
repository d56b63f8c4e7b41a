//! The reply box's "Canned reply" picker: the replies the ticket's department may use (its
//! own and everyone's); choosing one fetches it filled in for the ticket and hands the text
//! to the reply box, where the agent can still edit it before sending.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::canned::CannedReply;

use crate::api;

#[component]
pub fn CannedPicker(
    /// The ticket the reply is filled in for.
    ticket_id: Signal<String>,
    /// The ticket's department (`None`: every reply).
    department_id: Signal<Option<String>>,
    /// Receives the filled-in text.
    on_pick: Callback<String>,
) -> impl IntoView {
    let replies = RwSignal::new(Vec::<CannedReply>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // What the select shows; back to the prompt after each pick, so a reply can be
    // inserted again.
    let chosen = RwSignal::new(String::new());
    // Only a change of department reloads the list (not every refresh of the ticket).
    let department = Memo::new(move |_| department_id.get());
    Effect::new(move |_| {
        let dept = department.get();
        spawn_local(async move {
            let result = api::canned::list(dept, None).await;
            match result {
                Ok(page) => {
                    let _ = replies.try_set(page.items);
                }
                Err(p) => {
                    let _ = error.try_set(Some(p.message()));
                }
            }
        });
    });
    let pick = move |reply_id: String| {
        if reply_id.is_empty() {
            return;
        }
        busy.set(true);
        let ticket = ticket_id.get_untracked();
        spawn_local(async move {
            let result = api::canned::rendered(&ticket, &reply_id).await;
            if busy.is_disposed() {
                return;
            }
            chosen.set(String::new());
            match result {
                Ok(r) => {
                    error.set(None);
                    on_pick.run(r.body);
                }
                Err(p) => error.set(Some(p.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <label class="inline-select desk-canned">
            "Canned reply"
            <select
                data-test="canned-picker"
                disabled=move || busy.get() || replies.with(Vec::is_empty)
                prop:value=move || chosen.get()
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    chosen.set(id.clone());
                    pick(id);
                }
            >
                <option value="">{move || if replies.with(Vec::is_empty) { "None saved" } else { "Insert…" }}</option>
                {move || replies
                    .get()
                    .into_iter()
                    .map(|r| {
                        let scope = r.department_name.clone().unwrap_or_else(|| "All departments".into());
                        view! { <option value=r.id.clone() data-test="canned-option">{format!("{} ({scope})", r.title)}</option> }
                    })
                    .collect_view()}
            </select>
            {move || error.get().map(|e| view! { <span class="field-errors" role="alert" data-test="canned-error">{e}</span> })}
        </label>
    }
}
