//! Full-text search over tickets: subjects and messages go into `ticket_search` (FTS5 on
//! SQLite, a GIN-indexed `to_tsvector` on PostgreSQL) as they are written; a ticket list's
//! `q` keeps the tickets with a matching subject or message. Client users' searches skip
//! internal notes.
//!
//! On SQLite a search row's rowid is `number << 20 | n` (the ticket's number, then its rows
//! from 0: migration `000011_search_rowids`), so a first page never materialises every match
//! of a common word: a newest-first list walks the matches by rowid and stops at the page
//! ([`Search::newest`]); a list narrowed some other way to a few tickets (one assignee)
//! probes each ticket's rowid range instead ([`Search::probe`]). Conditions name a match's
//! ticket by its rowid, never by the row's `ticket_id`: reading a column is a lookup in
//! FTS5's content table per matching row (a walk of a common word's 1,632 newest tickets
//! took 11.8 ms with `ticket_id`, 2.0 ms without). The last word, a prefix, is
//! spelled out as the words that start with it (`ticket_search_words`), which FTS5 walks
//! lazily where a bare prefix makes it merge whole doclists first.
//!
//! A SQLite search row also carries its ticket's scope as words of a column of their own
//! (`scope`: the organisation and the requester; migration
//! `000013_desk_at_scale`), so a search narrowed to one client (the portal,
//! a CSM's clients, an organisation filter) is a walk of FTS5's own intersection, not a probe
//! per ticket: a client's common word went from 23 ms (500 tickets probed, each an OR of the
//! prefix's words) to 1–2 ms.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::DbConn;
use crate::error::ApiResult;

/// Rowids per ticket: a ticket's search rows are `number << ROWID_BITS` upwards.
const ROWID_BITS: u32 = 20;
/// A last word starting more words than this stays a bare prefix (correct, slower).
const MAX_WORDS_OF_PREFIX: i64 = 256;

/// The scope words of a search row, as SQL over its ticket `t`: `o` and the organisation's
/// id, `r` and the requester's (ids without their dashes, one word each for the tokenizer).
/// [`organization_word`] and [`requester_word`] spell the same words for a query.
const SCOPE_OF_T: &str = "'o' || replace(t.organization_id, '-', '') \
     || coalesce(' r' || replace(t.requester_id, '-', ''), '')";

/// The scope word of an organisation's search rows (see [`SCOPE_OF_T`]).
pub fn organization_word(id: &str) -> String {
    format!("o{}", id.replace('-', ""))
}

/// The scope word of the search rows of the tickets a user opened (see [`SCOPE_OF_T`]).
pub fn requester_word(id: &str) -> String {
    format!("r{}", id.replace('-', ""))
}

/// SQLite: search rows given as `(rowid, ticket_id, public, body)` in `values` (a `VALUES`
/// list or a query) go into the index with their ticket's scope words.
pub fn insert_rows_sql(values: &str) -> String {
    format!(
        "INSERT INTO ticket_search (rowid, ticket_id, public, scope, body) \
         SELECT v.column1, v.column2, v.column3, {SCOPE_OF_T}, v.column4 \
         FROM ({values}) AS v JOIN tickets t ON t.id = v.column2"
    )
}

/// The SQLite rowid of search row `n` (from 0) of ticket `number`.
pub fn rowid(number: i64, n: i64) -> i64 {
    (number << ROWID_BITS) | n
}

