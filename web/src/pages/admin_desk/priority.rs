//! The priority rules: the plans whose clients' tickets go up a step, and the yearly spend
//! from which a client's do.

use leptos::prelude::*;
use shared::desk::priority::{PriorityRules, validate_rules};

use super::{SettingForm, SettingState, list, number};
use crate::components::field::TextField;

const FIELDS: &[&str] = &["premium_plans", "high_spend_from"];

#[component]
pub fn PrioritySection() -> impl IntoView {
    let premium_plans = RwSignal::new(String::new());
    let high_spend_from = RwSignal::new(String::new());
    let state = SettingState::new(FIELDS, move |r: PriorityRules| {
        premium_plans.set(r.premium_plans.join(", "));
        high_spend_from.set(r.high_spend_from.to_string());
    });
    let form = state.form;
    let read = Callback::new(move |()| {
        let mut errors = Vec::new();
        let rules = PriorityRules {
            premium_plans: list(&premium_plans.get_untracked()),
            high_spend_from: number(
                "high_spend_from",
                &high_spend_from.get_untracked(),
                &mut errors,
            ),
        };
        if errors.is_empty() {
            errors = validate_rules(&rules);
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    });
    view! {
        <SettingForm title="Priority rules" test="priority" state read>
            <p class="note">"A ticket goes up a step for a client on a premium plan or with a yearly spend from the mark."</p>
            <TextField label="Premium plans (comma-separated)" field="premium_plans" value=premium_plans form test="priority-premium-plans" />
            <TextField label="High spend from (yearly, whole units)" field="high_spend_from" value=high_spend_from form test="priority-high-spend" kind="number" />
        </SettingForm>
    }
}
