//! Background jobs, for admins.

use shared::Problem;
use shared::jobs::Job;
use shared::page::Page;

use super::client::{Call, query, segment};

pub async fn list(
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<Job>, Problem> {
    let qs = query(&[
        ("status", status),
        ("limit", limit.map(|l| l.to_string())),
        ("cursor", cursor),
    ]);
    Call::get(format!("/admin/jobs{qs}")).fetch().await
}

pub async fn retry(id: &str) -> Result<Job, Problem> {
    Call::post(format!("/admin/jobs/{}/retry", segment(id)))
        .fetch()
        .await
}