/// Adds subjects or messages of one ticket to the index. On SQLite each takes the next rowid
/// of the ticket's range, and their words are recorded for prefix searches in one pass.
pub fn index(conn: &mut DbConn, ticket_id: &str, public: bool, texts: &[&str]) -> ApiResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            for body in texts {
                diesel::sql_query(insert_rows_sql(&format!(
                    "SELECT COALESCE((SELECT max(rowid) + 1 FROM ticket_search \
                     WHERE rowid BETWEEN t.number << {ROWID_BITS} AND ((t.number + 1) << {ROWID_BITS}) - 1), \
                     t.number << {ROWID_BITS}) AS column1, t.id AS column2, ? AS column3, ? AS column4 \
                     FROM tickets t WHERE t.id = ?"
                )))
                .bind::<Bool, _>(public)
                .bind::<Text, _>(*body)
                .bind::<Text, _>(ticket_id)
                .execute(c)?;
                diesel::sql_query("INSERT INTO ticket_search_scratch (body) VALUES (?)")
                    .bind::<Text, _>(*body)
                    .execute(c)?;
            }
            diesel::sql_query(
                "INSERT OR IGNORE INTO ticket_search_words (word) SELECT term FROM ticket_search_scratch_vocab",
            )
            .execute(c)?;
            diesel::sql_query(
                "INSERT INTO ticket_search_scratch (ticket_search_scratch) VALUES ('delete-all')",
            )
            .execute(c)?;
        }
        DbConn::Pg(c) => {
            for body in texts {
                diesel::sql_query(
                    "INSERT INTO ticket_search (ticket_id, public, body) VALUES ($1, $2, $3)",
                )
                .bind::<Text, _>(ticket_id)
                .bind::<Bool, _>(public)
                .bind::<Text, _>(*body)
                .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Runs a ticket list, planned for its search on PostgreSQL: without merge joins. With one,
/// a rare word's few matches were merged against every ticket walked newest first (the
/// planner hoping to stop after a page), 132 ms at 250,000 tickets; without, the matches are
/// fetched, looked up and sorted (4 ms), while a common word still walks the newest tickets
/// and probes each (a nested loop, as before). Nor with hash joins: a queue searched for a
/// middling word hashed all of the queue's active tickets (21,000) to join them with the
/// word's 700 matches (25 ms) where looking up those matches' tickets takes 11. Nor with
/// parallel workers: a queue searched for a common word was planned in parallel, and
/// starting the workers took 11 ms where the plain probe takes 2. `SET LOCAL` ends with
/// the transaction.
pub fn planned<T>(
    conn: &mut DbConn,
    searching: bool,
    f: impl FnOnce(&mut DbConn) -> ApiResult<T>,
) -> ApiResult<T> {
    if !searching || !matches!(conn, DbConn::Pg(_)) {
        return f(conn);
    }
    conn.transaction(|conn| {
        conn.batch_execute(
            "SET LOCAL enable_mergejoin = off; SET LOCAL enable_hashjoin = off; \
             SET LOCAL max_parallel_workers_per_gather = 0",
        )?;
        f(conn)
    })
}

/// A list's search text, ready for the connection's engine.
pub struct Search {
    /// The FTS5 or `to_tsquery` text, bound where the conditions say.
    pub text: String,
    public_only: bool,
    sqlite: bool,
    /// SQLite: only rows of tickets numbered from this one (see [`Search::since`]).
    from_number: Option<i64>,
    /// PostgreSQL: only rows of active tickets (see [`Search::of_active_tickets`]).
    active_only: bool,
    /// SQLite: the query's parts when its last word was spelled out as the words it starts.
    spelled: Option<Spelled>,
    /// SQLite: a probe lists the matches of the words its typed word starts, instead of
    /// looking them up per ticket (see [`Search::listing_rare_others`]).
    others_listed: bool,
}

/// A search whose last word stands for the indexed words starting with it: the scope, the
/// words before it, and those words (see [`fts5_words`]).
#[derive(Clone)]
struct Spelled {
    scope: Vec<String>,
    before: Vec<String>,
    /// The last word as typed, lowercased: the first of `starting` when it is a word itself.
    typed: String,
    starting: Vec<String>,
}

impl Spelled {
    fn text(&self) -> String {
        scoped(&self.scope, &words_text(&self.before, &self.starting))
    }
}

impl Search {
    /// `None` when the text has no words. On SQLite, `scope` (words of [`organization_word`]
    /// and [`requester_word`], empty for none) keeps only the rows of those tickets: the list
    /// still filters by its own rules, this only lets FTS5 skip the rest.
    pub fn new(
        conn: &mut DbConn,
        text: &str,
        public_only: bool,
        scope: &[String],
    ) -> ApiResult<Option<Search>> {
        let (text, sqlite, spelled) = match conn {
            DbConn::Sqlite(c) => match fts5_words(c, text)? {
                Some(Words::Spelled {
                    before,
                    typed,
                    starting,
                }) => {
                    let spelled = Spelled {
                        scope: scope.to_vec(),
                        before,
                        typed,
                        starting,
                    };
                    (Some(spelled.text()), true, Some(spelled))
                }
                Some(Words::Literal(words)) => (Some(scoped(scope, &words)), true, None),
                None => (None, true, None),
            },
            DbConn::Pg(_) => (tsquery(text), false, None),
        };
        Ok(text.map(|text| Search {
            text,
            public_only,
            sqlite,
            from_number: None,
            active_only: false,
            spelled,
            others_listed: false,
        }))
    }

    /// SQLite: keeps only the rows of tickets numbered `number` or later — for a list that
    /// can only hold those (a work queue: active tickets, the oldest of which is known), so
    /// a word's older matches are never gathered.
    pub fn since(self, number: Option<i64>) -> Search {
        Search {
            from_number: number,
            ..self
        }
    }

    /// PostgreSQL: keeps only the rows of active tickets, which have a GIN index of their
    /// own (migration `000015_search_active`) — for a work queue, which lists no others: a
    /// word's matches among every ticket were gathered and joined with the queue (201 ms
    /// at 1,000,000 tickets for a word in a few tickets per hundred).
    pub fn of_active_tickets(self) -> Search {
        Search {
            active_only: true,
            ..self
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// The conditions on a search row besides the text: public rows only, from a number,
    /// of active tickets.
    fn public(&self) -> String {
        let mut sql = self.public_rows();
        if let (true, Some(n)) = (self.sqlite, self.from_number) {
            sql.push_str(&format!(" AND rowid >= {}", n << ROWID_BITS));
        }
        if !self.sqlite && self.active_only {
            sql.push_str(" AND active");
        }
        sql
    }

    /// Only public rows, for a client's search.
    fn public_rows(&self) -> String {
        if self.public_only {
            " AND public".to_string()
        } else {
            String::new()
        }
    }

    /// SQLite: the numbers of the tickets with a row this search keeps matching `text`, as
    /// a subquery.
    fn numbers_matching(&self, text: &str) -> String {
        format!(
            "(SELECT rowid >> {ROWID_BITS} FROM ticket_search WHERE ticket_search MATCH {}{})",
            literal(text),
            self.public()
        )
    }

    /// "This ticket matches", for any order, as SQL: the ticket among every match (by number
    /// on SQLite, by id on PostgreSQL).
    pub fn matching(&self) -> String {
        let text = literal(&self.text);
        if self.sqlite {
            format!("tickets.number IN {}", self.numbers_matching(&self.text))
        } else {
            format!(
                "tickets.id IN (SELECT ticket_id FROM ticket_search WHERE to_tsvector('simple', body) @@ to_tsquery('simple', {text}){})",
                self.public()
            )
        }
    }

    /// SQLite, for a work queue: "this ticket matches" as a check of each ticket the queue
    /// walks in its own order against the matches gathered once (the `+` keeps SQLite from
    /// looking up every match's ticket and sorting them instead). For a word with some
    /// thousands of matches among the active tickets, few per hundred: looking up 4,369
    /// matches took 15.1 ms at 1,000,000 tickets, probing ticket by ticket for 6,836 took
    /// 22.9, walking the queue 2.8 and 3.7.
    pub fn matching_along(&self) -> String {
        format!("+tickets.number IN {}", self.numbers_matching(&self.text))
    }

    /// SQLite, for a list narrowed to few tickets, or a work queue searched for a common
    /// word: each ticket looks up its own rows. From the newest row down: FTS5 seeks a long
    /// doclist from the end it starts at, and listed tickets are mostly recent (half the
    /// time of a forward probe at 1,000,000 tickets). Every word a probe names costs a
    /// lookup per ticket: when the last word as typed is a word of the index, it is looked
    /// up first and the others only for tickets without it (a common word's 13 words took a
    /// queue's first page 4.9 ms on one index segment; typed word first, 2.6 ms), or listed
    /// once when they are rare ([`Search::listing_rare_others`]). A probe is bounded by its
    /// ticket's rowids alone: FTS5 takes one lower bound on rowid, and given a search's
    /// [`Search::since`] too it took that one, so a ticket without the word walked the word's
    /// rows of every newer active ticket (7 ms a probe at 1,000,000 tickets, not 40 µs).
    pub fn probe(&self) -> String {
        let probe = |text: &str| {
            format!(
                "(SELECT rowid FROM ticket_search WHERE ticket_search MATCH {} AND rowid BETWEEN tickets.number << {ROWID_BITS} AND ((tickets.number + 1) << {ROWID_BITS}) - 1{} ORDER BY rowid DESC LIMIT 1) IS NOT NULL",
                literal(text),
                self.public_rows()
            )
        };
        match self.typed_and_others() {
            Some((typed, others)) if self.others_listed => format!(
                "({} OR tickets.number IN {})",
                probe(&typed),
                self.numbers_matching(&others)
            ),
            Some((typed, others)) => format!("({} OR {})", probe(&typed), probe(&others)),
            None => probe(&self.text),
        }
    }

    /// SQLite: the search text for the last word as typed and for the other words it starts,
    /// when it is itself a word of the index and starts others.
    fn typed_and_others(&self) -> Option<(String, String)> {
        let spelled = self.spelled.as_ref()?;
        if spelled.starting.len() < 2 || spelled.starting[0] != spelled.typed {
            return None;
        }
        let (typed, others) = spelled.starting.split_at(1);
        let part = |starting: &[String]| {
            Spelled {
                starting: starting.to_vec(),
                ..spelled.clone()
            }
            .text()
        };
        Some((part(typed), part(others)))
    }

    /// SQLite, for a probe: when the words the typed word starts match fewer than `n` rows
    /// (among the rows this search keeps), they are listed once rather than looked up per
    /// ticket. Each word costs a lookup in every index segment: a queue searched for a common
    /// word probed its 12 rarer continuations for every ticket without the word itself (most
    /// of 13,000 new tickets), 18.8 ms; listed, they were 145 rows read in 0.2 ms.
    pub fn listing_rare_others(self, conn: &mut DbConn, n: i64) -> ApiResult<Search> {
        let others_listed = match self.typed_and_others() {
            Some((_, others)) => !self.rows_at_least(conn, &others, n)?,
            None => false,
        };
        Ok(Search {
            others_listed,
            ..self
        })
    }

    /// SQLite: how many search rows match, counted lazily up to `n` — by the typed word alone
    /// first when the last word also starts others (it has most of the rows, and one word
    /// counts faster than thirteen). A work queue probes its tickets for a word this common
    /// (most match, the page fills after a few), and otherwise gathers the matches (see
    /// [`Search::matching_along`]).
    pub fn matches_up_to(&self, conn: &mut DbConn, n: i64) -> ApiResult<i64> {
        if let Some((typed, _)) = self.typed_and_others()
            && self.rows_up_to(conn, &typed, n)? >= n
        {
            return Ok(n);
        }
        self.rows_up_to(conn, &self.text, n)
    }

    /// Whether at least `n` of the rows this search keeps match `text`, counted up to `n`.
    fn rows_at_least(&self, conn: &mut DbConn, text: &str, n: i64) -> ApiResult<bool> {
        Ok(self.rows_up_to(conn, text, n)? >= n)
    }

    /// How many of the rows this search keeps match `text`, counted up to `n`.
    fn rows_up_to(&self, conn: &mut DbConn, text: &str, n: i64) -> ApiResult<i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM ticket_search WHERE ticket_search MATCH ?{} LIMIT {n}) AS m",
            self.public()
        ))
        .bind::<Text, _>(text)
        .get_result(conn)?;
        Ok(count.n)
    }

    /// SQLite, for a list ordered by number, newest first: the ticket is among the first
    /// `limit` matching tickets numbered below `below`.
    pub fn newest(&self, below: Option<i64>, limit: i64) -> String {
        let (before, after) = self.walk(below, limit);
        format!("tickets.number IN ({before}{}{after})", literal(&self.text))
    }

    /// SQLite: where a walk of [`Search::newest`] ended — the number of its last ticket, or
    /// `None` when it took every match below `below`. A page that came back short goes on
    /// below it (walking again from the top cost a restart per widening: a common word with
    /// a status filter passed 13,000 new tickets three times over).
    pub fn walk_end(
        &self,
        conn: &mut DbConn,
        below: Option<i64>,
        limit: i64,
    ) -> ApiResult<Option<i64>> {
        #[derive(QueryableByName)]
        struct End {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
            last: Option<i64>,
        }
        let (before, after) = self.walk(below, limit);
        let end: End = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n, MIN(m.number) AS last FROM ({before}?{after}) AS m"
        ))
        .bind::<Text, _>(&self.text)
        .get_result(conn)?;
        Ok(if end.n < limit { None } else { end.last })
    }

    /// The matching tickets' numbers, newest first, as the SQL around the bound text.
    fn walk(&self, below: Option<i64>, limit: i64) -> (String, String) {
        (
            format!(
                "SELECT DISTINCT rowid >> {ROWID_BITS} AS number FROM ticket_search WHERE ticket_search MATCH "
            ),
            format!(
                "{}{} ORDER BY rowid DESC LIMIT {limit}",
                self.public(),
                below
                    .map(|n| format!(" AND rowid < {}", n << ROWID_BITS))
                    .unwrap_or_default()
            ),
        )
    }
}

