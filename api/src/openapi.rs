//! The OpenAPI document, assembled from the handlers' annotations. `openapi.yaml` at the
//! repository root is this document; a test fails when they drift.

use actix_web::HttpResponse;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::resources::canned_replies::{crud as canned_replies, render as canned_render};
use crate::resources::desk_config::automation_rules;
use crate::resources::desk_config::{
    calendars as desk_calendars, policies as desk_policies, priority_rules, routes as desk_routes,
};
use crate::resources::tickets::{
    attachments as ticket_attachments, create as ticket_create, from_chat as ticket_from_chat,
    list as ticket_list, messages as ticket_messages, update as ticket_update,
};
use crate::resources::{
    activities, auth, departments, events, health, invitations, jobs, me, notifications,
    organizations, projects, templates, users, ws,
};
use crate::resources::{agenda, appointments, calendar};
use crate::resources::{board, chat, inbound_email, products};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem API",
        description = "Customer Success and support platform. Every error is `application/problem+json` with a stable `code`. Lists are cursor-paged (`limit`, `cursor` → `next_cursor`). Mutable resources carry an `ETag`; send it back as `If-Match` to avoid lost updates (412). Creating POSTs honour `Idempotency-Key`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
        contact(name = "Tandem", url = "https://tandem.dev")
    ),
    servers((url = "/", description = "This server")),
    paths(
        health::health,
        auth::login, auth::refresh, auth::logout, auth::change_password, me::me, me::update,
        organizations::list, organizations::create, organizations::get, organizations::update,
        users::list, users::create, users::get, users::update,
        departments::list, departments::create, departments::update,
        invitations::list, invitations::create, invitations::accept,
        jobs::list, jobs::retry,
        events::list, ws::connect,
        templates::list, templates::create, templates::get, templates::replace,
        projects::list, projects::create, projects::get,
        activities::list, activities::create, activities::get_one, activities::update, activities::transition,
        activities::history,
        notifications::list, notifications::mark_read, notifications::mark_all_read,
        notifications::get_preferences, notifications::set_preferences,
        chat::list, chat::create, chat::mark_read,
        board::list, board::create, board::get, board::edit, board::pin, board::unpin,
        board::list_comments, board::create_comment,
        appointments::create, appointments::get, appointments::update, appointments::remove,
        agenda::get, calendar::mine, calendar::regenerate, calendar::feed_ics,
        products::list, products::create, inbound_email::receive,
        desk_calendars::list, desk_calendars::create, desk_calendars::get, desk_calendars::replace,
        desk_calendars::remove, desk_policies::list, desk_policies::create, desk_policies::get,
        desk_policies::replace, desk_policies::remove, desk_routes::list, desk_routes::set,
        priority_rules::show, priority_rules::replace,
        automation_rules::list, automation_rules::create, automation_rules::get,
        automation_rules::update, automation_rules::remove,
        canned_replies::list, canned_replies::create, canned_replies::get, canned_replies::update,
        canned_replies::remove, canned_render::rendered,
        ticket_attachments::upload, ticket_attachments::list, ticket_attachments::download,
        ticket_attachments::limits,
        ticket_list::list, ticket_create::create, ticket_from_chat::create, ticket_update::show, ticket_update::update,
        ticket_update::history, ticket_messages::list, ticket_messages::create,
        crate::resources::ratings::rate, crate::resources::ratings::lookup, crate::resources::ratings::rate_by_link,
        crate::resources::desk_config::refund_policy::show, crate::resources::desk_config::refund_policy::replace,
        crate::resources::desk_config::repeat_rule::show, crate::resources::desk_config::repeat_rule::replace,
        crate::resources::refund_requests::list, crate::resources::refund_requests::for_ticket,
        crate::resources::refund_requests::decide,
        crate::resources::handoffs::crud::list, crate::resources::handoffs::crud::create,
        crate::resources::handoffs::crud::get, crate::resources::handoffs::crud::update,
    ),
    components(schemas(shared::Problem, shared::events::WsMessage, ticket_list::Queue)),
    modifiers(&Conventions),
    tags(
        (name = "system", description = "Health and metadata"),
        (name = "auth", description = "Sign-in, tokens, sessions"),
        (name = "organizations", description = "The vendor and its client organisations"),
        (name = "users", description = "Staff and client users"),
        (name = "departments", description = "Vendor departments (support routing)"),
        (name = "invitations", description = "E-mailed, single-use invitations"),
        (name = "admin", description = "Operations for administrators"),
        (name = "realtime", description = "Live events and catching up"),
        (name = "activities", description = "The shared checklist of a project: items, ticks, history"),
        (name = "notifications", description = "Your notifications and how you receive them"),
        (name = "projects", description = "Client projects and their templates (CSM dashboard, client home)"),
        (name = "chat", description = "The CSM chat of a project: messages, live delivery, read markers"),
        (name = "board", description = "The board of a project: Markdown notes, pins and comments"),
        (name = "agenda", description = "Appointments, a project's agenda, and private calendar feeds (iCalendar)"),
        (name = "tickets", description = "The support desk: tickets, their thread and history, queues"),
        (name = "handoffs", description = "Handoffs between roles (support → CSM on a repeated problem, CSM → account manager, sales → CSM): owner, status, due date; vendor staff only"),
        (name = "desk", description = "Configuring the support desk: business-hours calendars, SLA policies, cluster routing, priority rules and automation rules (staff read, administrators change); canned replies (staff read, support agents and administrators write)"),
    )
)]
pub struct ApiDoc;

