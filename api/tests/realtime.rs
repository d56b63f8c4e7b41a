//! Real-time events: the WebSocket (hello, then the user's own events and nobody else's),
//! catching up by sequence number through `GET /events`, the refused upgrade without a valid
//! token, events committed out of sequence order, and — on PostgreSQL — two `tandem serve`
//! processes on one database passing events to each other.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use api::db::write_tx;
use api::realtime::events::{CHANNEL, publish};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use common::{PASSWORD, TestApp, TestDb, assert_problem, backend, spawn_app};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a concerned user may wait for an event before the test fails.
const EVENT_WAIT: Duration = Duration::from_secs(10);
/// How long an unconcerned user is watched for a frame that must not come.
const QUIET_WAIT: Duration = Duration::from_millis(500);

fn ws_url(address: &str, token: Option<&str>) -> String {
    let base = format!("{}/api/v1/ws", address.replacen("http://", "ws://", 1));
    match token {
        Some(t) => format!("{base}?access_token={}", common::urlencode(t)),
        None => base,
    }
}

/// Opens the WebSocket as the token's user, checks the first frame is the hello, and returns
/// the stream with the hello's `latest_seq`.
async fn open_ws(address: &str, token: &str) -> (Ws, i64) {
    let connecting = connect_async(ws_url(address, Some(token)));
    let (mut ws, response) = tokio::time::timeout(EVENT_WAIT, connecting)
        .await
        .expect("WebSocket connect in time")
        .expect("WebSocket upgrade");
    assert_eq!(response.status().as_u16(), 101, "switching protocols");
    let hello = next_frame(&mut ws, EVENT_WAIT)
        .await
        .expect("a hello frame first");
    assert_eq!(hello["type"], "hello", "{hello}");
    assert_eq!(
        hello.as_object().map(|o| o.len()),
        Some(2),
        "hello has `type` and `latest_seq` only: {hello}"
    );
    let latest = hello["latest_seq"]
        .as_i64()
        .expect("latest_seq is an integer");
    (ws, latest)
}

/// The next JSON text frame, or `None` when nothing came within `wait`. Pings and pongs are
/// skipped; a closed or broken stream fails the test.
async fn next_frame(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(None) => panic!("the server closed the WebSocket"),
            Ok(Some(Err(e))) => panic!("WebSocket error: {e}"),
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(text.as_str()).expect("frames are JSON"));
            }
            Ok(Some(Ok(Message::Close(frame)))) => {
                panic!("the server closed the WebSocket: {frame:?}")
            }
            Ok(Some(Ok(Message::Binary(_)))) => panic!("unexpected binary frame"),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The next frame, which must be an event; returns the event object after checking its shape.
async fn next_event(ws: &mut Ws, who: &str) -> Value {
    let frame = next_frame(ws, EVENT_WAIT)
        .await
        .unwrap_or_else(|| panic!("{who} got no event within {EVENT_WAIT:?}"));
    assert_eq!(frame["type"], "event", "{who}: {frame}");
    assert_eq!(
        frame.as_object().map(|o| o.len()),
        Some(2),
        "{who}: an event frame has `type` and `event` only: {frame}"
    );
    let event = frame["event"].clone();
    let keys: BTreeSet<&str> = event
        .as_object()
        .expect("event object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["created_at", "kind", "payload", "seq"]),
        "{who}: {event}"
    );
    assert!(
        event["seq"].as_i64().is_some_and(|s| s > 0),
        "{who}: seq {event}"
    );
    let at = event["created_at"].as_str().expect("created_at text");
    chrono::DateTime::parse_from_rfc3339(at).expect("created_at is RFC 3339");
    assert!(at.ends_with('Z'), "created_at is UTC: {at}");
    event
}

async fn assert_quiet(ws: &mut Ws, who: &str) {
    if let Some(frame) = next_frame(ws, QUIET_WAIT).await {
        panic!("{who} must not hear about this, but got {frame}");
    }
}

async fn patch_org(
    app_address: &str,
    client: &reqwest::Client,
    admin: &str,
    org_id: &str,
    segment: &str,
) {
    let res = client
        .patch(format!("{app_address}/api/v1/organizations/{org_id}"))
        .bearer_auth(admin)
        .json(&json!({"segment": segment}))
        .send()
        .await
        .expect("PATCH organization");
    assert_eq!(res.status().as_u16(), 200, "PATCH organization {org_id}");
}

