//! The products the desk supports (the portal's ticket form offers them).

use shared::Problem;
use shared::desk::ticket::Product;

use super::client::Call;

/// Every product, by name (a short list, not paged).
pub async fn list() -> Result<Vec<Product>, Problem> {
    Call::get("/products").fetch().await
}
