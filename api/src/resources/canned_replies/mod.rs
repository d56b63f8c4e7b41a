//! Canned replies: saved answers with placeholders, per
//! department or for every department. Staff read them (`policy::view_canned_replies`),
//! support agents and administrators write them; an agent inserts one into a ticket's reply
//! box filled in for that ticket (`render`), and automation rules answer with them.

pub mod crud;
pub mod render;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::desk::canned::{self, CannedReply, Placeholders};

use crate::db::schema::{canned_replies as cr, departments as d, users as u};
use crate::db::{DbConn, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::resources::organizations::OrgRow;
use crate::resources::tickets::TicketRow;
use crate::resources::users;

#[derive(Queryable, Debug, Clone)]
pub struct Row {
    pub id: String,
    pub department_id: Option<String>,
    pub title: String,
    pub body: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

pub fn find_row(conn: &mut DbConn, id: &str) -> ApiResult<Option<Row>> {
    Ok(cr::table
        .find(id)
        .select(cr::all_columns)
        .first(conn)
        .optional()?)
}

/// The reply, or 404.
pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<CannedReply> {
    let row = find_row(conn, id)?.ok_or_else(|| ApiError::not_found("canned reply"))?;
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("canned reply"))
}

/// DTOs with department and author names, each looked up once.
pub fn to_dtos(conn: &mut DbConn, rows: Vec<Row>) -> ApiResult<Vec<CannedReply>> {
    let mut dept_ids: Vec<&String> = rows
        .iter()
        .filter_map(|r| r.department_id.as_ref())
        .collect();
    dept_ids.sort();
    dept_ids.dedup();
    let departments: HashMap<String, String> = if dept_ids.is_empty() {
        HashMap::new()
    } else {
        d::table
            .filter(d::id.eq_any(dept_ids))
            .select((d::id, d::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect()
    };
    let authors = users::names(conn, rows.iter().filter_map(|r| r.created_by.as_ref()))?;
    Ok(rows
        .into_iter()
        .map(|r| CannedReply {
            department_name: r
                .department_id
                .as_ref()
                .and_then(|id| departments.get(id).cloned()),
            created_by_name: r
                .created_by
                .as_ref()
                .and_then(|id| authors.get(id).cloned()),
            id: r.id,
            title: r.title,
            body: r.body,
            department_id: r.department_id,
            created_by: r.created_by,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            version: r.version,
        })
        .collect())
}

/// The shared checks, plus: the department exists (422 naming `department_id`).
pub fn validate(
    conn: &mut DbConn,
    title: &str,
    body: &str,
    department_id: Option<&str>,
) -> ApiResult<()> {
    let errors = canned::validate_canned(title, body);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if let Some(dept) = department_id {
        let found: i64 = d::table.find(dept).count().get_result(conn)?;
        if found == 0 {
            return Err(ApiError::field(
                "department_id",
                "exists",
                "is not a department; leave it out for every department",
            ));
        }
    }
    Ok(())
}

/// The placeholder values for a ticket; `agent_name` is whoever answers (the caller, or the
/// desk for an automatic answer).
pub fn placeholders(
    conn: &mut DbConn,
    ticket: &TicketRow,
    org: &OrgRow,
    agent_name: &str,
) -> ApiResult<Placeholders> {
    let csm_name: Option<String> = match &org.csm_id {
        Some(id) => u::table.find(id).select(u::name).first(conn).optional()?,
        None => None,
    };
    Ok(Placeholders {
        client_name: org.name.clone(),
        requester_name: ticket.requester_name.clone(),
        ticket_number: ticket.number,
        ticket_subject: ticket.subject.clone(),
        agent_name: agent_name.to_string(),
        csm_name: csm_name.unwrap_or_default(),
    })
}
