//! Who is online: a user with an open WebSocket in any tandem process. Each connection marks
//! its user every ping; a user counts as online while the mark is fresher than
//! `presence_timeout_secs`. Notification e-mails go only to users who are not online.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use diesel::prelude::*;

use crate::db::schema::user_presence as p;
use crate::db::{DbConn, now};
use crate::error::ApiResult;

/// Marks the user as seen now.
pub fn mark(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    let at = now();
    let updated = diesel::update(p::table.find(user_id))
        .set(p::seen_at.eq(at))
        .execute(conn)?;
    if updated == 0 {
        // Another connection may insert first; its mark is as good as ours.
        let _ = diesel::insert_into(p::table)
            .values((p::user_id.eq(user_id), p::seen_at.eq(at)))
            .execute(conn);
    }
    Ok(())
}

/// Forgets the user's mark (their last connection in this process closed).
pub fn clear(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    diesel::delete(p::table.find(user_id)).execute(conn)?;
    Ok(())
}

pub fn is_online(conn: &mut DbConn, user_id: &str, timeout_secs: i64) -> ApiResult<bool> {
    let since = now() - Duration::seconds(timeout_secs);
    let seen: Option<chrono::NaiveDateTime> = p::table
        .find(user_id)
        .select(p::seen_at)
        .first(conn)
        .optional()?;
    Ok(seen.is_some_and(|s| s >= since))
}

/// Open connections per user in this process, so closing one of two tabs keeps the user
/// online.
#[derive(Clone, Default)]
pub struct Connections(Arc<Mutex<HashMap<String, usize>>>);

impl Connections {
    pub fn opened(&self, user_id: &str) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(user_id.to_string()).or_default() += 1;
        }
    }

    /// True when that was the user's last connection here.
    pub fn closed(&self, user_id: &str) -> bool {
        let Ok(mut m) = self.0.lock() else {
            return false;
        };
        match m.get_mut(user_id) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            _ => {
                m.remove(user_id);
                true
            }
        }
    }
}
