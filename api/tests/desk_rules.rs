//! Automation rules and canned replies: their CRUD with
//! validation naming the field and ETags, a canned reply filled in for a ticket, and rules
//! firing in the intake — re-prioritising, tagging, routing, answering automatically (the
//! client sees the answer), keeping a person on it — in position order, disabled ones not at
//! all, each firing named in the ticket's history.

mod common;

use reqwest::Method;
use serde_json::{Value, json};

use common::calls::{demo, errors, etag, id, json_of, send};
use common::{TestApp, assert_problem};

async fn department(app: &TestApp, admin: &str, name: &str) -> String {
    let list = app.get_ok("/departments", admin).await;
    list["items"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["name"] == name))
        .map(id)
        .unwrap_or_else(|| panic!("no department {name}"))
}

async fn canned(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(
        app.post_json("/canned-replies", Some(token), &body).await,
        201,
    )
    .await
}

async fn rule(app: &TestApp, admin: &str, body: Value) -> Value {
    json_of(
        app.post_json("/desk/automation-rules", Some(admin), &body)
            .await,
        201,
    )
    .await
}

async fn open(app: &TestApp, token: &str, subject: &str, body: &str, cluster: &str) -> Value {
    json_of(
        app.post_json(
            "/tickets",
            Some(token),
            &json!({"subject": subject, "body": body, "cluster": cluster}),
        )
        .await,
        201,
    )
    .await
}

