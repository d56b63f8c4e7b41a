//! The support desk's tickets: opening from the portal and by staff,
//! routing by cluster, priority explained, assignment by skill and availability with reasons,
//! SLA clocks that pause while waiting on the customer, the thread with notes clients never
//! see, status moves through the shared machine, queues and client visibility.

mod common;

use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app};

async fn demo() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    (app, admin)
}

async fn product(app: &TestApp, token: &str, name: &str) -> String {
    let list = app.get_ok("/products", token).await;
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["name"] == name))
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("no product {name}: {list}"))
        .to_string()
}

async fn open(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_json("/tickets", Some(token), &body).await;
    let status = res.status();
    let json: Value = res.json().await.expect("json");
    assert_eq!(status, 201, "{json}");
    json
}

async fn history(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let h = app.get_ok(&format!("/tickets/{id}/history"), token).await;
    h.as_array()
        .expect("history")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().expect("kind").to_string(),
                e["detail"].as_str().expect("detail").to_string(),
            )
        })
        .collect()
}

async fn set_availability(app: &TestApp, email: &str, availability: &str) {
    let token = app.token(email).await;
    let res = app
        .patch_json("/me", Some(&token), &json!({"availability": availability}))
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_portal_ticket_is_routed_prioritised_timed_and_assigned_with_reasons() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let checkout = product(&app, &member, "Checkout and payments").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Card payments fail", "body": "Every card payment ends on an error page.",
               "cluster": "product_not_working", "product_id": checkout}),
    )
    .await;
    assert_eq!(t["channel"], "portal");
    assert_eq!(t["status"], "new");
    assert_eq!(t["requester_email"], "member@fashop.test");
    assert_eq!(t["organization_name"], "FaShop Srl");
    assert_eq!(t["department_name"], "Technical support");
    assert_eq!(t["product_name"], "Checkout and payments");
    // A critical product that is not working, for a business-plan client.
    assert!(
        matches!(t["priority"].as_str(), Some("urgent" | "high")),
        "{t}"
    );
    let reason = t["priority_reason"].as_str().expect("reason");
    assert!(
        reason.contains("critical") && reason.contains("business"),
        "{reason}"
    );
    // The agent with the payments skill, online, got it.
    assert_eq!(t["assignee_name"], "Giulia Galli", "{t}");
    // Clients do not see SLA clocks; staff do.
    assert!(t["sla"].is_null());
    let id = t["id"].as_str().expect("id");
    let agent = app.token("agent1@magicstore.test").await;
    let seen = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    let first = &seen["sla"]["first_response"];
    assert_eq!(first["state"], "running", "{seen}");
    let created = chrono::DateTime::parse_from_rfc3339(seen["created_at"].as_str().expect("at"))
        .expect("created");
    let due =
        chrono::DateTime::parse_from_rfc3339(first["due_at"].as_str().expect("due")).expect("due");
    assert_eq!(
        (due - created).num_hours(),
        24,
        "default policy: 24 h around the clock"
    );

    let kinds: Vec<String> = history(&app, &admin, id)
        .await
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(
        kinds,
        ["created", "routed", "prioritized", "sla", "assigned"]
    );
    let h = history(&app, &admin, id).await;
    assert!(
        h[4].1.contains("Giulia Galli") && h[4].1.contains("payments"),
        "{:?}",
        h[4]
    );

    // The agent was told.
    let inbox = app.get_ok("/notifications", &agent).await;
    assert!(
        inbox["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|n| n["kind"] == "ticket_updated"
                && n["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("assigned to you"))),
        "{inbox}"
    );
    // Ticket numbers count up.
    let second = open(
        &app,
        &member,
        json!({"subject": "Refund", "body": "Please refund order 12.", "cluster": "return_refund"}),
    )
    .await;
    assert_eq!(
        second["number"].as_i64(),
        t["number"].as_i64().map(|n| n + 1)
    );
    assert_eq!(second["department_name"], "Billing and accounts");
    assert_eq!(second["assignee_name"], "Luca Lombardi");
}

#[tokio::test]
async fn with_nobody_online_the_ticket_waits_unassigned_and_says_why() {
    let (app, admin) = demo().await;
    set_availability(&app, "agent1@magicstore.test", "away").await;
    let member = app.token("member@fashop.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "How do I export orders?", "body": "Where is the export?", "cluster": "usage_help"}),
    )
    .await;
    assert!(t["assignee_id"].is_null(), "{t}");
    let h = history(&app, &admin, t["id"].as_str().expect("id")).await;
    let waiting = h
        .iter()
        .find(|e| e.0 == "unassigned")
        .expect("a waiting entry");
    assert!(waiting.1.starts_with("Waiting for an agent"), "{waiting:?}");
    let queue = app.get_ok("/tickets?queue=unassigned", &admin).await;
    assert_eq!(queue["items"][0]["id"], t["id"]);
}

#[tokio::test]
async fn staff_open_tickets_for_a_client_user_and_bad_input_is_named() {
    let (app, admin) = demo().await;
    let agent = app.token("agent1@magicstore.test").await;
    let member_id = app.user_id(&admin, "member@bianchi.test").await;
    let body = json!({"subject": "Called about invoices", "body": "Phone call: invoice copy.", "cluster": "billing"});
    let problem = assert_problem(
        app.post_json("/tickets", Some(&agent), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "requester_id", "{problem}");
    let mut call = body.clone();
    call["requester_id"] = json!(member_id);
    call["channel"] = json!("phone");
    call["tags"] = json!([" Invoices ", "invoices"]);
    let t = open(&app, &agent, call).await;
    assert_eq!(t["channel"], "phone");
    assert_eq!(t["requester_name"], "Beatrice Bassi");
    assert_eq!(t["tags"], json!(["invoices"]));
    // A CSM cannot open tickets for clients they do not look after.
    let csm1 = app.token("csm1@magicstore.test").await;
    let mut other = body.clone();
    other["requester_id"] = json!(member_id);
    let problem = assert_problem(
        app.post_json("/tickets", Some(&csm1), &other).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "requester_id");
    // Unknown products and blank subjects are named; nothing is stored.
    let member = app.token("member@fashop.test").await;
    let bad = json!({"subject": " ", "body": "x", "cluster": "usage_help"});
    let problem = assert_problem(
        app.post_json("/tickets", Some(&member), &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "subject");
    let bad = json!({"subject": "s", "body": "x", "cluster": "usage_help", "product_id": "01a20000-0000-7000-8000-000000000000"});
    let problem = assert_problem(
        app.post_json("/tickets", Some(&member), &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "product_id");
    let bad = json!({"subject": "s", "body": "x", "cluster": "weather"});
    assert_problem(
        app.post_json("/tickets", Some(&member), &bad).await,
        422,
        "invalid_body",
    )
    .await;
    let mine = app.get_ok("/tickets", &member).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0), "{mine}");
}

#[tokio::test]
async fn the_thread_keeps_notes_from_clients_and_messages_move_the_status() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Feed import stuck", "body": "The feed has not updated since Monday.", "cluster": "technical_problem"}),
    )
    .await;
    let id = t["id"].as_str().expect("id").to_string();
    let post = |token: &str, body: Value| {
        let (app, id, token) = (&app, id.clone(), token.to_string());
        async move {
            app.post_json(&format!("/tickets/{id}/messages"), Some(&token), &body)
                .await
        }
    };
    let res = post(
        &agent,
        json!({"kind": "note", "body": "Probably the nightly job."}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let res = post(
        &agent,
        json!({"body": "We are on it; can you send the feed URL?", "status": "pending_customer"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let seen = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(seen["status"], "pending_customer");
    assert_eq!(seen["sla"]["first_response"]["state"], "met", "{seen}");
    assert_eq!(seen["sla"]["paused"], true);
    // The client sees two replies (theirs and the agent's), never the note.
    let thread = app
        .get_ok(&format!("/tickets/{id}/messages"), &member)
        .await;
    let bodies: Vec<&str> = thread["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect();
    assert_eq!(
        bodies,
        [
            "The feed has not updated since Monday.",
            "We are on it; can you send the feed URL?"
        ]
    );
    let staff_thread = app.get_ok(&format!("/tickets/{id}/messages"), &agent).await;
    assert_eq!(staff_thread["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(staff_thread["items"][1]["kind"], "note");
    // Clients cannot write notes; their reply reopens the ticket.
    let res = post(&member, json!({"kind": "note", "body": "sneaky"})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = post(&member, json!({"body": "https://fashop.test/feed.xml"})).await;
    assert_eq!(res.status(), 201);
    let seen = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(seen["status"], "open");
    assert_eq!(seen["sla"]["paused"], false);
    // Resolve, then the client closes it; a closed ticket takes no more messages.
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&agent),
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&member),
            &json!({"priority": "low"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&member),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = post(&member, json!({"body": "one more thing"})).await;
    assert_problem(res, 409, "transition_not_allowed").await;
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&agent),
            &json!({"status": "open"}),
        )
        .await;
    assert_problem(res, 409, "transition_not_allowed").await;
    let kinds: Vec<String> = history(&app, &admin, &id)
        .await
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert!(
        kinds.iter().filter(|k| *k == "status").count() >= 4,
        "{kinds:?}"
    );
    // The desk's history is for staff.
    assert_problem(
        app.get(&format!("/tickets/{id}/history"), Some(&member))
            .await,
        403,
        "forbidden",
    )
    .await;
    // Every move above kept each agent's count of open tickets exact.
    app.assert_open_ticket_counts().await;
}

#[tokio::test]
async fn waiting_on_the_customer_moves_the_deadline_by_the_pause() {
    let (app, _admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Storefront slow", "body": "Pages take 10 s.", "cluster": "technical_problem"}),
    )
    .await;
    let id = t["id"].as_str().expect("id");
    let before = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    let due_before = before["sla"]["first_response"]["due_at"]
        .as_str()
        .expect("due")
        .to_string();
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&agent),
            &json!({"status": "pending_customer"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let paused: Value = res.json().await.expect("json");
    assert_eq!(
        paused["sla"]["first_response"]["state"], "paused",
        "{paused}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&agent),
            &json!({"status": "open"}),
        )
        .await;
    let resumed: Value = res.json().await.expect("json");
    let due_after = resumed["sla"]["first_response"]["due_at"]
        .as_str()
        .expect("due");
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("time");
    let moved = parse(due_after) - parse(&due_before);
    assert!(moved.num_milliseconds() >= 1000, "moved by {moved:?}");
    assert_eq!(resumed["sla"]["first_response"]["state"], "running");
}

#[tokio::test]
async fn queues_and_client_visibility() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let fashop_admin = app.token("admin@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let mine = open(
        &app,
        &member,
        json!({"subject": "Mine", "body": "b", "cluster": "usage_help"}),
    )
    .await;
    let colleague = open(
        &app,
        &fashop_admin,
        json!({"subject": "Colleague", "body": "b", "cluster": "technical_problem"}),
    )
    .await;
    let bianchi = app.token("member@bianchi.test").await;
    let other = open(
        &app,
        &bianchi,
        json!({"subject": "Other client", "body": "b", "cluster": "technical_problem"}),
    )
    .await;

    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_string())
            .collect()
    };
    let id = |t: &Value| t["id"].as_str().expect("id").to_string();
    assert_eq!(ids(&app.get_ok("/tickets", &member).await), [id(&mine)]);
    assert_eq!(
        ids(&app.get_ok("/tickets", &fashop_admin).await),
        [id(&colleague), id(&mine)]
    );
    assert_problem(
        app.get(&format!("/tickets/{}", id(&colleague)), Some(&member))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("/tickets/{}", id(&other)), Some(&fashop_admin))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("/tickets/{}/messages", id(&other)), Some(&member))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/tickets?queue=mine", Some(&member)).await,
        422,
        "validation_failed",
    )
    .await;
    // csm1 looks after FaShop, not Bianchi.
    let csm1 = app.token("csm1@magicstore.test").await;
    assert_eq!(
        ids(&app.get_ok("/tickets", &csm1).await),
        [id(&colleague), id(&mine)]
    );

    // All three landed with the one online technical agent: priority first, then oldest.
    let queue = app.get_ok("/tickets?queue=mine&limit=2", &agent).await;
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(2));
    let next = queue["next_cursor"].as_str().expect("a second page");
    let rest = app
        .get_ok(
            &format!("/tickets?queue=mine&limit=2&cursor={next}"),
            &agent,
        )
        .await;
    let mut all = ids(&queue);
    all.extend(ids(&rest));
    all.sort();
    let mut expected = vec![id(&mine), id(&colleague), id(&other)];
    expected.sort();
    assert_eq!(all, expected);
    let dept = app.get_ok("/tickets?queue=department", &agent).await;
    assert_eq!(dept["items"].as_array().map(Vec::len), Some(3));
    let breaching = app.get_ok("/tickets?queue=breaching", &admin).await;
    assert_eq!(breaching["items"].as_array().map(Vec::len), Some(3));
    assert!(breaching["items"][0]["next_due_at"].is_string());
    let filtered = app.get_ok("/tickets?cluster=usage_help", &admin).await;
    assert_eq!(ids(&filtered), [id(&mine)]);
}

#[tokio::test]
async fn reassigning_and_rerouting_is_recorded_and_stale_writes_are_refused() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let t = open(&app, &member, json!({"subject": "Wrong place", "body": "Actually a billing question.", "cluster": "technical_problem"})).await;
    let id = t["id"].as_str().expect("id");
    let res = app
        .request(
            reqwest::Method::PATCH,
            &format!("/tickets/{id}"),
            Some(&admin),
        )
        .header("If-Match", "\"999\"")
        .json(&json!({"cluster": "billing"}))
        .send()
        .await
        .expect("PATCH");
    assert_problem(res, 412, "precondition_failed").await;
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&admin),
            &json!({"cluster": "billing"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.expect("json");
    assert_eq!(moved["department_name"], "Billing and accounts");
    assert_eq!(moved["assignee_name"], "Luca Lombardi", "{moved}");
    let agent1 = app.user_id(&admin, "agent1@magicstore.test").await;
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&admin),
            &json!({"assignee_id": agent1}),
        )
        .await;
    let back: Value = res.json().await.expect("json");
    assert_eq!(back["assignee_name"], "Giulia Galli");
    let h = history(&app, &admin, id).await;
    assert!(
        h.iter()
            .any(|e| e.0 == "assigned" && e.1.contains("chosen by Alessandra Amato")),
        "{h:?}"
    );
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&admin),
            &json!({"assignee_id": null}),
        )
        .await;
    let queued: Value = res.json().await.expect("json");
    assert!(queued["assignee_id"].is_null());
    let member_id = app.user_id(&admin, "member@fashop.test").await;
    let res = app
        .patch_json(
            &format!("/tickets/{id}"),
            Some(&admin),
            &json!({"assignee_id": member_id}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "assignee_id");
    let sales = {
        let res = app.post_json("/users", Some(&admin), &json!({"email": "sales@magicstore.test", "name": "Sara Sala", "role": "sales", "password": common::PASSWORD})).await;
        assert_eq!(res.status(), 201);
        app.token("sales@magicstore.test").await
    };
    assert_eq!(
        app.get(&format!("/tickets/{id}"), Some(&sales))
            .await
            .status(),
        200
    );
    assert_problem(
        app.patch_json(
            &format!("/tickets/{id}"),
            Some(&sales),
            &json!({"priority": "low"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // Every move above kept each agent's count of open tickets exact.
    app.assert_open_ticket_counts().await;
}

/// Runs the desk's SLA sweep as if it were `hours` after now.
async fn sweep_at(app: &TestApp, hours: i64) -> usize {
    let config = app.state.config.clone();
    let at = api::db::now() + chrono::Duration::hours(hours);
    app.state
        .db
        .tx(move |conn| api::desk::sweep::sla(conn, &config, at))
        .await
        .expect("sweep")
}

#[tokio::test]
async fn the_sweep_warns_at_80_percent_then_escalates_the_breach_once() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Slow", "body": "b", "cluster": "technical_problem"}),
    )
    .await;
    let id = t["id"].as_str().expect("id");
    assert_eq!(sweep_at(&app, 1).await, 0, "nothing is due after an hour");
    assert_eq!(
        sweep_at(&app, 20).await,
        1,
        "20 h of 24 h is past the 80 % warning"
    );
    assert_eq!(sweep_at(&app, 21).await, 0, "the warning goes out once");
    let seen = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(
        seen["sla"]["first_response"]["state"], "running",
        "not yet warning in real time"
    );
    assert_eq!(sweep_at(&app, 25).await, 1);
    assert_eq!(sweep_at(&app, 26).await, 0, "a breach is escalated once");
    let seen = app.get_ok(&format!("/tickets/{id}"), &agent).await;
    assert_eq!(seen["sla"]["first_response"]["breached"], true, "{seen}");
    let h = history(&app, &admin, id).await;
    let sla: Vec<&String> = h.iter().filter(|e| e.0 == "sla").map(|e| &e.1).collect();
    assert!(sla.iter().any(|d| d.starts_with("Warning")), "{sla:?}");
    assert!(sla.iter().any(|d| d.contains("breached")), "{sla:?}");
    let inbox = app.get_ok("/notifications", &agent).await;
    let titles: Vec<&str> = inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == "sla_warning")
        .map(|n| n["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles
            .iter()
            .any(|t| t.ends_with("first response due in 3 h 59 min")),
        "the time left in words: {titles:?}"
    );
    // Breaching queue: a breached ticket whose first response is late still waits on resolution
    // (none set by the default policy), so it leaves the breaching queue.
    let breaching = app.get_ok("/tickets?queue=breaching", &agent).await;
    assert_eq!(
        breaching["items"].as_array().map(Vec::len),
        Some(0),
        "{breaching}"
    );
    // Every move above kept each agent's count of open tickets exact.
    assert!(app.assert_open_ticket_counts().await > 0);
}

#[tokio::test]
async fn waiting_tickets_go_to_an_agent_who_comes_online() {
    let (app, _admin) = demo().await;
    set_availability(&app, "agent1@magicstore.test", "offline").await;
    let member = app.token("member@fashop.test").await;
    let first = open(
        &app,
        &member,
        json!({"subject": "One", "body": "b", "cluster": "technical_problem"}),
    )
    .await;
    let second = open(
        &app,
        &member,
        json!({"subject": "Two", "body": "b", "cluster": "usage_help"}),
    )
    .await;
    assert!(first["assignee_id"].is_null() && second["assignee_id"].is_null());
    set_availability(&app, "agent1@magicstore.test", "online").await;
    let agent = app.token("agent1@magicstore.test").await;
    let mine = app.get_ok("/tickets?queue=mine", &agent).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(2), "{mine}");
    let h = history(&app, &agent, first["id"].as_str().expect("id")).await;
    assert!(
        h.iter()
            .any(|e| e.0 == "assigned" && e.1.contains("waiting queue")),
        "{h:?}"
    );
    // Every move above kept each agent's count of open tickets exact.
    assert!(app.assert_open_ticket_counts().await > 0);
}

#[tokio::test]
async fn the_csm_turns_a_client_chat_message_into_a_ticket() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let project = app
        .get_ok(&format!("/projects?organization_id={fashop}"), &admin)
        .await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let say = |token: String, body: &'static str| {
        let (app, project) = (&app, project.clone());
        async move {
            let res = app
                .post_json(
                    &format!("/projects/{project}/chat/messages"),
                    Some(&token),
                    &json!({"body": body}),
                )
                .await;
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.expect("json")["id"]
                .as_str()
                .expect("id")
                .to_string()
        }
    };
    let question = say(
        member.clone(),
        "The product feed import has been stuck since Monday, can you check?",
    )
    .await;
    let answer = say(csm.clone(), "I'll ask support.").await;
    let path = |m: &str| format!("/projects/{project}/chat/messages/{m}/ticket");
    let t = {
        let res = app
            .post_json(
                &path(&question),
                Some(&csm),
                &json!({"cluster": "technical_problem"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.expect("json")
    };
    assert_eq!(t["channel"], "chat");
    assert_eq!(t["requester_email"], "member@fashop.test");
    assert!(
        t["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("The product feed import")),
        "{t}"
    );
    assert_eq!(t["department_name"], "Technical support");
    let h = history(&app, &admin, t["id"].as_str().expect("id")).await;
    assert!(
        h.iter().any(|e| e.1.contains("from the project's chat")),
        "{h:?}"
    );
    // The requester sees it in the portal.
    let mine = app.get_ok("/tickets", &member).await;
    assert_eq!(mine["items"][0]["id"], t["id"]);
    // Only a client's message becomes a ticket, and only the CSM side does it.
    let res = app
        .post_json(
            &path(&answer),
            Some(&csm),
            &json!({"cluster": "usage_help"}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "message_id");
    let agent = app.token("agent1@magicstore.test").await;
    let res = app
        .post_json(
            &path(&question),
            Some(&agent),
            &json!({"cluster": "usage_help"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
}

#[tokio::test]
async fn full_text_search_finds_subjects_and_messages_but_not_notes_for_clients() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let t = open(&app, &member, json!({"subject": "Checkout déjà broken", "body": "Payments via giraffe gateway fail", "cluster": "technical_problem"})).await;
    open(
        &app,
        &member,
        json!({"subject": "Unrelated", "body": "Reports are slow", "cluster": "usage_help"}),
    )
    .await;
    let id = t["id"].as_str().expect("id");
    let res = app
        .post_json(
            &format!("/tickets/{id}/messages"),
            Some(&agent),
            &json!({"kind": "note", "body": "zebra firmware suspected"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let found = |token: String, q: &'static str| {
        let app = &app;
        async move {
            let page = app
                .get_ok(&format!("/tickets?q={}", common::urlencode(q)), &token)
                .await;
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(admin.clone(), "giraffe").await, [id]);
    assert_eq!(
        found(admin.clone(), "gateway giraf").await,
        [id],
        "the last word is a prefix"
    );
    assert_eq!(
        found(admin.clone(), "checkout").await,
        [id],
        "subjects count, any case"
    );
    assert_eq!(
        found(agent.clone(), "zebra").await,
        [id],
        "staff find notes"
    );
    assert!(
        found(member.clone(), "zebra").await.is_empty(),
        "clients never find notes"
    );
    assert_eq!(found(member.clone(), "giraffe").await, [id]);
    assert!(
        found(admin.clone(), "\"OR* NEAR(").await.is_empty(),
        "search syntax is taken literally"
    );
    assert!(
        found(admin.clone(), "giraffe elephant").await.is_empty(),
        "every word must appear"
    );
}

/// Every page of `path` (which has `?`), following the cursors: the ids in order.
async fn all_pages(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={}", common::urlencode(c)),
            None => path.to_string(),
        };
        let page = app.get_ok(&url, token).await;
        ids.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ids,
        }
        assert!(ids.len() < 100, "the cursor goes round: {ids:?}");
    }
}

#[tokio::test]
async fn searches_page_newest_first_once_per_ticket_for_staff_and_clients() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let post = |id: String, kind: &'static str, body: &'static str| {
        let (app, agent) = (&app, agent.clone());
        async move {
            let res = app
                .post_json(
                    &format!("/tickets/{id}/messages"),
                    Some(&agent),
                    &json!({"kind": kind, "body": body}),
                )
                .await;
            assert_eq!(res.status(), 201);
        }
    };
    // Oldest first: two billing tickets, then ten newer matches of other clusters (more than
    // a first walk of the matches takes for a page of 2), one match only in a note, and a
    // ticket that matches nothing.
    let mut ids = Vec::new();
    for k in 0..12 {
        let cluster = if k < 2 { "billing" } else { "usage_help" };
        let t = open(
            &app,
            &member,
            json!({"subject": format!("Walrus number {k}"), "body": "The walrus report fails", "cluster": cluster}),
        )
        .await;
        ids.push(t["id"].as_str().expect("id").to_string());
    }
    // The first ticket matches in its subject, its body and two more replies: listed once.
    post(ids[0].clone(), "reply", "Walrus again").await;
    post(ids[0].clone(), "reply", "still the walruses").await;
    let noted = open(
        &app,
        &member,
        json!({"subject": "Quiet", "body": "Nothing to see", "cluster": "usage_help"}),
    )
    .await;
    let noted = noted["id"].as_str().expect("id").to_string();
    post(noted.clone(), "note", "walrus suspected").await;
    open(
        &app,
        &member,
        json!({"subject": "Other", "body": "Nothing", "cluster": "usage_help"}),
    )
    .await;
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    let staff = all_pages(&app, &admin, "/tickets?q=walrus&limit=2").await;
    let mut expected = vec![noted.clone()];
    expected.extend(newest_first.clone());
    assert_eq!(
        staff, expected,
        "staff: newest first, once each, notes count"
    );
    assert_eq!(
        all_pages(&app, &admin, "/tickets?q=WALRU&limit=5").await,
        expected,
        "the last word is a prefix, any case"
    );
    assert_eq!(
        all_pages(&app, &member, "/tickets?q=walrus&limit=2").await,
        newest_first,
        "the client: newest first, never through a note"
    );
    assert_eq!(
        all_pages(&app, &admin, "/tickets?q=walrus&cluster=billing&limit=1").await,
        [ids[1].clone(), ids[0].clone()],
        "filters that skip the newest matches still fill the pages"
    );
    assert_eq!(
        all_pages(
            &app,
            &admin,
            "/tickets?q=walrus+fails&channel=portal&limit=3"
        )
        .await,
        newest_first,
        "every word, with a filter"
    );
    assert!(
        all_pages(&app, &admin, "/tickets?q=walrus+zebra")
            .await
            .is_empty()
    );

    // A reply written later is found, in its ticket's place.
    post(ids[3].clone(), "reply", "a narwhal was seen").await;
    assert_eq!(
        all_pages(&app, &admin, "/tickets?q=narwhal").await,
        [ids[3].clone()]
    );
    assert_eq!(
        all_pages(&app, &member, "/tickets?q=narwh").await,
        [ids[3].clone()]
    );
}

/// A search narrowed to some clients' tickets (a client user's, a CSM's, an organisation
/// filter) keeps to exactly those: on SQLite FTS5 walks only their rows (desk::search), and
/// paging still goes newest first through all of them.
#[tokio::test]
async fn searches_narrowed_to_clients_keep_to_their_tickets() {
    let (app, admin) = demo().await;
    let fashop_member = app.token("member@fashop.test").await;
    let fashop_admin = app.token("admin@fashop.test").await;
    let verdi = app.token("member@verdi.test").await;
    let bianchi = app.token("member@bianchi.test").await;
    let csm1 = app.token("csm1@magicstore.test").await; // FaShop and Verdi
    let csm2 = app.token("csm2@magicstore.test").await; // Bianchi
    let mut by = std::collections::BTreeMap::<&str, Vec<String>>::new();
    for k in 0..4 {
        for (who, token) in [
            ("fashop", &fashop_member),
            ("fashop admin", &fashop_admin),
            ("verdi", &verdi),
            ("bianchi", &bianchi),
        ] {
            let t = open(
                &app,
                token,
                // Every other one says "gizmos": a search for "gizmo" (a word and a prefix)
                // finds it by another word than the one typed.
                if k % 2 == 0 {
                    json!({"subject": format!("Gizmo trouble {k}"), "body": "The gizmo broke", "cluster": "usage_help"})
                } else {
                    json!({"subject": format!("Gizmos trouble {k}"), "body": "The gizmos broke", "cluster": "usage_help"})
                },
            )
            .await;
            by.entry(who)
                .or_default()
                .insert(0, t["id"].as_str().expect("id").to_string());
        }
    }
    let newest = |groups: &[&str]| -> Vec<String> {
        let mut ids: Vec<String> = groups.iter().flat_map(|g| by[g].clone()).collect();
        ids.sort();
        ids.reverse();
        ids
    };
    let fashop_org = app.get_ok("/me", &fashop_member).await["organization_id"]
        .as_str()
        .expect("org")
        .to_string();
    for (who, token, path, expected) in [
        (
            "a member: their own",
            &fashop_member,
            "/tickets?q=gizm&limit=3".to_string(),
            newest(&["fashop"]),
        ),
        (
            "a client admin: the organisation's",
            &fashop_admin,
            "/tickets?q=gizmo&limit=3".into(),
            newest(&["fashop", "fashop admin"]),
        ),
        (
            "csm1: FaShop's and Verdi's",
            &csm1,
            "/tickets?q=broke+gizmo&limit=5".into(),
            newest(&["fashop", "fashop admin", "verdi"]),
        ),
        (
            "csm2: Bianchi's",
            &csm2,
            "/tickets?q=gizmo&limit=3".into(),
            newest(&["bianchi"]),
        ),
        (
            "staff, one organisation",
            &admin,
            format!("/tickets?q=gizmo&organization_id={fashop_org}&limit=3"),
            newest(&["fashop", "fashop admin"]),
        ),
        (
            "csm2 filtering on a client not theirs",
            &csm2,
            format!("/tickets?q=gizmo&organization_id={fashop_org}"),
            vec![],
        ),
        (
            "a member filtering on their organisation",
            &fashop_member,
            format!("/tickets?q=trouble&organization_id={fashop_org}&limit=2"),
            newest(&["fashop"]),
        ),
        (
            "staff, one organisation and a filter",
            &admin,
            format!("/tickets?q=gizmo&organization_id={fashop_org}&status=new&limit=2"),
            newest(&["fashop", "fashop admin"]),
        ),
    ] {
        assert_eq!(all_pages(&app, token, &path).await, expected, "{who}");
    }
    // Work queues and an assignee keep their own order and filter: the search only narrows.
    let gizmos = newest(&["fashop", "fashop admin", "verdi", "bianchi"]);
    let opened = app.get_ok(&format!("/tickets/{}", gizmos[0]), &admin).await;
    let dept = opened["department_id"]
        .as_str()
        .expect("routed")
        .to_string();
    let agent = app
        .get_ok("/me", &app.token("agent1@magicstore.test").await)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    for list in [
        format!("/tickets?queue=department&department_id={dept}&limit=200"),
        "/tickets?queue=unassigned&limit=200".to_string(),
        format!("/tickets?assignee_id={agent}&limit=200"),
    ] {
        let expected: Vec<String> = all_pages(&app, &admin, &list)
            .await
            .into_iter()
            .filter(|id| gizmos.contains(id))
            .collect();
        assert!(
            expected.len() >= 2 || !list.contains("department"),
            "the department's queue holds the tickets"
        );
        let searched = list.replace("limit=200", "q=gizmo&limit=2");
        assert_eq!(
            all_pages(&app, &admin, &searched).await,
            expected,
            "{searched}"
        );
    }
}

#[tokio::test]
async fn attachments_are_bounded_typed_and_follow_the_notes_rule() {
    let app = common::spawn_app_with(|c| c.attachment_max_bytes = 1024).await;
    app.load_demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Screenshot", "body": "See attached", "cluster": "technical_problem"}),
    )
    .await;
    let id = t["id"].as_str().expect("id");
    let upload = |token: String,
                  name: &'static str,
                  ct: &'static str,
                  body: Vec<u8>,
                  message: Option<String>| {
        let app = &app;
        async move {
            let mut path = format!("/tickets/{id}/attachments?filename={name}");
            if let Some(m) = message {
                path.push_str(&format!("&message_id={m}"));
            }
            app.request(reqwest::Method::POST, &path, Some(&token))
                .header("Content-Type", ct)
                .body(body)
                .send()
                .await
                .expect("upload")
        }
    };
    let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
    let res = upload(member.clone(), "error.png", "image/png", png.clone(), None).await;
    assert_eq!(res.status(), 201);
    let shot: Value = res.json().await.expect("json");
    assert_eq!(shot["size_bytes"], png.len());
    let res = app
        .get(
            shot["url"]
                .as_str()
                .expect("url")
                .trim_start_matches("/api/v1"),
            Some(&agent),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("error.png")
    );
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), png);
    // Too big, wrong type, bad names: refused, nothing stored.
    assert_problem(
        upload(
            member.clone(),
            "big.txt",
            "text/plain",
            vec![b'x'; 2048],
            None,
        )
        .await,
        413,
        "payload_too_large",
    )
    .await;
    let problem = assert_problem(
        upload(
            member.clone(),
            "run.exe",
            "application/x-msdownload",
            vec![1],
            None,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "content_type");
    assert_problem(
        upload(member.clone(), "../etc.txt", "text/plain", vec![1], None).await,
        422,
        "validation_failed",
    )
    .await;
    // A file on an internal note stays with staff.
    let res = app
        .post_json(
            &format!("/tickets/{id}/messages"),
            Some(&agent),
            &json!({"kind": "note", "body": "Server log attached"}),
        )
        .await;
    let note: Value = res.json().await.expect("json");
    let note_id = note["id"].as_str().expect("id").to_string();
    let res = upload(
        agent.clone(),
        "server.log.txt",
        "text/plain",
        b"secret".to_vec(),
        Some(note_id.clone()),
    )
    .await;
    assert_eq!(res.status(), 201);
    let internal: Value = res.json().await.expect("json");
    let staff_list = app
        .get_ok(&format!("/tickets/{id}/attachments"), &agent)
        .await;
    assert_eq!(staff_list.as_array().map(Vec::len), Some(2));
    let client_list = app
        .get_ok(&format!("/tickets/{id}/attachments"), &member)
        .await;
    assert_eq!(
        client_list.as_array().map(Vec::len),
        Some(1),
        "{client_list}"
    );
    let url = internal["url"]
        .as_str()
        .expect("url")
        .trim_start_matches("/api/v1")
        .to_string();
    assert_problem(app.get(&url, Some(&member)).await, 404, "not_found").await;
    let problem = assert_problem(
        upload(
            member.clone(),
            "x.txt",
            "text/plain",
            vec![1],
            Some(note_id),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "message_id");
    // Another client never reaches it.
    let other = app.token("member@bianchi.test").await;
    assert_problem(
        app.get(
            shot["url"]
                .as_str()
                .expect("url")
                .trim_start_matches("/api/v1"),
            Some(&other),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

/// POSTs a `text/plain` body over a plain socket the way a browser uploads over a slow line:
/// the whole body, `chunk` bytes at a time with `pause` between, before the answer is read.
/// Returns the status, `Content-Type` and body of the answer; panics when the connection
/// breaks first.
async fn send_whole_then_read(
    app: &TestApp,
    path: &str,
    token: &str,
    body: Vec<u8>,
    chunk: usize,
    pause: std::time::Duration,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let host = app.address.trim_start_matches("http://").to_string();
    let head = format!(
        "POST /api/v1{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let raw = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut s = std::net::TcpStream::connect(&host)?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))?;
        s.set_write_timeout(Some(std::time::Duration::from_secs(20)))?;
        s.write_all(head.as_bytes())?;
        for part in body.chunks(chunk) {
            s.write_all(part)?;
            std::thread::sleep(pause);
        }
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        Ok(raw)
    })
    .await
    .expect("join")
    .expect("the whole upload sent and the answer read, not a broken connection");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    assert_eq!(header("transfer-encoding"), None, "{head}");
    (
        status,
        header("content-type").unwrap_or_default(),
        body.to_string(),
    )
}

#[tokio::test]
async fn an_oversized_upload_is_read_to_its_end_and_answered_413_naming_the_body() {
    const LIMIT: usize = 64 * 1024;
    let app = common::spawn_app_with(|c| c.attachment_max_bytes = LIMIT).await;
    app.load_demo().await;
    let member = app.token("member@fashop.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Crash dump", "body": "Attaching the dump", "cluster": "technical_problem"}),
    )
    .await;
    let id = t["id"].as_str().expect("id");
    // The limit is there to read before uploading.
    let limits = app.get_ok("/attachment-limits", &member).await;
    assert_eq!(limits["max_bytes"], LIMIT, "{limits}");
    assert!(
        limits["content_types"]
            .as_array()
            .expect("types")
            .contains(&json!("text/plain")),
        "{limits}"
    );
    // A client that sends a file far larger anyway, the whole body before reading the answer
    // as browsers do, and slowly (over two seconds), still reads the answer: a server that
    // answers mid-upload closes the connection a second later, and the client, still sending,
    // is left with a broken connection instead.
    let (status, content_type, body) = send_whole_then_read(
        &app,
        &format!("/tickets/{id}/attachments?filename=dump.txt"),
        &member,
        vec![b'x'; 1024 * 1024],
        64 * 1024,
        std::time::Duration::from_millis(150),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(content_type, "application/problem+json");
    let problem: Value = serde_json::from_str(&body).expect("problem json");
    assert_eq!(problem["code"], "payload_too_large", "{problem}");
    assert_eq!(
        problem["detail"], "the file is 1 MB; the limit is 64 KB",
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    assert_eq!(problem["errors"][0]["rule"], "too_large", "{problem}");
    // Nothing was stored or recorded.
    let listed = app
        .get_ok(&format!("/tickets/{id}/attachments"), &member)
        .await;
    assert_eq!(listed, json!([]));
    let rows: i64 = app
        .state
        .db
        .run(|conn| {
            use api::db::schema::ticket_attachments as ta;
            use diesel::prelude::*;
            Ok(ta::table.count().get_result(conn)?)
        })
        .await
        .expect("count");
    assert_eq!(rows, 0);
    let staff = app.token("agent1@magicstore.test").await;
    assert!(
        !history(&app, &staff, id)
            .await
            .iter()
            .any(|(kind, _)| kind == "attached")
    );
    // A file at the limit goes through on the same client.
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/tickets/{id}/attachments?filename=fits.txt"),
            Some(&member),
        )
        .header("Content-Type", "text/plain")
        .body(vec![b'y'; LIMIT])
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), 201);
}

/// A file name is kept as the person wrote it, letters of any language included, but control
/// characters (CR, LF, NUL, \x01…) never reach the database — PostgreSQL refuses a NUL — or
/// the download's headers, where they would break the answer. The download names the file
/// as RFC 6266 says: an ASCII `filename` for old clients and the exact UTF-8 `filename*`.
#[tokio::test]
async fn attachment_names_lose_control_characters_and_keep_their_letters() {
    let app = spawn_app().await;
    app.load_demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Invoices", "body": "Attached", "cluster": "technical_problem"}),
    )
    .await;
    let id = t["id"].as_str().expect("id");
    let upload = |name: &'static str, body: &'static [u8]| {
        let app = &app;
        let member = member.clone();
        async move {
            app.request(
                reqwest::Method::POST,
                &format!("/tickets/{id}/attachments"),
                Some(&member),
            )
            .query(&[("filename", name)])
            .header("Content-Type", "application/pdf")
            .body(body)
            .send()
            .await
            .expect("upload")
        }
    };
    let download = |url: String| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let res = app
                .get(url.trim_start_matches("/api/v1"), Some(&agent))
                .await;
            assert_eq!(res.status(), 200, "download {url}");
            let cd = res
                .headers()
                .get("content-disposition")
                .expect("content-disposition")
                .to_str()
                .expect("an ASCII header")
                .to_string();
            (cd, res.bytes().await.expect("bytes").to_vec())
        }
    };
    let cases: [(&str, &[u8], &str, &str); 4] = [
        (
            "fattura è €.pdf",
            b"%PDF-1 e",
            "fattura è €.pdf",
            "attachment; filename=\"fattura _ _.pdf\"; filename*=UTF-8''fattura%20%C3%A8%20%E2%82%AC.pdf",
        ),
        (
            "report\r\nSet-Cookie: x=1@a.pdf",
            b"%PDF-1 crlf",
            "report Set-Cookie: x=1@a.pdf",
            "attachment; filename=\"report Set-Cookie: x=1@a.pdf\"; filename*=UTF-8''report%20Set-Cookie%3A%20x%3D1%40a.pdf",
        ),
        (
            "\u{1}start\u{1}.pdf\n",
            b"%PDF-1 soh",
            "start .pdf",
            "attachment; filename=\"start .pdf\"; filename*=UTF-8''start%20.pdf",
        ),
        (
            "say \"hi\" 50%.pdf",
            b"%PDF-1 quote",
            "say \"hi\" 50%.pdf",
            "attachment; filename=\"say _hi_ 50_.pdf\"; filename*=UTF-8''say%20%22hi%22%2050%25.pdf",
        ),
    ];
    // A NUL is refused in every text, this one too: 422 naming the parameter.
    let res = upload("nul\0byte.pdf", b"%PDF-1 nul").await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        (&p["errors"][0]["field"], &p["errors"][0]["rule"]),
        (&json!("filename"), &json!("no_nul"))
    );
    for (sent, body, kept, header) in cases {
        let res = upload(sent, body).await;
        assert_eq!(res.status(), 201, "upload {sent:?}");
        let attachment: Value = res.json().await.expect("json");
        assert_eq!(attachment["filename"], kept, "{sent:?}");
        let (cd, bytes) = download(attachment["url"].as_str().expect("url").into()).await;
        assert_eq!(cd, header, "{sent:?}");
        assert_eq!(bytes, body, "{sent:?}");
    }
    let listed = app
        .get_ok(&format!("/tickets/{id}/attachments"), &agent)
        .await;
    let names: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["filename"].as_str().expect("name"))
        .collect();
    assert_eq!(names, cases.map(|c| c.2));
    assert!(
        history(&app, &agent, id)
            .await
            .iter()
            .any(|(kind, detail)| kind == "attached" && detail.contains("start .pdf"))
    );
    // Nothing but control characters is no name.
    for sent in ["\r\n", "\0", " \u{1} "] {
        let problem = assert_problem(upload(sent, b"%PDF-1").await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "filename", "{sent:?}");
    }
    // A name stored before the upload cleaned it still downloads.
    let res = upload("old.pdf", b"%PDF-1 old").await;
    let old: Value = res.json().await.expect("json");
    let old_id = old["id"].as_str().expect("id").to_string();
    app.state
        .db
        .run(move |conn| {
            use api::db::schema::ticket_attachments as ta;
            use diesel::prelude::*;
            diesel::update(ta::table.find(old_id))
                .set(ta::filename.eq("old\r\nname\u{1}.pdf"))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("age the row");
    let (cd, _) = download(old["url"].as_str().expect("url").into()).await;
    assert_eq!(
        cd,
        "attachment; filename=\"old name .pdf\"; filename*=UTF-8''old%20name%20.pdf"
    );
}

/// SQLite: every ticket written adds a segment to the full-text index, which each search
/// word walks; the merge job (desk::search_merge) brings them back to a few, a bounded step
/// at a time, and searches find the same tickets before and after. PostgreSQL has no job.
/// A work queue searched for a word neither rare nor common (SQLite: 1,000 matching rows or
/// more, under 10,000) walks the queue and checks each ticket against the matches: it keeps
/// exactly the queue's tickets with the word, in the queue's order, page after page.
#[tokio::test]
async fn a_queue_searched_for_an_in_between_word_keeps_its_order() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let mut opened = Vec::new();
    for k in 0..12 {
        let t = open(
            &app,
            &member,
            json!({"subject": format!("Widget {k}"), "body": "It broke", "cluster": "usage_help"}),
        )
        .await;
        opened.push(t["id"].as_str().expect("id").to_string());
    }
    // Every other ticket gets 200 search rows with the word: 1,200 in all.
    let with_word: Vec<String> = opened.iter().step_by(2).cloned().collect();
    let indexed = with_word.clone();
    app.state
        .db
        .run(move |conn| {
            use diesel::Connection;
            let texts = vec!["The zorblax rattles"; 200];
            for id in &indexed {
                conn.transaction(|c| api::desk::search::index(c, id, true, &texts))?;
            }
            Ok(())
        })
        .await
        .expect("index");
    let ticket = app.get_ok(&format!("/tickets/{}", opened[0]), &admin).await;
    let dept = ticket["department_id"].as_str().expect("routed");
    let queue = format!("/tickets?queue=department&department_id={dept}");
    let expected: Vec<String> = all_pages(&app, &admin, &format!("{queue}&limit=200"))
        .await
        .into_iter()
        .filter(|id| with_word.contains(id))
        .collect();
    assert_eq!(expected.len(), with_word.len(), "all in the queue");
    let searched = all_pages(&app, &admin, &format!("{queue}&q=zorblax&limit=2")).await;
    assert_eq!(searched, expected);
}

