//! `tandem seed-desk`: the support-desk benchmark data set on top of
//! the demo — client organisations with two users each, support agents in the demo
//! departments, and a year of tickets spread over statuses, priorities, clusters, channels and
//! assignees, with their messages, tags, a "created" history line and the search index rows.
//!
//! Speed matters (millions of rows): the password is hashed once, rows go in as multi-row
//! INSERTs on the driver's own connection, and each batch of tickets is one transaction.
//! Texts are made of generated words with a Zipf-like spread, so a search finds common words
//! in most tickets and rare words in a handful ([`word`], [`COMMON`], [`RARE`]).

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::Role;
use shared::desk::{Channel, Cluster, MessageKind, Priority, TicketStatus};

use crate::auth::password;
use crate::db::schema::{
    cluster_routes as cr, department_members as dm, organizations as o, ticket_history as th,
    ticket_messages as tm, ticket_tags as tt, tickets as t, users as u,
};
use crate::db::{Backend, Db, DbConn, now, write_tx};
use crate::demo;
use crate::desk::search;
use crate::error::{ApiError, ApiResult};
use crate::resources::tickets::{TicketRow, rank};
use crate::resources::users;
use crate::setup::ensure_vendor;

/// The first desk bench agent; its presence means the desk bench data is already there.
pub const FIRST_AGENT: &str = "agent-desk-0@magicstore.test";

/// Tickets written per transaction.
const TICKETS_PER_TX: usize = 2_000;
/// Rows per INSERT: 500 rows × 37 columns stays below both engines' bound-parameter limits.
const ROWS_PER_INSERT: usize = 500;
/// Distinct generated words.
const VOCABULARY: usize = 50_000;
/// Index of a word found in most tickets, and of one found in only a few dozen messages.
pub const COMMON: usize = 0;
pub const RARE: usize = VOCABULARY - 7;

/// Tags; the last is rare (one ticket in a thousand).
pub const TAGS: &[&str] = &[
    "vip",
    "checkout",
    "refund",
    "bug",
    "feed",
    "invoice",
    "shipping",
    "login",
    "legal-hold",
];

#[derive(Debug, Clone)]
pub struct Options {
    pub tickets: usize,
    pub messages: usize,
    pub orgs: usize,
    pub agents: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tickets: 1_000_000,
            messages: 5_000_000,
            orgs: 2_000,
            agents: 100,
        }
    }
}

/// The e-mail of desk bench agent `k` (0-based).
pub fn agent_email(k: usize) -> String {
    format!("agent-desk-{k}@magicstore.test")
}

/// The e-mails of desk client organisation `i` (0-based): its admin and its member.
pub fn client_emails(i: usize) -> [String; 2] {
    [
        format!("admin@desk-{i}.test"),
        format!("member@desk-{i}.test"),
    ]
}

/// Generated word `k`: three or four syllables, distinct for every `k` below 65,280.
pub fn word(k: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fe", "gu", "ho", "ji", "pe",
        "zu",
    ];
    let mut n = k + 256;
    let mut out = Vec::new();
    while n > 0 {
        out.push(SYLLABLES[n % 16]);
        n /= 16;
    }
    out.concat()
}

/// A word drawn so that word `k` comes up in proportion to 1/(k+1) (Zipf-like).
fn draw_word(rng: &mut StdRng) -> String {
    let u: f64 = rng.random();
    let k = ((VOCABULARY as f64).powf(u) as usize).saturating_sub(1);
    word(k.min(VOCABULARY - 1))
}

