//! SLA policies: for a priority and a plan (or any), the business minutes to the first
//! response and to resolution, counted in a business calendar, and what a breach does. The
//! most specific policy that fits a new ticket applies.

use leptos::prelude::*;
use shared::desk::Priority;
use shared::desk::config::{
    CalendarRecord, SlaPolicyInput, SlaPolicyRecord, validate_policy_input,
};
use shared::desk::sla::BreachActions;
use shared::{FieldError, Problem};

use super::{SectionHead, delete_button, number};
use crate::api;
use crate::api::Versioned;
use crate::components::desk_badges::priority_label;
use crate::components::edit_panel::{EditPanel, PanelText, Record, RecordFields};
use crate::components::field::{CheckboxField, SelectField, TextField};
use crate::components::form::FormState;
use crate::components::paged::Paged;

const FIELDS: &[&str] = &[
    "name",
    "priority",
    "plan",
    "first_response_minutes",
    "resolution_minutes",
    "calendar_id",
    "on_breach",
];

impl Record for SlaPolicyRecord {
    type New = SlaPolicyInput;
    /// The whole policy when anything changed (the API replaces it whole).
    type Patch = Option<SlaPolicyInput>;
    const NOUN: &'static str = "policy";

    fn id(&self) -> &str {
        &self.id
    }

    fn describe(&self) -> String {
        format!("Policy “{}”", self.name)
    }

    async fn get(id: String) -> Result<Versioned<Self>, Problem> {
        api::desk_config::policy(&id).await
    }

    async fn create(new: SlaPolicyInput) -> Result<Self, Problem> {
        api::desk_config::create_policy(&new).await
    }

    async fn update(
        id: String,
        etag: String,
        patch: Option<SlaPolicyInput>,
    ) -> Result<Versioned<Self>, Problem> {
        match patch {
            Some(input) => api::desk_config::replace_policy(&id, &etag, &input).await,
            None => api::desk_config::policy(&id).await,
        }
    }
}

/// The policy as it would be written back unchanged.
fn input_of(p: &SlaPolicyRecord) -> SlaPolicyInput {
    SlaPolicyInput {
        name: p.name.clone(),
        priority: p.priority,
        plan: p.plan.clone(),
        first_response_minutes: p.first_response_minutes,
        resolution_minutes: p.resolution_minutes,
        calendar_id: p.calendar_id.clone(),
        on_breach: p.on_breach,
    }
}

fn text(s: RwSignal<String>) -> Option<String> {
    let v = s.get_untracked().trim().to_string();
    (!v.is_empty()).then_some(v)
}

#[derive(Clone, Copy)]
pub struct PolicyFields {
    name: RwSignal<String>,
    priority: RwSignal<String>,
    plan: RwSignal<String>,
    first_response: RwSignal<String>,
    resolution: RwSignal<String>,
    calendar_id: RwSignal<String>,
    notify: RwSignal<bool>,
    raise_priority: RwSignal<bool>,
    reassign: RwSignal<bool>,
}

impl PolicyFields {
    fn new() -> Self {
        PolicyFields {
            name: RwSignal::new(String::new()),
            priority: RwSignal::new(String::new()),
            plan: RwSignal::new(String::new()),
            first_response: RwSignal::new(String::new()),
            resolution: RwSignal::new(String::new()),
            calendar_id: RwSignal::new(String::new()),
            notify: RwSignal::new(true),
            raise_priority: RwSignal::new(false),
            reassign: RwSignal::new(false),
        }
    }

