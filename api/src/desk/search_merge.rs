//! Keeps SQLite's full-text index (`ticket_search`, FTS5) in few segments, on the job queue.
//!
//! Every transaction that writes search rows (a new ticket, a reply) adds a segment, and a
//! search opens an iterator per segment for each of its words. FTS5 merges segments itself
//! only after 64 pages of writes, and only four of a level at a time, so a desk taking
//! tickets one by one keeps a dozen or more: at 1,000,000 tickets, 625 new tickets left 12
//! and a 4-letter prefix search took 84 ms (p99; 15 on one segment). This job merges a
//! bounded number of pages per run — an unfinished merge first, then any two segments of a
//! level (`usermerge` 2, migration `000014`) — coming back a second later while there is
//! work, every desk sweep interval otherwise: those 12 became 3 in one 2.4 ms run (prefix
//! 22 ms). It never merges everything into one: segments of different levels stay apart
//! (one per level), since merging the newest rows into the big one rewrites the whole index
//! (7 s as one `optimize` at 1,000,000 tickets, minutes of write lock in bounded steps).
//! That is done once a night instead (`search_optimize_hour`, 03:00 UTC by default), when
//! there is more than one segment: each segment costs every search word a lookup, and after
//! 13,000 new tickets (3 segments) a queue searched for a common word took 17–22 ms (p99)
//! where one segment takes 13.
//! PostgreSQL's GIN index keeps its own pending list: no job there.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::config::Config;
use crate::db::{DbConn, now};
use crate::error::ApiResult;
use crate::state::AppState;

pub const JOB_KIND: &str = "search_merge";
pub const OPTIMIZE_JOB_KIND: &str = "search_optimize";
/// Index pages one run writes at most (tens of milliseconds of the write lock at 1,000,000
/// tickets), so writers queued behind it wait little.
pub const PAGES_PER_RUN: i64 = 200;
/// The pause between runs while merging is not done.
const BUSY_PAUSE_SECS: i64 = 1;

fn idle_interval(config: &Config) -> Duration {
    Duration::seconds(config.desk_sweep_secs.max(1))
}

/// The first `hour`:00 UTC after `at`.
pub fn next_optimize_at(at: NaiveDateTime, hour: u32) -> NaiveDateTime {
    let today = at.date().and_hms_opt(hour, 0, 0).unwrap_or(at);
    if today > at {
        today
    } else {
        today + Duration::days(1)
    }
}

/// The configured nightly hour, unless turned off.
fn optimize_hour(config: &Config) -> Option<u32> {
    u32::try_from(config.search_optimize_hour)
        .ok()
        .filter(|h| *h < 24)
}

/// Starts the chains (merging, and the nightly rewrite) once per SQLite database.
pub fn ensure_scheduled(conn: &mut DbConn, config: &Config) -> ApiResult<()> {
    if !matches!(conn, DbConn::Sqlite(_)) {
        return Ok(());
    }
    crate::jobs::ensure_periodic(
        conn,
        JOB_KIND,
        config.job_max_attempts,
        now() + idle_interval(config),
    )?;
    match optimize_hour(config) {
        Some(hour) => crate::jobs::ensure_periodic(
            conn,
            OPTIMIZE_JOB_KIND,
            config.job_max_attempts,
            next_optimize_at(now(), hour),
        ),
        None => Ok(()),
    }
}

/// The nightly job: the index as one segment, then the next night's run (none once the
/// hour is turned off).
pub async fn run_optimize_job(state: &AppState) -> Result<(), String> {
    let done = state.db.tx(optimize).await;
    if let Some(hour) = optimize_hour(&state.config) {
        crate::jobs::schedule_next_run(state, OPTIMIZE_JOB_KIND, next_optimize_at(now(), hour))
            .await?;
    }
    done.map(|_| ()).map_err(|e| e.to_string())
}

/// Rewrites the index as one segment when it has more; answers whether it did. Holds the
/// write lock throughout (7 s at 1,000,000 tickets): for a quiet hour.
pub fn optimize(conn: &mut DbConn) -> ApiResult<bool> {
    if !matches!(conn, DbConn::Sqlite(_)) || segments(conn)? <= 1 {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    diesel::sql_query("INSERT INTO ticket_search (ticket_search) VALUES ('optimize')")
        .execute(conn)?;
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        "search index optimized"
    );
    Ok(true)
}

/// The job: one merge step, then the next run — soon while merging goes on.
pub async fn run_job(state: &AppState) -> Result<(), String> {
    let merged = state.db.tx(step).await;
    let pause = match merged {
        Ok(true) => Duration::seconds(BUSY_PAUSE_SECS),
        _ => idle_interval(&state.config),
    };
    crate::jobs::schedule_next_run(state, JOB_KIND, now() + pause).await?;
    merged.map(|_| ()).map_err(|e| e.to_string())
}

/// Merges up to [`PAGES_PER_RUN`] pages of the index; answers whether there was anything to
/// merge (FTS5 writes at least two rows when it merges, one when it finds nothing to do).
pub fn step(conn: &mut DbConn) -> ApiResult<bool> {
    if !matches!(conn, DbConn::Sqlite(_)) {
        return Ok(false);
    }
    let before = total_changes(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO ticket_search (ticket_search, rank) VALUES ('merge', {PAGES_PER_RUN})"
    ))
    .execute(conn)?;
    Ok(total_changes(conn)? - before >= 2)
}

/// The segments of the index (SQLite): each has at least one row in the term index.
pub fn segments(conn: &mut DbConn) -> ApiResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM (SELECT DISTINCT segid FROM ticket_search_idx)",
    )
    .get_result(conn)?;
    Ok(n.n)
}

fn total_changes(conn: &mut DbConn) -> ApiResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query("SELECT total_changes() AS n").get_result(conn)?;
    Ok(n.n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn the_nightly_rewrite_comes_at_the_next_stroke_of_its_hour() {
        for (now, hour, next) in [
            ("2026-11-24 01:30", 3, "2026-11-24 03:00"),
            ("2026-11-24 03:00", 3, "2026-11-25 03:00"),
            ("2026-11-24 22:10", 3, "2026-11-25 03:00"),
            ("2026-12-31 23:59", 0, "2027-01-01 00:00"),
        ] {
            assert_eq!(next_optimize_at(at(now), hour), at(next), "from {now}");
        }
    }
}
