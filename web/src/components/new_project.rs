//! "New project": for which client organisation, its name, the kick-off date and the
//! template its checklist comes from (item dates count from the kick-off).

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FieldError;
use shared::project::{NewProject, Project};

use super::choices::{self, Choices};
use super::field::{SelectField, TextField};
use super::form::{FormBanner, FormState};
use crate::{api, format};

const FIELDS: &[&str] = &["organization_id", "name", "kickoff_date", "template_id"];

#[component]
pub fn NewProjectForm(
    /// The organisation to preselect.
    #[prop(optional)]
    organization_id: Option<String>,
    on_created: Callback<Project>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let form = FormState::new(FIELDS);
    let org = RwSignal::new(organization_id.unwrap_or_default());
    let name = RwSignal::new("Onboarding".to_string());
    let kickoff = RwSignal::new(format::today().to_string());
    let template = RwSignal::new(String::new());
    let orgs = RwSignal::new(Choices::new());
    let templates = RwSignal::new(Choices::new());

    spawn_local(async move {
        match api::organizations::list_clients(Some(200)).await {
            Ok(page) => {
                let mut c = choices::none("Choose a client…");
                c.extend(page.items.into_iter().map(|o| (o.id, o.name)));
                orgs.set(c);
            }
            Err(p) => form.fail(p),
        }
    });
    spawn_local(async move {
        if let Ok(list) = api::templates::list().await {
            // The built-in template comes first: the usual choice.
            if let Some(first) = list.first() {
                template.set(first.id.clone());
            }
            let mut c: Choices = list.into_iter().map(|t| (t.id, t.name)).collect();
            c.push((String::new(), "No template (an empty Kick-off)".to_string()));
            templates.set(c);
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let Ok(kickoff_date) =
            NaiveDate::parse_from_str(kickoff.get_untracked().trim(), "%Y-%m-%d")
        else {
            return form.invalid(vec![FieldError::new(
                "kickoff_date",
                "date",
                "pick the kick-off day",
            )]);
        };
        let t = template.get_untracked();
        let new = NewProject {
            organization_id: org.get_untracked(),
            name: name.get_untracked().trim().to_string(),
            kickoff_date,
            template_id: (!t.is_empty()).then_some(t),
        };
        if let Err(errors) = shared::validate::new_project(&new) {
            return form.invalid(errors);
        }
        form.busy.set(true);
        spawn_local(async move {
            match api::projects::create(&new).await {
                Ok(p) => on_created.run(p),
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };

    view! {
        <form class="card form" on:submit=submit novalidate=true data-test="project-create-form">
            <h2>"New project"</h2>
            <FormBanner form test="new-project" />
            <SelectField label="Client" field="organization_id" value=org options=orgs form test="new-project-org" required=true />
            <TextField label="Name" field="name" value=name form test="new-project-name" required=true />
            <TextField
                label="Kick-off date"
                field="kickoff_date"
                value=kickoff
                form
                test="new-project-kickoff"
                kind="date"
                required=true
                hint="Item due dates are counted from this day."
            />
            <SelectField label="Template" field="template_id" value=template options=templates form test="new-project-template" />
            <div class="actions">
                <button class="button" type="submit" data-test="new-project-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Creating…" } else { "Create project" }}
                </button>
                <button class="button secondary" type="button" data-test="new-project-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
