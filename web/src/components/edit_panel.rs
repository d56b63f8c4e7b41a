//! The create-and-edit panel above an admin list (organisations, users): which form is open,
//! opening a record (read afresh, with its `ETag`), sending a create or a patch of only what
//! changed, and, when someone else saved first (`412`), reloading the record into the form and
//! asking for the change again.

use std::future::Future;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ErrorCode, FieldError, Problem};

use super::form::{FormBanner, FormState};
use super::paged::Paged;
use crate::api::Versioned;

/// A kind of record the panel creates and edits, with its API calls.
pub trait Record: Clone + PartialEq + Send + Sync + 'static {
    type New: 'static;
    type Patch: Default + PartialEq + 'static;
    /// What a sentence calls it: "organisation", "user".
    const NOUN: &'static str;
    fn id(&self) -> &str;
    /// How notices name it: `Organisation “FaShop Srl”`, `User anna@fashop.test`.
    fn describe(&self) -> String;
    fn get(id: String) -> impl Future<Output = Result<Versioned<Self>, Problem>> + 'static;
    fn create(new: Self::New) -> impl Future<Output = Result<Self, Problem>> + 'static;
    fn update(
        id: String,
        etag: String,
        patch: Self::Patch,
    ) -> impl Future<Output = Result<Versioned<Self>, Problem>> + 'static;
}

/// The form's inputs for a kind of record: emptied for a new one, filled from an existing one,
/// and read back (checked with `shared::validate`) as the create body, or as a patch of what
/// differs from the original.
pub trait RecordFields<R: Record>: Copy + Send + Sync + 'static {
    fn clear(&self);
    fn fill(&self, record: &R);
    fn new_body(&self) -> Result<R::New, Vec<FieldError>>;
    fn patch_body(&self, original: &R) -> Result<R::Patch, Vec<FieldError>>;
}

/// What the panel shows.
#[derive(Clone, PartialEq)]
enum Open<R> {
    Closed,
    Create,
    Loading,
    Edit(Versioned<R>),
}

/// What the panel's form says. `test` prefixes its `data-test` names: `org` gives
/// `org-create-form` / `org-edit-form`, `org-submit`, `org-cancel` and the banner's
/// `org-error`. `create` and `edit` are the `(heading, button)` of each form.
#[derive(Clone, Copy)]
pub struct PanelText {
    pub test: &'static str,
    pub create: (&'static str, &'static str),
    pub edit: (&'static str, &'static str),
}

pub struct EditPanel<R: Record, F: RecordFields<R>> {
    open: RwSignal<Open<R>>,
    pub fields: F,
    pub form: FormState,
    /// The page's message above the list: what was created or saved, or why a record could
    /// not be opened.
    pub notice: RwSignal<Option<String>>,
    /// The list below, updated with what was created or saved.
    paged: Paged<R>,
    /// The form's `data-test` prefix (set by [`EditPanel::view`]), to bring it into view.
    test: StoredValue<&'static str>,
}

impl<R: Record, F: RecordFields<R>> Clone for EditPanel<R, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: Record, F: RecordFields<R>> Copy for EditPanel<R, F> {}