async fn history(app: &TestApp, token: &str, ticket: &str) -> Vec<(String, String)> {
    let h = app
        .get_ok(&format!("/tickets/{ticket}/history"), token)
        .await;
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

fn automation_lines(h: &[(String, String)]) -> Vec<String> {
    h.iter()
        .filter(|(k, _)| k == "automation")
        .map(|(_, d)| d.clone())
        .collect()
}

#[tokio::test]
async fn canned_replies_are_validated_paged_and_guarded_by_etags() {
    let (app, admin) = demo().await;
    let agent = app.token("agent1@magicstore.test").await;
    let billing = department(&app, &admin, "Billing and accounts").await;
    let tech = department(&app, &admin, "Technical support").await;

    // Unknown placeholders are named; so are an empty title and an unknown department.
    let res = app
        .post_json(
            "/canned-replies",
            Some(&agent),
            &json!({"title": " ", "body": "Dear {{first_name}}, {{agent_name}}"}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [
            ("title".to_string(), "required".to_string()),
            ("body".to_string(), "unknown_placeholder".to_string())
        ]
    );
    let message = problem["errors"][1]["message"].as_str().expect("message");
    assert!(message.contains("{{first_name}}"), "{message}");
    let res = app
        .post_json(
            "/canned-replies",
            Some(&agent),
            &json!({"title": "T", "body": "B", "department_id": "no-such-department"}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("department_id".to_string(), "exists".to_string())]
    );
    let res = app
        .post_json(
            "/canned-replies",
            Some(&agent),
            &json!({"title": "T", "body": "B", "colour": "red"}),
        )
        .await;
    assert_problem(res, 422, "invalid_body").await;

    // Who writes: support agents and administrators; CSMs read; clients neither.
    let csm = app.token("csm1@magicstore.test").await;
    let res = app
        .post_json(
            "/canned-replies",
            Some(&csm),
            &json!({"title": "T", "body": "B"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let client = app.token("admin@fashop.test").await;
    assert_problem(
        app.get("/canned-replies", Some(&client)).await,
        403,
        "forbidden",
    )
    .await;

    let everyone = canned(
        &app,
        &agent,
        json!({"title": "Greeting", "body": "Hello {{ requester_name }}"}),
    )
    .await;
    assert!(everyone["department_id"].is_null());
    assert_eq!(everyone["created_by_name"], "Giulia Galli");
    let billing_reply = canned(
        &app,
        &admin,
        json!({"title": "Invoice copy", "body": "Your invoice is attached.", "department_id": billing}),
    )
    .await;
    assert_eq!(billing_reply["department_name"], "Billing and accounts");
    canned(
        &app,
        &admin,
        json!({"title": "Restart the feed", "body": "Please restart the product feed.", "department_id": tech}),
    )
    .await;

    // A department sees its own and the global ones; q searches title and text; pages follow.
    let list = app
        .get_ok(&format!("/canned-replies?department_id={billing}"), &csm)
        .await;
    let titles: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["title"].as_str())
        .collect();
    assert_eq!(titles, ["Greeting", "Invoice copy"]);
    let found = app.get_ok("/canned-replies?q=FEED", &agent).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(found["items"][0]["title"], "Restart the feed");
    let none = app.get_ok("/canned-replies?q=100%25", &agent).await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));
    let first = app.get_ok("/canned-replies?limit=2", &agent).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app
        .get_ok(&format!("/canned-replies?limit=2&cursor={cursor}"), &agent)
        .await;
    assert_eq!(second["items"][0]["title"], "Restart the feed");
    assert!(second["next_cursor"].is_null());

    // ETag and If-Match: a stale write is refused, a fresh one bumps the version.
    let path = format!("/canned-replies/{}", id(&billing_reply));
    let res = send(&app, Method::GET, &path, &csm, None, None).await;
    let tag = etag(&res);
    assert_eq!(tag, "\"1\"");
    let change = json!({"title": "Invoice copies", "department_id": null});
    let res = send(
        &app,
        Method::PATCH,
        &path,
        &agent,
        Some("\"7\""),
        Some(&change),
    )
    .await;
    assert_problem(res, 412, "precondition_failed").await;
    let res = send(&app, Method::PATCH, &path, &csm, Some(&tag), Some(&change)).await;
    assert_problem(res, 403, "forbidden").await;
    let res = send(
        &app,
        Method::PATCH,
        &path,
        &agent,
        Some(&tag),
        Some(&change),
    )
    .await;
    assert_eq!(etag(&res), "\"2\"");
    let changed = json_of(res, 200).await;
    assert_eq!(changed["title"], "Invoice copies");
    assert!(changed["department_id"].is_null());
    assert_eq!(changed["body"], "Your invoice is attached.");
    let bad = json!({"body": "{{order_id}}"});
    let res = send(&app, Method::PATCH, &path, &agent, None, Some(&bad)).await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("body".to_string(), "unknown_placeholder".to_string())]
    );
    let res = send(&app, Method::DELETE, &path, &agent, Some(&tag), None).await;
    assert_problem(res, 412, "precondition_failed").await;
    let res = send(&app, Method::DELETE, &path, &agent, Some("\"2\""), None).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&path, Some(&agent)).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_canned_reply_is_filled_in_for_the_ticket_and_the_caller() {
    let (app, admin) = demo().await;
    let agent = app.token("agent1@magicstore.test").await;
    let member = app.token("member@fashop.test").await;
    let reply = canned(
        &app,
        &admin,
        json!({"title": "Looking into it",
               "body": "Hello {{requester_name}} of {{client_name}}, about #{{ticket_number}} ({{ ticket_subject }}): {{agent_name}} is on it; {{csm_name}} knows. {{"}),
    )
    .await;
    let ticket = open(
        &app,
        &member,
        "Feed stuck",
        "The feed import is stuck.",
        "technical_problem",
    )
    .await;
    let path = format!(
        "/tickets/{}/canned-replies/{}/rendered",
        id(&ticket),
        id(&reply)
    );
    let rendered = app.get_ok(&path, &agent).await;
    let want = format!(
        "Hello {} of FaShop Srl, about #{} (Feed stuck): Giulia Galli is on it; Carla Conti knows. {{{{",
        ticket["requester_name"].as_str().expect("requester"),
        ticket["number"]
    );
    assert_eq!(rendered["body"], want.as_str());
    assert_eq!(rendered["title"], "Looking into it");
    assert_eq!(rendered["canned_reply_id"], id(&reply).as_str());
    // The agent's name is whoever asks.
    let other = app.get_ok(&path, &admin).await;
    assert!(
        other["body"]
            .as_str()
            .is_some_and(|b| b.contains("Alessandra Amato is on it")),
        "{other}"
    );
    // Clients: 403 on their own ticket, 404 on another organisation's.
    assert_problem(app.get(&path, Some(&member)).await, 403, "forbidden").await;
    let stranger = app.token("member@bianchi.test").await;
    assert_problem(app.get(&path, Some(&stranger)).await, 404, "not_found").await;
    let missing = format!("/tickets/{}/canned-replies/nope/rendered", id(&ticket));
    assert_problem(app.get(&missing, Some(&agent)).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_firing_rule_reprioritises_tags_and_says_so_in_the_history() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let r = rule(
        &app,
        &admin,
        json!({"name": "Refund keywords",
               "conditions": {"text_contains": ["money back", "REFUND"]},
               "actions": [{"type": "set_priority", "priority": "urgent"}, {"type": "add_tag", "tag": "Refund"}]}),
    )
    .await;
    assert_eq!(r["position"], 0);
    assert_eq!(r["enabled"], true);

    let t = open(
        &app,
        &member,
        "Order 12",
        "I would like my\n  money   back for order 12.",
        "usage_help",
    )
    .await;
    assert_eq!(t["priority"], "urgent", "{t}");
    assert_eq!(
        t["priority_reason"],
        "urgent: set by automation rule 'Refund keywords'"
    );
    assert_eq!(t["tags"], json!(["refund"]));
    // A person still takes it: nothing answered it.
    assert_eq!(t["status"], "new");
    assert_eq!(t["assignee_name"], "Giulia Galli", "{t}");
    let h = history(&app, &admin, &id(&t)).await;
    assert_eq!(
        automation_lines(&h),
        ["automation: rule 'Refund keywords' fired: set priority urgent, tag Refund"]
    );
    let kinds: Vec<&str> = h.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "routed",
            "prioritized",
            "sla",
            "automation",
            "prioritized",
            "sla",
            "assigned"
        ]
    );

    // A ticket the rule does not match is left alone.
    let plain = open(
        &app,
        &member,
        "Question",
        "How do I add a user?",
        "usage_help",
    )
    .await;
    assert_ne!(plain["priority"], "urgent");
    assert_eq!(plain["tags"], json!([]));
    let h = history(&app, &admin, &id(&plain)).await;
    assert!(automation_lines(&h).is_empty(), "{h:?}");
}

