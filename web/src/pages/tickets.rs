//! `/tickets`: a support agent's home. The desk itself arrives in a later release; until then
//! the page shows the agent's profile for routing (departments, skills) and lets them set
//! their availability.

use leptos::prelude::*;

use crate::components::availability::AvailabilityControl;
use crate::components::empty::EmptyState;
use crate::{api, session};

#[component]
pub fn TicketsPage() -> impl IntoView {
    let s = session::get();
    // Department names; if the list is not available to this role the ids are counted instead.
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
            Some(Ok(page)) => {
                let names: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        page.items
                            .iter()
                            .find(|d| d.id == *id)
                            .map(|d| d.name.clone())
                            .unwrap_or_else(|| "Unknown department".to_string())
                    })
                    .collect();
                names.join(", ")
            }
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
        <section class="page">
            <h1>"Tickets"</h1>
            <div class="card">
                <dl class="facts" data-test="agent-profile">
                    <dt>"Departments"</dt>
                    <dd data-test="agent-departments">{department_names}</dd>
                    <dt>"Skills"</dt>
                    <dd data-test="agent-skills">{skills}</dd>
                </dl>
                <AvailabilityControl />
            </div>
            <EmptyState title="No tickets in your queue." test="tickets-empty">
                <p>"The support desk opens in a coming release; tickets routed to you will be listed here."</p>
            </EmptyState>
        </section>
    }
}
