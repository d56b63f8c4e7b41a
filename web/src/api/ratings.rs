//! Rating a resolved ticket (CSAT): from the portal's ticket page, or from the page behind the
//! e-mailed link (no sign-in: the link's secret is the proof).

use shared::Problem;
use shared::desk::csat::{RateByLink, RateTicket, RatingInvite, RatingToken};
use shared::desk::ticket::Ticket;

use super::client::{Auth, Call, Versioned, segment};

pub async fn rate(id: &str, rating: &RateTicket) -> Result<Versioned<Ticket>, Problem> {
    Call::put(format!("/tickets/{}/rating", segment(id)))
        .json(rating)?
        .fetch_versioned(|t: &Ticket| t.version)
        .await
}

pub async fn lookup(token: &str) -> Result<RatingInvite, Problem> {
    Call::post("/ratings/lookup")
        .auth(Auth::None)
        .json(&RatingToken {
            token: token.to_string(),
        })?
        .fetch()
        .await
}

pub async fn rate_by_link(rating: &RateByLink) -> Result<RatingInvite, Problem> {
    Call::post("/ratings")
        .auth(Auth::None)
        .json(rating)?
        .fetch()
        .await
}