#[tokio::test]
async fn an_automatic_answer_reaches_the_client_and_waits_on_them() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let reply = canned(
        &app,
        &admin,
        json!({"title": "Password reset",
               "body": "Hello {{requester_name}}, reset your password from the sign-in page (ticket #{{ticket_number}}). {{agent_name}}"}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name": "Password resets",
               "conditions": {"clusters": ["usage_help"], "text_contains": ["password"]},
               "actions": [{"type": "auto_reply", "canned_reply_id": id(&reply)}]}),
    )
    .await;
    let t = open(
        &app,
        &member,
        "Forgot my Password",
        "I cannot sign in.",
        "usage_help",
    )
    .await;
    let ticket = id(&t);
    assert_eq!(t["status"], "pending_customer", "{t}");
    assert!(t["assignee_id"].is_null(), "{t}");

    // The client sees the answer in the thread, written by the desk on the staff side.
    let thread = app
        .get_ok(&format!("/tickets/{ticket}/messages"), &member)
        .await;
    let items = thread["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{thread}");
    let answer = &items[1];
    assert_eq!(answer["kind"], "reply");
    assert_eq!(answer["author_side"], "staff");
    assert_eq!(answer["author_name"], "Tandem");
    assert!(answer["author_id"].is_null());
    let want = format!(
        "Hello {}, reset your password from the sign-in page (ticket #{}). Tandem",
        t["requester_name"].as_str().expect("name"),
        t["number"]
    );
    assert_eq!(answer["body"], want.as_str());

    // Not the human first response: that is still due, the clock paused while waiting.
    let agent = app.token("agent1@magicstore.test").await;
    let seen = app.get_ok(&format!("/tickets/{ticket}"), &agent).await;
    assert!(
        seen["sla"]["first_response"]["achieved_at"].is_null(),
        "{seen}"
    );
    assert_eq!(seen["sla"]["paused"], true);
    let h = history(&app, &admin, &ticket).await;
    assert_eq!(
        automation_lines(&h),
        ["automation: rule 'Password resets' fired: answer with canned reply 'Password reset'"]
    );
    assert!(h.iter().any(|(k, d)| k == "replied"
        && d == "Tandem answered automatically with canned reply 'Password reset'"));
    assert!(
        h.iter()
            .any(|(k, d)| k == "unassigned" && d.contains("answered automatically"))
    );

    // The reply's author is asked to be deleted: refused while the rule answers with it.
    let res = app
        .request(
            Method::DELETE,
            &format!("/canned-replies/{}", id(&reply)),
            Some(&admin),
        )
        .send()
        .await
        .expect("delete");
    let problem = assert_problem(res, 409, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("'Password resets'")),
        "{problem}"
    );

    // The client writes again: the ticket reopens for a person.
    let res = app
        .post_json(
            &format!("/tickets/{ticket}/messages"),
            Some(&member),
            &json!({"body": "That did not help."}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let seen = app.get_ok(&format!("/tickets/{ticket}"), &agent).await;
    assert_eq!(seen["status"], "open", "{seen}");
    assert_eq!(seen["sla"]["first_response"]["state"], "running", "{seen}");

    // Escalating as well: answered, and still a person's (assigned, not waiting).
    rule(
        &app,
        &admin,
        json!({"name": "VIP password", "conditions": {"plans": ["Business"]},
               "actions": [{"type": "escalate_to_human"}]}),
    )
    .await;
    let t = open(
        &app,
        &member,
        "Password again",
        "Reset link expired.",
        "usage_help",
    )
    .await;
    assert_eq!(t["status"], "new", "{t}");
    assert_eq!(t["assignee_name"], "Giulia Galli", "{t}");
    let thread = app
        .get_ok(&format!("/tickets/{}/messages", id(&t)), &member)
        .await;
    assert_eq!(thread["items"].as_array().map(Vec::len), Some(2));
    let h = history(&app, &admin, &id(&t)).await;
    assert_eq!(automation_lines(&h).len(), 2, "{h:?}");
}

#[tokio::test]
async fn rules_run_in_position_order_and_disabled_ones_do_not_fire() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let billing = department(&app, &admin, "Billing and accounts").await;
    // Added first but placed after: its priority wins because it runs later.
    let late = rule(
        &app,
        &admin,
        json!({"name": "Late low", "position": 20, "conditions": {"channels": ["portal"]},
               "actions": [{"type": "set_priority", "priority": "low"}, {"type": "add_tag", "tag": "late"}]}),
    )
    .await;
    rule(
        &app,
        &admin,
        json!({"name": "Early urgent", "position": 10, "conditions": {"channels": ["portal"]},
               "actions": [{"type": "set_priority", "priority": "urgent"},
                           {"type": "route", "department_id": billing},
                           {"type": "add_tag", "tag": "early"}]}),
    )
    .await;
    let list = app.get_ok("/desk/automation-rules", &admin).await;
    let names: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["Early urgent", "Late low"]);

    let t = open(
        &app,
        &member,
        "Anything",
        "Something happened.",
        "technical_problem",
    )
    .await;
    assert_eq!(t["priority"], "low", "{t}");
    assert_eq!(
        t["priority_reason"],
        "low: set by automation rule 'Late low'"
    );
    assert_eq!(t["department_name"], "Billing and accounts");
    assert_eq!(t["assignee_name"], "Luca Lombardi", "{t}");
    assert_eq!(t["tags"], json!(["early", "late"]));
    let h = history(&app, &admin, &id(&t)).await;
    assert_eq!(
        automation_lines(&h),
        [
            "automation: rule 'Early urgent' fired: set priority urgent, route to 'Billing and accounts', tag early",
            "automation: rule 'Late low' fired: set priority low, tag late"
        ]
    );
    assert!(
        h.iter()
            .any(|(k, d)| k == "routed" && d == "Routed to Billing and accounts by automation")
    );

    // Disabled (with If-Match), the late rule no longer fires.
    let path = format!("/desk/automation-rules/{}", id(&late));
    let res = send(&app, Method::GET, &path, &admin, None, None).await;
    let tag = etag(&res);
    let off = json!({"enabled": false});
    let res = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some("\"9\""),
        Some(&off),
    )
    .await;
    assert_problem(res, 412, "precondition_failed").await;
    let res = send(&app, Method::PATCH, &path, &admin, Some(&tag), Some(&off)).await;
    let changed = json_of(res, 200).await;
    assert_eq!(changed["enabled"], false);
    assert_eq!(changed["version"], 2);
    let t = open(
        &app,
        &member,
        "Again",
        "Something else happened.",
        "technical_problem",
    )
    .await;
    assert_eq!(t["priority"], "urgent", "{t}");
    assert_eq!(t["tags"], json!(["early"]));
    let h = history(&app, &admin, &id(&t)).await;
    assert_eq!(automation_lines(&h).len(), 1, "{h:?}");
    // Moved first and enabled again, it is overridden by the other.
    let res = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some("\"2\""),
        Some(&json!({"enabled": true, "position": 1})),
    )
    .await;
    json_of(res, 200).await;
    let t = open(&app, &member, "Third", "Once more.", "technical_problem").await;
    assert_eq!(t["priority"], "urgent", "{t}");
    assert_eq!(t["tags"], json!(["early", "late"]));
}

