//! One ticket in a list (queues, the portal, a client's recent tickets): number, subject,
//! who and for whom, priority, status, assignee and the next SLA deadline.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::desk::ticket::TicketSummary;

use super::desk_badges::{PriorityBadge, StatusBadge, clock_label, relative_due};
use crate::format;

#[component]
pub fn TicketRow(
    t: TicketSummary,
    /// The clock the SLA text counts from (one for the whole list).
    now: ReadSignal<DateTime<Utc>>,
    /// Staff see the SLA deadline and the assignee.
    #[prop(optional)]
    staff: bool,
) -> impl IntoView {
    let href = format!("/tickets/{}", t.id);
    let due = t.next_due_at;
    let state = t.sla_state;
    let sla = move || {
        due.map(|due| {
            let text = relative_due(due, now.get());
            let state = state.map(|s| s.as_str()).unwrap_or("running");
            let title = state_title(state);
            view! {
                <span class="desk-due" data-state=state data-test="ticket-row-due" title=title>
                    {text}
                </span>
            }
        })
    };
    view! {
        <li>
            <a class="row ticket-row" href=href data-test="ticket-row" data-id=t.id.clone() data-number=t.number.to_string()>
                <span class="row-title">
                    <span class="desk-number" data-test="ticket-row-number">{format!("#{}", t.number)}</span>
                    <span class="desk-subject" data-test="ticket-row-subject">{t.subject.clone()}</span>
                </span>
                <span class="desk-row-badges">
                    <PriorityBadge priority=t.priority />
                    <StatusBadge status=t.status />
                    {staff.then_some(sla)}
                </span>
                <span class="row-meta" data-test="ticket-row-meta">
                    {t.organization_name.clone()} " · " {t.requester_name.clone()}
                    {staff.then(|| {
                        let who = t.assignee_name.clone().unwrap_or_else(|| "Unassigned".to_string());
                        view! { " · " <span data-test="ticket-row-assignee">{who}</span> }
                    })}
                    " · " {format::local_datetime(t.updated_at)}
                </span>
            </a>
        </li>
    }
}

fn state_title(state: &str) -> &'static str {
    shared::desk::sla::ClockState::parse(state)
        .map(clock_label)
        .unwrap_or("SLA")
}