async fn patch(app: &TestApp, admin: &str, org_id: &str, segment: &str) {
    patch_org(&app.address, &app.client, admin, org_id, segment).await;
}

fn assert_org_updated(event: &Value, org_id: &str) {
    assert_eq!(event["kind"], "organization.updated", "{event}");
    assert_eq!(
        event["payload"],
        json!({"organization_id": org_id}),
        "{event}"
    );
}

#[tokio::test]
async fn websocket_says_hello_then_delivers_events_only_to_concerned_users() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm1 = app.token("csm1@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let fashop_user = app.token("admin@fashop.test").await;
    let bianchi_user = app.token("member@bianchi.test").await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let bianchi = app.org_id(&admin, "Bianchi Sport").await;

    let (mut ws_csm1, latest_csm1) = open_ws(&app.address, &csm1).await;
    let (mut ws_csm2, _) = open_ws(&app.address, &csm2).await;
    let (mut ws_fashop, latest_fashop) = open_ws(&app.address, &fashop_user).await;
    let (mut ws_bianchi, _) = open_ws(&app.address, &bianchi_user).await;
    // The hello names the newest event the user has, the same number the catch-up list ends at.
    let caught_up = app.get_ok("/events?after=0", &csm1).await;
    assert_eq!(
        caught_up["last_seq"].as_i64(),
        Some(latest_csm1),
        "{caught_up}"
    );

    // FaShop belongs to csm1: csm1 and FaShop's own users hear about the change.
    patch(&app, &admin, &fashop, "x").await;
    let event = next_event(&mut ws_csm1, "csm1").await;
    assert_org_updated(&event, &fashop);
    assert!(
        event["seq"].as_i64().is_some_and(|s| s > latest_csm1),
        "seq grows past the hello: {event}"
    );
    let seen_by_client = next_event(&mut ws_fashop, "FaShop user").await;
    assert_org_updated(&seen_by_client, &fashop);
    assert!(
        seen_by_client["seq"]
            .as_i64()
            .is_some_and(|s| s > latest_fashop)
    );
    assert_ne!(
        seen_by_client["seq"], event["seq"],
        "each recipient has their own numbered event"
    );

    // csm2 and a Bianchi user are not concerned.
    assert_quiet(&mut ws_csm2, "csm2").await;
    assert_quiet(&mut ws_bianchi, "a Bianchi user").await;
    // Fence: the next change concerns them; it must be the first thing they receive, which
    // proves the FaShop event never reached them (events arrive in order).
    patch(&app, &admin, &bianchi, "y").await;
    assert_org_updated(&next_event(&mut ws_csm2, "csm2").await, &bianchi);
    assert_org_updated(
        &next_event(&mut ws_bianchi, "a Bianchi user").await,
        &bianchi,
    );
    // And csm1 did not get the Bianchi change: their next event is the Verdi one.
    patch(&app, &admin, &verdi, "z").await;
    assert_org_updated(&next_event(&mut ws_csm1, "csm1").await, &verdi);
    assert_quiet(&mut ws_fashop, "FaShop user").await;
}

