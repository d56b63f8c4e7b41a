//! Ticket attachments: uploaded as the raw request body (the file's type in `Content-Type`,
//! its name in `filename`, cleaned of control characters), bounded in size and type, stored with the ticket, listed, and
//! downloaded with the same access rules as the ticket — attachments of internal notes stay
//! with staff.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use futures_util::StreamExt;
use serde::Deserialize;
use shared::desk::MessageKind;
use shared::desk::ticket::{self, Attachment, AttachmentLimits, FILENAME_MAX, Side};
use shared::{ErrorCode, FieldError};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::schema::{ticket_attachments as ta, ticket_messages as tm};
use crate::db::{DbConn, new_id, now, to_utc};
use crate::error::{ApiError, ApiResult};
use crate::policy;
use crate::resources::tickets::{self, record};
use crate::resources::users;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the user knows it (1 to 200 characters, no slashes). Control
    /// characters such as line breaks become a space and invisible formatting characters are
    /// dropped; the name is stored and offered as cleaned.
    pub filename: String,
    /// Attach to this message of the ticket (optional).
    pub message_id: Option<String>,
}

/// How much of an oversized upload is still read (and dropped) before answering `413`:
/// browsers that are still sending when the server answers and closes report a network
/// failure instead of the answer. Beyond this the connection is closed without waiting.
const DRAIN_MAX: usize = 64 * 1024 * 1024;

/// An attachment with its bytes: ticket, message, file name, type, data.
type Stored = (String, Option<String>, String, String, Vec<u8>);

type Row = (
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    Option<String>,
    NaiveDateTime,
);

fn to_dtos(conn: &mut DbConn, rows: Vec<Row>) -> ApiResult<Vec<Attachment>> {
    let names = users::names(conn, rows.iter().filter_map(|r| r.6.as_ref()))?;
    Ok(rows
        .into_iter()
        .map(
            |(id, ticket_id, message_id, filename, content_type, size_bytes, by, at)| Attachment {
                url: format!("/api/v1/attachments/{id}"),
                uploaded_by_name: by
                    .and_then(|b| names.get(&b).cloned())
                    .unwrap_or_else(|| "Former user".into()),
                id,
                ticket_id,
                message_id,
                filename,
                content_type,
                size_bytes,
                created_at: to_utc(at),
            },
        )
        .collect())
}

fn columns() -> (
    ta::id,
    ta::ticket_id,
    ta::message_id,
    ta::filename,
    ta::content_type,
    ta::size_bytes,
    ta::uploaded_by,
    ta::created_at,
) {
    (
        ta::id,
        ta::ticket_id,
        ta::message_id,
        ta::filename,
        ta::content_type,
        ta::size_bytes,
        ta::uploaded_by,
        ta::created_at,
    )
}

/// Message ids of the ticket's internal notes (their attachments are staff-only).
fn note_ids(conn: &mut DbConn, ticket_id: &str) -> ApiResult<Vec<String>> {
    Ok(tm::table
        .filter(tm::ticket_id.eq(ticket_id))
        .filter(tm::kind.eq(MessageKind::Note.as_str()))
        .select(tm::id)
        .load(conn)?)
}