fn sentence(rng: &mut StdRng, words: usize) -> String {
    (0..words)
        .map(|_| draw_word(rng))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Migrates, loads the demo if absent, then writes the desk bench data; `progress` hears a
/// line per batch. Refuses when desk bench data is already there.
pub fn run(db: &Db, opts: &Options, mut progress: impl FnMut(&str)) -> Result<(), String> {
    if opts.tickets == 0 || opts.orgs == 0 || opts.agents == 0 {
        return Err("--tickets, --orgs and --agents must be at least 1".into());
    }
    let started = Instant::now();
    db.migrate()?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let conn = &mut *conn;
    let err = |e: ApiError| e.to_string();
    crate::resources::templates::ensure_builtin(conn).map_err(err)?;
    if demo::load(conn).map_err(err)? {
        progress("demo dataset loaded");
    }
    if users::find_by_email(conn, FIRST_AGENT)
        .map_err(err)?
        .is_some()
    {
        return Err(format!(
            "desk bench data is already in this database ({FIRST_AGENT} exists); seed a fresh database"
        ));
    }
    // One hash for every account: argon2 per user would take hours.
    let hash = password::hash(demo::PASSWORD).map_err(err)?;
    let vendor = ensure_vendor(conn, "MagicStore").map_err(err)?;
    let routes: Vec<(String, String)> = cr::table
        .select((cr::cluster, cr::department_id))
        .load(conn)
        .map_err(|e| e.to_string())?;
    if routes.is_empty() {
        return Err("no cluster routes: the demo desk is missing".into());
    }
    let mut depts: Vec<String> = routes.iter().map(|r| r.1.clone()).collect();
    depts.sort();
    depts.dedup();
    let csms: Vec<String> = u::table
        .filter(u::role.eq(Role::Csm.as_str()))
        .order(u::email.asc())
        .select(u::id)
        .load(conn)
        .map_err(|e| e.to_string())?;
    let base_number: i64 = t::table
        .select(diesel::dsl::max(t::number))
        .first::<Option<i64>>(conn)
        .map_err(|e| e.to_string())?
        .unwrap_or(0);
    let setup = write_tx(conn, |conn| {
        let agents = insert_agents(conn, &vendor, &hash, opts.agents, &depts)?;
        let orgs = insert_orgs(conn, &hash, opts.orgs, &csms)?;
        Ok((agents, orgs))
    })
    .map_err(err)?;
    progress(&format!(
        "{} agents, {} client organisations ({:.1} s)",
        opts.agents,
        opts.orgs,
        started.elapsed().as_secs_f64()
    ));
    let plan = Plan {
        opts,
        routes: &routes,
        agents: &setup.0,
        orgs: &setup.1,
        base_number,
        start: now() - Duration::days(365),
        now: now(),
    };
    let mut messages = 0;
    let mut last_print = Instant::now();
    for first in (0..opts.tickets).step_by(TICKETS_PER_TX) {
        let last = (first + TICKETS_PER_TX).min(opts.tickets);
        messages += write_tx(conn, |conn| plan.write_batch(conn, first..last)).map_err(err)?;
        if last == opts.tickets || last_print.elapsed().as_secs() >= 5 {
            last_print = Instant::now();
            progress(&format!(
                "{last}/{} tickets, {messages} messages ({:.1} s)",
                opts.tickets,
                started.elapsed().as_secs_f64()
            ));
        }
    }
    let sql = |q: &str, conn: &mut DbConn| {
        diesel::sql_query(q.to_string())
            .execute(conn)
            .map_err(|e| e.to_string())
    };
    match db.backend() {
        Backend::Postgres => {
            // New tickets must number after the seeded ones.
            sql(
                "SELECT setval('ticket_numbers', (SELECT MAX(number) FROM tickets))",
                conn,
            )?;
            // Fresh planner statistics, as autovacuum would make them shortly in production.
            sql("ANALYZE", conn)?;
        }
        Backend::Sqlite => {
            // Merge the full-text index's segments (as FTS5's automerge would, over time) and
            // give the query planner statistics.
            sql(
                "INSERT INTO ticket_search (ticket_search) VALUES ('optimize')",
                conn,
            )?;
            // The words of the new rows, for prefix searches (desk::search).
            sql(
                "INSERT OR IGNORE INTO ticket_search_words (word) \
                 SELECT term FROM ticket_search_vocab WHERE col = 'body'",
                conn,
            )?;
            sql("ANALYZE", conn)?;
            // But none for the full-text index's own tables: FTS5 keeps its lookups prepared,
            // and with statistics on their tables (STAT4) SQLite re-prepares such a statement
            // whenever a bound value changes — on every term of every search (a fifth of a
            // prefix search's time, measured with perf at 1,000,000 tickets).
            sql(
                "DELETE FROM sqlite_stat1 WHERE tbl GLOB 'ticket_search_*' AND tbl <> 'ticket_search_words'",
                conn,
            )?;
            sql(
                "DELETE FROM sqlite_stat4 WHERE tbl GLOB 'ticket_search_*' AND tbl <> 'ticket_search_words'",
                conn,
            )?;
            sql("ANALYZE sqlite_schema", conn)?;
        }
    }
    progress(&format!(
        "seeded {} agents, {} client organisations with {} users, {} tickets, {messages} messages in {:.1} s on {}",
        opts.agents,
        opts.orgs,
        opts.orgs * 2,
        opts.tickets,
        started.elapsed().as_secs_f64(),
        db.backend().name()
    ));
    Ok(())
}

/// Inserts `rows` in chunks of multi-row INSERTs on the driver connection.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            crate::on_driver!(&mut *$conn, |c| diesel::insert_into($table)
                .values(chunk)
                .execute(c))?;
        }
    };
}

