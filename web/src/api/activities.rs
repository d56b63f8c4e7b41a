//! A project's checklist: the list, moving an item, editing it, adding one, its history.

use shared::Problem;
use shared::activity::{
    Activity, ActivityList, ActivityPatch, ActivityTransition, NewActivity, TransitionRequest,
};
use shared::page::Page;

use super::client::{Call, etag_of, query, segment};

pub async fn list(project_id: &str) -> Result<ActivityList, Problem> {
    Call::get(format!("/projects/{}/activities", segment(project_id)))
        .fetch()
        .await
}

/// Moves the item as it was at `version` (a move on a changed item is refused with `412`).
pub async fn transition(
    id: &str,
    version: i32,
    req: &TransitionRequest,
) -> Result<Activity, Problem> {
    Call::post(format!("/activities/{}/transitions", segment(id)))
        .if_match(&etag_of(version))
        .json(req)?
        .fetch()
        .await
}

pub async fn update(id: &str, version: i32, patch: &ActivityPatch) -> Result<Activity, Problem> {
    Call::patch(format!("/activities/{}", segment(id)))
        .if_match(&etag_of(version))
        .json(patch)?
        .fetch()
        .await
}

pub async fn create(project_id: &str, new: &NewActivity) -> Result<Activity, Problem> {
    Call::post(format!("/projects/{}/activities", segment(project_id)))
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn history(id: &str) -> Result<Page<ActivityTransition>, Problem> {
    let qs = query(&[("limit", Some("100".to_string()))]);
    Call::get(format!("/activities/{}/history{qs}", segment(id)))
        .fetch()
        .await
}
