//! Cursor pagination over time-ordered UUIDv7 ids: the cursor is the last id of a page, so
//! a page never skips or repeats rows when others are inserted meanwhile.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shared::page::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageQuery};

use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    /// Rows strictly after this id.
    pub after: Option<String>,
}

impl PageRequest {
    pub fn from_query(q: &PageQuery) -> Result<Self, ApiError> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field(
                "limit",
                "range",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match &q.cursor {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                ApiError::field("cursor", "invalid", "is not a cursor returned by this list")
            })?),
        };
        Ok(PageRequest {
            limit: i64::from(limit),
            after,
        })
    }

    /// Ask the database for one row more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row and builds the page with its next cursor.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        id_of: impl Fn(&R) -> &str,
        into: impl FnOnce(Vec<R>) -> Result<Vec<T>, ApiError>,
    ) -> Result<Page<T>, ApiError> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(id_of(r)))
        } else {
            None
        };
        Ok(Page {
            items: into(rows)?,
            next_cursor,
        })
    }
}

pub fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

fn decode_cursor(c: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    let s = String::from_utf8(bytes).ok()?;
    uuid::Uuid::parse_str(&s).ok().map(|_| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        let q = |limit, cursor: Option<&str>| PageQuery {
            limit,
            cursor: cursor.map(str::to_string),
        };
        assert_eq!(
            PageRequest::from_query(&q(None, None))
                .map(|p| p.limit)
                .ok(),
            Some(50)
        );
        assert!(PageRequest::from_query(&q(Some(0), None)).is_err());
        assert!(PageRequest::from_query(&q(Some(201), None)).is_err());
        assert!(PageRequest::from_query(&q(None, Some("garbage"))).is_err());
        let id = uuid::Uuid::now_v7().to_string();
        let p = PageRequest::from_query(&q(Some(2), Some(&encode_cursor(&id)))).ok();
        assert_eq!(p.and_then(|p| p.after), Some(id));
    }

    #[test]
    fn page_cuts_the_lookahead_row() {
        let req = PageRequest {
            limit: 2,
            after: None,
        };
        let rows = vec!["a".to_string(), "b".into(), "c".into()];
        let page = req.page(rows, |r| r.as_str(), Ok).ok();
        let page = page.expect("page");
        assert_eq!(page.items, vec!["a", "b"]);
        assert_eq!(page.next_cursor, Some(encode_cursor("b")));
        let last = req
            .page(vec!["x".to_string()], |r| r.as_str(), Ok)
            .expect("page");
        assert_eq!(last.next_cursor, None);
    }
}
