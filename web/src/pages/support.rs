//! `/support`: the client portal. A client admin sees the organisation's tickets, a member
//! the ones they opened (the API decides); "New ticket" opens one; the search box finds them
//! by the words of their subjects and replies. The list follows `ticket.changed` without a
//! reload.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::Role;
use shared::desk::ticket::{Ticket, TicketSummary};

use crate::api;
use crate::api::tickets::Filter;
use crate::components::desk_badges::ticking_now;
use crate::components::empty::EmptyState;
use crate::components::paged::{LoadMore, Paged};
use crate::components::search_box::SearchBox;
use crate::components::ticket_new_form::TicketNewForm;
use crate::components::ticket_row::TicketRow;
use crate::{live, session};

#[component]
pub fn SupportPage() -> impl IntoView {
    let s = session::get();
    let admin = s.role.get_untracked() == Some(Role::ClientAdmin);
    let paged: Paged<TicketSummary> = Paged::new();
    let now = ticking_now(Duration::from_secs(60));
    // `?new` opens the form straight away.
    let creating = RwSignal::new(use_query_map().with_untracked(|q| q.get("new").is_some()));
    let navigate = use_navigate();

    let filter = RwSignal::new(Filter::default());
    let reload = move || {
        let f = filter.get_untracked();
        paged.reload(move |cursor| api::tickets::list(f, cursor, None));
    };
    Effect::new(move |_| {
        filter.track();
        reload();
    });
    live::on("ticket.changed", move |_| reload());

    let created = Callback::new(move |t: Ticket| {
        navigate(&format!("/tickets/{}", t.id), NavigateOptions::default());
    });

    view! {
        <section class="page desk-support">
            <div class="page-head">
                <h1>"Support"</h1>
                {move || (!creating.get()).then(|| view! {
                    <button class="button" data-test="support-new" on:click=move |_| creating.set(true)>
                        "New ticket"
                    </button>
                })}
            </div>
            <p class="muted">
                {if admin {
                    "Every ticket your organisation has opened with us."
                } else {
                    "The tickets you have opened with us."
                }}
            </p>
            <Show when=move || creating.get()>
                <TicketNewForm on_created=created on_cancel=Callback::new(move |()| creating.set(false)) />
            </Show>
            <SearchBox
                on_search=Callback::new(move |q| filter.update(|f| f.q = q))
                label="Search your tickets"
                placeholder="Search your tickets"
                test="support-search"
            />
            <ul class="rows desk-list" data-test="support-list">
                <For
                    each=move || paged.items.get()
                    key=|t| format!("{}:{}", t.id, t.updated_at)
                    children=move |t| view! { <TicketRow t now /> }
                />
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| if filter.with(|f| f.q.is_some()) {
                        view! {
                            <EmptyState title="No ticket matches your search." test="support-empty">
                                <p>"Try other words; the last one may be the start of a word. Clear the search to see all your tickets again."</p>
                            </EmptyState>
                        }
                        .into_any()
                    } else {
                        view! {
                            <EmptyState title="No tickets yet." test="support-empty">
                                <p>"Something not working, or a question? Open a ticket and we will answer here."</p>
                            </EmptyState>
                        }
                        .into_any()
                    })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let f = filter.get_untracked();
                    paged.more(move |cursor| api::tickets::list(f, cursor, None))
                }
            />
        </section>
    }
}
