//! Customer satisfaction on resolution: the
//! requester is asked once by e-mail — one click on a score records it — and in the portal;
//! the rating can gain a comment or change while the ticket stays resolved, waits while it is
//! reopened, is refused from staff and invisible to other organisations, and bad input is named.

mod common;

use diesel::prelude::*;
use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app};

async fn demo() -> TestApp {
    let app = spawn_app().await;
    app.load_demo().await;
    app
}

/// The rating e-mails queued so far, as (to, text).
async fn rating_mails(app: &TestApp) -> Vec<(String, String)> {
    app.state
        .db
        .run(|conn| {
            use api::db::schema::jobs as j;
            let payloads: Vec<String> = j::table
                .filter(j::kind.eq("send_mail"))
                .order(j::created_at.asc())
                .select(j::payload)
                .load(conn)?;
            Ok(payloads
                .into_iter()
                .map(|p| serde_json::from_str::<Value>(&p).expect("payload"))
                .filter(|v| {
                    v["subject"]
                        .as_str()
                        .is_some_and(|s| s.contains("How did we do?"))
                })
                .map(|v| {
                    (
                        v["to"].as_str().unwrap_or_default().to_string(),
                        v["text"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect())
        })
        .await
        .expect("jobs")
}

/// The secret of the one-click link for `score` in a rating e-mail.
fn token_in(text: &str, score: u8) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{score} - ")))
        .unwrap_or_else(|| panic!("no link for {score} in {text}"));
    let after = line.split("/rate/").nth(1).expect("a /rate/ link");
    let (token, query) = after.split_once('?').expect("a score in the link");
    assert_eq!(query, format!("score={score}"));
    token.trim().to_string()
}

async fn set_status(app: &TestApp, token: &str, id: &str, status: &str) {
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(token),
            &json!({"status": status}),
        )
        .await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

async fn rate(app: &TestApp, token: Option<&str>, id: &str, body: Value) -> reqwest::Response {
    app.request(
        reqwest::Method::PUT,
        &format!("/tickets/{id}/rating"),
        token,
    )
    .json(&body)
    .send()
    .await
    .expect("PUT")
}

#[tokio::test]
async fn resolving_asks_once_and_one_click_in_the_mail_records_the_score() {
    let app = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let admin = app.token("admin@magicstore.test").await;
    let res = app
        .post_json(
            "/tickets",
            Some(&member),
            &json!({"subject": "Product feed is empty", "body": "The feed has no items since Monday.",
                    "cluster": "technical_problem"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let t: Value = res.json().await.expect("json");
    let id = t["id"].as_str().expect("id").to_string();
    assert!(t["rating"].is_null(), "not asked before resolution: {t}");

    // Not yet resolved: nothing to rate.
    let res = rate(&app, Some(&member), &id, json!({"score": 5})).await;
    assert_problem(res, 409, "conflict").await;

    set_status(&app, &agent, &id, "resolved").await;
    let seen = app.get_ok(&format!("/tickets/{id}"), &member).await;
    assert!(seen["rating"]["requested_at"].is_string(), "{seen}");
    assert!(seen["rating"]["score"].is_null());
    let mails = rating_mails(&app).await;
    assert_eq!(mails.len(), 1, "one request: {mails:?}");
    assert_eq!(mails[0].0, "member@fashop.test");
    let token = token_in(&mails[0].1, 4);
    assert_eq!(token, token_in(&mails[0].1, 1), "one secret, five scores");

    // The page behind the link: no sign-in.
    let res = app
        .post_json("/ratings/lookup", None, &json!({"token": token}))
        .await;
    assert_eq!(res.status(), 200);
    let invite: Value = res.json().await.expect("json");
    assert_eq!(invite["ticket_number"], t["number"]);
    assert_eq!(invite["organization_name"], "FaShop Srl");
    assert_eq!(invite["can_rate"], true);
    assert!(invite["rating"]["score"].is_null());

    // One click, then a comment on the same page.
    let res = app
        .post_json("/ratings", None, &json!({"token": token, "score": 4}))
        .await;
    assert_eq!(res.status(), 200);
    let invite: Value = res.json().await.expect("json");
    assert_eq!(invite["rating"]["score"], 4);
    assert_eq!(invite["rating"]["channel"], "email");
    assert_eq!(invite["rating"]["rated_by_name"], t["requester_name"]);
    let res = app
        .post_json(
            "/ratings",
            None,
            &json!({"token": token, "score": 4, "comment": "  Quick and clear  "}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let seen = app.get_ok(&format!("/tickets/{id}"), &member).await;
    assert_eq!(seen["rating"]["score"], 4);
    assert_eq!(seen["rating"]["comment"], "Quick and clear");
    let staff_view = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(staff_view["rating"]["score"], 4);

    // The history says so, and the assignee is told.
    let history = app.get_ok(&format!("/tickets/{id}/history"), &admin).await;
    let rated: Vec<&Value> = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["kind"] == "rated")
        .collect();
    assert_eq!(rated.len(), 2, "{history}");
    assert!(
        rated[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("4/5")),
        "{history}"
    );
    if let Some(assignee) = seen["assignee_id"].as_str() {
        let email: String = app
            .state
            .db
            .run({
                let assignee = assignee.to_string();
                move |conn| {
                    use api::db::schema::users as u;
                    Ok(u::table.find(assignee).select(u::email).first(conn)?)
                }
            })
            .await
            .expect("assignee");
        let inbox = app.get_ok("/notifications", &app.token(&email).await).await;
        assert!(
            inbox["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|n| n["title"]
                    .as_str()
                    .is_some_and(|s| s.contains(&format!("rated ticket #{}", t["number"])))),
            "{inbox}"
        );
    }

    // Reopened by a client reply: the rating waits; resolving again asks nobody twice.
    let res = app
        .post_json(
            &format!("/tickets/{id}/messages"),
            Some(&member),
            &json!({"body": "It is empty again."}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_json("/ratings", None, &json!({"token": token, "score": 2}))
        .await;
    assert_problem(res, 409, "conflict").await;
    set_status(&app, &agent, &id, "resolved").await;
    assert_eq!(rating_mails(&app).await.len(), 1, "asked once per ticket");

    // From the portal, the rating can change while the ticket stays resolved.
    let res = rate(&app, Some(&member), &id, json!({"score": 5})).await;
    assert_eq!(res.status(), 200);
    let seen: Value = res.json().await.expect("json");
    assert_eq!(seen["rating"]["score"], 5);
    assert_eq!(seen["rating"]["channel"], "portal");
    assert!(seen["rating"]["comment"].is_null(), "a new rating: {seen}");
}

#[tokio::test]
async fn ratings_come_from_the_client_with_a_valid_score_and_stay_in_the_organisation() {
    let app = demo().await;
    let member = app.token("member@fashop.test").await;
    let fashop_admin = app.token("admin@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let res = app
        .post_json(
            "/tickets",
            Some(&member),
            &json!({"subject": "How do I export orders?", "body": "Looking for a CSV export.",
                    "cluster": "usage_help"}),
        )
        .await;
    let t: Value = res.json().await.expect("json");
    let id = t["id"].as_str().expect("id").to_string();
    set_status(&app, &agent, &id, "resolved").await;

    for (body, field) in [
        (json!({"score": 0}), "score"),
        (json!({"score": 6}), "score"),
        (json!({"score": 3, "comment": "x".repeat(2001)}), "comment"),
    ] {
        let res = rate(&app, Some(&member), &id, body).await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let res = rate(&app, Some(&member), &id, json!({"score": 3, "stars": 3})).await;
    assert_problem(res, 422, "invalid_body").await;
    let seen = app.get_ok(&format!("/tickets/{id}"), &member).await;
    assert!(seen["rating"]["score"].is_null(), "nothing half-written");

    // Staff do not rate; other organisations do not even see the ticket.
    let res = rate(&app, Some(&agent), &id, json!({"score": 5})).await;
    assert_problem(res, 403, "forbidden").await;
    let bianchi = app.token("admin@bianchi.test").await;
    let res = rate(&app, Some(&bianchi), &id, json!({"score": 1})).await;
    assert_problem(res, 404, "not_found").await;
    let res = rate(&app, None, &id, json!({"score": 1})).await;
    assert_eq!(res.status(), 401);

    // The organisation's client admin may rate its tickets.
    let res = rate(
        &app,
        Some(&fashop_admin),
        &id,
        json!({"score": 2, "comment": "Slow"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let seen: Value = res.json().await.expect("json");
    assert_eq!(seen["rating"]["score"], 2);
    assert!(seen["version"].as_i64() > t["version"].as_i64());

    // A made-up link finds nothing.
    let res = app
        .post_json("/ratings/lookup", None, &json!({"token": "csat_made_up"}))
        .await;
    assert_problem(res, 404, "not_found").await;
}
