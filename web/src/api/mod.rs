//! The typed API client: one function per endpoint, each answering `Result<T, Problem>`.
//! Tokens, refresh and error decoding live in [`client`] and nowhere else.

pub mod activities;
pub mod agenda;
pub mod attachments;
pub mod auth;
pub mod board;
pub mod canned;
pub mod chat;
pub mod client;
pub mod departments;
pub mod desk_config;
pub mod events;
pub mod handoffs;
pub mod invitations;
pub mod jobs;
pub mod notifications;
pub mod organizations;
pub mod products;
pub mod projects;
pub mod ratings;
pub mod templates;
pub mod tickets;
pub mod users;

pub use client::Versioned;
