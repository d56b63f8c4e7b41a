//! The user's private calendar feed: its secret URL to subscribe to from any calendar app,
//! a copy button, and "regenerate" (the old URL then stops working).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::agenda::CalendarFeed;
use wasm_bindgen::JsCast;

use crate::api;

#[component]
pub fn CalendarFeedPanel() -> impl IntoView {
    let feed = RwSignal::new(None::<CalendarFeed>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match api::agenda::calendar().await {
            Ok(f) => feed.set(Some(f)),
            Err(p) => error.set(Some(p.message())),
        }
    });
    let url = move || feed.with(|f| f.as_ref().map(|f| f.url.clone()).unwrap_or_default());
    let copy = move |_| {
        let text = url();
        notice.set(None);
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&text);
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => notice.set(Some(
                    "Copied. Add it to your calendar app as a subscription (\"From URL\")."
                        .to_string(),
                )),
                Err(_) => {
                    select_url();
                    notice.set(Some(
                        "Copy the selected address (Ctrl+C or long-press).".to_string(),
                    ));
                }
            }
        });
    };
    let regenerate = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::agenda::regenerate_calendar().await {
                Ok(f) => {
                    feed.set(Some(f));
                    notice.set(Some(
                        "New address made. The old one no longer works: update your calendar app."
                            .to_string(),
                    ));
                }
                Err(p) => error.set(Some(p.message())),
            }
            let _ = confirming.try_set(false);
            let _ = busy.try_set(false);
        });
    };
    view! {
        <div class="calendar-feed" data-test="calendar-feed">
            <p class="hint">
                "Your private calendar address shows your appointments and due dates in Google Calendar, Outlook or Apple Calendar. Keep it to yourself: anyone with it can read your agenda."
            </p>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert">{e}</p> })}
            <div class="copy-row">
                <input
                    id="calendar-url"
                    type="text"
                    readonly=true
                    aria-label="Calendar address"
                    data-test="calendar-url"
                    prop:value=url
                    on:focus=|_| select_url()
                />
                <button class="button secondary small" data-test="calendar-copy" disabled=move || feed.with(Option::is_none) on:click=copy>
                    "Copy"
                </button>
            </div>
            {move || notice.get().map(|n| view! { <p class="hint ok" role="status" data-test="calendar-notice">{n}</p> })}
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button class="button secondary small" data-test="calendar-regenerate" on:click=move |_| confirming.set(true)>
                        "Make a new address"
                    </button>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Make a new calendar address">
                    <p>"The current address will stop working. Continue?"</p>
                    <div class="actions">
                        <button class="button small" data-test="calendar-regenerate-confirm" disabled=move || busy.get() on:click=regenerate>
                            "Yes, make a new one"
                        </button>
                        <button class="button secondary small" on:click=move |_| confirming.set(false)>"Keep it"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

fn select_url() {
    let input = document()
        .get_element_by_id("calendar-url")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    if let Some(input) = input {
        input.select();
    }
}
