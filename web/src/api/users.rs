//! Users, vendor staff and client users alike.

use shared::identity::{NewUser, User, UserPatch};
use shared::page::Page;
use shared::{Problem, Role};

use super::client::{Call, Versioned, query, segment};

pub async fn list(
    organization_id: Option<String>,
    role: Option<Role>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<User>, Problem> {
    let qs = query(&[
        ("organization_id", organization_id),
        ("role", role.map(|r| r.as_str().to_string())),
        ("limit", limit.map(|l| l.to_string())),
        ("cursor", cursor),
    ]);
    Call::get(format!("/users{qs}")).fetch().await
}

pub async fn get(id: &str) -> Result<Versioned<User>, Problem> {
    Call::get(format!("/users/{}", segment(id)))
        .fetch_versioned(|u: &User| u.version)
        .await
}

pub async fn create(new: &NewUser) -> Result<User, Problem> {
    Call::post("/users").json(new)?.fetch().await
}

pub async fn update(id: &str, etag: &str, patch: &UserPatch) -> Result<Versioned<User>, Problem> {
    Call::patch(format!("/users/{}", segment(id)))
        .if_match(etag)
        .json(patch)?
        .fetch_versioned(|u: &User| u.version)
        .await
}
