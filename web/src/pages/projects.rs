//! `/projects`: the CSM's dashboard — their projects with progress, overdue items, unread
//! chat and the next appointment; filter, "overdue only", sort; "New project". Figures
//! follow live changes.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::Role;
use shared::project::Project;

use crate::api;
use crate::api::projects::Filter;
use crate::components::empty::EmptyState;
use crate::components::new_project::NewProjectForm;
use crate::components::paged::{LoadMore, Paged};
use crate::components::progress::ProgressBar;
use crate::{format, live, session};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let s = session::get();
    let paged: Paged<Project> = Paged::new();
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(Filter::default());
    let query = use_query_map();
    let navigate = use_navigate();
    // `?new=<organisation id>` (from a client's card) opens the form for that client.
    let preset = query.with_untracked(|q| q.get("new"));
    let creating = RwSignal::new(preset.is_some());
    let may_create = move || matches!(s.role.get(), Some(Role::Csm | Role::Admin));

    let reload = move || {
        let f = filter.get_untracked();
        paged.reload(move |cursor| api::projects::list(f, cursor, None));
    };
    Effect::new(move |_| {
        filter.track();
        reload();
    });
    // Progress, unread chat and appointments of any listed project may change.
    for prefix in ["project.", "activity.", "chat.", "agenda."] {
        live::on(prefix, move |_| reload());
    }

    let on_search = move |ev: SubmitEvent| {
        ev.prevent_default();
        let q = search.get_untracked().trim().to_string();
        filter.update(|f| f.q = (!q.is_empty()).then_some(q));
    };
    let created = Callback::new(move |p: Project| {
        navigate(&format!("/projects/{}", p.id), NavigateOptions::default());
    });

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Projects"</h1>
                {move || (may_create() && !creating.get()).then(|| view! {
                    <button class="button" data-test="project-new" on:click=move |_| creating.set(true)>
                        "New project"
                    </button>
                })}
            </div>
            <Show when=move || creating.get()>
                <NewProjectForm
                    organization_id=preset.clone().unwrap_or_default()
                    on_created=created
                    on_cancel=Callback::new(move |()| creating.set(false))
                />
            </Show>
            <div class="filters">
                <form class="search" role="search" on:submit=on_search>
                    <input
                        type="search"
                        placeholder="Client or project name"
                        aria-label="Search projects"
                        data-test="project-search"
                        bind:value=search
                    />
                    <button class="button secondary" type="submit" data-test="project-search-submit">
                        "Search"
                    </button>
                </form>
                <div class="filter-row">
                    <label class="check-inline">
                        <input
                            type="checkbox"
                            data-test="project-overdue-only"
                            prop:checked=move || filter.with(|f| f.overdue_only)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                filter.update(|f| f.overdue_only = on);
                            }
                        />
                        "Overdue only"
                    </label>
                    <label class="inline-select">
                        "Sort "
                        <select
                            data-test="project-sort"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                filter.update(|f| f.sort = (v != "kickoff_date").then_some(v));
                            }
                        >
                            <option value="kickoff_date">"by kick-off"</option>
                            <option value="name">"by name"</option>
                        </select>
                    </label>
                </div>
            </div>
            <div class="cards" data-test="project-cards">
                <For
                    each=move || paged.items.get()
                    key=|p| format!("{}:{}:{}:{}:{}:{:?}", p.id, p.progress.done, p.progress.applicable, p.overdue_items, p.unread_chat, p.next_appointment.as_ref().map(|a| (&a.id, a.starts_at)))
                    children=|p| view! { <ProjectCard p /> }
                />
            </div>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| {
                        let filtered = filter.with(|f| *f != Filter::default());
                        view! {
                            <EmptyState
                                title=if filtered { "No project matches." } else { "No projects yet." }
                                test="projects-empty"
                            >
                                {(!filtered).then(|| view! { <p>"Start one with “New project” for a client assigned to you."</p> })}
                            </EmptyState>
                        }
                    })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let f = filter.get_untracked();
                    paged.more(move |cursor| api::projects::list(f, cursor, None))
                }
            />
        </section>
    }
}

#[component]
pub fn ProjectCard(p: Project) -> impl IntoView {
    let href = format!("/projects/{}", p.id);
    let progress = p.progress;
    view! {
        <a class="card project-card" href=href data-test="project-card" data-id=p.id.clone()>
            <span class="project-card-org" data-test="project-card-org">{p.organization_name.clone()}</span>
            <span class="card-title" data-test="project-card-name">{p.name.clone()}</span>
            <ProgressBar progress=Signal::derive(move || progress) test="project-card-progress" />
            <span class="project-card-flags">
                {(p.overdue_items > 0).then(|| view! {
                    <span class="badge badge-danger" data-test="project-card-overdue">{format!("{} overdue", p.overdue_items)}</span>
                })}
                {(p.unread_chat > 0).then(|| view! {
                    <span class="badge badge-info" data-test="project-card-unread">
                        {format!("{} unread message{}", p.unread_chat, if p.unread_chat == 1 { "" } else { "s" })}
                    </span>
                })}
                {(!p.coverage.active).then(|| view! { <span class="badge">"Coverage ended"</span> })}
            </span>
            <span class="row-meta" data-test="project-card-next">
                {match &p.next_appointment {
                    Some(a) => format!("Next: {} · {}", a.title, format::local_datetime(a.starts_at)),
                    None => "No appointment planned".to_string(),
                }}
            </span>
            <span class="row-meta">
                "Kick-off " {format::date(p.kickoff_date)} " · CSM " {format::opt_text(p.csm_name.as_deref())}
            </span>
        </a>
    }
}
