//! Login throttling: sliding windows per account (attempts not cleared by a successful login)
//! and per client IP (all attempts), kept in memory. A blocked caller learns how long to wait
//! (`Retry-After`).

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

    /// Checks both limits and, when neither is reached, counts this attempt against both at
    /// once (under one lock), before the password is verified: concurrent attempts cannot all
    /// pass the check while the slow verification runs. The account's count is a reservation
    /// that a successful login clears. `Err` holds the seconds to wait.
    pub fn reserve(&self, account: &str, ip: &str) -> Result<(), u64> {
        let now = Instant::now();
        let (account, ip) = (format!("a:{account}"), format!("i:{ip}"));
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        let a = self.wait(&mut hits, &account, self.per_account, now);
        let i = self.wait(&mut hits, &ip, self.per_ip, now);
        if let Some(wait) = a.max(i) {
            return Err(wait);
        }
        if hits.len() > SWEEP_AT {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        hits.entry(account).or_default().push_back(now);
        hits.entry(ip).or_default().push_back(now);
        Ok(())
    }

    /// A successful login clears the account's count (its own reservation and earlier failures).
    pub fn success(&self, account: &str) {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.remove(&format!("a:{account}"));
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
            assert_eq!(t.reserve("a@x.it", "1.1.1.1"), Ok(()));
        }
        let wait = t.reserve("a@x.it", "1.1.1.1");
        assert!(wait.is_err_and(|w| (1..=60).contains(&w)), "{wait:?}");
        assert_eq!(
            t.reserve("b@x.it", "1.1.1.1"),
            Ok(()),
            "other accounts are unaffected"
        );
        t.success("a@x.it");
        assert_eq!(t.reserve("a@x.it", "1.1.1.1"), Ok(()));
    }

    #[test]
    fn ips_block_after_attempts() {
        let t = Throttle::new(60, 100, 2);
        assert_eq!(t.reserve("a@x.it", "9.9.9.9"), Ok(()));
        t.success("a@x.it");
        assert_eq!(t.reserve("b@x.it", "9.9.9.9"), Ok(()));
        assert!(t.reserve("any@x.it", "9.9.9.9").is_err());
        assert_eq!(t.reserve("any@x.it", "8.8.8.8"), Ok(()));
    }

    #[test]
    fn a_refused_attempt_is_not_counted() {
        let t = Throttle::new(60, 1, 100);
        assert_eq!(t.reserve("a@x.it", "1.1.1.1"), Ok(()));
        for _ in 0..5 {
            assert!(t.reserve("a@x.it", "1.1.1.1").is_err());
        }
        let hits = t.hits.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(hits.get("i:1.1.1.1").map(VecDeque::len), Some(1));
    }
}
