//! The dot in the header that says whether live updates are flowing.

use leptos::prelude::*;

use crate::live::{self, Status};

#[component]
pub fn LiveIndicator() -> impl IntoView {
    let status = live::get().status;
    let (state, text) = (
        move || match status.get() {
            Status::Live => "live",
            Status::Connecting | Status::Reconnecting => "reconnecting",
            Status::Off => "off",
        },
        move || match status.get() {
            Status::Live => "Live",
            Status::Connecting => "Connecting…",
            Status::Reconnecting => "Reconnecting…",
            Status::Off => "Offline",
        },
    );
    view! {
        <span
            class="live"
            data-test="live-indicator"
            data-state=state
            role="status"
            aria-live="polite"
            title="Live updates"
        >
            <span class="live-dot" aria-hidden="true"></span>
            <span class="live-text">{text}</span>
        </span>
    }
}
