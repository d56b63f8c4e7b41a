//! Configuring the desk (administrators change, staff read): business calendars and SLA
//! policies (list, read with `ETag`, create, replace whole with `If-Match`, delete), the
//! route of each cluster, and the three settings read and replaced whole with a content
//! `ETag` — priority rules, refund policy, repeated-problem rule.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::Problem;
use shared::desk::Cluster;
use shared::desk::config::{
    CalendarInput, CalendarRecord, ClusterRouteInput, ClusterRouteRecord, SlaPolicyInput,
    SlaPolicyRecord,
};
use shared::desk::priority::PriorityRules;
use shared::desk::refund::RefundPolicy;
use shared::desk::repeats::RepeatRule;

use super::client::{Call, Versioned, etag_of, segment};

pub async fn calendars() -> Result<Vec<CalendarRecord>, Problem> {
    Call::get("/business-calendars").fetch().await
}

pub async fn calendar(id: &str) -> Result<Versioned<CalendarRecord>, Problem> {
    Call::get(format!("/business-calendars/{}", segment(id)))
        .fetch_versioned(|c: &CalendarRecord| c.version)
        .await
}

pub async fn create_calendar(new: &CalendarInput) -> Result<CalendarRecord, Problem> {
    Call::post("/business-calendars")
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn replace_calendar(
    id: &str,
    etag: &str,
    input: &CalendarInput,
) -> Result<Versioned<CalendarRecord>, Problem> {
    Call::put(format!("/business-calendars/{}", segment(id)))
        .if_match(etag)
        .json(input)?
        .fetch_versioned(|c: &CalendarRecord| c.version)
        .await
}

/// `409` while an SLA policy uses it.
pub async fn remove_calendar(c: &CalendarRecord) -> Result<(), Problem> {
    Call::delete(format!("/business-calendars/{}", segment(&c.id)))
        .if_match(&etag_of(c.version))
        .run()
        .await
}

pub async fn policies() -> Result<Vec<SlaPolicyRecord>, Problem> {
    Call::get("/sla-policies").fetch().await
}

pub async fn policy(id: &str) -> Result<Versioned<SlaPolicyRecord>, Problem> {
    Call::get(format!("/sla-policies/{}", segment(id)))
        .fetch_versioned(|p: &SlaPolicyRecord| p.version)
        .await
}

pub async fn create_policy(new: &SlaPolicyInput) -> Result<SlaPolicyRecord, Problem> {
    Call::post("/sla-policies")
        .idempotent()
        .json(new)?
        .fetch()
        .await
}

pub async fn replace_policy(
    id: &str,
    etag: &str,
    input: &SlaPolicyInput,
) -> Result<Versioned<SlaPolicyRecord>, Problem> {
    Call::put(format!("/sla-policies/{}", segment(id)))
        .if_match(etag)
        .json(input)?
        .fetch_versioned(|p: &SlaPolicyRecord| p.version)
        .await
}

pub async fn remove_policy(p: &SlaPolicyRecord) -> Result<(), Problem> {
    Call::delete(format!("/sla-policies/{}", segment(&p.id)))
        .if_match(&etag_of(p.version))
        .run()
        .await
}

/// All six clusters, routed or not.
pub async fn routes() -> Result<Vec<ClusterRouteRecord>, Problem> {
    Call::get("/cluster-routes").fetch().await
}

pub async fn set_route(
    cluster: Cluster,
    input: &ClusterRouteInput,
) -> Result<ClusterRouteRecord, Problem> {
    Call::put(format!("/cluster-routes/{}", cluster.as_str()))
        .json(input)?
        .fetch()
        .await
}

/// A desk setting: one document at one path, replaced whole.
pub trait Setting:
    Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static
{
    const PATH: &'static str;
}

impl Setting for PriorityRules {
    const PATH: &'static str = "/desk/priority-rules";
}

impl Setting for RefundPolicy {
    const PATH: &'static str = "/desk/refund-policy";
}

impl Setting for RepeatRule {
    const PATH: &'static str = "/desk/repeat-rule";
}

/// The setting in force, with the `ETag` to send back.
pub async fn setting<T: Setting>() -> Result<Versioned<T>, Problem> {
    // These carry a content ETag, never a version number.
    Call::get(T::PATH).fetch_versioned(|_: &T| 0).await
}

pub async fn save_setting<T: Setting>(etag: &str, value: &T) -> Result<Versioned<T>, Problem> {
    Call::put(T::PATH)
        .if_match(etag)
        .json(value)?
        .fetch_versioned(|_: &T| 0)
        .await
}
