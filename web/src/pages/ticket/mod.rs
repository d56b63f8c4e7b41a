//! `/tickets/:id`: one ticket, for staff (the agent's view: header, status moves, priority and
//! assignee, live SLA clocks, thread with notes, history and the client sidebar) and for
//! client users (the portal's view: header, thread of replies, close and reopen); both see
//! and add the ticket's attachments. Changes from elsewhere arrive live: `ticket.changed`
//! reloads the ticket (and its attachments), `ticket.message` adds to the thread.

pub mod attachments;
pub mod handoffs;
pub mod rating;
pub mod sidebar;
pub mod thread;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::desk::ticket::{Ticket, TicketPatch};
use shared::desk::{Priority, TicketStatus};
use shared::identity::User;
use shared::{ErrorCode, Role};

use crate::api::Versioned;
use crate::components::desk_badges::{
    PriorityBadge, SlaClockView, StatusBadge, channel_label, move_label, priority_label,
    ticking_now,
};
use crate::{api, live, session};

/// What the parts of the page share.
#[derive(Clone, Copy)]
pub struct TicketView {
    pub id: Memo<String>,
    pub ticket: RwSignal<Option<Versioned<Ticket>>>,
    /// Vendor staff (the agent's view) rather than a client user (the portal's view).
    pub staff: bool,
    /// A message for the whole page (a refused change, a stale version).
    pub notice: RwSignal<Option<String>>,
    reload_tick: RwSignal<u32>,
}

impl TicketView {
    pub fn reload(self) {
        self.reload_tick.update(|t| *t += 1);
    }

    pub fn get<T>(self, f: impl FnOnce(&Ticket) -> T) -> Option<T> {
        self.ticket.with(|t| t.as_ref().map(|t| f(&t.value)))
    }

    /// Sends a change with the version on screen; a stale version reloads and says so.
    pub fn change(self, patch: TicketPatch) {
        let Some((id, etag)) = self
            .ticket
            .with_untracked(|t| t.as_ref().map(|t| (t.value.id.clone(), t.etag.clone())))
        else {
            return;
        };
        self.notice.set(None);
        spawn_local(async move {
            let result = api::tickets::update(&id, &etag, &patch).await;
            if self.id.try_get_untracked().as_ref() != Some(&id) {
                return;
            }
            match result {
                Ok(t) => self.ticket.set(Some(t)),
                Err(p) if p.code == ErrorCode::PreconditionFailed || p.status == 412 => {
                    self.notice.set(Some(
                        "Someone changed this ticket meanwhile; it now shows the latest version. Please try again."
                            .to_string(),
                    ));
                    self.reload();
                }
                Err(p) => self.notice.set(Some(p.message())),
            }
        });
    }
}

pub fn use_ticket() -> TicketView {
    expect_context::<TicketView>()
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let s = session::get();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let staff = s.role.get_untracked().is_some_and(|r| !r.is_client());
    let ticket = RwSignal::new(None::<Versioned<Ticket>>);
    let error = RwSignal::new(None::<String>);
    let tv = TicketView {
        id,
        ticket,
        staff,
        notice: RwSignal::new(None),
        reload_tick: RwSignal::new(0),
    };
    provide_context(tv);

    Effect::new(move |prev: Option<String>| {
        let current = id.get();
        if prev.as_ref().is_some_and(|p| *p != current) {
            ticket.set(None);
        }
        current
    });
    Effect::new(move |_| {
        let current = id.get();
        tv.reload_tick.track();
        spawn_local(async move {
            let result = api::tickets::get(&current).await;
            if id.try_get_untracked().as_ref() != Some(&current) {
                return;
            }
            match result {
                Ok(t) => {
                    error.set(None);
                    ticket.set(Some(t));
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    });
    live::on("ticket.changed", move |events| {
        let here = id.get_untracked();
        if events
            .iter()
            .any(|e| live::field(e, "ticket_id") == Some(here.as_str()))
        {
            tv.reload();
        }
    });

    view! {
        <section class="page desk-ticket" data-test="ticket-page">
            <p class="desk-back">
                <a href=if staff { "/tickets" } else { "/support" } data-test="ticket-back">
                    {if staff { "← Tickets" } else { "← Support" }}
                </a>
            </p>
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="page-error">{e}</div> })}
            {move || tv.notice.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="ticket-notice">{e}</div> })}
            <Show
                when=move || ticket.with(Option::is_some)
                fallback=move || error.with(Option::is_none).then(|| view! { <p class="muted" data-test="loading">"Loading…"</p> })
            >
                <div class="desk-ticket-layout">
                    <div class="desk-ticket-main">
                        <TicketHeader />
                        <StatusActions />
                        <rating::RatingCard />
                        {staff.then(|| view! { <StaffControls /> <SlaClocks /> })}
                        <thread::Thread />
                        <attachments::AttachmentsCard />
                    </div>
                    {staff.then(|| view! {
                        <aside class="desk-ticket-side">
                            <handoffs::RefundCard />
                            <sidebar::ClientSidebar />
                            <handoffs::TicketHandoffs />
                            <sidebar::HistoryPanel />
                        </aside>
                    })}
                </div>
            </Show>
        </section>
    }
}

