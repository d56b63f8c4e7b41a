//! A short-lived memory of sessions already checked, so that a busy client's requests do not
//! each pay a database round trip just to learn that its session is still open; and the
//! sessions of this process's open WebSockets, which are closed when their session ends.
//!
//! What this process changes (logout, password change, a user edited or deactivated) is
//! forgotten at once; a change made through another process on the same database is seen
//! within `session_cache_ms` (1 s by default; 0 turns the cache off).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use shared::Role;
use tokio::sync::{Notify, oneshot};

use crate::db::schema::{sessions, users};
use crate::db::{Db, DbConn, now};
use crate::error::ApiResult;

struct Entry {
    user_id: String,
    role: Role,
    organization_id: String,
    checked: Instant,
}

pub struct SessionCache {
    ttl: Duration,
    /// With the generation `forget_user` last left; a check that began before it is not kept.
    entries: Mutex<(HashMap<String, Entry>, u64)>,
    /// Open WebSockets by watch id: their session, and how to tell them it ended.
    sockets: Mutex<HashMap<u64, (String, oneshot::Sender<()>)>>,
    next_socket: AtomicU64,
    /// Wakes the socket check (`watch_sockets`) when this process changed sessions.
    recheck: Notify,
}

/// Above this many sessions, stale entries are swept before adding one.
const SWEEP_AT: usize = 10_000;
/// The open sockets' sessions are checked at least this far apart (with the cache off too).
const RECHECK_FLOOR: Duration = Duration::from_millis(100);
/// Sessions per query of the socket check.
const CHECK_CHUNK: usize = 500;

/// An open WebSocket's hold on its session: `ended` resolves when the session was found
/// revoked or expired, or its user deactivated. Dropping it ends the watch.
pub struct SessionWatch {
    cache: Arc<SessionCache>,
    id: u64,
    pub ended: oneshot::Receiver<()>,
}

impl Drop for SessionWatch {
    fn drop(&mut self) {
        let mut sockets = self.cache.sockets.lock().unwrap_or_else(|p| p.into_inner());
        sockets.remove(&self.id);
    }
}

impl SessionCache {
    pub fn new(ttl_ms: u64) -> SessionCache {
        SessionCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new((HashMap::new(), 0)),
            sockets: Mutex::new(HashMap::new()),
            next_socket: AtomicU64::new(0),
            recheck: Notify::new(),
        }
    }

    /// Taken before checking a session in the database, and handed back to `put`.
    pub fn generation(&self) -> u64 {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).1
    }

    /// The role and organisation of a session checked less than `ttl` ago.
    pub fn get(&self, session_id: &str, user_id: &str) -> Option<(Role, String)> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.0.get(session_id)?;
        (e.user_id == user_id && e.checked.elapsed() < self.ttl)
            .then(|| (e.role, e.organization_id.clone()))
    }

    /// Remembers a session checked since `generation`, unless a user was forgotten meanwhile:
    /// the check may have read the session just before it ended.
    pub fn put(
        &self,
        generation: u64,
        session_id: &str,
        user_id: &str,
        role: Role,
        organization_id: &str,
    ) {
        if self.ttl.is_zero() {
            return;
        }
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (entries, current) = &mut *guard;
        if *current != generation {
            return;
        }
        if entries.len() >= SWEEP_AT {
            let ttl = self.ttl;
            entries.retain(|_, e| e.checked.elapsed() < ttl);
        }
        let entry = Entry {
            user_id: user_id.into(),
            role,
            organization_id: organization_id.into(),
            checked: Instant::now(),
        };
        entries.insert(session_id.to_string(), entry);
    }

    /// Forget every session of a user whose sessions, role or status just changed, and check
    /// the open sockets' sessions now.
    pub fn forget_user(&self, user_id: &str) {
        {
            let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            let (entries, generation) = &mut *guard;
            entries.retain(|_, e| e.user_id != user_id);
            *generation += 1;
        }
        self.recheck.notify_one();
    }

    /// Watches the session of a WebSocket that is opening (see `watch_sockets`).
    pub fn watch(self: &Arc<Self>, session_id: &str) -> SessionWatch {
        let (tx, rx) = oneshot::channel();
        let id = self.next_socket.fetch_add(1, Ordering::Relaxed);
        let mut sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        sockets.insert(id, (session_id.to_string(), tx));
        SessionWatch {
            cache: self.clone(),
            id,
            ended: rx,
        }
    }

    /// Tells the watched sockets whose session ended: at once when this process ended it
    /// (`forget_user` wakes the check), otherwise within `session_cache_ms`, the same bound
    /// requests have. One query for all of them per round.
    pub async fn watch_sockets(self: Arc<Self>, db: Db) {
        let every = self.ttl.max(RECHECK_FLOOR);
        loop {
            let _ = tokio::time::timeout(every, self.recheck.notified()).await;
            let watched: HashSet<String> = {
                let sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
                sockets.values().map(|(sid, _)| sid.clone()).collect()
            };
            if watched.is_empty() {
                continue;
            }
            let asked: Vec<String> = watched.iter().cloned().collect();
            let open = match db.run(move |conn| still_open(conn, &asked)).await {
                Ok(open) => open,
                Err(e) => {
                    tracing::warn!(error = %e, "could not check the sessions of open sockets");
                    continue;
                }
            };
            // Only sessions that were asked about: a socket opened meanwhile waits its turn.
            let mut sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
            let ended: Vec<u64> = sockets
                .iter()
                .filter(|(_, (sid, _))| watched.contains(sid) && !open.contains(sid))
                .map(|(id, _)| *id)
                .collect();
            for id in ended {
                if let Some((_, tx)) = sockets.remove(&id) {
                    let _ = tx.send(());
                }
            }
        }
    }
}

/// Those of `ids` whose session is open and whose user is active.
fn still_open(conn: &mut DbConn, ids: &[String]) -> ApiResult<HashSet<String>> {
    let at = now();
    let mut open = HashSet::new();
    for chunk in ids.chunks(CHECK_CHUNK) {
        let found: Vec<String> = crate::on_driver!(conn, |c| sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq_any(chunk))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(at))
            .filter(users::active.eq(true))
            .select(sessions::id)
            .load(c))?;
        open.extend(found);
    }
    Ok(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_for_the_ttl_and_forgets_on_request() {
        let cache = SessionCache::new(60_000);
        let generation = cache.generation();
        cache.put(generation, "s1", "u1", Role::Csm, "v");
        cache.put(generation, "s2", "u2", Role::Admin, "v");
        assert_eq!(cache.get("s1", "u1"), Some((Role::Csm, "v".to_string())));
        assert_eq!(
            cache.get("s1", "someone-else"),
            None,
            "a session belongs to one user"
        );
        cache.forget_user("u1");
        assert_eq!(cache.get("s1", "u1"), None);
        assert!(cache.get("s2", "u2").is_some());
        // A check that began before the forgetting is not kept: it may predate the change.
        cache.put(generation, "s1", "u1", Role::Csm, "v");
        assert_eq!(cache.get("s1", "u1"), None);
        cache.put(cache.generation(), "s1", "u1", Role::Csm, "v");
        assert!(cache.get("s1", "u1").is_some());
        let off = SessionCache::new(0);
        off.put(off.generation(), "s1", "u1", Role::Csm, "v");
        assert_eq!(off.get("s1", "u1"), None);
        let short = SessionCache::new(1);
        short.put(short.generation(), "s1", "u1", Role::Csm, "v");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.get("s1", "u1"), None);
    }
}
