//! Ticket lists: the agent's queues (mine, unassigned, a department's, breaching soon), all
//! tickets with filters, and the client portal's list. Every order is served straight off an
//! index with keyset paging: the cursor is the last ticket of the page, and the next page
//! starts after that ticket's place in the order. A newest-first search on SQLite goes by
//! ticket number instead of id (the order of its search rows, see desk::search), walking
//! further when filters leave a page short.

use actix_web::{HttpResponse, get, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::desk::ticket::{Side, TicketSummary};
use shared::desk::{Channel, Cluster, Priority, TicketStatus};
use shared::page::{Page, PageQuery};
use shared::{ErrorCode, Role};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::DbConn;
use crate::db::schema::{
    department_members as dm, organizations as o, ticket_tags as tt, tickets as t,
};
use crate::desk::search::{self, Search};
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::PageRequest;
use crate::policy::{self, OrgScope};
use crate::resources::tickets::{TicketRow, to_summaries};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Active tickets assigned to you, highest priority first, then oldest.
    Mine,
    /// Active tickets nobody has, highest priority first, then oldest.
    Unassigned,
    /// Active tickets of a department (`department_id`, default: your first department).
    Department,
    /// Active tickets with a running SLA clock, nearest deadline first.
    Breaching,
}

enum Order {
    Newest,
    Priority,
    Due,
}

/// How a list with `q` keeps the matching tickets (see desk::search).
#[derive(Clone, Copy)]
enum SearchPlan {
    /// The ticket's id among every match: any order, any engine.
    Matching,
    /// Each ticket probes its own search rows (SQLite: lists narrowed to few tickets, and
    /// work queues searched for a common word).
    Probe,
    /// Among the first this-many matching tickets, newest first (SQLite).
    Newest(i64),
    /// The queue walked in its order, each ticket checked against every match (SQLite: work
    /// queues searched for a word neither rare nor common).
    Along,
}

/// A newest-first search with filters walks this many matching tickets per ticket of the
/// page at first, and this many times more each time the filters left the page short.
const WALK_FIRST: i64 = 4;
const WALK_FURTHER: i64 = 8;
/// A search matching at least this many rows is common: probed per ticket in a work queue
/// (and a probe's rarer words, fewer, are listed once).
const COMMON_MATCHES: i64 = 10_000;
/// A work queue searched for a word with at least this many (and fewer than
/// [`COMMON_MATCHES`]) rows walks the queue checking each ticket; with fewer, it looks up
/// the matches' tickets.
const ALONG_MATCHES: i64 = 1_000;
/// A tag on at least this many tickets is common: walked or checked per ticket, not listed.
const RARE_TAG: i64 = 2_000;

/// How a list with `tag` keeps the tagged tickets (SQLite decides; PostgreSQL plans any of
/// them as a semi-join).
#[derive(Clone, Copy)]
enum TagPlan {
    /// The ticket's id among all the tag's tickets: a rare tag.
    List,
    /// Each ticket looks up its tag: a common tag on a list in another order (a work queue,
    /// a search's walk).
    PerTicket,
    /// Among the tag's first this-many tickets, newest first: a common tag on the newest-first
    /// list, which walks the tag's index instead of every ticket (after 13,000 new untagged
    /// tickets the list checked each of them: 26.6 ms at 1,000,000 tickets).
    Walk(i64),
}

/// Whether at least [`RARE_TAG`] tickets carry `tag`, counted up to that.
fn tag_is_common(conn: &mut DbConn, tag: &str) -> ApiResult<bool> {
    let tagged: i64 = tt::table
        .filter(tt::tag.eq(tag))
        .select(tt::ticket_id)
        .limit(RARE_TAG)
        .load::<String>(conn)?
        .len() as i64;
    Ok(tagged >= RARE_TAG)
}

/// The first `walk` tickets carrying `tag` below id `below`, newest first (ids grow with
/// time: `ticket_tags_tag` holds them in that order).
#[diesel::dsl::auto_type]
fn tagged_newest(tag: String, below: String, walk: i64) -> _ {
    tt::table
        .filter(tt::tag.eq(tag))
        .filter(tt::ticket_id.lt(below))
        .order(tt::ticket_id.desc())
        .select(tt::ticket_id)
        .limit(walk)
}

/// The id a page's tag walk starts below: the cursor, or above every id for the first page
/// ('~' sorts after the hex digits and dashes of a UUID).
fn walk_start(after: Option<&str>) -> String {
    after.unwrap_or("~").to_string()
}