#[component]
fn TicketHeader() -> impl IntoView {
    let tv = use_ticket();
    let text = move |f: fn(&Ticket) -> String| move || tv.get(f).unwrap_or_default();
    view! {
        <header class="card desk-ticket-head" data-test="ticket-header">
            <p class="desk-ticket-number" data-test="ticket-number">{text(|t| format!("#{}", t.number))}</p>
            <h1 class="desk-ticket-subject" data-test="ticket-subject">{text(|t| t.subject.clone())}</h1>
            <p class="desk-row-badges">
                <span data-test="ticket-status">
                    {move || tv.get(|t| t.status).map(|status| view! { <StatusBadge status /> })}
                </span>
                <span data-test="ticket-priority">
                    {move || tv.get(|t| t.priority).map(|priority| view! { <PriorityBadge priority /> })}
                </span>
            </p>
            {tv.staff.then(|| view! {
                <p class="desk-reason" data-test="ticket-priority-reason">{text(|t| t.priority_reason.clone())}</p>
            })}
            <dl class="facts compact desk-ticket-facts">
                <dt>"Kind"</dt>
                <dd data-test="ticket-cluster">{text(|t| t.cluster.label().to_string())}</dd>
                <dt>"Product"</dt>
                <dd data-test="ticket-product">{text(|t| t.product_name.clone().unwrap_or_else(|| "—".into()))}</dd>
                {tv.staff.then(|| view! {
                    <dt>"Client"</dt>
                    <dd data-test="ticket-organization">{text(|t| t.organization_name.clone())}</dd>
                    <dt>"Requester"</dt>
                    <dd data-test="ticket-requester">{text(|t| format!("{} · {}", t.requester_name, t.requester_email))}</dd>
                    <dt>"Channel"</dt>
                    <dd data-test="ticket-channel">{text(|t| channel_label(t.channel).to_string())}</dd>
                })}
                <dt>"Department"</dt>
                <dd data-test="ticket-department">{text(|t| t.department_name.clone().unwrap_or_else(|| "Not routed yet".into()))}</dd>
                <dt>"Assignee"</dt>
                <dd data-test="ticket-assignee">{text(|t| t.assignee_name.clone().unwrap_or_else(|| "Waiting for an agent".into()))}</dd>
                {tv.staff.then(|| view! {
                    <dt>"Tags"</dt>
                    <dd data-test="ticket-tags">{text(|t| if t.tags.is_empty() { "—".into() } else { t.tags.join(", ") })}</dd>
                })}
            </dl>
        </header>
    }
}

