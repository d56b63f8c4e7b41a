//! The HTTP core every endpoint function goes through: JSON in and out (or a file's raw
//! bytes), the bearer token, one refresh-and-retry on `401`, and every failure turned into a
//! [`Problem`].

use std::cell::RefCell;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::auth::{RefreshRequest, TokenResponse};
use shared::{ErrorCode, Problem};
use wasm_bindgen::JsValue;

use crate::session;

pub const BASE: &str = "/api/v1";

/// A resource together with the `ETag` to send back as `If-Match` when changing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub etag: String,
}

/// Whether a call carries the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anonymous (sign-in, refresh, accepting an invitation).
    None,
    /// Bearer token; on `401` refresh once and repeat.
    Bearer,
}

/// What a call sends.
enum Body {
    Json(String),
    /// A file as it is (a `Blob`, which can be sent again on the retry), with its media type.
    Raw(JsValue, String),
}

/// One API call, before it is sent.
pub struct Call {
    method: Method,
    path: String,
    body: Option<Body>,
    if_match: Option<String>,
    idempotency_key: Option<String>,
    auth: Auth,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Call::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Call::new(Method::POST, path)
    }

    pub fn patch(path: impl Into<String>) -> Self {
        Call::new(Method::PATCH, path)
    }

    pub fn put(path: impl Into<String>) -> Self {
        Call::new(Method::PUT, path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Call::new(Method::DELETE, path)
    }

    fn new(method: Method, path: impl Into<String>) -> Self {
        Call {
            method,
            path: path.into(),
            body: None,
            if_match: None,
            idempotency_key: None,
            auth: Auth::Bearer,
        }
    }

    pub fn json<B: Serialize>(mut self, body: &B) -> Result<Self, Problem> {
        let text = serde_json::to_string(body)
            .map_err(|_| local_problem(ErrorCode::InvalidBody, "The form could not be encoded."))?;
        self.body = Some(Body::Json(text));
        Ok(self)
    }

    /// Sends `data` (a `Blob` or `File`) as the body, with `content_type`.
    pub fn raw(mut self, data: impl Into<JsValue>, content_type: &str) -> Self {
        self.body = Some(Body::Raw(data.into(), content_type.to_string()));
        self
    }

    pub fn if_match(mut self, etag: &str) -> Self {
        self.if_match = Some(etag.to_string());
        self
    }

    /// Makes a creating POST safe to repeat: the refresh-and-retry after a `401` sends the
    /// same key, so the server creates the record once.
    pub fn idempotent(mut self) -> Self {
        self.idempotency_key = Some(new_key());
        self
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sends the call and decodes a JSON answer.
    pub async fn fetch<T: DeserializeOwned>(self) -> Result<T, Problem> {
        let resp = self.send().await?;
        decode(&resp).await
    }

    /// Sends the call and decodes a JSON answer along with its `ETag`.
    pub async fn fetch_versioned<T: DeserializeOwned>(
        self,
        version: impl Fn(&T) -> i32,
    ) -> Result<Versioned<T>, Problem> {
        let resp = self.send().await?;
        let header = resp.headers().get("etag");
        let value: T = decode(&resp).await?;
        // Should the server not expose the header, the version it is made from stands in.
        let etag = header.unwrap_or_else(|| format!("\"{}\"", version(&value)));
        Ok(Versioned { value, etag })
    }

    /// Sends the call when no body is expected back (`204`).
    pub async fn run(self) -> Result<(), Problem> {
        self.send().await.map(|_| ())
    }

    /// Sends the call; a successful response is handed back, anything else becomes a Problem.
    pub async fn send(self) -> Result<Response, Problem> {
        let token = match self.auth {
            Auth::None => None,
            Auth::Bearer => Some(fresh_access_token().await?.ok_or_else(signed_out)?),
        };
        let resp = self.send_once(token.as_deref()).await?;
        if resp.status() != 401 || self.auth == Auth::None {
            return check(resp).await;
        }
        // The access token was refused (expired, or the server restarted with a new key):
        // refresh once and repeat. A refused refresh has already signed the user out.
        refresh().await?;
        let token = session::tokens()
            .map(|t| t.access_token)
            .ok_or_else(signed_out)?;
        let resp = self.send_once(Some(&token)).await?;
        if resp.status() == 401 {
            session::clear();
        }
        check(resp).await
    }

    async fn send_once(&self, token: Option<&str>) -> Result<Response, Problem> {
        let url = format!("{BASE}{}", self.path);
        let mut rb = RequestBuilder::new(&url)
            .method(self.method.clone())
            .header("Accept", "application/json");
        if let Some(token) = token {
            rb = rb.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(etag) = &self.if_match {
            rb = rb.header("If-Match", etag);
        }
        if let Some(key) = &self.idempotency_key {
            rb = rb.header("Idempotency-Key", key);
        }
        let request = match &self.body {
            Some(Body::Json(body)) => rb
                .header("Content-Type", "application/json")
                .body(body.clone()),
            Some(Body::Raw(data, content_type)) => {
                rb.header("Content-Type", content_type).body(data.clone())
            }
            None => rb.build(),
        }
        .map_err(|_| local_problem(ErrorCode::InvalidBody, "The request could not be built."))?;
        request.send().await.map_err(|_| unreachable_problem())
    }
}

/// Builds `?a=1&b=2` from the parameters that have a value.
pub fn query(params: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", js_sys::encode_uri_component(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A key no other request of this tab uses: the time and two random numbers.
fn new_key() -> String {
    let r = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!(
        "web-{:x}-{:08x}{:08x}",
        js_sys::Date::now() as u64,
        r(),
        r()
    )
}

/// The `If-Match` value for a resource at `version` (the server's `ETag` format).
pub fn etag_of(version: i32) -> String {
    format!("\"{version}\"")
}

/// Encodes one path segment (an id or a token from a URL).
pub fn segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

async fn decode<T: DeserializeOwned>(resp: &Response) -> Result<T, Problem> {
    resp.json::<T>().await.map_err(|_| {
        local_problem(
            ErrorCode::Internal,
            "The server sent an answer this page cannot read.",
        )
    })
}

async fn check(resp: Response) -> Result<Response, Problem> {
    if resp.ok() {
        Ok(resp)
    } else {
        Err(problem_from(resp).await)
    }
}

/// The server's problem document, or one made up from the status if the body is not one.
async fn problem_from(resp: Response) -> Problem {
    let status = resp.status();
    let retry_after = resp.headers().get("retry-after");
    let mut problem = match resp.json::<Problem>().await {
        Ok(p) => p,
        Err(_) => {
            let mut p = Problem::new(code_for_status(status), None);
            p.status = status;
            p
        }
    };
    if problem.code == ErrorCode::RateLimited || status == 429 {
        let seconds = retry_after.and_then(|s| s.trim().parse::<u64>().ok());
        problem.detail = Some(match seconds {
            Some(n) => format!(
                "Too many attempts, try again in {n} second{}",
                if n == 1 { "" } else { "s" }
            ),
            None => "Too many attempts, try again later".to_string(),
        });
    }
    problem
}

fn code_for_status(status: u16) -> ErrorCode {
    match status {
        400 | 422 => ErrorCode::InvalidBody,
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        409 => ErrorCode::Conflict,
        410 => ErrorCode::InvitationInvalid,
        412 => ErrorCode::PreconditionFailed,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::RateLimited,
        502..=504 => ErrorCode::ServiceUnavailable,
        _ => ErrorCode::Internal,
    }
}

/// A problem that arose in the browser rather than on the server.
pub fn local_problem(code: ErrorCode, detail: &str) -> Problem {
    Problem::new(code, Some(detail.to_string()))
}

fn unreachable_problem() -> Problem {
    local_problem(
        ErrorCode::ServiceUnavailable,
        "Cannot reach the server. Check your connection and try again.",
    )
}

fn signed_out() -> Problem {
    local_problem(ErrorCode::Unauthenticated, "Please sign in again.")
}

/// The current access token, refreshed first if it is about to expire. `Ok(None)` when nobody
/// is signed in.
pub async fn fresh_access_token() -> Result<Option<String>, Problem> {
    let Some(tokens) = session::tokens() else {
        return Ok(None);
    };
    if !tokens.expiring() {
        return Ok(Some(tokens.access_token));
    }
    match refresh().await {
        Ok(()) => Ok(session::tokens().map(|t| t.access_token)),
        Err(p) if p.status == 401 => Ok(None),
        Err(p) => Err(p),
    }
}

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<(), Problem>>>;

thread_local! {
    /// The refresh under way, shared by every call that needs it: refresh tokens work once, so
    /// two concurrent refreshes would sign the user out.
    static IN_FLIGHT: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
}

/// Exchanges the refresh token for a new pair (at most one exchange at a time). A refused
/// refresh clears the session, which sends the user to the login page.
pub async fn refresh() -> Result<(), Problem> {
    let fut = IN_FLIGHT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(fut) = slot.as_ref() {
            return fut.clone();
        }
        let fut = refresh_now().boxed_local().shared();
        *slot = Some(fut.clone());
        fut
    });
    let result = fut.clone().await;
    IN_FLIGHT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_some_and(|f| f.ptr_eq(&fut)) {
            *slot = None;
        }
    });
    result
}