#[allow(clippy::type_complexity)]
fn user_row(
    id: &str,
    org: &str,
    email: String,
    name: String,
    role: Role,
    hash: &str,
    at: NaiveDateTime,
) -> (
    diesel::dsl::Eq<u::id, String>,
    diesel::dsl::Eq<u::organization_id, String>,
    diesel::dsl::Eq<u::email, String>,
    diesel::dsl::Eq<u::name, String>,
    diesel::dsl::Eq<u::role, &'static str>,
    diesel::dsl::Eq<u::password_hash, String>,
    diesel::dsl::Eq<u::active, bool>,
    diesel::dsl::Eq<u::availability, Option<&'static str>>,
    diesel::dsl::Eq<u::created_at, NaiveDateTime>,
    diesel::dsl::Eq<u::updated_at, NaiveDateTime>,
    diesel::dsl::Eq<u::version, i32>,
) {
    let online = (role == Role::SupportAgent).then_some("online");
    (
        u::id.eq(id.to_string()),
        u::organization_id.eq(org.to_string()),
        u::email.eq(email),
        u::name.eq(name),
        u::role.eq(role.as_str()),
        u::password_hash.eq(hash.to_string()),
        u::active.eq(true),
        u::availability.eq(online),
        u::created_at.eq(at),
        u::updated_at.eq(at),
        u::version.eq(1),
    )
}

/// An agent: id and department.
struct Agent {
    id: String,
    dept: String,
}

fn insert_agents(
    conn: &mut DbConn,
    vendor: &str,
    hash: &str,
    count: usize,
    depts: &[String],
) -> ApiResult<Vec<Agent>> {
    let at = now();
    let agents: Vec<Agent> = (0..count)
        .map(|k| Agent {
            id: crate::db::new_id(),
            dept: depts[k % depts.len()].clone(),
        })
        .collect();
    let rows: Vec<_> = agents
        .iter()
        .enumerate()
        .map(|(k, a)| {
            user_row(
                &a.id,
                vendor,
                agent_email(k),
                format!("Desk agent {k}"),
                Role::SupportAgent,
                hash,
                at,
            )
        })
        .collect();
    insert_all!(conn, u::table, rows);
    let members: Vec<_> = agents
        .iter()
        .map(|a| {
            (
                dm::department_id.eq(a.dept.clone()),
                dm::user_id.eq(a.id.clone()),
            )
        })
        .collect();
    insert_all!(conn, dm::table, members);
    Ok(agents)
}

/// A client organisation: id, plan, and its admin and member (id, name, e-mail).
struct Org {
    id: String,
    people: [(String, String, String); 2],
}