/// A search text's words for FTS5: the last word's prefix spelled out as the words of the
/// index that start with it, when it is one plain word starting at most
/// [`MAX_WORDS_OF_PREFIX`] of them; otherwise [`fts5_query`].
enum Words {
    Spelled {
        before: Vec<String>,
        typed: String,
        starting: Vec<String>,
    },
    Literal(String),
}

fn fts5_words(conn: &mut diesel::SqliteConnection, text: &str) -> ApiResult<Option<Words>> {
    #[derive(QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        word: String,
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((last, rest)) = words.split_last() else {
        return Ok(None);
    };
    let literal = || Ok(fts5_query(text).map(Words::Literal));
    let prefix = last.to_lowercase();
    let Some(end) = prefix_end(&prefix) else {
        return literal();
    };
    let starting: Vec<Word> = diesel::sql_query(
        "SELECT word FROM ticket_search_words WHERE word >= ? AND word < ? ORDER BY word LIMIT ?",
    )
    .bind::<Text, _>(&prefix)
    .bind::<Text, _>(&end)
    .bind::<diesel::sql_types::BigInt, _>(MAX_WORDS_OF_PREFIX + 1)
    .load(conn)?;
    if starting.is_empty() || starting.len() as i64 > MAX_WORDS_OF_PREFIX {
        return literal();
    }
    Ok(Some(Words::Spelled {
        before: rest.iter().map(|w| w.to_string()).collect(),
        starting: starting.into_iter().map(|w| w.word).collect(),
        typed: prefix,
    }))
}