#[tokio::test]
async fn rules_are_validated_guarded_and_only_admins_write_them() {
    let (app, admin) = demo().await;
    let res = app
        .post_json(
            "/desk/automation-rules",
            Some(&admin),
            &json!({"name": "", "conditions": {}, "actions": [], "position": -1}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [
            ("name".to_string(), "required".to_string()),
            ("conditions".to_string(), "required".to_string()),
            ("actions".to_string(), "required".to_string()),
            ("position".to_string(), "range".to_string()),
        ]
    );
    let res = app
        .post_json(
            "/desk/automation-rules",
            Some(&admin),
            &json!({"name": "R", "conditions": {"clusters": ["billing"]},
                    "actions": [{"type": "add_tag", "tag": "x"},
                                {"type": "auto_reply", "canned_reply_id": "gone"},
                                {"type": "route", "department_id": "nowhere"}]}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [
            (
                "actions[1].canned_reply_id".to_string(),
                "exists".to_string()
            ),
            ("actions[2].department_id".to_string(), "exists".to_string()),
        ]
    );
    for bad in [
        json!({"name": "R", "conditions": {"clusters": ["billing"]}, "actions": [{"type": "delete_ticket"}]}),
        json!({"name": "R", "conditions": {"subjects": ["x"]}, "actions": [{"type": "escalate_to_human"}]}),
        json!({"name": "R", "conditions": {"clusters": ["billing"]}, "actions": [{"type": "escalate_to_human"}], "colour": "red"}),
    ] {
        let res = app
            .post_json("/desk/automation-rules", Some(&admin), &bad)
            .await;
        assert_problem(res, 422, "invalid_body").await;
    }
    let good = json!({"name": "Billing tag", "conditions": {"clusters": ["billing"]},
                      "actions": [{"type": "add_tag", "tag": "billing"}]});
    let agent = app.token("agent1@magicstore.test").await;
    let res = app
        .post_json("/desk/automation-rules", Some(&agent), &good)
        .await;
    assert_problem(res, 403, "forbidden").await;
    let client = app.token("admin@fashop.test").await;
    assert_problem(
        app.get("/desk/automation-rules", Some(&client)).await,
        403,
        "forbidden",
    )
    .await;
    let created = rule(&app, &admin, good.clone()).await;
    let res = app
        .post_json("/desk/automation-rules", Some(&admin), &good)
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("name".to_string(), "unique".to_string())]
    );
    // The agent reads it with its ETag; a stale delete is refused, a fresh one works.
    let path = format!("/desk/automation-rules/{}", id(&created));
    let res = send(&app, Method::GET, &path, &agent, None, None).await;
    assert_eq!(etag(&res), "\"1\"");
    let res = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        None,
        Some(&json!({"actions": []})),
    )
    .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("actions".to_string(), "required".to_string())]
    );
    let res = send(&app, Method::DELETE, &path, &agent, None, None).await;
    assert_problem(res, 403, "forbidden").await;
    let res = send(&app, Method::DELETE, &path, &admin, Some("\"3\""), None).await;
    assert_problem(res, 412, "precondition_failed").await;
    let res = send(&app, Method::DELETE, &path, &admin, Some("\"1\""), None).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&path, Some(&admin)).await, 404, "not_found").await;
}
