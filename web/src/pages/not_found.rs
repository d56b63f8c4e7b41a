//! Any path no route matches.

use leptos::prelude::*;

use crate::session;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let s = session::get();
    let home = move || s.role.get().map(session::home_for).unwrap_or("/login");
    view! {
        <section class="page narrow" data-test="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <a class="button" href=home data-test="not-found-home">
                    "Go to your home page"
                </a>
            </p>
        </section>
    }
}
