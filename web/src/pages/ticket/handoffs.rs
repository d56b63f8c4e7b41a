//! Beside a ticket, for staff: its refund/return/cancellation request (approve or reject, for
//! the approver role or an administrator) and the handoffs it is part of (a repeated problem
//! handed to the client's CSM).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::refund_request::{
    RefundDecisionInput, RefundRequest, RefundStatus, RefundVerdict,
};
use shared::{ErrorCode, Role};

use super::use_ticket;
use crate::api::Versioned;
use crate::api::handoffs::Filter;
use crate::components::handoff_list::HandoffList;
use crate::{api, format, session};

#[component]
pub fn RefundCard() -> impl IntoView {
    let tv = use_ticket();
    let version = Memo::new(move |_| tv.get(|t| t.version).unwrap_or(0));
    let request = RwSignal::new(None::<Versioned<RefundRequest>>);
    Effect::new(move |_| {
        version.track();
        let id = tv.id.get();
        spawn_local(async move {
            // No request (404) simply shows no card.
            let found = api::handoffs::refund_of_ticket(&id).await.ok();
            if tv.id.try_get_untracked().as_ref() == Some(&id) {
                request.set(found);
            }
        });
    });
    let s = session::get();
    let role = s.role.get_untracked();
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let decide = move |decision: RefundVerdict| {
        let Some((id, etag)) =
            request.with_untracked(|r| r.as_ref().map(|r| (r.value.id.clone(), r.etag.clone())))
        else {
            return;
        };
        let text = note.get_untracked();
        let input = RefundDecisionInput {
            decision,
            note: (!text.trim().is_empty()).then_some(text),
        };
        error.set(None);
        spawn_local(async move {
            match api::handoffs::decide_refund(&id, &etag, &input).await {
                Ok(r) => {
                    request.set(Some(r));
                    note.set(String::new());
                    tv.reload();
                }
                Err(p) if p.code == ErrorCode::PreconditionFailed => {
                    error.set(Some("Decided or changed meanwhile; reloading.".into()));
                    tv.reload();
                }
                Err(p) => error.set(Some(
                    p.errors
                        .first()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .unwrap_or_else(|| p.message()),
                )),
            }
        });
    };
    view! {
        {move || request.get().map(|r| {
            let r = r.value;
            let may_decide = r.status == RefundStatus::Pending
                && role.is_some_and(|me| me == Role::Admin || me == r.approver_role);
            view! {
                <section class="card desk-refund" data-test="refund-card" data-status=r.status.as_str()>
                    <h2>"Refund request"</h2>
                    <dl class="facts compact">
                        <dt>"Status"</dt>
                        <dd data-test="refund-status">{r.status.label()}</dd>
                        <dt>"Date"</dt>
                        <dd>{format::opt_date(r.reference_date)}</dd>
                        <dt>"Window"</dt>
                        <dd>{format!("{} days", r.window_days)} {r.window_ends.map(|d| format!(" (until {})", format::date(d)))}</dd>
                        <dt>"Approver"</dt>
                        <dd>{r.approver_role.as_str().replace('_', " ")}</dd>
                        {r.decided_by_name.clone().map(|n| view! { <dt>"Decided by"</dt><dd data-test="refund-decided-by">{n}</dd> })}
                        {r.decision_note.clone().map(|n| view! { <dt>"Note"</dt><dd>{n}</dd> })}
                    </dl>
                    {may_decide.then(|| view! {
                        <label class="field">
                            "Note to the client (required to reject)"
                            <textarea
                                data-test="refund-note"
                                prop:value=move || note.get()
                                on:input=move |ev| note.set(event_target_value(&ev))
                            ></textarea>
                        </label>
                        {move || error.get().map(|e| view! { <p class="field-errors" role="alert">{e}</p> })}
                        <div class="actions">
                            <button type="button" class="button" data-test="refund-approve"
                                on:click=move |_| decide(RefundVerdict::Approve)>"Approve"</button>
                            <button type="button" class="button secondary" data-test="refund-reject"
                                on:click=move |_| decide(RefundVerdict::Reject)>"Reject"</button>
                        </div>
                    })}
                </section>
            }
        })}
    }
}

#[component]
pub fn TicketHandoffs() -> impl IntoView {
    let tv = use_ticket();
    let version = Memo::new(move |_| tv.get(|t| t.version).unwrap_or(0));
    let filter = Signal::derive(move || Filter {
        ticket_id: Some(tv.id.get()),
        ..Filter::default()
    });
    view! {
        <section class="card desk-handoffs" data-test="ticket-handoffs">
            <h2>"Handoffs"</h2>
            <HandoffList filter refresh=Signal::derive(move || u32::try_from(version.get()).unwrap_or(0)) empty="None for this ticket." test="ticket-handoff-list" />
        </section>
    }
}
