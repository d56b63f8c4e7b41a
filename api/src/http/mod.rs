//! HTTP conventions shared by every resource: body and query errors, ETags, pagination,
//! idempotent creation, request ids.

pub mod etag;
pub mod extract;
pub mod idempotency;
pub mod input;
pub mod pagination;
pub mod request_id;
