//! The notification bell in the header: the unread count, and a panel with the latest
//! notifications (open one to go to what it is about, mark one or all read). New ones also
//! pop up briefly at the bottom of the screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use shared::notification::Notification;
use shared::page::Page;

use super::paged::{LoadMore, Paged};
use crate::{api, format, inbox};

const PAGE: u32 = 20;

/// A page of notifications as a plain page, with the unread count it carries recorded.
async fn fetch(
    unread_only: bool,
    cursor: Option<String>,
) -> Result<Page<Notification>, shared::Problem> {
    let page = api::notifications::list(unread_only, cursor, Some(PAGE)).await?;
    inbox::get().unread.set(page.unread_count);
    Ok(Page {
        items: page.items,
        next_cursor: page.next_cursor,
    })
}

#[component]
pub fn Bell() -> impl IntoView {
    let inbox = inbox::get();
    let location = use_location();
    inbox::follow(move |e| location.pathname.with_untracked(|p| inbox::on_screen(e, p)));
    let open = RwSignal::new(false);
    let label = move || match inbox.unread.get() {
        0 => "Notifications".to_string(),
        1 => "Notifications, 1 unread".to_string(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <div class="bell">
            <button
                class="bell-button"
                data-test="bell"
                aria-label=label
                title=label
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                    <path
                        fill="currentColor"
                        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"
                    />
                </svg>
                {move || {
                    let n = inbox.unread.get();
                    (n > 0)
                        .then(|| {
                            view! {
                                <span class="bell-count" data-test="bell-count">
                                    {if n > 99 { "99+".to_string() } else { n.to_string() }}
                                </span>
                            }
                        })
                }}
            </button>
            <Show when=move || open.get()>
                <div class="bell-backdrop" data-test="notifications-backdrop" on:click=move |_| open.set(false)></div>
                <NotificationPanel on_close=move || open.set(false) />
            </Show>
        </div>
        <Toasts />
    }
}

#[component]
fn NotificationPanel(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let inbox = inbox::get();
    let paged: Paged<Notification> = Paged::new();
    let unread_only = RwSignal::new(false);
    let navigate = use_navigate();
    let reload = move || {
        let only = unread_only.get_untracked();
        paged.reload(move |cursor| fetch(only, cursor));
    };
    // Reload on open, on the filter, and when notifications arrive or are read elsewhere.
    Effect::new(move |_| {
        unread_only.track();
        inbox.changed.track();
        reload();
    });
    // Escape closes the panel, as clicking beside it does.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || escape.remove());
    let read_all = move |_| {
        spawn_local(async move {
            if let Ok(count) = api::notifications::mark_all_read().await {
                inbox::read_locally(Some(count.unread_count));
            }
        });
    };
    let open_one = move |n: Notification| {
        let navigate = navigate.clone();
        let unread = n.read_at.is_none();
        spawn_local(async move {
            if unread && api::notifications::mark_read(&n.id).await.is_ok() {
                inbox::read_locally(None);
            }
        });
        if let Some(link) = n.link {
            on_close.run(());
            navigate(&link, NavigateOptions::default());
        }
    };
    view! {
        <div class="bell-panel" data-test="notification-panel" role="dialog" aria-label="Notifications">
            <div class="bell-head">
                <strong>"Notifications"</strong>
                <label class="check-inline">
                    <input type="checkbox" data-test="notifications-unread-only" bind:checked=unread_only />
                    "Unread only"
                </label>
                <button
                    class="button secondary small"
                    data-test="notifications-read-all"
                    disabled=move || inbox.unread.get() == 0
                    on:click=read_all
                >
                    "Mark all read"
                </button>
                <button class="button secondary small" data-test="notifications-close" aria-label="Close" on:click=move |_| on_close.run(())>
                    "×"
                </button>
            </div>
            <ul class="bell-list" data-test="notification-list">
                {move || {
                    let open_one = open_one.clone();
                    paged
                        .items
                        .get()
                        .into_iter()
                        .map(|n| {
                            let open_one = open_one.clone();
                            let unread = n.read_at.is_none();
                            let item = n.clone();
                            view! {
                                <li>
                                    <button
                                        class="bell-item"
                                        class:unread=unread
                                        data-test="notification-item"
                                        data-kind=n.kind.as_str()
                                        data-read=if unread { "false" } else { "true" }
                                        on:click=move |_| open_one(item.clone())
                                    >
                                        <span class="bell-title" data-test="notification-title">{n.title.clone()}</span>
                                        <span class="bell-body">{n.body.clone()}</span>
                                        <span class="bell-time">{format::datetime(n.created_at)}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| view! { <p class="muted bell-empty" data-test="notifications-empty">"Nothing new."</p> })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let only = unread_only.get_untracked();
                    paged.more(move |cursor| fetch(only, cursor))
                }
            />
        </div>
    }
}

/// New notifications, shown for a few seconds at the bottom of the screen.
#[component]
fn Toasts() -> impl IntoView {
    let inbox = inbox::get();
    let navigate = use_navigate();
    view! {
        <div class="toasts" aria-live="polite">
            <For
                each=move || inbox.toasts.get()
                key=|t| t.seq
                children=move |t| {
                    let navigate = navigate.clone();
                    let seq = t.seq;
                    let link = t.link.clone();
                    view! {
                        <div class="toast" data-test="toast" role="status">
                            <button
                                class="toast-text"
                                on:click=move |_| {
                                    inbox::dismiss(seq);
                                    if let Some(l) = &link {
                                        navigate(l, NavigateOptions::default());
                                    }
                                }
                            >
                                {t.title.clone()}
                            </button>
                            <button class="toast-close" data-test="toast-close" aria-label="Dismiss" on:click=move |_| inbox::dismiss(seq)>
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
