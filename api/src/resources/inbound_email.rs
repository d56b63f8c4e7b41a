//! Inbound e-mail: a mail service posts each received message here.
//! A reply — found by `In-Reply-To`/`References`, or by the `[#1042]` tag Tandem puts in its
//! subjects — lands in its ticket; a new message from a known client user opens a ticket; an
//! unknown sender gets an answer explaining how to reach support, and nothing is stored. The
//! mail service authenticates with the shared secret `inbound_email_secret`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use shared::desk::inbound::{self, InboundAction, InboundEmail, InboundOutcome};
use shared::desk::ticket::NewTicketMessage;
use shared::desk::{Channel, Cluster, MessageKind};
use shared::{ErrorCode, Role};

use crate::auth::Actor;
use crate::config::Config;
use crate::db::DbConn;
use crate::db::schema::tickets as t;
use crate::desk::intake::{self, Intake, Requester};
use crate::error::{ApiError, ApiResult};
use crate::mail::{self, Mail};
use crate::resources::organizations;
use crate::resources::tickets::{self, messages};
use crate::resources::users::{self, UserRow};
use crate::state::AppState;

pub const SECRET_HEADER: &str = "X-Tandem-Inbound-Secret";

fn authorise(config: &Config, req: &HttpRequest) -> ApiResult<()> {
    if config.inbound_email_secret.is_empty() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "inbound e-mail is not enabled on this server (set inbound_email_secret)",
        ));
    }
    let given = req
        .headers()
        .get(SECRET_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Compare digests so the comparison takes the same time whatever the guess.
    if Sha256::digest(given.as_bytes()) == Sha256::digest(config.inbound_email_secret.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::unauthenticated(format!(
            "the {SECRET_HEADER} header does not carry the inbound e-mail secret"
        )))
    }
}

fn actor_of(user: &UserRow) -> Actor {
    Actor {
        user_id: user.id.clone(),
        session_id: String::new(),
        role: user.role(),
        organization_id: user.organization_id.clone(),
    }
}

/// The ticket this message answers, if the sender may write on it.
fn thread(
    conn: &mut DbConn,
    mail: &InboundEmail,
    actor: &Actor,
) -> ApiResult<Option<tickets::TicketCtx>> {
    let mut refs: Vec<String> = mail.references.clone();
    refs.extend(mail.in_reply_to.clone());
    let mut id: Option<String> = if refs.is_empty() {
        None
    } else {
        t::table
            .filter(t::email_thread_id.eq_any(&refs))
            .select(t::id)
            .first(conn)
            .optional()?
    };
    if id.is_none()
        && let Some(number) = inbound::ticket_number(&mail.subject)
    {
        id = t::table
            .filter(t::number.eq(number))
            .select(t::id)
            .first(conn)
            .optional()?;
    }
    match id {
        Some(id) => Ok(tickets::access(conn, actor, &id).ok()),
        None => Ok(None),
    }
}

