//! Client organisations.

use shared::Problem;
use shared::identity::{NewOrganization, Organization, OrganizationPatch};
use shared::page::Page;

use super::client::{Call, Versioned, query, segment};

pub async fn list(
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<Organization>, Problem> {
    let qs = query(&[
        ("limit", limit.map(|l| l.to_string())),
        ("cursor", cursor),
        ("q", q),
    ]);
    Call::get(format!("/organizations{qs}")).fetch().await
}

pub async fn get(id: &str) -> Result<Versioned<Organization>, Problem> {
    Call::get(format!("/organizations/{}", segment(id)))
        .fetch_versioned(|o: &Organization| o.version)
        .await
}

pub async fn create(new: &NewOrganization) -> Result<Organization, Problem> {
    Call::post("/organizations").json(new)?.fetch().await
}

pub async fn update(
    id: &str,
    etag: &str,
    patch: &OrganizationPatch,
) -> Result<Versioned<Organization>, Problem> {
    Call::patch(format!("/organizations/{}", segment(id)))
        .if_match(etag)
        .json(patch)?
        .fetch_versioned(|o: &Organization| o.version)
        .await
}

/// Client organisations only (for choosing whom a project is for).
pub async fn list_clients(limit: Option<u32>) -> Result<Page<Organization>, Problem> {
    let qs = query(&[
        ("limit", limit.map(|l| l.to_string())),
        ("kind", Some("client".to_string())),
    ]);
    Call::get(format!("/organizations{qs}")).fetch().await
}
