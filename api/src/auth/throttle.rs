//! Login throttling: sliding windows per account (failed attempts) and per client IP (all
//! attempts), kept in memory. A blocked caller learns how long to wait (`Retry-After`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    window: Duration,
    per_account: usize,
    per_ip: usize,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Above this many tracked keys, empty windows are swept so memory stays bounded.
const SWEEP_AT: usize = 10_000;

impl Throttle {
    pub fn new(window_secs: u64, per_account: u32, per_ip: u32) -> Throttle {
        Throttle {
            window: Duration::from_secs(window_secs.max(1)),
            per_account: per_account as usize,
            per_ip: per_ip as usize,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait when this account or IP is over its limit.
    pub fn blocked(&self, account: &str, ip: &str) -> Option<u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        let a = self.wait(&mut hits, &format!("a:{account}"), self.per_account, now);
        let i = self.wait(&mut hits, &format!("i:{ip}"), self.per_ip, now);
        a.max(i)
    }

    /// Counts an attempt from this IP.
    pub fn attempt(&self, ip: &str) {
        self.record(&format!("i:{ip}"));
    }

    /// Counts a failed attempt on this account.
    pub fn failure(&self, account: &str) {
        self.record(&format!("a:{account}"));
    }

    /// A successful login clears the account's failures.
    pub fn success(&self, account: &str) {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.remove(&format!("a:{account}"));
    }

    fn record(&self, key: &str) {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > SWEEP_AT {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        hits.entry(key.to_string()).or_default().push_back(now);
    }

    fn wait(
        &self,
        hits: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        limit: usize,
        now: Instant,
    ) -> Option<u64> {
        let q = hits.get_mut(key)?;
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() < limit {
            return None;
        }
        let oldest = *q.front()?;
        let wait = self.window.saturating_sub(now.duration_since(oldest));
        Some(wait.as_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_block_after_failures_and_clear_on_success() {
        let t = Throttle::new(60, 3, 100);
        for _ in 0..3 {
            assert_eq!(t.blocked("a@x.it", "1.1.1.1"), None);
            t.failure("a@x.it");
        }
        let wait = t.blocked("a@x.it", "1.1.1.1");
        assert!(wait.is_some_and(|w| (1..=60).contains(&w)), "{wait:?}");
        assert_eq!(
            t.blocked("b@x.it", "1.1.1.1"),
            None,
            "other accounts are unaffected"
        );
        t.success("a@x.it");
        assert_eq!(t.blocked("a@x.it", "1.1.1.1"), None);
    }

    #[test]
    fn ips_block_after_attempts() {
        let t = Throttle::new(60, 100, 2);
        t.attempt("9.9.9.9");
        t.attempt("9.9.9.9");
        assert!(t.blocked("any@x.it", "9.9.9.9").is_some());
        assert_eq!(t.blocked("any@x.it", "8.8.8.8"), None);
    }
}