fn insert_orgs(
    conn: &mut DbConn,
    hash: &str,
    count: usize,
    csms: &[String],
) -> ApiResult<Vec<Org>> {
    let at = now();
    let today = at.date();
    let mut orgs = Vec::new();
    let mut org_rows = Vec::new();
    let mut people = Vec::new();
    for i in 0..count {
        let id = crate::db::new_id();
        let business = i % 4 == 0;
        org_rows.push((
            o::id.eq(id.clone()),
            o::name.eq(format!("Desk client {i:05}")),
            o::kind.eq("client"),
            o::plan.eq(if business { "business" } else { "standard" }),
            o::contract_start.eq(today - Duration::days(30 + (i % 300) as i64)),
            o::industry.eq("E-commerce"),
            o::yearly_spend.eq(5_000 + (i as i64 % 60) * 1_000),
            o::size.eq(5 + (i % 50) as i32),
            o::growth_potential.eq("medium"),
            o::segment.eq("small business"),
            o::touch_model.eq("low"),
            o::lifecycle_stage.eq("adoption"),
            o::csm_id.eq(csms.get(i % csms.len().max(1)).cloned()),
            o::created_at.eq(at),
            o::updated_at.eq(at),
            o::version.eq(1),
        ));
        let [admin_email, member_email] = client_emails(i);
        let admin = (crate::db::new_id(), format!("Desk admin {i}"), admin_email);
        let member = (
            crate::db::new_id(),
            format!("Desk member {i}"),
            member_email,
        );
        people.push(user_row(
            &admin.0,
            &id,
            admin.2.clone(),
            admin.1.clone(),
            Role::ClientAdmin,
            hash,
            at,
        ));
        people.push(user_row(
            &member.0,
            &id,
            member.2.clone(),
            member.1.clone(),
            Role::ClientMember,
            hash,
            at,
        ));
        orgs.push(Org {
            id,
            people: [admin, member],
        });
    }
    insert_all!(conn, o::table, org_rows);
    insert_all!(conn, u::table, people);
    Ok(orgs)
}

/// A UUIDv7 for instant `at`, so ids sort like the times they stand for.
fn id_at(at: NaiveDateTime) -> String {
    let ts = at.and_utc();
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        ts.timestamp() as u64,
        ts.timestamp_subsec_nanos(),
    ))
    .to_string()
}

/// Picks from `items` with integer weights.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// What every batch shares.
struct Plan<'a> {
    opts: &'a Options,
    routes: &'a [(String, String)],
    agents: &'a [Agent],
    orgs: &'a [Org],
    base_number: i64,
    start: NaiveDateTime,
    now: NaiveDateTime,
}

