//! The API conventions every resource follows: problem+json with field details, unknown
//! fields refused, cursor pages, ETag/If-Match, Idempotency-Key, body limits, and no
//! half-written rows.

mod common;

use serde_json::{Value, json};

use common::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn validation_names_every_field_and_rule() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let res = app.post_json("/users", Some(&admin), &json!({"email": "not-an-email", "name": "", "role": "client_member", "password": "short"})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or(""),
                e["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("email", "invalid_email"),
            ("name", "required"),
            ("organization_id", "required"),
            ("password", "too_short")
        ]
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("4 fields"))
    );
}

#[tokio::test]
async fn unknown_fields_wrong_types_and_bad_json_are_refused_clearly() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let body = assert_problem(
        app.post_json(
            "/organizations",
            Some(&admin),
            &json!({"name": "X", "colour": "red"}),
        )
        .await,
        422,
        "invalid_body",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "colour");
    assert_eq!(body["errors"][0]["rule"], "unknown_field");
    let body = assert_problem(
        app.post_json("/organizations", Some(&admin), &json!({"plan": "x"}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "name");
    assert_eq!(body["errors"][0]["rule"], "required");
    let res = app
        .post_json(
            "/organizations",
            Some(&admin),
            &json!({"name": "X", "yearly_spend": "lots"}),
        )
        .await;
    let body = assert_problem(res, 422, "invalid_body").await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("invalid type")),
        "{body}"
    );
    let res = app
        .request(reqwest::Method::POST, "/organizations", Some(&admin))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("send");
    assert_problem(res, 422, "invalid_body").await;
    let res = app
        .request(reqwest::Method::POST, "/organizations", Some(&admin))
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .expect("send");
    assert_problem(res, 422, "invalid_body").await;
    let res = app.get("/organizations?limit=0", Some(&admin)).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "limit");
    let res = app.get("/organizations?sort=name", Some(&admin)).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "sort");
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = spawn_app_with(|c| c.body_limit_bytes = 1024).await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let res = app
        .post_json(
            "/organizations",
            Some(&admin),
            &json!({"name": "x".repeat(5000)}),
        )
        .await;
    assert_problem(res, 413, "payload_too_large").await;
}

#[tokio::test]
async fn cursor_pages_walk_the_whole_list_without_repeats() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    for i in 0..7 {
        assert_eq!(
            app.post_json(
                "/organizations",
                Some(&admin),
                &json!({"name": format!("Paged {i}")})
            )
            .await
            .status(),
            201
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/organizations?limit=3&q=paged&cursor={c}"),
            None => "/organizations?limit=3&q=paged".into(),
        };
        let page = app.get_ok(&path, &admin).await;
        pages += 1;
        for item in page["items"].as_array().expect("items") {
            seen.push(item["name"].as_str().expect("name").to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        (0..7).map(|i| format!("Paged {i}")).collect::<Vec<_>>()
    );
    let res = app
        .get("/organizations?cursor=not-a-cursor", Some(&admin))
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

#[tokio::test]
async fn stale_writes_are_refused_with_412() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let id = app.org_id(&admin, "Verdi Arredamenti").await;
    let res = app.get(&format!("/organizations/{id}"), Some(&admin)).await;
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string();
    let first = app
        .request(
            reqwest::Method::PATCH,
            &format!("/organizations/{id}"),
            Some(&admin),
        )
        .header("If-Match", &etag)
        .json(&json!({"plan": "business"}))
        .send()
        .await
        .expect("send");
    assert_eq!(first.status(), 200);
    let new_etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string();
    assert_ne!(new_etag, etag);
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["plan"], "business");
    let stale = app
        .request(
            reqwest::Method::PATCH,
            &format!("/organizations/{id}"),
            Some(&admin),
        )
        .header("If-Match", &etag)
        .json(&json!({"plan": "standard"}))
        .send()
        .await
        .expect("send");
    assert_problem(stale, 412, "precondition_failed").await;
    let now = app.get_ok(&format!("/organizations/{id}"), &admin).await;
    assert_eq!(now["plan"], "business", "the stale write changed nothing");
    // null clears an optional field; absent fields stay.
    let cleared = app
        .patch_json(
            &format!("/organizations/{id}"),
            Some(&admin),
            &json!({"industry": null}),
        )
        .await;
    let cleared: Value = cleared.json().await.expect("json");
    assert_eq!(cleared["industry"], Value::Null);
    assert_eq!(cleared["plan"], "business");
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_and_creates_nothing_more() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let send = |body: Value, key: &'static str| {
        let req = app
            .request(reqwest::Method::POST, "/organizations", Some(&admin))
            .header("Idempotency-Key", key)
            .json(&body);
        async move { req.send().await.expect("send") }
    };
    let first = send(json!({"name": "Once Only"}), "key-1").await;
    assert_eq!(first.status(), 201);
    let first_body: Value = first.json().await.expect("json");
    let again = send(json!({"name": "Once Only"}), "key-1").await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let again_body: Value = again.json().await.expect("json");
    assert_eq!(again_body, first_body);
    let page = app.get_ok("/organizations?q=once%20only", &admin).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let clash = send(json!({"name": "Something Else"}), "key-1").await;
    assert_problem(clash, 409, "idempotency_key_reused").await;
}

