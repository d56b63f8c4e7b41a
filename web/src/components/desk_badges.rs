//! Small pieces every desk page shows: priority and status badges, SLA deadlines as relative
//! text ("in 3 h", "overdue 20 min") coloured by their state, and a clock that ticks.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::desk::sla::ClockState;
use shared::desk::ticket::SlaClock;
use shared::desk::{Channel, Priority, TicketStatus};

use crate::format;

pub fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Low => "Low",
        Priority::Normal => "Normal",
        Priority::High => "High",
        Priority::Urgent => "Urgent",
    }
}

pub fn channel_label(c: Channel) -> &'static str {
    match c {
        Channel::Portal => "Portal",
        Channel::Email => "E-mail",
        Channel::Api => "API",
        Channel::Phone => "Phone",
        Channel::Chat => "Chat",
    }
}

pub fn clock_label(s: ClockState) -> &'static str {
    match s {
        ClockState::Running => "Running",
        ClockState::Warning => "Due soon",
        ClockState::Breached => "Breached",
        ClockState::Paused => "Paused",
        ClockState::Met => "Met",
        ClockState::MetLate => "Met late",
    }
}

/// What a button moving a ticket to `to` says, given where it is now.
pub fn move_label(from: TicketStatus, to: TicketStatus, client: bool) -> &'static str {
    match to {
        TicketStatus::Open if matches!(from, TicketStatus::Resolved) => "Reopen",
        TicketStatus::Open => "Open",
        TicketStatus::PendingCustomer => "Wait on customer",
        TicketStatus::OnHold => "Put on hold",
        TicketStatus::Resolved => "Resolve",
        TicketStatus::Closed if client => "Close ticket",
        TicketStatus::Closed => "Close",
        TicketStatus::New => "New",
    }
}

#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    view! {
        <span class=format!("badge desk-priority desk-priority-{}", priority.as_str()) data-test="ticket-priority-badge">
            {priority_label(priority)}
        </span>
    }
}

#[component]
pub fn StatusBadge(status: TicketStatus) -> impl IntoView {
    view! {
        <span class=format!("badge desk-status desk-status-{}", status.as_str()) data-test="ticket-status-badge" data-status=status.as_str()>
            {status.label()}
        </span>
    }
}

/// `3 h`, `20 min`, `2 d`, `45 s`: a duration in its largest sensible unit.
pub fn span(seconds: i64) -> String {
    let s = seconds.abs();
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 48 * 3600 {
        let h = s / 3600;
        let m = (s % 3600) / 60;
        if h < 10 && m > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{h} h")
        }
    } else {
        format!("{} d", s / 86_400)
    }
}

/// A deadline relative to `now`: "in 3 h" or "overdue 20 min".
pub fn relative_due(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = (due - now).num_seconds();
    if left >= 0 {
        format!("in {}", span(left))
    } else {
        format!("overdue {}", span(left))
    }
}

/// `1 h 02 min 09 s`: a countdown that visibly ticks.
pub fn countdown(seconds: i64) -> String {
    let s = seconds.abs();
    let (d, h, m, sec) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    if d > 0 {
        format!("{d} d {h} h {m:02} min")
    } else if h > 0 {
        format!("{h} h {m:02} min {sec:02} s")
    } else {
        format!("{m} min {sec:02} s")
    }
}

/// The browser's clock as a signal, moved on every `every`; stops with the calling view.
pub fn ticking_now(every: Duration) -> ReadSignal<DateTime<Utc>> {
    let (now, set_now) = signal(format::now());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(format::now()), every) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// The state of a clock at `now`, worked out in the browser from its instants (the server's
/// `state` was true when the ticket was read).
pub fn state_at(clock: &SlaClock, now: DateTime<Utc>) -> ClockState {
    match clock.state {
        ClockState::Running | ClockState::Warning | ClockState::Breached => {
            match (clock.warn_at, clock.due_at) {
                (_, Some(due)) if now >= due => ClockState::Breached,
                (Some(warn), _) if now >= warn => ClockState::Warning,
                _ if clock.breached => ClockState::Breached,
                _ => ClockState::Running,
            }
        }
        other => other,
    }
}

/// One SLA target on the ticket page: its name, a live countdown (or when it was met) and
/// its state as a colour.
#[component]
pub fn SlaClockView(
    label: &'static str,
    clock: SlaClock,
    now: ReadSignal<DateTime<Utc>>,
    test: &'static str,
) -> impl IntoView {
    let clock = StoredValue::new(clock);
    let state = move || clock.with_value(|c| state_at(c, now.get()));
    let text = move || {
        clock.with_value(|c| match (c.state, c.achieved_at, c.due_at) {
            (ClockState::Met | ClockState::MetLate, Some(at), _) => {
                format!("met {}", format::local_datetime(at))
            }
            (ClockState::Paused, _, _) => "paused while waiting on the customer".to_string(),
            (_, _, Some(due)) => {
                let left = (due - now.get()).num_seconds();
                if left >= 0 {
                    format!("{} left", countdown(left))
                } else {
                    format!("overdue {}", countdown(left))
                }
            }
            _ => "no target".to_string(),
        })
    };
    let due = clock.with_value(|c| c.due_at.map(format::local_datetime));
    view! {
        <div class="desk-clock" data-test=test data-state=move || state().as_str()>
            <span class="desk-clock-label">{label}</span>
            <span class="desk-clock-time" data-test=format!("{test}-time")>{text}</span>
            <span class="desk-clock-meta">
                <span class="desk-clock-state">{move || clock_label(state())}</span>
                {due.map(|d| view! { <span>" · due " {d}</span> })}
            </span>
        </div>
    }
}
