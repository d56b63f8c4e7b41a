//! Route guards: signed-in pages and admin-only pages.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;
use shared::Role;

use crate::session;

/// Shows the nested route once the session is known; sends signed-out visitors to the login
/// page, remembering where they were going.
#[component]
pub fn SignedIn() -> impl IntoView {
    let s = session::get();
    let location = use_location();
    move || match (s.ready.get(), s.role.get()) {
        (false, _) => {
            view! { <p class="muted page-loading" data-test="loading">"Loading…"</p> }.into_any()
        }
        (true, None) => {
            let here = location.pathname.get_untracked();
            let path = if here == "/" || here.is_empty() || s.signed_out_by_user.get_untracked() {
                "/login".to_string()
            } else {
                format!("/login?next={}", js_sys::encode_uri_component(&here))
            };
            view! { <Redirect path /> }.into_any()
        }
        (true, Some(_)) => view! { <Outlet /> }.into_any(),
    }
}

/// Shows the nested route to administrators only.
#[component]
pub fn AdminOnly() -> impl IntoView {
    let s = session::get();
    move || {
        if s.role.get() == Some(Role::Admin) {
            view! { <Outlet /> }.into_any()
        } else {
            let home = s.role.get().map(session::home_for).unwrap_or("/");
            view! {
                <section class="page" data-test="forbidden">
                    <h1>"Administrators only"</h1>
                    <p>"Your role does not give access to this page."</p>
                    <p>
                        <a href=home>"Go to your home page"</a>
                    </p>
                </section>
            }
            .into_any()
        }
    }
}

/// `/`: sends each role to its home.
#[component]
pub fn HomeRedirect() -> impl IntoView {
    let s = session::get();
    move || {
        s.role
            .get()
            .map(|role| view! { <Redirect path=session::home_for(role) /> })
    }
}
