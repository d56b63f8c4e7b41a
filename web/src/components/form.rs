//! The state every form shares: per-field errors (from `shared::validate` before sending, or
//! from the server's problem after), a message for the whole form, and a busy flag.

use leptos::prelude::*;
use shared::{FieldError, Problem};
use wasm_bindgen::JsCast;

#[derive(Clone, Copy)]
pub struct FormState {
    pub errors: RwSignal<Vec<FieldError>>,
    pub message: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// The fields this form shows; errors on any other field are listed in the banner.
    fields: StoredValue<&'static [&'static str]>,
}

impl FormState {
    pub fn new(fields: &'static [&'static str]) -> Self {
        FormState {
            errors: RwSignal::new(Vec::new()),
            message: RwSignal::new(None),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
            fields: StoredValue::new(fields),
        }
    }

    /// Clears the previous outcome before a new attempt.
    pub fn start(&self) {
        self.errors.set(Vec::new());
        self.message.set(None);
        self.notice.set(None);
    }

    /// Shows rules broken before sending.
    pub fn invalid(&self, errors: Vec<FieldError>) {
        self.errors.set(errors);
        self.message
            .set(Some("Please correct the fields marked below.".to_string()));
    }

    /// Shows what the server refused.
    pub fn fail(&self, problem: Problem) {
        let message = if problem.errors.is_empty() {
            problem.message()
        } else {
            problem
                .detail
                .clone()
                .unwrap_or_else(|| problem.title.clone())
        };
        self.message.set(Some(message));
        self.errors.set(problem.errors);
        reveal_problem();
    }

    pub fn succeed(&self, notice: impl Into<String>) {
        self.errors.set(Vec::new());
        self.message.set(None);
        self.notice.set(Some(notice.into()));
    }

    /// Messages for one field, including its items (`skills[2]` counts for `skills`).
    pub fn messages_for(&self, field: &str) -> Vec<String> {
        self.errors.with(|errors| {
            errors
                .iter()
                .filter(|e| belongs_to(&e.field, field))
                .map(|e| e.message.clone())
                .collect()
        })
    }

    /// Errors on fields this form does not show.
    fn stray(&self) -> Vec<String> {
        let fields = self.fields.get_value();
        self.errors.with(|errors| {
            errors
                .iter()
                .filter(|e| !fields.iter().any(|f| belongs_to(&e.field, f)))
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect()
        })
    }
}

/// After the view has updated: focuses the first field marked invalid, or else brings the
/// form's error message into view (a long form may have been scrolled past it).
fn reveal_problem() {
    request_animation_frame(|| {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Ok(Some(field)) = doc.query_selector("[aria-invalid='true']")
            && let Ok(field) = field.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = field.focus();
        } else if let Ok(Some(banner)) = doc.query_selector("[role='alert']") {
            banner.scroll_into_view_with_bool(false);
        }
    });
}

fn belongs_to(error_field: &str, field: &str) -> bool {
    error_field == field
        || error_field
            .strip_prefix(field)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

/// The form-level message (error in red, success in green). `test` names it for tests,
/// e.g. `login` gives `login-error` and `login-notice`.
#[component]
pub fn FormBanner(form: FormState, test: &'static str) -> impl IntoView {
    view! {
        {move || {
            form.message
                .get()
                .map(|m| {
                    let stray = form.stray();
                    view! {
                        <div class="banner banner-error" role="alert" data-test=format!("{test}-error")>
                            <p>{m}</p>
                            {(!stray.is_empty())
                                .then(|| {
                                    view! {
                                        <ul>
                                            {stray.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                                        </ul>
                                    }
                                })}
                        </div>
                    }
                })
        }}
        {move || {
            form.notice
                .get()
                .map(|m| {
                    view! {
                        <div class="banner banner-ok" role="status" data-test=format!("{test}-notice")>
                            {m}
                        </div>
                    }
                })
        }}
    }
}
