//! Invitations: an admin invites someone by e-mail; they set a password from the link.

use shared::Problem;
use shared::auth::TokenResponse;
use shared::identity::{AcceptInvitation, Invitation, NewInvitation, User};
use shared::page::Page;

use super::client::{Auth, Call, query};
use crate::session;

pub async fn list(cursor: Option<String>, limit: Option<u32>) -> Result<Page<Invitation>, Problem> {
    let qs = query(&[("limit", limit.map(|l| l.to_string())), ("cursor", cursor)]);
    Call::get(format!("/invitations{qs}")).fetch().await
}

pub async fn create(new: &NewInvitation) -> Result<Invitation, Problem> {
    Call::post("/invitations").json(new)?.fetch().await
}

/// Sets the password and signs the new user in.
pub async fn accept(req: &AcceptInvitation) -> Result<User, Problem> {
    let tr: TokenResponse = Call::post("/invitations/accept")
        .auth(Auth::None)
        .json(req)?
        .fetch()
        .await?;
    let user = tr.user.clone();
    session::signed_in(tr);
    Ok(user)
}
