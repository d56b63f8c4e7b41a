//! Input no operation accepts, refused before any handler runs, the same way everywhere:
//! - a path with an encoded control character (`%00`, `%0A`, …) names no resource: 404;
//! - a NUL in a query parameter or in any text of a JSON body: 422 naming the field
//!   (PostgreSQL cannot store NUL, and no text of Tandem needs one);
//! - a JSON body that is not an object: 422 (serde would fill a struct from an array's
//!   elements by position).

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpMessage, mime};
use futures_util::StreamExt;
use serde_json::Value;
use shared::{ErrorCode, FieldError};

use crate::error::ApiError;
use crate::state::AppState;

/// The rule named when a text holds a NUL character.
const RULE: &str = "no_nul";
const MESSAGE: &str = "must not contain NUL characters";

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    if let Err(e) = check(&mut req).await {
        return Ok(req.error_response(e).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

async fn check(req: &mut ServiceRequest) -> Result<(), ApiError> {
    if has_encoded_control(req.path()) {
        return Err(ApiError::new(ErrorCode::NotFound, "no such resource"));
    }
    query_fields(req.query_string())?;
    if is_json(req) {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(usize::MAX, |s| s.config.body_limit_bytes);
        let body = read_body(req.take_payload(), limit).await?;
        let checked = json_body(&body);
        req.set_payload(Payload::from(body));
        checked?;
    }
    Ok(())
}

fn has_encoded_control(path: &str) -> bool {
    path.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1], w[2].to_ascii_uppercase()),
                (b'0' | b'1', b'0'..=b'9' | b'A'..=b'F') | (b'7', b'F')
            )
    })
}

fn query_fields(query: &str) -> Result<(), ApiError> {
    if query.is_empty() {
        return Ok(());
    }
    // A query that does not decode is left to the operation's own parser.
    let Ok(pairs) =
        web::Query::<Vec<(String, String)>>::from_query(query).map(web::Query::into_inner)
    else {
        return Ok(());
    };
    let fields: Vec<FieldError> = pairs
        .iter()
        .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| FieldError::new(k.replace('\0', ""), RULE, MESSAGE))
        .collect();
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(fields))
    }
}

fn is_json(req: &ServiceRequest) -> bool {
    req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == mime::APPLICATION
            && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
    })
}

async fn read_body(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::invalid_body(e.to_string(), vec![]))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body must be at most {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Checks a JSON body; one that does not parse is left to the operation's extractor, which
/// names what is wrong with it.
fn json_body(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Ok(());
    };
    if !value.is_object() {
        return Err(ApiError::invalid_body(
            "the body must be a JSON object",
            vec![],
        ));
    }
    let mut fields = Vec::new();
    nul_fields(&value, "", &mut fields);
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(fields))
    }
}

/// Every text (or key) holding a NUL, by its path: `title`, `links[1].url`.
fn nul_fields(value: &Value, path: &str, found: &mut Vec<FieldError>) {
    match value {
        Value::String(s) if s.contains('\0') => found.push(FieldError::new(path, RULE, MESSAGE)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nul_fields(item, &format!("{path}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = key.replace('\0', "");
                let at = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                nul_fields(item, &at, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_control_characters_in_paths() {
        assert!(has_encoded_control("/api/v1/tickets/%00"));
        assert!(has_encoded_control("/api/v1/tickets/a%0ab"));
        assert!(has_encoded_control("/api/v1/x%7f"));
        assert!(!has_encoded_control("/api/v1/tickets/%20x"));
        assert!(!has_encoded_control(
            "/api/v1/tickets/0190a0b0-0000-7000-8000-000000000000"
        ));
    }

    #[test]
    fn nul_texts_are_named_by_their_path() {
        let e =
            json_body(br#"{"title": "a\u0000b", "links": [{"url": "ok"}, {"url": "x\u0000"}]}"#)
                .expect_err("refused");
        let mut fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["links[1].url", "title"]);
        assert!(json_body(br#"{"title": "fine"}"#).is_ok());
        assert!(json_body(b"  ").is_ok());
        assert!(json_body(b"{not json").is_ok(), "left to the extractor");
    }

    #[test]
    fn only_an_object_is_a_body() {
        for body in [
            &br#"["Org by position"]"#[..],
            b"[]",
            b"null",
            b"\"x\"",
            b"3",
        ] {
            let e = json_body(body).expect_err("refused");
            assert_eq!(e.code, ErrorCode::InvalidBody);
        }
    }

    #[test]
    fn nul_in_query_parameters() {
        let e = query_fields("q=%00&limit=5").expect_err("refused");
        assert_eq!(e.fields[0].field, "q");
        assert!(query_fields("q=caf%C3%A8&tag=a+b").is_ok());
    }
}