/// Where a walk of `walk` tickets carrying `tag` below id `below` ended: the id of its last
/// ticket, `None` when it took every such ticket (a page of [`TagPlan::Walk`] that came back
/// short goes on below it).
fn tagged_walk_end(
    conn: &mut DbConn,
    tag: &str,
    below: Option<&str>,
    walk: i64,
) -> ApiResult<Option<String>> {
    Ok(tagged_newest(tag.to_string(), walk_start(below), 1)
        .offset(walk - 1)
        .first::<String>(conn)
        .optional()?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Staff only: a work queue instead of the newest-first list.
    pub queue: Option<Queue>,
    pub department_id: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub cluster: Option<Cluster>,
    pub channel: Option<Channel>,
    pub organization_id: Option<String>,
    pub assignee_id: Option<String>,
    pub tag: Option<String>,
    /// Full-text search in subjects and messages (every word must appear; the last may be
    /// the start of a word). Client users' searches skip internal notes.
    pub q: Option<String>,
}

impl ListQuery {
    /// Whether a filter may leave out some tickets of a search's scope (see
    /// [`search_scope`]; an organisation filter is the scope, or narrows a client member's).
    fn filters_tickets(&self) -> bool {
        self.status.is_some()
            || self.priority.is_some()
            || self.cluster.is_some()
            || self.channel.is_some()
            || self.assignee_id.is_some()
            || self.department_id.is_some()
            || self.tag.is_some()
    }
}

/// The number of the oldest active ticket (`tickets_active_number`, a partial index: the
/// condition is written as the index's, not bound, so SQLite can use it).
fn oldest_active(conn: &mut DbConn) -> ApiResult<Option<i64>> {
    Ok(t::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "tickets.active",
        ))
        .select(diesel::dsl::min(t::number))
        .first::<Option<i64>>(conn)?)
}

/// A CSM's search names their clients in its scope up to this many; beyond, it probes.
const MAX_SCOPE_WORDS: i64 = 100;

/// The tickets a SQLite search may keep, as scope words of the search rows (see
/// desk::search): a client member's own tickets, the organisation filtered on, a client
/// admin's organisation, a CSM's clients; `None` for all tickets, or too many clients to name.
/// The list's own filters still decide; this only lets FTS5 skip the others' rows.
fn search_scope(
    conn: &mut DbConn,
    actor: &Actor,
    query: &ListQuery,
) -> ApiResult<Option<Vec<String>>> {
    if actor.role == Role::ClientMember {
        return Ok(Some(vec![search::requester_word(&actor.user_id)]));
    }
    if let Some(org) = &query.organization_id {
        return Ok(Some(vec![search::organization_word(org)]));
    }
    Ok(match policy::org_scope(actor) {
        OrgScope::All => None,
        OrgScope::Own(org) => Some(vec![search::organization_word(&org)]),
        OrgScope::Assigned { csm_id, .. } => {
            let clients: Vec<String> = o::table
                .filter(o::csm_id.eq(csm_id))
                .select(o::id)
                .limit(MAX_SCOPE_WORDS + 1)
                .load(conn)?;
            (!clients.is_empty() && clients.len() as i64 <= MAX_SCOPE_WORDS).then(|| {
                clients
                    .iter()
                    .map(|id| search::organization_word(id))
                    .collect()
            })
        }
    })
}

