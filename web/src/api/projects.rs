//! Projects: the dashboard list, one project, creating one.

use shared::Problem;
use shared::page::Page;
use shared::project::{NewProject, Project};

use super::client::{Call, query, segment};

/// What the dashboard filters and sorts by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub q: Option<String>,
    pub organization_id: Option<String>,
    pub overdue_only: bool,
    /// `kickoff_date` (the server's default) or `name`.
    pub sort: Option<String>,
}

pub async fn list(
    filter: Filter,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Page<Project>, Problem> {
    let qs = query(&[
        ("limit", limit.map(|l| l.to_string())),
        ("cursor", cursor),
        ("q", filter.q),
        ("organization_id", filter.organization_id),
        ("overdue", filter.overdue_only.then(|| "true".to_string())),
        ("sort", filter.sort),
    ]);
    Call::get(format!("/projects{qs}")).fetch().await
}

pub async fn get(id: &str) -> Result<Project, Problem> {
    Call::get(format!("/projects/{}", segment(id)))
        .fetch()
        .await
}

pub async fn create(new: &NewProject) -> Result<Project, Problem> {
    Call::post("/projects")
        .idempotent()
        .json(new)?
        .fetch()
        .await
}
