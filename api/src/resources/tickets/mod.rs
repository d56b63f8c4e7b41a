//! Tickets: the support desk's unit of work. This module holds what every
//! ticket operation shares — the row, access through the policy, the DTOs, the history and
//! who hears about a change; one file per group of operations sits beside it.

pub mod attachments;
pub mod create;
pub mod from_chat;
pub mod list;
pub mod messages;
pub mod update;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::Role;
use shared::desk::sla::{self, ClockState, Deadline};
use shared::desk::status::{self, Actor as StatusActor};
use shared::desk::ticket::{Side, SlaClock, Ticket, TicketHistoryEntry, TicketSla, TicketSummary};
use shared::desk::{Channel, Cluster, Priority, TicketStatus};
use shared::identity::OrgKind;

use crate::auth::Actor;
use crate::db::schema::{
    departments as d, products as pr, sla_policies as sp, ticket_history as th, ticket_tags as tt,
    tickets as t, users as u,
};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, OrgFacts, TicketFacts};
use crate::realtime::events::{publish, publish_to_department};
use crate::resources::organizations::{self, OrgRow};
use crate::resources::users;

/// Shown as the actor when the desk itself acted (routing, rules, SLA jobs).
pub const DESK: &str = "Tandem";
/// The policy name shown when no SLA policy matched.
pub const DEFAULT_POLICY: &str = "Default: first response within 24 hours";

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone)]
// `treat_none_as_default_value = false`: an absent value is bound as NULL, not written as
// DEFAULT, so the insert's SQL never varies and stays a prepared statement.
#[diesel(table_name = t, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct TicketRow {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub requester_id: Option<String>,
    pub requester_name: String,
    pub requester_email: String,
    pub organization_id: String,
    pub product_id: Option<String>,
    pub cluster: String,
    pub channel: String,
    pub priority: String,
    pub priority_rank: i32,
    pub priority_reason: String,
    pub department_id: Option<String>,
    pub assignee_id: Option<String>,
    pub status: String,
    pub active: bool,
    pub sla_policy_id: Option<String>,
    pub first_response_warn_at: Option<NaiveDateTime>,
    pub first_response_due_at: Option<NaiveDateTime>,
    pub first_responded_at: Option<NaiveDateTime>,
    pub first_response_breached: bool,
    pub resolution_warn_at: Option<NaiveDateTime>,
    pub resolution_due_at: Option<NaiveDateTime>,
    pub resolution_breached: bool,
    pub sla_warned: bool,
    pub sla_paused_at: Option<NaiveDateTime>,
    pub next_due_at: Option<NaiveDateTime>,
    pub sla_next_check_at: Option<NaiveDateTime>,
    pub purchase_date: Option<NaiveDate>,
    pub created_by: Option<String>,
    pub email_thread_id: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl TicketRow {
    pub fn status(&self) -> TicketStatus {
        TicketStatus::parse(&self.status).unwrap_or(TicketStatus::Open)
    }
    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or(Priority::Normal)
    }
    pub fn cluster(&self) -> Cluster {
        Cluster::parse(&self.cluster).unwrap_or(Cluster::UsageHelp)
    }
    pub fn channel(&self) -> Channel {
        Channel::parse(&self.channel).unwrap_or(Channel::Api)
    }
    pub fn first_response_deadline(&self) -> Option<Deadline> {
        deadline(self.first_response_warn_at, self.first_response_due_at)
    }
    pub fn resolution_deadline(&self) -> Option<Deadline> {
        deadline(self.resolution_warn_at, self.resolution_due_at)
    }
    /// The web app's path to this ticket.
    pub fn link(&self) -> String {
        format!("/tickets/{}", self.id)
    }
}

fn deadline(warn: Option<NaiveDateTime>, due: Option<NaiveDateTime>) -> Option<Deadline> {
    Some(Deadline {
        warn_at: to_utc(warn?),
        due_at: to_utc(due?),
    })
}

/// Writes every column of the row (the caller bumps `version` and `updated_at`).
pub fn save(conn: &mut DbConn, row: &TicketRow) -> ApiResult<()> {
    crate::on_driver!(conn, |c| diesel::update(t::table.find(&row.id))
        .set(row)
        .execute(c))?;
    Ok(())
}

