//! The refund and cancellation policy: how many days after the purchase (or order) a
//! request is accepted, and which staff role approves it.

use leptos::prelude::*;
use shared::Role;
use shared::desk::refund::{RefundPolicy, validate_policy};

use super::{SettingForm, SettingState, number};
use crate::components::field::{SelectField, TextField};

const FIELDS: &[&str] = &["window_days", "approver_role"];

#[component]
pub fn RefundSection() -> impl IntoView {
    let window_days = RwSignal::new(String::new());
    let approver_role = RwSignal::new(String::new());
    let state = SettingState::new(FIELDS, move |p: RefundPolicy| {
        window_days.set(p.window_days.to_string());
        approver_role.set(p.approver_role.as_str().to_string());
    });
    let form = state.form;
    let roles: Vec<(String, String)> = Role::ALL
        .into_iter()
        .filter(|r| !r.is_client())
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect();
    let read = Callback::new(move |()| {
        let mut errors = Vec::new();
        let days = number("window_days", &window_days.get_untracked(), &mut errors);
        let role = Role::parse(&approver_role.get_untracked());
        if role.is_none() {
            errors.push(shared::FieldError::new(
                "approver_role",
                "required",
                "is required",
            ));
        }
        let policy = RefundPolicy {
            window_days: days,
            approver_role: role.unwrap_or(Role::AccountManager),
        };
        if errors.is_empty() {
            errors = validate_policy(&policy);
        }
        if errors.is_empty() {
            Ok(policy)
        } else {
            Err(errors)
        }
    });
    view! {
        <SettingForm title="Refunds and cancellations" test="refund" state read>
            <p class="note">"Requests inside the window wait for the approver; outside it the desk answers with the policy."</p>
            <TextField label="Window (days after the purchase or order)" field="window_days" value=window_days form test="refund-window-days" kind="number" />
            <SelectField label="Approved by" field="approver_role" value=approver_role options=roles form test="refund-approver-role" />
        </SettingForm>
    }
}
