//! The durable job queue, kept in the database so no work is lost with a process. A job is
//! claimed by exactly one worker across all processes (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer), retried with exponential backoff, and marked `failed`
//! after its last attempt, where admins can see it and retry it.

pub mod worker;

use chrono::Duration;
use diesel::prelude::*;
use shared::jobs::Job;

use crate::db::schema::jobs as j;
use crate::db::{DbConn, new_id, now, to_utc, write_tx};
use crate::error::{ApiError, ApiResult};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// A running job whose worker has been silent this long is assumed dead and run again.
const STALE_AFTER_MINUTES: i64 = 10;

#[derive(Queryable, Debug, Clone)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: chrono::NaiveDateTime,
    pub last_error: Option<String>,
    pub locked_by: Option<String>,
    pub locked_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Job {
        Job {
            id: r.id,
            kind: r.kind,
            status: r.status,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: to_utc(r.run_at),
            last_error: r.last_error,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
        }
    }
}

/// Adds a job; call inside the transaction of the change that needs it, so both land or neither.
pub fn enqueue(
    conn: &mut DbConn,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: i32,
) -> ApiResult<String> {
    enqueue_at(conn, kind, payload, max_attempts, now())
}

/// A job as it enters the queue.
#[derive(Insertable)]
#[diesel(table_name = j)]
struct NewJob<'a> {
    id: String,
    kind: &'a str,
    payload: &'a str,
    status: &'a str,
    attempts: i32,
    max_attempts: i32,
    run_at: chrono::NaiveDateTime,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl<'a> NewJob<'a> {
    fn queued(
        kind: &'a str,
        payload: &'a str,
        max_attempts: i32,
        run_at: chrono::NaiveDateTime,
    ) -> Self {
        let at = now();
        NewJob {
            id: new_id(),
            kind,
            payload,
            status: QUEUED,
            attempts: 0,
            max_attempts: max_attempts.max(1),
            run_at,
            created_at: at,
            updated_at: at,
        }
    }
}

