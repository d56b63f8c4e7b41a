//! Desk settings kept in the `settings` table as JSON: the priority rules (premium plans and
//! the high-spend mark). Until an administrator saves them, the shared defaults apply.

use diesel::prelude::*;
use shared::desk::priority::PriorityRules;

use crate::db::DbConn;
use crate::db::schema::settings as s;
use crate::error::ApiResult;

/// The settings row that holds the priority rules.
pub const PRIORITY_RULES: &str = "priority_rules";

/// The priority rules new tickets are prioritised with: the saved ones, else the defaults.
pub fn priority_rules(conn: &mut DbConn) -> ApiResult<PriorityRules> {
    let value: Option<String> = s::table
        .find(PRIORITY_RULES)
        .select(s::value)
        .first(conn)
        .optional()?;
    Ok(match value {
        Some(v) => serde_json::from_str(&v)?,
        None => PriorityRules::default(),
    })
}

/// Saves the priority rules (validated by the caller), replacing any saved before.
pub fn save_priority_rules(conn: &mut DbConn, rules: &PriorityRules) -> ApiResult<()> {
    let value = serde_json::to_string(rules)?;
    let updated = diesel::update(s::table.find(PRIORITY_RULES))
        .set(s::value.eq(&value))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(s::table)
            .values((s::name.eq(PRIORITY_RULES), s::value.eq(&value)))
            .execute(conn)?;
    }
    Ok(())
}
