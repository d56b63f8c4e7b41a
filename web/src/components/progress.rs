//! A progress bar with its figures ("3 of 12 done · 25%").

use leptos::prelude::*;
use shared::activity::Progress;

#[component]
pub fn ProgressBar(
    #[prop(into)] progress: Signal<Progress>,
    /// The `data-test` of the whole bar; its figures are `<test>-text`.
    test: &'static str,
    #[prop(optional)] label: Option<&'static str>,
) -> impl IntoView {
    let percent = move || progress.get().percent.clamp(0, 100);
    let text = move || {
        let p = progress.get();
        format!("{} of {} done · {}%", p.done, p.applicable, p.percent)
    };
    // The width goes through the CSSOM (`style:width`): a `style` attribute would be refused
    // by the app's Content-Security-Policy (no inline styles).
    view! {
        <div class="progress" data-test=test data-percent=move || percent().to_string()>
            <div
                class="progress-track"
                role="progressbar"
                aria-label=label.unwrap_or("Progress")
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || percent().to_string()
            >
                <div class="progress-fill" style:width=move || format!("{}%", percent())></div>
            </div>
            <span class="progress-text" data-test=format!("{test}-text")>{text}</span>
        </div>
    }
}
