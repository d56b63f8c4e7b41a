//! `/rate/:token?score=N`: the page behind the links in the "How did we do?" e-mail. No
//! sign-in — the link's secret is the proof. Arriving with a score records it at once (the
//! one click); the client may then change it or add a comment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::ErrorCode;
use shared::desk::csat::{RateByLink, RatingInvite, SCORE_MAX, SCORE_MIN, score_label};

use crate::api;
use crate::components::rating_picker::RatingPicker;

#[component]
pub fn RatePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || {
        params
            .with_untracked(|p| p.get("token"))
            .unwrap_or_default()
    };
    let invite = RwSignal::new(None::<RatingInvite>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(true);
    let comment = RwSignal::new(String::new());

    let send = move |score: u8| {
        let text = comment.get_untracked();
        let input = RateByLink {
            token: token(),
            score,
            comment: (!text.trim().is_empty()).then_some(text),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::ratings::rate_by_link(&input).await;
            if busy.is_disposed() {
                return;
            }
            match result {
                Ok(i) => invite.set(Some(i)),
                Err(p) => error.set(Some(p.message())),
            }
            busy.set(false);
        });
    };

    // Look the link up; a valid score in it is the one click that rates.
    let clicked = query
        .with_untracked(|q| q.get("score"))
        .and_then(|s| s.parse::<u8>().ok())
        .filter(|s| (SCORE_MIN..=SCORE_MAX).contains(s));
    spawn_local(async move {
        let result = api::ratings::lookup(&token()).await;
        if busy.is_disposed() {
            return;
        }
        match result {
            Ok(i) => {
                comment.set(i.rating.comment.clone().unwrap_or_default());
                let can_rate = i.can_rate;
                invite.set(Some(i));
                match clicked {
                    Some(s) if can_rate => return send(s),
                    _ => {}
                }
            }
            Err(p) if p.code == ErrorCode::NotFound => error.set(Some(
                "This rating link is not valid. Please use the link from your most recent e-mail, or rate the ticket in the portal.".to_string(),
            )),
            Err(p) => error.set(Some(p.message())),
        }
        busy.set(false);
    });

    let score = Signal::derive(move || invite.with(|i| i.as_ref().and_then(|i| i.rating.score)));
    view! {
        <section class="page narrow" data-test="rate-page">
            <h1>"How did we do?"</h1>
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert" data-test="rate-error">{e}</div> })}
            {move || invite.get().map(|i| {
                let heading = format!("Ticket #{} · {}", i.ticket_number, i.subject);
                view! {
                    <div class="card">
                        <p class="desk-ticket-number" data-test="rate-ticket">{heading}</p>
                        <p class="muted">{i.organization_name.clone()}</p>
                        {if i.can_rate {
                            view! {
                                {move || score.get().map(|s| view! {
                                    <p class="note" data-test="rate-thanks">
                                        {format!("Thank you! You rated the help {s}/5 ({}).", score_label(s))}
                                    </p>
                                })}
                                <RatingPicker score comment busy on_score=Callback::new(send) />
                            }.into_any()
                        } else {
                            view! {
                                <p class="note" data-test="rate-reopened">
                                    "This ticket was reopened and is being worked on again. You can rate it once it is resolved."
                                </p>
                            }.into_any()
                        }}
                    </div>
                }
            })}
        </section>
    }
}
