//! Canned replies on `/admin/automation`: the record the edit panel creates and edits, and
//! its form (title, text with placeholders, department), used for adding and, prefilled, for
//! editing one.

use leptos::prelude::*;
use shared::desk::canned::{
    CannedReply, CannedReplyInput, CannedReplyPatch, PLACEHOLDERS, validate_canned,
};
use shared::identity::Department;
use shared::{FieldError, Problem};

use crate::api;
use crate::api::Versioned;
use crate::components::edit_panel::{Record, RecordFields};
use crate::components::field::{SelectField, TextAreaField, TextField};
use crate::components::form::FormState;

/// The fields the form shows (for matching server errors).
pub const FIELDS: &[&str] = &["title", "body", "department_id"];

impl Record for CannedReply {
    type New = CannedReplyInput;
    type Patch = CannedReplyPatch;
    const NOUN: &'static str = "canned reply";

    fn id(&self) -> &str {
        &self.id
    }

    fn describe(&self) -> String {
        format!("Canned reply “{}”", self.title)
    }

    async fn get(id: String) -> Result<Versioned<Self>, Problem> {
        api::canned::get(&id).await
    }

    async fn create(new: CannedReplyInput) -> Result<Self, Problem> {
        api::canned::create(&new).await
    }

    async fn update(
        id: String,
        etag: String,
        patch: CannedReplyPatch,
    ) -> Result<Versioned<Self>, Problem> {
        api::canned::update(&id, &etag, &patch).await
    }
}

#[derive(Clone, Copy)]
pub struct CannedFields {
    title: RwSignal<String>,
    body: RwSignal<String>,
    /// A department's id, or empty for every department.
    department_id: RwSignal<String>,
}

impl CannedFields {
    pub fn new() -> Self {
        CannedFields {
            title: RwSignal::new(String::new()),
            body: RwSignal::new(String::new()),
            department_id: RwSignal::new(String::new()),
        }
    }

    fn values(&self) -> Result<(String, String, Option<String>), Vec<FieldError>> {
        let (title, body) = (self.title.get_untracked(), self.body.get_untracked());
        let errors = validate_canned(&title, &body);
        if !errors.is_empty() {
            return Err(errors);
        }
        let dept = self.department_id.get_untracked();
        Ok((title, body, (!dept.is_empty()).then_some(dept)))
    }
}

impl RecordFields<CannedReply> for CannedFields {
    fn clear(&self) {
        self.title.set(String::new());
        self.body.set(String::new());
        self.department_id.set(String::new());
    }

    fn fill(&self, r: &CannedReply) {
        self.title.set(r.title.clone());
        self.body.set(r.body.clone());
        self.department_id
            .set(r.department_id.clone().unwrap_or_default());
    }

    fn new_body(&self) -> Result<CannedReplyInput, Vec<FieldError>> {
        let (title, body, department_id) = self.values()?;
        Ok(CannedReplyInput {
            title,
            body,
            department_id,
        })
    }

    fn patch_body(&self, original: &CannedReply) -> Result<CannedReplyPatch, Vec<FieldError>> {
        let (title, body, department_id) = self.values()?;
        Ok(CannedReplyPatch {
            title: (title != original.title).then_some(title),
            body: (body != original.body).then_some(body),
            department_id: (department_id != original.department_id).then_some(department_id),
        })
    }
}

#[component]
pub fn CannedFieldsView(
    fields: CannedFields,
    form: FormState,
    departments: RwSignal<Vec<Department>>,
) -> impl IntoView {
    let known = PLACEHOLDERS
        .iter()
        .map(|p| format!("{{{{{p}}}}}"))
        .collect::<Vec<_>>()
        .join(" ");
    let options = Signal::derive(move || {
        let mut o = vec![(String::new(), "All departments".to_string())];
        departments.with(|ds| o.extend(ds.iter().map(|d| (d.id.clone(), d.name.clone()))));
        o
    });
    view! {
        <TextField label="Title" field="title" value=fields.title form test="canned-title" required=true />
        <TextAreaField
            label="Text"
            field="body"
            value=fields.body
            form
            test="canned-body"
            required=true
            hint=format!("Placeholders: {known}")
        />
        <SelectField
            label="Department"
            field="department_id"
            value=fields.department_id
            options
            form
            test="canned-department"
        />
    }
}