#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/attachments", operation_id = "uploadTicketAttachment", tag = "tickets",
    summary = "Attach a file to a ticket",
    description = "Send the file as the request body with its type in `Content-Type` (PNG, JPEG, GIF, WebP, PDF, plain text, CSV, ZIP, DOCX, XLSX) and its name in `filename`; at most `attachment_max_bytes` (10 MiB by default; `GET /api/v1/attachment-limits` tells it), else 413 naming `body`, answered once the rest of the body has arrived so that the client reads it. Whoever may reply on the ticket may attach (not sales); `message_id` ties the file to a message of the ticket — a client user cannot attach to an internal note.",
    params(("id" = String, Path, description = "Ticket id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, description = "Attached", body = Attachment),
        (status = 403, description = "Sales do not write on tickets", body = shared::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than allowed", body = shared::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/tickets/{id}/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<UploadQuery>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let id = id.into_inner();
    // Who may touch the ticket is settled before anything about the file is.
    let check = (actor.clone(), id.clone());
    state
        .db
        .run(move |conn| tickets::access(conn, &check.0, &check.1).map(|_| ()))
        .await?;
    // Control characters (CR, LF, NUL…) would break the download's `Content-Disposition`,
    // and PostgreSQL refuses a NUL in text: they never reach the database.
    let Some(filename) = ticket::attachment_filename(&query.filename) else {
        return Err(ApiError::field(
            "filename",
            "invalid",
            format!("must be a file name of 1 to {FILENAME_MAX} characters without slashes"),
        ));
    };
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    if !ticket::attachment_type_allowed(&content_type) {
        return Err(ApiError::field(
            "content_type",
            "one_of",
            format!(
                "{content_type:?} is not accepted; allowed: {}",
                ticket::ATTACHMENT_TYPES.join(", ")
            ),
        ));
    }
    let data = read_file(&mut payload, &req, state.config.attachment_max_bytes).await?;
    if data.is_empty() {
        return Err(ApiError::field("body", "required", "the file is empty"));
    }
    let attachment = state
        .db
        .tx(move |conn| {
            let ctx = tickets::access(conn, &actor, &id)?;
            if ctx.side == Side::Staff {
                policy::work_tickets(&actor)?;
            }
            if let Some(m) = &query.message_id {
                let kind: Option<String> = tm::table
                    .filter(tm::ticket_id.eq(&id))
                    .filter(tm::id.eq(m))
                    .select(tm::kind)
                    .first(conn)
                    .optional()?;
                match kind.as_deref() {
                    None => {
                        return Err(ApiError::field(
                            "message_id",
                            "exists",
                            "is not a message of this ticket",
                        ));
                    }
                    Some("note") if ctx.side == Side::Client => {
                        return Err(ApiError::field(
                            "message_id",
                            "exists",
                            "is not a message of this ticket",
                        ));
                    }
                    _ => {}
                }
            }
            let row: Row = (
                new_id(),
                id.clone(),
                query.message_id.clone(),
                filename.clone(),
                content_type.clone(),
                data.len() as i64,
                Some(actor.user_id.clone()),
                now(),
            );
            diesel::insert_into(ta::table)
                .values((
                    ta::id.eq(&row.0),
                    ta::ticket_id.eq(&row.1),
                    ta::message_id.eq(&row.2),
                    ta::filename.eq(&row.3),
                    ta::content_type.eq(&row.4),
                    ta::size_bytes.eq(row.5),
                    ta::data.eq(data.as_ref()),
                    ta::uploaded_by.eq(&row.6),
                    ta::created_at.eq(row.7),
                ))
                .execute(conn)?;
            record(
                conn,
                &id,
                Some(&actor.user_id),
                "attached",
                &format!("Attached {} ({} bytes)", row.3, row.5),
            )?;
            tickets::announce(
                conn,
                &ctx.ticket,
                ctx.org.csm_id.as_deref(),
                Some(&actor.user_id),
            )?;
            to_dtos(conn, vec![row])?
                .pop()
                .ok_or_else(|| ApiError::internal("attachment vanished"))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", attachment.url.clone()))
        .json(attachment))
}

/// The upload's bytes, at most `max` of them. A larger file is refused (`413`, naming `body`
/// and both sizes) once the rest of the body has been read and dropped, so that the client
/// gets to read the answer; a body declared larger than `max` + [`DRAIN_MAX`] is refused at
/// once.
async fn read_file(
    payload: &mut web::Payload,
    req: &HttpRequest,
    max: usize,
) -> ApiResult<web::BytesMut> {
    let broke = |e: actix_web::error::PayloadError| {
        ApiError::invalid_body(format!("the upload broke off: {e}"), vec![])
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let too_large = |size: Option<u64>| {
        let why = ticket::attachment_too_large(size, max as u64)
            .unwrap_or_else(|| "is too large".to_string());
        ApiError {
            fields: vec![FieldError::new(
                "body",
                "too_large",
                format!(
                    "must be at most {} ({max} bytes)",
                    ticket::size_label(max as u64)
                ),
            )],
            ..ApiError::new(ErrorCode::PayloadTooLarge, format!("the file {why}"))
        }
    };
    let drain_to = max.saturating_add(DRAIN_MAX);
    if declared.is_some_and(|d| d > drain_to as u64) {
        return Err(too_large(declared));
    }
    let mut data = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(broke)?;
        if data.len() + chunk.len() <= max {
            data.extend_from_slice(&chunk);
            continue;
        }
        let mut seen = data.len() + chunk.len();
        drop(data);
        while seen <= drain_to {
            match payload.next().await {
                Some(chunk) => seen += chunk.map_err(broke)?.len(),
                None => return Err(too_large(Some(seen as u64))),
            }
        }
        return Err(too_large(declared));
    }
    Ok(data)
}

#[utoipa::path(
    get, path = "/api/v1/attachment-limits", operation_id = "attachmentLimits", tag = "tickets",
    summary = "What an attachment may be",
    description = "The largest file a ticket accepts (`attachment_max_bytes` of the server's configuration) and the accepted types, for clients to check a file before uploading it. Anyone signed in.",
    responses((status = 200, description = "The limits", body = AttachmentLimits)),
    security(("bearer" = [])),
)]
#[get("/attachment-limits")]
pub async fn limits(state: web::Data<AppState>, _actor: Actor) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(AttachmentLimits {
        max_bytes: i64::try_from(state.config.attachment_max_bytes).unwrap_or(i64::MAX),
        content_types: ticket::ATTACHMENT_TYPES
            .iter()
            .map(|t| t.to_string())
            .collect(),
    }))
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/attachments", operation_id = "listTicketAttachments", tag = "tickets",
    summary = "A ticket's attachments",
    description = "Oldest first. Client users do not see the attachments of internal notes.",
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, description = "The attachments", body = Vec<Attachment>)),
    security(("bearer" = [])),
)]
#[get("/tickets/{id}/attachments")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let items = state
        .db
        .run(move |conn| {
            let ctx = tickets::access(conn, &actor, &id)?;
            let mut rows: Vec<Row> = ta::table
                .filter(ta::ticket_id.eq(&id))
                .order(ta::id.asc())
                .select(columns())
                .load(conn)?;
            if ctx.side == Side::Client {
                let notes = note_ids(conn, &id)?;
                rows.retain(|r| r.2.as_ref().is_none_or(|m| !notes.contains(m)));
            }
            to_dtos(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

#[utoipa::path(
    get, path = "/api/v1/attachments/{id}", operation_id = "downloadAttachment", tag = "tickets",
    summary = "Download an attachment",
    description = "The file, with its type and name (`Content-Disposition: attachment` with an ASCII `filename` and the exact name as UTF-8 `filename*`), for whoever may see its ticket — except attachments of internal notes, which client users cannot reach (404).",
    params(("id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>)),
    security(("bearer" = [])),
)]
#[get("/attachments/{id}")]
pub async fn download(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (filename, content_type, data) = state
        .db
        .run(move |conn| {
            let row: Option<Stored> = ta::table
                .find(&id)
                .select((
                    ta::ticket_id,
                    ta::message_id,
                    ta::filename,
                    ta::content_type,
                    ta::data,
                ))
                .first(conn)
                .optional()?;
            let (ticket_id, message_id, filename, content_type, data) =
                row.ok_or_else(|| ApiError::not_found("attachment"))?;
            let ctx = tickets::access(conn, &actor, &ticket_id)
                .map_err(|_| ApiError::not_found("attachment"))?;
            if ctx.side == Side::Client
                && let Some(m) = &message_id
                && note_ids(conn, &ticket_id)?.contains(m)
            {
                return Err(ApiError::not_found("attachment"));
            }
            Ok((filename, content_type, data))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(disposition(&filename))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(data))
}

/// `Content-Disposition: attachment` with the file's name as RFC 6266 gives it: an ASCII
/// `filename="…"` (other characters as `_`) for old clients, and the exact name as
/// `filename*=UTF-8''…` (RFC 8187), which browsers prefer. Written here because actix-web's
/// `ContentDisposition` leaves `=` and `@` unencoded in `filename*`, where they are not
/// allowed. The stored name is cleaned again, in case a row predates the cleaning at upload.
fn disposition(stored: &str) -> (HeaderName, String) {
    let name = ticket::attachment_filename(stored).unwrap_or_else(|| "attachment".into());
    let ascii: String = name
        .chars()
        .map(|c| match c {
            '"' | '\\' | '%' => '_',
            ' ' => ' ',
            c if c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect();
    let mut value = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            value.push(char::from(b));
        } else {
            value.push_str(&format!("%{b:02X}"));
        }
    }
    (CONTENT_DISPOSITION, value)
}
