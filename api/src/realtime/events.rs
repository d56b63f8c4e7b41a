//! The `events` table: append, read after a sequence number.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use shared::Role;
use shared::events::Event;

use crate::db::schema::{event_outbox as eo, events as ev};
use crate::db::{DbConn, now, to_utc};
use crate::error::ApiResult;

pub const CHANNEL: &str = "tandem_events";

/// The PostgreSQL advisory lock that lets one sequencing transaction run at a time (the key
/// spells "tandem").
const ORDER_LOCK: i64 = 0x7461_6e64_656d;

/// How many staged events one sequencing transaction moves.
const SEQUENCE_BATCH: i64 = 5000;

/// Records an event for each recipient; call inside the writer's transaction so the event
/// exists exactly when the change does. On SQLite (one writer at a time) the rows go
/// straight into `events`. On PostgreSQL sequence numbers are handed out before commit, in
/// any order, while readers ask for "everything after the last seq seen"; so the rows are
/// staged in `event_outbox` and [`sequence`] numbers them after commit, one mover at a time.
pub fn publish(
    conn: &mut DbConn,
    recipients: &[String],
    kind: &str,
    payload: &serde_json::Value,
) -> ApiResult<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let text = serde_json::to_string(payload)?;
    let at = now();
    // PostgreSQL: no NOTIFY here, as it serialises the commits of every transaction that
    // notifies. This process's dispatcher is woken by the commit itself and numbers the
    // staged rows; other processes hear the dispatcher's NOTIFY.
    if matches!(conn, DbConn::Pg(_)) {
        let rows: Vec<_> = recipients
            .iter()
            .map(|user| {
                (
                    eo::user_id.eq(user),
                    eo::kind.eq(kind),
                    eo::payload.eq(&text),
                    eo::created_at.eq(at),
                )
            })
            .collect();
        crate::insert_rows!(conn, eo::table, &rows)?;
    } else {
        let rows: Vec<_> = recipients
            .iter()
            .map(|user| {
                (
                    ev::user_id.eq(user),
                    ev::kind.eq(kind),
                    ev::payload.eq(&text),
                    ev::created_at.eq(at),
                )
            })
            .collect();
        crate::insert_rows!(conn, ev::table, &rows)?;
    }
    Ok(())
}

/// Records one event for every member of a department (as [`publish`] does per user): one
/// row instead of one per member; members get it live and when they catch up.
pub fn publish_to_department(
    conn: &mut DbConn,
    department_id: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> ApiResult<()> {
    let text = serde_json::to_string(payload)?;
    let at = now();
    match conn {
        DbConn::Pg(c) => diesel::insert_into(eo::table)
            .values((
                eo::department_id.eq(department_id),
                eo::kind.eq(kind),
                eo::payload.eq(&text),
                eo::created_at.eq(at),
            ))
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(ev::table)
            .values((
                ev::department_id.eq(department_id),
                ev::kind.eq(kind),
                ev::payload.eq(&text),
                ev::created_at.eq(at),
            ))
            .execute(c)?,
    };
    Ok(())
}

/// The members of a department who receive its events: vendor staff only (see
/// [`departments_of`]).
pub fn department_audience(conn: &mut DbConn, department_id: &str) -> ApiResult<Vec<String>> {
    use crate::db::schema::{department_members as dm, users as u};
    let client_roles = [Role::ClientAdmin.as_str(), Role::ClientMember.as_str()];
    Ok(crate::on_driver!(conn, |c| dm::table
        .inner_join(u::table)
        .filter(dm::department_id.eq(department_id))
        .filter(diesel::dsl::not(u::role.eq_any(client_roles)))
        .select(dm::user_id)
        .load(c))?)
}

/// The departments whose events a user also receives (theirs, as a member). Only vendor
/// staff receive a department's events, whatever the memberships say: they carry other
/// organisations' tickets and internal notes.
pub fn departments_of(conn: &mut DbConn, user_id: &str) -> ApiResult<Vec<String>> {
    use crate::db::schema::{department_members as dm, users as u};
    let client_roles = [Role::ClientAdmin.as_str(), Role::ClientMember.as_str()];
    Ok(dm::table
        .inner_join(u::table)
        .filter(dm::user_id.eq(user_id))
        .filter(diesel::dsl::not(u::role.eq_any(client_roles)))
        .select(dm::department_id)
        .load(conn)?)
}

/// PostgreSQL: moves committed staged events into `events`, numbering them in the order they
/// were staged; returns how many moved. Call inside a transaction of its own: the lock keeps
/// one mover at a time (across processes), so a number never becomes visible after a higher
/// one. Tells the other processes when something moved.
pub fn sequence(conn: &mut DbConn) -> ApiResult<usize> {
    let DbConn::Pg(c) = conn else {
        return Ok(0);
    };
    c.batch_execute(&format!("SELECT pg_advisory_xact_lock({ORDER_LOCK})"))?;
    let moved: Moved = diesel::sql_query(format!(
        "WITH moved AS (DELETE FROM event_outbox WHERE id IN \
         (SELECT id FROM event_outbox ORDER BY id LIMIT {SEQUENCE_BATCH}) \
         RETURNING id, user_id, department_id, kind, payload, created_at), \
         numbered AS (INSERT INTO events (user_id, department_id, kind, payload, created_at) \
         SELECT user_id, department_id, kind, payload, created_at FROM moved ORDER BY id \
         RETURNING seq) \
         SELECT count(*) AS count, max(seq) AS newest FROM numbered"
    ))
    .get_result(c)?;
    if let Some(newest) = moved.newest {
        // The payload is a number only; the events stay in the table.
        c.batch_execute(&format!("NOTIFY {CHANNEL}, '{newest}'"))?;
    }
    Ok(moved.count as usize)
}

#[derive(QueryableByName)]
struct Moved {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    newest: Option<i64>,
}

/// Who an event is for: one user, or every member of a department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    User(String),
    Department(String),
}

