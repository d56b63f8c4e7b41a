//! A search input that searches as one types: the query goes out once typing has paused
//! (~300 ms) or at once on Enter, trimmed, and `None` once the box is emptied — so clearing it
//! brings the unfiltered list back. The same query is not sent twice in a row.

use gloo_timers::future::TimeoutFuture;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How long typing must pause before the query goes out.
const DEBOUNCE_MS: u32 = 300;

#[component]
pub fn SearchBox(
    /// Receives the query (`None`: the box is empty).
    on_search: Callback<Option<String>>,
    /// The input's accessible name.
    label: &'static str,
    placeholder: &'static str,
    /// The input's `data-test`.
    test: &'static str,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // Bumped on every keystroke, so that only the last pause sends.
    let typed = RwSignal::new(0u32);
    let sent = StoredValue::new(None::<String>);
    let send = move || {
        let trimmed = text.get_untracked().trim().to_string();
        let q = (!trimmed.is_empty()).then_some(trimmed);
        if sent.get_value() != q {
            sent.set_value(q.clone());
            on_search.run(q);
        }
    };
    let on_input = move |ev| {
        text.set(event_target_value(&ev));
        typed.update(|n| *n += 1);
        let mine = typed.get_untracked();
        spawn_local(async move {
            TimeoutFuture::new(DEBOUNCE_MS).await;
            // Still the last keystroke, and still on the page.
            if typed.try_get_untracked() == Some(mine) {
                send();
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        typed.update(|n| *n += 1);
        send();
    };
    view! {
        <form class="search" role="search" on:submit=on_submit>
            <input
                type="search"
                placeholder=placeholder
                aria-label=label
                data-test=test
                prop:value=move || text.get()
                on:input=on_input
            />
        </form>
    }
}
