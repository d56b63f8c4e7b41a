//! `/admin/users`: users filtered by role, created and edited by an administrator.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::identity::User;
use shared::{ErrorCode, Role};

use crate::api;
use crate::api::Versioned;
use crate::components::choices::{self, Choices};
use crate::components::form::{FormBanner, FormState};
use crate::components::paged::{LoadMore, Paged};
use crate::components::user_form::{EditUserFieldsView, FIELDS, NewUserFieldsView, UserFields};

#[derive(Clone, PartialEq)]
enum Panel {
    Closed,
    Create,
    Loading,
    Edit(Versioned<User>),
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let paged: Paged<User> = Paged::new();
    let role_filter = RwSignal::new(String::new());
    let panel = RwSignal::new(Panel::Closed);
    let fields = UserFields::new();
    let form = FormState::new(FIELDS);
    let notice = RwSignal::new(None::<String>);
    let organizations = RwSignal::new(Choices::new());
    let departments = RwSignal::new(Choices::new());
    let department_names = move |ids: &[String]| -> String {
        departments.with(|d| {
            ids.iter()
                .filter_map(|id| d.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };

    let reload = move || {
        let role = Role::parse(&role_filter.get_untracked());
        paged.reload(move |cursor| api::users::list(None, role, cursor, None));
    };
    reload();
    spawn_local(async move {
        if let Ok(page) = api::organizations::list(None, None, Some(200)).await {
            organizations.set(
                page.items
                    .into_iter()
                    .filter(|o| o.kind == shared::identity::OrgKind::Client)
                    .map(|o| (o.id, o.name))
                    .collect(),
            );
        }
    });
    spawn_local(async move {
        if let Ok(page) = api::departments::list(None, Some(200)).await {
            departments.set(page.items.into_iter().map(|d| (d.id, d.name)).collect());
        }
    });

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
        spawn_local(async move {
            match api::users::get(&id).await {
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
                    match api::users::create(&new).await {
                        Ok(user) => {
                            notice.set(Some(format!("User {} created.", user.email)));
                            paged.prepend(user);
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
                    match api::users::update(&id, &current.etag, &patch).await {
                        Ok(v) => {
                            notice.set(Some(format!("User {} saved.", v.value.email)));
                            paged.replace(v.value, |a, b| a.id == b.id);
                            panel.set(Panel::Closed);
                        }
                        Err(p) if p.code == ErrorCode::PreconditionFailed => {
                            if let Ok(fresh) = api::users::get(&id).await {
                                fields.fill(&fresh.value);
                                paged.replace(fresh.value.clone(), |a, b| a.id == b.id);
                                panel.set(Panel::Edit(fresh));
                            }
                            let mut p = p;
                            p.detail = Some(
                                "Someone else changed this user while you were editing. The form now shows the current values: make your changes again and save."
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
        let editing = match panel.get() {
            Panel::Closed => return ().into_any(),
            Panel::Loading => {
                return view! { <p class="muted card" data-test="loading">"Loading…"</p> }
                    .into_any();
            }
            Panel::Create => false,
            Panel::Edit(_) => true,
        };
        let inputs = if editing {
            view! { <EditUserFieldsView fields form departments /> }.into_any()
        } else {
            view! { <NewUserFieldsView fields form organizations departments /> }.into_any()
        };
        view! {
            <form
                class="card form"
                on:submit=on_submit
                novalidate=true
                data-test=if editing { "user-edit-form" } else { "user-create-form" }
            >
                <h2>{if editing { "Edit user" } else { "New user" }}</h2>
                <FormBanner form test="user" />
                {inputs}
                <div class="actions">
                    <button class="button" type="submit" data-test="user-submit" disabled=move || form.busy.get()>
                        {move || {
                            if form.busy.get() {
                                "Saving…"
                            } else if editing {
                                "Save changes"
                            } else {
                                "Create user"
                            }
                        }}
                    </button>
                    <button
                        class="button secondary"
                        type="button"
                        data-test="user-cancel"
                        on:click=move |_| panel.set(Panel::Closed)
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        }
            .into_any()
    };

    let filter_choices = {
        let mut c = choices::none("All roles");
        c.extend(choices::roles());
        c
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Users"</h1>
                <button class="button" data-test="user-new" on:click=open_create>
                    "New user"
                </button>
            </div>
            {move || notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="page-notice">{n}</div> })}
            {panel_view}
            <div class="search">
                <label for="user-role-filter">"Role"</label>
                <select
                    id="user-role-filter"
                    data-test="user-role-filter"
                    on:change=move |ev| {
                        role_filter.set(event_target_value(&ev));
                        reload();
                    }
                >
                    {filter_choices
                        .into_iter()
                        .map(|(v, l)| view! { <option value=v>{l}</option> })
                        .collect_view()}
                </select>
            </div>
            <ul class="rows" data-test="user-list">
                {move || {
                    paged
                        .items
                        .get()
                        .into_iter()
                        .map(|u| {
                            let id = u.id.clone();
                            let agent_info = if u.role == Role::SupportAgent {
                                let depts = department_names(&u.department_ids);
                                format!(
                                    " · {}{}",
                                    if depts.is_empty() { "no department".to_string() } else { depts },
                                    if u.skills.is_empty() { String::new() } else { format!(" · {}", u.skills.join(", ")) },
                                )
                            } else {
                                String::new()
                            };
                            view! {
                                <li>
                                    <button class="row" data-test="user-row" data-id=u.id.clone() on:click=move |_| open_edit(id.clone())>
                                        <span class="row-title">
                                            {u.name.clone()}
                                            {(!u.active).then(|| view! { <span class="badge badge-muted">"inactive"</span> })}
                                        </span>
                                        <span class="row-meta">
                                            {u.email.clone()} " · " {u.role.label()} " · " {u.organization_name.clone()}
                                            {agent_info}
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
                    .then(|| view! { <p class="empty" data-test="user-empty">"No users match."</p> })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let role = Role::parse(&role_filter.get_untracked());
                    paged.more(move |cursor| api::users::list(None, role, cursor, None))
                }
            />
        </section>
    }
}
