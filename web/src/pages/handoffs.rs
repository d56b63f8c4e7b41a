//! `/handoffs`: the signed-in staff member's own open handoffs ("My handoffs"), to move on —
//! in progress, done, or cancelled.

use leptos::prelude::*;

use crate::api::handoffs::Filter;
use crate::components::handoff_list::HandoffList;

#[component]
pub fn HandoffsPage() -> impl IntoView {
    let filter = Signal::derive(|| Filter {
        owner: Some("me".into()),
        open: true,
        ..Filter::default()
    });
    view! {
        <section class="page handoffs" data-test="handoffs-page">
            <h1>"My handoffs"</h1>
            <p class="muted">"Work handed to you by support, a CSM or sales: open and in progress."</p>
            <div class="card">
                <HandoffList filter empty="Nothing handed to you right now." test="my-handoffs" />
            </div>
        </section>
    }
}
