//! The reply box's "Canned reply" picker: the replies the ticket's department may use (its
//! own and everyone's); choosing one fetches it filled in for the ticket and hands the text
//! to the reply box, where the agent can still edit it before sending. The list is read again
//! each time the picker is opened, so replies saved meanwhile (on the admin page, in another
//! tab) are there.

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
    // A change of department reloads the list (not every refresh of the ticket), and so does
    // opening the picker.
    let department = Memo::new(move |_| department_id.get());
    // Only the latest read is shown; opening the picker while one is under way adds none.
    let generation = StoredValue::new(0u32);
    let reading = StoredValue::new(false);
    let load = move |always: bool| {
        if reading.get_value() && !always {
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        reading.set_value(true);
        let dept = department.get_untracked();
        spawn_local(async move {
            let result = api::canned::list(dept, None).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            reading.set_value(false);
            match result {
                Ok(page) => {
                    // Left alone when nothing changed, so an open drop-down is not redrawn.
                    if replies.try_with_untracked(|r| *r != page.items) == Some(true) {
                        let _ = replies.try_set(page.items);
                    }
                    let _ = error.try_set(None);
                }
                Err(p) => {
                    let _ = error.try_set(Some(p.message()));
                }
            }
        });
    };
    Effect::new(move |_| {
        department.track();
        load(true);
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
                disabled=move || busy.get()
                prop:value=move || chosen.get()
                on:focus=move |_| load(false)
                on:pointerdown=move |_| load(false)
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    chosen.set(id.clone());
                    pick(id);
                }
            >
                <option value="">{move || if replies.with(Vec::is_empty) { "None saved" } else { "Insert…" }}</option>
                <For
                    each=move || replies.get()
                    key=|r| (r.id.clone(), r.version)
                    children=|r| {
                        let scope = r.department_name.clone().unwrap_or_else(|| "All departments".into());
                        view! { <option value=r.id.clone() data-test="canned-option">{format!("{} ({scope})", r.title)}</option> }
                    }
                />
            </select>
            {move || error.get().map(|e| view! { <span class="field-errors" role="alert" data-test="canned-error">{e}</span> })}
        </label>
    }
}
