//! Sign-in, token refresh, sign-out, password change and the current user.

use leptos::prelude::Set;
use shared::Problem;
use shared::auth::{ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse};
use shared::identity::{MePatch, User};

use super::client::{Auth, Call};
use crate::session;

pub use super::client::refresh;

/// Signs in and records the session.
pub async fn login(req: &LoginRequest) -> Result<User, Problem> {
    let tr: TokenResponse = Call::post("/auth/login")
        .auth(Auth::None)
        .json(req)?
        .fetch()
        .await?;
    let user = tr.user.clone();
    session::signed_in(tr);
    Ok(user)
}

/// Revokes the refresh token on the server and forgets the session here, whatever the
/// server answers.
pub async fn logout() {
    session::get().signed_out_by_user.set(true);
    if let Some(tokens) = session::tokens() {
        let body = RefreshRequest {
            refresh_token: tokens.refresh_token,
        };
        // The server ends the caller's session even if a refresh rotated this token meanwhile.
        if let Ok(call) = Call::post("/auth/logout").json(&body) {
            let _ = call.run().await;
        }
    }
    session::clear();
}

pub async fn change_password(req: &ChangePasswordRequest) -> Result<(), Problem> {
    Call::post("/auth/password").json(req)?.run().await
}

pub async fn me() -> Result<User, Problem> {
    Call::get("/me").fetch().await
}

/// The `If-Match` value for a change to `user`: their version, quoted (the `ETag` of `/me`).
pub fn etag_of(user: &User) -> String {
    format!("\"{}\"", user.version)
}

/// Changes your own name or (support agents) availability, and records the answer as the
/// session's user so every view of it (the header too) follows. With `etag` (see [`etag_of`]) the server
/// refuses with `412` if the account changed since it was read, instead of overwriting.
pub async fn update_me(etag: Option<&str>, patch: &MePatch) -> Result<User, Problem> {
    let mut call = Call::patch("/me");
    if let Some(etag) = etag {
        call = call.if_match(etag);
    }
    let user: User = call.json(patch)?.fetch().await?;
    session::user_changed(user.clone());
    Ok(user)
}
