//! `/my-project`: a client user's home. With one project it opens it; with several it
//! lists them; before the kick-off it shows the organisation and its CSM.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::identity::Organization;

use super::projects::ProjectCard;
use crate::api::projects::Filter;
use crate::components::empty::EmptyState;
use crate::{api, format, live, session};

#[component]
pub fn MyProjectPage() -> impl IntoView {
    let s = session::get();
    let org = LocalResource::new(move || {
        let id = s
            .user
            .with(|u| u.as_ref().map(|u| u.organization_id.clone()));
        async move {
            match id {
                Some(id) => api::organizations::get(&id).await.map(|v| v.value),
                None => Err(api::client::local_problem(
                    shared::ErrorCode::Unauthenticated,
                    "Not signed in.",
                )),
            }
        }
    });
    let projects = LocalResource::new(|| api::projects::list(Filter::default(), None, Some(20)));
    // Changes to the organisation (a new CSM, a new plan) show without a reload.
    Effect::new(move |first: Option<()>| {
        let changed = live::touched("organization.");
        if first.is_some() && changed {
            org.refetch();
        }
    });
    // The CSM opens the project while this page is on screen.
    live::on("project.", move |_| projects.refetch());
    // One project: it is the home.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(page)) = projects.get()
            && let [only] = page.items.as_slice()
        {
            navigate(
                &format!("/projects/{}", only.id),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });
    let project_list = move || {
        match projects.get() {
        None => view! { <p class="muted" data-test="loading">"Loading…"</p> }.into_any(),
        Some(Err(p)) => view! { <div class="banner banner-error" role="alert">{p.message()}</div> }.into_any(),
        Some(Ok(page)) if page.items.is_empty() => view! {
            <EmptyState title="Your project has not started yet." test="project-empty">
                <p>
                    "Your Customer Success Manager opens it at the kick-off. Activities, chat, board and agenda will appear here."
                </p>
            </EmptyState>
        }
        .into_any(),
        Some(Ok(page)) if page.items.len() == 1 => view! { <p class="muted" data-test="loading">"Opening your project…"</p> }.into_any(),
        Some(Ok(page)) => view! {
            <div class="cards" data-test="project-cards">
                {page.items.into_iter().map(|p| view! { <ProjectCard p /> }).collect_view()}
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <section class="page">
            {move || match org.get() {
                None => view! { <p class="muted" data-test="loading">"Loading…"</p> }.into_any(),
                Some(Err(problem)) => {
                    view! {
                        <div class="banner banner-error" role="alert" data-test="page-error">
                            {problem.message()}
                        </div>
                    }
                        .into_any()
                }
                Some(Ok(o)) => view! { <OrganizationSummary org=o /> }.into_any(),
            }}
            <h2>"Your project"</h2>
            {project_list}
        </section>
    }
}

#[component]
fn OrganizationSummary(org: Organization) -> impl IntoView {
    let csm = org.csm_name.clone();
    view! {
        <h1 data-test="org-name">{org.name.clone()}</h1>
        <div class="card">
            <dl class="facts">
                <dt>"Plan"</dt>
                <dd data-test="org-plan">{format::plan(org.plan.as_deref())}</dd>
                <dt>"Your CSM"</dt>
                <dd data-test="csm-name">
                    {csm.unwrap_or_else(|| "Not assigned yet".to_string())}
                </dd>
                <dt>"Contract start"</dt>
                <dd>{format::opt_date(org.contract_start)}</dd>
                <dt>"Stage"</dt>
                <dd>{format::lifecycle(org.lifecycle_stage)}</dd>
            </dl>
        </div>
    }
}
