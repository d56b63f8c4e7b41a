//! One-time set-up of a database: the token-signing secret, the vendor organisation, and the
//! first administrator of an empty production database.

use diesel::prelude::*;
use shared::Role;
use shared::identity::{NewUser, OrgKind};

use crate::auth::password;
use crate::db::schema::{organizations as o, settings as s};
use crate::db::{DbConn, new_id, now, write_tx};
use crate::error::{ApiError, ApiResult};
use crate::resources::users;

const JWT_SECRET: &str = "jwt_secret";

/// The configured secret, or the one kept in the database (made on first use), so every
/// process on one database signs and checks tokens alike.
pub fn token_secret(conn: &mut DbConn, configured: &str) -> ApiResult<Vec<u8>> {
    if !configured.is_empty() {
        if configured.len() < 32 {
            return Err(ApiError::internal(
                "jwt_secret must be at least 32 characters",
            ));
        }
        return Ok(configured.as_bytes().to_vec());
    }
    write_tx(conn, |conn| {
        let found: Option<String> = s::table
            .find(JWT_SECRET)
            .select(s::value)
            .first(conn)
            .optional()?;
        if let Some(v) = found {
            return Ok(v.into_bytes());
        }
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        diesel::insert_into(s::table)
            .values((s::name.eq(JWT_SECRET), s::value.eq(&fresh)))
            .execute(conn)?;
        Ok(fresh.into_bytes())
    })
}

/// The vendor organisation, created with `name` when there is none yet.
pub fn ensure_vendor(conn: &mut DbConn, name: &str) -> ApiResult<String> {
    let found: Option<String> = o::table
        .filter(o::kind.eq(OrgKind::Vendor.as_str()))
        .select(o::id)
        .first(conn)
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let id = new_id();
    let at = now();
    diesel::insert_into(o::table)
        .values((
            o::id.eq(&id),
            o::name.eq(name),
            o::kind.eq(OrgKind::Vendor.as_str()),
            o::touch_model.eq("high"),
            o::lifecycle_stage.eq("mature"),
            o::created_at.eq(at),
            o::updated_at.eq(at),
            o::version.eq(1),
        ))
        .execute(conn)?;
    Ok(id)
}

/// `tandem create-admin`: the vendor (if missing) and an administrator.
pub fn create_admin(
    conn: &mut DbConn,
    vendor_name: &str,
    email: &str,
    name: &str,
    password_text: &str,
) -> Result<String, String> {
    let new = NewUser {
        email: email.into(),
        name: name.into(),
        role: Some(Role::Admin),
        password: Some(password_text.into()),
        ..Default::default()
    };
    if let Err(fields) = shared::validate::new_user(&new) {
        return Err(fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "));
    }
    let hash = password::hash(password_text).map_err(|e| e.to_string())?;
    write_tx(conn, |conn| {
        ensure_vendor(conn, vendor_name)?;
        users::insert(conn, &new, Some(hash)).map(|u| u.id)
    })
    .map_err(|e| match e.fields.first() {
        Some(f) => format!("{}: {}", f.field, f.message),
        None => e.to_string(),
    })
}
