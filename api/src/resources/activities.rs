//! The checklist: categories and items, ticks by either side under the state
//! machine in `shared::activity`, each move recorded and told to the other side.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use shared::activity::{
    self, Activity, ActivityAction, ActivityCategory, ActivityList, ActivityPatch, ActivityState,
    ActivityTransition, Link, NewActivity, Progress, ProjectSide, Responsible, TransitionRequest,
};
use shared::notification::NotificationKind;
use shared::page::{Page, PageQuery};

use crate::auth::Actor;
use crate::db::schema::{activities as a, activity_categories as ac, activity_transitions as tr};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::notify::{Notice, notify};
use crate::policy;
use crate::realtime::events::publish;
use crate::resources::ok_with_etag;
use crate::resources::organizations::OrgRow;
use crate::resources::projects::{self, ProjectCtx, ProjectRow};
use crate::state::AppState;

#[derive(Queryable, Debug, Clone)]
pub struct ItemRow {
    pub id: String,
    pub project_id: String,
    pub category_id: String,
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    pub responsible: String,
    pub state: String,
    pub due_date: Option<NaiveDate>,
    pub review_date: Option<NaiveDate>,
    pub links: String,
    pub done_at: Option<chrono::NaiveDateTime>,
    pub done_by: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

impl ItemRow {
    fn responsible(&self) -> Responsible {
        Responsible::parse(&self.responsible).unwrap_or(Responsible::Csm)
    }
    fn state(&self) -> ActivityState {
        ActivityState::parse(&self.state).unwrap_or(ActivityState::Todo)
    }
}

fn to_dto(
    r: ItemRow,
    side: ProjectSide,
    names: &HashMap<String, String>,
    today: NaiveDate,
) -> Activity {
    let (responsible, state) = (r.responsible(), r.state());
    Activity {
        allowed_actions: activity::allowed_actions(side, responsible, state),
        overdue: state == ActivityState::Todo && r.due_date.is_some_and(|d| d < today),
        links: serde_json::from_str::<Vec<Link>>(&r.links).unwrap_or_default(),
        done_by_name: r.done_by.as_ref().and_then(|id| names.get(id).cloned()),
        done_at: r.done_at.map(to_utc),
        id: r.id,
        project_id: r.project_id,
        category_id: r.category_id,
        position: r.position,
        title: r.title,
        description: r.description,
        responsible,
        state,
        due_date: r.due_date,
        review_date: r.review_date,
        updated_at: to_utc(r.updated_at),
        version: r.version,
    }
}

fn user_names(conn: &mut DbConn, ids: Vec<&String>) -> ApiResult<HashMap<String, String>> {
    crate::resources::users::names(conn, ids)
}

fn item_dto(conn: &mut DbConn, row: ItemRow, side: ProjectSide) -> ApiResult<Activity> {
    let names = user_names(conn, row.done_by.iter().collect())?;
    Ok(to_dto(row, side, &names, now().date()))
}

fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<ItemRow>> {
    Ok(crate::on_driver!(conn, |c| a::table
        .find(id)
        .select(a::all_columns)
        .first(c)
        .optional())?)
}

/// The item and its project if the caller may see them, else 404. One read for item,
/// project and organisation: it opens every tick.
fn access(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<(ItemRow, ProjectCtx)> {
    use crate::db::schema::{organizations as o, projects as p};
    let found: Option<(ItemRow, ProjectRow, OrgRow)> = crate::on_driver!(conn, |c| a::table
        .inner_join(p::table.inner_join(o::table))
        .filter(a::id.eq(id))
        .select((a::all_columns, p::all_columns, o::all_columns))
        .first(c)
        .optional())?;
    let (row, project, org) = found.ok_or_else(|| ApiError::not_found("activity"))?;
    let ctx = ProjectCtx::of(actor, project, org).map_err(|_| ApiError::not_found("activity"))?;
    Ok((row, ctx))
}

/// The whole checklist of a project, as `side` sees it.
pub fn checklist(conn: &mut DbConn, ctx: &ProjectCtx) -> ApiResult<ActivityList> {
    let pid = &ctx.project.id;
    let cats: Vec<(String, String, i32)> = ac::table
        .filter(ac::project_id.eq(pid))
        .order(ac::position.asc())
        .select((ac::id, ac::name, ac::position))
        .load(conn)?;
    let rows: Vec<ItemRow> = a::table
        .filter(a::project_id.eq(pid))
        .order((a::category_id.asc(), a::position.asc()))
        .select(a::all_columns)
        .load(conn)?;
    let names = user_names(
        conn,
        rows.iter().filter_map(|r| r.done_by.as_ref()).collect(),
    )?;
    let today = now().date();
    let mut by_cat: HashMap<String, Vec<Activity>> = HashMap::new();
    for r in rows {
        by_cat
            .entry(r.category_id.clone())
            .or_default()
            .push(to_dto(r, ctx.side, &names, today));
    }
    let categories: Vec<ActivityCategory> = cats
        .into_iter()
        .map(|(id, name, position)| {
            let items = by_cat.remove(&id).unwrap_or_default();
            ActivityCategory {
                progress: Progress::of(items.iter().map(|i| &i.state)),
                id,
                name,
                position,
                items,
            }
        })
        .collect();
    let progress = Progress::of(
        categories
            .iter()
            .flat_map(|c| c.items.iter().map(|i| &i.state)),
    );
    Ok(ActivityList {
        project_id: pid.clone(),
        progress,
        categories,
    })
}

/// Tells every participant (and the actor's other tabs) that an item changed.
fn announce(conn: &mut DbConn, ctx: &ProjectCtx, actor: &Actor, item_id: &str) -> ApiResult<()> {
    let audience = ctx.audience(conn, &actor.user_id)?;
    publish(
        conn,
        &audience,
        "activity.changed",
        &serde_json::json!({"project_id": ctx.project.id, "activity_id": item_id}),
    )
}

fn touch_project(conn: &mut DbConn, project_id: &str) -> ApiResult<()> {
    use crate::db::schema::projects as p;
    crate::on_driver!(conn, |c| diesel::update(p::table.find(project_id))
        .set(p::updated_at.eq(now()))
        .execute(c))?;
    Ok(())
}

#[utoipa::path(
    get, path = "/api/v1/projects/{id}/activities", operation_id = "listProjectActivities", tag = "activities",
    summary = "The project's checklist",
    description = "Categories in order, each with its items and progress, and the project's progress (done out of applicable; skipped items are not applicable). Each item lists the actions the caller may take now.",
    params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "The checklist", body = ActivityList)),
    security(("bearer" = [])),
)]
#[get("/projects/{id}/activities")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let checklist = state
        .db
        .run(move |conn| {
            let ctx = projects::access(conn, &actor, &id)?;
            checklist(conn, &ctx)
        })
        .await?;
    Ok(HttpResponse::Ok().json(checklist))
}

