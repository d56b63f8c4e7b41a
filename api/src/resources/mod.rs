//! One module per resource; each handler is thin: extract → policy → domain rules → db → DTO.

pub mod activities;
pub mod agenda;
pub mod appointments;
pub mod auth;
pub mod board;
pub mod calendar;
pub mod canned_replies;
pub mod chat;
pub mod departments;
pub mod desk_config;
pub mod events;
pub mod handoffs;
pub mod health;
pub mod inbound_email;
pub mod invitations;
pub mod jobs;
pub mod me;
pub mod notifications;
pub mod organizations;
pub mod products;
pub mod projects;
pub mod ratings;
pub mod refund_requests;
pub mod templates;
pub mod tickets;
pub mod users;
pub mod ws;

use actix_web::HttpResponse;
use serde::Serialize;

use crate::http::etag::etag;

/// 200 with the resource and its ETag.
pub fn ok_with_etag<T: Serialize>(value: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(version)))
        .json(value)
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// `%text%` for a case-insensitive LIKE, with LIKE's wildcards in the text taken literally.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
