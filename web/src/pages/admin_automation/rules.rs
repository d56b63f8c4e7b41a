//! Automation rules on `/admin/automation`: the record the edit panel creates and edits, and
//! its form (when: phrases, a cluster; then: an automatic answer, a priority, a tag, keeping a
//! person on it). The form shows the common parts of a rule; editing one keeps whatever else
//! it has (channels, products, plans, routing, further tags) as it is.

use leptos::prelude::*;
use shared::desk::automation::{
    AutomationRule, AutomationRuleInput, AutomationRulePatch, RuleAction, RuleConditions,
    validate_rule,
};
use shared::desk::canned::CannedReply;
use shared::desk::{Cluster, Priority};
use shared::{FieldError, Problem};

use crate::api;
use crate::api::Versioned;
use crate::components::edit_panel::{Record, RecordFields};
use crate::components::field::{CheckboxField, FieldErrors, SelectField, TextField};
use crate::components::form::FormState;

/// The fields the form shows (for matching server errors).
pub const FIELDS: &[&str] = &["name", "conditions", "actions"];

impl Record for AutomationRule {
    type New = AutomationRuleInput;
    type Patch = AutomationRulePatch;
    const NOUN: &'static str = "rule";

    fn id(&self) -> &str {
        &self.id
    }

    fn describe(&self) -> String {
        format!("Rule “{}”", self.name)
    }

    async fn get(id: String) -> Result<Versioned<Self>, Problem> {
        api::canned::rule(&id).await
    }

    async fn create(new: AutomationRuleInput) -> Result<Self, Problem> {
        api::canned::create_rule(&new).await
    }

    async fn update(
        id: String,
        etag: String,
        patch: AutomationRulePatch,
    ) -> Result<Versioned<Self>, Problem> {
        api::canned::update_rule(&id, &etag, &patch).await
    }
}

