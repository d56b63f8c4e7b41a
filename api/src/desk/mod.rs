//! The support desk's services: what happens to a ticket between the request
//! and the database — routing, priority, SLA clocks, assignment — applying the pure rules of
//! `shared::desk` to the desk's configuration. Handlers in `resources::tickets` call in here.

pub mod assign;
pub mod automate;
pub mod clock;
pub mod csat;
pub mod intake;
pub mod refunds;
pub mod repeats;
pub mod search;
pub mod search_merge;
pub mod settings;
pub mod setup;
pub mod sweep;
