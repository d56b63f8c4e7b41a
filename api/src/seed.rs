//! `tandem seed-bench`: the benchmark data set on top of the demo —
//! client organisations with two users each, shared round-robin by a few CSMs, each with one
//! project from the built-in template stretched to N items, and a long chat history.
//!
//! Speed matters (hundreds of thousands of rows): the password is hashed once for every
//! account, rows go in as multi-row INSERTs on the driver's own connection (the multi-backend
//! wrapper has no batch insert), and each batch of projects is one transaction.

use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::Role;
use shared::activity::{ActivityState, Responsible};
use shared::project::{TemplateCategory, TemplateItem, date_after};

use crate::auth::password;
use crate::db::schema::{
    activities as a, activity_categories as ac, chat_messages as cm, organizations as o,
    project_templates as t, projects as p, users as u,
};
use crate::db::{Backend, Db, DbConn, new_id, now, write_tx};
use crate::demo;
use crate::error::{ApiError, ApiResult};
use crate::resources::{templates, users};
use crate::setup::ensure_vendor;

/// The first bench CSM; its presence means the bench data is already there.
pub const FIRST_CSM: &str = "csm-bench-0@magicstore.test";

/// Projects written per transaction.
const PROJECTS_PER_TX: usize = 50;
/// Rows per INSERT: 500 rows × 16 columns stays far below both engines' bound-parameter
/// limits (SQLite 32,766; PostgreSQL 65,535).
const ROWS_PER_INSERT: usize = 500;

#[derive(Debug, Clone)]
pub struct Options {
    pub projects: usize,
    pub items: usize,
    pub messages: usize,
    pub csms: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            projects: 2_000,
            items: 60,
            messages: 200_000,
            csms: 20,
        }
    }
}

/// The e-mail of bench CSM `k` (0-based).
pub fn csm_email(k: usize) -> String {
    format!("csm-bench-{k}@magicstore.test")
}

/// The e-mails of client organisation `i` (0-based): its admin and its member.
pub fn client_emails(i: usize) -> [String; 2] {
    [
        format!("admin@bench-{i}.test"),
        format!("member@bench-{i}.test"),
    ]
}

/// Migrates, loads the demo if absent, then writes the bench data; `progress` hears a line
/// per batch. Refuses when bench data is already there.
pub fn run(db: &Db, opts: &Options, mut progress: impl FnMut(&str)) -> Result<(), String> {
    if opts.projects == 0 || opts.items == 0 || opts.csms == 0 {
        return Err("--projects, --items and --csms must be at least 1".into());
    }
    let started = Instant::now();
    db.migrate()?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let conn = &mut *conn;
    let err = |e: ApiError| e.to_string();
    templates::ensure_builtin(conn).map_err(err)?;
    if demo::load(conn).map_err(err)? {
        progress("demo dataset loaded");
    }
    if users::find_by_email(conn, FIRST_CSM)
        .map_err(err)?
        .is_some()
    {
        return Err(format!(
            "bench data is already in this database ({FIRST_CSM} exists); seed a fresh database"
        ));
    }
    // One hash for every account: argon2 per user would take hours.
    let hash = password::hash(demo::PASSWORD).map_err(err)?;
    let vendor = ensure_vendor(conn, "MagicStore").map_err(err)?;
    let (template_id, categories) = builtin_template(conn).map_err(err)?;
    let categories = stretch(&categories, opts.items);
    let csms = write_tx(conn, |conn| insert_csms(conn, &vendor, &hash, opts.csms)).map_err(err)?;
    let plan = Plan {
        hash: &hash,
        csms: &csms,
        template_id: &template_id,
        categories: &categories,
        today: now().date(),
        opts,
    };
    let mut messages = 0;
    for first in (0..opts.projects).step_by(PROJECTS_PER_TX) {
        let last = (first + PROJECTS_PER_TX).min(opts.projects);
        messages += write_tx(conn, |conn| plan.write_batch(conn, first..last)).map_err(err)?;
        progress(&format!(
            "{last}/{} projects, {messages} messages ({:.1} s)",
            opts.projects,
            started.elapsed().as_secs_f64()
        ));
    }
    if db.backend() == Backend::Postgres {
        // Fresh planner statistics, as autovacuum would make them shortly in production.
        diesel::sql_query("ANALYZE")
            .execute(conn)
            .map_err(|e| e.to_string())?;
    }
    progress(&format!(
        "seeded {} CSMs, {} client organisations with {} users, {} projects × {} items, {messages} chat messages in {:.1} s on {}",
        opts.csms,
        opts.projects,
        opts.projects * 2,
        opts.projects,
        categories.iter().map(|c| c.items.len()).sum::<usize>(),
        started.elapsed().as_secs_f64(),
        db.backend().name()
    ));
    Ok(())
}

