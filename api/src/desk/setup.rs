//! Defaults the desk needs to work from the first start: each cluster routed to the
//! department of the default name when one exists and no route was configured.

use diesel::prelude::*;
use shared::desk::{Cluster, routing};

use crate::db::schema::{cluster_routes as cr, departments as d};
use crate::db::{DbConn, now};
use crate::error::ApiResult;

/// Adds a route for every cluster that has none and whose default department exists.
pub fn ensure_routes(conn: &mut DbConn) -> ApiResult<()> {
    let routed: Vec<String> = cr::table.select(cr::cluster).load(conn)?;
    for cluster in Cluster::ALL {
        if routed.iter().any(|c| c == cluster.as_str()) {
            continue;
        }
        let dept: Option<String> = d::table
            .filter(d::name.eq(routing::default_department_name(cluster)))
            .select(d::id)
            .first(conn)
            .optional()?;
        if let Some(dept) = dept {
            diesel::insert_into(cr::table)
                .values((
                    cr::cluster.eq(cluster.as_str()),
                    cr::department_id.eq(dept),
                    cr::required_skill.eq(None::<String>),
                    cr::updated_at.eq(now()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}
