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
    let value: Option<String> = crate::on_driver!(conn, |c| s::table
        .find(PRIORITY_RULES)
        .select(s::value)
        .first(c)
        .optional())?;
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

/// The settings row that holds the refund policy.
pub const REFUND_POLICY: &str = "refund_policy";
/// The settings row that holds the repeated-problem rule.
pub const REPEAT_RULE: &str = "repeat_rule";

/// A JSON setting: the saved value, else `T::default()`.
fn load<T: serde::de::DeserializeOwned + Default>(conn: &mut DbConn, name: &str) -> ApiResult<T> {
    let value: Option<String> = crate::on_driver!(conn, |c| s::table
        .find(name)
        .select(s::value)
        .first(c)
        .optional())?;
    Ok(match value {
        Some(v) => serde_json::from_str(&v)?,
        None => T::default(),
    })
}

/// Saves a JSON setting, replacing any saved before.
fn store<T: serde::Serialize>(conn: &mut DbConn, name: &str, value: &T) -> ApiResult<()> {
    let value = serde_json::to_string(value)?;
    let updated = diesel::update(s::table.find(name))
        .set(s::value.eq(&value))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(s::table)
            .values((s::name.eq(name), s::value.eq(&value)))
            .execute(conn)?;
    }
    Ok(())
}

/// The refund policy in force: the saved one, else 30 days approved by account managers.
pub fn refund_policy(conn: &mut DbConn) -> ApiResult<shared::desk::refund::RefundPolicy> {
    load(conn, REFUND_POLICY)
}

pub fn save_refund_policy(
    conn: &mut DbConn,
    policy: &shared::desk::refund::RefundPolicy,
) -> ApiResult<()> {
    store(conn, REFUND_POLICY, policy)
}

/// The repeated-problem rule in force: the saved one, else 3 tickets / 30 days, 3 orgs / 7 days.
pub fn repeat_rule(conn: &mut DbConn) -> ApiResult<shared::desk::repeats::RepeatRule> {
    load(conn, REPEAT_RULE)
}

pub fn save_repeat_rule(
    conn: &mut DbConn,
    rule: &shared::desk::repeats::RepeatRule,
) -> ApiResult<()> {
    store(conn, REPEAT_RULE, rule)
}
