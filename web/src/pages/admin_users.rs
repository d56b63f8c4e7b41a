//! `/admin/users`: users filtered by role, created and edited by an administrator.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::identity::{NewUser, User, UserPatch};
use shared::{Problem, Role};

use crate::api;
use crate::api::Versioned;
use crate::components::choices::{self, Choices};
use crate::components::edit_panel::{EditPanel, PanelText, Record};
use crate::components::paged::{LoadMore, Paged};
use crate::components::user_form::{EditUserFieldsView, FIELDS, NewUserFieldsView, UserFields};

impl Record for User {
    type New = NewUser;
    type Patch = UserPatch;
    const NOUN: &'static str = "user";

    fn id(&self) -> &str {
        &self.id
    }

    fn describe(&self) -> String {
        format!("User {}", self.email)
    }

    async fn get(id: String) -> Result<Versioned<Self>, Problem> {
        api::users::get(&id).await
    }

    async fn create(new: NewUser) -> Result<Self, Problem> {
        api::users::create(&new).await
    }

    async fn update(
        id: String,
        etag: String,
        patch: UserPatch,
    ) -> Result<Versioned<Self>, Problem> {
        api::users::update(&id, &etag, &patch).await
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let paged: Paged<User> = Paged::new();
    let role_filter = RwSignal::new(String::new());
    let fields = UserFields::new();
    let panel = EditPanel::new(fields, FIELDS, paged);
    let form = panel.form;
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

    let panel_view = panel.view(
        PanelText {
            test: "user",
            create: ("New user", "Create user"),
            edit: ("Edit user", "Save changes"),
        },
        move |editing| {
            if editing {
                view! { <EditUserFieldsView fields form departments /> }.into_any()
            } else {
                view! { <NewUserFieldsView fields form organizations departments /> }.into_any()
            }
        },
    );

    let filter_choices = {
        let mut c = choices::none("All roles");
        c.extend(choices::roles());
        c
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Users"</h1>
                <button class="button" data-test="user-new" on:click=move |_| panel.open_create()>
                    "New user"
                </button>
            </div>
            {move || panel.notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="page-notice">{n}</div> })}
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
                                    <button class="row" data-test="user-row" data-id=u.id.clone() on:click=move |_| panel.open_edit(id.clone())>
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