/// Under a lock every tab of this site shares: two tabs sending the same refresh token would
/// look like a stolen token replayed, and the server would end the session for both.
async fn refresh_now() -> Result<(), Problem> {
    across_tabs("tandem.refresh", refresh_locked()).await
}

/// Runs `f` holding the Web Locks API lock `name`, or unlocked where the API is missing
/// (old browsers, plain-HTTP pages not on localhost). Looked up at run time: web-sys exposes
/// the API only behind an unstable flag.
async fn across_tabs<T>(name: &str, f: impl std::future::Future<Output = T>) -> T {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let navigator = web_sys::window().map(|w| w.navigator());
    let locks = navigator
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("locks")).ok())
        .filter(|l| l.is_object());
    let request = locks.as_ref().and_then(|l| {
        js_sys::Reflect::get(l, &JsValue::from_str("request"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return f.await;
    };
    // The lock is held until `held` settles, which `release` does once `f` is done.
    let mut release = None;
    let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let (granted_tx, granted) = futures::channel::oneshot::channel::<()>();
    let on_grant = Closure::once(move |_lock: JsValue| -> JsValue {
        let _ = granted_tx.send(());
        held.into()
    });
    let asked = request
        .call2(&locks, &JsValue::from_str(name), on_grant.as_ref())
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    if let Some(done) = asked {
        // Granted; or the request was refused (its promise rejects before any grant), and
        // `f` runs without the lock.
        let refused = wasm_bindgen_futures::JsFuture::from(done);
        let _ = futures::future::select(granted, refused).await;
    }
    let out = f.await;
    if let Some(release) = release {
        let _ = release.call0(&JsValue::NULL);
    }
    drop(on_grant);
    out
}

async fn refresh_locked() -> Result<(), Problem> {
    let Some(current) = session::tokens() else {
        return Err(signed_out());
    };
    // Another tab may have rotated the pair already; its refresh token is the live one.
    if let Some(stored) = session::stored_tokens()
        && stored.refresh_token != current.refresh_token
    {
        session::adopt(stored);
        return Ok(());
    }
    let body = RefreshRequest {
        refresh_token: current.refresh_token,
    };
    match Call::post("/auth/refresh")
        .auth(Auth::None)
        .json(&body)?
        .fetch::<TokenResponse>()
        .await
    {
        Ok(tr) => {
            session::signed_in(tr);
            Ok(())
        }
        Err(p) if p.status == 401 || p.code == ErrorCode::InvalidRefreshToken => {
            session::clear();
            Err(p)
        }
        Err(p) => Err(p),
    }
}
