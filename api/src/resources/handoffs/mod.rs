//! Handoffs between roles: the desk raises support → CSM ones on
//! a repeated problem (`desk::repeats`), staff raise others by hand. Internal: client users get
//! 403 on the list and 404 on one. The row carries a version (ETag, `If-Match` on PATCH).

pub mod crud;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::desk::Cluster;
use shared::desk::handoff::{Handoff, HandoffKind, HandoffStatus};

use crate::db::schema::{handoff_tickets as ht, handoffs as h, organizations as o};
use crate::db::{DbConn, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::resources::organizations::{self, OrgRow};
use crate::resources::users;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = h)]
pub struct HandoffRow {
    pub id: String,
    pub kind: String,
    pub organization_id: String,
    pub project_id: Option<String>,
    pub ticket_id: Option<String>,
    pub product_id: Option<String>,
    pub cluster: Option<String>,
    pub owner_id: String,
    pub created_by: Option<String>,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub due_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<HandoffRow>> {
    Ok(h::table
        .find(id)
        .select(HandoffRow::as_select())
        .first(conn)
        .optional()?)
}

/// The handoff and its organisation, or 404 (the caller applies the policy).
pub fn load(conn: &mut DbConn, id: &str) -> ApiResult<(HandoffRow, OrgRow)> {
    let row = find(conn, id)?.ok_or_else(|| ApiError::not_found("handoff"))?;
    let org = organizations::find(conn, &row.organization_id)?
        .ok_or_else(|| ApiError::not_found("handoff"))?;
    Ok((row, org))
}

pub fn to_dtos(conn: &mut DbConn, rows: Vec<HandoffRow>) -> ApiResult<Vec<Handoff>> {
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let mut linked: HashMap<String, Vec<String>> = HashMap::new();
    for (handoff, ticket) in ht::table
        .filter(ht::handoff_id.eq_any(ids))
        .order((ht::created_at.asc(), ht::ticket_id.asc()))
        .select((ht::handoff_id, ht::ticket_id))
        .load::<(String, String)>(conn)?
    {
        linked.entry(handoff).or_default().push(ticket);
    }
    let org_ids: Vec<&String> = rows.iter().map(|r| &r.organization_id).collect();
    let orgs: HashMap<String, String> = o::table
        .filter(o::id.eq_any(org_ids))
        .select((o::id, o::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let names = users::names(conn, rows.iter().map(|r| &r.owner_id))?;
    Ok(rows
        .into_iter()
        .map(|r| Handoff {
            kind: HandoffKind::parse(&r.kind).unwrap_or(HandoffKind::SupportToCsm),
            status: HandoffStatus::parse(&r.status).unwrap_or(HandoffStatus::Open),
            cluster: r.cluster.as_deref().and_then(Cluster::parse),
            organization_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
            owner_name: names
                .get(&r.owner_id)
                .cloned()
                .unwrap_or_else(|| "Former user".into()),
            ticket_ids: linked.remove(&r.id).unwrap_or_default(),
            id: r.id,
            organization_id: r.organization_id,
            project_id: r.project_id,
            ticket_id: r.ticket_id,
            product_id: r.product_id,
            owner_id: r.owner_id,
            created_by: r.created_by,
            title: r.title,
            summary: r.summary,
            due_on: r.due_on,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            version: r.version,
        })
        .collect())
}

pub fn to_dto(conn: &mut DbConn, row: HandoffRow) -> ApiResult<Handoff> {
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("handoff vanished"))
}
