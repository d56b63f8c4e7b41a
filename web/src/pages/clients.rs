//! `/clients`: the organisations assigned to a CSM or account manager, as cards, each with
//! a way into its project (or, for its CSM, to start one).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Role;
use shared::identity::{OrgKind, Organization};

use crate::api;
use crate::api::projects::Filter;
use crate::components::empty::EmptyState;
use crate::components::paged::{LoadMore, Paged};
use crate::{format, live, session};

#[component]
pub fn ClientsPage() -> impl IntoView {
    let s = session::get();
    let paged: Paged<Organization> = Paged::new();
    let load = move || paged.reload(|cursor| api::organizations::list(None, cursor, None));
    load();
    // Each organisation's project, to link the cards to.
    let projects = RwSignal::new(HashMap::<String, String>::new());
    let load_projects = move || {
        spawn_local(async move {
            if let Ok(page) = api::projects::list(Filter::default(), None, Some(200)).await {
                projects.set(
                    page.items
                        .into_iter()
                        .map(|p| (p.organization_id, p.id))
                        .collect(),
                );
            }
        });
    };
    load_projects();
    live::on("project.", move |_| load_projects());
    let starts = move || matches!(s.role.get(), Some(Role::Csm | Role::Admin));
    // An organisation changed or was assigned: show the new state.
    Effect::new(move |first: Option<()>| {
        let relevant = live::touched("organization.");
        if first.is_some() && relevant {
            load();
        }
    });
    let title = move || match s.role.get() {
        Some(shared::Role::Sales) => "Clients",
        _ => "My clients",
    };

    view! {
        <section class="page">
            <h1>{title}</h1>
            <div class="cards" data-test="client-cards">
                {move || {
                    paged
                        .items
                        .get()
                        .into_iter()
                        .filter(|o| o.kind == OrgKind::Client)
                        .map(|o| {
                            let project = projects.with(|p| p.get(&o.id).cloned());
                            view! { <ClientCard org=o project may_start=starts() /> }
                        })
                        .collect_view()
                }}
            </div>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none)
                    && paged.items.with(|items| !items.iter().any(|o| o.kind == OrgKind::Client)))
                    .then(|| {
                        view! {
                            <EmptyState title="No clients assigned to you yet." test="clients-empty">
                                <p>"When an administrator assigns an organisation to you, it appears here."</p>
                            </EmptyState>
                        }
                    })
            }}
            <LoadMore paged on_more=move |()| paged.more(|cursor| api::organizations::list(None, cursor, None)) />
        </section>
    }
}

#[component]
fn ClientCard(org: Organization, project: Option<String>, may_start: bool) -> impl IntoView {
    let link = match (&project, may_start) {
        (Some(id), _) => Some(view! {
            <a class="button secondary small" href=format!("/projects/{id}") data-test="client-project">"Open project"</a>
        }.into_any()),
        (None, true) => Some(view! {
            <a class="button secondary small" href=format!("/projects?new={}", org.id) data-test="client-start-project">"Start a project"</a>
        }.into_any()),
        (None, false) => None,
    };
    let stage = format!("stage stage-{}", org.lifecycle_stage.as_str());
    view! {
        <article class="card client-card" data-test="client-card" data-id=org.id.clone()>
            <h2 class="card-title" data-test="client-name">{org.name.clone()}</h2>
            <p>
                <span class=stage data-test="client-stage">{format::lifecycle(org.lifecycle_stage)}</span>
                " "
                <span class="badge">{format::touch(org.touch_model)}</span>
            </p>
            <dl class="facts compact">
                <dt>"Plan"</dt>
                <dd data-test="client-plan">{format::plan(org.plan.as_deref())}</dd>
                <dt>"Contract start"</dt>
                <dd data-test="client-contract-start">{format::opt_date(org.contract_start)}</dd>
                <dt>"Industry"</dt>
                <dd>{format::opt_text(org.industry.as_deref())}</dd>
            </dl>
            {link.map(|l| view! { <div class="actions card-actions">{l}</div> })}
        </article>
    }
}
