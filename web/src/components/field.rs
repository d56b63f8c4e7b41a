//! Labelled form fields that show their own errors underneath.

use leptos::prelude::*;

use super::form::FormState;

/// The errors for one field, as a list under it.
#[component]
pub fn FieldErrors(form: FormState, field: &'static str, test: &'static str) -> impl IntoView {
    view! {
        {move || {
            let messages = form.messages_for(field);
            (!messages.is_empty())
                .then(|| {
                    view! {
                        <ul class="field-errors" data-test=format!("{test}-errors")>
                            {messages.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                        </ul>
                    }
                })
        }}
    }
}

/// A text-like input (`text`, `email`, `password`, `date`, `number`, `search`).
#[component]
pub fn TextField(
    label: &'static str,
    /// The field's name in the API, matched against `FieldError::field`.
    field: &'static str,
    value: RwSignal<String>,
    form: FormState,
    /// The `data-test` (and `id`) of the input.
    test: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let invalid = move || !form.messages_for(field).is_empty();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=test>{label}{required.then_some(" *")}</label>
            <input
                id=test
                name=field
                type=kind
                data-test=test
                autocomplete=autocomplete
                placeholder=placeholder
                aria-invalid=move || if invalid() { "true" } else { "false" }
                bind:value=value
            />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldErrors form field test />
        </div>
    }
}

/// A multi-line text input.
#[component]
pub fn TextAreaField(
    label: &'static str,
    field: &'static str,
    value: RwSignal<String>,
    form: FormState,
    test: &'static str,
    #[prop(default = 4)] rows: u32,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let invalid = move || !form.messages_for(field).is_empty();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=test>{label}{required.then_some(" *")}</label>
            <textarea
                id=test
                name=field
                rows=rows
                data-test=test
                aria-invalid=move || if invalid() { "true" } else { "false" }
                bind:value=value
            ></textarea>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldErrors form field test />
        </div>
    }
}

/// A drop-down. `options` are `(value, label)` pairs; the empty value means "none".
#[component]
pub fn SelectField(
    label: &'static str,
    field: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    form: FormState,
    test: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let invalid = move || !form.messages_for(field).is_empty();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=test>{label}{required.then_some(" *")}</label>
            <select
                id=test
                name=field
                data-test=test
                aria-invalid=move || if invalid() { "true" } else { "false" }
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = {
                                let v = v.clone();
                                move || value.with(|x| *x == v)
                            };
                            view! {
                                <option value=v prop:selected=selected>
                                    {l}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <FieldErrors form field test />
        </div>
    }
}

/// A single checkbox.
#[component]
pub fn CheckboxField(
    label: &'static str,
    field: &'static str,
    checked: RwSignal<bool>,
    form: FormState,
    test: &'static str,
) -> impl IntoView {
    view! {
        <div class="field field-check">
            <label>
                <input type="checkbox" name=field data-test=test bind:checked=checked />
                {label}
            </label>
            <FieldErrors form field test />
        </div>
    }
}

/// A set of checkboxes over `(id, label)` options, holding the chosen ids.
#[component]
pub fn MultiCheckField(
    label: &'static str,
    field: &'static str,
    chosen: RwSignal<Vec<String>>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    form: FormState,
    test: &'static str,
) -> impl IntoView {
    view! {
        <fieldset class="field" data-test=test>
            <legend>{label}</legend>
            {move || {
                let opts = options.get();
                if opts.is_empty() {
                    view! { <p class="hint">"None yet."</p> }.into_any()
                } else {
                    opts.into_iter()
                        .map(|(id, l)| {
                            let on = {
                                let id = id.clone();
                                move || chosen.with(|c| c.contains(&id))
                            };
                            let toggle = {
                                let id = id.clone();
                                move |_| {
                                    chosen.update(|c| {
                                        if let Some(i) = c.iter().position(|x| *x == id) {
                                            c.remove(i);
                                        } else {
                                            c.push(id.clone());
                                        }
                                    })
                                }
                            };
                            view! {
                                <label class="check-option">
                                    <input
                                        type="checkbox"
                                        value=id.clone()
                                        prop:checked=on
                                        on:change=toggle
                                    />
                                    {l}
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
            <FieldErrors form field test />
        </fieldset>
    }
}
