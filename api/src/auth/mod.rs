//! Authentication: passwords, access tokens, refresh sessions, login throttling, and the
//! `Actor` extractor that turns a request into a known user (or a 401).

pub mod actor;
pub mod password;
pub mod session_cache;
pub mod sessions;
pub mod throttle;
pub mod tokens;

pub use actor::Actor;
