//! Full-text search over tickets: subjects and messages go into `ticket_search` (FTS5 on
//! SQLite, a GIN-indexed `to_tsvector` on PostgreSQL) as they are written; a ticket list's
//! `q` keeps the tickets with a matching subject or message. Client users' searches skip
//! internal notes.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::DbConn;
use crate::error::ApiResult;

/// Adds a subject or message to the index.
pub fn index(conn: &mut DbConn, ticket_id: &str, public: bool, body: &str) -> ApiResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query(
                "INSERT INTO ticket_search (ticket_id, public, body) VALUES (?, ?, ?)",
            )
            .bind::<Text, _>(ticket_id)
            .bind::<Bool, _>(public)
            .bind::<Text, _>(body)
            .execute(c)?;
        }
        DbConn::Pg(c) => {
            diesel::sql_query(
                "INSERT INTO ticket_search (ticket_id, public, body) VALUES ($1, $2, $3)",
            )
            .bind::<Text, _>(ticket_id)
            .bind::<Bool, _>(public)
            .bind::<Text, _>(body)
            .execute(c)?;
        }
    }
    Ok(())
}

/// An FTS5 query matching every word of `text` (the last one as a prefix, for search as you
/// type), with FTS5's own syntax taken literally.
pub fn fts5_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("{w}*")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The same for PostgreSQL's `to_tsquery`: words of letters and digits joined by `&`, the
/// last one as a prefix; everything else in the text is dropped, so no input is an operator.
pub fn tsquery(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("{w}:*")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" & "),
    )
}

/// The SQL condition "this ticket matches `text`" for the connection's engine, as the text
/// before the bound search text, the text after it, and the search text; `None` when the
/// text has no words.
pub fn condition(
    conn: &DbConn,
    text: &str,
    public_only: bool,
) -> Option<(&'static str, &'static str, String)> {
    let after = if public_only { " AND public)" } else { ")" };
    match conn {
        DbConn::Sqlite(_) => Some((
            "tickets.id IN (SELECT ticket_id FROM ticket_search WHERE ticket_search MATCH ",
            after,
            fts5_query(text)?,
        )),
        DbConn::Pg(_) => Some((
            "tickets.id IN (SELECT ticket_id FROM ticket_search WHERE to_tsvector('simple', body) @@ to_tsquery('simple', ",
            if public_only { ") AND public)" } else { "))" },
            tsquery(text)?,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_quote_every_word_and_prefix_the_last() {
        assert_eq!(
            fts5_query("card payment").as_deref(),
            Some("\"card\" \"payment\"*")
        );
        assert_eq!(fts5_query("a\"b OR").as_deref(), Some("\"a\"\"b\" \"OR\"*"));
        assert_eq!(fts5_query("   "), None);
        assert_eq!(tsquery("Card pay!").as_deref(), Some("card & pay:*"));
        assert_eq!(tsquery("a|b & !c").as_deref(), Some("a & b & c:*"));
        assert_eq!(tsquery("!!"), None);
    }
}