type Row = (
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    chrono::NaiveDateTime,
);

fn to_event((seq, _user, _department, kind, payload, at): Row) -> Event {
    Event {
        seq,
        kind,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        created_at: to_utc(at),
    }
}

fn audience_of(row: &Row) -> Option<Audience> {
    match (&row.1, &row.2) {
        (Some(user), _) => Some(Audience::User(user.clone())),
        (None, Some(dept)) => Some(Audience::Department(dept.clone())),
        (None, None) => None,
    }
}

/// One user's events after `after` (their own and their departments'), oldest first.
pub fn for_user_after(
    conn: &mut DbConn,
    user_id: &str,
    departments: &[String],
    after: i64,
    limit: i64,
) -> ApiResult<Vec<Event>> {
    let rows: Vec<Row> = ev::table
        .filter(
            ev::user_id
                .eq(user_id)
                .or(ev::department_id.eq_any(departments)),
        )
        .filter(ev::seq.gt(after))
        .order(ev::seq.asc())
        .limit(limit)
        .select(COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(to_event).collect())
}

const COLUMNS: (
    ev::seq,
    ev::user_id,
    ev::department_id,
    ev::kind,
    ev::payload,
    ev::created_at,
) = (
    ev::seq,
    ev::user_id,
    ev::department_id,
    ev::kind,
    ev::payload,
    ev::created_at,
);

/// Everyone's events after `after` (for the dispatcher), with who they are for.
pub fn all_after(conn: &mut DbConn, after: i64, limit: i64) -> ApiResult<Vec<(Audience, Event)>> {
    let rows: Vec<Row> = ev::table
        .filter(ev::seq.gt(after))
        .order(ev::seq.asc())
        .limit(limit)
        .select(COLUMNS)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((audience_of(&r)?, to_event(r))))
        .collect())
}

/// The newest seq of all events, or of those a user receives (theirs and their departments').
pub fn latest_seq(conn: &mut DbConn, user: Option<(&str, &[String])>) -> ApiResult<i64> {
    let q = ev::table.select(diesel::dsl::max(ev::seq)).into_boxed();
    let q = match user {
        Some((u, departments)) => q.filter(
            ev::user_id
                .eq(u.to_string())
                .or(ev::department_id.eq_any(departments.to_vec())),
        ),
        None => q,
    };
    Ok(q.first::<Option<i64>>(conn)?.unwrap_or(0))
}
