//! `/account`: who I am, changing my name and password, how I am notified, and my private
//! calendar feed.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::ChangePasswordRequest;
use shared::identity::MePatch;
use shared::validate::{self, Errors};
use shared::{ErrorCode, FieldError};

use crate::api;
use crate::components::calendar_feed::CalendarFeedPanel;
use crate::components::field::TextField;
use crate::components::form::{FormBanner, FormState};
use crate::components::notification_prefs::NotificationPrefs;
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
            <h2>"Your name"</h2>
            <NameForm />
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
            <h2>"Notifications"</h2>
            <NotificationPrefs />
            <h2>"Calendar feed"</h2>
            <div class="card">
                <CalendarFeedPanel />
            </div>
        </section>
    }
}

/// Renames the signed-in user. Sends `If-Match` with the version the form was filled from;
/// if the account changed elsewhere meanwhile, shows the current name and asks to save again.
/// While the field is untouched it follows live changes of the account.
#[component]
fn NameForm() -> impl IntoView {
    let s = session::get();
    let current_name = move || {
        s.user
            .with_untracked(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default())
    };
    let name = RwSignal::new(current_name());
    // The copy of the account the field was filled from: its version goes in `If-Match`.
    let base = RwSignal::new(s.user.get_untracked());
    let form = FormState::new(&["name"]);
    Effect::new(move |_| {
        let latest = s.user.get();
        let untouched = base.with_untracked(|b| b.as_ref().map(|b| b.name.clone()))
            == Some(name.get_untracked());
        if untouched && latest.is_some() {
            name.set(current_name());
            base.set(latest);
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let Some(me) = base.get_untracked() else {
            return;
        };
        let patch = MePatch {
            name: Some(name.get_untracked().trim().to_string()),
            ..MePatch::default()
        };
        if let Err(errors) = validate::me_patch(&patch) {
            return form.invalid(errors);
        }
        if patch.name.as_deref() == Some(me.name.as_str()) {
            form.succeed("Nothing changed.");
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            match api::auth::update_me(Some(&api::auth::etag_of(&me)), &patch).await {
                Ok(user) => {
                    name.set(user.name.clone());
                    base.set(Some(user));
                    form.succeed("Your name has been saved.");
                }
                Err(mut problem) if problem.code == ErrorCode::PreconditionFailed => {
                    if let Ok(fresh) = api::auth::me().await {
                        name.set(fresh.name.clone());
                        base.set(Some(fresh.clone()));
                        session::user_changed(fresh);
                    }
                    problem.detail = Some(
                        "Your account was changed elsewhere (in another tab, or by an administrator) while you were editing. The form now shows the current name: make your change again and save."
                            .to_string(),
                    );
                    form.fail(problem);
                }
                Err(problem) => form.fail(problem),
            }
            form.busy.set(false);
        });
    };

    view! {
        <form class="card form" on:submit=on_submit novalidate=true data-test="name-form">
            <FormBanner form test="account-name" />
            <TextField
                label="Name"
                field="name"
                value=name
                form
                test="account-name"
                autocomplete="name"
                required=true
                hint="As colleagues and clients see it."
            />
            <button class="button" type="submit" data-test="account-name-submit" disabled=move || form.busy.get()>
                {move || if form.busy.get() { "Saving…" } else { "Save name" }}
            </button>
        </form>
    }
}
