//! Projects: the CSM's dashboard, the client's home, created from templates.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use shared::activity::{ActivityState, Progress, ProjectSide};
use shared::page::{Page, PageQuery};
use shared::project::{
    self, AppointmentBrief, Coverage, KICKOFF, NewProject, Project, TemplateCategory,
};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::{
    activities as a, activity_categories as ac, appointments as ap, chat_messages as cm,
    chat_reads as cr, organizations as o, projects as p, users as u,
};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::etag;
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::policy::{self, OrgScope};
use crate::realtime::events::publish;
use crate::resources::organizations::{self, OrgRow};
use crate::resources::{like_pattern, lower, ok_with_etag, templates};
use crate::state::AppState;

#[derive(Queryable, Debug, Clone)]
pub struct ProjectRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub kickoff_date: NaiveDate,
    pub template_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

/// A project the caller may see, with its organisation and the caller's side in it.
pub struct ProjectCtx {
    pub project: ProjectRow,
    pub org: OrgRow,
    pub side: ProjectSide,
}

impl ProjectCtx {
    /// The project as `actor` may see it (their side in it), else 404.
    pub fn of(actor: &Actor, project: ProjectRow, org: OrgRow) -> ApiResult<ProjectCtx> {
        let side = policy::view_project(actor, org.facts())?;
        Ok(ProjectCtx { project, org, side })
    }

    pub fn csm_id(&self) -> Option<&str> {
        self.org.csm_id.as_deref()
    }

    pub fn coverage(&self) -> Coverage {
        project::coverage(
            self.org.plan.as_deref(),
            self.org.contract_start,
            now().date(),
        )
    }

    /// The client organisation's active users.
    pub fn client_users(&self, conn: &mut DbConn) -> ApiResult<Vec<String>> {
        Ok(crate::on_driver!(conn, |c| u::table
            .filter(u::organization_id.eq(&self.org.id))
            .filter(u::active.eq(true))
            .select(u::id)
            .load(c))?)
    }

    /// The client's active users and the name of `actor_id`, in one read (the tick's).
    pub fn client_users_and_name(
        &self,
        conn: &mut DbConn,
        actor_id: &str,
    ) -> ApiResult<(Vec<String>, String)> {
        let rows: Vec<(String, String, String, bool)> = crate::on_driver!(conn, |c| u::table
            .filter(
                u::id
                    .eq(actor_id)
                    .or(u::organization_id.eq(&self.org.id).and(u::active.eq(true))),
            )
            .select((u::id, u::name, u::organization_id, u::active))
            .load(c))?;
        let name = rows
            .iter()
            .find(|r| r.0 == actor_id)
            .map(|r| r.1.clone())
            .unwrap_or_default();
        let clients = rows
            .into_iter()
            .filter(|r| r.2 == self.org.id && r.3)
            .map(|r| r.0)
            .collect();
        Ok((clients, name))
    }

    /// Everyone who takes part: the client's users and the CSM.
    pub fn participants(&self, conn: &mut DbConn) -> ApiResult<Vec<String>> {
        let mut all = self.client_users(conn)?;
        all.extend(self.csm_id().map(str::to_string));
        Ok(all)
    }

    /// Who is told live of a change: the participants and the actor (their other tabs).
    pub fn audience(&self, conn: &mut DbConn, actor_id: &str) -> ApiResult<Vec<String>> {
        Ok(self.audience_of(&self.client_users(conn)?, actor_id))
    }

    /// [`Self::audience`] from the client's users read earlier in the same request.
    pub fn audience_of(&self, client_users: &[String], actor_id: &str) -> Vec<String> {
        let mut all = client_users.to_vec();
        all.extend(self.csm_id().map(str::to_string));
        all.push(actor_id.to_string());
        all.sort();
        all.dedup();
        all
    }

    /// Who hears about what `side` did: the client's users when the vendor acts, the CSM
    /// when the client does.
    pub fn other_side(&self, conn: &mut DbConn, side: ProjectSide) -> ApiResult<Vec<String>> {
        match side {
            ProjectSide::Client => Ok(self.other_side_of(&[], side)),
            _ => Ok(self.other_side_of(&self.client_users(conn)?, side)),
        }
    }

    /// [`Self::other_side`] from the client's users read earlier in the same request.
    pub fn other_side_of(&self, client_users: &[String], side: ProjectSide) -> Vec<String> {
        match side {
            ProjectSide::Client => self.csm_id().map(str::to_string).into_iter().collect(),
            _ => client_users.to_vec(),
        }
    }

