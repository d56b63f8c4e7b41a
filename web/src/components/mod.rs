//! Pieces the pages are built from.

pub mod availability;
pub mod bell;
pub mod calendar_feed;
pub mod canned_picker;
pub mod choices;
pub mod desk_badges;
pub mod edit_panel;
pub mod empty;
pub mod field;
pub mod form;
pub mod guard;
pub mod handoff_list;
pub mod header;
pub mod live_indicator;
pub mod new_project;
pub mod notification_prefs;
pub mod org_form;
pub mod paged;
pub mod progress;
pub mod rating_picker;
pub mod search_box;
pub mod template_editor;
pub mod ticket_new_form;
pub mod ticket_row;
pub mod user_form;