/// The built-in template as stored (it may have been edited).
fn builtin_template(conn: &mut DbConn) -> ApiResult<(String, Vec<TemplateCategory>)> {
    let id: String = t::table
        .filter(t::builtin.eq(true))
        .select(t::id)
        .first(conn)?;
    let template =
        templates::find(conn, &id)?.ok_or_else(|| ApiError::internal("template vanished"))?;
    Ok((id, template.categories))
}

/// The template's categories repeated ("Training — round 2", items numbered "#2") until
/// there are `items` items, a week later each round.
fn stretch(categories: &[TemplateCategory], items: usize) -> Vec<TemplateCategory> {
    let mut out: Vec<TemplateCategory> = Vec::new();
    let mut left = items;
    let per_round: usize = categories.iter().map(|c| c.items.len()).sum();
    if per_round == 0 {
        return out;
    }
    let mut round = 0;
    while left > 0 {
        for cat in categories {
            if left == 0 {
                break;
            }
            let take = cat.items.len().min(left);
            if take == 0 {
                continue;
            }
            left -= take;
            let shift = 7 * round;
            let items: Vec<TemplateItem> = cat.items[..take]
                .iter()
                .map(|i| TemplateItem {
                    title: if round == 0 {
                        i.title.clone()
                    } else {
                        format!("{} #{}", i.title, round + 1)
                    },
                    due_after_days: i.due_after_days.map(|d| d + shift),
                    review_after_days: i.review_after_days.map(|d| d + shift),
                    ..i.clone()
                })
                .collect();
            let name = if round == 0 {
                cat.name.clone()
            } else {
                format!("{} — round {}", cat.name, round + 1)
            };
            out.push(TemplateCategory { name, items });
        }
        round += 1;
    }
    out
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

fn insert_csms(
    conn: &mut DbConn,
    vendor: &str,
    hash: &str,
    count: usize,
) -> ApiResult<Vec<String>> {
    let at = now();
    let ids: Vec<String> = (0..count).map(|_| new_id()).collect();
    let rows: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            user_row(
                id,
                vendor,
                csm_email(k),
                format!("Bench CSM {k}"),
                Role::Csm,
                hash,
                at,
            )
        })
        .collect();
    insert_all!(conn, u::table, rows);
    Ok(ids)
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
    diesel::dsl::Eq<u::created_at, NaiveDateTime>,
    diesel::dsl::Eq<u::updated_at, NaiveDateTime>,
    diesel::dsl::Eq<u::version, i32>,
) {
    (
        u::id.eq(id.to_string()),
        u::organization_id.eq(org.to_string()),
        u::email.eq(email),
        u::name.eq(name),
        u::role.eq(role.as_str()),
        u::password_hash.eq(hash.to_string()),
        u::active.eq(true),
        u::created_at.eq(at),
        u::updated_at.eq(at),
        u::version.eq(1),
    )
}

/// What every batch shares.
struct Plan<'a> {
    hash: &'a str,
    csms: &'a [String],
    template_id: &'a str,
    categories: &'a [TemplateCategory],
    today: NaiveDate,
    opts: &'a Options,
}

