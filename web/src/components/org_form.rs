//! The organisation form, shared by "create" and "edit": the field signals, their conversion
//! into `NewOrganization` / `OrganizationPatch` (checked with `shared::validate`), and the view.

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::FieldError;
use shared::identity::{
    GrowthPotential, LifecycleStage, NewOrganization, Organization, OrganizationPatch, TouchModel,
};
use shared::validate;

use super::choices::{self, Choices};
use super::edit_panel::RecordFields;
use super::field::{SelectField, TextField};
use super::form::FormState;

/// The fields this form shows (for matching server errors).
pub const FIELDS: &[&str] = &[
    "name",
    "plan",
    "contract_start",
    "industry",
    "yearly_spend",
    "size",
    "growth_potential",
    "segment",
    "touch_model",
    "lifecycle_stage",
    "csm_id",
];

#[derive(Clone, Copy)]
pub struct OrgFields {
    pub name: RwSignal<String>,
    pub plan: RwSignal<String>,
    pub contract_start: RwSignal<String>,
    pub industry: RwSignal<String>,
    pub yearly_spend: RwSignal<String>,
    pub size: RwSignal<String>,
    pub growth_potential: RwSignal<String>,
    pub segment: RwSignal<String>,
    pub touch_model: RwSignal<String>,
    pub lifecycle_stage: RwSignal<String>,
    pub csm_id: RwSignal<String>,
}

/// The typed values of the form.
struct Values {
    name: String,
    plan: Option<String>,
    contract_start: Option<NaiveDate>,
    industry: Option<String>,
    yearly_spend: Option<i64>,
    size: Option<i32>,
    growth_potential: Option<GrowthPotential>,
    segment: Option<String>,
    touch_model: TouchModel,
    lifecycle_stage: LifecycleStage,
    csm_id: Option<String>,
}

fn text(s: RwSignal<String>) -> Option<String> {
    let v = s.get_untracked().trim().to_string();
    (!v.is_empty()).then_some(v)
}

impl OrgFields {
    pub fn new() -> Self {
        let f = OrgFields {
            name: RwSignal::new(String::new()),
            plan: RwSignal::new(String::new()),
            contract_start: RwSignal::new(String::new()),
            industry: RwSignal::new(String::new()),
            yearly_spend: RwSignal::new(String::new()),
            size: RwSignal::new(String::new()),
            growth_potential: RwSignal::new(String::new()),
            segment: RwSignal::new(String::new()),
            touch_model: RwSignal::new(String::new()),
            lifecycle_stage: RwSignal::new(String::new()),
            csm_id: RwSignal::new(String::new()),
        };
        f.clear();
        f
    }

    fn values(&self) -> Result<Values, Vec<FieldError>> {
        let mut errors = Vec::new();
        let contract_start = match text(self.contract_start) {
            None => None,
            Some(s) => match s.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new("contract_start", "date", "must be a date"));
                    None
                }
            },
        };
        let mut number = |field: &str, s: RwSignal<String>| match text(s) {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(field, "integer", "must be a whole number"));
                    None
                }
            },
        };
        let yearly_spend = number("yearly_spend", self.yearly_spend);
        let size = match number("size", self.size) {
            Some(n) => match i32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new("size", "maximum", "is too large"));
                    None
                }
            },
            None => None,
        };
        let values = Values {
            name: self.name.get_untracked().trim().to_string(),
            plan: text(self.plan),
            contract_start,
            industry: text(self.industry),
            yearly_spend,
            size,
            growth_potential: text(self.growth_potential).and_then(|g| GrowthPotential::parse(&g)),
            segment: text(self.segment),
            touch_model: TouchModel::parse(&self.touch_model.get_untracked())
                .unwrap_or(TouchModel::High),
            lifecycle_stage: LifecycleStage::parse(&self.lifecycle_stage.get_untracked())
                .unwrap_or(LifecycleStage::Onboarding),
            csm_id: text(self.csm_id),
        };
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }
}

impl RecordFields<Organization> for OrgFields {
    /// Empties the form, with the defaults a new organisation gets.
    fn clear(&self) {
        for s in [
            self.name,
            self.plan,
            self.contract_start,
            self.industry,
            self.yearly_spend,
            self.size,
            self.growth_potential,
            self.segment,
            self.csm_id,
        ] {
            s.set(String::new());
        }
        self.touch_model.set(TouchModel::High.as_str().to_string());
        self.lifecycle_stage
            .set(LifecycleStage::Onboarding.as_str().to_string());
    }