/// A ticket's department hears about it through one event for the department: each
/// member's socket gets it live and once, it is in their catch-up list, and the agents of
/// another department neither hear of it nor find it in theirs. Its messages travel the same
/// way, and an internal note never reaches the client.
#[tokio::test]
async fn ticket_events_reach_the_departments_agents_once_and_notes_never_the_client() {
    let app = spawn_app().await;
    app.load_demo().await;
    let agent1 = app.token("agent1@magicstore.test").await; // Technical support
    let agent2 = app.token("agent2@magicstore.test").await; // Billing and accounts
    let member = app.token("member@fashop.test").await;
    let (mut ws1, before1) = open_ws(&app.address, &agent1).await;
    let (mut ws2, _) = open_ws(&app.address, &agent2).await;
    // agent1 away: the ticket waits unassigned, so agent1 hears of it only as a member.
    // The account change is heard first (on PostgreSQL it may reach the socket late, so it
    // is awaited here rather than mistaken for the ticket's event below).
    let away = app
        .patch_json("/me", Some(&agent1), &json!({"availability": "away"}))
        .await;
    assert_eq!(away.status(), 200);
    let changed = next_event(&mut ws1, "agent1").await;
    assert_eq!(changed["kind"], "user.updated", "{changed}");

    let res = app
        .post_json(
            "/tickets",
            Some(&member),
            &json!({"subject": "Checkout fails", "body": "Error 500 at checkout", "cluster": "technical_problem"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let ticket: Value = res.json().await.expect("ticket");
    assert!(ticket["assignee_id"].is_null(), "{ticket}");
    assert_eq!(ticket["department_name"], "Technical support", "{ticket}");

    let event = next_event(&mut ws1, "agent1").await;
    assert_eq!(event["kind"], "ticket.changed", "{event}");
    assert_eq!(event["payload"]["ticket_id"], ticket["id"], "{event}");
    assert_quiet(&mut ws1, "agent1, a second time").await;
    assert_quiet(&mut ws2, "agent2 of another department").await;

    let about_it = |list: &Value| -> Vec<i64> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["payload"]["ticket_id"] == ticket["id"])
            .filter_map(|e| e["seq"].as_i64())
            .collect()
    };
    let caught_up = app
        .get_ok(&format!("/events?after={before1}"), &agent1)
        .await;
    assert_eq!(
        about_it(&caught_up),
        vec![event["seq"].as_i64().expect("seq")]
    );
    assert!(about_it(&app.get_ok("/events?after=0", &agent2).await).is_empty());

    // An internal note reaches the department's members, never the client; a reply both.
    let (mut ws_client, _) = open_ws(&app.address, &member).await;
    let id = ticket["id"].as_str().expect("id");
    for (kind, body) in [
        ("note", "Looks like the payment gateway"),
        ("reply", "We are on it"),
    ] {
        let res = app
            .post_json(
                &format!("/tickets/{id}/messages"),
                Some(&agent1),
                &json!({"kind": kind, "body": body}),
            )
            .await;
        assert_eq!(res.status(), 201, "{kind}");
    }
    let messages_heard = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["kind"] == "ticket.message")
            .filter_map(|e| e["payload"]["body"].as_str().map(str::to_string))
            .collect()
    };
    let mut by_client = Vec::new();
    while let Some(frame) = next_frame(&mut ws_client, QUIET_WAIT).await {
        by_client.push(frame["event"].clone());
    }
    assert_eq!(
        messages_heard(&by_client),
        vec!["We are on it"],
        "{by_client:?}"
    );
    let mut by_agent = Vec::new();
    while let Some(frame) = next_frame(&mut ws1, QUIET_WAIT).await {
        by_agent.push(frame["event"].clone());
    }
    assert_eq!(
        messages_heard(&by_agent),
        vec!["Looks like the payment gateway", "We are on it"],
        "{by_agent:?}"
    );
    assert_quiet(&mut ws2, "agent2 of another department").await;
}

