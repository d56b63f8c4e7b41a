//! One module per page (route).

pub mod account;
pub mod admin_automation;
pub mod admin_departments;
pub mod admin_desk;
pub mod admin_invitations;
pub mod admin_jobs;
pub mod admin_organizations;
pub mod admin_users;
pub mod clients;
pub mod handoffs;
pub mod invite;
pub mod login;
pub mod my_project;
pub mod not_found;
pub mod project;
pub mod projects;
pub mod rate;
pub mod support;
pub mod templates;
pub mod ticket;
pub mod tickets;