fn handle(conn: &mut DbConn, config: &Config, mail: InboundEmail) -> ApiResult<InboundOutcome> {
    let address = inbound::sender_address(&mail.from);
    let user = users::find_by_email(conn, &address)?.filter(|u| u.active);
    // Sales do not work tickets; their mail is treated like a stranger's.
    let Some(user) = user.filter(|u| u.role() != Role::Sales) else {
        if !inbound::is_automatic(&address) && address.contains('@') {
            mail::queue(
                conn,
                config,
                &Mail {
                    to: address.clone(),
                    subject: format!("Re: {}", mail.subject),
                    text: format!(
                        "Hello,\n\nwe could not match {address} to a client account, so your message was not filed. Please write from the address you sign in with, open a ticket in the support portal at {}/support, or ask your company's administrator to invite you.\n",
                        config.public_url
                    ),
                },
            )?;
        }
        return Ok(InboundOutcome {
            action: InboundAction::Rejected,
            ticket_id: None,
            number: None,
            detail: format!(
                "{address} is not an active user; the sender was told how to reach support"
            ),
        });
    };
    let actor = actor_of(&user);
    if let Some(mut ctx) = thread(conn, &mail, &actor)? {
        let message = NewTicketMessage {
            kind: MessageKind::Reply,
            body: mail.text.clone(),
            status: None,
        };
        messages::add(
            conn,
            config,
            &actor,
            &mut ctx,
            &message,
            Some(Channel::Email),
        )?;
        return Ok(InboundOutcome {
            action: InboundAction::Replied,
            ticket_id: Some(ctx.ticket.id.clone()),
            number: Some(ctx.ticket.number),
            detail: format!(
                "Added {}'s reply to ticket #{}",
                user.name, ctx.ticket.number
            ),
        });
    }
    if !user.role().is_client() {
        return Ok(InboundOutcome {
            action: InboundAction::Rejected,
            ticket_id: None,
            number: None,
            detail: format!("{address} is staff and the message answers no ticket they can see"),
        });
    }
    let organization = organizations::find(conn, &user.organization_id)?
        .ok_or_else(|| ApiError::internal("the sender's organisation vanished"))?;
    let subject = if mail.subject.trim().is_empty() {
        "(no subject)".to_string()
    } else {
        mail.subject.clone()
    };
    let row = intake::open(
        conn,
        config,
        Intake {
            subject: subject
                .chars()
                .take(shared::desk::ticket::SUBJECT_MAX)
                .collect(),
            body: if mail.text.trim().is_empty() {
                "(empty message)".into()
            } else {
                mail.text.clone()
            },
            cluster: Cluster::UsageHelp,
            product_id: None,
            channel: Channel::Email,
            requester: Requester {
                id: Some(user.id.clone()),
                name: user.name.clone(),
                email: user.email.clone(),
            },
            organization,
            purchase_date: None,
            tags: Vec::new(),
            created_by: None,
            email_thread_id: mail.message_id.clone(),
        },
    )?;
    mail::queue(
        conn,
        config,
        &Mail {
            to: user.email.clone(),
            subject: format!("[#{}] {}", row.number, row.subject),
            text: format!(
                "Hello {},\n\nwe received your request and opened ticket #{}. Reply to this e-mail to add to it, or follow it at {}/tickets/{}.\n",
                user.name, row.number, config.public_url, row.id
            ),
        },
    )?;
    Ok(InboundOutcome {
        action: InboundAction::Created,
        ticket_id: Some(row.id.clone()),
        number: Some(row.number),
        detail: format!("Opened ticket #{} for {}", row.number, user.name),
    })
}

#[utoipa::path(
    post, path = "/api/v1/inbound/email", operation_id = "receiveInboundEmail", tag = "tickets",
    summary = "Receive an e-mail (for mail services)",
    description = "A mail service posts each received message, authenticated by the `X-Tandem-Inbound-Secret` header (the server's `inbound_email_secret`; without one configured the endpoint answers 404). A reply — matched by `In-Reply-To`/`References` or by the `[#number]` tag in the subject — is added to its ticket when the sender may write on it; a new message from an active client user opens a ticket (channel `email`, cluster `usage_help`, acknowledged by e-mail); anyone else is answered with how to reach support and nothing is stored.",
    params(("X-Tandem-Inbound-Secret" = String, Header, description = "The inbound e-mail secret")),
    request_body = InboundEmail,
    responses(
        (status = 200, description = "What was done with the message", body = InboundOutcome),
        (status = 401, description = "Missing or wrong secret", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Inbound e-mail is not configured on this server (no `inbound_email_secret`)", body = shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/inbound/email")]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<InboundEmail>,
) -> ApiResult<HttpResponse> {
    let config = state.config.clone();
    authorise(&config, &req)?;
    let mail = body.into_inner();
    let outcome = state.db.tx(move |conn| handle(conn, &config, mail)).await?;
    Ok(HttpResponse::Ok().json(outcome))
}