#[utoipa::path(
    get, path = "/api/v1/tickets", operation_id = "listTickets", tag = "tickets",
    summary = "List tickets, or a work queue",
    description = "Without `queue`: the tickets you can see, newest first — a client admin sees the organisation's tickets, a client member the ones they opened, a CSM their clients', other staff all. With `queue` (staff only): `mine`, `unassigned` and `department` list active tickets highest priority first, then oldest; `breaching` lists active tickets with a running SLA clock, nearest deadline first. Filters combine with either.",
    params(ListQuery),
    responses((status = 200, description = "A page of tickets", body = Page<TicketSummary>)),
    security(("bearer" = [])),
)]
#[get("/tickets")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let page = PageRequest::from_query(&PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    })?;
    if query.queue.is_some() && actor.role.is_client() {
        return Err(ApiError::field(
            "queue",
            "staff_only",
            "work queues are for staff; leave it out",
        ));
    }
    let side = if actor.role.is_client() {
        Side::Client
    } else {
        Side::Staff
    };
    let searching = query.q.is_some();
    let result = state
        .db
        .run(move |conn| {
            crate::desk::search::planned(conn, searching, move |conn| {
                let sqlite = matches!(conn, DbConn::Sqlite(_));
                let scope = match &query.q {
                    Some(_) if sqlite => search_scope(conn, &actor, &query)?,
                    _ => None,
                };
                let search = match &query.q {
                    Some(text) => Search::new(
                        conn,
                        text,
                        side == Side::Client,
                        scope.as_deref().unwrap_or_default(),
                    )?,
                    None => None,
                };
                // A work queue lists active tickets only: its search need not gather the
                // matches of tickets older than the oldest active one (SQLite), nor those
                // of inactive tickets (PostgreSQL).
                let search = match (search, &query.queue) {
                    (Some(s), Some(_)) if s.is_sqlite() => Some(s.since(oldest_active(conn)?)),
                    (Some(s), Some(_)) => Some(s.of_active_tickets()),
                    (search, _) => search,
                };
                // The cursor's ticket, read through the same access check as the ticket
                // itself: another organisation's ticket is as unknown as a made-up one.
                let last = match &page.after {
                    Some(after) => {
                        let at = match super::access(conn, &actor, after) {
                            Ok(ctx) => ctx.ticket,
                            Err(e) if e.code == ErrorCode::NotFound => {
                                return Err(cursor_out_of_date());
                            }
                            Err(e) => return Err(e),
                        };
                        Some((at.priority_rank, at.next_due_at, at.number))
                    }
                    None => None,
                };
                // How a search finds its tickets (see desk::search): a newest-first list on
                // SQLite walks the matches by rowid — only those of its scope's tickets when it
                // has one (a client, an organisation, a CSM's clients) — unless it is narrowed
                // some other way to few tickets (one assignee's, too many clients to name),
                // which then probe their own rows.
                let plan = match (&search, &query.queue) {
                    (Some(s), None) if s.is_sqlite() => {
                        let narrowed = !matches!(policy::org_scope(&actor), OrgScope::All)
                            || query.organization_id.is_some()
                            || query.assignee_id.is_some();
                        if narrowed && scope.is_none() {
                            SearchPlan::Probe
                        } else if query.filters_tickets() {
                            SearchPlan::Newest(page.fetch_limit() * WALK_FIRST)
                        } else {
                            // Every match is on the page: walk no further than it.
                            SearchPlan::Newest(page.fetch_limit())
                        }
                    }
                    // A work queue keeps its own order: a common word is probed ticket by
                    // ticket along it, an in-between one checked against its matches along it,
                    // a rare one's matches looked up.
                    (Some(s), Some(_)) if s.is_sqlite() => {
                        match s.matches_up_to(conn, COMMON_MATCHES)? {
                            n if n >= COMMON_MATCHES => SearchPlan::Probe,
                            n if n >= ALONG_MATCHES => SearchPlan::Along,
                            _ => SearchPlan::Matching,
                        }
                    }
                    _ => SearchPlan::Matching,
                };
                let search = match (search, plan) {
                    (Some(s), SearchPlan::Probe) => {
                        Some(s.listing_rare_others(conn, COMMON_MATCHES)?)
                    }
                    (search, _) => search,
                };
                let tag = query.tag.as_deref().map(|tag| tag.trim().to_lowercase());
                let mut tag_plan = match &tag {
                    Some(tag) if sqlite && tag_is_common(conn, tag)? => {
                        if query.queue.is_none() && search.is_none() {
                            TagPlan::Walk(page.fetch_limit() * WALK_FIRST)
                        } else {
                            TagPlan::PerTicket
                        }
                    }
                    _ => TagPlan::List,
                };
                // A walk that leaves the page short goes on below where it stopped, keeping
                // what it found: the search's walk below a ticket number, the tag's below an id.
                let mut plan = plan;
                let mut found: Vec<TicketRow> = Vec::new();
                let mut search_below = last.map(|l| l.2);
                let mut tag_below = page.after.clone();
                loop {
                    let mut q = t::table
                        .select(TicketRow::as_select())
                        .limit(page.fetch_limit() - found.len() as i64)
                        .into_boxed();
                    q = match policy::org_scope(&actor) {
                        OrgScope::All => q,
                        OrgScope::Assigned { csm_id, .. } => q.filter(
                            t::organization_id
                                .eq_any(o::table.filter(o::csm_id.eq(csm_id)).select(o::id)),
                        ),
                        OrgScope::Own(org) => {
                            let q = q.filter(t::organization_id.eq(org));
                            if actor.role == Role::ClientMember {
                                q.filter(t::requester_id.eq(actor.user_id.clone()))
                            } else {
                                q
                            }
                        }
                    };
                    if let Some(s) = query.status {
                        q = q.filter(t::status.eq(s.as_str()));
                    }
                    if let Some(p) = query.priority {
                        q = q.filter(t::priority.eq(p.as_str()));
                    }
                    if let Some(c) = query.cluster {
                        q = q.filter(t::cluster.eq(c.as_str()));
                    }
                    if let Some(c) = query.channel {
                        q = q.filter(t::channel.eq(c.as_str()));
                    }
                    if let Some(org) = &query.organization_id {
                        q = q.filter(t::organization_id.eq(org.clone()));
                    }
                    if let Some(a) = &query.assignee_id {
                        q = q.filter(t::assignee_id.eq(a.clone()));
                    }
                    if let Some(tag) = &tag {
                        q = match tag_plan {
                            TagPlan::List => q.filter(
                                t::id.eq_any(
                                    tt::table
                                        .filter(tt::tag.eq(tag.clone()))
                                        .select(tt::ticket_id),
                                ),
                            ),
                            TagPlan::PerTicket => q.filter(diesel::dsl::exists(
                                tt::table
                                    .filter(tt::ticket_id.eq(t::id))
                                    .filter(tt::tag.eq(tag.clone())),
                            )),
                            TagPlan::Walk(walk) => q.filter(t::id.eq_any(tagged_newest(
                                tag.clone(),
                                walk_start(tag_below.as_deref()),
                                walk,
                            ))),
                        };
                    }
                    if let Some(search) = &search {
                        let condition = match plan {
                            SearchPlan::Matching => search.matching(),
                            SearchPlan::Along => search.matching_along(),
                            SearchPlan::Probe => search.probe(),
                            SearchPlan::Newest(walk) => search.newest(search_below, walk),
                        };
                        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&condition));
                    }
                    let order = match query.queue {
                        Some(Queue::Mine) => {
                            q = q.filter(t::assignee_id.eq(actor.user_id.clone()));
                            Order::Priority
                        }
                        Some(Queue::Unassigned) => {
                            q = q.filter(t::assignee_id.is_null());
                            Order::Priority
                        }
                        Some(Queue::Department) => {
                            let dept = match &query.department_id {
                                Some(d) => Some(d.clone()),
                                None => dm::table
                                    .filter(dm::user_id.eq(&actor.user_id))
                                    .order(dm::department_id.asc())
                                    .select(dm::department_id)
                                    .first(conn)
                                    .optional()?,
                            };
                            let dept = dept.ok_or_else(|| {
                                ApiError::field(
                                    "department_id",
                                    "required",
                                    "is required: you belong to no department",
                                )
                            })?;
                            q = q.filter(t::department_id.eq(dept));
                            Order::Priority
                        }
                        Some(Queue::Breaching) => Order::Due,
                        None => Order::Newest,
                    };
                    if query.queue != Some(Queue::Department)
                        && let Some(d) = &query.department_id
                    {
                        q = q.filter(t::department_id.eq(d.clone()));
                    }
                    q =
                        match order {
                            Order::Priority => {
                                q = q.filter(t::active.eq(true));
                                if let (Some((rank, _, _)), Some(after)) = (&last, &page.after) {
                                    q = q.filter(t::priority_rank.lt(*rank).or(
                                        t::priority_rank.eq(*rank).and(t::id.gt(after.clone())),
                                    ));
                                }
                                q.order((t::priority_rank.desc(), t::id.asc()))
                            }
                            Order::Due => {
                                q = q
                                    .filter(t::active.eq(true))
                                    .filter(t::next_due_at.is_not_null());
                                match (&last, &page.after) {
                                    (Some((_, Some(due), _)), Some(after)) => {
                                        q = q.filter(t::next_due_at.gt(*due).or(
                                            t::next_due_at.eq(*due).and(t::id.gt(after.clone())),
                                        ));
                                    }
                                    (Some((_, None, _)), Some(_)) => {
                                        return Err(cursor_out_of_date());
                                    }
                                    _ => {}
                                }
                                q.order((t::next_due_at.asc(), t::id.asc()))
                            }
                            // A walk of the search matches goes by number (the rowids' order); numbers
                            // and ids both grow with time.
                            Order::Newest if matches!(plan, SearchPlan::Newest(_)) => {
                                if let Some((_, _, number)) = last {
                                    q = q.filter(t::number.lt(number));
                                }
                                q.order(t::number.desc())
                            }
                            Order::Newest => {
                                if let Some(after) = &page.after {
                                    q = q.filter(t::id.lt(after.clone()));
                                }
                                q.order(t::id.desc())
                            }
                        };
                    found.extend(q.load::<TicketRow>(conn)?);
                    // A walk that came back short because its first matches were filtered out
                    // goes on, further each time, until the page is full or the matches run out.
                    let short = (found.len() as i64) < page.fetch_limit();
                    if let (SearchPlan::Newest(walk), Some(search), true) = (plan, &search, short)
                        && let Some(end) = search.walk_end(conn, search_below, walk)?
                    {
                        search_below = Some(end);
                        plan = SearchPlan::Newest(walk * WALK_FURTHER);
                        continue;
                    }
                    if let (TagPlan::Walk(walk), Some(tag), true) = (tag_plan, &tag, short)
                        && let Some(end) = tagged_walk_end(conn, tag, tag_below.as_deref(), walk)?
                    {
                        tag_below = Some(end);
                        tag_plan = TagPlan::Walk(walk * WALK_FURTHER);
                        continue;
                    }
                    return page.page(found, |r| &r.id, |rows| to_summaries(conn, rows, side));
                }
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// A cursor that names no ticket of this list (any more).
fn cursor_out_of_date() -> ApiError {
    ApiError::field("cursor", "invalid", "is out of date")
}
