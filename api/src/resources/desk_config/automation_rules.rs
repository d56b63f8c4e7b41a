//! Automation rules: conditions on a new ticket and what to do when they hold (answer with a
//! canned reply, set the priority, route, tag, keep a person on it). Administrators write
//! them, staff read them; `desk::automate` runs them on every new ticket. A short list, run
//! in order, so it is not paged (at most [`RULES_MAX`]).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use shared::FieldError;
use shared::desk::automation::{
    self, AutomationRule, AutomationRuleInput, AutomationRulePatch, RuleAction,
};

use crate::auth::Actor;
use crate::db::schema::{automation_rules as ar, canned_replies as cr, departments as d};
use crate::db::{DbConn, new_id, now};
use crate::desk::automate::{self, find};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{IfMatch, etag};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::policy;
use crate::resources::ok_with_etag;
use crate::state::AppState;

/// The most rules the desk keeps.
pub const RULES_MAX: i64 = 200;

/// The shared checks, then: the name is free, and the canned replies and departments the
/// actions name exist (422 naming `actions[i]…`).
fn validate(conn: &mut DbConn, input: &AutomationRuleInput, except: Option<&str>) -> ApiResult<()> {
    let errors = automation::validate_rule_input(input);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut errors = Vec::new();
    let mut q = ar::table
        .filter(ar::name.eq(input.name.trim().to_string()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(ar::id.ne(id.to_string()));
    }
    if q.count().get_result::<i64>(conn)? > 0 {
        errors.push(FieldError::new(
            "name",
            "unique",
            "another automation rule has this name",
        ));
    }
    for (i, action) in input.actions.iter().enumerate() {
        let missing = match action {
            RuleAction::AutoReply { canned_reply_id } => {
                let n: i64 = cr::table.find(canned_reply_id).count().get_result(conn)?;
                (n == 0).then(|| {
                    (
                        format!("actions[{i}].canned_reply_id"),
                        "is not a canned reply",
                    )
                })
            }
            RuleAction::Route { department_id } => {
                let n: i64 = d::table.find(department_id).count().get_result(conn)?;
                (n == 0).then(|| (format!("actions[{i}].department_id"), "is not a department"))
            }
            _ => None,
        };
        if let Some((field, message)) = missing {
            errors.push(FieldError::new(field, "exists", message));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

#[utoipa::path(
    get, path = "/api/v1/desk/automation-rules", operation_id = "listAutomationRules", tag = "desk",
    summary = "List the automation rules",
    description = "Vendor staff. Every rule in the order they run on a new ticket (lowest `position` first, then oldest), disabled ones included. A short list, so it is not paged.",
    responses(
        (status = 200, description = "The rules", body = Vec<AutomationRule>),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/desk/automation-rules")]
pub async fn list(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let all = state.db.run(automate::rules).await?;
    Ok(HttpResponse::Ok().json(all))
}

#[utoipa::path(
    post, path = "/api/v1/desk/automation-rules", operation_id = "createAutomationRule", tag = "desk",
    summary = "Add an automation rule",
    description = "Administrators. A unique name; at least one condition (channels, clusters, product ids, phrases in the subject or first message, plans — an empty list means any, every non-empty list must hold, any entry of a list will do); 1 to 20 actions (`auto_reply` with a canned reply, `set_priority`, `route` to a department, `escalate_to_human`, `add_tag`). Without `position` the rule runs last. When several rules fire, their actions apply in rule order (later ones win, tags add up). Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = AutomationRuleInput,
    responses(
        (status = 201, description = "Added", body = AutomationRule, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already as many rules as the desk keeps, or idempotency key reused with another request", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/desk/automation-rules")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<AutomationRuleInput>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let input = body.into_inner();
    let created = state
        .db
        .tx(move |conn| {
            validate(conn, &input, None)?;
            create_once(conn, &actor.user_id, &key, &input, |conn| {
                let count: i64 = ar::table.count().get_result(conn)?;
                if count >= RULES_MAX {
                    return Err(ApiError::conflict(format!(
                        "the desk keeps at most {RULES_MAX} automation rules; delete one first"
                    )));
                }
                let last: Option<i32> = ar::table
                    .select(diesel::dsl::max(ar::position))
                    .first(conn)?;
                let position = input
                    .position
                    .unwrap_or_else(|| last.map_or(0, |p| (p + 1).min(automation::POSITION_MAX)));
                let id = new_id();
                let at = now();
                diesel::insert_into(ar::table)
                    .values((
                        ar::id.eq(&id),
                        ar::name.eq(input.name.trim()),
                        ar::position.eq(position),
                        ar::enabled.eq(input.enabled),
                        ar::conditions.eq(serde_json::to_string(&input.conditions)?),
                        ar::actions.eq(serde_json::to_string(&input.actions)?),
                        ar::created_at.eq(at),
                        ar::updated_at.eq(at),
                        ar::version.eq(1),
                    ))
                    .execute(conn)?;
                find(conn, &id)
            })
        })
        .await?;
    Ok(idempotency::respond(
        created,
        |r| Some(format!("/api/v1/desk/automation-rules/{}", r.id)),
        |r| Some(etag(r.version)),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/desk/automation-rules/{id}", operation_id = "getAutomationRule", tag = "desk",
    summary = "Get one automation rule",
    description = "Vendor staff.",
    params(("id" = String, Path, description = "Rule id")),
    responses(
        (status = 200, description = "The rule", body = AutomationRule, headers(("ETag" = String))),
        (status = 403, description = "Client users do not see the desk's configuration", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/desk/automation-rules/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::view_desk(&actor)?;
    let id = id.into_inner();
    let rule = state.db.run(move |conn| find(conn, &id)).await?;
    Ok(ok_with_etag(&rule, rule.version))
}

#[utoipa::path(
    patch, path = "/api/v1/desk/automation-rules/{id}", operation_id = "updateAutomationRule", tag = "desk",
    summary = "Change an automation rule",
    description = "Administrators. Absent fields stay as they are; `conditions` and `actions` are replaced whole. The same checks as when adding. Applies to tickets opened from now on. Send `If-Match` with the ETag last read.",
    params(("id" = String, Path, description = "Rule id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = AutomationRulePatch,
    responses(
        (status = 200, description = "The rule as now stored", body = AutomationRule, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/desk/automation-rules/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<AutomationRulePatch>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let patch = body.into_inner();
    let id = id.into_inner();
    let rule = state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "automation_rules", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            let merged = AutomationRuleInput {
                name: patch.name.unwrap_or(current.name),
                position: Some(patch.position.unwrap_or(current.position)),
                enabled: patch.enabled.unwrap_or(current.enabled),
                conditions: patch.conditions.unwrap_or(current.conditions),
                actions: patch.actions.unwrap_or(current.actions),
            };
            validate(conn, &merged, Some(&id))?;
            diesel::update(ar::table.find(&id))
                .set((
                    ar::name.eq(merged.name.trim()),
                    ar::position.eq(merged.position.unwrap_or(current.position)),
                    ar::enabled.eq(merged.enabled),
                    ar::conditions.eq(serde_json::to_string(&merged.conditions)?),
                    ar::actions.eq(serde_json::to_string(&merged.actions)?),
                    ar::updated_at.eq(now()),
                    ar::version.eq(current.version + 1),
                ))
                .execute(conn)?;
            find(conn, &id)
        })
        .await?;
    Ok(ok_with_etag(&rule, rule.version))
}

#[utoipa::path(
    delete, path = "/api/v1/desk/automation-rules/{id}", operation_id = "deleteAutomationRule", tag = "desk",
    summary = "Delete an automation rule",
    description = "Administrators. Tickets it already acted on keep what it did (and their history says so). `If-Match` is honoured when sent.",
    params(("id" = String, Path, description = "Rule id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/desk/automation-rules/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let id = id.into_inner();
    state
        .db
        .tx(move |conn| {
            crate::db::lock_row(conn, "automation_rules", &id)?;
            let current = find(conn, &id)?;
            if_match.check(current.version)?;
            diesel::delete(ar::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
