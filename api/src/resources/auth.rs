//! Sign-in, token refresh, sign-out and password change.

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use shared::ErrorCode;
use shared::auth::{ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse};
use shared::validate::normalize_email;

use crate::auth::sessions::Rotation;
use crate::auth::{Actor, password, sessions};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::resources::users;
use crate::state::AppState;

/// Opens a session for the user and answers with a token pair. Shared by login, refresh
/// and accepting an invitation.
pub fn open_session(
    conn: &mut DbConn,
    state: &AppState,
    user_id: &str,
) -> ApiResult<TokenResponse> {
    let (sid, refresh_token) =
        sessions::create(conn, user_id, state.config.refresh_token_ttl_days)?;
    token_response(conn, state, user_id, &sid, refresh_token)
}

fn token_response(
    conn: &mut DbConn,
    state: &AppState,
    user_id: &str,
    sid: &str,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let row = users::find(conn, user_id)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidRefreshToken,
            "the account no longer exists",
        )
    })?;
    if !row.active {
        return Err(ApiError::new(
            ErrorCode::InvalidRefreshToken,
            "the account is deactivated",
        ));
    }
    let user = users::to_dto(conn, row)?;
    Ok(TokenResponse {
        access_token: state.keys.issue(user_id, sid)?,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: state.keys.ttl_secs,
        user,
    })
}

fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[utoipa::path(
    post, path = "/api/v1/auth/login", operation_id = "login", tag = "auth",
    summary = "Sign in with e-mail and password",
    description = "Returns a short-lived access token and a refresh token. Repeated failures are throttled per account and per client address (429 with `Retry-After`).",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password", body = shared::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = shared::Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest {
        email,
        password: given,
    } = body.into_inner();
    let email = normalize_email(&email);
    let ip = client_ip(&req);
    // Counted before the (slow) password check, so concurrent guesses cannot all get in.
    state
        .throttle
        .reserve(&email, &ip)
        .map_err(ApiError::rate_limited)?;
    let lookup = email.clone();
    let row = state
        .db
        .run(move |conn| users::find_by_email(conn, &lookup))
        .await?;
    let hash = row
        .as_ref()
        .filter(|r| r.active)
        .and_then(|r| r.password_hash.clone());
    let ok = password::off_thread(move || match hash {
        Some(h) => password::verify(&given, &h),
        None => {
            password::verify_dummy(&given);
            false
        }
    })
    .await?;
    let (true, Some(row)) = (ok, row) else {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "the e-mail or the password is wrong",
        ));
    };
    state.throttle.success(&email);
    let st = state.clone();
    let tokens = state
        .db
        .tx(move |conn| open_session(conn, &st, &row.id))
        .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

#[utoipa::path(
    post, path = "/api/v1/auth/refresh", operation_id = "refreshToken", tag = "auth",
    summary = "Exchange a refresh token for a new token pair",
    description = "Each refresh token works once: the answer carries its replacement. Presenting a token that was already exchanged ends its session (the replacement stops working too), since someone else holds a copy.",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, used, expired or revoked refresh token (a used one also ends its session)", body = shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token = body.into_inner().refresh_token;
    let st = state.clone();
    let ttl = state.config.refresh_token_ttl_days;
    // Ok(Err(user)) commits a replay's revocation before the refusal is answered.
    let outcome = state
        .db
        .tx(move |conn| match sessions::rotate(conn, &token, ttl)? {
            Rotation::Rotated {
                user_id,
                session_id,
                token,
            } => token_response(conn, &st, &user_id, &session_id, token).map(Ok),
            Rotation::Replayed { user_id } => Ok(Err(Some(user_id))),
            Rotation::Refused => Ok(Err(None)),
        })
        .await?;
    match outcome {
        Ok(tokens) => Ok(HttpResponse::Ok().json(tokens)),
        Err(replayed) => {
            if let Some(user_id) = replayed {
                // The ended session's access tokens stop working here at once too.
                state.sessions.forget_user(&user_id);
            }
            Err(sessions::refused())
        }
    }
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "auth",
    summary = "Sign out: end the session of this refresh token",
    description = "The refresh token and every access token of its session stop working at once.",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")),
    security(("bearer" = [])),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token = body.into_inner().refresh_token;
    let user_id = actor.user_id.clone();
    state
        .db
        .tx(move |conn| {
            if !sessions::revoke(conn, &actor.user_id, &token)? {
                // The token may be stale after a rotation; end the caller's own session anyway.
                use crate::db::schema::sessions as s;
                diesel::update(s::table.find(&actor.session_id))
                    .set(s::revoked_at.eq(crate::db::now()))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await?;
    state.sessions.forget_user(&user_id);
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    post, path = "/api/v1/auth/password", operation_id = "changePassword", tag = "auth",
    summary = "Change your password",
    description = "Needs the current password. Every other session of yours ends; this one stays signed in.",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 422, description = "Wrong current password or a weak new one", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let mut rules = shared::validate::Errors::default();
    rules.password("new_password", &new_password);
    rules.into_result().map_err(ApiError::validation)?;
    let uid = actor.user_id.clone();
    let row = state
        .db
        .run(move |conn| users::find(conn, &uid))
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
    let current_hash = row.password_hash.clone().unwrap_or_default();
    let (ok, new_hash) = password::off_thread(move || {
        (
            password::verify(&current_password, &current_hash),
            password::hash(&new_password),
        )
    })
    .await?;
    if !ok {
        return Err(ApiError::field(
            "current_password",
            "mismatch",
            "is not your current password",
        ));
    }
    let new_hash = new_hash?;
    let user_id = actor.user_id.clone();
    state
        .db
        .tx(move |conn| {
            use crate::db::schema::users as u;
            diesel::update(u::table.find(&actor.user_id))
                .set((
                    u::password_hash.eq(Some(new_hash)),
                    u::updated_at.eq(crate::db::now()),
                ))
                .execute(conn)?;
            sessions::revoke_others(conn, &actor.user_id, Some(&actor.session_id))?;
            Ok(())
        })
        .await?;
    state.sessions.forget_user(&user_id);
    Ok(HttpResponse::NoContent().finish())
}
