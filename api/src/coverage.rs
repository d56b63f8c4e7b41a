//! When CSM coverage ends (12 months from contract start, for life on
//! `business`), the organisation moves to the low-touch pool. The rule itself is
//! `shared::project::coverage`; the chat reads it on every post, and this sweep, run with the
//! reminders, records the move on the organisation and tells those concerned.

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use shared::identity::TouchModel;

use crate::db::schema::organizations as o;
use crate::db::{DbConn, now};
use crate::error::ApiResult;
use crate::realtime::events::publish;
use crate::resources::organizations::{self, OrgRow};

/// Moves every high-touch client whose coverage has ended on `today` to low touch; returns
/// how many moved.
pub fn sweep(conn: &mut DbConn, today: NaiveDate) -> ApiResult<usize> {
    // Only organisations whose contract started at least 12 months ago can have ended.
    let Some(started_by) = today.checked_sub_months(Months::new(shared::project::COVERAGE_MONTHS))
    else {
        return Ok(0);
    };
    let candidates: Vec<OrgRow> = o::table
        .filter(o::kind.eq("client"))
        .filter(o::touch_model.eq(TouchModel::High.as_str()))
        .filter(o::contract_start.le(started_by))
        .select(o::all_columns)
        .load(conn)?;
    let mut moved = 0;
    for org in candidates {
        let coverage = shared::project::coverage(org.plan.as_deref(), org.contract_start, today);
        if coverage.active {
            continue;
        }
        let changed = diesel::update(o::table.find(&org.id).filter(o::version.eq(org.version)))
            .set((
                o::touch_model.eq(TouchModel::Low.as_str()),
                o::updated_at.eq(now()),
                o::version.eq(org.version + 1),
            ))
            .execute(conn)?;
        if changed == 1 {
            moved += 1;
            let audience = organizations::audience(conn, &org)?;
            publish(
                conn,
                &audience,
                "organization.updated",
                &serde_json::json!({"organization_id": org.id, "reason": "coverage_ended"}),
            )?;
        }
    }
    Ok(moved)
}
