//! `/login`: e-mail and password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::auth::LoginRequest;
use shared::validate::{Errors, normalize_email};
use shared::{ErrorCode, Role};

use crate::api;
use crate::components::field::TextField;
use crate::components::form::{FormBanner, FormState};
use crate::session;

/// Where to go after signing in: the page the visitor was sent away from, else the role's home.
fn destination(next: Option<String>, role: Role) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login"))
        .unwrap_or_else(|| session::home_for(role).to_string())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let s = session::get();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = FormState::new(&["email", "password"]);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let req = LoginRequest {
            email: normalize_email(&email.get_untracked()),
            password: password.get_untracked(),
        };
        let mut errors = Errors::default();
        errors.email("email", &req.email);
        errors.present("password", !req.password.is_empty());
        if let Err(errors) = errors.into_result() {
            form.invalid(errors);
            return;
        }
        form.busy.set(true);
        let next = query.with_untracked(|q| q.get("next"));
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::auth::login(&req).await {
                Ok(user) => navigate(&destination(next, user.role), NavigateOptions::default()),
                Err(mut problem) => {
                    if problem.code == ErrorCode::InvalidCredentials {
                        problem.detail = Some("Wrong e-mail or password".to_string());
                    }
                    form.fail(problem);
                    // Empty the password for the next try, unless it was retyped meanwhile.
                    if password.try_get_untracked().as_ref() == Some(&req.password) {
                        password.set(String::new());
                    }
                }
            }
            form.busy.set(false);
        });
    };

    view! {
        {move || {
            // Already signed in (for example after a reload): straight home.
            s.role
                .get()
                .filter(|_| !form.busy.get())
                .map(|role| {
                    let next = query.with_untracked(|q| q.get("next"));
                    view! { <Redirect path=destination(next, role) /> }
                })
        }}
        <section class="page narrow login">
            <h1 class="brand-title">"Tandem"</h1>
            <p class="muted">"Sign in to continue."</p>
            <form class="card form" on:submit=on_submit novalidate=true data-test="login-form">
                <FormBanner form test="login" />
                <TextField
                    label="E-mail"
                    field="email"
                    value=email
                    form
                    test="login-email"
                    kind="email"
                    autocomplete="username"
                    required=true
                />
                <TextField
                    label="Password"
                    field="password"
                    value=password
                    form
                    test="login-password"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <button class="button" type="submit" data-test="login-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </section>
    }
}