/// Adds what every operation shares instead of repeating it on each: the bearer scheme,
/// and the error answers that follow from an operation's shape.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from `login`"))
                    .build(),
            ),
        );
        for (name, description) in [
            (
                "Unauthenticated",
                "No valid access token (code `unauthenticated`)",
            ),
            (
                "NotFound",
                "Not found, or not visible to you (code `not_found`)",
            ),
            (
                "Invalid",
                "Invalid body or parameters; `errors` names each field and rule",
            ),
            (
                "TooLarge",
                "Body larger than accepted (code `payload_too_large`)",
            ),
            (
                "KeyReused",
                "This `Idempotency-Key` was used before with a different request (code `idempotency_key_reused`)",
            ),
            (
                "Stale",
                "`If-Match` names an older version: someone changed it first (code `precondition_failed`)",
            ),
            (
                "Internal",
                "Unexpected error (code `internal`); nothing was changed",
            ),
            (
                "Unavailable",
                "Database unreachable (code `service_unavailable`); retry after `Retry-After`",
            ),
        ] {
            let response = ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build();
            components
                .responses
                .insert(name.to_string(), RefOr::T(response));
        }
        for (path, item) in api.paths.paths.iter_mut() {
            let max_limit = if path.starts_with("/api/v1/events") {
                500
            } else {
                i64::from(shared::page::MAX_LIMIT)
            };
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for param in op.parameters.iter_mut().flatten() {
                    if let RefOr::T(param) = param {
                        declare_parameter(param, max_limit);
                    }
                }
                let idempotent = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == "Idempotency-Key"));
                if idempotent {
                    op.responses
                        .responses
                        .entry("409".into())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::new("#/components/responses/KeyReused"))
                        });
                }
            }
            let has_id = path.contains('{');
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_errors(op, has_id);
            }
            // Every PATCH honours If-Match.
            if let Some(op) = &mut item.patch {
                add_errors(op, has_id);
                op.responses
                    .responses
                    .entry("412".into())
                    .or_insert_with(|| RefOr::Ref(Ref::new("#/components/responses/Stale")));
            }
        }
    }
}

