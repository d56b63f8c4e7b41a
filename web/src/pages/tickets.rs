//! `/tickets`: the agent workspace. Queue tabs (mine, unassigned, my department, breaching
//! soon, all), filters and a search box (subjects and messages), "Load more" paging, each ticket with its SLA deadline counting down;
//! the list follows `ticket.changed` without a reload. Staff log phone calls here, and a
//! support agent's routing profile and availability sit at the top.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;
use shared::Role;
use shared::desk::ticket::{Ticket, TicketSummary};
use shared::desk::{Channel, Cluster, Priority, TicketStatus};

use crate::api;
use crate::api::tickets::{Filter, Queue};
use crate::components::availability::AvailabilityControl;
use crate::components::desk_badges::{channel_label, priority_label, ticking_now};
use crate::components::empty::EmptyState;
use crate::components::paged::{LoadMore, Paged};
use crate::components::search_box::SearchBox;
use crate::components::ticket_new_form::TicketNewForm;
use crate::components::ticket_row::TicketRow;
use crate::{live, session};

const TABS: [(Option<Queue>, &str, &str); 5] = [
    (Some(Queue::Mine), "mine", "Mine"),
    (Some(Queue::Unassigned), "unassigned", "Unassigned"),
    (Some(Queue::Department), "department", "My department"),
    (Some(Queue::Breaching), "breaching", "Breaching soon"),
    (None, "all", "All"),
];

#[component]
pub fn TicketsPage() -> impl IntoView {
    // Client users have the portal instead.
    if session::get()
        .role
        .get_untracked()
        .is_some_and(Role::is_client)
    {
        return view! { <Redirect path="/support" /> }.into_any();
    }
    Workspace().into_any()
}

