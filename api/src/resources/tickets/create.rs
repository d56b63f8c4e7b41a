//! Opening tickets through the API: client users from the portal for themselves, staff for a
//! client user (a logged phone call, an e-mail forwarded by hand, an integration).

use actix_web::{HttpResponse, post, web};
use diesel::prelude::*;
use shared::desk::Channel;
use shared::desk::ticket::{self, NewTicket, Ticket};
use shared::identity::OrgKind;

use crate::auth::Actor;
use crate::db::DbConn;
use crate::db::schema::users as u;
use crate::desk::intake::{self, Intake, Requester};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::etag;
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::policy;
use crate::resources::organizations::{self, OrgRow};
use crate::resources::tickets::{self, org_facts};
use crate::state::AppState;

/// The requester and their organisation, as the caller may name them.
fn requester(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewTicket,
) -> ApiResult<(Requester, OrgRow, Channel)> {
    let (user_id, channel) = if actor.role.is_client() {
        if new.channel.is_some_and(|c| c != Channel::Portal) {
            return Err(ApiError::field(
                "channel",
                "staff_only",
                "client users open tickets through the portal; leave it out",
            ));
        }
        if new
            .requester_id
            .as_ref()
            .is_some_and(|r| *r != actor.user_id)
        {
            return Err(ApiError::field(
                "requester_id",
                "staff_only",
                "client users open tickets for themselves; leave it out",
            ));
        }
        if !new.tags.is_empty() {
            return Err(ApiError::field(
                "tags",
                "staff_only",
                "only staff tag tickets; leave it out",
            ));
        }
        (actor.user_id.clone(), Channel::Portal)
    } else {
        let Some(id) = new.requester_id.clone() else {
            return Err(ApiError::field(
                "requester_id",
                "required",
                "is required: the client user the ticket is for",
            ));
        };
        let channel = new.channel.unwrap_or(Channel::Api);
        if matches!(channel, Channel::Portal | Channel::Chat) {
            return Err(ApiError::field(
                "channel",
                "one_of",
                "staff log tickets as phone, email or api; chat tickets come from a chat message",
            ));
        }
        (id, channel)
    };
    let user: Option<(String, String, String, bool)> = u::table
        .find(&user_id)
        .select((u::name, u::email, u::organization_id, u::active))
        .first(conn)
        .optional()?;
    let not_client = || {
        ApiError::field(
            "requester_id",
            "exists",
            "is not an active client user you can see",
        )
    };
    let (name, email, org_id, active) = user.ok_or_else(not_client)?;
    let org = organizations::find(conn, &org_id)?.ok_or_else(not_client)?;
    if !active || org.kind() != OrgKind::Client || !policy::can_see_org(actor, org_facts(&org)) {
        return Err(not_client());
    }
    Ok((
        Requester {
            id: Some(user_id),
            name,
            email,
        },
        org,
        channel,
    ))
}

#[utoipa::path(
    post, path = "/api/v1/tickets", operation_id = "createTicket", tag = "tickets",
    summary = "Open a ticket",
    description = "Client users open tickets for themselves (channel `portal`); staff (not sales) open them for a client user they can see, as `phone`, `email` or `api`. The desk routes the ticket by cluster, sets its priority from the product's urgency and the client's plan and spend (explained in `priority_reason`), starts its SLA clocks and assigns it; the ticket's history records each step and why. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewTicket,
    responses(
        (status = 201, description = "Opened", body = Ticket, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Sales do not open tickets", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/tickets")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewTicket>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    policy::open_ticket(&actor)?;
    ticket::validate_new(&new).map_err(ApiError::validation)?;
    let config = state.config.clone();
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &new, |conn| {
                let (requester, organization, channel) = requester(conn, &actor, &new)?;
                let staff_entry = actor.role.is_staff();
                let row = intake::open(
                    conn,
                    &config,
                    Intake {
                        subject: new.subject.clone(),
                        body: new.body.clone(),
                        cluster: new.cluster,
                        product_id: new.product_id.clone(),
                        channel,
                        requester,
                        organization: organization.clone(),
                        purchase_date: new.purchase_date,
                        tags: new.tags.clone(),
                        created_by: staff_entry.then(|| actor.user_id.clone()),
                        email_thread_id: None,
                    },
                )?;
                let ctx = tickets::context(&actor, row, organization)?;
                tickets::to_dto(conn, &ctx)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |t: &Ticket| Some(format!("/api/v1/tickets/{}", t.id)),
        |t: &Ticket| Some(etag(t.version)),
    ))
}
