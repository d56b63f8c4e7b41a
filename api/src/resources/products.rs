//! Products the desk supports: the portal's ticket form offers them, their
//! urgency feeds ticket priority and their skill steers assignment.

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use shared::desk::ProductUrgency;
use shared::desk::ticket::{self, NewProduct, Product};

use crate::auth::Actor;
use crate::db::schema::products as p;
use crate::db::{DbConn, new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::http::idempotency::{self, IdempotencyKey, create_once};
use crate::policy;
use crate::state::AppState;

type Row = (String, String, String, Option<String>);

fn to_dto((id, name, urgency, skill): Row) -> Product {
    Product {
        id,
        name,
        urgency: ProductUrgency::parse(&urgency).unwrap_or(ProductUrgency::Normal),
        skill,
    }
}

pub fn all(conn: &mut DbConn) -> ApiResult<Vec<Product>> {
    let rows: Vec<Row> = p::table
        .order(p::name.asc())
        .select((p::id, p::name, p::urgency, p::skill))
        .load(conn)?;
    Ok(rows.into_iter().map(to_dto).collect())
}

#[utoipa::path(
    get, path = "/api/v1/products", operation_id = "listProducts", tag = "tickets",
    summary = "List the products the desk supports",
    description = "Everyone signed in (the portal's ticket form offers them), by name. A short list, so it is not paged.",
    responses((status = 200, description = "The products", body = Vec<Product>)),
    security(("bearer" = [])),
)]
#[get("/products")]
pub async fn list(state: web::Data<AppState>, _actor: Actor) -> ApiResult<HttpResponse> {
    let products = state.db.run(all).await?;
    Ok(HttpResponse::Ok().json(products))
}

#[utoipa::path(
    post, path = "/api/v1/products", operation_id = "createProduct", tag = "tickets",
    summary = "Add a product",
    description = "Administrators. The name is unique. Send an `Idempotency-Key` header to make retries safe.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    request_body = NewProduct,
    responses(
        (status = 201, description = "Added", body = Product),
        (status = 403, description = "Not an administrator", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/products")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: web::Json<NewProduct>,
) -> ApiResult<HttpResponse> {
    policy::manage_desk(&actor)?;
    let new = body.into_inner();
    ticket::validate_product(&new).map_err(ApiError::validation)?;
    let created = state
        .db
        .tx(move |conn| {
            create_once(conn, &actor.user_id, &key, &new, |conn| {
                let name = new.name.trim().to_string();
                let taken: i64 = p::table
                    .filter(p::name.eq(&name))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    return Err(ApiError::field(
                        "name",
                        "unique",
                        "another product has this name",
                    ));
                }
                let row: Row = (
                    new_id(),
                    name,
                    new.urgency.as_str().to_string(),
                    new.skill.as_ref().map(|s| s.trim().to_string()),
                );
                let at = now();
                diesel::insert_into(p::table)
                    .values((
                        p::id.eq(&row.0),
                        p::name.eq(&row.1),
                        p::urgency.eq(&row.2),
                        p::skill.eq(&row.3),
                        p::created_at.eq(at),
                        p::updated_at.eq(at),
                        p::version.eq(1),
                    ))
                    .execute(conn)?;
                Ok(to_dto(row))
            })
        })
        .await?;
    Ok(idempotency::respond(created, |_| None, |_| None))
}
