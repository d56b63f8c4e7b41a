//! The ticket's files, for staff and client alike: each with its size, type, who attached it
//! and when, downloaded with the bearer token (the API will not serve it without) and handed
//! to the browser as a blob URL; and "Attach a file", which refuses a file larger than the
//! server's limit (read from the API) before sending it, uploads any other at once, and shows
//! the server's reason when it refuses one (too large, a type it does not take). The list follows
//! `ticket.changed`, so a file attached on the other side appears without a reload.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Role;
use shared::desk::ticket::{ATTACHMENT_TYPES, Attachment, attachment_too_large, size_label};
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlAnchorElement, HtmlInputElement};

use super::use_ticket;
use crate::{api, format, live, session};

/// How long a downloaded file's blob URL is kept before it is released.
const BLOB_URL_LIFE_MS: u32 = 60_000;

#[component]
pub fn AttachmentsCard() -> impl IntoView {
    let tv = use_ticket();
    // Sales read tickets but do not write on them.
    let may_attach = session::get().role.get_untracked() != Some(Role::Sales);
    let files = RwSignal::new(Vec::<Attachment>::new());
    let error = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(None::<String>);
    let reload_tick = RwSignal::new(0u32);
    // The server's size limit; until it is known (or if it cannot be read) the server alone
    // checks.
    let max_bytes = RwSignal::new(None::<u64>);
    if may_attach {
        spawn_local(async move {
            if let Ok(limits) = api::attachments::limits().await {
                let _ = max_bytes.try_set(u64::try_from(limits.max_bytes).ok());
            }
        });
    }

    Effect::new(move |_| {
        let id = tv.id.get();
        reload_tick.track();
        spawn_local(async move {
            let result = api::attachments::list(&id).await;
            if tv.id.try_get_untracked().as_ref() != Some(&id) {
                return;
            }
            match result {
                Ok(list) => files.set(list),
                Err(p) => error.set(Some(p.message())),
            }
        });
    });
    live::on("ticket.changed", move |events| {
        let here = tv.id.get_untracked();
        if events
            .iter()
            .any(|e| live::field(e, "ticket_id") == Some(here.as_str()))
        {
            reload_tick.update(|t| *t += 1);
        }
    });

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        // Emptied, so that choosing the same file again (after a refusal) still uploads.
        input.set_value("");
        let too_large = max_bytes
            .get_untracked()
            .and_then(|max| attachment_too_large(Some(file.size() as u64), max));
        if let Some(why) = too_large {
            error.set(Some(format!("{} was not attached: it {why}.", file.name())));
            return;
        }
        let id = tv.id.get_untracked();
        error.set(None);
        uploading.set(Some(file.name()));
        spawn_local(async move {
            let result = api::attachments::upload(&id, &file).await;
            if uploading.is_disposed() {
                return;
            }
            uploading.set(None);
            match result {
                Ok(a) => files.update(|all| {
                    if !all.iter().any(|x| x.id == a.id) {
                        all.push(a);
                    }
                }),
                Err(p) => error.set(Some(format!(
                    "{} was not attached: {}",
                    file.name(),
                    p.message()
                ))),
            }
        });
    };

    view! {
        <section class="card desk-attachments" data-test="ticket-attachments" aria-label="Attachments">
            <h2>"Attachments"</h2>
            <ul class="rows desk-attachment-list" data-test="attachment-list">
                <For
                    each=move || files.get()
                    key=|a| a.id.clone()
                    children=move |a| view! { <AttachmentRow a error /> }
                />
            </ul>
            {move || files.with(Vec::is_empty).then(|| view! {
                <p class="muted" data-test="attachments-empty">"No files attached."</p>
            })}
            {move || uploading.get().map(|name| view! {
                <p class="muted" data-test="attachment-uploading">{format!("Uploading {name}…")}</p>
            })}
            {move || error.get().map(|e| view! {
                <p class="field-errors" role="alert" data-test="attachment-error">{e}</p>
            })}
            {may_attach.then(|| view! {
                <label class="button secondary small desk-attach">
                    "Attach a file"
                    <input
                        type="file"
                        class="visually-hidden"
                        accept=ATTACHMENT_TYPES.join(",")
                        data-test="attachment-input"
                        disabled=move || uploading.with(Option::is_some)
                        on:change=on_file
                    />
                </label>
                <p class="hint" data-test="attachment-hint">
                    "Images, PDF, text, CSV, ZIP, Word or Excel files"
                    {move || max_bytes.get().map(|max| format!(" of up to {}", size_label(max)))}
                    "."
                </p>
            })}
        </section>
    }
}

#[component]
fn AttachmentRow(a: Attachment, error: RwSignal<Option<String>>) -> impl IntoView {
    let meta = format!(
        "{} · {} · {}, {}",
        format::file_size(a.size_bytes),
        a.content_type,
        a.uploaded_by_name,
        format::local_datetime(a.created_at)
    );
    let busy = RwSignal::new(false);
    let name = a.filename.clone();
    let a = StoredValue::new(a);
    let download = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let file = a.get_value();
            let result = api::attachments::download(&file).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(blob) => offer(&blob, &file.filename),
                Err(p) => error.set(Some(p.message())),
            }
        });
    };
    view! {
        <li class="row static" data-test="attachment-row">
            <button
                type="button"
                class="button secondary small"
                data-test="attachment-download"
                disabled=move || busy.get()
                on:click=download
            >
                <span data-test="attachment-name">{name}</span>
            </button>
            <span class="row-meta" data-test="attachment-meta">{meta}</span>
        </li>
    }
}

/// Hands a downloaded file to the browser under its name, through a short-lived blob URL.
fn offer(blob: &Blob, filename: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(link) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(filename);
        link.click();
    }
    spawn_local(async move {
        TimeoutFuture::new(BLOB_URL_LIFE_MS).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}