#[tokio::test]
async fn a_failed_multi_row_write_leaves_nothing_behind() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    // The user row is written before the departments; an unknown department must undo it.
    let res = app
        .post_json("/users", Some(&admin), &json!({"email": "agent9@magicstore.test", "name": "Agent Nine", "role": "support_agent", "department_ids": ["01a20000-0000-7000-8000-00000000dead"], "skills": ["billing"]}))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "department_ids[0]");
    let page = app.get_ok("/users?q=agent9", &admin).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(0),
        "no half-written user"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let res = app.get("/health", None).await;
    assert!(res.headers().get("x-request-id").is_some());
    let res = app
        .client
        .get(app.url("/health"))
        .header("X-Request-Id", "trace-me-123")
        .send()
        .await
        .expect("send");
    assert_eq!(
        res.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-me-123")
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], common::backend());
}

#[tokio::test]
async fn unknown_api_paths_are_problems_and_other_paths_reach_the_web_app() {
    let app = spawn_app().await;
    assert_problem(app.get("/no/such/thing", None).await, 404, "not_found").await;
    let res = app
        .client
        .get(format!("{}/clients/some-deep-link", app.address))
        .send()
        .await
        .expect("send");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    let res = app
        .client
        .get(format!("{}/api/docs/", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(format!("{}/api/v1/openapi.yaml", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    assert!(res.text().await.expect("text").starts_with("openapi: 3.1"));
}

/// A web app folder made of the repository's real `web/index.html` and `web/static/` (the
/// wasm is not needed to check headers).
fn web_app_sources() -> tempfile::TempDir {
    let dist = tempfile::tempdir().expect("dist dir");
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    std::fs::copy(web.join("index.html"), dist.path().join("index.html")).expect("index.html");
    for entry in std::fs::read_dir(web.join("static")).expect("web/static") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dist.path().join(entry.file_name())).expect("static file");
    }
    dist
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().expect("ASCII header").to_string())
}

/// The directive `name` of a Content-Security-Policy, as its list of sources.
fn directive(policy: &str, name: &str) -> Vec<String> {
    policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).filter(|r| r.starts_with(' ')))
        .map(|r| r.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    App,
    Docs,
    Api,
}

