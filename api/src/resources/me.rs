use actix_web::{HttpResponse, get, patch, web};
use diesel::prelude::*;
use shared::Role;
use shared::identity::{Availability, MePatch, User};

use crate::auth::Actor;
use crate::db::now;
use crate::db::schema::{department_members as dm, users as u};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::IfMatch;
use crate::resources::users;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/me", operation_id = "getMe", tag = "auth",
    summary = "The signed-in user",
    description = "Your profile, role, organisation, departments and skills.",
    responses((status = 200, description = "You", body = User, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let user = state
        .db
        .run(move |conn| {
            users::load(conn, &actor.user_id)?
                .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))
        })
        .await?;
    Ok(crate::resources::ok_with_etag(&user, user.version))
}

#[utoipa::path(
    patch, path = "/api/v1/me", operation_id = "updateMe", tag = "auth",
    summary = "Change your name or (support agents) your availability",
    description = "Support agents set `availability` (`online`, `away`, `offline`), which ticket assignment follows; coming online hands the agent waiting tickets of their departments at once (up to their capacity).",
    params(("If-Match" = Option<String>, Header, description = "The version last read (`version` of `getMe`, quoted)")),
    request_body = MePatch,
    responses((status = 200, description = "You, changed", body = User, headers(("ETag" = String)))),
    security(("bearer" = [])),
)]
#[patch("/me")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: IfMatch,
    body: web::Json<MePatch>,
) -> ApiResult<HttpResponse> {
    let p = body.into_inner();
    shared::validate::me_patch(&p).map_err(ApiError::validation)?;
    if p.availability.is_some() && actor.role != Role::SupportAgent {
        return Err(ApiError::field(
            "availability",
            "agents_only",
            "only support agents have an availability",
        ));
    }
    let config = state.config.clone();
    let user = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "users", &actor.user_id)?;
            let current = users::find(conn, &actor.user_id)?
                .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
            if_match.check(current.version)?;
            diesel::update(u::table.find(&actor.user_id))
                .set((
                    p.name.as_ref().map(|v| u::name.eq(v.trim().to_string())),
                    p.availability.map(|v| u::availability.eq(Some(v.as_str()))),
                    u::updated_at.eq(now()),
                    u::version.eq(u::version + 1),
                ))
                .execute(conn)?;
            users::announce_change(conn, &actor.user_id)?;
            if p.availability == Some(Availability::Online) {
                // Back online: take waiting tickets of one's departments now, not at the next sweep.
                let depts: Vec<String> = dm::table
                    .filter(dm::user_id.eq(&actor.user_id))
                    .select(dm::department_id)
                    .load(conn)?;
                for dept in depts {
                    crate::desk::sweep::hand_out(conn, &config, &dept)?;
                }
            }
            let row = users::find(conn, &actor.user_id)?
                .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
            users::to_dto(conn, row)
        })
        .await?;
    Ok(crate::resources::ok_with_etag(&user, user.version))
}
