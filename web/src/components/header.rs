//! The top bar: brand, the role's navigation, the live indicator, the user and sign-out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use shared::Role;

use super::bell::Bell;
use super::live_indicator::LiveIndicator;
use crate::{api, live, session};

/// `(test name, label, path)` of each link a role sees.
pub fn nav_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut links = match role {
        Role::Admin => vec![
            ("tickets", "Tickets", "/tickets"),
            ("organizations", "Organisations", "/admin/organizations"),
            ("projects", "Projects", "/projects"),
            ("templates", "Templates", "/templates"),
            ("users", "Users", "/admin/users"),
            ("invitations", "Invitations", "/admin/invitations"),
            ("departments", "Departments", "/admin/departments"),
            ("automation", "Automation", "/admin/automation"),
            ("desk", "Desk", "/admin/desk"),
            ("jobs", "Jobs", "/admin/jobs"),
        ],
        Role::Csm => vec![
            ("projects", "Projects", "/projects"),
            ("clients", "My clients", "/clients"),
            ("tickets", "Tickets", "/tickets"),
            ("templates", "Templates", "/templates"),
        ],
        Role::AccountManager => vec![
            ("projects", "Projects", "/projects"),
            ("clients", "My clients", "/clients"),
            ("tickets", "Tickets", "/tickets"),
        ],
        Role::Sales => vec![
            ("projects", "Projects", "/projects"),
            ("clients", "Clients", "/clients"),
        ],
        Role::SupportAgent => vec![("tickets", "Tickets", "/tickets")],
        Role::ClientAdmin | Role::ClientMember => vec![
            ("my-project", "My project", "/my-project"),
            ("support", "Support", "/support"),
        ],
    };
    if role.is_staff() {
        links.push(("handoffs", "Handoffs", "/handoffs"));
    }
    links.push(("account", "Account", "/account"));
    links
}

/// Whether the link to `path` is the section the page at `here` belongs to. A client's
/// project pages live under `/projects/…` and belong to "My project".
fn is_current(here: &str, path: &str, role: Role) -> bool {
    here.starts_with(path)
        || (path == "/my-project" && role.is_client() && here.starts_with("/projects"))
        || (path == "/support" && role.is_client() && here.starts_with("/tickets/"))
}

#[component]
pub fn Header() -> impl IntoView {
    let s = session::get();
    let location = use_location();
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            api::auth::logout().await;
            navigate("/login", NavigateOptions::default());
        });
    };
    let name = move || {
        s.user
            .with(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default())
    };
    let role_label = move || {
        s.user
            .with(|u| u.as_ref().map(|u| u.role.label()).unwrap_or_default())
    };
    let home = move || s.role.get().map(session::home_for).unwrap_or("/");
    // Your own account changed elsewhere (another tab, an admin): take the new copy.
    Effect::new(move |first: Option<()>| {
        let changed = live::touched("user.");
        if first.is_some() && changed {
            spawn_local(async {
                if let Ok(user) = api::auth::me().await {
                    session::user_changed(user);
                }
            });
        }
    });
    view! {
        <header class="topbar">
            <div class="topbar-row">
                <a class="brand" href=home data-test="brand">
                    "Tandem"
                </a>
                <LiveIndicator />
                <span class="spacer"></span>
                <a class="user-name" href="/account" data-test="user-name" title=role_label>
                    {name}
                </a>
                <Bell />
                <button class="button secondary small" data-test="logout" on:click=logout>
                    "Sign out"
                </button>
            </div>
            <nav class="nav" data-test="nav" aria-label="Main">
                {move || {
                    s.role
                        .get()
                        .map(|role| {
                            nav_links(role)
                                .into_iter()
                                .map(|(test, label, path)| {
                                    let current = move || {
                                        location.pathname.with(|p| is_current(p, path, role)).then_some("page")
                                    };
                                    view! {
                                        <a
                                            href=path
                                            class="nav-link"
                                            data-test=format!("nav-link-{test}")
                                            aria-current=current
                                        >
                                            {label}
                                        </a>
                                    }
                                })
                                .collect_view()
                        })
                }}
            </nav>
        </header>
    }
}
