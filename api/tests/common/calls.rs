//! Calls and checks the API tests share: a demo server with its admin signed in, a request
//! with an optional `If-Match`, the status-checked JSON of an answer, its ETag, and the
//! (field, rule) pairs of a validation problem.

use reqwest::Method;
use serde_json::Value;

use super::{TestApp, spawn_app};

/// A server with the demo data, and the vendor admin's token.
pub async fn demo() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    (app, admin)
}

pub async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = app.request(method, path, Some(token));
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.expect("request")
}

pub fn etag(res: &reqwest::Response) -> String {
    res.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string()
}

pub fn errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}