/// Indexes replies to `ticket`, one transaction each, until SQLite's search index has
/// `segments` segments (FTS5's own merging decides how many writes that takes: at most
/// `writes`).
fn pile_segments(
    conn: &mut api::db::DbConn,
    ticket: &str,
    segments: i64,
    writes: usize,
) -> api::error::ApiResult<()> {
    use api::desk::search_merge;
    use diesel::Connection;
    let mut written = 0;
    while search_merge::segments(conn)? < segments {
        conn.transaction(|c| api::desk::search::index(c, ticket, true, &["Sprocket noise again"]))?;
        written += 1;
        assert!(written < writes, "segments never pile up");
    }
    Ok(())
}

#[tokio::test]
async fn the_search_index_is_merged_back_into_few_segments() {
    use api::desk::search_merge;
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let mut opened = Vec::new();
    for k in 0..40 {
        let t = open(
            &app,
            &member,
            json!({"subject": format!("Sprocket jammed {k}"), "body": format!("The sprocket {k} jams"), "cluster": "usage_help"}),
        )
        .await;
        opened.push(t["id"].as_str().expect("id").to_string());
    }
    opened.reverse();
    let found = |list: Value| -> Vec<String> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_string())
            .collect()
    };
    let before = found(app.get_ok("/tickets?q=sprock&limit=100", &admin).await);
    assert_eq!(before, opened);

    let sqlite = common::backend() == "sqlite";
    let replied = opened[0].clone();
    let (segments_before, steps, segments_after) = app
        .state
        .db
        .run(move |conn| {
            if !sqlite {
                return Ok((0, usize::from(search_merge::step(conn)?), 0));
            }
            // FTS5's own merging runs after every 64 pages written, so how many segments
            // the tickets left varies: more rows (as replies would add) until there are
            // plenty, one transaction each.
            pile_segments(conn, &replied, 10, 500)?;
            let segments_before = search_merge::segments(conn)?;
            let mut steps = 0;
            while search_merge::step(conn)? {
                steps += 1;
                assert!(steps < 1000, "merging never ends");
            }
            Ok((segments_before, steps, search_merge::segments(conn)?))
        })
        .await
        .expect("merge");
    if sqlite {
        assert!(segments_before >= 10, "{segments_before} segments before");
        assert!(steps >= 1);
        assert!(
            segments_after <= 4,
            "{segments_after} segments after {steps} steps (from {segments_before})"
        );
    } else {
        assert_eq!(steps, 0, "PostgreSQL has nothing to merge");
    }
    let after = found(app.get_ok("/tickets?q=sprock&limit=100", &admin).await);
    assert_eq!(after, before);
    // The nightly rewrite leaves one segment, and the same answers.
    let replied = opened[1].clone();
    let (optimized, segments_optimized) = app
        .state
        .db
        .run(move |conn| {
            // A reply or two, each its own segment, on top of what merging left.
            if sqlite {
                pile_segments(conn, &replied, 2, 10)?;
            }
            let optimized = search_merge::optimize(conn)?;
            let segments = if sqlite {
                search_merge::segments(conn)?
            } else {
                0
            };
            Ok((optimized, segments))
        })
        .await
        .expect("optimize");
    assert_eq!(optimized, sqlite);
    if sqlite {
        assert_eq!(segments_optimized, 1);
    }
    let optimized_found = found(app.get_ok("/tickets?q=sprock&limit=100", &admin).await);
    assert_eq!(optimized_found, before);
    let queued = app
        .get_ok("/admin/jobs?status=queued&limit=100", &admin)
        .await;
    let chains = queued["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|j| j["kind"] == search_merge::JOB_KIND)
        .count();
    assert_eq!(
        chains,
        usize::from(sqlite),
        "the merge job's chain: {queued}"
    );
    let nightly: Vec<&Value> = queued["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|j| j["kind"] == search_merge::OPTIMIZE_JOB_KIND)
        .collect();
    assert_eq!(
        nightly.len(),
        usize::from(sqlite),
        "the nightly chain: {queued}"
    );
    if let Some(job) = nightly.first() {
        let run_at = job["run_at"].as_str().expect("run_at");
        assert!(run_at.contains("T03:00:00"), "nightly at 03:00 UTC: {job}");
    }
}