#[tokio::test]
async fn websocket_upgrade_is_refused_without_a_valid_token() {
    let app = spawn_app().await;
    app.load_demo().await;
    let login = app.login("csm1@magicstore.test").await;

    async fn refused(request: tungstenite::handshake::client::Request) -> (u16, Value) {
        let result = tokio::time::timeout(EVENT_WAIT, connect_async(request))
            .await
            .expect("answer in time");
        match result {
            Err(tungstenite::Error::Http(response)) => {
                let ct = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                assert_eq!(ct, "application/problem+json");
                let body: Value =
                    serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                        .expect("problem json");
                (response.status().as_u16(), body)
            }
            Err(other) => panic!("expected an HTTP refusal, got {other}"),
            Ok(_) => panic!("the upgrade must be refused"),
        }
    }
    let request = |token: Option<&str>| {
        ws_url(&app.address, token)
            .into_client_request()
            .expect("request")
    };

    for (what, req) in [
        ("no token", request(None)),
        ("a bad token", request(Some("not-a-jwt"))),
        ("a refresh token", request(Some(&login.refresh_token))),
    ] {
        let (status, body) = refused(req).await;
        assert_eq!(status, 401, "{what}");
        assert_eq!(body["code"], "unauthenticated", "{what}: {body}");
    }
    let mut with_header = request(None);
    with_header
        .headers_mut()
        .insert("authorization", "Bearer nonsense".parse().expect("header"));
    assert_eq!(refused(with_header).await.0, 401);

    // The Authorization header works as well as the query parameter.
    let mut with_header = request(None);
    with_header.headers_mut().insert(
        "authorization",
        format!("Bearer {}", login.access_token)
            .parse()
            .expect("header"),
    );
    let (mut ws, _) = tokio::time::timeout(EVENT_WAIT, connect_async(with_header))
        .await
        .expect("in time")
        .expect("upgrade with a header token");
    assert_eq!(
        next_frame(&mut ws, EVENT_WAIT).await.expect("hello")["type"],
        "hello"
    );
    drop(ws);

    // After signing out, the access token of that session no longer opens the stream.
    let res = app
        .post_json(
            "/auth/logout",
            Some(&login.access_token),
            &json!({"refresh_token": login.refresh_token}),
        )
        .await;
    assert_eq!(res.status().as_u16(), 204);
    let (status, _) = refused(request(Some(&login.access_token))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn missed_events_are_caught_up_in_order_with_paging() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm1 = app.token("csm1@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let bianchi = app.org_id(&admin, "Bianchi Sport").await;

    // csm1 connects, notes the hello, and goes away.
    let (ws, seen) = open_ws(&app.address, &csm1).await;
    drop(ws);
    let csm2_before = app.get_ok("/events?after=0", &csm2).await["last_seq"]
        .as_i64()
        .expect("last_seq");
    patch(&app, &admin, &fashop, "a").await;
    patch(&app, &admin, &bianchi, "b").await;
    patch(&app, &admin, &verdi, "c").await;
    patch(&app, &admin, &fashop, "d").await;

    let all = app.get_ok(&format!("/events?after={seen}"), &csm1).await;
    let items = all["items"].as_array().expect("items");
    let orgs: Vec<&str> = items
        .iter()
        .map(|e| {
            e["payload"]["organization_id"]
                .as_str()
                .expect("organization id")
        })
        .collect();
    assert_eq!(
        orgs,
        vec![fashop.as_str(), verdi.as_str(), fashop.as_str()],
        "csm1's events only, oldest first: {all}"
    );
    assert!(items.iter().all(|e| e["kind"] == "organization.updated"));
    let seqs: Vec<i64> = items
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "increasing: {seqs:?}");
    assert!(seqs[0] > seen);
    assert_eq!(all["last_seq"].as_i64(), seqs.last().copied());
    assert_eq!(all["has_more"], false);

    // Pages of two.
    let first = app
        .get_ok(&format!("/events?after={seen}&limit=2"), &csm1)
        .await;
    assert_eq!(
        first["items"]
            .as_array()
            .map(|i| i.iter().map(|e| e["seq"].as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(seqs[0]), Some(seqs[1])])
    );
    assert_eq!(first["last_seq"].as_i64(), Some(seqs[1]));
    assert_eq!(first["has_more"], true);
    let second = app
        .get_ok(&format!("/events?after={}&limit=2", seqs[1]), &csm1)
        .await;
    assert_eq!(
        second["items"]
            .as_array()
            .map(|i| i.iter().map(|e| e["seq"].as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(seqs[2])])
    );
    assert_eq!(second["has_more"], false);
    assert_eq!(second["items"][0], items[2], "the same event either way");
    // Nothing after the last one: empty, and last_seq stays where the client is.
    let none = app
        .get_ok(&format!("/events?after={}", seqs[2]), &csm1)
        .await;
    assert_eq!(
        none,
        json!({"items": [], "last_seq": seqs[2], "has_more": false})
    );

    // csm2 sees only the Bianchi change.
    let theirs = app
        .get_ok(&format!("/events?after={csm2_before}"), &csm2)
        .await;
    let orgs: Vec<&str> = theirs["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["payload"]["organization_id"].as_str())
        .collect();
    assert_eq!(orgs, vec![bianchi.as_str()]);

    // Reconnecting, the hello names the newest event, so the client knows what to ask for.
    let (_ws, latest) = open_ws(&app.address, &csm1).await;
    assert_eq!(latest, seqs[2]);

    // Signed-out callers get nothing.
    assert_problem(
        app.get("/events?after=0", None).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn event_list_refuses_a_bad_limit() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm1 = app.token("csm1@magicstore.test").await;
    for limit in ["0", "501", "-3"] {
        let body = assert_problem(
            app.get(&format!("/events?after=0&limit={limit}"), Some(&csm1))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(body["errors"][0]["field"], "limit", "limit={limit}: {body}");
    }
    assert_problem(
        app.get("/events?limit=many", Some(&csm1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/events?after=soon", Some(&csm1)).await,
        422,
        "validation_failed",
    )
    .await;
    let body = assert_problem(
        app.get("/events?since=3", Some(&csm1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "since", "{body}");
    // The bounds themselves are fine.
    for limit in [1, 500] {
        app.get_ok(&format!("/events?after=0&limit={limit}"), &csm1)
            .await;
    }
}

/// Two writers: A publishes first but commits last. Whatever the backend does with sequence
/// numbers, the live stream must deliver both events, and a client that remembers the last
/// seq it saw must not skip A's event when it catches up.
#[tokio::test]
async fn events_committed_out_of_order_are_not_lost() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm1 = app.token("csm1@magicstore.test").await;
    let csm1_id = app.user_id(&admin, "csm1@magicstore.test").await;
    let (mut ws, latest) = open_ws(&app.address, &csm1).await;

    let (published_tx, published_rx) = std::sync::mpsc::channel::<()>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let writer_a = {
        let (db, user) = (app.state.db.clone(), csm1_id.clone());
        std::thread::spawn(move || {
            let mut conn = db.get().expect("connection A");
            write_tx(&mut conn, |c| {
                publish(c, &[user], "test.first", &json!({"writer": "A"}))?;
                published_tx.send(()).expect("signal");
                // Hold the transaction open until told to commit.
                commit_rx
                    .recv_timeout(Duration::from_secs(30))
                    .expect("commit signal");
                Ok(())
            })
            .expect("writer A")
        })
    };
    tokio::task::spawn_blocking(move || published_rx.recv_timeout(Duration::from_secs(10)))
        .await
        .expect("join")
        .expect("writer A published");
    let writer_b = {
        let (db, user, bus) = (app.state.db.clone(), csm1_id.clone(), app.state.bus.clone());
        std::thread::spawn(move || {
            let mut conn = db.get().expect("connection B");
            write_tx(&mut conn, |c| {
                publish(c, &[user], "test.second", &json!({"writer": "B"}))
            })
            .expect("writer B");
            bus.wake();
        })
    };
    // B may commit while A is still open (or be made to wait for A, which is also correct).
    let deadline = Instant::now() + Duration::from_millis(300);
    while !writer_b.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut received = Vec::new();
    if writer_b.is_finished() {
        // B committed first: let the stream deliver it before A commits.
        received.push(next_event(&mut ws, "csm1").await);
    }
    commit_tx.send(()).expect("tell A to commit");
    tokio::task::spawn_blocking(move || {
        writer_a.join().expect("writer A thread");
        writer_b.join().expect("writer B thread");
    })
    .await
    .expect("join writers");
    app.state.bus.wake();
    while received.len() < 2 {
        let Some(frame) = next_frame(&mut ws, EVENT_WAIT).await else {
            panic!(
                "only {} of 2 events arrived live: {received:?}",
                received.len()
            );
        };
        received.push(frame["event"].clone());
    }
    let kinds: BTreeSet<&str> = received.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["test.first", "test.second"]),
        "{received:?}"
    );

    // Catching up after the last seq received on the stream loses nothing either: the order
    // of sequence numbers is the order in which the events became visible.
    let first_seen = received[0]["seq"].as_i64().expect("seq");
    let later = app
        .get_ok(&format!("/events?after={first_seen}"), &csm1)
        .await;
    let later: Vec<&Value> = later["items"].as_array().expect("items").iter().collect();
    assert_eq!(
        later,
        vec![&received[1]],
        "after the first event seen, exactly the second one follows"
    );
    assert!(first_seen > latest);
}

// --- Two processes on one PostgreSQL -----------------------------------------------------

/// A `tandem` child process with the test environment removed and its own settings set.
fn tandem(db_url: &str, dir: &Path, log: &str, port: u16) -> Command {
    let mut cmd = common::tandem_command(dir);
    let log_file = std::fs::File::create(dir.join(log)).expect("log file");
    let err_file = log_file.try_clone().expect("log file");
    cmd.env("TANDEM_DATABASE_URL", db_url)
        .env("TANDEM_BIND", format!("127.0.0.1:{port}"))
        .env("TANDEM_WEB_DIST", "/nonexistent")
        .env("TANDEM_MAIL_OUTBOX_DIR", dir.join("outbox"))
        .env("TANDEM_DATABASE_POOL_SIZE", "4")
        .env("TANDEM_WORKERS", "1")
        .env("TANDEM_LOG_LEVEL", "info")
        .stdout(log_file)
        .stderr(err_file);
    cmd
}

/// Kills the child processes when the test ends, and shows their logs if it failed.
struct Children {
    procs: Vec<(Child, PathBuf)>,
}

impl Drop for Children {
    fn drop(&mut self) {
        for (child, log) in &mut self.procs {
            let _ = child.kill();
            let _ = child.wait();
            if std::thread::panicking() {
                let text = std::fs::read_to_string(&*log).unwrap_or_default();
                eprintln!("--- {} ---\n{text}", log.display());
            }
        }
    }
}

async fn wait_healthy(
    client: &reqwest::Client,
    address: &str,
    children: &mut Children,
    index: usize,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = children.procs[index].0.try_wait().expect("child status") {
            panic!(
                "tandem serve exited early with {status}: {}",
                std::fs::read_to_string(&children.procs[index].1).unwrap_or_default()
            );
        }
        if let Ok(res) = client
            .get(format!("{address}/api/v1/health"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            && res.status().is_success()
        {
            let body: Value = res.json().await.expect("health json");
            assert_eq!(body["database"], "postgres", "{body}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "tandem serve at {address} did not become healthy in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn login(client: &reqwest::Client, address: &str, email: &str) -> String {
    let res = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 200, "login as {email} at {address}");
    let body: Value = res.json().await.expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

#[tokio::test]
async fn two_processes_on_one_postgres_share_events() {
    if backend() != "postgres" {
        eprintln!(
            "skipped for SQLite: several processes on one database is the PostgreSQL scale-out path"
        );
        return;
    }
    let db = TestDb::new();
    let dir = db.dir().to_path_buf();

    // Load the demo data with the binary itself.
    let mut demo = tandem(&db.url, &dir, "demo.log", common::free_port())
        .arg("demo")
        .spawn()
        .expect("start tandem demo");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = demo.try_wait().expect("demo status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = demo.kill();
            panic!("tandem demo did not finish in 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.success(),
        "tandem demo failed: {}",
        std::fs::read_to_string(dir.join("demo.log")).unwrap_or_default()
    );

    let (port_a, port_b) = (common::free_port(), common::free_port());
    let mut children = Children { procs: Vec::new() };
    for (port, log) in [(port_a, "a.log"), (port_b, "b.log")] {
        let child = tandem(&db.url, &dir, log, port)
            .arg("serve")
            .spawn()
            .expect("start tandem serve");
        children.procs.push((child, dir.join(log)));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let (a, b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    wait_healthy(&client, &a, &mut children, 0).await;
    wait_healthy(&client, &b, &mut children, 1).await;

    // Tokens from one process work on the other: the signing secret lives in the database.
    let admin = login(&client, &b, "admin@magicstore.test").await;
    let csm1 = login(&client, &a, "csm1@magicstore.test").await;
    let orgs: Value = client
        .get(format!("{b}/api/v1/organizations?q=FaShop"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let fashop = orgs["items"][0]["id"]
        .as_str()
        .expect("FaShop id")
        .to_string();

    // Watch the channel the processes use to wake each other.
    let mut listener = PgConnection::establish(&db.url).expect("LISTEN connection");
    listener
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .expect("LISTEN");

    let (mut on_a, _) = open_ws(&a, &csm1).await;
    let (mut on_b, _) = open_ws(&b, &csm1).await;
    patch_org(&b, &client, &admin, &fashop, "x").await;

    // The change went through B; the client connected to A hears about it.
    let event = next_event(&mut on_a, "csm1 on process A").await;
    assert_org_updated(&event, &fashop);
    let same = next_event(&mut on_b, "csm1 on process B").await;
    assert_eq!(same, event, "both processes deliver the same event");

    // The notifications carry no event data, only the newest sequence number made visible.
    let payloads = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + EVENT_WAIT;
        let mut heard = Vec::new();
        loop {
            while let Some(n) = listener.notifications_iter().next() {
                heard.push(n.expect("notification").payload);
            }
            if !heard.is_empty() {
                return heard;
            }
            assert!(
                Instant::now() < deadline,
                "no NOTIFY on {CHANNEL} within {EVENT_WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .expect("listen task");
    let seqs: Vec<i64> = payloads
        .iter()
        .map(|p| {
            p.parse()
                .unwrap_or_else(|_| panic!("NOTIFY payload is a sequence number, got {p:?}"))
        })
        .collect();
    assert!(
        seqs.iter()
            .any(|&s| s >= event["seq"].as_i64().expect("seq")),
        "a NOTIFY names the newest seq of the change ({seqs:?} vs {event})"
    );

    // And the other way round: a change through A reaches the client on B.
    patch_org(&a, &client, &admin, &fashop, "y").await;
    let event = next_event(&mut on_b, "csm1 on process B").await;
    assert_org_updated(&event, &fashop);
    drop(children);
}

#[tokio::test]
async fn a_user_hears_when_their_own_account_changes() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let agent_id = app.user_id(&admin, "agent1@magicstore.test").await;
    let before = app.get_ok("/events", &agent).await["last_seq"]
        .as_i64()
        .expect("seq");
    let res = app
        .patch_json(
            &format!("/users/{agent_id}"),
            Some(&admin),
            &json!({"skills": ["billing"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .patch_json("/me", Some(&agent), &json!({"availability": "away"}))
        .await;
    assert_eq!(res.status(), 200);
    let events = app.get_ok(&format!("/events?after={before}"), &agent).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["user.updated", "user.updated"]);
    assert_eq!(events["items"][0]["payload"]["user_id"], agent_id.as_str());
}

// --- A session's end closes its sockets ---------------------------------------------------

/// How the member's session ends in [`a_sessions_end_closes_its_socket`].
#[derive(Debug, Clone, Copy)]
enum End {
    Logout,
    PasswordChangedElsewhere,
    Deactivated,
}

/// Reads until the server closes the socket and returns the close code and reason with the
/// events that came first; fails if the socket stays open for `wait`.
async fn until_closed(ws: &mut Ws, wait: Duration) -> (u16, String, Vec<Value>) {
    let deadline = Instant::now() + wait;
    let mut events = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => panic!("the socket is still open after {wait:?}; it delivered {events:?}"),
            Ok(None) => panic!("the stream ended without a close frame; events: {events:?}"),
            Ok(Some(Err(e))) => panic!("WebSocket error before a close frame: {e}"),
            Ok(Some(Ok(Message::Close(frame)))) => {
                let frame = frame.expect("a close frame with a code");
                return (u16::from(frame.code), frame.reason.to_string(), events);
            }
            Ok(Some(Ok(Message::Text(text)))) => {
                let frame: Value = serde_json::from_str(text.as_str()).expect("JSON");
                events.push(frame["event"].clone());
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The next `ticket.message` event on the socket (others, such as `ticket.changed`, skipped).
async fn next_message(ws: &mut Ws, who: &str) -> Value {
    loop {
        let event = next_event(ws, who).await;
        if event["kind"] == "ticket.message" {
            return event;
        }
    }
}

async fn reply(app: &TestApp, agent: &str, ticket: &str, body: &str) {
    let res = app
        .post_json(
            &format!("/tickets/{ticket}/messages"),
            Some(agent),
            &json!({"kind": "reply", "body": body}),
        )
        .await;
    assert_eq!(res.status(), 201, "reply {body:?}");
}

/// A client's socket hears the agent's reply; then the client's session ends one way or
/// another, and the socket is closed with 4401 ("session ended") at once, without the next
/// reply. The session cache is set to a minute, so only the process telling its sockets (not
/// the periodic check) can close it in time.
async fn a_sessions_end_closes_its_socket(end: End) {
    let app = common::spawn_app_with(|c| c.session_cache_ms = 60_000).await;
    app.load_demo().await;
    let agent = app.token("agent1@magicstore.test").await; // Technical support
    let member = app.login("member@fashop.test").await;
    let res = app
        .post_json(
            "/tickets",
            Some(&member.access_token),
            &json!({"subject": "Checkout fails", "body": "Error 500", "cluster": "technical_problem"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let ticket: Value = res.json().await.expect("ticket");
    let ticket = ticket["id"].as_str().expect("id").to_string();
    let (mut ws, _) = open_ws(&app.address, &member.access_token).await;
    reply(&app, &agent, &ticket, "Before the end").await;
    let heard = next_message(&mut ws, "the member").await;
    assert_eq!(heard["payload"]["body"], "Before the end", "{heard}");
    // Whatever else the first reply raised arrives before the end.
    while next_frame(&mut ws, QUIET_WAIT).await.is_some() {}

    let mut survivor = None;
    let res = match end {
        End::Logout => {
            app.post_json(
                "/auth/logout",
                Some(&member.access_token),
                &json!({"refresh_token": member.refresh_token}),
            )
            .await
        }
        End::PasswordChangedElsewhere => {
            let other = app.login("member@fashop.test").await;
            survivor = Some(open_ws(&app.address, &other.access_token).await.0);
            app.post_json(
                "/auth/password",
                Some(&other.access_token),
                &json!({"current_password": PASSWORD, "new_password": "a new long passphrase"}),
            )
            .await
        }
        End::Deactivated => {
            let admin = app.token("admin@magicstore.test").await;
            let id = app.user_id(&admin, "member@fashop.test").await;
            app.patch_json(
                &format!("/users/{id}"),
                Some(&admin),
                &json!({"active": false}),
            )
            .await
        }
    };
    assert!(res.status().is_success(), "{end:?}: {}", res.status());
    let ended_at = Instant::now();
    reply(&app, &agent, &ticket, "After the end").await;

    let (code, reason, events) = until_closed(&mut ws, Duration::from_secs(3)).await;
    assert_eq!((code, reason.as_str()), (4401, "session ended"), "{end:?}");
    assert!(
        ended_at.elapsed() < Duration::from_secs(3),
        "{end:?}: closed {:?} after the end",
        ended_at.elapsed()
    );
    // Nothing raised after the end got through (deactivation itself tells the user's
    // streams that the account changed, in the same transaction that ends the session).
    let after: Vec<&Value> = events
        .iter()
        .filter(|e| !(matches!(end, End::Deactivated) && e["kind"] == "user.updated"))
        .collect();
    assert!(
        after.is_empty(),
        "{end:?}: delivered after the end: {after:?}"
    );

    // The session that changed the password keeps its socket, and hears the reply.
    if let Some(mut ws) = survivor {
        let heard = next_message(&mut ws, "the other session").await;
        assert_eq!(heard["payload"]["body"], "After the end", "{heard}");
    }
}

#[tokio::test]
async fn logging_out_closes_the_sessions_socket() {
    a_sessions_end_closes_its_socket(End::Logout).await;
}

#[tokio::test]
async fn a_password_change_elsewhere_closes_the_sessions_socket() {
    a_sessions_end_closes_its_socket(End::PasswordChangedElsewhere).await;
}

#[tokio::test]
async fn deactivating_the_user_closes_their_socket() {
    a_sessions_end_closes_its_socket(End::Deactivated).await;
}

/// An idle socket (no event to check its session on) is told as soon as this process ends
/// its session, not when the periodic check, here a minute away, comes round.
#[tokio::test]
async fn an_idle_socket_closes_as_soon_as_this_process_ends_its_session() {
    let app = common::spawn_app_with(|c| c.session_cache_ms = 60_000).await;
    app.load_demo().await;
    let login = app.login("csm1@magicstore.test").await;
    let (mut ws, _) = open_ws(&app.address, &login.access_token).await;
    let res = app
        .post_json(
            "/auth/logout",
            Some(&login.access_token),
            &json!({"refresh_token": login.refresh_token}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let (code, reason, events) = until_closed(&mut ws, Duration::from_secs(2)).await;
    assert_eq!((code, reason.as_str()), (4401, "session ended"));
    assert!(events.is_empty(), "{events:?}");
}

/// A session ended where this process cannot see it (another `tandem` on the database,
/// simulated by writing to the database directly): the socket's periodic check closes it
/// within `session_cache_ms`.
#[tokio::test]
async fn a_session_ended_by_another_process_closes_the_socket_in_time() {
    let app = common::spawn_app_with(|c| c.session_cache_ms = 300).await;
    app.load_demo().await;
    let login = app.login("csm1@magicstore.test").await;
    let (mut ws, _) = open_ws(&app.address, &login.access_token).await;
    // The socket is not closed while the session lives.
    assert_quiet(&mut ws, "csm1").await;
    let user_id = login.user.id.clone();
    let revoked = app
        .state
        .db
        .run(move |conn| {
            use api::db::schema::sessions as s;
            use diesel::prelude::*;
            Ok(diesel::update(s::table.filter(s::user_id.eq(&user_id)))
                .set(s::revoked_at.eq(api::db::now()))
                .execute(conn)?)
        })
        .await
        .expect("revoke behind the process's back");
    assert_eq!(revoked, 1);
    let ended_at = Instant::now();
    let (code, _, _) = until_closed(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(code, 4401);
    assert!(
        ended_at.elapsed() < Duration::from_millis(1500),
        "closed {:?} after the end",
        ended_at.elapsed()
    );
}
