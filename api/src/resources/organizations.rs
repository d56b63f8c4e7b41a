//! Organisations: the vendor and its clients.

use actix_web::{HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use shared::Role;
use shared::identity::{
    GrowthPotential, LifecycleStage, NewOrganization, OrgKind, Organization, OrganizationPatch,
    TouchModel,
};
use shared::page::{Page, PageQuery};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::{organizations as o, users as u};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::http::pagination::PageRequest;
use crate::policy::{self, OrgFacts, OrgScope};
use crate::realtime::events::publish;
use crate::resources::{like_pattern, lower, ok_with_etag};
use crate::state::AppState;

#[derive(Queryable, Debug, Clone)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub plan: Option<String>,
    pub contract_start: Option<chrono::NaiveDate>,
    pub industry: Option<String>,
    pub yearly_spend: Option<i64>,
    pub size: Option<i32>,
    pub growth_potential: Option<String>,
    pub segment: Option<String>,
    pub touch_model: String,
    pub lifecycle_stage: String,
    pub csm_id: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i32,
}

impl OrgRow {
    pub fn kind(&self) -> OrgKind {
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::Client)
    }

    pub fn facts(&self) -> OrgFacts<'_> {
        OrgFacts {
            id: &self.id,
            kind: self.kind(),
            csm_id: self.csm_id.as_deref(),
        }
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<OrgRow>> {
    Ok(crate::on_driver!(conn, |c| o::table
        .find(id)
        .select(o::all_columns)
        .first(c)
        .optional())?)
}

/// The organisation if the actor may see it, else 404 (whether or not it exists).
pub fn visible(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<OrgRow> {
    let row = find(conn, id)?.ok_or_else(|| ApiError::not_found("organization"))?;
    policy::view_organization(actor, row.facts())?;
    Ok(row)
}

pub fn vendor_id(conn: &mut DbConn) -> ApiResult<String> {
    o::table
        .filter(o::kind.eq(OrgKind::Vendor.as_str()))
        .select(o::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::internal(
                "no vendor organization; run `tandem migrate` and create the first admin",
            )
        })
}

/// Rows to DTOs, with the CSM names fetched in one query.
pub fn to_dtos(conn: &mut DbConn, rows: Vec<OrgRow>) -> ApiResult<Vec<Organization>> {
    let csm_ids: Vec<&String> = rows.iter().filter_map(|r| r.csm_id.as_ref()).collect();
    let names = crate::resources::users::names(conn, csm_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Organization {
            kind: r.kind(),
            csm_name: r.csm_id.as_ref().and_then(|id| names.get(id).cloned()),
            id: r.id,
            name: r.name,
            plan: r.plan,
            contract_start: r.contract_start,
            industry: r.industry,
            yearly_spend: r.yearly_spend,
            size: r.size,
            growth_potential: r
                .growth_potential
                .as_deref()
                .and_then(GrowthPotential::parse),
            segment: r.segment,
            touch_model: TouchModel::parse(&r.touch_model).unwrap_or(TouchModel::High),
            lifecycle_stage: LifecycleStage::parse(&r.lifecycle_stage)
                .unwrap_or(LifecycleStage::Onboarding),
            csm_id: r.csm_id,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            version: r.version,
        })
        .collect())
}

pub fn to_dto(conn: &mut DbConn, row: OrgRow) -> ApiResult<Organization> {
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("organization vanished"))
}

/// A CSM must be an active user with the `csm` role.
fn check_csm(conn: &mut DbConn, csm_id: &str) -> ApiResult<()> {
    let role: Option<String> = u::table
        .find(csm_id)
        .filter(u::active.eq(true))
        .select(u::role)
        .first(conn)
        .optional()?;
    match role.as_deref() {
        Some("csm") => Ok(()),
        Some(_) => Err(ApiError::field(
            "csm_id",
            "role",
            "must be a user with the csm role",
        )),
        None => Err(ApiError::field("csm_id", "exists", "no such active user")),
    }
}

