//! Refresh sessions. The refresh token is opaque and stored only as a SHA-256 hash; each use
//! replaces it with a new one, and logging out or changing the password revokes sessions,
//! which also ends their access tokens. A replaced token is remembered until it would have
//! expired: if it comes back, someone kept a copy, and since the server cannot tell the thief
//! from the owner the session ends for both (refresh-token reuse detection, RFC 9700).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::{rotated_refresh_tokens as r, sessions as s};
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

/// What a refresh token was good for.
#[derive(Debug)]
pub enum Rotation {
    /// Exchanged for `token`, the session's next refresh token.
    Rotated {
        user_id: String,
        session_id: String,
        token: String,
    },
    /// An already exchanged token: its session has just been revoked. Still a refusal for the
    /// caller, but the user's cached sessions must be forgotten.
    Replayed { user_id: String },
    /// Unknown, expired or revoked.
    Refused,
}

/// The answer to any refused refresh token, replayed or not.
pub fn refused() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRefreshToken,
        "the session has ended; please sign in again",
    )
}

/// Exchanges a refresh token for a new one in the same session. Call inside a write
/// transaction, and commit it whatever the outcome (a replay revokes the session).
pub fn rotate(conn: &mut DbConn, token: &str, ttl_days: i64) -> ApiResult<Rotation> {
    let old = hash_secret(token);
    let at = now();
    let row: Option<(
        String,
        String,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    )> = s::table
        .filter(s::token_hash.eq(&old))
        .select((s::id, s::user_id, s::expires_at, s::revoked_at))
        .first(conn)
        .optional()?;
    let Some((sid, user_id, expires_at, revoked_at)) = row else {
        return replayed(conn, &old);
    };
    if revoked_at.is_some() || expires_at <= at {
        return Ok(Rotation::Refused);
    }
    let fresh = new_secret("rt_");
    // Only while the token is still the session's: of two refreshes racing with one token,
    // the second finds nothing to change (PostgreSQL re-reads the row once the first
    // commits), and is the replay it would have been a moment later.
    let changed = diesel::update(
        s::table
            .find(&sid)
            .filter(s::token_hash.eq(&old))
            .filter(s::revoked_at.is_null()),
    )
    .set((
        s::token_hash.eq(hash_secret(&fresh)),
        s::expires_at.eq(at + Duration::days(ttl_days)),
    ))
    .execute(conn)?;
    if changed == 0 {
        end_session(conn, &sid)?;
        return Ok(Rotation::Replayed { user_id });
    }
    diesel::delete(r::table.filter(r::expires_at.le(at))).execute(conn)?;
    diesel::insert_into(r::table)
        .values((
            r::token_hash.eq(&old),
            r::session_id.eq(&sid),
            r::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(Rotation::Rotated {
        user_id,
        session_id: sid,
        token: fresh,
    })
}

/// A token that is no session's current one: if it was one's earlier token (and has not
/// expired since), that session ends.
fn replayed(conn: &mut DbConn, old: &str) -> ApiResult<Rotation> {
    let family: Option<(String, String)> = r::table
        .inner_join(s::table)
        .filter(r::token_hash.eq(old))
        .filter(r::expires_at.gt(now()))
        .select((s::id, s::user_id))
        .first(conn)
        .optional()?;
    let Some((sid, user_id)) = family else {
        return Ok(Rotation::Refused);
    };
    end_session(conn, &sid)?;
    Ok(Rotation::Replayed { user_id })
}

fn end_session(conn: &mut DbConn, sid: &str) -> ApiResult<()> {
    diesel::update(s::table.find(sid).filter(s::revoked_at.is_null()))
        .set(s::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
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
