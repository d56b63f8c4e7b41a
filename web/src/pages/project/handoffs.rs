//! For staff on a client's project: the organisation's open handoffs (a repeated problem
//! handed to the CSM, an upsell handed to an account manager…), so nobody starts work that
//! someone already owns. Client users never see it.

use leptos::prelude::*;
use shared::activity::ProjectSide;

use super::use_project;
use crate::api::handoffs::Filter;
use crate::components::handoff_list::HandoffList;
use crate::session;

#[component]
pub fn ProjectHandoffs() -> impl IntoView {
    let pv = use_project();
    let staff = session::get()
        .role
        .get_untracked()
        .is_some_and(|r| r.is_staff());
    let filter = Signal::derive(move || Filter {
        organization_id: pv
            .project
            .with(|p| p.as_ref().map(|p| p.organization_id.clone())),
        open: true,
        ..Filter::default()
    });
    view! {
        {move || (staff && pv.side.get() != ProjectSide::Client).then(|| view! {
            <section class="card project-handoffs" data-test="project-handoffs">
                <h2>"Handoffs"</h2>
                <HandoffList filter empty="No open handoffs for this client." test="project-handoff-list" />
            </section>
        })}
    }
}