/// Who hears about a change to an organisation: admins, its CSM, and its own users.
pub fn audience(conn: &mut DbConn, org: &OrgRow) -> ApiResult<Vec<String>> {
    let mut q = u::table
        .filter(u::active.eq(true))
        .filter(
            u::role
                .eq(Role::Admin.as_str())
                .or(u::organization_id.eq(&org.id)),
        )
        .select(u::id)
        .into_boxed();
    if let Some(csm) = &org.csm_id {
        q = q.or_filter(u::id.eq(csm.clone()));
    }
    Ok(q.load(conn)?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Finds organisations whose name contains this text (any case).
    pub q: Option<String>,
    /// `vendor` or `client`.
    pub kind: Option<String>,
    /// Only organisations assigned to this CSM.
    pub csm_id: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/organizations", operation_id = "listOrganizations", tag = "organizations",
    summary = "List the organisations you can see",
    description = "Admins, account managers, agents and sales see all; a CSM sees their assigned clients and the vendor; a client user sees only their own organisation.",
    params(ListQuery),
    responses((status = 200, description = "A page of organisations, oldest first", body = Page<Organization>)),
    security(("bearer" = [])),
)]
#[get("/organizations")]
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
    if let Some(kind) = &query.kind {
        OrgKind::parse(kind)
            .ok_or_else(|| ApiError::field("kind", "one_of", "must be `vendor` or `client`"))?;
    }
    let scope = policy::org_scope(&actor);
    let result = state
        .db
        .run(move |conn| {
            let mut q = o::table
                .select(o::all_columns)
                .order(o::id.asc())
                .limit(page.fetch_limit())
                .into_boxed();
            q = match scope {
                OrgScope::All => q,
                OrgScope::Assigned { csm_id, vendor_id } => {
                    q.filter(o::csm_id.eq(csm_id).or(o::id.eq(vendor_id)))
                }
                OrgScope::Own(id) => q.filter(o::id.eq(id)),
            };
            if let Some(after) = &page.after {
                q = q.filter(o::id.gt(after.clone()));
            }
            if let Some(text) = query.q.as_deref().filter(|t| !t.trim().is_empty()) {
                q = q.filter(lower(o::name).like(like_pattern(text)).escape('\\'));
            }
            if let Some(kind) = query.kind {
                q = q.filter(o::kind.eq(kind));
            }
            if let Some(csm) = query.csm_id {
                q = q.filter(o::csm_id.eq(csm));
            }
            let rows: Vec<OrgRow> = q.load(conn)?;
            page.page(rows, |r| &r.id, |rows| to_dtos(conn, rows))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(
    post, path = "/api/v1/organizations", operation_id = "createOrganization", tag = "organizations",
    summary = "Create a client organisation",
    description = "Admins only. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewOrganization,
    responses(
        (status = 201, description = "Created", body = Organization, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/organizations")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewOrganization>,
) -> ApiResult<HttpResponse> {
    policy::create_organization(&actor)?;
    let new = body.into_inner();
    shared::validate::new_organization(&new).map_err(ApiError::validation)?;
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &new, |conn| {
                if let Some(csm) = &new.csm_id {
                    check_csm(conn, csm)?;
                }
                let id = new_id();
                let at = now();
                diesel::insert_into(o::table)
                    .values((
                        o::id.eq(&id),
                        o::name.eq(new.name.trim()),
                        o::kind.eq(OrgKind::Client.as_str()),
                        o::plan.eq(&new.plan),
                        o::contract_start.eq(new.contract_start),
                        o::industry.eq(&new.industry),
                        o::yearly_spend.eq(new.yearly_spend),
                        o::size.eq(new.size),
                        o::growth_potential.eq(new.growth_potential.map(GrowthPotential::as_str)),
                        o::segment.eq(&new.segment),
                        o::touch_model.eq(new.touch_model.unwrap_or(TouchModel::High).as_str()),
                        o::lifecycle_stage.eq(new
                            .lifecycle_stage
                            .unwrap_or(LifecycleStage::Onboarding)
                            .as_str()),
                        o::csm_id.eq(&new.csm_id),
                        o::created_at.eq(at),
                        o::updated_at.eq(at),
                        o::version.eq(1),
                    ))
                    .execute(conn)?;
                let row =
                    find(conn, &id)?.ok_or_else(|| ApiError::internal("organization vanished"))?;
                let recipients = audience(conn, &row)?;
                publish(
                    conn,
                    &recipients,
                    "organization.created",
                    &serde_json::json!({"organization_id": id}),
                )?;
                to_dto(conn, row)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |o| Some(format!("/api/v1/organizations/{}", o.id)),
        |o| Some(etag(o.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/organizations/{id}", operation_id = "getOrganization", tag = "organizations",
    summary = "Get one organisation",
    description = "404 when it does not exist or is not visible to you. The `ETag` header is the version to send back as `If-Match`.",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, description = "The organisation", body = Organization, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/organizations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let org = state
        .db
        .run(move |conn| {
            let row = visible(conn, &actor, &id)?;
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&org, org.version))
}

#[utoipa::path(
    patch, path = "/api/v1/organizations/{id}", operation_id = "updateOrganization", tag = "organizations",
    summary = "Change an organisation",
    description = "Admins only. Absent fields stay as they are; `null` clears an optional field. Send `If-Match` with the ETag you read to avoid overwriting someone else's change.",
    params(("id" = String, Path, description = "Organisation id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = OrganizationPatch,
    responses(
        (status = 200, description = "The changed organisation", body = Organization, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/organizations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<OrganizationPatch>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let p = body.into_inner();
    shared::validate::organization_patch(&p).map_err(ApiError::validation)?;
    let org = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "organizations", &id)?;
            let row = visible(conn, &actor, &id)?;
            policy::edit_organization(&actor, row.facts())?;
            if_match.check(row.version)?;
            if let Some(Some(csm)) = &p.csm_id {
                check_csm(conn, csm)?;
            }
            if row.kind() == OrgKind::Vendor && p.csm_id.as_ref().is_some_and(Option::is_some) {
                return Err(ApiError::field(
                    "csm_id",
                    "client_only",
                    "only client organizations have a CSM",
                ));
            }
            let at = now();
            let changed = diesel::update(o::table.find(&id).filter(o::version.eq(row.version)))
                .set((
                    p.name.as_ref().map(|v| o::name.eq(v.trim().to_string())),
                    p.plan.clone().map(|v| o::plan.eq(v)),
                    p.contract_start.map(|v| o::contract_start.eq(v)),
                    p.industry.clone().map(|v| o::industry.eq(v)),
                    p.yearly_spend.map(|v| o::yearly_spend.eq(v)),
                    p.size.map(|v| o::size.eq(v)),
                    p.growth_potential
                        .map(|v| o::growth_potential.eq(v.map(|g| g.as_str().to_string()))),
                    p.segment.clone().map(|v| o::segment.eq(v)),
                    p.touch_model.map(|v| o::touch_model.eq(v.as_str())),
                    p.lifecycle_stage.map(|v| o::lifecycle_stage.eq(v.as_str())),
                    p.csm_id.clone().map(|v| o::csm_id.eq(v)),
                    o::updated_at.eq(at),
                    o::version.eq(row.version + 1),
                ))
                .execute(conn)?;
            if changed == 0 {
                return Err(ApiError::new(
                    shared::ErrorCode::PreconditionFailed,
                    "changed by someone else meanwhile; reload and retry",
                ));
            }
            let row =
                find(conn, &id)?.ok_or_else(|| ApiError::internal("organization vanished"))?;
            let recipients = audience(conn, &row)?;
            publish(
                conn,
                &recipients,
                "organization.updated",
                &serde_json::json!({"organization_id": id}),
            )?;
            to_dto(conn, row)
        })
        .await?;
    Ok(ok_with_etag(&org, org.version))
}
