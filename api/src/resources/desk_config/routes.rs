//! Routing: which department each cluster's tickets go to, and which skill assignment should
//! prefer there. The next ticket of a cluster follows its route as changed; tickets already
//! open stay where they are.

use actix_web::{HttpResponse, get, put, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::desk::Cluster;
use shared::desk::config::{self, ClusterRouteInput, ClusterRouteRecord};

use crate::auth::Actor;
use crate::db::schema::{cluster_routes as cr, departments as d};
use crate::db::{DbConn, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::policy;
use crate::state::AppState;

/// Every cluster, in `Cluster::ALL` order, with its route when it has one.
fn all(conn: &mut DbConn) -> ApiResult<Vec<ClusterRouteRecord>> {
    type Row = (String, String, String, Option<String>, NaiveDateTime);
    let rows: Vec<Row> = cr::table
        .inner_join(d::table)
        .select((
            cr::cluster,
            cr::department_id,
            d::name,
            cr::required_skill,
            cr::updated_at,
        ))
        .load(conn)?;
    Ok(Cluster::ALL
        .into_iter()
        .map(|cluster| {
            let found = rows.iter().find(|r| r.0 == cluster.as_str());
            ClusterRouteRecord {
                cluster,
                cluster_label: cluster.label().to_string(),
                routed: found.is_some(),
                department_id: found.map(|r| r.1.clone()),
                department_name: found.map(|r| r.2.clone()),
                required_skill: found.and_then(|r| r.3.clone()),
                updated_at: found.map(|r| to_utc(r.4)),
            }
        })
        .collect())
}

#[utoipa::path(
    get, path = "/api/v1/cluster-routes", operation_id = "listClusterRoutes", tag = "desk",
    summary = "List the routing of every cluster",
    description = "Vendor staff. All six clusters, each with its department (id and name) and the skill assignment prefers, or `routed: false` when its tickets wait without a department for a person to route them.",
    responses(
        (status = 200, description = "One entry per cluster", body = Vec<ClusterRouteRecord>),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/cluster-routes")]
pub async fn list(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let routes = state.db.run(all).await?;
    Ok(HttpResponse::Ok().json(routes))
}

#[utoipa::path(
    put, path = "/api/v1/cluster-routes/{cluster}", operation_id = "setClusterRoute", tag = "desk",
    summary = "Route a cluster to a department",
    description = "Administrators. Sets (or replaces) where new tickets of the cluster go; `department_id` must name a department, `required_skill` is optional. Tickets already open stay where they are. 404 for an unknown cluster.",
    params(("cluster" = Cluster, Path, description = "The cluster: technical_problem, usage_help, product_not_working, billing, return_refund or cancellation")),
    request_body = ClusterRouteInput,
    responses(
        (status = 200, description = "The cluster's routing as now stored", body = ClusterRouteRecord),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/cluster-routes/{cluster}")]
pub async fn set(
    state: web::Data<AppState>,
    actor: Actor,
    cluster: web::Path<String>,
    body: web::Json<ClusterRouteInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let cluster = Cluster::parse(&cluster.into_inner()).ok_or_else(|| {
        ApiError::new(
            shared::ErrorCode::NotFound,
            format!("no such cluster; one of {}", Cluster::NAMES.join(", ")),
        )
    })?;
    let input = body.into_inner();
    let errors = config::validate_route_input(&input);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let route = state
        .db
        .tx(move |conn| {
            let found: i64 = d::table
                .find(&input.department_id)
                .count()
                .get_result(conn)?;
            if found == 0 {
                return Err(ApiError::field(
                    "department_id",
                    "exists",
                    "is not a department",
                ));
            }
            let skill = input.skill();
            let at = now();
            let updated = diesel::update(cr::table.find(cluster.as_str()))
                .set((
                    cr::department_id.eq(&input.department_id),
                    cr::required_skill.eq(&skill),
                    cr::updated_at.eq(at),
                ))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(cr::table)
                    .values((
                        cr::cluster.eq(cluster.as_str()),
                        cr::department_id.eq(&input.department_id),
                        cr::required_skill.eq(&skill),
                        cr::updated_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            all(conn)?
                .into_iter()
                .find(|r| r.cluster == cluster)
                .ok_or_else(|| ApiError::internal("route vanished"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(route))
}
