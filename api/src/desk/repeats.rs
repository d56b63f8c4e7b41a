//! Repeated problems on a new ticket (the support → CS signal): after the
//! ticket is stored, count the tickets about the same product and cluster — from this client
//! within the rule's days, and the distinct organisations within the other look-back — and
//! let `shared::desk::repeats::detect` judge. On a signal the client's CSM gets a support →
//! CSM handoff (owner the CSM, due in three days, linked to the ticket and the client's
//! project) and a notification. While an open handoff about the same organisation, product
//! and cluster exists, later tickets join it instead of raising another.
//!
//! Across clients, only tickets naming a product count: "no product" across organisations is
//! the whole desk's traffic, not one problem.
//!
//! This runs inside ticket creation's write turn, and an outage brings thousands of tickets
//! about one product: a problem already handed off joins its handoff without counting, and a
//! count reads no more rows than its threshold.

use chrono::{Days, Duration, Utc};
use diesel::prelude::*;
use shared::desk::handoff::{self, HandoffKind, HandoffStatus};
use shared::desk::repeats;
use shared::notification::NotificationKind;

use crate::config::Config;
use crate::db::schema::{
    handoff_tickets as ht, handoffs as h, products as pr, projects as p, tickets as t,
};
use crate::db::{DbConn, new_id, now};
use crate::error::ApiResult;
use crate::notify::{Notice, notify};
use crate::resources::organizations::OrgRow;
use crate::resources::tickets::{TicketRow, record};

/// How long the CSM has to act on a repeated problem.
pub const DUE_IN_DAYS: u64 = 3;

/// The client's tickets about the same product and cluster, counted up to `enough` (the
/// threshold).
fn count_same_client(conn: &mut DbConn, row: &TicketRow, days: u32, enough: u32) -> ApiResult<i64> {
    let since = now() - Duration::days(i64::from(days));
    let q = t::table
        .filter(t::organization_id.eq(&row.organization_id))
        .filter(t::cluster.eq(&row.cluster))
        .filter(t::created_at.ge(since))
        .select(t::id)
        .limit(i64::from(enough));
    let found: Vec<String> = match &row.product_id {
        Some(id) => crate::on_driver!(conn, |c| q.filter(t::product_id.eq(id)).load(c))?,
        None => crate::on_driver!(conn, |c| q.filter(t::product_id.is_null()).load(c))?,
    };
    Ok(found.len() as i64)
}

/// Distinct organisations, counted only up to `enough` (the threshold): a busy product's week
/// need not be read to the end to know the rule fired.
fn count_orgs(conn: &mut DbConn, row: &TicketRow, days: u32, enough: u32) -> ApiResult<i64> {
    let Some(product) = &row.product_id else {
        return Ok(0);
    };
    let since = now() - Duration::days(i64::from(days));
    let orgs: Vec<String> = crate::on_driver!(conn, |c| t::table
        .filter(t::product_id.eq(product))
        .filter(t::cluster.eq(&row.cluster))
        .filter(t::created_at.ge(since))
        .select(t::organization_id)
        .distinct()
        .limit(i64::from(enough))
        .load(c))?;
    Ok(orgs.len() as i64)
}

/// The open support → CSM handoff about this organisation, product and cluster.
fn open_handoff(conn: &mut DbConn, row: &TicketRow) -> ApiResult<Option<(String, String)>> {
    let open: Vec<&str> = HandoffStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let mut q = h::table
        .filter(h::organization_id.eq(&row.organization_id))
        .filter(h::kind.eq(HandoffKind::SupportToCsm.as_str()))
        .filter(h::cluster.eq(&row.cluster))
        .filter(h::status.eq_any(open))
        .select((h::id, h::title))
        .order(h::id.asc())
        .into_boxed();
    q = match &row.product_id {
        Some(id) => q.filter(h::product_id.eq(id.clone())),
        None => q.filter(h::product_id.is_null()),
    };
    Ok(q.first(conn).optional()?)
}

fn link(conn: &mut DbConn, handoff_id: &str, ticket_id: &str) -> ApiResult<()> {
    diesel::insert_into(ht::table)
        .values((
            ht::handoff_id.eq(handoff_id),
            ht::ticket_id.eq(ticket_id),
            ht::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Looks for a repeated problem after a new ticket was stored; see the module comment.
pub fn check(conn: &mut DbConn, config: &Config, row: &TicketRow, org: &OrgRow) -> ApiResult<()> {
    // Already handed off: the ticket joins the handoff, nothing to count.
    if let Some((id, title)) = open_handoff(conn, row)? {
        link(conn, &id, &row.id)?;
        return record(
            conn,
            &row.id,
            None,
            "handoff",
            &format!("repeated problem: joined the open handoff '{title}'"),
        );
    }
    let rule = crate::desk::settings::repeat_rule(conn)?;
    let same = count_same_client(conn, row, rule.per_client_days, rule.per_client_tickets)?;
    // The client's own count decides first (see `repeats::detect`): when it fires, the other
    // organisations need no counting.
    let orgs = if same >= i64::from(rule.per_client_tickets) {
        0
    } else {
        count_orgs(
            conn,
            row,
            rule.across_clients_days,
            rule.across_clients_orgs,
        )?
    };
    let product: String = match &row.product_id {
        Some(id) => crate::on_driver!(conn, |c| pr::table
            .find(id)
            .select(pr::name)
            .first(c)
            .optional())?
        .unwrap_or_default(),
        None => String::new(),
    };
    let to_u32 = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let Some(signal) = repeats::detect(&rule, to_u32(same), to_u32(orgs), &product, row.cluster())
    else {
        return Ok(());
    };
    let Some(csm) = org.csm_id.clone() else {
        return record(
            conn,
            &row.id,
            None,
            "handoff",
            &format!(
                "repeated problem: {}; the client has no CSM to tell (assign one on the organisation)",
                signal.reason
            ),
        );
    };
    let project: Option<String> = p::table
        .filter(p::organization_id.eq(&org.id))
        .order(p::created_at.desc())
        .select(p::id)
        .first(conn)
        .optional()?;
    let title = handoff::repeat_title(&product, row.cluster());
    let at = now();
    let due = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(DUE_IN_DAYS))
        .unwrap_or(chrono::NaiveDate::MAX);
    let id = new_id();
    diesel::insert_into(h::table)
        .values((
            h::id.eq(&id),
            h::kind.eq(HandoffKind::SupportToCsm.as_str()),
            h::organization_id.eq(&org.id),
            h::project_id.eq(&project),
            h::ticket_id.eq(Some(&row.id)),
            h::product_id.eq(&row.product_id),
            h::cluster.eq(Some(&row.cluster)),
            h::owner_id.eq(&csm),
            h::created_by.eq(None::<String>),
            h::title.eq(&title),
            h::summary.eq(&signal.reason),
            h::status.eq(HandoffStatus::Open.as_str()),
            h::due_on.eq(due),
            h::created_at.eq(at),
            h::updated_at.eq(at),
            h::version.eq(1),
        ))
        .execute(conn)?;
    link(conn, &id, &row.id)?;
    record(
        conn,
        &row.id,
        None,
        "handoff",
        &format!(
            "repeated problem: {}; handed off to the client's CSM (due {due})",
            signal.reason
        ),
    )?;
    notify(
        conn,
        config,
        &[csm],
        &Notice {
            kind: NotificationKind::Handoff,
            title: format!("{title} at {}", org.name),
            body: signal.reason,
            project_id: project,
            link: Some(row.link()),
            actor_id: None,
        },
    )?;
    Ok(())
}
