//! `Idempotency-Key` on creating POSTs: the first answer is stored with the key, in the same
//! transaction as what it created; a repeat with the same request gets that answer again
//! and creates nothing; the same key with a different request is refused.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::{Ready, ready};

use crate::db::schema::idempotency_keys as ik;
use crate::db::{DbConn, now};
use crate::error::{ApiError, ApiResult};
use shared::ErrorCode;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// A key is 1 to this many visible ASCII characters (no spaces), as the contract declares.
pub const MAX_KEY_LEN: usize = 255;
pub const KEY_PATTERN: &str = "^[!-~]+$";

#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get(HEADER) else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key = raw.to_str().unwrap_or_default().to_string();
        let visible = key.bytes().all(|b| b.is_ascii_graphic());
        if key.is_empty() || key.len() > MAX_KEY_LEN || !visible {
            return ready(Err(ApiError::field(
                "Idempotency-Key",
                "invalid",
                "must be 1 to 255 visible characters",
            )));
        }
        ready(Ok(IdempotencyKey(Some(key))))
    }
}

/// What a creating call produced: a new resource, or the stored answer of an earlier call.
pub enum Created<T> {
    New(T),
    Replayed { status: u16, body: String },
}

/// Runs `create` unless this key was used before; call it inside the write transaction.
pub fn create_once<T: Serialize>(
    conn: &mut DbConn,
    user_id: &str,
    key: &IdempotencyKey,
    request: &(impl Serialize + ?Sized),
    create: impl FnOnce(&mut DbConn) -> ApiResult<T>,
) -> ApiResult<Created<T>> {
    let Some(key) = &key.0 else {
        return create(conn).map(Created::New);
    };
    let fingerprint = hex::encode(Sha256::digest(serde_json::to_vec(request)?));
    // Concurrent repeats of one key wait for the first to commit, then replay its answer
    // (without the lock both would create, and the second fail on the key's uniqueness).
    crate::db::lock_key(conn, &format!("idempotency:{user_id}:{key}"))?;
    let stored: Option<(String, i32, String)> = ik::table
        .filter(ik::user_id.eq(user_id).and(ik::idem_key.eq(key)))
        .select((ik::request_hash, ik::status, ik::body))
        .first(conn)
        .optional()?;
    if let Some((hash, status, body)) = stored {
        if hash != fingerprint {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was already used with a different request",
            ));
        }
        return Ok(Created::Replayed {
            status: status as u16,
            body,
        });
    }
    let value = create(conn)?;
    diesel::insert_into(ik::table)
        .values((
            ik::user_id.eq(user_id),
            ik::idem_key.eq(key),
            ik::request_hash.eq(&fingerprint),
            ik::status.eq(201),
            ik::body.eq(serde_json::to_string(&value)?),
            ik::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(Created::New(value))
}

/// The 201 answer, or the replayed one.
pub fn respond<T: Serialize>(
    created: Created<T>,
    location: impl Fn(&T) -> Option<String>,
    etag: impl Fn(&T) -> Option<String>,
) -> HttpResponse {
    match created {
        Created::New(value) => {
            let mut res = HttpResponse::Created();
            if let Some(url) = location(&value) {
                res.insert_header(("Location", url));
            }
            if let Some(tag) = etag(&value) {
                res.insert_header(("ETag", tag));
            }
            res.json(value)
        }
        Created::Replayed { status, body } => {
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED))
                .insert_header((REPLAYED_HEADER, "true"))
                .content_type("application/json")
                .body(body)
        }
    }
}