impl Plan<'_> {
    /// Chat messages of project `i`: the total spread evenly, the remainder to the first.
    fn messages_of(&self, i: usize) -> usize {
        let (n, extra) = (self.opts.projects, self.opts.messages % self.opts.projects);
        self.opts.messages / n + usize::from(i < extra)
    }

    /// Writes client organisations `range` with their users, projects, items and chats;
    /// returns the number of messages written.
    fn write_batch(&self, conn: &mut DbConn, range: std::ops::Range<usize>) -> ApiResult<usize> {
        let at = now();
        let mut orgs = Vec::new();
        let mut people = Vec::new();
        let mut projects = Vec::new();
        let mut cats = Vec::new();
        let mut items = Vec::new();
        let mut chat = Vec::new();
        for i in range {
            let org = new_id();
            let csm = &self.csms[i % self.csms.len()];
            // Every fourth client is on `business` (lifetime coverage); the others started
            // 20 to 220 days ago, so coverage (12 months) still runs and the chat is open.
            let business = i % 4 == 0;
            let start = self.today - Duration::days(20 + (i % 200) as i64);
            let kickoff = start + Duration::days(14);
            orgs.push((
                o::id.eq(org.clone()),
                o::name.eq(format!("Bench client {i:05}")),
                o::kind.eq("client"),
                o::plan.eq(if business { "business" } else { "standard" }),
                o::contract_start.eq(start),
                o::industry.eq("E-commerce"),
                o::yearly_spend.eq(10_000 + (i as i64 % 40) * 1_000),
                o::size.eq(5 + (i % 50) as i32),
                o::growth_potential.eq("medium"),
                o::segment.eq("small business"),
                o::touch_model.eq("high"),
                o::lifecycle_stage.eq("onboarding"),
                o::csm_id.eq(csm.clone()),
                o::created_at.eq(at),
                o::updated_at.eq(at),
                o::version.eq(1),
            ));
            let [admin_email, member_email] = client_emails(i);
            let (admin, member) = (new_id(), new_id());
            people.push(user_row(
                &admin,
                &org,
                admin_email,
                format!("Bench admin {i}"),
                Role::ClientAdmin,
                self.hash,
                at,
            ));
            people.push(user_row(
                &member,
                &org,
                member_email,
                format!("Bench member {i}"),
                Role::ClientMember,
                self.hash,
                at,
            ));
            let project = new_id();
            projects.push((
                p::id.eq(project.clone()),
                p::organization_id.eq(org),
                p::name.eq("Onboarding"),
                p::kickoff_date.eq(kickoff),
                p::template_id.eq(self.template_id.to_string()),
                p::created_by.eq(csm.clone()),
                p::created_at.eq(at),
                p::updated_at.eq(at),
                p::version.eq(1),
            ));
            // The first i % 20 items are done, so progress varies from project to project.
            let done = i % 20;
            let mut n = 0;
            for (ci, cat) in self.categories.iter().enumerate() {
                let cat_id = new_id();
                cats.push((
                    ac::id.eq(cat_id.clone()),
                    ac::project_id.eq(project.clone()),
                    ac::name.eq(cat.name.clone()),
                    ac::position.eq(ci as i32),
                ));
                for (ii, item) in cat.items.iter().enumerate() {
                    let is_done = n < done;
                    n += 1;
                    let state = if is_done {
                        ActivityState::Done
                    } else {
                        ActivityState::Todo
                    };
                    items.push((
                        a::id.eq(new_id()),
                        a::project_id.eq(project.clone()),
                        a::category_id.eq(cat_id.clone()),
                        a::position.eq(ii as i32),
                        a::title.eq(item.title.clone()),
                        a::description.eq(item.description.clone()),
                        a::responsible.eq(item.responsible.as_str()),
                        a::state.eq(state.as_str()),
                        a::due_date.eq(date_after(kickoff, item.due_after_days)),
                        a::review_date.eq(date_after(kickoff, item.review_after_days)),
                        a::links.eq(serde_json::to_string(&item.links)?),
                        a::done_at.eq(is_done.then_some(at)),
                        a::done_by.eq(is_done.then(|| match item.responsible {
                            Responsible::Client => admin.clone(),
                            Responsible::Csm => csm.clone(),
                        })),
                        a::created_at.eq(at),
                        a::updated_at.eq(at),
                        a::version.eq(1),
                    ));
                }
            }
            // Client and CSM take turns; the client's two users alternate.
            for j in 0..self.messages_of(i) {
                let author = match j % 4 {
                    0 => &admin,
                    2 => &member,
                    _ => csm,
                };
                chat.push((
                    cm::id.eq(new_id()),
                    cm::project_id.eq(project.clone()),
                    cm::author_id.eq(author.clone()),
                    cm::body.eq(format!("Bench message {j} of project {i}.")),
                    cm::created_at.eq(now()),
                ));
            }
        }
        insert_all!(conn, o::table, orgs);
        insert_all!(conn, u::table, people);
        insert_all!(conn, p::table, projects);
        insert_all!(conn, ac::table, cats);
        insert_all!(conn, a::table, items);
        insert_all!(conn, cm::table, chat);
        Ok(chat.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_stretches_to_the_wanted_size_with_kickoff_first() {
        let base = shared::project::builtin_ecommerce().categories;
        let per_round: usize = base.iter().map(|c| c.items.len()).sum();
        for wanted in [1, per_round, per_round + 1, 60] {
            let got = stretch(&base, wanted);
            assert_eq!(got.iter().map(|c| c.items.len()).sum::<usize>(), wanted);
            assert_eq!(got[0].name, shared::project::KICKOFF);
        }
        let got = stretch(&base, 60);
        let titles: Vec<&str> = got
            .iter()
            .flat_map(|c| c.items.iter().map(|i| i.title.as_str()))
            .collect();
        let mut unique = titles.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), titles.len(), "titles are numbered per round");
        assert!(got.iter().any(|c| c.name == "Kick-off — round 2"));
    }

    #[test]
    fn messages_add_up_to_the_total() {
        let opts = Options {
            projects: 7,
            messages: 100,
            ..Options::default()
        };
        let plan = Plan {
            hash: "",
            csms: &[],
            template_id: "",
            categories: &[],
            today: now().date(),
            opts: &opts,
        };
        assert_eq!((0..7).map(|i| plan.messages_of(i)).sum::<usize>(), 100);
    }
}