impl Plan<'_> {
    /// Messages of ticket `i`: the total spread evenly (at least the first message), the
    /// remainder to the first tickets.
    fn messages_of(&self, i: usize) -> usize {
        let (n, extra) = (self.opts.tickets, self.opts.messages % self.opts.tickets);
        (self.opts.messages / n + usize::from(i < extra)).max(1)
    }

    /// Writes tickets `range` with their messages, tags, history and search rows; returns
    /// the number of messages written.
    fn write_batch(&self, conn: &mut DbConn, range: std::ops::Range<usize>) -> ApiResult<usize> {
        let mut rng = StdRng::seed_from_u64(range.start as u64);
        let n = self.opts.tickets;
        // The newest 3 % are still being worked on (30,000 of a million: a few hundred per
        // agent); the rest is resolved or closed.
        let first_active = n - (n * 3 / 100).max(1);
        let span = (self.now - self.start).num_seconds().max(1);
        let mut tickets = Vec::new();
        let mut messages = Vec::new();
        let mut tags = Vec::new();
        let mut history = Vec::new();
        let mut search: Vec<(i64, String, bool, String)> = Vec::new();
        for i in range {
            let created = self.start + Duration::seconds(span * i as i64 / n as i64);
            let id = id_at(created);
            let number = self.base_number + i as i64 + 1;
            let org = &self.orgs[i % self.orgs.len()];
            let requester = &org.people[(i / self.orgs.len()) % 2];
            let cluster = weighted(
                &mut rng,
                &[
                    (Cluster::TechnicalProblem, 30),
                    (Cluster::UsageHelp, 25),
                    (Cluster::ProductNotWorking, 15),
                    (Cluster::Billing, 15),
                    (Cluster::ReturnRefund, 10),
                    (Cluster::Cancellation, 5),
                ],
            );
            let dept = self
                .routes
                .iter()
                .find(|r| r.0 == cluster.as_str())
                .map(|r| r.1.clone());
            let priority = weighted(
                &mut rng,
                &[
                    (Priority::Low, 20),
                    (Priority::Normal, 50),
                    (Priority::High, 22),
                    (Priority::Urgent, 8),
                ],
            );
            let active = i >= first_active;
            let assigned = !active || rng.random_range(0..4) != 0;
            let status = match (active, assigned) {
                (true, false) => TicketStatus::New,
                (true, true) => weighted(
                    &mut rng,
                    &[
                        (TicketStatus::Open, 60),
                        (TicketStatus::PendingCustomer, 25),
                        (TicketStatus::OnHold, 15),
                    ],
                ),
                (false, _) => weighted(
                    &mut rng,
                    &[(TicketStatus::Resolved, 30), (TicketStatus::Closed, 70)],
                ),
            };
            // An agent of the ticket's department (agents are dealt to departments in turn).
            let assignee = assigned.then(|| {
                let pool: Vec<&Agent> = self
                    .agents
                    .iter()
                    .filter(|a| Some(&a.dept) == dept.as_ref())
                    .collect();
                let pool = if pool.is_empty() {
                    self.agents.iter().collect()
                } else {
                    pool
                };
                pool[rng.random_range(0..pool.len())].id.clone()
            });
            let hours = match priority {
                Priority::Urgent => 1,
                Priority::High => 4,
                Priority::Normal => 24,
                Priority::Low => 48,
            };
            let fr_due = created + Duration::hours(hours);
            let res_due = created + Duration::hours(hours * 5);
            let responded = (status != TicketStatus::New).then(|| created + Duration::minutes(30));
            let paused = status == TicketStatus::PendingCustomer;
            let next_due = match (active, paused, responded) {
                (true, false, None) => Some(fr_due),
                (true, false, Some(_)) => Some(res_due),
                _ => None,
            };
            let resolved_at = (!active).then(|| created + Duration::hours(hours * 2));
            let subject = format!(
                "{} {} {}",
                cluster.label(),
                draw_word(&mut rng),
                draw_word(&mut rng)
            );
            tickets.push(TicketRow {
                id: id.clone(),
                number,
                subject: subject.clone(),
                requester_id: Some(requester.0.clone()),
                requester_name: requester.1.clone(),
                requester_email: requester.2.clone(),
                organization_id: org.id.clone(),
                product_id: None,
                cluster: cluster.as_str().into(),
                channel: Channel::ALL[i % Channel::ALL.len()].as_str().into(),
                priority: priority.as_str().into(),
                priority_rank: rank(priority),
                priority_reason: "Seeded for the desk benchmark".into(),
                department_id: dept,
                assignee_id: assignee.clone(),
                status: status.as_str().into(),
                active,
                sla_policy_id: None,
                first_response_warn_at: Some(fr_due - Duration::minutes(hours * 12)),
                first_response_due_at: Some(fr_due),
                first_responded_at: responded,
                first_response_breached: responded.unwrap_or(self.now) > fr_due,
                resolution_warn_at: Some(res_due - Duration::minutes(hours * 60)),
                resolution_due_at: Some(res_due),
                resolution_breached: resolved_at.unwrap_or(self.now) > res_due,
                sla_warned: next_due.is_some_and(|d| d < self.now),
                sla_paused_at: paused.then(|| created + Duration::hours(1)),
                next_due_at: next_due,
                // Deadlines ahead are the sweep's business; passed ones were handled.
                sla_next_check_at: next_due.filter(|d| *d > self.now),
                purchase_date: None,
                created_by: None,
                email_thread_id: None,
                resolved_at,
                closed_at: (status == TicketStatus::Closed)
                    .then(|| created + Duration::hours(hours * 3)),
                created_at: created,
                updated_at: created,
                version: 1,
            });
            search.push((search::rowid(number, 0), id.clone(), true, subject));
            for j in 0..self.messages_of(i) {
                let at = created + Duration::minutes(20 * j as i64);
                let by_agent = j % 2 == 1 && assignee.is_some();
                let note = by_agent && rng.random_range(0..4) == 0;
                let kind = if note {
                    MessageKind::Note
                } else {
                    MessageKind::Reply
                };
                let len = rng.random_range(8..16);
                let body = sentence(&mut rng, len);
                let (author, name) = if by_agent {
                    (assignee.clone(), "Desk agent".to_string())
                } else {
                    (Some(requester.0.clone()), requester.1.clone())
                };
                messages.push((
                    tm::id.eq(id_at(at)),
                    tm::ticket_id.eq(id.clone()),
                    tm::author_id.eq(author),
                    tm::author_name.eq(name),
                    tm::kind.eq(kind.as_str()),
                    tm::channel.eq(Channel::Portal.as_str()),
                    tm::body.eq(body.clone()),
                    tm::created_at.eq(at),
                ));
                search.push((search::rowid(number, j as i64 + 1), id.clone(), !note, body));
            }
            let mut picked: Vec<&str> = Vec::new();
            for _ in 0..rng.random_range(0..3) {
                let tag = TAGS[rng.random_range(0..TAGS.len() - 1)];
                if !picked.contains(&tag) {
                    picked.push(tag);
                }
            }
            if rng.random_range(0..1000) == 0 {
                picked.push(TAGS[TAGS.len() - 1]);
            }
            for tag in picked {
                tags.push((tt::ticket_id.eq(id.clone()), tt::tag.eq(tag)));
            }
            history.push((
                th::id.eq(id_at(created)),
                th::ticket_id.eq(id.clone()),
                th::actor_id.eq(Some(requester.0.clone())),
                th::kind.eq("created"),
                th::detail.eq(format!("Opened by {} via seed", requester.1)),
                th::created_at.eq(created),
            ));
        }
        insert_all!(conn, t::table, tickets);
        insert_all!(conn, tm::table, messages);
        insert_all!(conn, tt::table, tags);
        insert_all!(conn, th::table, history);
        insert_search(conn, &search)?;
        Ok(messages.len())
    }
}

