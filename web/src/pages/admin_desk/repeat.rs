//! The repeated-problem rule: how many tickets about the same product and cluster, from one
//! client or from several, within how many days, hand the problem to the client's CSM.

use leptos::prelude::*;
use shared::desk::repeats::{RepeatRule, validate_rule};

use super::{SettingForm, SettingState, number};
use crate::components::field::TextField;

const FIELDS: &[&str] = &[
    "per_client_tickets",
    "per_client_days",
    "across_clients_orgs",
    "across_clients_days",
];

#[component]
pub fn RepeatSection() -> impl IntoView {
    let per_client_tickets = RwSignal::new(String::new());
    let per_client_days = RwSignal::new(String::new());
    let across_clients_orgs = RwSignal::new(String::new());
    let across_clients_days = RwSignal::new(String::new());
    let state = SettingState::new(FIELDS, move |r: RepeatRule| {
        per_client_tickets.set(r.per_client_tickets.to_string());
        per_client_days.set(r.per_client_days.to_string());
        across_clients_orgs.set(r.across_clients_orgs.to_string());
        across_clients_days.set(r.across_clients_days.to_string());
    });
    let form = state.form;
    let read = Callback::new(move |()| {
        let mut errors = Vec::new();
        let rule = RepeatRule {
            per_client_tickets: number(
                "per_client_tickets",
                &per_client_tickets.get_untracked(),
                &mut errors,
            ),
            per_client_days: number(
                "per_client_days",
                &per_client_days.get_untracked(),
                &mut errors,
            ),
            across_clients_orgs: number(
                "across_clients_orgs",
                &across_clients_orgs.get_untracked(),
                &mut errors,
            ),
            across_clients_days: number(
                "across_clients_days",
                &across_clients_days.get_untracked(),
                &mut errors,
            ),
        };
        if errors.is_empty() {
            errors = validate_rule(&rule);
        }
        if errors.is_empty() {
            Ok(rule)
        } else {
            Err(errors)
        }
    });
    view! {
        <SettingForm title="Repeated problems" test="repeat" state read>
            <p class="note">"The client's CSM is told, and owns a handoff, when one client opens this many tickets about the same product and cluster within the days given, or when this many clients do."</p>
            <TextField label="Tickets from one client" field="per_client_tickets" value=per_client_tickets form test="repeat-per-client-tickets" kind="number" />
            <TextField label="…within days" field="per_client_days" value=per_client_days form test="repeat-per-client-days" kind="number" />
            <TextField label="Clients with the same problem" field="across_clients_orgs" value=across_clients_orgs form test="repeat-across-orgs" kind="number" />
            <TextField label="…within days" field="across_clients_days" value=across_clients_days form test="repeat-across-days" kind="number" />
        </SettingForm>
    }
}
