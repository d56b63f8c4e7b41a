//! Tandem's shared vocabulary: the DTOs the API speaks, the error kinds it answers with, and
//! the pure rules both the server and the browser app apply. No I/O lives here, so the crate
//! compiles to wasm32 as well as native. `ToSchema` derives sit behind the `openapi` feature.

/// `as_str`, `parse` and `NAMES` for a snake_case enum, from one table of names; declared
/// before the modules so every module can use it.
macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(Self::$v),)+ _ => None } }
            pub const NAMES: &'static [&'static str] = &[$($s),+];
        }
    };
}

pub mod activity;
pub mod agenda;
pub mod auth;
pub mod board;
pub mod chat;
pub mod desk;
pub mod events;
pub mod health;
pub mod identity;
pub mod jobs;
pub mod notification;
pub mod page;
pub mod problem;
pub mod project;
pub mod roles;
pub mod validate;

pub use problem::{ErrorCode, FieldError, Problem};
pub use roles::Role;
