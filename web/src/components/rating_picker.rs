//! The five-score CSAT picker with an optional comment, shared by the portal's ticket page
//! and the page behind the e-mailed rating link: a click on a score records it at once; the
//! comment is sent with the chosen score.

use leptos::prelude::*;
use shared::desk::csat::{COMMENT_MAX, SCORE_MAX, SCORE_MIN, score_label};

#[component]
pub fn RatingPicker(
    /// The score recorded so far.
    #[prop(into)]
    score: Signal<Option<u8>>,
    /// The comment being written.
    comment: RwSignal<String>,
    /// A request is under way.
    #[prop(into)]
    busy: Signal<bool>,
    /// Records a score (with the comment as written).
    on_score: Callback<u8>,
) -> impl IntoView {
    let send_comment = move |_| {
        if let Some(s) = score.get_untracked() {
            on_score.run(s);
        }
    };
    view! {
        <div class="rating-picker" data-test="rating-picker">
            <div class="rating-scores" role="group" aria-label="Your rating from 1 to 5">
                {(SCORE_MIN..=SCORE_MAX)
                    .map(|s| view! {
                        <button
                            type="button"
                            class="rating-score"
                            class:selected=move || score.get() == Some(s)
                            aria-pressed=move || (score.get() == Some(s)).to_string()
                            title=score_label(s)
                            data-test=format!("rating-score-{s}")
                            disabled=move || busy.get()
                            on:click=move |_| on_score.run(s)
                        >
                            <span class="rating-number">{s}</span>
                            <span class="rating-label">{score_label(s)}</span>
                        </button>
                    })
                    .collect_view()}
            </div>
            {move || score.get().is_some().then(|| view! {
                <label class="field">
                    <span class="field-label">"Anything to add? (optional)"</span>
                    <textarea
                        rows="3"
                        maxlength=COMMENT_MAX.to_string()
                        data-test="rating-comment"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button
                    type="button"
                    class="button secondary"
                    data-test="rating-comment-send"
                    disabled=move || busy.get()
                    on:click=send_comment
                >
                    "Send comment"
                </button>
            })}
        </div>
    }
}
