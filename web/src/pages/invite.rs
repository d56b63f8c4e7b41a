//! `/invite/:token`: the invited person chooses a password and is signed in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::identity::AcceptInvitation;
use shared::validate::Errors;
use shared::{ErrorCode, FieldError};

use crate::api;
use crate::components::field::TextField;
use crate::components::form::{FormBanner, FormState};
use crate::session;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let form = FormState::new(&["password", "confirm", "token"]);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let token = params
            .with_untracked(|p| p.get("token"))
            .unwrap_or_default();
        let req = AcceptInvitation {
            token,
            password: password.get_untracked(),
        };
        let mut errors = Errors::default();
        errors.password("password", &req.password);
        let mut errors = errors.0;
        if confirm.get_untracked() != req.password {
            errors.push(FieldError::new(
                "confirm",
                "mismatch",
                "does not match the password",
            ));
        }
        if !errors.is_empty() {
            form.invalid(errors);
            return;
        }
        form.busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::invitations::accept(&req).await {
                Ok(user) => navigate(session::home_for(user.role), NavigateOptions::default()),
                Err(mut problem) => {
                    if problem.code == ErrorCode::InvitationInvalid
                        || problem.code == ErrorCode::NotFound
                    {
                        problem.detail = Some(
                            "This invitation link is no longer valid (used or expired). Ask your administrator for a new one."
                                .to_string(),
                        );
                    }
                    form.fail(problem);
                }
            }
            form.busy.set(false);
        });
    };

    view! {
        <section class="page narrow">
            <h1>"Welcome to Tandem"</h1>
            <p class="muted">"Choose a password to finish setting up your account."</p>
            <form class="card form" on:submit=on_submit novalidate=true data-test="invite-form">
                <FormBanner form test="invite" />
                <TextField
                    label="Password"
                    field="password"
                    value=password
                    form
                    test="invite-password"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    hint="At least 10 characters."
                />
                <TextField
                    label="Repeat the password"
                    field="confirm"
                    value=confirm
                    form
                    test="invite-confirm"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                />
                <button class="button" type="submit" data-test="invite-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Setting up…" } else { "Set password and sign in" }}
                </button>
            </form>
        </section>
    }
}