/// Ordering value of a priority in the queues (urgent first).
pub fn rank(p: Priority) -> i32 {
    match p {
        Priority::Low => 0,
        Priority::Normal => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

/// A ticket the caller may see, with its organisation and the caller's side.
pub struct TicketCtx {
    pub ticket: TicketRow,
    pub org: OrgRow,
    pub side: Side,
}

impl TicketCtx {
    /// Who acts, in the status machine's words.
    pub fn status_actor(&self) -> StatusActor {
        match self.side {
            Side::Client => StatusActor::Client,
            Side::Staff => StatusActor::Staff,
        }
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<TicketRow>> {
    Ok(t::table
        .find(id)
        .select(TicketRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn org_facts(org: &OrgRow) -> OrgFacts<'_> {
    OrgFacts {
        id: &org.id,
        kind: OrgKind::parse(&org.kind).unwrap_or(OrgKind::Client),
        csm_id: org.csm_id.as_deref(),
    }
}

/// The ticket if the caller may see it, else 404 (whether or not it exists).
pub fn access(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<TicketCtx> {
    let ticket = find(conn, id)?.ok_or_else(|| ApiError::not_found("ticket"))?;
    let org = organizations::find(conn, &ticket.organization_id)?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    context(actor, ticket, org)
}

/// [`access`] for a write: the ticket's row is locked first (see `db::lock_row`), so
/// concurrent writes of one ticket take turns.
pub fn access_for_update(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<TicketCtx> {
    crate::db::lock_row(conn, "tickets", id)?;
    access(conn, actor, id)
}

/// [`access`] for a ticket and organisation already in hand (a ticket just opened).
pub fn context(actor: &Actor, ticket: TicketRow, org: OrgRow) -> ApiResult<TicketCtx> {
    let side = policy::view_ticket(
        actor,
        TicketFacts {
            org: org_facts(&org),
            requester_id: ticket.requester_id.as_deref(),
        },
    )?;
    Ok(TicketCtx { ticket, org, side })
}

/// Appends to the ticket's history.
pub fn record(
    conn: &mut DbConn,
    ticket_id: &str,
    actor_id: Option<&str>,
    kind: &str,
    detail: &str,
) -> ApiResult<()> {
    let mut line = History::new(ticket_id);
    line.add(actor_id, kind, detail);
    line.write(conn)
}

/// History lines gathered while a ticket is being decided, before its row exists; written
/// in one insert, in the order added (ids are time-ordered when added).
pub struct History {
    ticket_id: String,
    lines: Vec<(String, Option<String>, String, String, NaiveDateTime)>,
}

impl History {
    pub fn new(ticket_id: &str) -> History {
        History {
            ticket_id: ticket_id.to_string(),
            lines: Vec::new(),
        }
    }

    pub fn add(&mut self, actor_id: Option<&str>, kind: &str, detail: &str) {
        self.lines.push((
            new_id(),
            actor_id.map(str::to_string),
            kind.to_string(),
            detail.to_string(),
            now(),
        ));
    }

    pub fn write(self, conn: &mut DbConn) -> ApiResult<()> {
        let rows: Vec<_> = self
            .lines
            .iter()
            .map(|(id, actor, kind, detail, at)| {
                (
                    th::id.eq(id),
                    th::ticket_id.eq(&self.ticket_id),
                    th::actor_id.eq(actor),
                    th::kind.eq(kind),
                    th::detail.eq(detail),
                    th::created_at.eq(at),
                )
            })
            .collect();
        match rows.as_slice() {
            [] => {}
            // One row as a plain insert: a prepared statement, unlike a many-row one.
            [one] => {
                crate::on_driver!(conn, |c| diesel::insert_into(th::table)
                    .values(*one)
                    .execute(c))?;
            }
            _ => crate::insert_rows!(conn, th::table, &rows)?,
        }
        Ok(())
    }
}

pub fn history(conn: &mut DbConn, ticket_id: &str) -> ApiResult<Vec<TicketHistoryEntry>> {
    let rows: Vec<(String, Option<String>, String, String, NaiveDateTime)> = th::table
        .filter(th::ticket_id.eq(ticket_id))
        .order(th::id.asc())
        .select((th::id, th::actor_id, th::kind, th::detail, th::created_at))
        .load(conn)?;
    let names = users::names(conn, rows.iter().filter_map(|r| r.1.as_ref()))?;
    Ok(rows
        .into_iter()
        .map(|(id, actor_id, kind, detail, at)| TicketHistoryEntry {
            actor_name: match &actor_id {
                Some(a) => names
                    .get(a)
                    .cloned()
                    .unwrap_or_else(|| "Former user".into()),
                None => DESK.into(),
            },
            id,
            kind,
            actor_id,
            detail,
            created_at: to_utc(at),
        })
        .collect())
}

pub fn tags_of(conn: &mut DbConn, ticket_id: &str) -> ApiResult<Vec<String>> {
    Ok(tt::table
        .filter(tt::ticket_id.eq(ticket_id))
        .order(tt::tag.asc())
        .select(tt::tag)
        .load(conn)?)
}

pub fn set_tags(conn: &mut DbConn, ticket_id: &str, tags: &[String]) -> ApiResult<()> {
    crate::on_driver!(conn, |c| diesel::delete(
        tt::table.filter(tt::ticket_id.eq(ticket_id))
    )
    .execute(c))?;
    add_tags(conn, ticket_id, tags)
}

/// Tags a ticket that has none yet (a new one).
pub fn add_tags(conn: &mut DbConn, ticket_id: &str, tags: &[String]) -> ApiResult<()> {
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| (tt::ticket_id.eq(ticket_id), tt::tag.eq(tag)))
        .collect();
    if !rows.is_empty() {
        crate::insert_rows!(conn, tt::table, &rows)?;
    }
    Ok(())
}

fn clock(
    at: DateTime<Utc>,
    d: Option<Deadline>,
    achieved: Option<NaiveDateTime>,
    breached: bool,
    paused: bool,
) -> SlaClock {
    SlaClock {
        state: sla::clock_state(at, d.as_ref(), achieved.map(to_utc), paused),
        due_at: d.as_ref().map(|d| d.due_at),
        warn_at: d.as_ref().map(|d| d.warn_at),
        achieved_at: achieved.map(to_utc),
        breached,
    }
}

/// The SLA clocks of a ticket at `at`.
pub fn sla_of(row: &TicketRow, policy_name: Option<String>, at: DateTime<Utc>) -> TicketSla {
    let paused = row.sla_paused_at.is_some();
    let resolution = row.resolution_deadline().map(|d| {
        clock(
            at,
            Some(d),
            row.resolved_at,
            row.resolution_breached,
            paused,
        )
    });
    TicketSla {
        policy_id: row.sla_policy_id.clone(),
        policy_name: policy_name.unwrap_or_else(|| DEFAULT_POLICY.into()),
        first_response: clock(
            at,
            row.first_response_deadline(),
            row.first_responded_at,
            row.first_response_breached,
            paused,
        ),
        resolution,
        paused,
    }
}

/// The nearest unmet deadline's state, for queue rows.
fn next_due_state(row: &TicketRow, at: DateTime<Utc>) -> Option<ClockState> {
    let next = row.next_due_at?;
    let d = if row.first_responded_at.is_none() {
        row.first_response_deadline()
    } else {
        row.resolution_deadline()
    };
    let d = d.filter(|d| d.due_at == to_utc(next))?;
    Some(sla::clock_state(at, Some(&d), None, false))
}

/// Names of the organisations, products, departments and users a set of tickets refers to,
/// each in one query.
#[derive(Default)]
struct Names {
    orgs: HashMap<String, String>,
    products: HashMap<String, String>,
    departments: HashMap<String, String>,
    users: HashMap<String, String>,
}

impl Names {
    fn load(conn: &mut DbConn, rows: &[&TicketRow]) -> ApiResult<Names> {
        use crate::db::schema::organizations as o;
        let mut org_ids: Vec<&String> = rows.iter().map(|r| &r.organization_id).collect();
        org_ids.sort();
        org_ids.dedup();
        let orgs = o::table
            .filter(o::id.eq_any(org_ids))
            .select((o::id, o::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let mut product_ids: Vec<&String> =
            rows.iter().filter_map(|r| r.product_id.as_ref()).collect();
        product_ids.sort();
        product_ids.dedup();
        let products = if product_ids.is_empty() {
            HashMap::new()
        } else {
            pr::table
                .filter(pr::id.eq_any(product_ids))
                .select((pr::id, pr::name))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect()
        };
        let mut dept_ids: Vec<&String> = rows
            .iter()
            .filter_map(|r| r.department_id.as_ref())
            .collect();
        dept_ids.sort();
        dept_ids.dedup();
        let departments = if dept_ids.is_empty() {
            HashMap::new()
        } else {
            d::table
                .filter(d::id.eq_any(dept_ids))
                .select((d::id, d::name))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect()
        };
        let users = users::names(conn, rows.iter().filter_map(|r| r.assignee_id.as_ref()))?;
        Ok(Names {
            orgs,
            products,
            departments,
            users,
        })
    }
}

fn opt_name(map: &HashMap<String, String>, id: &Option<String>) -> Option<String> {
    id.as_ref().and_then(|i| map.get(i).cloned())
}

pub fn to_dto(conn: &mut DbConn, ctx: &TicketCtx) -> ApiResult<Ticket> {
    let row = &ctx.ticket;
    let names = Names::load(conn, &[row])?;
    let tags = tags_of(conn, &row.id)?;
    let sla = match ctx.side {
        Side::Client => None,
        Side::Staff => {
            let policy_name: Option<String> = match &row.sla_policy_id {
                Some(id) => sp::table.find(id).select(sp::name).first(conn).optional()?,
                None => None,
            };
            Some(sla_of(row, policy_name, Utc::now()))
        }
    };
    Ok(Ticket {
        id: row.id.clone(),
        number: row.number,
        subject: row.subject.clone(),
        status: row.status(),
        channel: row.channel(),
        cluster: row.cluster(),
        priority: row.priority(),
        priority_reason: row.priority_reason.clone(),
        requester_id: row.requester_id.clone(),
        requester_name: row.requester_name.clone(),
        requester_email: row.requester_email.clone(),
        organization_id: row.organization_id.clone(),
        organization_name: ctx.org.name.clone(),
        product_id: row.product_id.clone(),
        product_name: opt_name(&names.products, &row.product_id),
        department_id: row.department_id.clone(),
        department_name: opt_name(&names.departments, &row.department_id),
        assignee_id: row.assignee_id.clone(),
        assignee_name: opt_name(&names.users, &row.assignee_id),
        tags,
        purchase_date: row.purchase_date,
        sla,
        allowed_statuses: status::allowed(row.status(), ctx.status_actor()),
        rating: crate::desk::csat::of_ticket(conn, &row.id)?,
        created_at: to_utc(row.created_at),
        updated_at: to_utc(row.updated_at),
        resolved_at: row.resolved_at.map(to_utc),
        closed_at: row.closed_at.map(to_utc),
        version: row.version,
    })
}

pub fn to_summaries(
    conn: &mut DbConn,
    rows: Vec<TicketRow>,
    side: Side,
) -> ApiResult<Vec<TicketSummary>> {
    let refs: Vec<&TicketRow> = rows.iter().collect();
    let names = Names::load(conn, &refs)?;
    let at = Utc::now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let staff = side == Side::Staff;
            TicketSummary {
                next_due_at: r.next_due_at.filter(|_| staff).map(to_utc),
                sla_state: if staff { next_due_state(&r, at) } else { None },
                status: r.status(),
                channel: r.channel(),
                cluster: r.cluster(),
                priority: r.priority(),
                organization_name: names
                    .orgs
                    .get(&r.organization_id)
                    .cloned()
                    .unwrap_or_default(),
                assignee_name: opt_name(&names.users, &r.assignee_id),
                department_name: opt_name(&names.departments, &r.department_id),
                id: r.id,
                number: r.number,
                subject: r.subject,
                organization_id: r.organization_id,
                requester_name: r.requester_name,
                assignee_id: r.assignee_id,
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
            }
        })
        .collect())
}

/// The client users who follow the ticket: their organisation's admins and the requester.
fn client_audience(conn: &mut DbConn, row: &TicketRow) -> ApiResult<Vec<String>> {
    let mut client: Vec<String> = crate::on_driver!(conn, |c| u::table
        .filter(u::organization_id.eq(&row.organization_id))
        .filter(u::role.eq(Role::ClientAdmin.as_str()))
        .filter(u::active.eq(true))
        .select(u::id)
        .load(c))?;
    client.extend(row.requester_id.clone());
    client.sort();
    client.dedup();
    Ok(client)
}

/// Tells everyone concerned (and the actor's other tabs) that the ticket changed; the web app
/// refetches what it shows.
pub fn announce(
    conn: &mut DbConn,
    row: &TicketRow,
    csm_id: Option<&str>,
    actor_id: Option<&str>,
) -> ApiResult<()> {
    let payload = serde_json::json!({
        "ticket_id": row.id, "number": row.number, "status": row.status,
        "assignee_id": row.assignee_id, "department_id": row.department_id,
    });
    tell(
        conn,
        row,
        csm_id,
        actor_id,
        true,
        "ticket.changed",
        &payload,
    )
}

/// Publishes an event to those who follow the ticket: one event for its department's
/// members, one each for the others (the assignee, the CSM, the actor and, when `clients`,
/// the client users who follow it) who are not members.
pub fn tell(
    conn: &mut DbConn,
    row: &TicketRow,
    csm_id: Option<&str>,
    actor_id: Option<&str>,
    clients: bool,
    kind: &str,
    payload: &serde_json::Value,
) -> ApiResult<()> {
    let members: Vec<String> = match &row.department_id {
        Some(dept) => {
            publish_to_department(conn, dept, kind, payload)?;
            crate::realtime::events::department_audience(conn, dept)?
        }
        None => Vec::new(),
    };
    let mut others = if clients {
        client_audience(conn, row)?
    } else {
        Vec::new()
    };
    others.extend(row.assignee_id.clone());
    others.extend(csm_id.map(str::to_string));
    others.extend(actor_id.map(str::to_string));
    others.sort();
    others.dedup();
    others.retain(|u| !members.contains(u));
    publish(conn, &others, kind, payload)
}

/// [`announce`] for a change the desk made by itself (sweeps), looking up the CSM.
pub fn announce_desk_change(conn: &mut DbConn, row: &TicketRow) -> ApiResult<()> {
    use crate::db::schema::organizations as o;
    let csm: Option<Option<String>> = o::table
        .find(&row.organization_id)
        .select(o::csm_id)
        .first(conn)
        .optional()?;
    announce(conn, row, csm.flatten().as_deref(), None)
}
