//! A new ticket, from whichever entry point (portal, e-mail, API, phone, chat): number it,
//! route it by cluster, prioritise it from product urgency and the client's plan and spend,
//! start its SLA clocks, store its first message, assign it — each step recorded in the
//! ticket's history with why — and tell the people concerned. One transaction.

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::desk::priority::{self, PriorityInput};
use shared::desk::ticket::normalize_tags;
use shared::desk::{Channel, Cluster, MessageKind, ProductUrgency, TicketStatus};

use crate::config::Config;
use crate::db::schema::{
    cluster_routes as cr, departments as d, products as pr, ticket_messages as tm, tickets as t,
};
use crate::db::{DbConn, new_id, now};
use crate::desk::{assign, clock, search};
use crate::error::{ApiError, ApiResult};
use crate::resources::organizations::OrgRow;
use crate::resources::tickets::{self, History, TicketRow, rank};

/// Who the ticket is for.
pub struct Requester {
    pub id: Option<String>,
    pub name: String,
    pub email: String,
}

/// Everything an entry point knows about a new request.
pub struct Intake {
    pub subject: String,
    pub body: String,
    pub cluster: Cluster,
    pub product_id: Option<String>,
    pub channel: Channel,
    pub requester: Requester,
    pub organization: OrgRow,
    pub purchase_date: Option<NaiveDate>,
    pub tags: Vec<String>,
    /// The user who entered it, when not the requester (an agent logging a call).
    pub created_by: Option<String>,
    /// Threads later e-mails into this ticket.
    pub email_thread_id: Option<String>,
}

struct Product {
    name: String,
    urgency: Option<ProductUrgency>,
    skill: Option<String>,
}

fn product(conn: &mut DbConn, id: &str) -> ApiResult<Product> {
    let row: Option<(String, String, Option<String>)> = crate::on_driver!(conn, |c| pr::table
        .find(id)
        .select((pr::name, pr::urgency, pr::skill))
        .first(c)
        .optional())?;
    let (name, urgency, skill) = row
        .ok_or_else(|| ApiError::field("product_id", "exists", "is not a product of this desk"))?;
    Ok(Product {
        name,
        urgency: ProductUrgency::parse(&urgency),
        skill,
    })
}

/// The next ticket number: a sequence on PostgreSQL, one past the highest on SQLite (whose
/// writers take turns, so two creators never read the same highest).
fn next_number(conn: &mut DbConn) -> ApiResult<i64> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let next: Next = match conn {
        DbConn::Pg(c) => {
            diesel::sql_query("SELECT nextval('ticket_numbers') AS n").get_result(c)?
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM tickets")
                .get_result(c)?
        }
    };
    Ok(next.n)
}

/// The route for a cluster: its department (with name) and the skill it asks for.
fn route(
    conn: &mut DbConn,
    cluster: Cluster,
) -> ApiResult<Option<(String, String, Option<String>)>> {
    Ok(crate::on_driver!(conn, |c| cr::table
        .inner_join(d::table)
        .filter(cr::cluster.eq(cluster.as_str()))
        .select((d::id, d::name, cr::required_skill))
        .first(c)
        .optional())?)
}

/// Writes the new ticket: its row, first message, tags, search entries and history.
fn store(conn: &mut DbConn, row: &TicketRow, input: &Intake, history: History) -> ApiResult<()> {
    crate::on_driver!(conn, |c| diesel::insert_into(t::table)
        .values(row)
        .execute(c))?;
    crate::on_driver!(conn, |c| diesel::insert_into(tm::table)
        .values((
            tm::id.eq(new_id()),
            tm::ticket_id.eq(&row.id),
            tm::author_id.eq(&input.requester.id),
            tm::author_name.eq(&input.requester.name),
            tm::kind.eq(MessageKind::Reply.as_str()),
            tm::channel.eq(input.channel.as_str()),
            tm::body.eq(input.body.trim()),
            tm::created_at.eq(row.created_at),
        ))
        .execute(c))?;
    tickets::add_tags(conn, &row.id, &normalize_tags(&input.tags))?;
    search::index(conn, &row.id, true, &[&row.subject, input.body.trim()])?;
    history.write(conn)
}