    /// Shows an existing organisation.
    fn fill(&self, o: &Organization) {
        self.name.set(o.name.clone());
        self.plan.set(o.plan.clone().unwrap_or_default());
        self.contract_start
            .set(o.contract_start.map(|d| d.to_string()).unwrap_or_default());
        self.industry.set(o.industry.clone().unwrap_or_default());
        self.yearly_spend
            .set(o.yearly_spend.map(|v| v.to_string()).unwrap_or_default());
        self.size
            .set(o.size.map(|v| v.to_string()).unwrap_or_default());
        self.growth_potential.set(
            o.growth_potential
                .map(|g| g.as_str().to_string())
                .unwrap_or_default(),
        );
        self.segment.set(o.segment.clone().unwrap_or_default());
        self.touch_model.set(o.touch_model.as_str().to_string());
        self.lifecycle_stage
            .set(o.lifecycle_stage.as_str().to_string());
        self.csm_id.set(o.csm_id.clone().unwrap_or_default());
    }

    /// The body for `POST /organizations`, checked by the shared rules.
    fn new_body(&self) -> Result<NewOrganization, Vec<FieldError>> {
        let v = self.values()?;
        let new = NewOrganization {
            name: v.name,
            plan: v.plan,
            contract_start: v.contract_start,
            industry: v.industry,
            yearly_spend: v.yearly_spend,
            size: v.size,
            growth_potential: v.growth_potential,
            segment: v.segment,
            touch_model: Some(v.touch_model),
            lifecycle_stage: Some(v.lifecycle_stage),
            csm_id: v.csm_id,
        };
        validate::new_organization(&new)?;
        Ok(new)
    }

    /// The body for `PATCH /organizations/{id}`: only what differs from `original`.
    fn patch_body(&self, original: &Organization) -> Result<OrganizationPatch, Vec<FieldError>> {
        let v = self.values()?;
        fn changed<T: PartialEq>(new: Option<T>, old: &Option<T>) -> Option<Option<T>> {
            (new.as_ref() != old.as_ref()).then_some(new)
        }
        let patch = OrganizationPatch {
            name: (v.name != original.name).then_some(v.name),
            plan: changed(v.plan, &original.plan),
            contract_start: changed(v.contract_start, &original.contract_start),
            industry: changed(v.industry, &original.industry),
            yearly_spend: changed(v.yearly_spend, &original.yearly_spend),
            size: changed(v.size, &original.size),
            growth_potential: changed(v.growth_potential, &original.growth_potential),
            segment: changed(v.segment, &original.segment),
            touch_model: (v.touch_model != original.touch_model).then_some(v.touch_model),
            lifecycle_stage: (v.lifecycle_stage != original.lifecycle_stage)
                .then_some(v.lifecycle_stage),
            csm_id: changed(v.csm_id, &original.csm_id),
        };
        validate::organization_patch(&patch)?;
        Ok(patch)
    }
}

/// The inputs. `csms` lists `(id, name)` of the CSMs to choose from.
#[component]
pub fn OrgFieldsView(
    fields: OrgFields,
    form: FormState,
    #[prop(into)] csms: Signal<Choices>,
) -> impl IntoView {
    let csm_choices = Signal::derive(move || {
        let mut c = choices::none("No CSM");
        c.extend(csms.get());
        c
    });
    view! {
        <TextField label="Name" field="name" value=fields.name form test="org-name" required=true />
        <div class="field-row">
            <TextField
                label="Plan"
                field="plan"
                value=fields.plan
                form
                test="org-plan"
                placeholder="standard, business…"
            />
            <TextField
                label="Contract start"
                field="contract_start"
                value=fields.contract_start
                form
                test="org-contract-start"
                kind="date"
            />
        </div>
        <div class="field-row">
            <SelectField
                label="Lifecycle stage"
                field="lifecycle_stage"
                value=fields.lifecycle_stage
                options=Signal::derive(choices::lifecycle_stages)
                form
                test="org-lifecycle-stage"
            />
            <SelectField
                label="Touch model"
                field="touch_model"
                value=fields.touch_model
                options=Signal::derive(choices::touch_models)
                form
                test="org-touch-model"
            />
        </div>
        <SelectField label="CSM" field="csm_id" value=fields.csm_id options=csm_choices form test="org-csm" />
        <div class="field-row">
            <TextField label="Industry" field="industry" value=fields.industry form test="org-industry" />
            <TextField label="Segment" field="segment" value=fields.segment form test="org-segment" />
        </div>
        <div class="field-row">
            <TextField
                label="Yearly spend"
                field="yearly_spend"
                value=fields.yearly_spend
                form
                test="org-yearly-spend"
                kind="number"
            />
            <TextField label="Size / volume" field="size" value=fields.size form test="org-size" kind="number" />
            <SelectField
                label="Growth potential"
                field="growth_potential"
                value=fields.growth_potential
                options=Signal::derive(choices::growth_potentials)
                form
                test="org-growth-potential"
            />
        </div>
    }
}
