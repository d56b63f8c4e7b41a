//! The CSM chat: messages stored and paged newest page first, read markers and
//! unread counts, live delivery over the WebSocket to the other side and to the author's other
//! tabs, a notification only for participants who are not online, read-only once coverage has
//! ended, and who may do what.

mod common;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use common::{TestApp, assert_problem, spawn_app};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const EVENT_WAIT: Duration = Duration::from_secs(10);
const QUIET_WAIT: Duration = Duration::from_millis(500);

/// Opens the WebSocket as the token's user and reads past the hello.
async fn open_ws(app: &TestApp, token: &str) -> Ws {
    let url = format!(
        "{}/api/v1/ws?access_token={}",
        app.address.replacen("http://", "ws://", 1),
        common::urlencode(token)
    );
    let (mut ws, _) = tokio::time::timeout(EVENT_WAIT, connect_async(url))
        .await
        .expect("WebSocket connect in time")
        .expect("WebSocket upgrade");
    let hello = next_frame(&mut ws, EVENT_WAIT).await.expect("hello");
    assert_eq!(hello["type"], "hello", "{hello}");
    ws
}

/// The next JSON text frame, or `None` when nothing came within `wait`.
async fn next_frame(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(text.as_str()).expect("JSON frame"));
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            other => panic!("the WebSocket ended or broke: {other:?}"),
        }
    }
}

/// The next event's kind and payload.
async fn next_event(ws: &mut Ws, who: &str) -> (String, Value) {
    let frame = next_frame(ws, EVENT_WAIT)
        .await
        .unwrap_or_else(|| panic!("{who} got no event within {EVENT_WAIT:?}"));
    assert_eq!(frame["type"], "event", "{who}: {frame}");
    let kind = frame["event"]["kind"].as_str().expect("kind").to_string();
    (kind, frame["event"]["payload"].clone())
}

async fn assert_quiet(ws: &mut Ws, who: &str) {
    if let Some(frame) = next_frame(ws, QUIET_WAIT).await {
        panic!("{who} must not hear about this, but got {frame}");
    }
}

/// The one project of the organisation with this name.
async fn project_of(app: &TestApp, admin: &str, org_name: &str) -> String {
    let org = app.org_id(admin, org_name).await;
    let page = app
        .get_ok(&format!("/projects?organization_id={org}"), admin)
        .await;
    page["items"][0]["id"]
        .as_str()
        .expect("the demo organisation has a project")
        .to_string()
}

async fn send(app: &TestApp, token: &str, project: &str, body: &str) -> Value {
    let res = app
        .post_json(
            &format!("/projects/{project}/chat/messages"),
            Some(token),
            &json!({ "body": body }),
        )
        .await;
    assert_eq!(res.status(), 201, "send {body:?}");
    res.json().await.expect("json")
}

fn bodies(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect()
}

