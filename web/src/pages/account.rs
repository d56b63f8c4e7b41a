//! `/account`: who I am, and changing my password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FieldError;
use shared::auth::ChangePasswordRequest;
use shared::validate::Errors;

use crate::api;
use crate::components::field::TextField;
use crate::components::form::{FormBanner, FormState};
use crate::session;

#[component]
pub fn AccountPage() -> impl IntoView {
    let s = session::get();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let form = FormState::new(&["current_password", "new_password", "confirm"]);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let req = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let mut errors = Errors::default();
        errors.present("current_password", !req.current_password.is_empty());
        errors.password("new_password", &req.new_password);
        let mut errors = errors.0;
        if confirm.get_untracked() != req.new_password {
            errors.push(FieldError::new(
                "confirm",
                "mismatch",
                "does not match the new password",
            ));
        }
        if !errors.is_empty() {
            form.invalid(errors);
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            match api::auth::change_password(&req).await {
                Ok(()) => {
                    form.succeed("Your password has been changed.");
                    current.set(String::new());
                    new.set(String::new());
                    confirm.set(String::new());
                }
                Err(problem) => form.fail(problem),
            }
            form.busy.set(false);
        });
    };

    let profile = move || {
        s.user.get().map(|u| {
            view! {
                <dl class="facts" data-test="profile">
                    <dt>"Name"</dt>
                    <dd>{u.name}</dd>
                    <dt>"E-mail"</dt>
                    <dd>{u.email}</dd>
                    <dt>"Role"</dt>
                    <dd>{u.role.label()}</dd>
                    <dt>"Organisation"</dt>
                    <dd>{u.organization_name}</dd>
                </dl>
            }
        })
    };

    view! {
        <section class="page narrow">
            <h1>"Your account"</h1>
            <div class="card">{profile}</div>
            <h2>"Change password"</h2>
            <form class="card form" on:submit=on_submit novalidate=true data-test="password-form">
                <FormBanner form test="password" />
                // Lets password managers tell whose password this is.
                <input
                    type="email"
                    autocomplete="username"
                    hidden=true
                    readonly=true
                    prop:value=move || s.user.with(|u| u.as_ref().map(|u| u.email.clone()).unwrap_or_default())
                />
                <TextField
                    label="Current password"
                    field="current_password"
                    value=current
                    form
                    test="password-current"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <TextField
                    label="New password"
                    field="new_password"
                    value=new
                    form
                    test="password-new"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    hint="At least 10 characters."
                />
                <TextField
                    label="Repeat the new password"
                    field="confirm"
                    value=confirm
                    form
                    test="password-confirm"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                />
                <button class="button" type="submit" data-test="password-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Saving…" } else { "Change password" }}
                </button>
            </form>
        </section>
    }
}
