//! A short-lived memory of sessions already checked, so that a busy client's requests do not
//! each pay a database round trip just to learn that its session is still open.
//!
//! What this process changes (logout, password change, a user edited or deactivated) is
//! forgotten at once; a change made through another process on the same database is seen
//! within `session_cache_ms` (1 s by default; 0 turns the cache off).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shared::Role;

struct Entry {
    user_id: String,
    role: Role,
    organization_id: String,
    checked: Instant,
}

pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

/// Above this many sessions, stale entries are swept before adding one.
const SWEEP_AT: usize = 10_000;

impl SessionCache {
    pub fn new(ttl_ms: u64) -> SessionCache {
        SessionCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The role and organisation of a session checked less than `ttl` ago.
    pub fn get(&self, session_id: &str, user_id: &str) -> Option<(Role, String)> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.get(session_id)?;
        (e.user_id == user_id && e.checked.elapsed() < self.ttl)
            .then(|| (e.role, e.organization_id.clone()))
    }

    pub fn put(&self, session_id: &str, user_id: &str, role: Role, organization_id: &str) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
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

    /// Forget every session of a user whose sessions, role or status just changed.
    pub fn forget_user(&self, user_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, e| e.user_id != user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_for_the_ttl_and_forgets_on_request() {
        let cache = SessionCache::new(60_000);
        cache.put("s1", "u1", Role::Csm, "v");
        cache.put("s2", "u2", Role::Admin, "v");
        assert_eq!(cache.get("s1", "u1"), Some((Role::Csm, "v".to_string())));
        assert_eq!(
            cache.get("s1", "someone-else"),
            None,
            "a session belongs to one user"
        );
        cache.forget_user("u1");
        assert_eq!(cache.get("s1", "u1"), None);
        assert!(cache.get("s2", "u2").is_some());
        let off = SessionCache::new(0);
        off.put("s1", "u1", Role::Csm, "v");
        assert_eq!(off.get("s1", "u1"), None);
        let short = SessionCache::new(1);
        short.put("s1", "u1", Role::Csm, "v");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.get("s1", "u1"), None);
    }
}
