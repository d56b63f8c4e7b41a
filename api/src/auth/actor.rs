//! The `Actor` extractor: a valid bearer token whose session is still open and whose user is
//! still active, or a 401. Handlers take an `Actor` and hand it to the policy module.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::prelude::*;
use shared::Role;

use crate::db::now;
use crate::db::schema::{sessions, users};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub session_id: String,
    pub role: Role,
    pub organization_id: String,
}

impl Actor {
    /// Checks the token, then that its session is open and its user active.
    pub async fn from_token(state: &AppState, token: &str) -> ApiResult<Actor> {
        let claims = state.keys.verify(token)?;
        Actor::of_session(state, claims.sid, claims.sub).await
    }

    /// The user of a session that is still open and whose user is active: from the session
    /// cache when it was checked lately, else in one query.
    pub async fn of_session(
        state: &AppState,
        session_id: String,
        user_id: String,
    ) -> ApiResult<Actor> {
        if let Some((role, organization_id)) = state.sessions.get(&session_id, &user_id) {
            return Ok(Actor {
                user_id,
                session_id,
                role,
                organization_id,
            });
        }
        let generation = state.sessions.generation();
        let (sub, sid) = (user_id.clone(), session_id.clone());
        let row: Option<(String, String)> = state
            .db
            .run(move |conn| {
                let at = now();
                Ok(crate::on_driver!(conn, |c| sessions::table
                    .inner_join(users::table)
                    .filter(sessions::id.eq(&sid))
                    .filter(sessions::user_id.eq(&sub))
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::expires_at.gt(at))
                    .filter(users::active.eq(true))
                    .select((users::role, users::organization_id))
                    .first(c)
                    .optional())?)
            })
            .await?;
        let Some((role, organization_id)) = row else {
            return Err(ApiError::unauthenticated(
                "the session has ended; please sign in again",
            ));
        };
        let role = Role::parse(&role)
            .ok_or_else(|| ApiError::internal(format!("unknown role {role:?}")))?;
        state
            .sessions
            .put(generation, &session_id, &user_id, role, &organization_id);
        Ok(Actor {
            user_id,
            session_id,
            role,
            organization_id,
        })
    }
}

/// The bearer token of a request, if any.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Actor, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthenticated("send an access token as `Authorization: Bearer <token>`")
            })?;
            Actor::from_token(&state, &token).await
        })
    }
}
