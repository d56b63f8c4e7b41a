//! The ticket's satisfaction rating: for the client, once the ticket is resolved, the
//! one-click picker; for staff, what the client answered (or that they were asked).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::csat::{RateTicket, TicketRating, score_label};

use super::use_ticket;
use crate::api;
use crate::components::rating_picker::RatingPicker;
use crate::format;

#[component]
pub fn RatingCard() -> impl IntoView {
    let tv = use_ticket();
    if tv.staff {
        let rating = move || tv.get(|t| t.rating.clone()).flatten();
        view! { {move || rating().map(|r| view! { <StaffRating rating=r /> })} }.into_any()
    } else {
        // A memo, so that the picker (and a comment being typed) survives reloads of the
        // ticket; it only appears and goes with the ticket being done.
        let done = Memo::new(move |_| tv.get(|t| !t.status.is_active()).unwrap_or(false));
        view! { <Show when=move || done.get()><ClientRating /></Show> }.into_any()
    }
}

#[component]
fn StaffRating(rating: TicketRating) -> impl IntoView {
    let summary = match rating.score {
        Some(s) => format!("{s}/5 · {}", score_label(s)),
        None => "Asked, no answer yet".to_string(),
    };
    let by = match (&rating.rated_by_name, rating.rated_at) {
        (Some(name), Some(at)) => Some(format!("{name}, {}", format::local_datetime(at))),
        (None, Some(at)) => Some(format::local_datetime(at)),
        _ => None,
    };
    view! {
        <section class="card desk-rating" data-test="ticket-rating">
            <h2>"Client satisfaction"</h2>
            <p class="desk-rating-score" data-test="ticket-rating-score">{summary}</p>
            {rating.comment.map(|c| view! { <blockquote data-test="ticket-rating-comment">{c}</blockquote> })}
            {by.map(|b| view! { <p class="muted">{b}</p> })}
        </section>
    }
}

#[component]
fn ClientRating() -> impl IntoView {
    let tv = use_ticket();
    let score = Signal::derive(move || {
        tv.get(|t| t.rating.as_ref().and_then(|r| r.score))
            .flatten()
    });
    let comment = RwSignal::new(
        tv.get(|t| t.rating.as_ref().and_then(|r| r.comment.clone()))
            .flatten()
            .unwrap_or_default(),
    );
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_score = Callback::new(move |s: u8| {
        let id = tv.id.get_untracked();
        let text = comment.get_untracked();
        let input = RateTicket {
            score: s,
            comment: (!text.trim().is_empty()).then_some(text),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::ratings::rate(&id, &input).await;
            if busy.is_disposed() {
                return;
            }
            match result {
                Ok(t) => tv.ticket.set(Some(t)),
                Err(p) => error.set(Some(p.message())),
            }
            busy.set(false);
        });
    });
    view! {
        <section class="card desk-rating" data-test="ticket-rating">
            <h2>"How did we do?"</h2>
            <p class="muted">
                {move || if score.get().is_some() {
                    "Thank you for your rating. You can change it or add a comment."
                } else {
                    "Rate the help you got on this ticket — one click is enough."
                }}
            </p>
            <RatingPicker score comment busy on_score />
            {move || score.get().is_some().then(|| view! { <p class="note" data-test="rating-thanks">"Thanks — your rating was recorded."</p> })}
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="rating-error">{e}</p> })}
        </section>
    }
}
