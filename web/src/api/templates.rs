//! Project templates (vendor staff read them; CSMs and administrators change them).

use shared::Problem;
use shared::project::{ProjectTemplate, TemplateInput};

use super::client::{Call, Versioned, segment};

pub async fn list() -> Result<Vec<ProjectTemplate>, Problem> {
    Call::get("/project-templates").fetch().await
}

pub async fn get(id: &str) -> Result<Versioned<ProjectTemplate>, Problem> {
    Call::get(format!("/project-templates/{}", segment(id)))
        .fetch_versioned(|t: &ProjectTemplate| t.version)
        .await
}

pub async fn create(input: &TemplateInput) -> Result<ProjectTemplate, Problem> {
    Call::post("/project-templates")
        .idempotent()
        .json(input)?
        .fetch()
        .await
}

pub async fn replace(
    id: &str,
    etag: &str,
    input: &TemplateInput,
) -> Result<Versioned<ProjectTemplate>, Problem> {
    Call::put(format!("/project-templates/{}", segment(id)))
        .if_match(etag)
        .json(input)?
        .fetch_versioned(|t: &ProjectTemplate| t.version)
        .await
}