#[utoipa::path(
    post, path = "/api/v1/projects/{id}/activities", operation_id = "createActivity", tag = "activities",
    summary = "Add an item to a project's checklist",
    description = "The project's CSM or an administrator. The item goes last in its category.",
    params(("id" = String, Path, description = "Project id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewActivity,
    responses(
        (status = 201, description = "Created", body = Activity, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/projects/{id}/activities")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: web::Json<NewActivity>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner();
    shared::validate::new_activity(&new).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let created = state
        .db
        .tx(move |conn| {
            let ctx = projects::access(conn, &actor, &id)?;
            policy::run_project(ctx.side)?;
            create_once(conn, &actor.user_id, &key, &new, |conn| {
                let in_project: Option<String> = ac::table
                    .find(&new.category_id)
                    .filter(ac::project_id.eq(&id))
                    .select(ac::id)
                    .first(conn)
                    .optional()?;
                if in_project.is_none() {
                    return Err(ApiError::field(
                        "category_id",
                        "exists",
                        "no such category in this project",
                    ));
                }
                let last: Option<i32> = a::table
                    .filter(a::category_id.eq(&new.category_id))
                    .select(diesel::dsl::max(a::position))
                    .first(conn)?;
                let item_id = new_id();
                let at = now();
                diesel::insert_into(a::table)
                    .values((
                        a::id.eq(&item_id),
                        a::project_id.eq(&id),
                        a::category_id.eq(&new.category_id),
                        a::position.eq(last.map_or(0, |p| p + 1)),
                        a::title.eq(new.title.trim()),
                        a::description.eq(&new.description),
                        a::responsible.eq(new.responsible.as_str()),
                        a::state.eq(ActivityState::Todo.as_str()),
                        a::due_date.eq(new.due_date),
                        a::review_date.eq(new.review_date),
                        a::links.eq(serde_json::to_string(&new.links)?),
                        a::created_at.eq(at),
                        a::updated_at.eq(at),
                        a::version.eq(1),
                    ))
                    .execute(conn)?;
                touch_project(conn, &id)?;
                announce(conn, &ctx, &actor, &item_id)?;
                let row =
                    find(conn, &item_id)?.ok_or_else(|| ApiError::internal("activity vanished"))?;
                item_dto(conn, row, ctx.side)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |a| Some(format!("/api/v1/activities/{}", a.id)),
        |a| Some(etag(a.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/activities/{id}", operation_id = "getActivity", tag = "activities",
    summary = "One checklist item",
    description = "Anyone who sees the project. The `ETag` is what `PATCH` and transitions take as `If-Match`.",
    params(("id" = String, Path, description = "Activity id")),
    responses(
        (status = 200, description = "The item", body = Activity, headers(("ETag" = String))),
        (status = 404, description = "No such item, or not in a project you can see", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/activities/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let item = state
        .db
        .run(move |conn| {
            let (row, ctx) = access(conn, &actor, &id)?;
            item_dto(conn, row, ctx.side)
        })
        .await?;
    Ok(ok_with_etag(&item, item.version))
}

#[utoipa::path(
    patch, path = "/api/v1/activities/{id}", operation_id = "updateActivity", tag = "activities",
    summary = "Change an item's details (title, responsibility, dates, links)",
    description = "The project's CSM or an administrator. The state changes only through transitions. Absent fields stay; `null` clears an optional one. Send `If-Match`.",
    params(("id" = String, Path, description = "Activity id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ActivityPatch,
    responses(
        (status = 200, description = "The changed item", body = Activity, headers(("ETag" = String))),
        (status = 403, description = "Not the project's CSM or an administrator", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/activities/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<ActivityPatch>,
) -> ApiResult<HttpResponse> {
    let p = body.into_inner();
    shared::validate::activity_patch(&p).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let item = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "activities", &id)?;
            let (row, ctx) = access(conn, &actor, &id)?;
            policy::run_project(ctx.side)?;
            if_match.check(row.version)?;
            let links = p.links.as_ref().map(serde_json::to_string).transpose()?;
            let changed = diesel::update(a::table.find(&id).filter(a::version.eq(row.version)))
                .set((
                    p.title.as_ref().map(|v| a::title.eq(v.trim().to_string())),
                    p.description.clone().map(|v| a::description.eq(v)),
                    p.responsible.map(|v| a::responsible.eq(v.as_str())),
                    p.due_date.map(|v| a::due_date.eq(v)),
                    p.review_date.map(|v| a::review_date.eq(v)),
                    links.map(|v| a::links.eq(v)),
                    a::updated_at.eq(now()),
                    a::version.eq(row.version + 1),
                ))
                .execute(conn)?;
            if changed == 0 {
                return Err(stale());
            }
            touch_project(conn, &ctx.project.id)?;
            announce(conn, &ctx, &actor, &id)?;
            if p.due_date.is_some() || p.review_date.is_some() {
                // Dates show in the agenda: open agendas reload.
                let audience = ctx.audience(conn, &actor.user_id)?;
                publish(
                    conn,
                    &audience,
                    "agenda.changed",
                    &serde_json::json!({"project_id": ctx.project.id}),
                )?;
            }
            let row = find(conn, &id)?.ok_or_else(|| ApiError::internal("activity vanished"))?;
            item_dto(conn, row, ctx.side)
        })
        .await?;
    Ok(ok_with_etag(&item, item.version))
}

fn stale() -> ApiError {
    ApiError::new(
        shared::ErrorCode::PreconditionFailed,
        "changed by someone else meanwhile; reload and retry",
    )
}

#[utoipa::path(
    post, path = "/api/v1/activities/{id}/transitions", operation_id = "transitionActivity", tag = "activities",
    summary = "Tick, reopen or skip an item",
    description = "`complete` ticks a to-do item; `reopen` (with a `reason`) puts a done or skipped item back to do; `skip` marks it not applicable (CSM only). A client user ticks and reopens only the client's items. The move is recorded in the item's history and the other side is notified. `If-Match` is optional: send it to be sure nobody moved the item since you read it.",
    params(("id" = String, Path, description = "Activity id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The item after the move", body = Activity, headers(("ETag" = String))),
        (status = 403, description = "Your role reads this project but does not work in it", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The move is not allowed from this state or for your side (code `transition_not_allowed`)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/activities/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let req = body.into_inner();
    shared::validate::reason(req.reason.as_deref()).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let config = state.config.clone();
    let item = state
        .db
        .tx(move |conn| {
            let (row, ctx) = access(conn, &actor, &id)?;
            if ctx.side == ProjectSide::Observer {
                return Err(ApiError::forbidden(
                    activity::TransitionError::ReadOnly.to_string(),
                ));
            }
            if_match.check(row.version)?;
            let from = row.state();
            let reason = req
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty());
            let to = activity::check(ctx.side, row.responsible(), from, req.action, reason)
                .map_err(|e| match e {
                    activity::TransitionError::ReasonRequired => {
                        ApiError::field("reason", "required", e.to_string())
                    }
                    _ => ApiError::new(shared::ErrorCode::TransitionNotAllowed, e.to_string()),
                })?;
            let at = now();
            let done = to == ActivityState::Done;
            // The tick is the hot write: each statement goes through the driver's own
            // connection, where it stays prepared.
            let changed = crate::on_driver!(conn, |c| diesel::update(
                a::table.find(&id).filter(a::version.eq(row.version))
            )
            .set((
                a::state.eq(to.as_str()),
                a::done_at.eq(done.then_some(at)),
                a::done_by.eq(done.then(|| actor.user_id.clone())),
                a::updated_at.eq(at),
                a::version.eq(row.version + 1),
            ))
            .execute(c))?;
            if changed == 0 {
                return Err(stale());
            }
            crate::on_driver!(conn, |c| diesel::insert_into(tr::table)
                .values((
                    tr::id.eq(new_id()),
                    tr::activity_id.eq(&id),
                    tr::actor_id.eq(&actor.user_id),
                    tr::action.eq(req.action.as_str()),
                    tr::from_state.eq(from.as_str()),
                    tr::to_state.eq(to.as_str()),
                    tr::reason.eq(reason),
                    tr::created_at.eq(at),
                ))
                .execute(c))?;
            touch_project(conn, &ctx.project.id)?;
            // The item as it now stands, without reading it back.
            let (client_users, who) = ctx.client_users_and_name(conn, &actor.user_id)?;
            let moved = ItemRow {
                state: to.as_str().to_string(),
                done_at: done.then_some(at),
                done_by: done.then(|| actor.user_id.clone()),
                updated_at: at,
                version: row.version + 1,
                ..row.clone()
            };
            let names = HashMap::from([(actor.user_id.clone(), who.clone())]);
            let item = to_dto(moved, ctx.side, &names, at.date());
            let told = Told {
                actor_id: &actor.user_id,
                who: &who,
                recipients: ctx.other_side_of(&client_users, ctx.side),
            };
            tell_other_side(conn, &config, &ctx, told, &row, req.action, reason)?;
            publish(
                conn,
                &ctx.audience_of(&client_users, &actor.user_id),
                "activity.changed",
                &serde_json::json!({"project_id": ctx.project.id, "activity_id": id}),
            )?;
            Ok(item)
        })
        .await?;
    Ok(ok_with_etag(&item, item.version))
}

/// Who acted and who hears of it, read once by the caller.
struct Told<'a> {
    actor_id: &'a str,
    who: &'a str,
    recipients: Vec<String>,
}

/// A tick or a reopening notifies the other side; skipping is the CSM's
/// bookkeeping and tells nobody.
fn tell_other_side(
    conn: &mut DbConn,
    config: &crate::Config,
    ctx: &ProjectCtx,
    told: Told,
    item: &ItemRow,
    action: ActivityAction,
    reason: Option<&str>,
) -> ApiResult<()> {
    let kind = match action {
        ActivityAction::Complete => NotificationKind::ItemTicked,
        ActivityAction::Reopen => NotificationKind::ItemReopened,
        ActivityAction::Skip => return Ok(()),
    };
    // The states alone give the figures; loading the whole checklist (rows, names, DTOs)
    // was half the work of a tick.
    let states: Vec<ActivityState> = crate::on_driver!(conn, |c| a::table
        .filter(a::project_id.eq(&ctx.project.id))
        .select(a::state)
        .load::<String>(c))?
    .iter()
    .map(|s| ActivityState::parse(s).unwrap_or(ActivityState::Todo))
    .collect();
    let progress = Progress::of(&states);
    let verb = if kind == NotificationKind::ItemTicked {
        "ticked"
    } else {
        "reopened"
    };
    let mut body = format!(
        "{}: {} of {} done ({}%)",
        ctx.project.name, progress.done, progress.applicable, progress.percent
    );
    if let Some(r) = reason {
        body = format!("Reason: {r}. {body}");
    }
    notify(
        conn,
        config,
        &told.recipients,
        &Notice {
            kind,
            title: format!("{} {verb} “{}”", told.who, item.title),
            body,
            project_id: Some(ctx.project.id.clone()),
            link: Some(ctx.link(None)),
            actor_id: Some(told.actor_id.to_string()),
        },
    )?;
    Ok(())
}

#[utoipa::path(
    get, path = "/api/v1/activities/{id}/history", operation_id = "listActivityHistory", tag = "activities",
    summary = "An item's history: every move, who made it and why",
    params(("id" = String, Path, description = "Activity id"), PageQuery),
    responses((status = 200, description = "A page of moves, oldest first", body = Page<ActivityTransition>)),
    security(("bearer" = [])),
)]
#[get("/activities/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::from_query(&query)?;
    let id = id.into_inner();
    let result = state
        .db
        .run(move |conn| {
            access(conn, &actor, &id)?;
            type Row = (
                String,
                String,
                Option<String>,
                String,
                String,
                String,
                Option<String>,
                chrono::NaiveDateTime,
            );
            let mut q = tr::table
                .filter(tr::activity_id.eq(&id))
                .order(tr::id.asc())
                .limit(page.fetch_limit())
                .select(tr::all_columns)
                .into_boxed();
            if let Some(after) = &page.after {
                q = q.filter(tr::id.gt(after.clone()));
            }
            let rows: Vec<Row> = q.load(conn)?;
            page.page(
                rows,
                |r| &r.0,
                |rows| {
                    let names =
                        user_names(conn, rows.iter().filter_map(|r| r.2.as_ref()).collect())?;
                    Ok(rows
                        .into_iter()
                        .map(|r| ActivityTransition {
                            actor_name: r.2.as_ref().and_then(|a| names.get(a).cloned()),
                            id: r.0,
                            activity_id: r.1,
                            actor_id: r.2,
                            action: ActivityAction::parse(&r.3).unwrap_or(ActivityAction::Complete),
                            from_state: ActivityState::parse(&r.4).unwrap_or(ActivityState::Todo),
                            to_state: ActivityState::parse(&r.5).unwrap_or(ActivityState::Todo),
                            reason: r.6,
                            created_at: to_utc(r.7),
                        })
                        .collect())
                },
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
