//! The `tandem` binary's commands as an operator uses them: first administrator on an
//! empty database, clear start-up errors, the OpenAPI printout, graceful shutdown.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run tandem")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn openapi_command_prints_the_committed_contract() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(common::tandem_command(dir.path()).arg("openapi"));
    assert!(out.status.success(), "{}", text(&out));
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("openapi.yaml");
    assert!(
        out.stdout == committed,
        "`tandem openapi` differs from openapi.yaml"
    );
}

#[test]
fn start_up_errors_name_the_cause() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(common::tandem_command(dir.path()).arg("migrate").env(
        "TANDEM_DATABASE_URL",
        "postgres://postgres@127.0.0.1:1/nowhere",
    ));
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("PostgreSQL") && t.contains("127.0.0.1") && t.to_lowercase().contains("refused"),
        "{t}"
    );

    let out = run(common::tandem_command(dir.path())
        .arg("migrate")
        .env("TANDEM_DATABASE_URL", "mysql://x/y"));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("sqlite:// or postgres://"),
        "{}",
        text(&out)
    );

    let out = run(common::tandem_command(dir.path())
        .arg("migrate")
        .env("TANDEM_DATABSE_URL", "sqlite://typo.db"));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("databse_url"),
        "an unknown key is named: {}",
        text(&out)
    );
}

#[tokio::test]
async fn first_admin_on_an_empty_database_then_a_graceful_stop() {
    let db = common::TestDb::new();
    let dir = tempfile::tempdir().expect("dir");
    let create = |email: &str, password: &str| {
        run(common::tandem_command(dir.path())
            .args([
                "create-admin",
                "--email",
                email,
                "--name",
                "Boss Person",
                "--vendor",
                "Acme Services",
            ])
            .env("TANDEM_DATABASE_URL", &db.url)
            .env("TANDEM_ADMIN_PASSWORD", password))
    };
    let out = create("boss@acme.test", "short");
    assert!(!out.status.success());
    assert!(text(&out).contains("password"), "{}", text(&out));
    let out = create("boss@acme.test", "a long admin passphrase");
    assert!(out.status.success(), "{}", text(&out));
    let out = create("BOSS@acme.test", "a long admin passphrase");
    assert!(!out.status.success(), "the same e-mail twice");
    assert!(text(&out).contains("email"), "{}", text(&out));

    let port = common::free_port();
    let log = std::fs::File::create(dir.path().join("serve.log")).expect("log");
    let mut child = common::tandem_command(dir.path())
        .arg("serve")
        .env("TANDEM_DATABASE_URL", &db.url)
        .env("TANDEM_BIND", format!("127.0.0.1:{port}"))
        .env("TANDEM_WEB_DIST", "/nonexistent")
        .env("TANDEM_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "serve did not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = client
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": "boss@acme.test", "password": "a long admin passphrase"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let tokens: serde_json::Value = res.json().await.expect("json");
    assert_eq!(tokens["user"]["role"], "admin");
    assert_eq!(tokens["user"]["organization_name"], "Acme Services");

    // SIGTERM: stop accepting, finish, exit cleanly.
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop within 15 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
    let logged = std::fs::read_to_string(dir.path().join("serve.log")).expect("log");
    let line = logged
        .lines()
        .find(|l| l.contains("/api/v1/auth/login"))
        .expect("the login request is logged");
    let entry: serde_json::Value = serde_json::from_str(line).expect("JSON log line");
    assert!(
        entry["span"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{entry}"
    );
}
