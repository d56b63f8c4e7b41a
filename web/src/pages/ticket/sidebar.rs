//! Beside a ticket, for staff: who the client is (plan, CSM, their project and its
//! progress, their recent tickets) and the ticket's history (who did what, and why).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::ticket::{TicketHistoryEntry, TicketSummary};

use super::use_ticket;
use crate::api::projects::Filter as ProjectFilter;
use crate::api::tickets::Filter;
use crate::components::desk_badges::ticking_now;
use crate::components::progress::ProgressBar;
use crate::components::ticket_row::TicketRow;
use crate::{api, format};

#[component]
pub fn ClientSidebar() -> impl IntoView {
    let tv = use_ticket();
    let org_id = Memo::new(move |_| tv.get(|t| t.organization_id.clone()).unwrap_or_default());
    let org = LocalResource::new(move || {
        let id = org_id.get();
        async move { api::organizations::get(&id).await.map(|v| v.value) }
    });
    let project = LocalResource::new(move || {
        let id = org_id.get();
        async move {
            let filter = ProjectFilter {
                organization_id: Some(id),
                ..ProjectFilter::default()
            };
            api::projects::list(filter, None, Some(1))
                .await
                .ok()
                .and_then(|p| p.items.into_iter().next())
        }
    });
    // Refreshed when this ticket changes (a new one of theirs usually comes with a change).
    let version = Memo::new(move |_| tv.get(|t| t.version).unwrap_or(0));
    let recent = LocalResource::new(move || {
        let id = org_id.get();
        version.track();
        async move {
            let filter = Filter {
                organization_id: Some(id),
                ..Filter::default()
            };
            api::tickets::list(filter, None, Some(5))
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        }
    });
    let now = ticking_now(Duration::from_secs(60));
    view! {
        <section class="card desk-client" data-test="client-sidebar" aria-label="Client">
            <h2>"Client"</h2>
            {move || match org.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(p)) => view! { <p class="muted">{p.message()}</p> }.into_any(),
                Some(Ok(o)) => view! {
                    <dl class="facts compact">
                        <dt>"Organisation"</dt>
                        <dd data-test="client-name">{o.name.clone()}</dd>
                        <dt>"Plan"</dt>
                        <dd data-test="client-plan">{format::plan(o.plan.as_deref())}</dd>
                        <dt>"CSM"</dt>
                        <dd data-test="client-csm">{format::opt_text(o.csm_name.as_deref())}</dd>
                        <dt>"Stage"</dt>
                        <dd>{format::lifecycle(o.lifecycle_stage)}</dd>
                    </dl>
                }
                .into_any(),
            }}
            {move || project.get().flatten().map(|p| {
                let progress = p.progress;
                view! {
                    <div class="desk-client-project">
                        <a href=format!("/projects/{}", p.id) data-test="client-project-link">{p.name.clone()}</a>
                        <ProgressBar progress=Signal::derive(move || progress) test="client-project-progress" />
                    </div>
                }
            })}
            <h3>"Recent tickets"</h3>
            <ul class="rows desk-recent" data-test="client-recent">
                {move || {
                    let here = tv.id.get();
                    recent
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|t: &TicketSummary| t.id != here)
                        .map(|t| view! { <TicketRow t now staff=true /> })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

#[component]
pub fn HistoryPanel() -> impl IntoView {
    let tv = use_ticket();
    let entries = RwSignal::new(Vec::<TicketHistoryEntry>::new());
    let error = RwSignal::new(None::<String>);
    let version = Memo::new(move |_| tv.get(|t| t.version).unwrap_or(0));
    // Re-read whenever the ticket changes (a change, a reply or a note adds an entry).
    Effect::new(move |_| {
        version.track();
        let id = tv.id.get();
        spawn_local(async move {
            let result = api::tickets::history(&id).await;
            if tv.id.try_get_untracked().as_ref() != Some(&id) {
                return;
            }
            match result {
                Ok(list) => {
                    error.set(None);
                    entries.set(list);
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    });
    view! {
        <details class="card desk-history" data-test="ticket-history">
            <summary data-test="ticket-history-toggle">
                "History " {move || format!("({})", entries.with(Vec::len))}
            </summary>
            {move || error.get().map(|e| view! { <p class="field-errors">{e}</p> })}
            <ol class="desk-history-list">
                {move || entries
                    .get()
                    .into_iter()
                    .rev()
                    .map(|e| view! {
                        <li data-test="ticket-history-entry" data-kind=e.kind.clone()>
                            <span class="desk-history-detail">{e.detail.clone()}</span>
                            <span class="row-meta">{e.actor_name.clone()} " · " {format::local_datetime(e.created_at)}</span>
                        </li>
                    })
                    .collect_view()}
            </ol>
        </details>
    }
}
