//! The Tandem browser app: a leptos client-side SPA that talks only to the REST API.
//!
//! `session` holds who is signed in, `api` is the typed client (and the only place that knows
//! about tokens on the wire), `live` keeps the WebSocket open, `app` routes URLs to `pages`,
//! and `components` are the pieces the pages are built from.

mod api;
mod app;
mod components;
mod format;
mod inbox;
mod live;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    // Global state is created here, before anything is mounted, so that no component owns it
    // and it lives as long as the page.
    session::init();
    live::init();
    inbox::init();
    leptos::mount::mount_to_body(app::App);
}
