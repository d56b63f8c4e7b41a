//! Notifications: the inbox, read markers, preferences, live events and
//! batched e-mail for users who are not online.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app, spawn_app_with};

/// FaShop's project and a training item the client ticks.
async fn fashop_training_items(app: &TestApp, client: &str) -> (String, Vec<String>) {
    let project = app.get_ok("/projects", client).await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let list = app
        .get_ok(&format!("/projects/{project}/activities"), client)
        .await;
    let items = list["categories"][1]["items"]
        .as_array()
        .expect("training items")
        .iter()
        .filter(|i| i["responsible"] == "client")
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect();
    (project, items)
}

async fn tick(app: &TestApp, token: &str, item: &str) {
    let res = app
        .post_json(
            &format!("/activities/{item}/transitions"),
            Some(token),
            &json!({"action": "complete"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "eml") {
                out.push(e.path());
            }
        }
    }
    out
}

/// Waits until no digest or mail job is queued or running (periodic sweeps aside).
async fn jobs_settle(app: &TestApp) {
    let admin = app.token("admin@magicstore.test").await;
    for _ in 0..200 {
        let jobs = app.get_ok("/admin/jobs", &admin).await;
        let busy = jobs["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|j| j["kind"] == "notification_digest" || j["kind"] == "send_mail")
            .any(|j| j["status"] == "queued" || j["status"] == "running");
        if !busy {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("jobs did not settle");
}

#[tokio::test]
async fn inbox_read_markers_and_preferences() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let (_, items) = fashop_training_items(&app, &client).await;
    for it in &items[..3] {
        tick(&app, &client, it).await;
    }
    let inbox = app.get_ok("/notifications?limit=2", &csm).await;
    assert_eq!(inbox["unread_count"], 3);
    assert_eq!(inbox["items"].as_array().expect("items").len(), 2);
    let newest = inbox["items"][0]["id"].as_str().expect("id").to_string();
    let cursor = inbox["next_cursor"].as_str().expect("more");
    let rest = app
        .get_ok(&format!("/notifications?limit=2&cursor={cursor}"), &csm)
        .await;
    assert_eq!(rest["items"].as_array().expect("items").len(), 1);
    assert!(rest["next_cursor"].is_null());
    assert!(
        rest["items"][0]["id"].as_str() < Some(newest.as_str()),
        "newest first"
    );

    let res = app
        .post_json(
            &format!("/notifications/{newest}/read"),
            Some(&csm),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let read: Value = res.json().await.expect("json");
    assert!(read["read_at"].is_string());
    let unread = app.get_ok("/notifications?unread_only=true", &csm).await;
    assert_eq!(unread["unread_count"], 2);
    assert_eq!(unread["items"].as_array().expect("items").len(), 2);
    // Someone else's notification does not exist for you.
    let res = app
        .post_json(
            &format!("/notifications/{newest}/read"),
            Some(&client),
            &json!({}),
        )
        .await;
    assert_problem(res, 404, "not_found").await;
    let res = app
        .post_json("/notifications/read-all", Some(&csm), &json!({}))
        .await;
    assert_eq!(res.json::<Value>().await.expect("json")["unread_count"], 0);

    // Preferences: every kind listed, default e-mail; `none` silences a kind.
    let prefs = app.get_ok("/me/notification-preferences", &csm).await;
    let all = prefs["preferences"].as_array().expect("prefs");
    assert_eq!(all.len(), 13);
    assert!(all.iter().all(|p| p["channel"] == "email"));
    let res = app
        .request(reqwest::Method::PUT, "/me/notification-preferences", Some(&csm))
        .json(&json!({"preferences": [{"kind": "item_ticked", "channel": "none"}, {"kind": "chat_message", "channel": "in_app"}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let prefs: Value = res.json().await.expect("json");
    let channel = |kind: &str| {
        prefs["preferences"]
            .as_array()
            .expect("p")
            .iter()
            .find(|p| p["kind"] == kind)
            .expect("kind")["channel"]
            .clone()
    };
    assert_eq!(channel("item_ticked"), "none");
    assert_eq!(channel("chat_message"), "in_app");
    assert_eq!(channel("board_post"), "email");
    tick(&app, &client, &items[3]).await;
    assert_eq!(app.get_ok("/notifications", &csm).await["unread_count"], 0);
    // Bad preferences change nothing.
    for bad in [
        json!({"preferences": [{"kind": "item_ticked", "channel": "pigeon"}]}),
        json!({"preferences": [{"kind": "gossip", "channel": "none"}]}),
    ] {
        let res = app
            .request(
                reqwest::Method::PUT,
                "/me/notification-preferences",
                Some(&csm),
            )
            .json(&bad)
            .send()
            .await
            .expect("put");
        assert_problem(res, 422, "invalid_body").await;
    }
    let res = app
        .request(reqwest::Method::PUT, "/me/notification-preferences", Some(&csm))
        .json(&json!({"preferences": [{"kind": "item_ticked", "channel": "email"}, {"kind": "item_ticked", "channel": "in_app"}]}))
        .send()
        .await
        .expect("put");
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "preferences[1].kind");
    assert_eq!(
        app.get_ok("/me/notification-preferences", &csm).await["preferences"][0]["channel"],
        "none"
    );
}

#[tokio::test]
async fn notifications_arrive_as_live_events() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let after = app.get_ok("/events", &csm).await["last_seq"]
        .as_i64()
        .expect("seq");
    let (project, items) = fashop_training_items(&app, &client).await;
    tick(&app, &client, &items[0]).await;
    let events = app.get_ok(&format!("/events?after={after}"), &csm).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert!(kinds.contains(&"notification.created"), "{kinds:?}");
    assert!(kinds.contains(&"activity.changed"), "{kinds:?}");
    let changed = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["kind"] == "activity.changed")
        .expect("event");
    assert_eq!(changed["payload"]["project_id"], project);
    // Another client's users hear nothing of it.
    let other = app.token("admin@bianchi.test").await;
    let theirs = app.get_ok("/events", &other).await;
    assert!(
        theirs["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["payload"]["project_id"] != project)
    );
}

#[tokio::test]
async fn users_who_are_away_get_one_batched_email() {
    let app = spawn_app_with(|c| c.notification_batch_secs = 1).await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let (_, items) = fashop_training_items(&app, &client).await;
    let outbox = PathBuf::from(&app.state.config.mail_outbox_dir);
    // Three ticks inside the batch window: one message for csm1, who is not online.
    for it in &items[..3] {
        tick(&app, &client, it).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    jobs_settle(&app).await;
    let files = eml_files(&outbox).await;
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("eml");
    assert!(text.contains("To: csm1@magicstore.test"), "{text}");
    assert!(text.contains("3 new notifications"), "{text}");
    assert!(text.contains(&format!("{}/projects/", app.state.config.public_url)));
    let _ = csm;
}

#[tokio::test]
async fn users_who_are_online_or_have_read_get_no_email() {
    let app = spawn_app_with(|c| c.notification_batch_secs = 1).await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let (_, items) = fashop_training_items(&app, &client).await;
    let outbox = PathBuf::from(&app.state.config.mail_outbox_dir);

    // Online: an open WebSocket marks csm1 present; the digest sends nothing.
    let url = format!(
        "{}/api/v1/ws?access_token={csm}",
        app.address.replace("http://", "ws://")
    );
    let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    tokio::time::sleep(Duration::from_millis(200)).await;
    tick(&app, &client, &items[0]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    jobs_settle(&app).await;
    assert!(eml_files(&outbox).await.is_empty(), "online: no e-mail");
    drop(ws);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Away but already read in another way (say, on a phone): nothing to send either.
    tick(&app, &client, &items[1]).await;
    let res = app
        .post_json("/notifications/read-all", Some(&csm), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    jobs_settle(&app).await;
    assert!(eml_files(&outbox).await.is_empty(), "read: no e-mail");

    // In-app only: never e-mailed.
    let res = app
        .request(
            reqwest::Method::PUT,
            "/me/notification-preferences",
            Some(&csm),
        )
        .json(&json!({"preferences": [{"kind": "item_ticked", "channel": "in_app"}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    tick(&app, &client, &items[2]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    jobs_settle(&app).await;
    assert!(
        eml_files(&outbox).await.is_empty(),
        "in-app only: no e-mail"
    );
    assert_eq!(app.get_ok("/notifications", &csm).await["unread_count"], 1);

    // And back to e-mail, away: now it is sent.
    let res = app
        .request(
            reqwest::Method::PUT,
            "/me/notification-preferences",
            Some(&csm),
        )
        .json(&json!({"preferences": [{"kind": "item_ticked", "channel": "email"}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    tick(&app, &client, &items[3]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    jobs_settle(&app).await;
    assert_eq!(eml_files(&outbox).await.len(), 1);
}
