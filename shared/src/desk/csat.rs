//! Customer satisfaction after a ticket: when a ticket
//! is resolved the requester is asked once, by e-mail and in the portal, to rate the help
//! from 1 to 5 with an optional comment. One click on a score in the e-mail records it; the
//! comment may follow, and the client may change the rating later. While a reopened ticket is
//! being worked on again, the rating waits for the next resolution.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::TicketStatus;
use crate::FieldError;
use crate::validate::Errors;

pub const SCORE_MIN: u8 = 1;
pub const SCORE_MAX: u8 = 5;
/// Longest comment, in characters.
pub const COMMENT_MAX: usize = 2_000;

/// Where the rating came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// The one-click link in the e-mail sent on resolution.
    Email,
    /// The ticket page in the client portal.
    Portal,
}
str_enum!(RatingChannel { Email => "email", Portal => "portal" });

/// A client's rating of the help on one ticket, as sent from the portal or the e-mail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "score": 5, "comment": "Solved in an hour, thank you!"
})))]
#[serde(deny_unknown_fields)]
pub struct RateTicket {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub score: u8,
    /// Optional words on why; left out or blank keeps none.
    #[serde(default)]
    pub comment: Option<String>,
}

impl RateTicket {
    /// The score's range and the comment's length.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if !(SCORE_MIN..=SCORE_MAX).contains(&self.score) {
            e.0.push(FieldError::new(
                "score",
                "range",
                format!("must be a whole number from {SCORE_MIN} to {SCORE_MAX}"),
            ));
        }
        e.optional_text("comment", self.comment.as_deref(), COMMENT_MAX);
        e.into_result()
    }

    /// The comment with surrounding space removed; a blank one is none.
    pub fn clean_comment(&self) -> Option<String> {
        self.comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    }
}

/// The secret from the e-mailed link, to look up what it rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"token": "csat_q3Jx0W2m9cYbPZ1d8uK4sVt7aLrE6hNf5gOi3jQw2yA"})))]
#[serde(deny_unknown_fields)]
pub struct RatingToken {
    pub token: String,
}

/// A rating sent from the page behind the e-mailed link: the link's secret is the proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "token": "csat_q3Jx0W2m9cYbPZ1d8uK4sVt7aLrE6hNf5gOi3jQw2yA", "score": 4, "comment": null
})))]
#[serde(deny_unknown_fields)]
pub struct RateByLink {
    pub token: String,
    pub score: u8,
    #[serde(default)]
    pub comment: Option<String>,
}

impl RateByLink {
    /// The rating part, to validate and record like a portal rating.
    pub fn rating(&self) -> RateTicket {
        RateTicket {
            score: self.score,
            comment: self.comment.clone(),
        }
    }
}

/// Whether a ticket in `status` may be rated: once it is resolved or closed, not before.
pub fn can_rate(status: TicketStatus) -> Result<(), &'static str> {
    if status.is_active() {
        Err("a ticket can be rated once it is resolved")
    } else {
        Ok(())
    }
}

/// A label for a score, as the portal and the e-mail show it.
pub fn score_label(score: u8) -> &'static str {
    match score {
        1 => "Very unsatisfied",
        2 => "Unsatisfied",
        3 => "Neutral",
        4 => "Satisfied",
        5 => "Very satisfied",
        _ => "",
    }
}

/// The rating on a ticket: asked for when it was resolved; the score once the client answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "requested_at": "2026-11-23T10:00:00Z", "score": 5,
    "comment": "Solved in an hour, thank you!", "channel": "email",
    "rated_by_name": "Luca Verdi", "rated_at": "2026-11-23T10:20:00Z"
})))]
pub struct TicketRating {
    /// When the client was asked (the first resolution).
    pub requested_at: DateTime<Utc>,
    /// 1–5; absent until the client answers.
    pub score: Option<u8>,
    pub comment: Option<String>,
    pub channel: Option<RatingChannel>,
    pub rated_by_name: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
}

/// What the page behind the e-mailed link shows: which ticket, and the rating so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "ticket_number": 1042, "subject": "Checkout fails with card payments",
    "organization_name": "FaShop Srl",
    "rating": {"requested_at": "2026-11-23T10:00:00Z", "score": null, "comment": null,
        "channel": null, "rated_by_name": null, "rated_at": null},
    "can_rate": true
})))]
pub struct RatingInvite {
    pub ticket_number: i64,
    pub subject: String,
    pub organization_name: String,
    pub rating: TicketRating,
    /// False once the ticket was reopened: a rating waits for the next resolution.
    pub can_rate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(score: u8, comment: Option<&str>) -> RateTicket {
        RateTicket {
            score,
            comment: comment.map(str::to_string),
        }
    }

    #[test]
    fn scores_one_to_five_are_accepted_and_nothing_else() {
        for s in 1..=5 {
            assert!(rate(s, None).validate().is_ok(), "{s}");
        }
        for s in [0, 6, 10, 255] {
            let errs = rate(s, None).validate().expect_err("out of range");
            assert_eq!(errs.len(), 1);
            assert_eq!(errs[0].field, "score");
            assert_eq!(errs[0].rule, "range");
        }
    }

    #[test]
    fn long_comments_are_refused_and_blank_ones_dropped() {
        let long = "x".repeat(COMMENT_MAX + 1);
        let errs = rate(4, Some(&long)).validate().expect_err("too long");
        assert_eq!(errs[0].field, "comment");
        assert!(rate(4, Some(&"x".repeat(COMMENT_MAX))).validate().is_ok());
        assert_eq!(rate(4, Some("   ")).clean_comment(), None);
        assert_eq!(
            rate(4, Some("  quick help \n")).clean_comment().as_deref(),
            Some("quick help")
        );
    }

    #[test]
    fn only_resolved_or_closed_tickets_can_be_rated() {
        for s in TicketStatus::ALL {
            assert_eq!(can_rate(s).is_ok(), !s.is_active(), "{s:?}");
        }
    }

    #[test]
    fn every_score_has_a_label() {
        for s in SCORE_MIN..=SCORE_MAX {
            assert!(!score_label(s).is_empty());
        }
        assert_eq!(score_label(0), "");
    }
}