/// Asserts the security headers of one answer, and the policy of its part of the site.
fn assert_secure(res: &reqwest::Response, what: &str, part: Part, hsts: bool) {
    assert_eq!(
        header(res, "x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(res, "referrer-policy").as_deref(),
        Some("strict-origin-when-cross-origin"),
        "{what}"
    );
    assert_eq!(
        header(res, "x-frame-options").as_deref(),
        Some("DENY"),
        "{what}"
    );
    match header(res, "strict-transport-security") {
        Some(v) => assert!(
            hsts && v.starts_with("max-age=31536000"),
            "{what}: HSTS {v}"
        ),
        None => assert!(!hsts, "{what}: no HSTS"),
    }
    let csp = header(res, "content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert_eq!(
        directive(&csp, "frame-ancestors"),
        ["'none'"],
        "{what}: {csp}"
    );
    let scripts = directive(&csp, "script-src");
    for refused in [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "*",
        "data:",
        "http:",
        "https:",
    ] {
        assert!(!scripts.iter().any(|s| s == refused), "{what}: {csp}");
    }
    match part {
        Part::App => {
            assert_eq!(directive(&csp, "default-src"), ["'self'"], "{what}: {csp}");
            assert_eq!(scripts, ["'self'", "'wasm-unsafe-eval'"], "{what}: {csp}");
            assert_eq!(directive(&csp, "style-src"), ["'self'"], "{what}: {csp}");
            assert_eq!(directive(&csp, "connect-src"), ["'self'"], "{what}: {csp}");
            assert_eq!(directive(&csp, "object-src"), ["'none'"], "{what}: {csp}");
            assert_eq!(directive(&csp, "base-uri"), ["'self'"], "{what}: {csp}");
        }
        Part::Docs => {
            assert_eq!(directive(&csp, "default-src"), ["'self'"], "{what}: {csp}");
            assert_eq!(scripts, ["'self'"], "{what}: {csp}");
            assert_eq!(directive(&csp, "object-src"), ["'none'"], "{what}: {csp}");
            assert_eq!(directive(&csp, "base-uri"), ["'self'"], "{what}: {csp}");
        }
        Part::Api => {
            assert_eq!(directive(&csp, "default-src"), ["'none'"], "{what}: {csp}");
        }
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dist = web_app_sources();
    let path = dist.path().display().to_string();
    let app = spawn_app_with(|c| c.web_dist = path).await;
    let get = |p: &str| {
        let url = format!("{}{p}", app.address);
        let client = app.client.clone();
        async move { client.get(url).send().await.expect("send") }
    };

    let res = app.get("/health", None).await;
    assert_eq!(res.status(), 200);
    assert_secure(&res, "an API answer", Part::Api, false);
    let res = app.get("/me", None).await;
    assert_eq!(res.status(), 401);
    assert_secure(&res, "an API error", Part::Api, false);
    let res = app.get("/no/such/thing", None).await;
    assert_eq!(res.status(), 404);
    assert_secure(&res, "an unknown API path", Part::Api, false);
    let res = app
        .request(reqwest::Method::POST, "/auth/login", None)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_secure(&res, "a refused body", Part::Api, false);

    let res = get("/").await;
    assert_eq!(res.status(), 200);
    assert_secure(&res, "the web app's index", Part::App, false);
    let index = res.text().await.expect("index");
    let res = get("/tickets/some-deep-link").await;
    assert_eq!(res.status(), 200);
    assert_secure(&res, "a deep link to the web app", Part::App, false);
    for file in ["/style.css", "/boot.js"] {
        let res = get(file).await;
        assert_eq!(res.status(), 200, "{file}");
        assert_secure(&res, file, Part::App, false);
    }

    // The index needs no inline script or style: every script is a file the server has.
    let scripts: Vec<&str> = index.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "{index}");
    for tag in scripts {
        let tag = &tag[..tag.find('>').expect("tag end")];
        let src = tag
            .split_once("src=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(s, _)| s)
            .unwrap_or_else(|| panic!("an inline script in index.html: <script{tag}>"));
        if src != "/tandem.js" {
            let res = get(src).await;
            assert_eq!(res.status(), 200, "{src}");
            let ct = header(&res, "content-type").unwrap_or_default();
            assert!(
                ct.starts_with("text/javascript") || ct.starts_with("application/javascript"),
                "{src}: {ct}"
            );
        }
    }
    assert!(!index.contains(" style="), "an inline style in index.html");
    assert!(!index.contains("<style"), "an inline style in index.html");

    let res = get("/api/docs/").await;
    assert_eq!(res.status(), 200);
    assert_secure(&res, "the API docs", Part::Docs, false);
    let res = get("/api/docs/swagger-initializer.js").await;
    assert_eq!(res.status(), 200);
    assert_secure(&res, "the API docs' script", Part::Docs, false);
    let res = get("/api/docs/no-such-file.js").await;
    assert_eq!(res.status(), 404);
    assert_secure(&res, "a missing docs file", Part::Docs, false);
}

#[tokio::test]
async fn hsts_only_when_the_public_url_is_https() {
    // No web app built here (whatever TANDEM_WEB_DIST says), so `/` is the not-built page.
    let app = spawn_app_with(|c| {
        c.public_url = "https://tandem.example.com".into();
        c.web_dist = "./no-web-app-here".into();
    })
    .await;
    let res = app.get("/health", None).await;
    assert_secure(&res, "an API answer over https", Part::Api, true);
    let res = app.get("/me", None).await;
    assert_eq!(res.status(), 401);
    assert_secure(&res, "an API error over https", Part::Api, true);
    // Without a built web app, `/` explains how to build it: a page like any other.
    let res = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 503);
    assert_secure(&res, "the not-built page over https", Part::App, true);

    let app = spawn_app_with(|c| c.public_url = "http://tandem.example.com".into()).await;
    let res = app.get("/health", None).await;
    assert_secure(&res, "an API answer over http", Part::Api, false);
}