/// Search rows as multi-row INSERTs of literals: `ticket_search` is an FTS5 virtual table on
/// SQLite, outside the diesel schema (its rows take their tickets' scope words there, see
/// desk::search). Every text here is generated (ids, labels, syllables), yet quotes are
/// still doubled.
fn insert_search(conn: &mut DbConn, rows: &[(i64, String, bool, String)]) -> ApiResult<()> {
    let pg = matches!(conn, DbConn::Pg(_));
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(if pg {
            "INSERT INTO ticket_search (ticket_id, public, body) VALUES "
        } else {
            "VALUES "
        });
        for (k, (rowid, id, public, body)) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push(',');
            }
            let public = match (pg, public) {
                (true, true) => "TRUE",
                (true, false) => "FALSE",
                (false, true) => "1",
                (false, false) => "0",
            };
            let rowid = if pg {
                String::new()
            } else {
                format!("{rowid},")
            };
            sql.push_str(&format!(
                "({rowid}'{}',{public},'{}')",
                id.replace('\'', "''"),
                body.replace('\'', "''")
            ));
        }
        if !pg {
            sql = search::insert_rows_sql(&sql);
        }
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct_and_common_ones_come_up_most() {
        let mut all: Vec<String> = (0..VOCABULARY).map(word).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), VOCABULARY);
        let mut rng = StdRng::seed_from_u64(1);
        let draws: Vec<String> = (0..100_000).map(|_| draw_word(&mut rng)).collect();
        let common = draws.iter().filter(|w| **w == word(COMMON)).count();
        let rare = draws.iter().filter(|w| **w == word(RARE)).count();
        assert!(common > 3_000, "{common}");
        assert!(rare < 10, "{rare}");
    }

    #[test]
    fn messages_add_up_to_the_total() {
        let opts = Options {
            tickets: 7,
            messages: 100,
            ..Options::default()
        };
        let plan = Plan {
            opts: &opts,
            routes: &[],
            agents: &[],
            orgs: &[],
            base_number: 0,
            start: now(),
            now: now(),
        };
        assert_eq!((0..7).map(|i| plan.messages_of(i)).sum::<usize>(), 100);
    }
}
