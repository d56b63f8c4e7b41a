//! The Tandem server as a library, so tests start the very same server the binary runs.

pub mod auth;
pub mod config;
pub mod coverage;
pub mod db;
pub mod demo;
pub mod demo_story;
pub mod desk;
pub mod error;
pub mod http;
pub mod ics;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod notify;
pub mod openapi;
pub mod policy;
pub mod realtime;
pub mod reminders;
pub mod resources;
pub mod routes;
pub mod seed;
pub mod seed_desk;
pub mod server;
pub mod setup;
pub mod spa;
pub mod state;

pub use config::Config;
pub use server::{Running, prepare, start};
pub use state::AppState;
