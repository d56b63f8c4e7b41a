//! Customer satisfaction per ticket: asking when a ticket is first resolved (an e-mail whose
//! five links each record a score in one click, and the portal's ticket page), and recording
//! the answer — history line, the agent told, everyone's open pages refreshed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::desk::csat::{RateTicket, RatingChannel, SCORE_MAX, SCORE_MIN, TicketRating};
use shared::notification::NotificationKind;

use crate::auth::sessions::{hash_secret, new_secret};
use crate::config::Config;
use crate::db::schema::{ticket_ratings as r, users as u};
use crate::db::{DbConn, now, to_utc};
use crate::error::ApiResult;
use crate::mail::{self, Mail};
use crate::notify::{Notice, notify};
use crate::resources::tickets::{TicketRow, record};

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = r)]
pub struct RatingRow {
    pub ticket_id: String,
    pub requested_at: NaiveDateTime,
    pub score: Option<i32>,
    pub comment: Option<String>,
    pub channel: Option<String>,
    pub rated_by: Option<String>,
    pub rated_at: Option<NaiveDateTime>,
}

/// The page behind an e-mailed link, for `score` (1–5).
pub fn link(config: &Config, token: &str, score: u8) -> String {
    format!(
        "{}/rate/{token}?score={score}",
        config.public_url.trim_end_matches('/')
    )
}

/// Asks the requester to rate the ticket, once: the first time it is resolved (or closed
/// without being resolved). Later resolutions after a reopening keep the first request, so
/// nobody is asked twice about one ticket.
pub fn request(conn: &mut DbConn, config: &Config, ticket: &TicketRow) -> ApiResult<()> {
    let asked: i64 = r::table
        .filter(r::ticket_id.eq(&ticket.id))
        .count()
        .get_result(conn)?;
    if asked > 0 {
        return Ok(());
    }
    let token = new_secret("csat_");
    diesel::insert_into(r::table)
        .values((
            r::ticket_id.eq(&ticket.id),
            r::organization_id.eq(&ticket.organization_id),
            r::token_hash.eq(hash_secret(&token)),
            r::requested_at.eq(now()),
        ))
        .execute(conn)?;
    if ticket.requester_email.is_empty() {
        return Ok(());
    }
    let choices: String = (SCORE_MIN..=SCORE_MAX)
        .rev()
        .map(|s| {
            format!(
                "  {s} - {}: {}\n",
                shared::desk::csat::score_label(s),
                link(config, &token, s)
            )
        })
        .collect();
    mail::queue(
        conn,
        config,
        &Mail {
            to: ticket.requester_email.clone(),
            subject: format!("[#{}] How did we do? {}", ticket.number, ticket.subject),
            text: format!(
                "Hello {},\n\nyour ticket #{} \"{}\" has been resolved. How satisfied are you \
                 with the help you got? One click records your answer:\n\n{choices}\n\
                 You can add a comment on the page that opens. If the problem is not solved, \
                 reply to the ticket in the portal and it reopens.\n",
                ticket.requester_name, ticket.number, ticket.subject
            ),
        },
    )?;
    Ok(())
}

/// The rating row of a ticket, if it was asked for.
pub fn find(conn: &mut DbConn, ticket_id: &str) -> ApiResult<Option<RatingRow>> {
    Ok(r::table
        .find(ticket_id)
        .select(RatingRow::as_select())
        .first(conn)
        .optional()?)
}

/// The ticket id a link's token belongs to.
pub fn ticket_of_token(conn: &mut DbConn, token: &str) -> ApiResult<Option<String>> {
    Ok(r::table
        .filter(r::token_hash.eq(hash_secret(token)))
        .select(r::ticket_id)
        .first(conn)
        .optional()?)
}

/// The rating as the API shows it.
pub fn to_dto(conn: &mut DbConn, row: RatingRow) -> ApiResult<TicketRating> {
    let rated_by_name: Option<String> = match &row.rated_by {
        Some(id) => u::table.find(id).select(u::name).first(conn).optional()?,
        None => None,
    };
    Ok(TicketRating {
        requested_at: to_utc(row.requested_at),
        score: row.score.and_then(|s| u8::try_from(s).ok()),
        comment: row.comment,
        channel: row.channel.as_deref().and_then(RatingChannel::parse),
        rated_by_name,
        rated_at: row.rated_at.map(to_utc),
    })
}

/// The ticket's rating for its DTO.
pub fn of_ticket(conn: &mut DbConn, ticket_id: &str) -> ApiResult<Option<TicketRating>> {
    match find(conn, ticket_id)? {
        Some(row) => Ok(Some(to_dto(conn, row)?)),
        None => Ok(None),
    }
}

/// Records (or changes) the client's rating of a resolved ticket — the caller checked the
/// ticket may be rated and the input is valid. A ticket resolved before ratings were asked
/// for gets its request row now. Writes a history line and tells the assignee.
pub fn rate(
    conn: &mut DbConn,
    config: &Config,
    ticket: &TicketRow,
    input: &RateTicket,
    channel: RatingChannel,
    rated_by: Option<&str>,
    who: &str,
) -> ApiResult<()> {
    if find(conn, &ticket.id)?.is_none() {
        diesel::insert_into(r::table)
            .values((
                r::ticket_id.eq(&ticket.id),
                r::organization_id.eq(&ticket.organization_id),
                r::token_hash.eq(hash_secret(&new_secret("csat_"))),
                r::requested_at.eq(now()),
            ))
            .execute(conn)?;
    }
    let comment = input.clean_comment();
    diesel::update(r::table.find(&ticket.id))
        .set((
            r::score.eq(Some(i32::from(input.score))),
            r::comment.eq(&comment),
            r::channel.eq(channel.as_str()),
            r::rated_by.eq(rated_by),
            r::rated_at.eq(now()),
        ))
        .execute(conn)?;
    let label = shared::desk::csat::score_label(input.score);
    record(
        conn,
        &ticket.id,
        rated_by,
        "rated",
        &format!("{who} rated the help {}/5 ({label})", input.score),
    )?;
    if let Some(assignee) = &ticket.assignee_id {
        notify(
            conn,
            config,
            std::slice::from_ref(assignee),
            &Notice {
                kind: NotificationKind::TicketUpdated,
                title: format!("{who} rated ticket #{} {}/5", ticket.number, input.score),
                body: comment.unwrap_or_else(|| label.to_string()),
                project_id: None,
                link: Some(ticket.link()),
                actor_id: rated_by.map(str::to_string),
            },
        )?;
    }
    Ok(())
}