/// Opens the ticket; answers the saved row.
pub fn open(conn: &mut DbConn, config: &Config, input: Intake) -> ApiResult<TicketRow> {
    let product = match &input.product_id {
        Some(id) => Some(product(conn, id)?),
        None => None,
    };
    let org = &input.organization;
    let decision = priority::compute(
        &crate::desk::settings::priority_rules(conn)?,
        &PriorityInput {
            cluster: input.cluster,
            product_name: product.as_ref().map(|p| p.name.as_str()),
            product_urgency: product.as_ref().and_then(|p| p.urgency),
            plan: org.plan.as_deref(),
            yearly_spend: org.yearly_spend,
        },
    );
    let route = route(conn, input.cluster)?;
    let at = now();
    let mut row = TicketRow {
        id: new_id(),
        number: next_number(conn)?,
        subject: input.subject.trim().to_string(),
        requester_id: input.requester.id.clone(),
        requester_name: input.requester.name.clone(),
        requester_email: input.requester.email.clone(),
        organization_id: org.id.clone(),
        product_id: input.product_id.clone(),
        cluster: input.cluster.as_str().into(),
        channel: input.channel.as_str().into(),
        priority: decision.priority.as_str().into(),
        priority_rank: rank(decision.priority),
        priority_reason: decision.reason.clone(),
        department_id: route.as_ref().map(|r| r.0.clone()),
        assignee_id: None,
        status: TicketStatus::New.as_str().into(),
        active: true,
        sla_policy_id: None,
        first_response_warn_at: None,
        first_response_due_at: None,
        first_responded_at: None,
        first_response_breached: false,
        resolution_warn_at: None,
        resolution_due_at: None,
        resolution_breached: false,
        sla_warned: false,
        sla_paused_at: None,
        next_due_at: None,
        sla_next_check_at: None,
        purchase_date: input.purchase_date,
        created_by: input.created_by.clone(),
        email_thread_id: input.email_thread_id.clone(),
        resolved_at: None,
        closed_at: None,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    let sla_detail = clock::start(conn, &mut row, org.plan.as_deref(), at.and_utc())?;

    let actor = input
        .created_by
        .as_deref()
        .or(input.requester.id.as_deref());
    let mut history = History::new(&row.id);
    history.add(
        actor,
        "created",
        &format!(
            "Opened by {} via {}",
            input.requester.name,
            input.channel.as_str()
        ),
    );
    let routed = match &route {
        Some((_, name, _)) => format!(
            "Routed to {name}: cluster {}",
            input.cluster.label().to_lowercase()
        ),
        None => format!(
            "Not routed: no department handles {} (configure the cluster's route)",
            input.cluster.label().to_lowercase()
        ),
    };
    history.add(None, "routed", &routed);
    history.add(
        None,
        "prioritized",
        &format!("Priority {}", decision.reason),
    );
    history.add(None, "sla", &sla_detail);

    // The product's skill is the most specific need; the cluster's route may ask for one too.
    let skill = product
        .as_ref()
        .and_then(|p| p.skill.clone())
        .or_else(|| route.as_ref().and_then(|r| r.2.clone()));
    // Automation rules may re-route, re-prioritise, tag or answer it (desk::automate).
    let fired = crate::desk::automate::fired(conn, &row, &input.body, org)?;
    if fired.is_empty() {
        // The usual case: assigned before it is stored, so the row is written once (a second
        // write would touch every index of the ticket table again).
        let choice = assign::decide(conn, &row, skill.as_deref())?;
        assign::give(conn, config, &mut row, &choice, None, &mut history)?;
        store(conn, &row, &input, history)?;
    } else {
        store(conn, &row, &input, history)?;
        let needs_human = crate::desk::automate::apply(conn, config, &mut row, &fired, org)?;
        let choice = if needs_human {
            assign::decide(conn, &row, skill.as_deref())?
        } else {
            crate::desk::automate::left_for_customer()
        };
        assign::apply(conn, config, &mut row, &choice, None)?;
        tickets::save(conn, &row)?;
    }
    // Returns/refunds/cancellations meet the refund policy; repeats are handed to the CSM.
    crate::desk::refunds::apply(conn, config, &row, org)?;
    crate::desk::repeats::check(conn, config, &row, org)?;
    tickets::announce(conn, &row, org.csm_id.as_deref(), actor)?;
    Ok(row)
}
