//! Invitations by e-mail: through a real SMTP server (aiosmtpd writing a Maildir) and through
//! the default `file` transport; the link in the message signs the new person in once.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use api::db::schema::invitations as inv;
use diesel::prelude::*;
use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app, spawn_app_with};

const LINK_PREFIX: &str = "http://tandem.test/invite/";
const GOOD_PASSWORD: &str = "a long enough passphrase";

/// A real SMTP server on a free local port that stores what it receives in a Maildir;
/// killed when dropped.
struct SmtpServer {
    port: u16,
    maildir: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let check = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(
            check.is_ok_and(|s| s.success()),
            "the mail tests need python3 with aiosmtpd: run scripts/setup.sh (or `pip install aiosmtpd`)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let maildir = dir.path().join("maildir");
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("address")
            .port();
        let log = std::fs::File::create(dir.path().join("smtpd.log")).expect("log file");
        let mut child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start python3 -m aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().expect("smtpd status") {
                panic!(
                    "aiosmtpd exited with {status}: {}",
                    std::fs::read_to_string(dir.path().join("smtpd.log")).unwrap_or_default()
                );
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("aiosmtpd did not listen on port {port} within 10 s");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        SmtpServer {
            port,
            maildir,
            child,
            _dir: dir,
        }
    }

    /// Waits (at most 10 s) until the Maildir holds `n` new messages; returns them oldest first.
    async fn wait_for_messages(&self, n: usize) -> Vec<PathBuf> {
        wait_for_files(&self.maildir.join("new"), n, |_| true).await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for_files(dir: &Path, n: usize, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| keep(p))
                    .map(|p| {
                        (
                            p.metadata()
                                .and_then(|m| m.modified())
                                .unwrap_or(std::time::UNIX_EPOCH),
                            p,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if files.len() >= n {
            assert_eq!(
                files.len(),
                n,
                "exactly {n} message(s) in {}",
                dir.display()
            );
            files.sort();
            return files.into_iter().map(|(_, p)| p).collect();
        }
        assert!(
            Instant::now() < deadline,
            "{n} message(s) expected in {} within 10 s, found {}",
            dir.display(),
            files.len()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Parses a stored message with Python's standard `email` package (headers decoded, body
/// transfer-decoded), so the test reads it as a mail client would.
fn parse_message(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
body = m.get_body(preferencelist=("plain",))
print(json.dumps({
    "from": str(m["From"]), "to": str(m["To"]), "subject": str(m["Subject"]),
    "rcpt_to": m.get("X-RcptTo"), "content_type": m.get_content_type(),
    "body": body.get_content() if body is not None else None,
}))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "parse {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parsed message json")
}

/// The invitation token in the link of a message body.
fn token_in(body: &str) -> String {
    let start = body
        .find(LINK_PREFIX)
        .unwrap_or_else(|| panic!("no {LINK_PREFIX}… link in {body:?}"))
        + LINK_PREFIX.len();
    let token: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert!(token.len() >= 32, "a long random token: {token:?}");
    token
}

/// Waits (at most 10 s) until `n` jobs are done, so the files they wrote are complete.
async fn wait_jobs_done(app: &TestApp, admin: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = app.get_ok("/admin/jobs?status=done", admin).await;
        if page["items"].as_array().map(Vec::len) == Some(n) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{n} job(s) should be done within 10 s: {page}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn invite(app: &TestApp, admin: &str, email: &str, org_id: &str) -> Value {
    let res = app.post_json("/invitations", Some(admin), &json!({"email": email, "name": "N P", "role": "client_member", "organization_id": org_id})).await;
    assert_eq!(res.status().as_u16(), 201, "invite {email}");
    res.json().await.expect("invitation json")
}

/// The checks every invitation e-mail must pass; returns the token from its link.
fn check_invitation_mail(message: &Value, to: &str) -> String {
    assert!(
        message["to"].as_str().is_some_and(|t| t.contains(to)),
        "recipient: {message}"
    );
    assert!(
        message["from"]
            .as_str()
            .is_some_and(|f| f.contains("no-reply@tandem.local")),
        "sender: {message}"
    );
    assert!(
        message["subject"]
            .as_str()
            .is_some_and(|s| s.contains("Verdi Arredamenti")),
        "subject names the organisation: {message}"
    );
    assert_eq!(message["content_type"], "text/plain");
    let body = message["body"].as_str().expect("a plain-text body");
    assert!(body.contains("Hello N P"), "{body}");
    assert!(body.contains("Verdi Arredamenti"), "{body}");
    token_in(body)
}

fn smtp_config(port: u16) -> impl FnOnce(&mut api::Config) {
    move |c| {
        c.mail_transport = "smtp".into();
        c.smtp_host = "127.0.0.1".into();
        c.smtp_port = port;
    }
}

async fn accept(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/invitations/accept",
        None,
        &json!({"token": token, "password": password}),
    )
    .await
}

#[tokio::test]
async fn invitation_sent_through_smtp_signs_the_person_in_once() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(smtp_config(smtp.port)).await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let created = invite(&app, &admin, "New@Verdi.test", &verdi).await;
    assert_eq!(
        (created["email"].as_str(), created["status"].as_str()),
        (Some("new@verdi.test"), Some("pending")),
        "{created}"
    );
    assert_eq!(created["organization_name"], "Verdi Arredamenti");

    let messages = smtp.wait_for_messages(1).await;
    let message = parse_message(&messages[0]);
    assert_eq!(
        message["rcpt_to"], "new@verdi.test",
        "the SMTP envelope names the invited person: {message}"
    );
    let token = check_invitation_mail(&message, "new@verdi.test");
    assert!(
        !created.to_string().contains(&token),
        "the link's secret travels only by e-mail"
    );
    wait_jobs_done(&app, &admin, 1).await;

    // A weak password is refused without using up the link.
    let body = assert_problem(
        accept(&app, &token, "short").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "password", "{body}");

    let res = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 200);
    let tokens: Value = res.json().await.expect("token json");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let access = tokens["access_token"].as_str().expect("access_token");
    let me = app.get_ok("/me", access).await;
    assert_eq!(
        (
            me["email"].as_str(),
            me["role"].as_str(),
            me["organization_id"].as_str()
        ),
        (
            Some("new@verdi.test"),
            Some("client_member"),
            Some(verdi.as_str())
        ),
        "{me}"
    );
    // The chosen password works for signing in later.
    let res = app
        .post_json(
            "/auth/login",
            None,
            &json!({"email": "new@verdi.test", "password": GOOD_PASSWORD}),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);

    // The link works once.
    let body = assert_problem(
        accept(&app, &token, GOOD_PASSWORD).await,
        410,
        "invitation_invalid",
    )
    .await;
    assert!(!body.to_string().contains(&token));
    assert_problem(
        accept(&app, "inv_not-a-real-token", GOOD_PASSWORD).await,
        410,
        "invitation_invalid",
    )
    .await;
    let list = app.get_ok("/invitations", &admin).await;
    assert_eq!(list["items"][0]["status"], "accepted", "{list}");
}

#[tokio::test]
async fn expired_invitation_link_is_gone() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(smtp_config(smtp.port)).await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let created = invite(&app, &admin, "late@verdi.test", &verdi).await;
    let token = check_invitation_mail(
        &parse_message(&smtp.wait_for_messages(1).await[0]),
        "late@verdi.test",
    );

    let id = created["id"].as_str().expect("id").to_string();
    let changed = app
        .state
        .db
        .run(move |conn| {
            Ok(diesel::update(inv::table.find(&id))
                .set(inv::expires_at.eq(api::db::now() - chrono::Duration::minutes(1)))
                .execute(conn)?)
        })
        .await
        .expect("expire the invitation");
    assert_eq!(changed, 1);

    assert_problem(
        accept(&app, &token, GOOD_PASSWORD).await,
        410,
        "invitation_invalid",
    )
    .await;
    let list = app.get_ok("/invitations", &admin).await;
    assert_eq!(list["items"][0]["status"], "expired", "{list}");
    let users = app.get_ok("/users?q=late", &admin).await;
    assert_eq!(users["items"], json!([]), "no user was created");
}

#[tokio::test]
async fn short_lived_invitations_follow_the_configured_ttl() {
    // A zero-hour lifetime: the link is already expired when it arrives.
    let outbox = tempfile::tempdir().expect("temp dir");
    let dir = outbox.path().to_path_buf();
    let app = spawn_app_with(move |c| {
        c.invitation_ttl_hours = 0;
        c.mail_outbox_dir = dir.display().to_string();
    })
    .await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let created = invite(&app, &admin, "brief@verdi.test", &verdi).await;
    assert_eq!(created["status"], "expired", "{created}");
    wait_jobs_done(&app, &admin, 1).await;
    let files = wait_for_files(outbox.path(), 1, |p| {
        p.extension().is_some_and(|e| e == "eml")
    })
    .await;
    let token = check_invitation_mail(&parse_message(&files[0]), "brief@verdi.test");
    assert_problem(
        accept(&app, &token, GOOD_PASSWORD).await,
        410,
        "invitation_invalid",
    )
    .await;
}

#[tokio::test]
async fn file_transport_writes_the_invitation_to_the_outbox() {
    let app = spawn_app().await;
    assert_eq!(
        app.state.config.mail_transport, "file",
        "the laptop default"
    );
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    invite(&app, &admin, "filed@verdi.test", &verdi).await;

    wait_jobs_done(&app, &admin, 1).await;
    let outbox = PathBuf::from(&app.state.config.mail_outbox_dir);
    let files = wait_for_files(&outbox, 1, |p| p.extension().is_some_and(|e| e == "eml")).await;
    let message = parse_message(&files[0]);
    let token = check_invitation_mail(&message, "filed@verdi.test");
    let res = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 200, "the link from the outbox works");
}

/// With `smtp_tls = "starttls"`, a server that offers no STARTTLS gets nothing in clear
/// text: the job fails with a reason an admin can act on, and the mailbox stays empty.
#[tokio::test]
async fn starttls_is_required_when_configured() {
    let smtp = SmtpServer::start();
    let port = smtp.port;
    let app = spawn_app_with(move |c| {
        smtp_config(port)(c);
        c.smtp_tls = "starttls".into();
        c.smtp_host = "localhost".into();
        c.job_max_attempts = 1;
    })
    .await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    invite(&app, &admin, "tls@verdi.test", &verdi).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let page = app.get_ok("/admin/jobs?status=failed", &admin).await;
        if let Some(job) = page["items"]
            .as_array()
            .and_then(|items| items.first())
            .cloned()
        {
            break job;
        }
        assert!(
            Instant::now() < deadline,
            "the mail job should fail within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let error = failed["last_error"].as_str().unwrap_or_default();
    assert!(error.contains(&format!("smtp localhost:{port}")), "{error}");
    assert!(
        error.contains("STARTTLS"),
        "the reason names STARTTLS: {error}"
    );
    assert!(
        !smtp.maildir.join("new").exists()
            || std::fs::read_dir(smtp.maildir.join("new"))
                .map(|d| d.count())
                .unwrap_or(0)
                == 0,
        "nothing was delivered"
    );
}
