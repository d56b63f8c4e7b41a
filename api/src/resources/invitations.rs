//! Invitations: an admin invites a person by e-mail; the single-use link expires; accepting
//! it sets a password, creates the user and signs them in.

use actix_web::{HttpResponse, get, post, web};
use chrono::Duration;
use diesel::prelude::*;
use shared::auth::TokenResponse;
use shared::identity::{AcceptInvitation, Invitation, NewInvitation, NewUser};
use shared::page::{Page, PageQuery};
use shared::validate::normalize_email;
use shared::{ErrorCode, Role};

use crate::auth::{Actor, password, sessions};
use crate::db::schema::{invitations as i, organizations as o};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::mail::{self, Mail};
use crate::policy;
use crate::resources::auth::open_session;
use crate::resources::users;
use crate::state::AppState;

type Row = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    chrono::NaiveDateTime,
    String,
);
/// What accepting reads: id, email, name, role, organization, expiry, acceptance.
type AcceptRow = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

fn select_row() -> (
    i::id,
    i::email,
    i::name,
    i::role,
    i::organization_id,
    i::expires_at,
    i::accepted_at,
    i::created_at,
    o::name,
) {
    (
        i::id,
        i::email,
        i::name,
        i::role,
        i::organization_id,
        i::expires_at,
        i::accepted_at,
        i::created_at,
        o::name,
    )
}

fn to_dto(r: Row) -> Invitation {
    let (
        id,
        email,
        name,
        role,
        organization_id,
        expires_at,
        accepted_at,
        created_at,
        organization_name,
    ) = r;
    let status = if accepted_at.is_some() {
        "accepted"
    } else if expires_at <= now() {
        "expired"
    } else {
        "pending"
    };
    Invitation {
        id,
        email,
        name,
        role: Role::parse(&role).unwrap_or(Role::ClientMember),
        organization_id,
        organization_name,
        status: status.into(),
        expires_at: to_utc(expires_at),
        created_at: to_utc(created_at),
    }
}

#[utoipa::path(
    get, path = "/api/v1/invitations", operation_id = "listInvitations", tag = "invitations",
    summary = "List invitations", description = "Admins only; newest last.",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of invitations", body = Page<Invitation>),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/invitations")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    policy::manage_invitations(&actor)?;
    let page = PageRequest::from_query(&query)?;
    let result = state
        .db
        .run(move |conn| {
            let mut q = i::table
                .inner_join(o::table)
                .select(select_row())
                .order(i::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                q = q.filter(i::id.gt(after.clone()));
            }
            let rows: Vec<Row> = q.load(conn)?;
            page.page(
                rows,
                |r| &r.0,
                |rows| Ok(rows.into_iter().map(to_dto).collect()),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

fn insert(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    new: &NewInvitation,
) -> ApiResult<Invitation> {
    let role = new
        .role
        .ok_or_else(|| ApiError::field("role", "required", "is required"))?;
    let organization_id = users::resolve_org(conn, role, new.organization_id.as_deref())?;
    let email = normalize_email(&new.email);
    if users::find_by_email(conn, &email)?.is_some() {
        return Err(ApiError::field(
            "email",
            "unique",
            "already belongs to a user",
        ));
    }
    let token = sessions::new_secret("inv_");
    let id = new_id();
    let at = now();
    let expires_at = at + Duration::hours(state.config.invitation_ttl_hours);
    diesel::insert_into(i::table)
        .values((
            i::id.eq(&id),
            i::email.eq(&email),
            i::name.eq(new.name.trim()),
            i::role.eq(role.as_str()),
            i::organization_id.eq(&organization_id),
            i::token_hash.eq(sessions::hash_secret(&token)),
            i::invited_by.eq(&actor.user_id),
            i::expires_at.eq(expires_at),
            i::created_at.eq(at),
        ))
        .execute(conn)?;
    let row: Row = i::table
        .inner_join(o::table)
        .filter(i::id.eq(&id))
        .select(select_row())
        .first(conn)?;
    let invitation = to_dto(row);
    let link = format!(
        "{}/invite/{}",
        state.config.public_url.trim_end_matches('/'),
        token
    );
    let text = format!(
        "Hello {name},\n\nyou are invited to Tandem as {role} of {org}.\nSet your password here (the link works once and until {exp} UTC):\n\n{link}\n",
        name = invitation.name,
        role = role.label(),
        org = invitation.organization_name,
        exp = expires_at.format("%Y-%m-%d %H:%M"),
    );
    mail::queue(
        conn,
        &state.config,
        &Mail {
            to: email,
            subject: format!(
                "Your invitation to Tandem — {}",
                invitation.organization_name
            ),
            text,
        },
    )?;
    Ok(invitation)
}

#[utoipa::path(
    post, path = "/api/v1/invitations", operation_id = "createInvitation", tag = "invitations",
    summary = "Invite a person by e-mail",
    description = "Admins only. Sends an e-mail with a single-use link that expires (72 hours by default).",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewInvitation,
    responses(
        (status = 201, description = "Invitation created and e-mail queued", body = Invitation),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/invitations")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewInvitation>,
) -> ApiResult<HttpResponse> {
    policy::manage_invitations(&actor)?;
    let new = body.into_inner();
    shared::validate::new_invitation(&new).map_err(ApiError::validation)?;
    let st = state.get_ref().clone();
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &new, |conn| {
                insert(conn, &st, &actor, &new)
            })
        })
        .await?;
    Ok(idempotency::respond(created, |_| None, |_| None))
}

#[utoipa::path(
    post, path = "/api/v1/invitations/accept", operation_id = "acceptInvitation", tag = "invitations",
    summary = "Accept an invitation: set a password and sign in",
    description = "Needs no authentication: the token from the e-mailed link is the proof. It works once and until it expires.",
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "The new user, signed in", body = TokenResponse),
        (status = 410, description = "The link is unknown, used or expired", body = shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    body: web::Json<AcceptInvitation>,
) -> ApiResult<HttpResponse> {
    let AcceptInvitation {
        token,
        password: chosen,
    } = body.into_inner();
    let mut rules = shared::validate::Errors::default();
    rules.password("password", &chosen);
    rules.into_result().map_err(ApiError::validation)?;
    let hash = password::off_thread(move || password::hash(&chosen)).await??;
    let st = state.get_ref().clone();
    let tokens = state
        .db
        .tx(move |conn| {
            let gone = || {
                ApiError::new(
                    ErrorCode::InvitationInvalid,
                    "this invitation link is unknown, already used or expired; ask for a new one",
                )
            };
            let found: Option<AcceptRow> = i::table
                .filter(i::token_hash.eq(sessions::hash_secret(&token)))
                .select((
                    i::id,
                    i::email,
                    i::name,
                    i::role,
                    i::organization_id,
                    i::expires_at,
                    i::accepted_at,
                ))
                .first(conn)
                .optional()?;
            let Some((id, email, name, role, organization_id, expires_at, accepted_at)) = found
            else {
                return Err(gone());
            };
            if accepted_at.is_some() || expires_at <= now() {
                return Err(gone());
            }
            let role = Role::parse(&role)
                .ok_or_else(|| ApiError::internal("invitation with unknown role"))?;
            let new = NewUser {
                email,
                name,
                role: Some(role),
                organization_id: Some(organization_id),
                ..Default::default()
            };
            let user = users::insert(conn, &new, Some(hash))?;
            diesel::update(i::table.find(&id))
                .set(i::accepted_at.eq(now()))
                .execute(conn)?;
            open_session(conn, &st, &user.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(tokens))
}
