//! Users: vendor staff and client users.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::identity::{Availability, NewUser, OrgKind, User, UserPatch};
use shared::page::{Page, PageQuery};
use shared::validate::normalize_email;
use shared::{FieldError, Role};
use utoipa::IntoParams;

use crate::auth::{Actor, password};
use crate::db::schema::{
    department_members as dm, departments as d, organizations as o, user_skills as us, users as u,
};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::policy::{self, OrgScope};
use crate::resources::ok_with_etag;
use crate::resources::organizations;
use crate::state::AppState;

#[derive(Queryable, Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub availability: Option<String>,
    pub active: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
    /// Most active tickets the desk assigns to this agent at once.
    pub ticket_capacity: i32,
    /// When the desk last gave this agent a ticket (round-robin order).
    pub last_assigned_at: Option<chrono::NaiveDateTime>,
    /// Active tickets assigned to this agent, kept by the database (see desk::assign).
    pub open_tickets: i32,
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::ClientMember)
    }
}

/// Display names of these users, by id, in one query (none when `ids` is empty).
pub fn names<'a>(
    conn: &mut DbConn,
    ids: impl IntoIterator<Item = &'a String>,
) -> ApiResult<std::collections::HashMap<String, String>> {
    let ids: Vec<&String> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(u::table
        .filter(u::id.eq_any(ids))
        .select((u::id, u::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<UserRow>> {
    Ok(crate::on_driver!(conn, |c| u::table
        .find(id)
        .select(u::all_columns)
        .first(c)
        .optional())?)
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> ApiResult<Option<UserRow>> {
    Ok(u::table
        .filter(u::email.eq(normalize_email(email)))
        .select(u::all_columns)
        .first(conn)
        .optional()?)
}

/// The user if the actor may see them, else 404.
fn visible(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<UserRow> {
    let row = find(conn, id)?.ok_or_else(|| ApiError::not_found("user"))?;
    let org = organizations::find(conn, &row.organization_id)?
        .ok_or_else(|| ApiError::not_found("user"))?;
    policy::view_user(actor, org.facts()).map_err(|_| ApiError::not_found("user"))?;
    Ok(row)
}

/// Rows to DTOs with organisation names, departments and skills in three queries in all.
pub fn to_dtos(conn: &mut DbConn, rows: Vec<UserRow>) -> ApiResult<Vec<User>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let org_ids: Vec<&String> = rows.iter().map(|r| &r.organization_id).collect();
    let orgs: HashMap<String, String> = o::table
        .filter(o::id.eq_any(org_ids))
        .select((o::id, o::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut depts: HashMap<String, Vec<String>> = HashMap::new();
    for (user, dept) in dm::table
        .filter(dm::user_id.eq_any(&ids))
        .order(dm::department_id)
        .select((dm::user_id, dm::department_id))
        .load::<(String, String)>(conn)?
    {
        depts.entry(user).or_default().push(dept);
    }
    let mut skills: HashMap<String, Vec<String>> = HashMap::new();
    for (user, skill) in us::table
        .filter(us::user_id.eq_any(&ids))
        .order(us::skill)
        .select((us::user_id, us::skill))
        .load::<(String, String)>(conn)?
    {
        skills.entry(user).or_default().push(skill);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let org = orgs.get(&r.organization_id).cloned().unwrap_or_default();
            let (d, k) = (
                depts.remove(&r.id).unwrap_or_default(),
                skills.remove(&r.id).unwrap_or_default(),
            );
            build(r, org, d, k)
        })
        .collect())
}

fn build(
    r: UserRow,
    organization_name: String,
    department_ids: Vec<String>,
    skills: Vec<String>,
) -> User {
    User {
        role: r.role(),
        organization_name,
        department_ids,
        skills,
        availability: r.availability.as_deref().and_then(Availability::parse),
        id: r.id,
        organization_id: r.organization_id,
        email: r.email,
        name: r.name,
        active: r.active,
        ticket_capacity: r.ticket_capacity,
        created_at: to_utc(r.created_at),
        updated_at: to_utc(r.updated_at),
        version: r.version,
    }
}

/// One user: the same as `to_dtos`, with single-row queries the driver can keep prepared
/// (an `IN (…)` list is prepared anew each time), since `/me` runs on every page load.
pub fn to_dto(conn: &mut DbConn, row: UserRow) -> ApiResult<User> {
    let org: String = crate::on_driver!(conn, |c| o::table
        .find(&row.organization_id)
        .select(o::name)
        .first(c))?;
    let (depts, skills) = memberships(conn, &row.id)?;
    Ok(build(row, org, depts, skills))
}

/// One user by id, as a DTO, in three prepared queries (`/me` runs on every page load).
pub fn load(conn: &mut DbConn, id: &str) -> ApiResult<Option<User>> {
    let found: Option<(UserRow, String)> = crate::on_driver!(conn, |c| u::table
        .inner_join(o::table)
        .filter(u::id.eq(id))
        .select((u::all_columns, o::name))
        .first(c)
        .optional())?;
    let Some((row, org)) = found else {
        return Ok(None);
    };
    let (depts, skills) = memberships(conn, &row.id)?;
    Ok(Some(build(row, org, depts, skills)))
}

/// A user's department ids and skills, sorted.
fn memberships(conn: &mut DbConn, user_id: &str) -> ApiResult<(Vec<String>, Vec<String>)> {
    Ok(crate::on_driver!(conn, |c| {
        let depts: Vec<String> = dm::table
            .filter(dm::user_id.eq(user_id))
            .order(dm::department_id)
            .select(dm::department_id)
            .load(c)?;
        let skills: Vec<String> = us::table
            .filter(us::user_id.eq(user_id))
            .order(us::skill)
            .select(us::skill)
            .load(c)?;
        (depts, skills)
    }))
}

/// Tells the user's open browsers that their account changed (another tab, or an admin),
/// so they reload it. Call inside the transaction of the change.
pub fn announce_change(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    crate::realtime::events::publish(
        conn,
        &[user_id.to_string()],
        "user.updated",
        &serde_json::json!({"user_id": user_id}),
    )
}

/// Checks that the role fits the organisation: staff in the vendor, clients in a client.
pub fn resolve_org(
    conn: &mut DbConn,
    role: Role,
    organization_id: Option<&str>,
) -> ApiResult<String> {
    if role.is_staff() {
        let vendor = organizations::vendor_id(conn)?;
        if organization_id.is_some_and(|id| id != vendor) {
            return Err(ApiError::field(
                "organization_id",
                "staff_in_vendor",
                "staff roles belong to the vendor organization; leave it out",
            ));
        }
        return Ok(vendor);
    }
    let id = organization_id.ok_or_else(|| {
        ApiError::field(
            "organization_id",
            "required",
            "is required for client roles",
        )
    })?;
    match organizations::find(conn, id)? {
        Some(org) if org.kind() == OrgKind::Client => Ok(org.id),
        Some(_) => Err(ApiError::field(
            "organization_id",
            "client_org",
            "client roles belong to a client organization",
        )),
        None => Err(ApiError::field(
            "organization_id",
            "exists",
            "no such organization",
        )),
    }
}

fn set_departments(conn: &mut DbConn, user_id: &str, department_ids: &[String]) -> ApiResult<()> {
    let known: Vec<String> = d::table
        .filter(d::id.eq_any(department_ids))
        .select(d::id)
        .load(conn)?;
    if let Some((i, _)) = department_ids
        .iter()
        .enumerate()
        .find(|(_, id)| !known.contains(id))
    {
        return Err(ApiError::field(
            &format!("department_ids[{i}]"),
            "exists",
            "no such department",
        ));
    }
    diesel::delete(dm::table.filter(dm::user_id.eq(user_id))).execute(conn)?;
    let mut unique: Vec<&String> = department_ids.iter().collect();
    unique.sort();
    unique.dedup();
    for dept in unique {
        diesel::insert_into(dm::table)
            .values((dm::department_id.eq(dept), dm::user_id.eq(user_id)))
            .execute(conn)?;
    }
    Ok(())
}

fn set_skills(conn: &mut DbConn, user_id: &str, skills: &[String]) -> ApiResult<()> {
    diesel::delete(us::table.filter(us::user_id.eq(user_id))).execute(conn)?;
    let mut unique: Vec<String> = skills.iter().map(|s| s.trim().to_lowercase()).collect();
    unique.sort();
    unique.dedup();
    for skill in &unique {
        diesel::insert_into(us::table)
            .values((us::user_id.eq(user_id), us::skill.eq(skill)))
            .execute(conn)?;
    }
    Ok(())
}

/// Inserts a user (validated by the caller) and returns the row. Shared by the admin API,
/// invitations, the demo loader and `tandem create-admin`.
pub fn insert(
    conn: &mut DbConn,
    new: &NewUser,
    password_hash: Option<String>,
) -> ApiResult<UserRow> {
    let role = new
        .role
        .ok_or_else(|| ApiError::field("role", "required", "is required"))?;
    let organization_id = resolve_org(conn, role, new.organization_id.as_deref())?;
    staff_only(role, !new.department_ids.is_empty(), !new.skills.is_empty())?;
    let email = normalize_email(&new.email);
    if find_by_email(conn, &email)?.is_some() {
        return Err(ApiError::field(
            "email",
            "unique",
            "is already used by another user",
        ));
    }
    let id = new_id();
    let at = now();
    diesel::insert_into(u::table)
        .values((
            u::id.eq(&id),
            u::organization_id.eq(&organization_id),
            u::email.eq(&email),
            u::name.eq(new.name.trim()),
            u::role.eq(role.as_str()),
            u::password_hash.eq(password_hash),
            u::availability
                .eq((role == Role::SupportAgent).then_some(Availability::Offline.as_str())),
            u::active.eq(true),
            u::created_at.eq(at),
            u::updated_at.eq(at),
            u::version.eq(1),
        ))
        .execute(conn)?;
    if !new.department_ids.is_empty() {
        set_departments(conn, &id, &new.department_ids)?;
    }
    if !new.skills.is_empty() {
        set_skills(conn, &id, &new.skills)?;
    }
    find(conn, &id)?.ok_or_else(|| ApiError::internal("user vanished"))
}

/// Departments and skills are the desk's, for vendor staff: a client user in a department
/// would receive its live events (other organisations' tickets and internal notes).
fn staff_only(role: Role, departments: bool, skills: bool) -> ApiResult<()> {
    if !role.is_client() {
        return Ok(());
    }
    let mut errors = Vec::new();
    if departments {
        errors.push(FieldError::new(
            "department_ids",
            "staff_only",
            "client users belong to no department",
        ));
    }
    if skills {
        errors.push(FieldError::new(
            "skills",
            "staff_only",
            "client users have no desk skills",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub organization_id: Option<String>,
    pub role: Option<Role>,
    /// Finds users whose name or e-mail contains this text (any case).
    pub q: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/users", operation_id = "listUsers", tag = "users",
    summary = "List the users you can see",
    description = "Users of the organisations visible to you (see `listOrganizations`).",
    params(ListQuery),
    responses((status = 200, description = "A page of users, oldest first", body = Page<User>)),
    security(("bearer" = [])),
)]
#[get("/users")]
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
    let scope = policy::org_scope(&actor);
    let result = state
        .db
        .run(move |conn| {
            let mut q = u::table
                .select(u::all_columns)
                .order(u::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            q = match scope {
                OrgScope::All => q,
                OrgScope::Assigned { csm_id, vendor_id } => {
                    let assigned = o::table.filter(o::csm_id.eq(csm_id)).select(o::id);
                    q.filter(
                        u::organization_id
                            .eq(vendor_id)
                            .or(u::organization_id.eq_any(assigned)),
                    )
                }
                OrgScope::Own(id) => q.filter(u::organization_id.eq(id)),
            };
            if let Some(after) = &page.after {
                q = q.filter(u::id.gt(after.clone()));
            }
            if let Some(org) = query.organization_id {
                q = q.filter(u::organization_id.eq(org));
            }
            if let Some(role) = query.role {
                q = q.filter(u::role.eq(role.as_str()));
            }
            if let Some(text) = query.q.as_deref().filter(|t| !t.trim().is_empty()) {
                let pattern = crate::resources::like_pattern(text);
                q = q.filter(
                    crate::resources::lower(u::name)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(u::email.like(pattern).escape('\\')),
                );
            }
            let rows: Vec<UserRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/users", operation_id = "createUser", tag = "users",
    summary = "Create a user",
    description = "Admins only. Staff roles join the vendor organisation; client roles need `organization_id`. Without a password the user signs in after an invitation.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewUser>,
) -> ApiResult<HttpResponse> {
    policy::create_user(&actor)?;
    let new = body.into_inner();
    shared::validate::new_user(&new).map_err(ApiError::validation)?;
    let hash = match &new.password {
        Some(p) => {
            let p = p.clone();
            Some(password::off_thread(move || password::hash(&p)).await??)
        }
        None => None,
    };
    let created = state
        .db
        .tx(move |conn| {
            // The fingerprint leaves the password out: the hash differs on every call.
            let fingerprint = NewUser {
                password: None,
                ..new.clone()
            };
            create_once(conn, &actor.user_id, &key, &fingerprint, |conn| {
                let row = insert(conn, &new, hash)?;
                to_dto(conn, row)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |u| Some(format!("/api/v1/users/{}", u.id)),
        |u| Some(etag(u.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/users/{id}", operation_id = "getUser", tag = "users",
    summary = "Get one user",
    description = "404 when the user does not exist or belongs to an organisation you cannot see.",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let user = state
        .db
        .run(move |conn| {
            let row = visible(conn, &actor, &id)?;
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&user, user.version))
}

#[utoipa::path(
    patch, path = "/api/v1/users/{id}", operation_id = "updateUser", tag = "users",
    summary = "Change a user",
    description = "Admins only. Deactivating a user ends their sessions at once. `ticket_capacity` (support agents, 1 to 200) caps the active tickets the desk assigns them.",
    params(("id" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The changed user", body = User, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let p = body.into_inner();
    shared::validate::user_patch(&p).map_err(ApiError::validation)?;
    let user = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "users", &id)?;
            let row = visible(conn, &actor, &id)?;
            let org = organizations::find(conn, &row.organization_id)?
                .ok_or_else(|| ApiError::not_found("user"))?;
            policy::edit_user(&actor, org.facts())?;
            if_match.check(row.version)?;
            if p.role
                .is_some_and(|role| role.is_client() != row.role().is_client())
            {
                return Err(ApiError::field(
                    "role",
                    "same_side",
                    "a user cannot move between vendor staff and client roles",
                ));
            }
            if row.id == actor.user_id
                && (p.active == Some(false) || p.role.is_some_and(|r| r != Role::Admin))
            {
                return Err(ApiError::field(
                    "role",
                    "self",
                    "you cannot demote or deactivate yourself",
                ));
            }
            let role = p.role.unwrap_or(row.role());
            if p.availability.is_some() && role != Role::SupportAgent {
                return Err(ApiError::field(
                    "availability",
                    "agents_only",
                    "only support agents have an availability",
                ));
            }
            staff_only(
                role,
                p.department_ids.as_ref().is_some_and(|d| !d.is_empty()),
                p.skills.as_ref().is_some_and(|s| !s.is_empty()),
            )?;
            if p.ticket_capacity.is_some() && role != Role::SupportAgent {
                return Err(ApiError::field(
                    "ticket_capacity",
                    "agents_only",
                    "only support agents are given tickets",
                ));
            }
            diesel::update(u::table.find(&id))
                .set((
                    p.name.as_ref().map(|v| u::name.eq(v.trim().to_string())),
                    p.role.map(|v| u::role.eq(v.as_str())),
                    p.active.map(|v| u::active.eq(v)),
                    p.availability.map(|v| u::availability.eq(Some(v.as_str()))),
                    p.ticket_capacity.map(|v| u::ticket_capacity.eq(v)),
                    u::updated_at.eq(now()),
                    u::version.eq(row.version + 1),
                ))
                .execute(conn)?;
            if let Some(depts) = &p.department_ids {
                set_departments(conn, &id, depts)?;
            }
            if let Some(skills) = &p.skills {
                set_skills(conn, &id, skills)?;
            }
            if p.active == Some(false) {
                crate::auth::sessions::revoke_others(conn, &id, None)?;
            }
            announce_change(conn, &id)?;
            let row = find(conn, &id)?.ok_or_else(|| ApiError::internal("user vanished"))?;
            to_dto(conn, row)
        })
        .await?;
    // Role, status or sessions may have changed: check them afresh on the next request.
    state.sessions.forget_user(&user.id);
    Ok(ok_with_etag(&user, user.version))
}
