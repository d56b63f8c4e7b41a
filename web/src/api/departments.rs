//! Support departments.

use shared::Problem;
use shared::identity::{Department, NewDepartment};
use shared::page::Page;

use super::client::{Call, query};

pub async fn list(cursor: Option<String>, limit: Option<u32>) -> Result<Page<Department>, Problem> {
    let qs = query(&[("limit", limit.map(|l| l.to_string())), ("cursor", cursor)]);
    Call::get(format!("/departments{qs}")).fetch().await
}

pub async fn create(new: &NewDepartment) -> Result<Department, Problem> {
    Call::post("/departments").json(new)?.fetch().await
}