/// Comma-separated phrases, trimmed, blanks dropped.
fn phrases(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the form shows this action (the first tag only; further ones are kept as they are).
fn shown(action: &RuleAction, first_tag: bool) -> bool {
    match action {
        RuleAction::AutoReply { .. }
        | RuleAction::SetPriority { .. }
        | RuleAction::EscalateToHuman => true,
        RuleAction::AddTag { .. } => first_tag,
        _ => false,
    }
}

/// Whether two action lists hold the same actions, in any order.
fn same_actions(a: &[RuleAction], b: &[RuleAction]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

#[derive(Clone, Copy)]
pub struct RuleFields {
    name: RwSignal<String>,
    text: RwSignal<String>,
    cluster: RwSignal<String>,
    reply: RwSignal<String>,
    priority: RwSignal<String>,
    tag: RwSignal<String>,
    escalate: RwSignal<bool>,
    /// The cluster the form was filled with: while it stays chosen, a rule's further clusters
    /// are kept.
    filled_cluster: RwSignal<String>,
}

impl RuleFields {
    pub fn new() -> Self {
        RuleFields {
            name: RwSignal::new(String::new()),
            text: RwSignal::new(String::new()),
            cluster: RwSignal::new(String::new()),
            reply: RwSignal::new(String::new()),
            priority: RwSignal::new(String::new()),
            tag: RwSignal::new(String::new()),
            escalate: RwSignal::new(false),
            filled_cluster: RwSignal::new(String::new()),
        }
    }

    /// The actions the form shows, in the order they are listed.
    fn actions(&self) -> Vec<RuleAction> {
        let mut actions = Vec::new();
        let reply = self.reply.get_untracked();
        if !reply.is_empty() {
            actions.push(RuleAction::AutoReply {
                canned_reply_id: reply,
            });
        }
        if let Some(p) = Priority::parse(&self.priority.get_untracked()) {
            actions.push(RuleAction::SetPriority { priority: p });
        }
        let tag = self.tag.get_untracked().trim().to_string();
        if !tag.is_empty() {
            actions.push(RuleAction::AddTag { tag });
        }
        if self.escalate.get_untracked() {
            actions.push(RuleAction::EscalateToHuman);
        }
        actions
    }

    /// The conditions: those of `base` with the phrases and (when changed) the cluster of
    /// the form.
    fn conditions(&self, base: RuleConditions) -> RuleConditions {
        let cluster = self.cluster.get_untracked();
        let clusters = if cluster == self.filled_cluster.get_untracked() {
            base.clusters.clone()
        } else {
            Cluster::parse(&cluster).into_iter().collect()
        };
        RuleConditions {
            clusters,
            text_contains: phrases(&self.text.get_untracked()),
            ..base
        }
    }

    fn checked(
        &self,
        conditions: &RuleConditions,
        actions: &[RuleAction],
    ) -> Result<String, Vec<FieldError>> {
        let name = self.name.get_untracked();
        let errors = validate_rule(&name, conditions, actions);
        if errors.is_empty() {
            Ok(name)
        } else {
            Err(errors)
        }
    }
}

impl RecordFields<AutomationRule> for RuleFields {
    fn clear(&self) {
        for s in [
            self.name,
            self.text,
            self.cluster,
            self.reply,
            self.priority,
            self.tag,
            self.filled_cluster,
        ] {
            s.set(String::new());
        }
        self.escalate.set(false);
    }

    fn fill(&self, r: &AutomationRule) {
        self.clear();
        self.name.set(r.name.clone());
        self.text.set(r.conditions.text_contains.join(", "));
        let cluster = r
            .conditions
            .clusters
            .first()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        self.cluster.set(cluster.clone());
        self.filled_cluster.set(cluster);
        let mut tagged = false;
        for action in &r.actions {
            match action {
                RuleAction::AutoReply { canned_reply_id } => {
                    self.reply.set(canned_reply_id.clone())
                }
                RuleAction::SetPriority { priority } => self.priority.set(priority.as_str().into()),
                RuleAction::AddTag { tag } if !tagged => {
                    tagged = true;
                    self.tag.set(tag.clone());
                }
                RuleAction::EscalateToHuman => self.escalate.set(true),
                _ => {}
            }
        }
    }

    fn new_body(&self) -> Result<AutomationRuleInput, Vec<FieldError>> {
        let conditions = self.conditions(RuleConditions::default());
        let actions = self.actions();
        let name = self.checked(&conditions, &actions)?;
        Ok(AutomationRuleInput {
            name,
            position: None,
            enabled: true,
            conditions,
            actions,
        })
    }

    fn patch_body(
        &self,
        original: &AutomationRule,
    ) -> Result<AutomationRulePatch, Vec<FieldError>> {
        let conditions = self.conditions(original.conditions.clone());
        let mut actions = self.actions();
        let mut first_tag = true;
        for a in &original.actions {
            let is_tag = matches!(a, RuleAction::AddTag { .. });
            if !shown(a, is_tag && first_tag) {
                actions.push(a.clone());
            }
            first_tag &= !is_tag;
        }
        let name = self.checked(&conditions, &actions)?;
        Ok(AutomationRulePatch {
            name: (name != original.name).then_some(name),
            conditions: (conditions != original.conditions).then_some(conditions),
            actions: (!same_actions(&actions, &original.actions)).then_some(actions),
            ..AutomationRulePatch::default()
        })
    }
}

#[component]
pub fn RuleFieldsView(
    fields: RuleFields,
    form: FormState,
    replies: Signal<Vec<CannedReply>>,
) -> impl IntoView {
    let any = |label: &str| (String::new(), label.to_string());
    let clusters = Signal::derive(move || {
        let mut o = vec![any("Any")];
        o.extend(
            Cluster::ALL
                .into_iter()
                .map(|c| (c.as_str().to_string(), c.label().to_string())),
        );
        o
    });
    let answers = Signal::derive(move || {
        let mut o = vec![any("No automatic answer")];
        replies.with(|rs| o.extend(rs.iter().map(|r| (r.id.clone(), r.title.clone()))));
        o
    });
    let priorities = Signal::derive(move || {
        let mut o = vec![any("Keep")];
        o.extend(
            Priority::ALL
                .into_iter()
                .map(|p| (p.as_str().to_string(), p.as_str().to_string())),
        );
        o
    });
    view! {
        <TextField label="Name" field="name" value=fields.name form test="rule-name" required=true />
        <p class="note">"When"</p>
        <TextField
            label="Subject or message contains (comma-separated, any of them)"
            field="conditions"
            value=fields.text
            form
            test="rule-text"
        />
        <SelectField label="Cluster" field="conditions.clusters" value=fields.cluster options=clusters form test="rule-cluster" />
        <p class="note">"Then"</p>
        <SelectField label="Answer with" field="actions.auto_reply" value=fields.reply options=answers form test="rule-reply" />
        <SelectField label="Set priority" field="actions.set_priority" value=fields.priority options=priorities form test="rule-priority" />
        <TextField label="Add tag" field="actions.add_tag" value=fields.tag form test="rule-tag" />
        <CheckboxField
            label="Keep a person on it (even when answered)"
            field="actions.escalate_to_human"
            checked=fields.escalate
            form
            test="rule-escalate"
        />
        <FieldErrors form field="actions" test="rule-actions" />
    }
}
