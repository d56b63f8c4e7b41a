//! The `events` table: append, read after a sequence number.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use shared::events::Event;

use crate::db::schema::events as ev;
use crate::db::{DbConn, now, to_utc};
use crate::error::ApiResult;

pub const CHANNEL: &str = "tandem_events";

/// The PostgreSQL advisory lock that puts event writers in line (the key spells "tandem").
const ORDER_LOCK: i64 = 0x7461_6e64_656d;

/// Records an event for each recipient; call inside the writer's transaction so the event
/// exists exactly when the change does. On PostgreSQL this waits for other event writers
/// until they commit, so make it the transaction's last write.
pub fn publish(
    conn: &mut DbConn,
    recipients: &[String],
    kind: &str,
    payload: &serde_json::Value,
) -> ApiResult<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let pg = matches!(conn, DbConn::Pg(_));
    if pg {
        // Readers ask for "everything after the last seq seen", so a seq must never become
        // visible after a higher one. PostgreSQL hands out sequence numbers before commit, in
        // any order; holding this lock from here to commit makes writers take turns.
        // (SQLite already has one writer at a time.)
        conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({ORDER_LOCK})"))?;
    }
    let text = serde_json::to_string(payload)?;
    let at = now();
    // One statement per row: the multi-backend connection has no batch insert.
    let mut max = 0;
    for user in recipients {
        let seq: i64 = diesel::insert_into(ev::table)
            .values((
                ev::user_id.eq(user),
                ev::kind.eq(kind),
                ev::payload.eq(&text),
                ev::created_at.eq(at),
            ))
            .returning(ev::seq)
            .get_result(conn)?;
        max = max.max(seq);
    }
    if pg {
        // Delivered to listeners when the transaction commits, never before.
        diesel::sql_query(format!("NOTIFY {CHANNEL}, '{max}'")).execute(conn)?;
    }
    Ok(())
}

type Row = (i64, String, String, String, chrono::NaiveDateTime);

fn to_event((seq, _user, kind, payload, at): Row) -> Event {
    Event {
        seq,
        kind,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        created_at: to_utc(at),
    }
}

/// One user's events after `after`, oldest first.
pub fn for_user_after(
    conn: &mut DbConn,
    user_id: &str,
    after: i64,
    limit: i64,
) -> ApiResult<Vec<Event>> {
    let rows: Vec<Row> = ev::table
        .filter(ev::user_id.eq(user_id).and(ev::seq.gt(after)))
        .order(ev::seq.asc())
        .limit(limit)
        .select((ev::seq, ev::user_id, ev::kind, ev::payload, ev::created_at))
        .load(conn)?;
    Ok(rows.into_iter().map(to_event).collect())
}

/// Everyone's events after `after` (for the dispatcher), with their recipient.
pub fn all_after(conn: &mut DbConn, after: i64, limit: i64) -> ApiResult<Vec<(String, Event)>> {
    let rows: Vec<Row> = ev::table
        .filter(ev::seq.gt(after))
        .order(ev::seq.asc())
        .limit(limit)
        .select((ev::seq, ev::user_id, ev::kind, ev::payload, ev::created_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.1.clone(), to_event(r)))
        .collect())
}

pub fn latest_seq(conn: &mut DbConn, user_id: Option<&str>) -> ApiResult<i64> {
    let q = ev::table.select(diesel::dsl::max(ev::seq)).into_boxed();
    let q = match user_id {
        Some(u) => q.filter(ev::user_id.eq(u.to_string())),
        None => q,
    };
    Ok(q.first::<Option<i64>>(conn)?.unwrap_or(0))
}
