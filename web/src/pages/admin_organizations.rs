//! `/admin/organizations`: search, page through, create and edit client organisations.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::identity::{OrgKind, Organization};
use shared::{ErrorCode, Role};

use crate::api;
use crate::api::Versioned;
use crate::components::choices::Choices;
use crate::components::form::{FormBanner, FormState};
use crate::components::org_form::{FIELDS, OrgFields, OrgFieldsView};
use crate::components::paged::{LoadMore, Paged};
use crate::format;

/// What the panel above the list shows.
#[derive(Clone, PartialEq)]
enum Panel {
    Closed,
    Create,
    Loading,
    Edit(Versioned<Organization>),
}

#[component]
pub fn AdminOrganizationsPage() -> impl IntoView {
    let paged: Paged<Organization> = Paged::new();
    let search = RwSignal::new(String::new());
    let query = RwSignal::new(None::<String>);
    let panel = RwSignal::new(Panel::Closed);
    let fields = OrgFields::new();
    let form = FormState::new(FIELDS);
    let notice = RwSignal::new(None::<String>);
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
    let open_create = move |_| {
        fields.clear();
        form.start();
        notice.set(None);
        panel.set(Panel::Create);
    };
    let open_edit = move |id: String| {
        form.start();
        notice.set(None);
        panel.set(Panel::Loading);
        scroll_to_top();
        spawn_local(async move {
            match api::organizations::get(&id).await {
                Ok(v) => {
                    fields.fill(&v.value);
                    panel.set(Panel::Edit(v));
                }
                Err(p) => {
                    panel.set(Panel::Closed);
                    notice.set(Some(p.message()));
                }
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        match panel.get_untracked() {
            Panel::Create => {
                let new = match fields.new_body() {
                    Ok(new) => new,
                    Err(errors) => return form.invalid(errors),
                };
                form.busy.set(true);
                spawn_local(async move {
                    match api::organizations::create(&new).await {
                        Ok(org) => {
                            notice.set(Some(format!("Organisation “{}” created.", org.name)));
                            paged.prepend(org);
                            fields.clear();
                            panel.set(Panel::Closed);
                        }
                        Err(p) => form.fail(p),
                    }
                    form.busy.set(false);
                });
            }
            Panel::Edit(current) => {
                let patch = match fields.patch_body(&current.value) {
                    Ok(patch) => patch,
                    Err(errors) => return form.invalid(errors),
                };
                if patch == Default::default() {
                    form.succeed("Nothing changed.");
                    return;
                }
                form.busy.set(true);
                spawn_local(async move {
                    let id = current.value.id.clone();
                    match api::organizations::update(&id, &current.etag, &patch).await {
                        Ok(v) => {
                            notice.set(Some(format!("Organisation “{}” saved.", v.value.name)));
                            paged.replace(v.value, |a, b| a.id == b.id);
                            panel.set(Panel::Closed);
                        }
                        Err(p) if p.code == ErrorCode::PreconditionFailed => {
                            // Someone saved first: show their version and let the user redo.
                            if let Ok(fresh) = api::organizations::get(&id).await {
                                fields.fill(&fresh.value);
                                paged.replace(fresh.value.clone(), |a, b| a.id == b.id);
                                panel.set(Panel::Edit(fresh));
                            }
                            let mut p = p;
                            p.detail = Some(
                                "Someone else changed this organisation while you were editing. The form now shows the current values: make your changes again and save."
                                    .to_string(),
                            );
                            form.fail(p);
                        }
                        Err(p) => form.fail(p),
                    }
                    form.busy.set(false);
                });
            }
            Panel::Closed | Panel::Loading => {}
        }
    };

    let panel_view = move || {
        let (title, test, button) = match panel.get() {
            Panel::Closed => return ().into_any(),
            Panel::Loading => {
                return view! { <p class="muted card" data-test="loading">"Loading…"</p> }
                    .into_any();
            }
            Panel::Create => ("New organisation", "org-create-form", "Create organisation"),
            Panel::Edit(_) => ("Edit organisation", "org-edit-form", "Save changes"),
        };
        view! {
            <form class="card form" on:submit=on_submit novalidate=true data-test=test>
                <h2>{title}</h2>
                <FormBanner form test="org" />
                <OrgFieldsView fields form csms />
                <div class="actions">
                    <button class="button" type="submit" data-test="org-submit" disabled=move || form.busy.get()>
                        {move || if form.busy.get() { "Saving…" } else { button }}
                    </button>
                    <button
                        class="button secondary"
                        type="button"
                        data-test="org-cancel"
                        on:click=move |_| panel.set(Panel::Closed)
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        }
            .into_any()
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Organisations"</h1>
                <button class="button" data-test="org-new" on:click=open_create>
                    "New organisation"
                </button>
            </div>
            {move || notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="page-notice">{n}</div> })}
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
                                    <button class="row" data-test="org-row" data-id=o.id.clone() on:click=move |_| open_edit(id.clone())>
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

fn scroll_to_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}