#[component]
fn Workspace() -> impl IntoView {
    let s = session::get();
    let role = s.role.get_untracked();
    let agent = role == Some(Role::SupportAgent);
    let has_department = s
        .user
        .with_untracked(|u| u.as_ref().is_some_and(|u| !u.department_ids.is_empty()));
    let filter = RwSignal::new(Filter {
        queue: agent.then_some(Queue::Mine),
        ..Filter::default()
    });
    let paged: Paged<TicketSummary> = Paged::new();
    let now = ticking_now(Duration::from_secs(30));
    let logging = RwSignal::new(false);
    let may_log = !matches!(role, Some(Role::Sales) | None);
    let navigate = use_navigate();

    let reload = move || {
        let f = filter.get_untracked();
        paged.reload(move |cursor| api::tickets::list(f, cursor, None));
    };
    Effect::new(move |_| {
        filter.track();
        reload();
    });
    live::on("ticket.changed", move |_| reload());

    let logged = Callback::new(move |t: Ticket| {
        navigate(&format!("/tickets/{}", t.id), NavigateOptions::default());
    });

    view! {
        <section class="page desk">
            <div class="page-head">
                <h1>"Tickets"</h1>
                {move || (may_log && !logging.get()).then(|| view! {
                    <button class="button" data-test="ticket-log-call" on:click=move |_| logging.set(true)>
                        "Log a call"
                    </button>
                })}
            </div>
            {agent.then(|| view! { <AgentProfile /> })}
            <Show when=move || logging.get()>
                <TicketNewForm staff=true on_created=logged on_cancel=Callback::new(move |()| logging.set(false)) />
            </Show>
            <nav class="tabs desk-queues" aria-label="Queues" data-test="ticket-queues">
                {TABS
                    .into_iter()
                    .filter(|(q, _, _)| *q != Some(Queue::Department) || has_department)
                    .map(|(queue, test, label)| {
                        let current = move || filter.with(|f| f.queue == queue).then_some("page");
                        view! {
                            <button
                                type="button"
                                class="tab"
                                aria-current=current
                                data-test=format!("queue-{test}")
                                on:click=move |_| filter.update(|f| f.queue = queue)
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </nav>
            <SearchBox
                on_search=Callback::new(move |q| filter.update(|f| f.q = q))
                label="Search tickets"
                placeholder="Search subjects and messages"
                test="ticket-search"
            />
            <Filters filter />
            <ul class="rows desk-list" data-test="ticket-list">
                <For
                    each=move || paged.items.get()
                    key=|t| format!("{}:{}:{:?}", t.id, t.updated_at, t.sla_state)
                    children=move |t| view! { <TicketRow t now staff=true /> }
                />
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| {
                        let (queue, searching) = filter.with(|f| (f.queue, f.q.is_some()));
                        if searching {
                            let hint = if queue.is_some() {
                                "Only this queue and the chosen filters were searched: try All, other words or fewer filters. Clear the search to see the queue again."
                            } else {
                                "Try other words or fewer filters; the last word may be the start of one. Clear the search to see every ticket again."
                            };
                            return view! {
                                <EmptyState title="No ticket matches your search." test="tickets-empty">
                                    <p>{hint}</p>
                                </EmptyState>
                            }
                            .into_any();
                        }
                        let title = match queue {
                            Some(Queue::Mine) => "No tickets in your queue.",
                            Some(Queue::Unassigned) => "Nothing waiting for an agent.",
                            Some(Queue::Department) => "Your department has no open tickets.",
                            Some(Queue::Breaching) => "No deadline is running.",
                            None => "No tickets.",
                        };
                        view! { <EmptyState title test="tickets-empty" /> }.into_any()
                    })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let f = filter.get_untracked();
                    paged.more(move |cursor| api::tickets::list(f, cursor, None))
                }
            />
        </section>
    }
}

/// One filter drop-down: `(value, label)` options, the empty value meaning "any".
fn filter_select(
    test: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(&'static str, String)>,
    get: fn(&Filter) -> Option<&'static str>,
    set: fn(&mut Filter, &str),
    filter: RwSignal<Filter>,
) -> impl IntoView {
    view! {
        <label class="inline-select">
            <span class="visually-hidden">{label}</span>
            <select
                data-test=test
                aria-label=label
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| set(f, &v));
                }
            >
                <option value="" prop:selected=move || filter.with(|f| get(f).is_none())>{any}</option>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        view! { <option value=v prop:selected=move || filter.with(|f| get(f) == Some(v))>{l}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Status, priority, kind of problem and channel, as drop-downs.
#[component]
fn Filters(filter: RwSignal<Filter>) -> impl IntoView {
    view! {
        <div class="filter-row desk-filters" data-test="ticket-filters">
            {filter_select(
                "ticket-filter-status",
                "Status",
                "Any status",
                TicketStatus::ALL.into_iter().map(|s| (s.as_str(), s.label().to_string())).collect(),
                |f| f.status.map(TicketStatus::as_str),
                |f, v| f.status = TicketStatus::parse(v),
                filter,
            )}
            {filter_select(
                "ticket-filter-priority",
                "Priority",
                "Any priority",
                Priority::ALL.into_iter().rev().map(|p| (p.as_str(), priority_label(p).to_string())).collect(),
                |f| f.priority.map(Priority::as_str),
                |f, v| f.priority = Priority::parse(v),
                filter,
            )}
            {filter_select(
                "ticket-filter-cluster",
                "Kind of problem",
                "Any kind",
                Cluster::ALL.into_iter().map(|c| (c.as_str(), c.label().to_string())).collect(),
                |f| f.cluster.map(Cluster::as_str),
                |f, v| f.cluster = Cluster::parse(v),
                filter,
            )}
            {filter_select(
                "ticket-filter-channel",
                "Channel",
                "Any channel",
                Channel::ALL.into_iter().map(|c| (c.as_str(), channel_label(c).to_string())).collect(),
                |f| f.channel.map(Channel::as_str),
                |f, v| f.channel = Channel::parse(v),
                filter,
            )}
        </div>
    }
}

/// A support agent's routing profile (departments, skills) and availability.
#[component]
fn AgentProfile() -> impl IntoView {
    let s = session::get();
    // Department names; if the list is not available the ids are counted instead.
    let departments =
        LocalResource::new(|| async { api::departments::list(None, Some(200)).await });
    let department_names = move || {
        let ids = s.user.with(|u| {
            u.as_ref()
                .map(|u| u.department_ids.clone())
                .unwrap_or_default()
        });
        if ids.is_empty() {
            return "None".to_string();
        }
        match departments.get() {
            Some(Ok(page)) => ids
                .iter()
                .map(|id| {
                    page.items
                        .iter()
                        .find(|d| d.id == *id)
                        .map(|d| d.name.clone())
                        .unwrap_or_else(|| "Unknown department".to_string())
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => format!(
                "{} department{}",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            ),
        }
    };
    let skills = move || {
        s.user.with(|u| {
            let skills = u.as_ref().map(|u| u.skills.clone()).unwrap_or_default();
            if skills.is_empty() {
                "None".to_string()
            } else {
                skills.join(", ")
            }
        })
    };
    view! {
        <div class="card desk-profile">
            <dl class="facts compact" data-test="agent-profile">
                <dt>"Departments"</dt>
                <dd data-test="agent-departments">{department_names}</dd>
                <dt>"Skills"</dt>
                <dd data-test="agent-skills">{skills}</dd>
            </dl>
            <AvailabilityControl />
        </div>
    }
}
