//! Pieces the pages are built from.

pub mod availability;
pub mod choices;
pub mod edit_panel;
pub mod empty;
pub mod field;
pub mod form;
pub mod guard;
pub mod header;
pub mod live_indicator;
pub mod org_form;
pub mod paged;
pub mod user_form;