async fn mark_read(app: &TestApp, token: &str, project: &str, id: &Value) -> Value {
    let res = app
        .post_json(
            &format!("/projects/{project}/chat/read"),
            Some(token),
            &json!({ "last_read_id": id }),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn messages_page_backwards_from_the_newest_and_read_markers_count_what_is_left() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let member = app.token("member@fashop.test").await;
    let project = project_of(&app, &admin, "FaShop Srl").await;
    let path = format!("/projects/{project}/chat/messages");

    let empty = app.get_ok(&path, &member).await;
    assert_eq!(
        empty,
        json!({"items": [], "next_cursor": null, "last_read_id": null, "unread_count": 0})
    );

    let first = send(&app, &client, &project, "  Hello Carla  ").await;
    assert_eq!(first["body"], "Hello Carla", "trimmed");
    assert_eq!(first["project_id"], project.as_str());
    assert_eq!(first["author_side"], "client");
    let me = app.get_ok("/me", &client).await;
    assert_eq!(first["author_id"], me["id"]);
    assert_eq!(first["author_name"], me["name"]);
    let reply = send(&app, &csm, &project, "Hello! Feed looks good.").await;
    assert_eq!(reply["author_side"], "csm");
    for i in 3..=5 {
        send(&app, &client, &project, &format!("Message {i}")).await;
    }

    // Newest page first, each page oldest first; the cursor walks back in time.
    let page1 = app.get_ok(&format!("{path}?limit=2"), &member).await;
    assert_eq!(bodies(&page1), ["Message 4", "Message 5"]);
    let cursor = page1["next_cursor"].as_str().expect("older page");
    let page2 = app
        .get_ok(&format!("{path}?limit=2&cursor={cursor}"), &member)
        .await;
    assert_eq!(bodies(&page2), ["Hello! Feed looks good.", "Message 3"]);
    let cursor = page2["next_cursor"].as_str().expect("oldest page");
    let page3 = app
        .get_ok(&format!("{path}?limit=2&cursor={cursor}"), &member)
        .await;
    assert_eq!(bodies(&page3), ["Hello Carla"]);
    assert_eq!(page3["next_cursor"], Value::Null);
    let whole = app.get_ok(&path, &member).await;
    assert_eq!(
        bodies(&whole),
        [
            "Hello Carla",
            "Hello! Feed looks good.",
            "Message 3",
            "Message 4",
            "Message 5"
        ]
    );
    assert_eq!(whole["next_cursor"], Value::Null);

    // Unread: the member has read nothing; the CSM has four client messages unread; a
    // writer's own messages never count.
    assert_eq!(whole["unread_count"], 5);
    assert_eq!(app.get_ok(&path, &csm).await["unread_count"], 4);
    assert_eq!(app.get_ok(&path, &client).await["unread_count"], 1);
    let items = whole["items"].as_array().expect("items").clone();
    let read = mark_read(&app, &member, &project, &items[2]["id"]).await;
    assert_eq!(
        read,
        json!({"last_read_id": items[2]["id"], "unread_count": 2})
    );
    // The marker never moves back.
    let again = mark_read(&app, &member, &project, &items[0]["id"]).await;
    assert_eq!(again, read);
    let now = app.get_ok(&path, &member).await;
    assert_eq!(now["last_read_id"], items[2]["id"]);
    assert_eq!(now["unread_count"], 2);
    // The dashboard figure agrees.
    let seen = app.get_ok(&format!("/projects/{project}"), &member).await;
    assert_eq!(seen["unread_chat"], 2);
    let done = mark_read(&app, &csm, &project, &items[4]["id"]).await;
    assert_eq!(done["unread_count"], 0);
    // Everyone else's markers are their own.
    assert_eq!(
        app.get_ok(&path, &client).await["last_read_id"],
        Value::Null
    );

    // Only a message of this project's chat can be a marker.
    let bianchi = project_of(&app, &admin, "Bianchi Sport").await;
    let elsewhere = send(&app, &admin, &bianchi, "Other chat").await;
    let res = app
        .post_json(
            &format!("/projects/{project}/chat/read"),
            Some(&member),
            &json!({"last_read_id": elsewhere["id"]}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "last_read_id");
}

#[tokio::test]
async fn a_repeated_idempotency_key_sends_the_message_once() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let client = app.token("member@fashop.test").await;
    let project = project_of(&app, &admin, "FaShop Srl").await;
    let path = format!("/projects/{project}/chat/messages");
    let post = |body: &'static str| {
        app.request(reqwest::Method::POST, &path, Some(&client))
            .header("Idempotency-Key", "chat-1")
            .json(&json!({ "body": body }))
            .send()
    };
    let first = post("Only once").await.expect("send");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let again = post("Only once").await.expect("send");
    assert_eq!(again.status(), 201);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(again.json::<Value>().await.expect("json"), first);
    let other = post("Something else").await.expect("send");
    assert_problem(other, 409, "idempotency_key_reused").await;
    assert_eq!(bodies(&app.get_ok(&path, &client).await), ["Only once"]);
}