/// What the server checks of the parameters every list or write shares, declared so that
/// generated clients and testers keep to it; and no optional header or query parameter is
/// `null` (absent is absent: `[string, "null"]` made generated clients send it empty).
fn declare_parameter(param: &mut Parameter, max_limit: i64) {
    let Some(RefOr::T(Schema::Object(schema))) = &mut param.schema else {
        return;
    };
    if param.parameter_in != ParameterIn::Path
        && let SchemaType::Array(types) = &schema.schema_type
        && let Some(t) = types.iter().find(|t| **t != Type::Null).cloned()
    {
        schema.schema_type = SchemaType::Type(t);
    }
    match (&param.parameter_in, param.name.as_str()) {
        (ParameterIn::Query, "limit") => {
            schema.minimum = Some(1.into());
            schema.maximum = Some(max_limit.into());
        }
        (ParameterIn::Query, "cursor") | (ParameterIn::Header, "If-Match") => {
            schema.min_length = Some(1);
        }
        (ParameterIn::Header, "Idempotency-Key") => {
            schema.min_length = Some(1);
            schema.max_length = Some(crate::http::idempotency::MAX_KEY_LEN);
            schema.pattern = Some(crate::http::idempotency::KEY_PATTERN.to_string());
        }
        _ => {}
    }
}

fn add_errors(op: &mut Operation, has_id: bool) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_input =
        op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut add = |status: &str, name: &str| {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
    };
    if secured {
        add("401", "Unauthenticated");
    }
    if has_id {
        add("404", "NotFound");
    }
    if has_input {
        add("422", "Invalid");
    }
    if op.request_body.is_some() {
        add("413", "TooLarge");
    }
    add("500", "Internal");
    add("503", "Unavailable");
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The methods the document gives the path (`/api/v1/tickets/0190…`), or `None` when no
/// path of the document matches it. Read from the document, so it never disagrees with it.
pub fn methods_at(path: &str) -> Option<Vec<&'static str>> {
    static TABLE: std::sync::OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        document()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, has)| has.then_some(m))
                .collect();
                (template.split('/').map(str::to_string).collect(), methods)
            })
            .collect()
    });
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    table
        .iter()
        .find(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| match t.split_once('}') {
                        // `{id}` takes any segment; `{token}.ics` any ending in `.ics`.
                        Some((_, rest)) if t.starts_with('{') => !s.is_empty() && s.ends_with(rest),
                        _ => t == s,
                    })
        })
        .map(|(_, methods)| methods.clone())
}

pub fn yaml_text() -> Result<String, String> {
    let text = document().to_yaml().map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .map(quote_yaml11_scalar)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n")
}

/// Quotes a plain scalar that a YAML 1.1 reader (PyYAML, many generators) would not read as
/// the string it is: `17:00` is a number there (sexagesimal), `2026-11-30` a date. The
/// emitter follows YAML 1.2 and leaves them bare.
fn quote_yaml11_scalar(line: &str) -> String {
    let (head, value) = match line.rsplit_once(": ") {
        Some((head, value)) => (format!("{head}: "), value),
        None => match line.trim_start().strip_prefix("- ") {
            Some(value) => (line[..line.len() - value.len()].to_string(), value),
            None => return line.to_string(),
        },
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let time = value
        .split_once(':')
        .is_some_and(|(h, m)| digits(h) && m.len() == 2 && digits(m));
    let date = value.len() >= 10
        && value.as_bytes()[4] == b'-'
        && value.as_bytes()[7] == b'-'
        && digits(&value[..4])
        && digits(&value[5..7])
        && digits(&value[8..10])
        && (value.len() == 10 || value.as_bytes()[10] == b'T');
    if time || date {
        format!("{head}'{value}'")
    } else {
        line.to_string()
    }
}

pub async fn json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

pub async fn yaml() -> HttpResponse {
    match yaml_text() {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/yaml")
            .body(text),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::internal(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::quote_yaml11_scalar as q;

    #[test]
    fn scalars_a_yaml_1_1_reader_would_misread_are_quoted() {
        assert_eq!(q("          - end: 17:00"), "          - end: '17:00'");
        assert_eq!(q("        - 2026-12-25"), "        - '2026-12-25'");
        assert_eq!(
            q("        due_at: 2026-12-01T09:00:00Z"),
            "        due_at: '2026-12-01T09:00:00Z'"
        );
        for same in [
            "        name: Rome office hours",
            "        minimum: 1",
            "        - end",
            "        description: 'Repeat-safe key: a repeat returns the first answer'",
            "        version: 0.1.0",
        ] {
            assert_eq!(q(same), same);
        }
    }
}