/// The FTS5 words of `before` and then any of `starting`.
fn words_text(before: &[String], starting: &[String]) -> String {
    let any = starting
        .iter()
        .map(|w| quote(w))
        .collect::<Vec<_>>()
        .join(" OR ");
    before
        .iter()
        .map(|w| format!("{} AND ", quote(w)))
        .chain([format!("({any})")])
        .collect()
}

/// The FTS5 query for `words` in the texts of the tickets of `scope` (any, when empty).
fn scoped(scope: &[String], words: &str) -> String {
    if scope.is_empty() {
        return format!("body : ({words})");
    }
    let any = scope
        .iter()
        .map(|w| quote(w))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!("scope : ({any}) AND body : ({words})")
}

/// The first text after every word starting with `prefix`, when `prefix` is one plain word
/// of ASCII letters and digits (the tokenizer keeps those as they are, lowercased).
fn prefix_end(prefix: &str) -> Option<String> {
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut end = prefix.as_bytes().to_vec();
    let last = end.last_mut()?;
    *last += 1;
    String::from_utf8(end).ok()
}

/// `text` as an SQL string literal (both engines double a quote inside one).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn quote(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// An FTS5 query matching every word of `text` (the last one as a prefix, for search as you
/// type), with FTS5's own syntax taken literally.
pub fn fts5_query(text: &str) -> Option<String> {
    let words: Vec<String> = text.split_whitespace().map(quote).collect();
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