#[tokio::test]
async fn messages_arrive_live_and_only_participants_who_are_away_are_notified() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let member = app.token("member@fashop.test").await;
    let project = project_of(&app, &admin, "FaShop Srl").await;

    // csm1 has the project open; the client has two tabs; the member is away.
    let mut csm_ws = open_ws(&app, &csm).await;
    let mut tab1 = open_ws(&app, &client).await;
    let mut tab2 = open_ws(&app, &client).await;
    let mut outsider = open_ws(&app, &csm2).await;

    let sent = send(&app, &client, &project, "Is the feed OK?").await;
    for (ws, who) in [
        (&mut csm_ws, "csm1"),
        (&mut tab1, "client tab 1"),
        (&mut tab2, "client tab 2"),
    ] {
        let (kind, payload) = next_event(ws, who).await;
        assert_eq!(kind, "chat.message", "{who}");
        assert_eq!(payload, sent, "{who} gets the whole message");
    }
    // csm1 is online: the live message is all they get, no notification.
    assert_quiet(&mut csm_ws, "csm1").await;
    assert_quiet(&mut outsider, "csm2").await;
    let csm_notes = app.get_ok("/notifications", &csm).await;
    assert!(
        csm_notes["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|n| n["kind"] != "chat_message"),
        "{csm_notes}"
    );
    // The member is away: notified, with the start of the message and a link to the chat.
    let notes = app.get_ok("/notifications", &member).await;
    let note = &notes["items"][0];
    assert_eq!(note["kind"], "chat_message", "{notes}");
    assert_eq!(
        note["title"],
        format!(
            "New message from {}",
            sent["author_name"].as_str().expect("name")
        )
    );
    assert_eq!(note["body"], "Is the feed OK?");
    assert_eq!(note["project_id"], project.as_str());
    assert_eq!(note["link"], format!("/projects/{project}/chat"));
    // The author is never notified of their own message.
    let own = app.get_ok("/notifications", &client).await;
    assert!(
        own["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|n| n["kind"] != "chat_message"),
        "{own}"
    );

    // A long reply reaches the away member cut to 140 characters, and every tab live.
    let long = "word ".repeat(100);
    let reply = send(&app, &csm, &project, &long).await;
    for (ws, who) in [
        (&mut tab1, "client tab 1"),
        (&mut tab2, "client tab 2"),
        (&mut csm_ws, "csm1, own message"),
    ] {
        let (kind, payload) = next_event(ws, who).await;
        assert_eq!((kind.as_str(), &payload), ("chat.message", &reply), "{who}");
    }
    let notes = app.get_ok("/notifications", &member).await;
    let body = notes["items"][0]["body"].as_str().expect("body");
    assert_eq!(body.chars().count(), 140, "{body}");
    assert!(body.ends_with('…'));

    // Reading in one tab tells the user's other tabs, and nobody else.
    let read = mark_read(&app, &client, &project, &reply["id"]).await;
    assert_eq!(read["unread_count"], 0);
    for (ws, who) in [(&mut tab1, "client tab 1"), (&mut tab2, "client tab 2")] {
        let (kind, payload) = next_event(ws, who).await;
        assert_eq!(kind, "chat.read", "{who}");
        assert_eq!(
            payload,
            json!({"project_id": project, "last_read_id": reply["id"], "unread_count": 0})
        );
    }
    assert_quiet(&mut csm_ws, "csm1").await;
}

#[tokio::test]
async fn the_chat_closes_when_csm_coverage_ends_but_its_history_stays_readable() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let client = app.token("admin@bianchi.test").await;
    let project = project_of(&app, &admin, "Bianchi Sport").await;
    send(&app, &client, &project, "Before the end").await;

    // Bianchi is on the standard plan: 12 months from a contract start 13 months ago are over.
    let org = app.org_id(&admin, "Bianchi Sport").await;
    let start = chrono::Utc::now().date_naive() - chrono::Months::new(13);
    let res = app
        .patch_json(
            &format!("/organizations/{org}"),
            Some(&admin),
            &json!({"plan": "standard", "contract_start": start}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let seen = app.get_ok(&format!("/projects/{project}"), &client).await;
    assert_eq!(seen["coverage"]["active"], false, "{seen}");

    for token in [&client, &csm2, &admin] {
        let res = app
            .post_json(
                &format!("/projects/{project}/chat/messages"),
                Some(token),
                &json!({"body": "After the end"}),
            )
            .await;
        let problem = assert_problem(res, 409, "coverage_ended").await;
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("history stays readable")),
            "{problem}"
        );
    }
    let page = app
        .get_ok(&format!("/projects/{project}/chat/messages"), &csm2)
        .await;
    assert_eq!(bodies(&page), ["Before the end"]);

    // On the business plan coverage is for life: the chat opens again.
    let res = app
        .patch_json(
            &format!("/organizations/{org}"),
            Some(&admin),
            &json!({"plan": "business"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    send(&app, &client, &project, "Back again").await;
}

#[tokio::test]
async fn outsiders_get_404_observers_403_and_bad_bodies_422() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let fashop_user = app.token("admin@fashop.test").await;
    let csm1 = app.token("csm1@magicstore.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let bianchi = project_of(&app, &admin, "Bianchi Sport").await;
    let fashop = project_of(&app, &admin, "FaShop Srl").await;
    let message = send(&app, &admin, &bianchi, "Bianchi only").await;

    // Another client's chat does not exist for a FaShop user, nor for csm1 (not their client).
    for token in [&fashop_user, &csm1] {
        let res = app
            .get(&format!("/projects/{bianchi}/chat/messages"), Some(token))
            .await;
        assert_problem(res, 404, "not_found").await;
        let res = app
            .post_json(
                &format!("/projects/{bianchi}/chat/messages"),
                Some(token),
                &json!({"body": "Hello?"}),
            )
            .await;
        assert_problem(res, 404, "not_found").await;
        let res = app
            .post_json(
                &format!("/projects/{bianchi}/chat/read"),
                Some(token),
                &json!({"last_read_id": message["id"]}),
            )
            .await;
        assert_problem(res, 404, "not_found").await;
    }
    let missing = "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01";
    let res = app
        .get(&format!("/projects/{missing}/chat/messages"), Some(&admin))
        .await;
    assert_problem(res, 404, "not_found").await;

    // A support agent can read the chat but not write in it.
    let page = app
        .get_ok(&format!("/projects/{bianchi}/chat/messages"), &agent)
        .await;
    assert_eq!(bodies(&page), ["Bianchi only"]);
    let res = app
        .post_json(
            &format!("/projects/{bianchi}/chat/messages"),
            Some(&agent),
            &json!({"body": "Observer here"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;

    // Bodies: required after trimming, at most 4000 characters, no unknown fields.
    let path = format!("/projects/{fashop}/chat/messages");
    for (body, rule) in [
        (json!({"body": "  \n "}), "required"),
        (json!({"body": "x".repeat(4001)}), "too_long"),
    ] {
        let res = app.post_json(&path, Some(&fashop_user), &body).await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "body");
        assert_eq!(problem["errors"][0]["rule"], rule);
    }
    send(&app, &fashop_user, &fashop, &"é".repeat(4000)).await;
    let res = app
        .post_json(
            &path,
            Some(&fashop_user),
            &json!({"body": "x", "to": "all"}),
        )
        .await;
    let problem = assert_problem(res, 422, "invalid_body").await;
    assert_eq!(problem["errors"][0]["field"], "to");
    let res = app.post_json(&path, Some(&fashop_user), &json!({})).await;
    let problem = assert_problem(res, 422, "invalid_body").await;
    assert_eq!(problem["errors"][0]["field"], "body");
    let res = app
        .get(&format!("{path}?limit=0"), Some(&fashop_user))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get(&format!("{path}?cursor=not-a-cursor"), Some(&fashop_user))
        .await;
    assert_problem(res, 422, "validation_failed").await;
}