impl<R: Record, F: RecordFields<R>> EditPanel<R, F> {
    /// `shown` names the fields the inputs show (for matching server errors to them).
    pub fn new(fields: F, shown: &'static [&'static str], paged: Paged<R>) -> Self {
        EditPanel {
            open: RwSignal::new(Open::Closed),
            fields,
            form: FormState::new(shown),
            notice: RwSignal::new(None),
            paged,
            test: StoredValue::new(""),
        }
    }

    pub fn open_create(self) {
        self.fields.clear();
        self.form.start();
        self.notice.set(None);
        self.open.set(Open::Create);
    }

    /// Reads the record afresh (for its current `ETag`) and shows it in the form.
    pub fn open_edit(self, id: String) {
        self.form.start();
        self.notice.set(None);
        self.open.set(Open::Loading);
        spawn_local(async move {
            match R::get(id).await {
                Ok(v) => {
                    self.fields.fill(&v.value);
                    self.open.set(Open::Edit(v));
                    reveal(self.test.get_value());
                }
                Err(p) => {
                    self.open.set(Open::Closed);
                    self.notice.set(Some(p.message()));
                }
            }
        });
    }

    fn submit(self) {
        if self.form.busy.get_untracked() {
            return;
        }
        self.form.start();
        match self.open.get_untracked() {
            Open::Create => self.create(),
            Open::Edit(current) => self.save(current),
            Open::Closed | Open::Loading => {}
        }
    }

    fn create(self) {
        let new = match self.fields.new_body() {
            Ok(new) => new,
            Err(errors) => return self.form.invalid(errors),
        };
        self.form.busy.set(true);
        spawn_local(async move {
            match R::create(new).await {
                Ok(record) => {
                    self.notice
                        .set(Some(format!("{} created.", record.describe())));
                    self.paged.prepend(record);
                    self.fields.clear();
                    self.open.set(Open::Closed);
                }
                Err(p) => self.form.fail(p),
            }
            self.form.busy.set(false);
        });
    }

    fn save(self, current: Versioned<R>) {
        let patch = match self.fields.patch_body(&current.value) {
            Ok(patch) => patch,
            Err(errors) => return self.form.invalid(errors),
        };
        if patch == R::Patch::default() {
            self.form.succeed("Nothing changed.");
            return;
        }
        self.form.busy.set(true);
        spawn_local(async move {
            let id = current.value.id().to_string();
            match R::update(id.clone(), current.etag, patch).await {
                Ok(v) => {
                    self.notice
                        .set(Some(format!("{} saved.", v.value.describe())));
                    self.paged.replace(v.value, |a, b| a.id() == b.id());
                    self.open.set(Open::Closed);
                }
                Err(mut p) if p.code == ErrorCode::PreconditionFailed => {
                    // Someone saved first: show their version and let the user redo.
                    if let Ok(fresh) = R::get(id).await {
                        self.fields.fill(&fresh.value);
                        self.paged
                            .replace(fresh.value.clone(), |a, b| a.id() == b.id());
                        self.open.set(Open::Edit(fresh));
                    }
                    p.detail = Some(format!(
                        "Someone else changed this {} while you were editing. The form now shows the current values: make your changes again and save.",
                        R::NOUN
                    ));
                    self.form.fail(p);
                }
                Err(p) => self.form.fail(p),
            }
            self.form.busy.set(false);
        });
    }

    /// The panel: nothing, "Loading…", or the form around `inputs`, which are told whether an
    /// existing record is being edited.
    pub fn view<V: IntoView + 'static>(
        self,
        text: PanelText,
        inputs: impl Fn(bool) -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        let form = self.form;
        self.test.set_value(text.test);
        move || {
            let editing = match self.open.get() {
                Open::Closed => return ().into_any(),
                Open::Loading => {
                    return view! { <p class="muted card" data-test="loading">"Loading…"</p> }
                        .into_any();
                }
                Open::Create => false,
                Open::Edit(_) => true,
            };
            let (heading, button) = if editing { text.edit } else { text.create };
            let test = text.test;
            let on_submit = move |ev: SubmitEvent| {
                ev.prevent_default();
                self.submit();
            };
            view! {
                <form
                    class="card form"
                    on:submit=on_submit
                    novalidate=true
                    data-test=format!("{test}-{}-form", if editing { "edit" } else { "create" })
                >
                    <h2>{heading}</h2>
                    <FormBanner form test />
                    {inputs(editing)}
                    <div class="actions">
                        <button
                            class="button"
                            type="submit"
                            data-test=format!("{test}-submit")
                            disabled=move || form.busy.get()
                        >
                            {move || if form.busy.get() { "Saving…" } else { button }}
                        </button>
                        <button
                            class="button secondary"
                            type="button"
                            data-test=format!("{test}-cancel")
                            on:click=move |_| self.open.set(Open::Closed)
                        >
                            "Cancel"
                        </button>
                    </div>
                </form>
            }
            .into_any()
        }
    }
}

/// Once drawn, scrolls the edit form into view (the row it was opened from may be far below).
fn reveal(test: &'static str) {
    request_animation_frame(move || {
        let form = web_sys::window().and_then(|w| w.document()).and_then(|d| {
            d.query_selector(&format!("[data-test='{test}-edit-form']"))
                .ok()
                .flatten()
        });
        match form {
            Some(form) => form.scroll_into_view(),
            None => {
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            }
        }
    });
}
