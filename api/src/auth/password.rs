//! Argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane). Hashing is
//! deliberately slow, so callers run it on the blocking pool, never on an async worker.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::ApiError;

fn hasher() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| ApiError::internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub fn hash(password: &str) -> Result<String, ApiError> {
    hasher()?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("argon2 hash: {e}")))
}

pub fn verify(password: &str, phc: &str) -> bool {
    hasher()
        .map(|h| h.verify_password(password.as_bytes(), phc).is_ok())
        .unwrap_or(false)
}

type Task = Box<dyn FnOnce() + Send>;

/// Password work runs on a few dedicated threads (one per core but one, at least one), not
/// on the async workers or the shared blocking pool: a burst of logins never takes every core
/// from the rest of the server, and each thread reuses the memory of its previous hash
/// (19 MiB) instead of every pool thread keeping its own copy.
pub async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    static QUEUE: std::sync::OnceLock<Result<std::sync::mpsc::Sender<Task>, String>> =
        std::sync::OnceLock::new();
    let queue = QUEUE
        .get_or_init(start_hashers)
        .as_ref()
        .map_err(|e| ApiError::internal(e.clone()))?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    queue
        .send(Box::new(move || {
            let _ = tx.send(f());
        }))
        .map_err(|_| ApiError::internal("password threads stopped"))?;
    rx.await
        .map_err(|_| ApiError::internal("password task failed"))
}

fn start_hashers() -> Result<std::sync::mpsc::Sender<Task>, String> {
    let (tx, rx) = std::sync::mpsc::channel::<Task>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    for i in 0..cores.saturating_sub(1).max(1) {
        let rx = rx.clone();
        std::thread::Builder::new()
            .name(format!("password-{i}"))
            .spawn(move || {
                loop {
                    let next = rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()));
                    match next {
                        Ok(task) => task(),
                        Err(()) => return,
                    }
                }
            })
            .map_err(|e| format!("cannot start password threads: {e}"))?;
    }
    Ok(tx)
}

/// Spends the same time as a real check, so a login for an unknown e-mail cannot be told
/// apart from a wrong password by its timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("tandem-demo").expect("hash");
        let b = hash("tandem-demo").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(verify("tandem-demo", &a));
        assert!(!verify("tandem-dem0", &a));
        assert!(!verify("tandem-demo", "not a hash"));
    }
}
