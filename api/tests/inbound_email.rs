//! Inbound e-mail: a mail service posts received messages; new mail
//! from a client user opens a ticket (acknowledged by e-mail), a reply lands in its ticket by
//! reference or by the `[#number]` subject tag, agents' replies go back by e-mail, strangers
//! are answered and nothing is stored, and the secret is required.

mod common;

use diesel::prelude::*;
use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app_with};

const SECRET: &str = "inbound-test-secret";

async fn app() -> TestApp {
    let app = spawn_app_with(|c| c.inbound_email_secret = SECRET.into()).await;
    app.load_demo().await;
    app
}

async fn post(app: &TestApp, secret: Option<&str>, mail: Value) -> reqwest::Response {
    let mut req = app
        .request(reqwest::Method::POST, "/inbound/email", None)
        .json(&mail);
    if let Some(s) = secret {
        req = req.header("X-Tandem-Inbound-Secret", s);
    }
    req.send().await.expect("POST")
}

async fn receive(app: &TestApp, mail: Value) -> Value {
    let res = post(app, Some(SECRET), mail).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

/// Queued outgoing mail as (to, subject, text).
async fn outgoing(app: &TestApp) -> Vec<(String, String, String)> {
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
                .map(|p| {
                    let v: Value = serde_json::from_str(&p).expect("payload");
                    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                    (s("to"), s("subject"), s("text"))
                })
                .collect())
        })
        .await
        .expect("jobs")
}

#[tokio::test]
async fn mail_opens_a_ticket_replies_thread_back_and_strangers_are_answered() {
    let app = app().await;
    let created = receive(
        &app,
        json!({"from": "Filippo Ferri <Member@FaShop.test>", "subject": "Checkout error",
               "text": "Customers cannot pay.", "message_id": "<first@fashop.test>"}),
    )
    .await;
    assert_eq!(created["action"], "created", "{created}");
    let id = created["ticket_id"].as_str().expect("id").to_string();
    let number = created["number"].as_i64().expect("number");
    let agent = app.token("agent1@magicstore.test").await;
    let ticket = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["requester_email"], "member@fashop.test");
    let ack = outgoing(&app).await;
    assert!(
        ack.iter().any(|(to, subject, _)| to == "member@fashop.test"
            && subject.contains(&format!("[#{number}]"))),
        "{ack:?}"
    );

    // The agent answers: the requester gets it by e-mail, numbered for threading.
    let res = app
        .post_json(
            &format!("/tickets/{id}/messages"),
            Some(&agent),
            &json!({"body": "Which card brand?", "status": "pending_customer"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let mail = outgoing(&app).await;
    assert!(
        mail.iter()
            .any(|(to, subject, text)| to == "member@fashop.test"
                && subject == &format!("Re: [#{number}] Checkout error")
                && text == "Which card brand?"),
        "{mail:?}"
    );

    // The answer comes back by reference, then another by the subject tag alone.
    let replied = receive(&app, json!({"from": "member@fashop.test", "subject": "Re: Checkout error", "text": "Visa.", "in_reply_to": "<first@fashop.test>"})).await;
    assert_eq!(replied["action"], "replied", "{replied}");
    assert_eq!(replied["ticket_id"], json!(id));
    let tagged = receive(&app, json!({"from": "admin@fashop.test", "subject": format!("Re: [#{number}] Checkout error"), "text": "Also Mastercard."})).await;
    assert_eq!(tagged["action"], "replied", "{tagged}");
    let thread = app.get_ok(&format!("/tickets/{id}/messages"), &agent).await;
    let bodies: Vec<&str> = thread["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect();
    assert_eq!(
        bodies,
        [
            "Customers cannot pay.",
            "Which card brand?",
            "Visa.",
            "Also Mastercard."
        ]
    );
    assert_eq!(thread["items"][2]["channel"], "email");
    let ticket = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(
        ticket["status"], "open",
        "the client's answer reopens the wait"
    );

    // A client of another organisation quoting the number opens their own ticket instead.
    let other = receive(&app, json!({"from": "member@bianchi.test", "subject": format!("Re: [#{number}] Checkout error"), "text": "Me too"})).await;
    assert_eq!(other["action"], "created");
    assert_ne!(other["ticket_id"], json!(id));

    // Strangers are told how to reach support; robots are not answered; nothing is stored.
    let before = outgoing(&app).await.len();
    let stranger = receive(
        &app,
        json!({"from": "someone@elsewhere.test", "subject": "Hello", "text": "?"}),
    )
    .await;
    assert_eq!(stranger["action"], "rejected");
    let robot = receive(
        &app,
        json!({"from": "MAILER-DAEMON@elsewhere.test", "subject": "Undeliverable", "text": "x"}),
    )
    .await;
    assert_eq!(robot["action"], "rejected");
    let after = outgoing(&app).await;
    assert_eq!(after.len(), before + 1, "{after:?}");
    assert_eq!(
        after.last().map(|m| m.0.as_str()),
        Some("someone@elsewhere.test")
    );
    let admin = app.token("admin@magicstore.test").await;
    let all = app.get_ok("/tickets", &admin).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_secret_is_required() {
    let app = app().await;
    let mail = json!({"from": "member@fashop.test", "subject": "x", "text": "y"});
    assert_problem(post(&app, None, mail.clone()).await, 401, "unauthenticated").await;
    assert_problem(
        post(&app, Some("wrong"), mail.clone()).await,
        401,
        "unauthenticated",
    )
    .await;
    let bad = json!({"from": "member@fashop.test", "subject": "x"});
    assert_problem(post(&app, Some(SECRET), bad).await, 422, "invalid_body").await;
}