    /// The web app's path to this project, optionally to one of its sections.
    pub fn link(&self, section: Option<&str>) -> String {
        match section {
            Some(s) => format!("/projects/{}/{s}", self.project.id),
            None => format!("/projects/{}", self.project.id),
        }
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<ProjectRow>> {
    Ok(crate::on_driver!(conn, |c| p::table
        .find(id)
        .select(p::all_columns)
        .first(c)
        .optional())?)
}

/// The project if the caller may see it, else 404 (whether or not it exists).
pub fn access(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<ProjectCtx> {
    let project = find(conn, id)?.ok_or_else(|| ApiError::not_found("project"))?;
    let org = organizations::find(conn, &project.organization_id)?
        .ok_or_else(|| ApiError::not_found("project"))?;
    ProjectCtx::of(actor, project, org)
}

/// Progress, overdue items, unread chat and next appointment for several projects at once.
#[derive(Default)]
struct Figures {
    progress: HashMap<String, Progress>,
    overdue: HashMap<String, i64>,
    unread: HashMap<String, i64>,
    next: HashMap<String, AppointmentBrief>,
}

fn figures(conn: &mut DbConn, ids: &[String], viewer: &str) -> ApiResult<Figures> {
    let mut f = Figures::default();
    if ids.is_empty() {
        return Ok(f);
    }
    let today = now().date();
    // One pass over the items by project (the index that fits) gives progress and overdue
    // alike. A separate overdue count let PostgreSQL's generic plan for it take the due-date
    // index and read every overdue item of every project (tens of ms at 120,000 items).
    let counts: Vec<(String, String, Option<NaiveDate>, i64)> = a::table
        .filter(a::project_id.eq_any(ids))
        .group_by((a::project_id, a::state, a::due_date))
        .select((
            a::project_id,
            a::state,
            a::due_date,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut tally: HashMap<String, (i64, i64)> = HashMap::new();
    for (pid, state, due, n) in counts {
        let state = ActivityState::parse(&state);
        if state == Some(ActivityState::Todo) && due.is_some_and(|d| d < today) {
            *f.overdue.entry(pid.clone()).or_default() += n;
        }
        let t = tally.entry(pid).or_default();
        match state {
            Some(ActivityState::Done) => {
                t.0 += n;
                t.1 += n
            }
            Some(ActivityState::Todo) => t.1 += n,
            _ => {}
        }
    }
    f.progress = tally
        .into_iter()
        .map(|(k, (d, n))| (k, Progress::new(d, n)))
        .collect();
    f.unread = cm::table
        .left_join(
            cr::table.on(cr::project_id
                .eq(cm::project_id)
                .and(cr::user_id.eq(viewer))),
        )
        .filter(cm::project_id.eq_any(ids))
        .filter(cm::author_id.ne(viewer).or(cm::author_id.is_null()))
        .filter(
            cr::last_read_id
                .is_null()
                .or(cm::id.nullable().gt(cr::last_read_id.nullable())),
        )
        .group_by(cm::project_id)
        .select((cm::project_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let upcoming: Vec<(String, String, String, chrono::NaiveDateTime)> = ap::table
        .filter(ap::project_id.eq_any(ids))
        .filter(ap::ends_at.ge(now()))
        .order((ap::project_id.asc(), ap::starts_at.asc()))
        .select((ap::project_id, ap::id, ap::title, ap::starts_at))
        .load(conn)?;
    for (pid, id, title, starts_at) in upcoming {
        f.next.entry(pid).or_insert(AppointmentBrief {
            id,
            title,
            starts_at: to_utc(starts_at),
        });
    }
    Ok(f)
}

fn to_dtos(
    conn: &mut DbConn,
    rows: Vec<ProjectRow>,
    orgs: &HashMap<String, OrgRow>,
    viewer: &str,
) -> ApiResult<Vec<Project>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut f = figures(conn, &ids, viewer)?;
    let csm_ids: Vec<String> = orgs.values().filter_map(|o| o.csm_id.clone()).collect();
    let csm_names = crate::resources::users::names(conn, &csm_ids)?;
    let today = now().date();
    rows.into_iter()
        .map(|r| {
            let org = orgs
                .get(&r.organization_id)
                .ok_or_else(|| ApiError::internal("project without organization"))?;
            Ok(Project {
                organization_id: r.organization_id.clone(),
                organization_name: org.name.clone(),
                plan: org.plan.clone(),
                csm_id: org.csm_id.clone(),
                csm_name: org.csm_id.as_ref().and_then(|c| csm_names.get(c).cloned()),
                coverage: project::coverage(org.plan.as_deref(), org.contract_start, today),
                progress: f.progress.remove(&r.id).unwrap_or(Progress::new(0, 0)),
                overdue_items: f.overdue.remove(&r.id).unwrap_or(0),
                unread_chat: f.unread.remove(&r.id).unwrap_or(0),
                next_appointment: f.next.remove(&r.id),
                id: r.id,
                name: r.name,
                kickoff_date: r.kickoff_date,
                template_id: r.template_id,
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
                version: r.version,
            })
        })
        .collect()
}

pub fn to_dto(conn: &mut DbConn, ctx: ProjectCtx, viewer: &str) -> ApiResult<Project> {
    let orgs = HashMap::from([(ctx.org.id.clone(), ctx.org)]);
    to_dtos(conn, vec![ctx.project], &orgs, viewer)?
        .pop()
        .ok_or_else(|| ApiError::internal("project vanished"))
}

/// Writes a project with its checklist: the template's categories and items, due dates
/// counted from the kick-off; without a template, an empty "Kick-off" category.
pub fn insert(
    conn: &mut DbConn,
    organization_id: &str,
    new: &NewProject,
    template: Option<&[TemplateCategory]>,
    created_by: Option<&str>,
) -> ApiResult<String> {
    let id = new_id();
    let at = now();
    diesel::insert_into(p::table)
        .values((
            p::id.eq(&id),
            p::organization_id.eq(organization_id),
            p::name.eq(new.name.trim()),
            p::kickoff_date.eq(new.kickoff_date),
            p::template_id.eq(&new.template_id),
            p::created_by.eq(created_by),
            p::created_at.eq(at),
            p::updated_at.eq(at),
            p::version.eq(1),
        ))
        .execute(conn)?;
    let empty = [TemplateCategory {
        name: KICKOFF.into(),
        items: Vec::new(),
    }];
    for (ci, cat) in template.unwrap_or(&empty).iter().enumerate() {
        let cat_id = new_id();
        diesel::insert_into(ac::table)
            .values((
                ac::id.eq(&cat_id),
                ac::project_id.eq(&id),
                ac::name.eq(&cat.name),
                ac::position.eq(ci as i32),
            ))
            .execute(conn)?;
        for (ii, item) in cat.items.iter().enumerate() {
            diesel::insert_into(a::table)
                .values((
                    a::id.eq(new_id()),
                    a::project_id.eq(&id),
                    a::category_id.eq(&cat_id),
                    a::position.eq(ii as i32),
                    a::title.eq(&item.title),
                    a::description.eq(&item.description),
                    a::responsible.eq(item.responsible.as_str()),
                    a::state.eq(ActivityState::Todo.as_str()),
                    a::due_date.eq(project::date_after(new.kickoff_date, item.due_after_days)),
                    a::review_date.eq(project::date_after(
                        new.kickoff_date,
                        item.review_after_days,
                    )),
                    a::links.eq(serde_json::to_string(&item.links)?),
                    a::created_at.eq(at),
                    a::updated_at.eq(at),
                    a::version.eq(1),
                ))
                .execute(conn)?;
        }
    }
    Ok(id)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Finds projects whose name or organisation name contains this text (any case).
    pub q: Option<String>,
    pub organization_id: Option<String>,
    /// Only projects of organisations assigned to this CSM.
    pub csm_id: Option<String>,
    /// Only projects with items past their due date.
    pub overdue: Option<bool>,
    /// `kickoff_date` (default, earliest first) or `name`.
    #[param(inline, value_type = Option<ProjectSort>)]
    pub sort: Option<String>,
}

/// How the project list is ordered.
// Declared for the contract only: the query keeps the text, so that a value that is none of
// these is refused naming `sort`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ProjectSort {
    KickoffDate,
    Name,
}

#[utoipa::path(
    get, path = "/api/v1/projects", operation_id = "listProjects", tag = "projects",
    summary = "List projects (the CSM dashboard)",
    description = "Projects of the organisations you can see: a CSM sees their clients' projects, a client user their own organisation's. Each carries progress, overdue items, your unread chat messages and the next appointment.",
    params(ListQuery),
    responses((status = 200, description = "A page of projects", body = Page<Project>)),
    security(("bearer" = [])),
)]
#[get("/projects")]
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
    let by_name = match query.sort.as_deref() {
        None | Some("kickoff_date") => false,
        Some("name") => true,
        Some(_) => {
            return Err(ApiError::field(
                "sort",
                "one_of",
                "must be `kickoff_date` or `name`",
            ));
        }
    };
    let scope = policy::org_scope(&actor);
    let viewer = actor.user_id.clone();
    let result = state
        .db
        .run(move |conn| {
            let mut q = p::table
                .inner_join(o::table)
                .filter(o::kind.eq("client"))
                .select(p::all_columns)
                .limit(page.fetch_limit())
                .into_boxed();
            q = match &scope {
                OrgScope::All => q,
                OrgScope::Assigned { csm_id, .. } => q.filter(o::csm_id.eq(csm_id.clone())),
                OrgScope::Own(id) => q.filter(o::id.eq(id.clone())),
            };
            if let Some(after) = &page.after {
                // Within the same scope as the list: another organisation's project is as
                // unknown as a made-up id.
                let cursor = p::table
                    .inner_join(o::table)
                    .filter(p::id.eq(after))
                    .select((p::name, p::kickoff_date))
                    .into_boxed();
                let cursor = match &scope {
                    OrgScope::All => cursor,
                    OrgScope::Assigned { csm_id, .. } => {
                        cursor.filter(o::csm_id.eq(csm_id.clone()))
                    }
                    OrgScope::Own(id) => cursor.filter(o::id.eq(id.clone())),
                };
                let last: Option<(String, NaiveDate)> = cursor.first(conn).optional()?;
                let (name, date) =
                    last.ok_or_else(|| ApiError::field("cursor", "invalid", "is out of date"))?;
                q = if by_name {
                    q.filter(
                        p::name
                            .gt(name.clone())
                            .or(p::name.eq(name).and(p::id.gt(after.clone()))),
                    )
                } else {
                    q.filter(
                        p::kickoff_date
                            .gt(date)
                            .or(p::kickoff_date.eq(date).and(p::id.gt(after.clone()))),
                    )
                };
            }
            q = if by_name {
                q.order((p::name.asc(), p::id.asc()))
            } else {
                q.order((p::kickoff_date.asc(), p::id.asc()))
            };
            if let Some(text) = query.q.as_deref().filter(|t| !t.trim().is_empty()) {
                let pattern = like_pattern(text);
                q = q.filter(
                    lower(p::name)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(o::name).like(pattern).escape('\\')),
                );
            }
            if let Some(org) = query.organization_id {
                q = q.filter(p::organization_id.eq(org));
            }
            if let Some(csm) = query.csm_id {
                q = q.filter(o::csm_id.eq(csm));
            }
            if query.overdue == Some(true) {
                q = q.filter(diesel::dsl::exists(
                    a::table
                        .filter(a::project_id.eq(p::id))
                        .filter(a::state.eq(ActivityState::Todo.as_str()))
                        .filter(a::due_date.lt(now().date())),
                ));
            }
            let rows: Vec<ProjectRow> = q.load(conn)?;
            let org_ids: Vec<&String> = rows.iter().map(|r| &r.organization_id).collect();
            let orgs: HashMap<String, OrgRow> = o::table
                .filter(o::id.eq_any(org_ids))
                .select(o::all_columns)
                .load::<OrgRow>(conn)?
                .into_iter()
                .map(|o| (o.id.clone(), o))
                .collect();
            page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows, &orgs, &viewer))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/projects", operation_id = "createProject", tag = "projects",
    summary = "Create a project for a client organisation",
    description = "The organisation's CSM or an administrator. From a template, items are copied with due dates counted from `kickoff_date`; without one the project starts with an empty \"Kick-off\" category. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewProject,
    responses(
        (status = 201, description = "Created", body = Project, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not the organisation's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/projects")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewProject>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    shared::validate::new_project(&new).map_err(ApiError::validation)?;
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &new, |conn| {
                let org = organizations::find(conn, &new.organization_id)?.ok_or_else(|| {
                    ApiError::field("organization_id", "exists", "no such organization")
                })?;
                if policy::view_organization(&actor, org.facts()).is_err() {
                    return Err(ApiError::field(
                        "organization_id",
                        "exists",
                        "no such organization",
                    ));
                }
                if org.kind() != shared::identity::OrgKind::Client {
                    return Err(ApiError::field(
                        "organization_id",
                        "client_only",
                        "projects belong to client organizations",
                    ));
                }
                policy::create_project(&actor, org.facts())?;
                let template = match &new.template_id {
                    Some(t) => Some(templates::find(conn, t)?.ok_or_else(|| {
                        ApiError::field("template_id", "exists", "no such template")
                    })?),
                    None => None,
                };
                let id = insert(
                    conn,
                    &org.id,
                    &new,
                    template.as_ref().map(|t| t.categories.as_slice()),
                    Some(&actor.user_id),
                )?;
                let ctx = access(conn, &actor, &id)?;
                let audience = ctx.audience(conn, &actor.user_id)?;
                publish(
                    conn,
                    &audience,
                    "project.created",
                    &serde_json::json!({"project_id": id}),
                )?;
                to_dto(conn, ctx, &actor.user_id)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |p| Some(format!("/api/v1/projects/{}", p.id)),
        |p| Some(etag(p.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/projects/{id}", operation_id = "getProject", tag = "projects",
    summary = "Get one project",
    description = "404 when it does not exist or is not visible to you.",
    params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "The project", body = Project, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/projects/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let project = state
        .db
        .run(move |conn| {
            let ctx = access(conn, &actor, &id)?;
            to_dto(conn, ctx, &actor.user_id)
        })
        .await?;
    Ok(ok_with_etag(&project, project.version))
}