/// One button per status the caller may move the ticket to (the shared status machine, as
/// the API reports it in `allowed_statuses`).
#[component]
fn StatusActions() -> impl IntoView {
    let tv = use_ticket();
    let client = !tv.staff;
    let moves = move || {
        tv.get(|t| (t.status, t.allowed_statuses.clone()))
            .unwrap_or((TicketStatus::Open, Vec::new()))
    };
    view! {
        {move || {
            let (from, allowed) = moves();
            (!allowed.is_empty())
                .then(|| {
                    view! {
                        <div class="actions desk-moves" data-test="ticket-moves">
                            {allowed
                                .into_iter()
                                .map(|to| {
                                    let primary = matches!(to, TicketStatus::Resolved)
                                        || (client && to == TicketStatus::Closed);
                                    view! {
                                        <button
                                            type="button"
                                            class=if primary { "button" } else { "button secondary" }
                                            data-test=format!("ticket-move-{}", to.as_str())
                                            on:click=move |_| {
                                                tv.change(TicketPatch { status: Some(to), ..TicketPatch::default() })
                                            }
                                        >
                                            {move_label(from, to, client)}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })
        }}
    }
}

/// Priority and assignee, for staff: the agents of the ticket's department, or "Put back in
/// queue".
#[component]
fn StaffControls() -> impl IntoView {
    let tv = use_ticket();
    let s = session::get();
    let me = s
        .user
        .with_untracked(|u| u.as_ref().map(|u| (u.id.clone(), u.role)));
    let agents = LocalResource::new(|| async {
        api::users::list(None, Some(Role::SupportAgent), None, Some(200))
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    });
    let may_work = !matches!(me.as_ref().map(|m| m.1), Some(Role::Sales));
    let department_agents = move || -> Vec<User> {
        let dept = tv.get(|t| t.department_id.clone()).flatten();
        agents
            .get()
            .map(|list| {
                list.into_iter()
                    .filter(|u| {
                        u.active && dept.as_ref().is_none_or(|d| u.department_ids.contains(d))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let assignee = move || tv.get(|t| t.assignee_id.clone()).flatten();
    let my_id = me.as_ref().map(|m| m.0.clone());
    let i_am_agent = me.as_ref().is_some_and(|m| m.1 == Role::SupportAgent);
    let my_id2 = my_id.clone();
    view! {
        <div class="card desk-controls" data-test="ticket-controls">
            <label class="inline-select">
                "Priority"
                <select
                    data-test="ticket-priority-select"
                    disabled=!may_work
                    on:change=move |ev| {
                        if let Some(p) = Priority::parse(&event_target_value(&ev)) {
                            tv.change(TicketPatch { priority: Some(p), ..TicketPatch::default() });
                        }
                    }
                >
                    {Priority::ALL
                        .into_iter()
                        .rev()
                        .map(|p| view! {
                            <option value=p.as_str() prop:selected=move || tv.get(|t| t.priority) == Some(p)>
                                {priority_label(p)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="inline-select">
                "Assignee"
                <select
                    data-test="ticket-assignee-select"
                    disabled=!may_work
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let to = (!v.is_empty()).then_some(v);
                        tv.change(TicketPatch { assignee_id: Some(to), ..TicketPatch::default() });
                    }
                >
                    <option value="" prop:selected=move || assignee().is_none()>"Nobody (in the queue)"</option>
                    {move || {
                        let current = assignee();
                        let current_name = tv.get(|t| t.assignee_name.clone()).flatten();
                        let mut list: Vec<(String, String)> = department_agents()
                            .into_iter()
                            .map(|u| {
                                let state = u.availability.map(crate::format::availability).unwrap_or("Offline");
                                (u.id, format!("{} ({state})", u.name))
                            })
                            .collect();
                        if let Some(c) = &current && !list.iter().any(|(id, _)| id == c) {
                            list.push((c.clone(), current_name.unwrap_or_else(|| "Current assignee".into())));
                        }
                        list.into_iter()
                            .map(|(id, name)| {
                                let selected = current.as_deref() == Some(id.as_str());
                                view! { <option value=id prop:selected=selected>{name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <div class="actions">
                {move || {
                    let current = assignee();
                    let mine = current.is_some() && current == my_id;
                    (may_work && i_am_agent && !mine && tv.get(|t| t.status.is_active()).unwrap_or(false)).then(|| {
                        let me = my_id2.clone();
                        view! {
                            <button
                                type="button"
                                class="button secondary small"
                                data-test="ticket-take"
                                on:click=move |_| tv.change(TicketPatch { assignee_id: Some(me.clone()), ..TicketPatch::default() })
                            >
                                "Assign to me"
                            </button>
                        }
                    })
                }}
                {move || (may_work && assignee().is_some()).then(|| view! {
                    <button
                        type="button"
                        class="button secondary small"
                        data-test="ticket-unassign"
                        on:click=move |_| tv.change(TicketPatch { assignee_id: Some(None), ..TicketPatch::default() })
                    >
                        "Put back in queue"
                    </button>
                })}
            </div>
        </div>
    }
}

/// The first-response and resolution clocks, counting down in the browser.
#[component]
fn SlaClocks() -> impl IntoView {
    let tv = use_ticket();
    let now = ticking_now(Duration::from_secs(1));
    view! {
        {move || {
            tv.get(|t| t.sla.clone())
                .flatten()
                .map(|sla| {
                    view! {
                        <div class="card desk-sla" data-test="ticket-sla" data-paused=sla.paused.to_string()>
                            <p class="desk-sla-policy muted small" data-test="ticket-sla-policy">{sla.policy_name.clone()}</p>
                            <div class="desk-clocks">
                                <SlaClockView label="First response" clock=sla.first_response.clone() now test="sla-first-response" />
                                {sla.resolution.clone().map(|clock| view! {
                                    <SlaClockView label="Resolution" clock now test="sla-resolution" />
                                })}
                            </div>
                        </div>
                    }
                })
        }}
    }
}