/// Adds a job that is not due before `run_at`.
pub fn enqueue_at(
    conn: &mut DbConn,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: i32,
    run_at: chrono::NaiveDateTime,
) -> ApiResult<String> {
    let payload = serde_json::to_string(payload)?;
    let job = NewJob::queued(kind, &payload, max_attempts, run_at);
    crate::on_driver!(conn, |c| diesel::insert_into(j::table)
        .values(&job)
        .execute(c))?;
    Ok(job.id)
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<JobRow>> {
    Ok(j::table
        .find(id)
        .select(j::all_columns)
        .first(conn)
        .optional()?)
}

/// Takes the next due job for `worker`, or nothing. Exactly one worker gets each job.
pub fn claim(conn: &mut DbConn, worker: &str) -> ApiResult<Option<JobRow>> {
    write_tx(conn, |conn| {
        let at = now();
        let stale = at - Duration::minutes(STALE_AFTER_MINUTES);
        let due = j::status
            .eq(QUEUED)
            .and(j::run_at.le(at))
            .or(j::status.eq(RUNNING).and(j::locked_at.lt(stale)));
        let candidate: Option<String> = match conn {
            DbConn::Pg(c) => j::table
                .filter(due)
                .order(j::run_at.asc())
                .select(j::id)
                .limit(1)
                .for_update()
                .skip_locked()
                .first(c)
                .optional()?,
            DbConn::Sqlite(c) => j::table
                .filter(due)
                .order(j::run_at.asc())
                .select(j::id)
                .limit(1)
                .first(c)
                .optional()?,
        };
        let Some(id) = candidate else { return Ok(None) };
        diesel::update(j::table.find(&id))
            .set((
                j::status.eq(RUNNING),
                j::attempts.eq(j::attempts + 1),
                j::locked_by.eq(worker),
                j::locked_at.eq(at),
                j::updated_at.eq(at),
            ))
            .execute(conn)?;
        find(conn, &id)
    })
}

/// The job, if the worker that claimed it still holds it (a job whose worker went silent for
/// too long may have been handed to another; then the late outcome is dropped).
fn held(
    job: &JobRow,
) -> diesel::dsl::Filter<
    diesel::dsl::Find<j::table, &String>,
    diesel::dsl::Eq<j::locked_by, Option<String>>,
> {
    j::table
        .find(&job.id)
        .filter(j::locked_by.eq(job.locked_by.clone()))
}

pub fn complete(conn: &mut DbConn, job: &JobRow) -> ApiResult<()> {
    diesel::update(held(job))
        .set((
            j::status.eq(DONE),
            j::last_error.eq(None::<String>),
            j::locked_by.eq(None::<String>),
            j::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Delay before attempt `n + 1`: 10 s, 20 s, 40 s, … at most one hour.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 10i64.saturating_mul(1i64 << attempts.clamp(0, 20).saturating_sub(1));
    Duration::seconds(secs.min(3600))
}

/// Records a failed attempt: queued again later, or `failed` after the last attempt.
pub fn fail(conn: &mut DbConn, job: &JobRow, error: &str) -> ApiResult<()> {
    let at = now();
    let last = job.attempts >= job.max_attempts;
    diesel::update(held(job))
        .set((
            j::status.eq(if last { FAILED } else { QUEUED }),
            j::run_at.eq(if last { at } else { at + backoff(job.attempts) }),
            j::last_error.eq(Some(error.chars().take(2000).collect::<String>())),
            j::locked_by.eq(None::<String>),
            j::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a failed job back in the queue for a fresh set of attempts.
pub fn retry(conn: &mut DbConn, id: &str) -> ApiResult<JobRow> {
    let job = find(conn, id)?.ok_or_else(|| ApiError::not_found("job"))?;
    if job.status != FAILED {
        return Err(ApiError::field(
            "status",
            "failed_only",
            format!(
                "only failed jobs can be retried; this one is {}",
                job.status
            ),
        ));
    }
    let at = now();
    diesel::update(j::table.find(id))
        .set((
            j::status.eq(QUEUED),
            j::attempts.eq(0),
            j::run_at.eq(at),
            j::updated_at.eq(at),
        ))
        .execute(conn)?;
    find(conn, id)?.ok_or_else(|| ApiError::internal("job vanished"))
}

/// Queues a job of `kind` at `run_at` for each payload that has none waiting already (one
/// digest per user at a time, say): one read and one insert, however many payloads.
pub fn enqueue_missing(
    conn: &mut DbConn,
    kind: &str,
    payloads: &[serde_json::Value],
    max_attempts: i32,
    run_at: chrono::NaiveDateTime,
) -> ApiResult<()> {
    if payloads.is_empty() {
        return Ok(());
    }
    let texts = payloads
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    let waiting: Vec<String> = crate::on_driver!(conn, |c| j::table
        .filter(j::kind.eq(kind))
        .filter(j::status.eq(QUEUED))
        .filter(j::payload.eq_any(&texts))
        .select(j::payload)
        .load(c))?;
    let rows: Vec<NewJob> = texts
        .iter()
        .filter(|t| !waiting.contains(t))
        .map(|t| NewJob::queued(kind, t, max_attempts, run_at))
        .collect();
    if !rows.is_empty() {
        crate::insert_rows!(conn, j::table, &rows)?;
    }
    Ok(())
}

/// Periodic sweeps (reminders, the desk) re-queue themselves; this starts a chain once:
/// queues a run at `at` unless one of this kind is already waiting or running.
pub fn ensure_periodic(
    conn: &mut DbConn,
    kind: &str,
    max_attempts: i32,
    at: chrono::NaiveDateTime,
) -> ApiResult<()> {
    let pending: i64 = j::table
        .filter(j::kind.eq(kind))
        .filter(j::status.eq_any([QUEUED, RUNNING]))
        .count()
        .get_result(conn)?;
    if pending == 0 {
        enqueue_at(conn, kind, &serde_json::json!({}), max_attempts, at)?;
    }
    Ok(())
}

/// [`schedule_next`] for a running job, committed on its own (so a failure of the job's
/// own work, retried by the queue, never ends the chain).
pub async fn schedule_next_run(
    state: &crate::state::AppState,
    kind: &'static str,
    at: chrono::NaiveDateTime,
) -> Result<(), String> {
    let max_attempts = state.config.job_max_attempts;
    state
        .db
        .tx(move |conn| schedule_next(conn, kind, max_attempts, at))
        .await
        .map_err(|e| e.to_string())
}

/// The next run of a periodic sweep, unless one is already queued (the running one does not
/// count: it is the one asking).
pub fn schedule_next(
    conn: &mut DbConn,
    kind: &str,
    max_attempts: i32,
    at: chrono::NaiveDateTime,
) -> ApiResult<()> {
    enqueue_missing(conn, kind, &[serde_json::json!({})], max_attempts, at)
}

/// Another run of a periodic sweep right away, when the last one stopped at its batch limit.
pub fn continue_now(conn: &mut DbConn, kind: &str, max_attempts: i32) -> ApiResult<()> {
    let backlog = serde_json::json!({"backlog": true});
    enqueue_missing(conn, kind, &[backlog], max_attempts, now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let secs: Vec<i64> = (1..=11).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(
            secs,
            vec![10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
    }
}
