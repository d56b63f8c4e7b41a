//! The ticket's thread, oldest first, and the reply box. Staff see internal notes (marked
//! "Internal") and choose Reply or Note, optionally moving the status in the same step;
//! client users see and write replies only. New messages arrive live (`ticket.message`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::MessageKind;
use shared::desk::TicketStatus;
use shared::desk::ticket::{NewTicketMessage, Side, TicketMessage, validate_message};

use super::use_ticket;
use crate::components::canned_picker::CannedPicker;
use crate::components::desk_badges::move_label;
use crate::{api, format, live, session};

const PAGE: u32 = 100;
/// Pages read when the ticket opens (a longer thread shows "Later messages").
const FIRST_PAGES: usize = 5;

#[component]
pub fn Thread() -> impl IntoView {
    let tv = use_ticket();
    let me = session::get()
        .user
        .with_untracked(|u| u.as_ref().map(|u| u.id.clone()))
        .unwrap_or_default();
    let me = StoredValue::new(me);
    let messages = RwSignal::new(Vec::<TicketMessage>::new());
    let later = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let add = move |m: TicketMessage| {
        messages.update(|all| {
            if !all.iter().any(|x| x.id == m.id) {
                let at = all
                    .iter()
                    .position(|x| (x.created_at, &x.id) > (m.created_at, &m.id))
                    .unwrap_or(all.len());
                all.insert(at, m);
            }
        });
    };

    Effect::new(move |_| {
        let id = tv.id.get();
        loaded.set(false);
        messages.set(Vec::new());
        spawn_local(async move {
            let mut cursor = None;
            for _ in 0..FIRST_PAGES {
                let result = api::tickets::messages(&id, cursor.clone(), Some(PAGE)).await;
                if tv.id.try_get_untracked().as_ref() != Some(&id) {
                    return;
                }
                match result {
                    Ok(page) => {
                        for m in page.items {
                            add(m);
                        }
                        cursor = page.next_cursor;
                        if cursor.is_none() {
                            break;
                        }
                    }
                    Err(p) => {
                        error.set(Some(p.message()));
                        break;
                    }
                }
            }
            later.set(cursor);
            loaded.set(true);
        });
    });
    live::on("ticket.message", move |events| {
        let here = tv.id.get_untracked();
        for e in events
            .into_iter()
            .filter(|e| live::field(e, "ticket_id") == Some(here.as_str()))
        {
            if let Ok(m) = serde_json::from_value::<TicketMessage>(e.payload) {
                add(m);
            }
        }
    });
    let load_later = move |_| {
        let Some(cursor) = later.get_untracked() else {
            return;
        };
        let id = tv.id.get_untracked();
        spawn_local(async move {
            let result = api::tickets::messages(&id, Some(cursor), Some(PAGE)).await;
            if messages.is_disposed() {
                return;
            }
            match result {
                Ok(page) => {
                    for m in page.items {
                        add(m);
                    }
                    later.set(page.next_cursor);
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    };

    view! {
        <section class="desk-thread" data-test="ticket-thread" aria-label="Conversation">
            <h2>"Conversation"</h2>
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="thread-error">{e}</div> })}
            {move || (loaded.get() && messages.with(Vec::is_empty)).then(|| view! {
                <p class="muted" data-test="thread-empty">"No messages yet."</p>
            })}
            <ol class="desk-messages" data-test="ticket-messages" aria-live="polite">
                <For
                    each=move || messages.get()
                    key=|m| m.id.clone()
                    children=move |m| {
                        let note = m.kind == MessageKind::Note;
                        let mine = m.author_id.as_deref() == Some(me.get_value().as_str());
                        let side = match m.author_side {
                            Side::Staff => "staff",
                            Side::Client => "client",
                        };
                        view! {
                            <li
                                class=format!("desk-message desk-message-{} desk-side-{side}", m.kind.as_str())
                                data-test="ticket-message"
                                data-kind=m.kind.as_str()
                                data-id=m.id.clone()
                            >
                                <div class="desk-message-head">
                                    <span class="desk-message-author" data-test="ticket-message-author">
                                        {if mine { "You".to_string() } else { m.author_name.clone() }}
                                    </span>
                                    {note.then(|| view! { <span class="badge desk-internal" data-test="ticket-message-internal">"Internal"</span> })}
                                    <span class="desk-message-time">{format::local_datetime(m.created_at)}</span>
                                </div>
                                <p class="desk-message-body" data-test="ticket-message-body">{m.body.clone()}</p>
                            </li>
                        }
                    }
                />
            </ol>
            {move || later.with(Option::is_some).then(|| view! {
                <button class="button secondary small" data-test="thread-later" on:click=load_later>"Later messages"</button>
            })}
            <ReplyBox on_sent=Callback::new(move |m: TicketMessage| add(m)) />
        </section>
    }
}

#[component]
fn ReplyBox(on_sent: Callback<TicketMessage>) -> impl IntoView {
    let tv = use_ticket();
    let staff = tv.staff;
    let may_write = !matches!(
        session::get().role.get_untracked(),
        Some(shared::Role::Sales)
    );
    let kind = RwSignal::new(MessageKind::Reply);
    let draft = RwSignal::new(String::new());
    let then_status = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let closed = Memo::new(move |_| {
        tv.get(|t| t.status == TicketStatus::Closed)
            .unwrap_or(false)
    });

    let send = move |ev: SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let new = NewTicketMessage {
            kind: if staff {
                kind.get_untracked()
            } else {
                MessageKind::Reply
            },
            body: draft.get_untracked().trim().to_string(),
            status: if staff {
                TicketStatus::parse(&then_status.get_untracked())
            } else {
                None
            },
        };
        if let Err(errors) = validate_message(&new) {
            error.set(errors.first().map(|e| format!("Message {}.", e.message)));
            return;
        }
        error.set(None);
        sending.set(true);
        let id = tv.id.get_untracked();
        spawn_local(async move {
            let result = api::tickets::post_message(&id, &new).await;
            if draft.is_disposed() {
                return;
            }
            match result {
                Ok(m) => {
                    draft.set(String::new());
                    then_status.set(String::new());
                    on_sent.run(m);
                    // A reply may have opened the ticket or moved it as asked.
                    tv.reload();
                }
                Err(p) => error.set(Some(p.message())),
            }
            let _ = sending.try_set(false);
        });
    };

    let statuses = move || {
        tv.get(|t| (t.status, t.allowed_statuses.clone()))
            .map(|(from, list)| {
                list.into_iter()
                    .map(|to| (to.as_str(), move_label(from, to, false)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };

    view! {
        {move || {
            if !may_write {
                view! { <p class="note" data-test="reply-readonly">"Sales can read tickets but not answer them."</p> }.into_any()
            } else if closed.get() {
                view! { <p class="note" data-test="reply-closed">"This ticket is closed. A new problem needs a new ticket."</p> }.into_any()
            } else {
                view! {
                    <form
                        class="card form desk-reply"
                        class:desk-reply-note=move || kind.get() == MessageKind::Note
                        on:submit=send
                        data-test="reply-form"
                    >
                        {staff.then(|| view! {
                            <div class="segmented desk-reply-kind" role="radiogroup" aria-label="Reply or internal note">
                                <label class="segment" data-test="reply-kind-reply">
                                    <input
                                        type="radio"
                                        name="reply-kind"
                                        prop:checked=move || kind.get() == MessageKind::Reply
                                        on:change=move |_| kind.set(MessageKind::Reply)
                                    />
                                    <span>"Reply"</span>
                                </label>
                                <label class="segment" data-test="reply-kind-note">
                                    <input
                                        type="radio"
                                        name="reply-kind"
                                        prop:checked=move || kind.get() == MessageKind::Note
                                        on:change=move |_| kind.set(MessageKind::Note)
                                    />
                                    <span>"Internal note"</span>
                                </label>
                            </div>
                        })}
                        <label class="visually-hidden" for="reply-body">"Message"</label>
                        <textarea
                            id="reply-body"
                            rows="4"
                            data-test="reply-body"
                            placeholder=move || if kind.get() == MessageKind::Note { "Only staff see notes…" } else { "Write a reply…" }
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                        ></textarea>
                        <div class="desk-reply-foot">
                            {staff.then(|| view! {
                                <CannedPicker
                                    ticket_id=Signal::derive(move || tv.id.get())
                                    department_id=Signal::derive(move || tv.get(|t| t.department_id.clone()).flatten())
                                    on_pick=Callback::new(move |text: String| draft.update(|d| {
                                        // Inserted at the end, after what the agent already wrote.
                                        if !d.trim().is_empty() {
                                            d.push_str("\n\n");
                                        }
                                        d.push_str(&text);
                                    }))
                                />
                            })}
                            {staff.then(|| view! {
                                <label class="inline-select">
                                    "and set status"
                                    <select
                                        data-test="reply-status"
                                        on:change=move |ev| then_status.set(event_target_value(&ev))
                                    >
                                        <option value="" prop:selected=move || then_status.with(String::is_empty)>"Keep as is"</option>
                                        {move || statuses()
                                            .into_iter()
                                            .map(|(v, l)| view! { <option value=v prop:selected=move || then_status.with(|s| s == v)>{l}</option> })
                                            .collect_view()}
                                    </select>
                                </label>
                            })}
                            <button class="button" type="submit" data-test="reply-send" disabled=move || sending.get()>
                                {move || match (sending.get(), kind.get()) {
                                    (true, _) => "Sending…",
                                    (false, MessageKind::Note) => "Add note",
                                    (false, MessageKind::Reply) => "Send reply",
                                }}
                            </button>
                        </div>
                        {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="reply-error">{e}</p> })}
                    </form>
                }
                    .into_any()
            }
        }}
    }
}
