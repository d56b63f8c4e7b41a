//! Refresh sessions. The refresh token is opaque and stored only as a SHA-256 hash; each use
//! replaces it with a new one (the old one stops working), and logging out or changing the
//! password revokes sessions, which also ends their access tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::sessions as s;
use crate::db::{DbConn, new_id, now};
use crate::error::{ApiError, ApiResult};
use shared::ErrorCode;

/// A random secret with a recognisable prefix (so leaked tokens are easy to scan for).
pub fn new_secret(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    )
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Starts a session; returns its id and the refresh token to hand to the client.
pub fn create(conn: &mut DbConn, user_id: &str, ttl_days: i64) -> ApiResult<(String, String)> {
    let id = new_id();
    let token = new_secret("rt_");
    let at = now();
    diesel::insert_into(s::table)
        .values((
            s::id.eq(&id),
            s::user_id.eq(user_id),
            s::token_hash.eq(hash_secret(&token)),
            s::created_at.eq(at),
            s::expires_at.eq(at + Duration::days(ttl_days)),
        ))
        .execute(conn)?;
    Ok((id, token))
}

/// Exchanges a refresh token for a new one in the same session; returns (user id, session id,
/// new token). Call inside a write transaction.
pub fn rotate(
    conn: &mut DbConn,
    token: &str,
    ttl_days: i64,
) -> ApiResult<(String, String, String)> {
    let invalid = || {
        ApiError::new(
            ErrorCode::InvalidRefreshToken,
            "the session has ended; please sign in again",
        )
    };
    let row: Option<(
        String,
        String,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    )> = s::table
        .filter(s::token_hash.eq(hash_secret(token)))
        .select((s::id, s::user_id, s::expires_at, s::revoked_at))
        .first(conn)
        .optional()?;
    let Some((sid, user_id, expires_at, revoked_at)) = row else {
        return Err(invalid());
    };
    let at = now();
    if revoked_at.is_some() || expires_at <= at {
        return Err(invalid());
    }
    let fresh = new_secret("rt_");
    diesel::update(s::table.find(&sid))
        .set((
            s::token_hash.eq(hash_secret(&fresh)),
            s::expires_at.eq(at + Duration::days(ttl_days)),
        ))
        .execute(conn)?;
    Ok((user_id, sid, fresh))
}

/// Ends the session holding this refresh token, if it belongs to the user. Returns whether one ended.
pub fn revoke(conn: &mut DbConn, user_id: &str, token: &str) -> ApiResult<bool> {
    let n = diesel::update(
        s::table.filter(
            s::token_hash
                .eq(hash_secret(token))
                .and(s::user_id.eq(user_id))
                .and(s::revoked_at.is_null()),
        ),
    )
    .set(s::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(n > 0)
}

/// Ends every session of the user except `keep`.
pub fn revoke_others(conn: &mut DbConn, user_id: &str, keep: Option<&str>) -> ApiResult<usize> {
    let target = s::table.filter(s::user_id.eq(user_id).and(s::revoked_at.is_null()));
    let n = match keep {
        Some(keep) => diesel::update(target.filter(s::id.ne(keep)))
            .set(s::revoked_at.eq(now()))
            .execute(conn)?,
        None => diesel::update(target)
            .set(s::revoked_at.eq(now()))
            .execute(conn)?,
    };
    Ok(n)
}
