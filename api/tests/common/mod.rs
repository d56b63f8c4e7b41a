//! The test harness: the real server on port 0 with a fresh database per test — a temporary
//! SQLite file, or a new PostgreSQL database when `TANDEM_TEST_DB=postgres` — and helpers
//! to call it as the demo users.
#![allow(dead_code)]

pub mod browser;
pub mod calls;

use std::time::Duration;

use api::AppState;
use api::config::Config;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use shared::auth::TokenResponse;

pub const PASSWORD: &str = "tandem-demo";

pub fn backend() -> String {
    std::env::var("TANDEM_TEST_DB").unwrap_or_else(|_| "sqlite".into())
}

pub fn postgres_admin_url() -> String {
    std::env::var("TANDEM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database made for one test and removed after it.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new() -> TestDb {
        Self::of(&backend())
    }

    pub fn of(kind: &str) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        if kind == "postgres" {
            let name = format!("tandem_test_{}", uuid::Uuid::now_v7().simple());
            let mut admin = PgConnection::establish(&postgres_admin_url())
                .expect("connect to PostgreSQL (is it running?)");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create test database");
            let base = postgres_admin_url();
            let url = format!(
                "{}/{name}",
                base.rsplit_once('/').map(|(b, _)| b).unwrap_or(&base)
            );
            TestDb {
                url,
                pg_name: Some(name),
                _dir: dir,
            }
        } else {
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            TestDb {
                url,
                pg_name: None,
                _dir: dir,
            }
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Some(name), Ok(mut admin)) = (
            &self.pg_name,
            PgConnection::establish(&postgres_admin_url()),
        ) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

pub fn test_config(db: &TestDb) -> Config {
    Config {
        database_url: db.url.clone(),
        database_pool_size: 4,
        bind: "127.0.0.1:0".into(),
        workers: 1,
        web_dist: std::env::var("TANDEM_WEB_DIST").unwrap_or_else(|_| "/nonexistent".into()),
        mail_outbox_dir: db.dir().join("outbox").display().to_string(),
        job_poll_ms: 50,
        ..Config::default()
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub db: TestDb,
    handle: actix_web::dev::ServerHandle,
    background: Vec<tokio::task::AbortHandle>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server after `adjust` has changed the test configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new();
    let mut config = test_config(&db);
    config.public_url = "http://tandem.test".into();
    adjust(&mut config);
    let state = api::prepare(config).await.expect("prepare server");
    let running = api::start(state.clone()).expect("start server");
    let address = format!("http://{}", running.addr);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    TestApp {
        address,
        state,
        client,
        db,
        handle: running.handle,
        background: running.background,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the background loops first: they would otherwise keep asking a dropped
        // database for connections while the runtime shuts down.
        for task in &self.background {
            task.abort();
        }
        drop(self.handle.clone().stop(false));
    }
}

impl TestApp {
    /// Asserts that every user's `open_tickets` (kept by the database as tickets change, see
    /// desk::assign) equals their active tickets counted one by one, and on PostgreSQL that
    /// every search row's `active` is its ticket's (also kept by the database); answers how
    /// many active tickets have an assignee.
    pub async fn assert_open_ticket_counts(&self) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let (wrong, assigned) = self
            .state
            .db
            .run(|conn| {
                let wrong: N = diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM users u WHERE u.open_tickets <> \
                     (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.active)",
                )
                .get_result(conn)?;
                let assigned: N = diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM tickets WHERE active AND assignee_id IS NOT NULL",
                )
                .get_result(conn)?;
                Ok((wrong.n, assigned.n))
            })
            .await
            .expect("counts");
        assert_eq!(
            wrong, 0,
            "users whose open_tickets is not their active tickets"
        );
        if backend() == "postgres" {
            // And every search row says whether its ticket is active (PostgreSQL's work
            // queues search those rows only, migration 000015).
            let stale: N = self
                .state
                .db
                .run(|conn| {
                    Ok(diesel::sql_query(
                        "SELECT COUNT(*) AS n FROM ticket_search s JOIN tickets t ON t.id = s.ticket_id \
                         WHERE s.active <> t.active",
                    )
                    .get_result(conn)?)
                })
                .await
                .expect("search rows");
            assert_eq!(stale.n, 0, "search rows whose active is not their ticket's");
        }
        assigned
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    pub async fn load_demo(&self) {
        let loaded = self.state.db.run(api::demo::load).await.expect("load demo");
        assert!(loaded, "demo data was already there");
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req
    }

    pub async fn login(&self, email: &str) -> TokenResponse {
        let res = self
            .post_json(
                "/auth/login",
                None,
                &serde_json::json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login as {email}");
        res.json().await.expect("token response")
    }

    pub async fn token(&self, email: &str) -> String {
        self.login(email).await.access_token
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::PATCH, path, token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// GET and parse JSON, asserting 200.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let res = self.get(path, Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.expect("json")
    }

    /// The id of the organisation with this name (as admin sees it).
    pub async fn org_id(&self, admin_token: &str, name: &str) -> String {
        let page = self
            .get_ok(
                &format!("/organizations?q={}", urlencode(name)),
                admin_token,
            )
            .await;
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|o| o["name"] == name))
            .and_then(|o| o["id"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no organization {name}"))
    }

    /// The id of the user with this e-mail (as admin sees them).
    pub async fn user_id(&self, admin_token: &str, email: &str) -> String {
        let page = self
            .get_ok(&format!("/users?q={}", urlencode(email)), admin_token)
            .await;
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|u| u["email"] == email))
            .and_then(|u| u["id"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no user {email}"))
    }
}

/// The day `offset` days from today (UTC). Tests date what they create relative to the day
/// they run, so that no test starts failing as the calendar moves on.
pub fn day(offset: i64) -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() + chrono::Duration::days(offset)
}

/// [`day`] as the API writes a date: `YYYY-MM-DD`.
pub fn date(offset: i64) -> String {
    day(offset).to_string()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .expect("encode")
        .trim_start_matches("x=")
        .to_string()
}

/// Asserts a problem+json answer with this status and code, and returns its body.
pub async fn assert_problem(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.expect("problem json");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    body
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("address").port()
}

/// The `tandem` binary, run in `dir` with none of the test runner's TANDEM_* variables
/// (the configuration refuses unknown keys, and the tests' own settings must not leak in).
pub fn tandem_command(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TANDEM_") {
            cmd.env_remove(&key);
        }
    }
    cmd.current_dir(dir).stdin(std::process::Stdio::null());
    cmd
}