    fn input(&self) -> Result<SlaPolicyInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let first_response_minutes = number(
            "first_response_minutes",
            &self.first_response.get_untracked(),
            &mut errors,
        );
        let resolution_minutes =
            text(self.resolution).map(|r| number("resolution_minutes", &r, &mut errors));
        let input = SlaPolicyInput {
            name: self.name.get_untracked(),
            priority: Priority::parse(&self.priority.get_untracked()),
            plan: text(self.plan),
            first_response_minutes,
            resolution_minutes,
            calendar_id: text(self.calendar_id),
            on_breach: BreachActions {
                notify: self.notify.get_untracked(),
                raise_priority: self.raise_priority.get_untracked(),
                reassign: self.reassign.get_untracked(),
            },
        };
        if errors.is_empty() {
            errors = validate_policy_input(&input);
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

impl RecordFields<SlaPolicyRecord> for PolicyFields {
    fn clear(&self) {
        for s in [
            self.name,
            self.priority,
            self.plan,
            self.resolution,
            self.calendar_id,
        ] {
            s.set(String::new());
        }
        self.first_response.set("60".into());
        self.notify.set(true);
        self.raise_priority.set(false);
        self.reassign.set(false);
    }

    fn fill(&self, p: &SlaPolicyRecord) {
        self.name.set(p.name.clone());
        self.priority.set(
            p.priority
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
        );
        self.plan.set(p.plan.clone().unwrap_or_default());
        self.first_response
            .set(p.first_response_minutes.to_string());
        self.resolution.set(
            p.resolution_minutes
                .map(|r| r.to_string())
                .unwrap_or_default(),
        );
        self.calendar_id
            .set(p.calendar_id.clone().unwrap_or_default());
        self.notify.set(p.on_breach.notify);
        self.raise_priority.set(p.on_breach.raise_priority);
        self.reassign.set(p.on_breach.reassign);
    }

    fn new_body(&self) -> Result<SlaPolicyInput, Vec<FieldError>> {
        self.input()
    }

    fn patch_body(&self, p: &SlaPolicyRecord) -> Result<Option<SlaPolicyInput>, Vec<FieldError>> {
        let input = self.input()?;
        Ok((input != input_of(p)).then_some(input))
    }
}

#[component]
fn PolicyFieldsView(
    fields: PolicyFields,
    form: FormState,
    calendars: Paged<CalendarRecord>,
) -> impl IntoView {
    let priorities: Vec<(String, String)> =
        std::iter::once((String::new(), "Any priority".to_string()))
            .chain(
                Priority::ALL
                    .into_iter()
                    .rev()
                    .map(|p| (p.as_str().to_string(), priority_label(p).to_string())),
            )
            .collect();
    let calendar_options = Signal::derive(move || {
        let mut o = vec![(String::new(), "Around the clock (UTC)".to_string())];
        calendars
            .items
            .with(|cs| o.extend(cs.iter().map(|c| (c.id.clone(), c.name.clone()))));
        o
    });
    view! {
        <TextField label="Name" field="name" value=fields.name form test="policy-name" required=true />
        <SelectField label="Priority" field="priority" value=fields.priority options=priorities form test="policy-priority" />
        <TextField label="Plan (empty: any plan)" field="plan" value=fields.plan form test="policy-plan" />
        <TextField label="First response within (business minutes)" field="first_response_minutes" value=fields.first_response form test="policy-first-response" kind="number" required=true />
        <TextField label="Resolution within (business minutes, empty: no target)" field="resolution_minutes" value=fields.resolution form test="policy-resolution" kind="number" />
        <SelectField label="Business calendar" field="calendar_id" value=fields.calendar_id options=calendar_options form test="policy-calendar" />
        <p class="note">"On a breach"</p>
        <CheckboxField label="Notify the assignee and the department" field="on_breach.notify" checked=fields.notify form test="policy-notify" />
        <CheckboxField label="Raise the priority a step" field="on_breach.raise_priority" checked=fields.raise_priority form test="policy-raise" />
        <CheckboxField label="Give it to another agent" field="on_breach.reassign" checked=fields.reassign form test="policy-reassign" />
    }
}

#[component]
pub fn PoliciesSection(calendars: Paged<CalendarRecord>) -> impl IntoView {
    let policies: Paged<SlaPolicyRecord> = Paged::new();
    policies.reload(|_| async {
        api::desk_config::policies()
            .await
            .map(|items| shared::page::Page {
                items,
                next_cursor: None,
            })
    });
    let panel = EditPanel::new(PolicyFields::new(), FIELDS, policies);
    let error = RwSignal::new(None::<String>);
    let form = panel.form;
    let panel_view = panel.view(
        PanelText {
            test: "policy",
            create: ("New SLA policy", "Add policy"),
            edit: ("Edit SLA policy", "Save changes"),
        },
        move |_| view! { <PolicyFieldsView fields=panel.fields form calendars /> },
    );
    view! {
        <section class="desk-config-section" data-test="policies-section">
            <SectionHead title="SLA policies" test="policy" add="New policy" on_add=Callback::new(move |()| panel.open_create()) />
            {move || panel.notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="policy-page-notice">{n}</div> })}
            {panel_view}
            {move || error.get().or_else(|| policies.error.get()).map(|e| view! { <p class="field-errors" role="alert" data-test="policy-list-error">{e}</p> })}
            <ul class="rows" data-test="policy-list">
                {move || policies.items.get().into_iter().map(|p| {
                    let id = p.id.clone();
                    let scope = format!(
                        "{} · {}",
                        p.priority.map(priority_label).unwrap_or("Any priority"),
                        p.plan.clone().unwrap_or_else(|| "any plan".into()),
                    );
                    let targets = format!(
                        "first response {} min{} · {}",
                        p.first_response_minutes,
                        p.resolution_minutes.map(|r| format!(", resolution {r} min")).unwrap_or_default(),
                        p.calendar_name.clone().unwrap_or_else(|| "around the clock".into()),
                    );
                    let doomed = p.clone();
                    view! {
                        <li class="row static" data-test="policy-row">
                            <span class="row-title">{p.name.clone()}</span>
                            <span class="row-meta">{scope}" · "{targets}</span>
                            <div class="actions">
                                <button class="button secondary small" type="button" data-test="policy-edit" on:click=move |_| panel.open_edit(id.clone())>"Edit"</button>
                                {delete_button("policy-delete", error, move || {
                                    let doomed = doomed.clone();
                                    async move {
                                        api::desk_config::remove_policy(&doomed).await?;
                                        policies.items.update(|all| all.retain(|x| x.id != doomed.id));
                                        Ok(())
                                    }
                                })}
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || (!policies.loading.get() && policies.items.with(Vec::is_empty)).then(|| view! {
                <p class="muted" data-test="policy-empty">"No policy yet: every ticket gets a first response target of 24 hours."</p>
            })}
        </section>
    }
}
