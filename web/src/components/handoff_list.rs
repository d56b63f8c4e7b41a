//! A list of handoffs (owner, status, due date) whose status the people allowed to can move
//! on in place. Used on the ticket page, the project page and "My handoffs".

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ErrorCode;
use shared::desk::handoff::{Handoff, HandoffPatch, HandoffStatus};

use crate::api::client::etag_of;
use crate::api::handoffs::Filter;
use crate::{api, format, session};

/// Handoffs matching `filter`, re-read when `refresh` changes. `empty` is shown when none.
#[component]
pub fn HandoffList(
    #[prop(into)] filter: Signal<Filter>,
    #[prop(into, optional)] refresh: Signal<u32>,
    empty: &'static str,
    test: &'static str,
) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        let f = filter.get();
        refresh.track();
        tick.track();
        async move { api::handoffs::list(f, Some(50)).await.map(|p| p.items) }
    });
    view! {
        <div class="handoff-list" data-test=test>
            {move || notice.get().map(|n| view! { <p class="field-errors" role="alert" data-test="handoff-notice">{n}</p> })}
            {move || match list.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(p)) => view! { <p class="muted">{p.message()}</p> }.into_any(),
                Some(Ok(items)) if items.is_empty() => {
                    view! { <p class="muted" data-test="handoffs-empty">{empty}</p> }.into_any()
                }
                Some(Ok(items)) => view! {
                    <ul class="rows">
                        {items
                            .into_iter()
                            .map(|h| view! { <HandoffRow h tick notice /> })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </div>
    }
}

#[component]
fn HandoffRow(h: Handoff, tick: RwSignal<u32>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let s = session::get();
    let me = s
        .user
        .with_untracked(|u| u.as_ref().map(|u| (u.id.clone(), u.role)));
    // The API has the last word; this only hides a control that would be refused.
    let may_move = me.as_ref().is_some_and(|(id, role)| {
        *role == shared::Role::Admin
            || *id == h.owner_id
            || h.created_by.as_deref() == Some(id.as_str())
            || *role == shared::Role::Csm
    });
    let id = h.id.clone();
    let etag = etag_of(h.version);
    let current = h.status;
    let ticket = h.ticket_id.clone();
    view! {
        <li class="row handoff-row" data-test="handoff-row" data-status=h.status.as_str()>
            <div class="row-main">
                <strong data-test="handoff-title">{h.title.clone()}</strong>
                <span class="row-meta">
                    {h.kind.label()} " · " {h.organization_name.clone()} " · "
                    <span data-test="handoff-owner">{h.owner_name.clone()}</span>
                    " · due " <span data-test="handoff-due">{format::date(h.due_on)}</span>
                </span>
                {(!h.summary.is_empty()).then(|| view! { <span class="row-meta">{h.summary.clone()}</span> })}
                {ticket.map(|t| view! { <a class="small" href=format!("/tickets/{t}")>"Ticket"</a> })}
            </div>
            {if may_move {
                view! {
                    <select
                        class="inline-select"
                        aria-label="Status"
                        data-test="handoff-status"
                        on:change=move |ev| {
                            let Some(to) = HandoffStatus::parse(&event_target_value(&ev)) else { return };
                            let id = id.clone();
                            let etag = etag.clone();
                            notice.set(None);
                            spawn_local(async move {
                                let patch = HandoffPatch { status: Some(to), ..HandoffPatch::default() };
                                match api::handoffs::update(&id, &etag, &patch).await {
                                    Ok(_) => {}
                                    Err(p) if p.code == ErrorCode::PreconditionFailed => notice.set(Some(
                                        "Someone changed this handoff meanwhile; the list now shows the latest.".into(),
                                    )),
                                    Err(p) => notice.set(Some(p.message())),
                                }
                                tick.update(|t| *t += 1);
                            });
                        }
                    >
                        {HandoffStatus::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=s == current>{s.label()}</option> })
                            .collect_view()}
                    </select>
                }
                .into_any()
            } else {
                view! { <span class="badge" data-test="handoff-status-label">{current.label()}</span> }.into_any()
            }}
        </li>
    }
}
