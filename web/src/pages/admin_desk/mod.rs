//! `/admin/desk`: how the support desk is configured, one section per subject — business
//! calendars, SLA policies, cluster routes, priority rules, the refund policy and the
//! repeated-problem rule. Calendars and policies are lists with the edit panel (add, edit,
//! delete); routes are edited per cluster; the three settings are single forms read with their
//! `ETag` and saved whole with `If-Match` ([`SettingForm`]), reloading with a message when
//! someone saved first. Changes apply to tickets opened afterwards.

pub mod calendars;
pub mod policies;
pub mod priority;
pub mod refund;
pub mod repeat;
pub mod routes;

use std::str::FromStr;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::config::CalendarRecord;
use shared::page::Page;
use shared::{ErrorCode, FieldError};

use crate::api;
use crate::api::Versioned;
use crate::api::desk_config::Setting;
use crate::components::form::{FormBanner, FormState};
use crate::components::paged::Paged;

#[component]
pub fn AdminDeskPage() -> impl IntoView {
    // Shared by the calendars' list and the policies' calendar choice.
    let calendars: Paged<CalendarRecord> = Paged::new();
    calendars.reload(|_| async {
        api::desk_config::calendars().await.map(|items| Page {
            items,
            next_cursor: None,
        })
    });
    view! {
        <section class="page admin-desk">
            <h1>"Desk configuration"</h1>
            <p class="note">"Changes apply to tickets opened from now on; open tickets keep their deadlines, route and priority."</p>
            <calendars::CalendarsSection calendars />
            <policies::PoliciesSection calendars />
            <routes::RoutesSection />
            <priority::PrioritySection />
            <refund::RefundSection />
            <repeat::RepeatSection />
        </section>
    }
}

/// A whole number from a text field, or an error on `field`.
pub fn number<N: FromStr + Default>(field: &str, text: &str, errors: &mut Vec<FieldError>) -> N {
    text.trim().parse().unwrap_or_else(|_| {
        errors.push(FieldError::new(field, "number", "must be a whole number"));
        N::default()
    })
}

/// Comma-separated items, trimmed, blanks dropped.
pub fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// A section's heading with an "Add" button for the edit panel below it.
#[component]
pub fn SectionHead(
    title: &'static str,
    test: &'static str,
    add: &'static str,
    on_add: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="page-head">
            <h2>{title}</h2>
            <button class="button secondary" type="button" data-test=format!("{test}-new") on:click=move |_| on_add.run(())>
                {add}
            </button>
        </div>
    }
}

/// A list's delete button: deletes with the version shown, and on refusal (`409` while in
/// use, `412` when changed meanwhile) says why in `error`.
pub fn delete_button<F, Fut>(
    test: &'static str,
    error: RwSignal<Option<String>>,
    run: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(), shared::Problem>> + 'static,
{
    view! {
        <button
            class="button secondary small"
            type="button"
            data-test=test
            on:click=move |_| {
                let run = run.clone();
                spawn_local(async move {
                    match run().await {
                        Ok(()) => error.set(None),
                        Err(p) => error.set(Some(p.message())),
                    }
                });
            }
        >
            "Delete"
        </button>
    }
}

/// One desk setting on the page: the value last read (with its `ETag`) and its form.
pub struct SettingState<T: Setting> {
    current: RwSignal<Option<Versioned<T>>>,
    pub form: FormState,
    /// Puts a value into the form's fields.
    fill: Callback<T>,
}

impl<T: Setting> Clone for SettingState<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Setting> Copy for SettingState<T> {}

impl<T: Setting> SettingState<T> {
    /// Reads the setting and fills the form.
    pub fn new(fields: &'static [&'static str], fill: impl Fn(T) + Send + Sync + 'static) -> Self {
        let state = SettingState {
            current: RwSignal::new(None),
            form: FormState::new(fields),
            fill: Callback::new(fill),
        };
        state.load();
        state
    }

    fn load(self) {
        spawn_local(async move {
            match api::desk_config::setting::<T>().await {
                Ok(v) => {
                    if self.current.try_set(Some(v.clone())).is_none() {
                        self.fill.run(v.value);
                    }
                }
                Err(p) => {
                    if !self.current.is_disposed() {
                        self.form.fail(p);
                    }
                }
            }
        });
    }

    fn save(self, value: Result<T, Vec<FieldError>>) {
        if self.form.busy.get_untracked() {
            return;
        }
        self.form.start();
        let value = match value {
            Ok(v) => v,
            Err(errors) => return self.form.invalid(errors),
        };
        let Some(current) = self.current.get_untracked() else {
            return;
        };
        if current.value == value {
            return self.form.succeed("Nothing changed.");
        }
        self.form.busy.set(true);
        spawn_local(async move {
            let result = api::desk_config::save_setting(&current.etag, &value).await;
            if self.current.is_disposed() {
                return;
            }
            match result {
                Ok(v) => {
                    self.fill.run(v.value.clone());
                    self.current.set(Some(v));
                    self.form
                        .succeed("Saved. New tickets follow it from now on.");
                }
                Err(mut p) if p.code == ErrorCode::PreconditionFailed || p.status == 412 => {
                    p.detail = Some(
                        "Someone else changed this setting meanwhile. The form now shows the current values: make your change again and save."
                            .to_string(),
                    );
                    self.form.fail(p);
                    self.load();
                }
                Err(p) => self.form.fail(p),
            }
            self.form.busy.set(false);
        });
    }
}

/// A setting's form: its fields, the outcome, and "Save". `read` turns the fields into the
/// value to save (or the rules they break).
#[component]
pub fn SettingForm<T: Setting>(
    title: &'static str,
    /// Prefix of the `data-test` names: `<test>-form`, `<test>-submit`, `<test>-error`, `<test>-notice`.
    test: &'static str,
    state: SettingState<T>,
    read: Callback<(), Result<T, Vec<FieldError>>>,
    children: Children,
) -> impl IntoView {
    let form = state.form;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.save(read.run(()));
    };
    view! {
        <form class="card form" on:submit=on_submit novalidate=true data-test=format!("{test}-form")>
            <h2>{title}</h2>
            <FormBanner form test />
            {children()}
            <div class="actions">
                <button
                    class="button"
                    type="submit"
                    data-test=format!("{test}-submit")
                    disabled=move || form.busy.get() || state.current.with(Option::is_none)
                >
                    {move || if form.busy.get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </form>
    }
}
