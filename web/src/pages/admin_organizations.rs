//! `/admin/organizations`: search, page through, create and edit client organisations.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::identity::{NewOrganization, OrgKind, Organization, OrganizationPatch};
use shared::{Problem, Role};

use crate::api;
use crate::api::Versioned;
use crate::components::choices::Choices;
use crate::components::edit_panel::{EditPanel, PanelText, Record};
use crate::components::org_form::{FIELDS, OrgFields, OrgFieldsView};
use crate::components::paged::{LoadMore, Paged};
use crate::format;

impl Record for Organization {
    type New = NewOrganization;
    type Patch = OrganizationPatch;
    const NOUN: &'static str = "organisation";

    fn id(&self) -> &str {
        &self.id
    }

    fn describe(&self) -> String {
        format!("Organisation “{}”", self.name)
    }

    async fn get(id: String) -> Result<Versioned<Self>, Problem> {
        api::organizations::get(&id).await
    }

    async fn create(new: NewOrganization) -> Result<Self, Problem> {
        api::organizations::create(&new).await
    }

    async fn update(
        id: String,
        etag: String,
        patch: OrganizationPatch,
    ) -> Result<Versioned<Self>, Problem> {
        api::organizations::update(&id, &etag, &patch).await
    }
}

#[component]
pub fn AdminOrganizationsPage() -> impl IntoView {
    let paged: Paged<Organization> = Paged::new();
    let search = RwSignal::new(String::new());
    let query = RwSignal::new(None::<String>);
    let fields = OrgFields::new();
    let panel = EditPanel::new(fields, FIELDS, paged);
    let form = panel.form;
    let csms = RwSignal::new(Choices::new());

    let reload = move || {
        let q = query.get_untracked();
        paged.reload(move |cursor| api::organizations::list(q, cursor, None));
    };
    reload();
    spawn_local(async move {
        if let Ok(page) = api::users::list(None, Some(Role::Csm), None, Some(200)).await {
            csms.set(page.items.into_iter().map(|u| (u.id, u.name)).collect());
        }
    });

    let on_search = move |ev: SubmitEvent| {
        ev.prevent_default();
        let q = search.get_untracked().trim().to_string();
        query.set((!q.is_empty()).then_some(q));
        reload();
    };
    let panel_view = panel.view(
        PanelText {
            test: "org",
            create: ("New organisation", "Create organisation"),
            edit: ("Edit organisation", "Save changes"),
        },
        move |_| view! { <OrgFieldsView fields form csms /> },
    );

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Organisations"</h1>
                <button class="button" data-test="org-new" on:click=move |_| panel.open_create()>
                    "New organisation"
                </button>
            </div>
            {move || panel.notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="page-notice">{n}</div> })}
            {panel_view}
            <form class="search" role="search" on:submit=on_search>
                <input
                    type="search"
                    placeholder="Search by name"
                    aria-label="Search organisations"
                    data-test="org-search"
                    bind:value=search
                />
                <button class="button secondary" type="submit" data-test="org-search-submit">
                    "Search"
                </button>
            </form>
            <ul class="rows" data-test="org-list">
                {move || {
                    paged
                        .items
                        .get()
                        .into_iter()
                        .map(|o| {
                            let id = o.id.clone();
                            view! {
                                <li>
                                    <button class="row" data-test="org-row" data-id=o.id.clone() on:click=move |_| panel.open_edit(id.clone())>
                                        <span class="row-title">
                                            {o.name.clone()}
                                            {(o.kind == OrgKind::Vendor).then(|| view! { <span class="badge">"vendor"</span> })}
                                        </span>
                                        <span class="row-meta">
                                            {format::plan(o.plan.as_deref())} " · "
                                            {format::lifecycle(o.lifecycle_stage)} " · CSM: "
                                            {format::opt_text(o.csm_name.as_deref())} " · since "
                                            {format::opt_date(o.contract_start)}
                                        </span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| view! { <p class="empty" data-test="org-empty">"No organisations match."</p> })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let q = query.get_untracked();
                    paged.more(move |cursor| api::organizations::list(q, cursor, None))
                }
            />
        </section>
    }
}
