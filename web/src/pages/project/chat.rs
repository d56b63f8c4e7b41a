//! The Chat section: the conversation between the client's users and their CSM. New
//! messages arrive live (`chat.message`), are marked read while the page is in view, and the
//! history stays readable (without a composer) once CSM coverage has ended.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ErrorCode;
use shared::chat::{ChatMessage, NewChatMessage, validate_message};

use super::use_project;
use crate::{api, format, live, session};

const PAGE: u32 = 50;

/// True while the user can see this tab (not hidden behind another tab or minimised).
fn page_visible() -> bool {
    let doc = document();
    !doc.hidden() && doc.has_focus().unwrap_or(true)
}

#[component]
pub fn ChatSection() -> impl IntoView {
    let pv = use_project();
    let me = session::get()
        .user
        .with_untracked(|u| u.as_ref().map(|u| u.id.clone()))
        .unwrap_or_default();
    let messages = RwSignal::new(Vec::<ChatMessage>::new());
    let older = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let send_error = RwSignal::new(None::<String>);
    let closed = RwSignal::new(false);
    // The newest message this page has told the server it read.
    let marked = RwSignal::new(None::<String>);
    let list_ref = NodeRef::<html::Div>::new();
    let me = StoredValue::new(me);

    let scroll_to_end = move || {
        request_animation_frame(move || {
            if let Some(el) = list_ref.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    };
    // Moves the read marker to the newest message from someone else, when in view.
    let mark_read = move || {
        if !page_visible() {
            return;
        }
        let newest = messages.with_untracked(|m| m.last().map(|m| m.id.clone()));
        let Some(newest) = newest else { return };
        if marked.get_untracked().as_ref() >= Some(&newest) {
            return;
        }
        let unread_from_others = messages.with_untracked(|all| {
            all.iter()
                .rev()
                .take_while(|m| marked.get_untracked().as_ref() < Some(&m.id))
                .any(|m| m.author_id.as_deref() != Some(me.get_value().as_str()))
        });
        marked.set(Some(newest.clone()));
        if !unread_from_others
            && pv
                .project
                .with_untracked(|p| p.as_ref().is_some_and(|p| p.unread_chat == 0))
        {
            return;
        }
        let project_id = pv.id.get_untracked();
        spawn_local(async move {
            if api::chat::mark_read(&project_id, &newest).await.is_ok() {
                pv.reload();
            }
        });
    };
    let add = move |m: ChatMessage| {
        let mut added = false;
        messages.update(|all| {
            if !all.iter().any(|x| x.id == m.id) {
                let at = all.iter().position(|x| x.id > m.id).unwrap_or(all.len());
                all.insert(at, m);
                added = true;
            }
        });
        if added {
            scroll_to_end();
            mark_read();
        }
    };

    Effect::new(move |_| {
        let id = pv.id.get();
        loaded.set(false);
        messages.set(Vec::new());
        marked.set(None);
        spawn_local(async move {
            let result = api::chat::list(&id, None, Some(PAGE)).await;
            // The section may have been left, or another project opened, meanwhile.
            if pv.id.try_get_untracked().as_ref() != Some(&id) || messages.is_disposed() {
                return;
            }
            match result {
                Ok(page) => {
                    marked.set(page.last_read_id.clone());
                    messages.set(page.items);
                    older.set(page.next_cursor);
                    loaded.set(true);
                    scroll_to_end();
                    mark_read();
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    });
    live::on("chat.message", move |events| {
        let here = pv.id.get_untracked();
        for e in events
            .into_iter()
            .filter(|e| live::field(e, "project_id") == Some(here.as_str()))
        {
            if let Ok(m) = serde_json::from_value::<ChatMessage>(e.payload) {
                add(m);
            }
        }
    });
    // Coming back to the tab reads what arrived meanwhile.
    let focus = window_event_listener(leptos::ev::focus, move |_| mark_read());
    on_cleanup(move || focus.remove());

    let load_older = move |_| {
        let Some(cursor) = older.get_untracked() else {
            return;
        };
        let id = pv.id.get_untracked();
        spawn_local(async move {
            let result = api::chat::list(&id, Some(cursor), Some(PAGE)).await;
            if messages.is_disposed() {
                return;
            }
            match result {
                Ok(page) => {
                    messages.update(|all| {
                        let mut page_items = page.items;
                        page_items.retain(|m| !all.iter().any(|x| x.id == m.id));
                        page_items.append(all);
                        *all = page_items;
                    });
                    older.set(page.next_cursor);
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    };

    let send = move |ev: SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let new = NewChatMessage {
            body: draft.get_untracked().trim().to_string(),
        };
        if let Err(errors) = validate_message(&new) {
            send_error.set(errors.first().map(|e| format!("Message {}.", e.message)));
            return;
        }
        send_error.set(None);
        sending.set(true);
        let id = pv.id.get_untracked();
        spawn_local(async move {
            let result = api::chat::send(&id, &new).await;
            if messages.is_disposed() {
                return;
            }
            match result {
                Ok(m) => {
                    draft.set(String::new());
                    add(m);
                }
                Err(p) => {
                    if p.code == ErrorCode::CoverageEnded {
                        closed.set(true);
                        pv.reload();
                    }
                    send_error.set(Some(p.message()));
                }
            }
            let _ = sending.try_set(false);
        });
    };

    let open = move || {
        !closed.get()
            && pv
                .project
                .with(|p| p.as_ref().is_some_and(|p| p.coverage.active))
    };

    view! {
        <div class="section chat" data-test="chat">
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="section-error">{e}</div> })}
            <div class="chat-list" node_ref=list_ref data-test="chat-messages" aria-live="polite">
                {move || older.with(Option::is_some).then(|| view! {
                    <button class="button secondary small chat-older" data-test="chat-older" on:click=load_older>
                        "Earlier messages"
                    </button>
                })}
                {move || {
                    (loaded.get() && messages.with(Vec::is_empty))
                        .then(|| view! { <p class="muted chat-empty" data-test="chat-empty">"No messages yet. Say hello!"</p> })
                }}
                <For
                    each=move || messages.get()
                    key=|m| m.id.clone()
                    children=move |m| {
                        let mine = m.author_id.as_deref() == Some(me.get_value().as_str());
                        view! {
                            <div class="chat-message" class:mine=mine data-test="chat-message" data-mine=if mine { "true" } else { "false" }>
                                <div class="chat-bubble">
                                    <span class="chat-author">{if mine { "You".to_string() } else { m.author_name.clone() }}</span>
                                    <p class="chat-body" data-test="chat-body">{m.body.clone()}</p>
                                    <span class="chat-time">{format::local_datetime(m.created_at)}</span>
                                </div>
                            </div>
                        }
                    }
                />
            </div>
            {move || {
                if !pv.takes_part() {
                    view! { <p class="note" data-test="chat-observer">"Only the client's users and their CSM write in this chat."</p> }.into_any()
                } else if !open() {
                    view! {
                        <p class="note note-warn" data-test="chat-closed">
                            "CSM coverage has ended, so this chat is closed. The conversation stays here to read."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <form class="chat-composer" on:submit=send data-test="chat-form">
                            <label class="visually-hidden" for="chat-input">"Message"</label>
                            <textarea
                                id="chat-input"
                                rows="2"
                                data-test="chat-input"
                                placeholder="Write a message…"
                                prop:value=move || draft.get()
                                on:input=move |ev| draft.set(event_target_value(&ev))
                            ></textarea>
                            <button class="button" type="submit" data-test="chat-send" disabled=move || sending.get()>
                                "Send"
                            </button>
                        </form>
                        {move || send_error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="chat-error">{e}</p> })}
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
