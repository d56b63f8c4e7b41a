//! The one route table.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::resources::canned_replies::{crud as canned_replies, render as canned_render};
use crate::resources::desk_config::automation_rules;
use crate::resources::desk_config::{
    calendars as desk_calendars, policies as desk_policies, priority_rules, routes as desk_routes,
};
use crate::resources::desk_config::{refund_policy, repeat_rule};
use crate::resources::handoffs::crud as handoffs;
use crate::resources::refund_requests;
use crate::resources::tickets::{
    attachments as ticket_attachments, create as ticket_create, from_chat as ticket_from_chat,
    list as ticket_list, messages as ticket_messages, update as ticket_update,
};
use crate::resources::{
    activities, auth, departments, events, health, invitations, jobs, me, notifications,
    organizations, projects, templates, users, ws,
};
use crate::resources::{agenda, appointments, calendar};
use crate::resources::{board, chat, inbound_email, products, ratings};

/// Everything under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(health::health)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::change_password)
        .service(me::me)
        .service(me::update)
        .service(organizations::list)
        .service(organizations::create)
        .service(organizations::get)
        .service(organizations::update)
        .service(users::list)
        .service(users::create)
        .service(users::get)
        .service(users::update)
        .service(departments::list)
        .service(departments::create)
        .service(departments::update)
        .service(invitations::list)
        .service(invitations::create)
        .service(invitations::accept)
        .service(jobs::list)
        .service(jobs::retry)
        .service(events::list)
        .service(ws::connect)
        // The client project.
        .service(templates::list)
        .service(templates::create)
        .service(templates::get)
        .service(templates::replace)
        .service(projects::list)
        .service(projects::create)
        .service(projects::get)
        .service(activities::list)
        .service(activities::create)
        .service(activities::get_one)
        .service(activities::update)
        .service(activities::transition)
        .service(activities::history)
        // read-all before {id}/read: actix matches routes in registration order.
        .service(notifications::mark_all_read)
        .service(notifications::list)
        .service(notifications::mark_read)
        .service(notifications::get_preferences)
        .service(notifications::set_preferences)
        // CSM chat and board.
        .service(chat::list)
        .service(chat::create)
        .service(chat::mark_read)
        .service(board::list)
        .service(board::create)
        .service(board::get)
        .service(board::edit)
        .service(board::pin)
        .service(board::unpin)
        .service(board::list_comments)
        .service(board::create_comment)
        // Agenda and calendar feeds.
        .service(appointments::create)
        .service(appointments::get)
        .service(appointments::update)
        .service(appointments::remove)
        .service(agenda::get)
        .service(calendar::mine)
        .service(calendar::regenerate)
        .service(calendar::feed_ics)
        // The support desk.
        .service(inbound_email::receive)
        .service(products::list)
        .service(products::create)
        // Configuring the desk: calendars, SLA policies, routes, priority rules.
        .service(desk_calendars::list)
        .service(desk_calendars::create)
        .service(desk_calendars::get)
        .service(desk_calendars::replace)
        .service(desk_calendars::remove)
        .service(desk_policies::list)
        .service(desk_policies::create)
        .service(desk_policies::get)
        .service(desk_policies::replace)
        .service(desk_policies::remove)
        .service(desk_routes::list)
        .service(desk_routes::set)
        .service(priority_rules::show)
        .service(priority_rules::replace)
        // Automation rules and canned replies.
        .service(automation_rules::list)
        .service(automation_rules::create)
        .service(automation_rules::get)
        .service(automation_rules::update)
        .service(automation_rules::remove)
        .service(canned_replies::list)
        .service(canned_replies::create)
        .service(canned_replies::get)
        .service(canned_replies::update)
        .service(canned_replies::remove)
        .service(canned_render::rendered)
        .service(ticket_list::list)
        .service(ticket_create::create)
        .service(ticket_attachments::upload)
        .service(ticket_attachments::list)
        .service(ticket_attachments::download)
        .service(ticket_attachments::limits)
        .service(ticket_from_chat::create)
        .service(ticket_update::show)
        .service(ticket_update::update)
        .service(ticket_update::history)
        .service(ticket_messages::list)
        .service(ticket_messages::create)
        .service(ratings::rate)
        .service(ratings::lookup)
        .service(ratings::rate_by_link)
        // Refunds and handoffs.
        .service(refund_policy::show)
        .service(refund_policy::replace)
        .service(repeat_rule::show)
        .service(repeat_rule::replace)
        .service(refund_requests::list)
        .service(refund_requests::for_ticket)
        .service(refund_requests::decide)
        .service(handoffs::list)
        .service(handoffs::create)
        .service(handoffs::get)
        .service(handoffs::update)
        .route("/openapi.json", web::get().to(crate::openapi::json))
        .route("/openapi.yaml", web::get().to(crate::openapi::yaml));
}

/// Unknown API paths answer problem+json, never the web app; a known path asked with a
/// method it does not have answers 405 with `Allow`.
pub async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(allowed) = crate::openapi::methods_at(req.path()) {
        let allow = allowed.join(", ");
        use actix_web::ResponseError as _;
        let mut res = ApiError::new(
            shared::ErrorCode::MethodNotAllowed,
            format!(
                "{} {} is not an operation; this path takes {allow}",
                req.method(),
                req.path()
            ),
        )
        .error_response();
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
            res.headers_mut()
                .insert(actix_web::http::header::ALLOW, value);
        }
        return Ok(res);
    }
    Err(ApiError::new(
        shared::ErrorCode::NotFound,
        format!("no API operation at {} {}", req.method(), req.path()),
    ))
}
