//! What a list or section shows when there is nothing in it yet.

use leptos::prelude::*;

#[component]
pub fn EmptyState(
    title: &'static str,
    #[prop(optional)] test: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty" data-test=test.unwrap_or("empty")>
            <p class="empty-title">{title}</p>
            {children.map(|c| c())}
        </div>
    }
}
