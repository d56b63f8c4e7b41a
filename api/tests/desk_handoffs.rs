//! Returns, refunds and cancellations and repeated problems with their
//! support → CSM handoffs (item 9): the refund policy applied on arrival (approval inside the
//! window or without a date, an answer quoting the policy outside it), the approver's
//! decision reaching the client, the repeat rule for one client and across clients, one
//! handoff per problem, and handoffs moved on with ETags.

mod common;

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use common::calls::{demo, etag};
use common::{TestApp, assert_problem, date};

async fn product(app: &TestApp, token: &str, name: &str) -> String {
    let list = app.get_ok("/products", token).await;
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["name"] == name))
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("no product {name}: {list}"))
        .to_string()
}

async fn open(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.post_json("/tickets", Some(token), &body).await;
    let status = res.status();
    let json: Value = res.json().await.expect("json");
    assert_eq!(status, 201, "{json}");
    json["id"].as_str().expect("id").to_string()
}

async fn history(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let h = app.get_ok(&format!("/tickets/{id}/history"), token).await;
    h.as_array()
        .expect("history")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The thread's public replies as (author_name, body), as the caller sees them.
async fn replies(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let page = app.get_ok(&format!("/tickets/{id}/messages"), token).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == "reply")
        .map(|m| {
            (
                m["author_name"].as_str().unwrap_or_default().to_string(),
                m["body"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The caller's notifications of a kind, as titles.
async fn notified(app: &TestApp, token: &str, kind: &str) -> Vec<String> {
    let page = app.get_ok("/notifications", token).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == kind)
        .map(|n| n["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn refund_of(app: &TestApp, token: &str, ticket: &str) -> Value {
    app.get_ok(&format!("/tickets/{ticket}/refund-request"), token)
        .await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_refund_inside_the_window_waits_for_the_account_manager_who_answers_the_client() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let purchase = (Utc::now() - Duration::days(10)).date_naive();
    let ticket = open(
        &app,
        &member,
        json!({"subject": "Refund order 5512", "body": "The shoes do not fit.",
               "cluster": "return_refund", "purchase_date": purchase}),
    )
    .await;
    let r = refund_of(&app, &admin, &ticket).await;
    assert_eq!(r["status"], "pending", "{r}");
    assert_eq!(r["kind"], "return_refund");
    assert_eq!(r["approver_role"], "account_manager");
    assert_eq!(r["window_days"], 30);
    assert_eq!(r["reference_date"], purchase.to_string());
    assert_eq!(
        r["window_ends"],
        (purchase + Duration::days(30)).to_string()
    );
    let h = history(&app, &admin, &ticket).await;
    assert!(
        h.iter()
            .any(|(k, d)| k == "refund" && d.contains("waiting for approval by account_manager")),
        "{h:?}"
    );
    // The approver hears about it and finds it in the pending list; others are refused.
    let account = app.token("account@magicstore.test").await;
    let told = notified(&app, &account, "handoff").await;
    assert!(
        told.iter().any(|t| t.contains("waits for your approval")),
        "{told:?}"
    );
    let pending = app
        .get_ok("/refund-requests?status=pending", &account)
        .await;
    let ids: Vec<&str> = pending["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec![r["id"].as_str().expect("id")]);
    assert_eq!(pending["items"][0]["organization_name"], "FaShop Srl");
    let agent = app.token("agent1@magicstore.test").await;
    assert_problem(
        app.get("/refund-requests", Some(&agent)).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get(&format!("/tickets/{ticket}/refund-request"), Some(&member))
            .await,
        403,
        "forbidden",
    )
    .await;
    // Nothing was said to the client yet.
    assert!(replies(&app, &member, &ticket).await.len() == 1);

    let decision = format!(
        "/refund-requests/{}/decision",
        r["id"].as_str().expect("id")
    );
    assert_problem(
        app.post_json(&decision, Some(&agent), &json!({"decision": "approve"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    // A rejection must say why; a stale If-Match is refused.
    let p = assert_problem(
        app.post_json(&decision, Some(&account), &json!({"decision": "reject"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["note"]);
    assert_problem(
        app.post_json(
            &decision,
            Some(&account),
            &json!({"decision": "approve", "extra": 1}),
        )
        .await,
        422,
        "invalid_body",
    )
    .await;
    let stale = app
        .request(Method::POST, &decision, Some(&account))
        .header("If-Match", "\"7\"")
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .expect("request");
    assert_problem(stale, 412, "precondition_failed").await;

    let res = app
        .request(Method::POST, &decision, Some(&account))
        .header("If-Match", "\"1\"")
        .json(&json!({"decision": "approve", "note": "The refund reaches your card in 5 days."}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(etag(&res), "\"2\"");
    let decided: Value = res.json().await.expect("json");
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["decided_by_name"], "Andrea Arena", "{decided}");
    assert_eq!(
        decided["decision_note"],
        "The refund reaches your card in 5 days."
    );
    // The client sees the answer in the thread and was notified.
    let thread = replies(&app, &member, &ticket).await;
    let last = thread.last().expect("a reply");
    assert!(
        last.1
            .starts_with("Good news: your return or refund request has been approved.")
            && last.1.ends_with("The refund reaches your card in 5 days."),
        "{thread:?}"
    );
    assert_eq!(last.0, "Andrea Arena");
    assert!(!notified(&app, &member, "ticket_updated").await.is_empty());
    let h = history(&app, &admin, &ticket).await;
    assert!(
        h.iter()
            .any(|(k, d)| k == "refund" && d == "refund: approved by Andrea Arena"),
        "{h:?}"
    );
    // Decided once only.
    assert_problem(
        app.post_json(&decision, Some(&admin), &json!({"decision": "approve"}))
            .await,
        409,
        "conflict",
    )
    .await;
    let pending = app
        .get_ok("/refund-requests?status=pending", &account)
        .await;
    assert_eq!(pending["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn outside_the_window_the_desk_answers_with_the_policy() {
    let (app, admin) = demo().await;
    let member = app.token("member@bianchi.test").await;
    let purchase = (Utc::now() - Duration::days(45)).date_naive();
    let ticket = open(
        &app,
        &member,
        json!({"subject": "Return the bike", "body": "I want to return it.",
               "cluster": "return_refund", "purchase_date": purchase}),
    )
    .await;
    let r = refund_of(&app, &admin, &ticket).await;
    assert_eq!(r["status"], "refused_outside_window", "{r}");
    assert!(r["decided_at"].is_string());
    let thread = replies(&app, &member, &ticket).await;
    assert_eq!(thread.len(), 2, "{thread:?}");
    assert_eq!(thread[1].0, "Tandem");
    assert_eq!(
        thread[1].1,
        format!(
            "Our policy accepts return and refund requests within 30 days of purchase; this \
             request comes 45 days after it ({purchase}), so we cannot approve it. If you \
             believe the date is wrong, reply to this ticket with the correct one and we will \
             look at it again."
        )
    );
    let h = history(&app, &admin, &ticket).await;
    assert!(
        h.iter()
            .any(|(k, d)| k == "refund" && d.contains("outside the window")),
        "{h:?}"
    );
    // Nobody needs to approve it.
    let account = app.token("account@magicstore.test").await;
    let pending = app
        .get_ok("/refund-requests?status=pending", &account)
        .await;
    assert_eq!(pending["items"].as_array().map(Vec::len), Some(0));
    // Decided by the policy already.
    assert_problem(
        app.post_json(
            &format!(
                "/refund-requests/{}/decision",
                r["id"].as_str().expect("id")
            ),
            Some(&account),
            &json!({"decision": "approve"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn without_a_date_a_person_decides_even_on_a_cancellation() {
    let (app, admin) = demo().await;
    // No purchase date: the approver decides.
    let fashop = app.token("member@fashop.test").await;
    let ticket = open(
        &app,
        &fashop,
        json!({"subject": "Refund", "body": "Please refund my last invoice.", "cluster": "return_refund"}),
    )
    .await;
    let r = refund_of(&app, &admin, &ticket).await;
    assert_eq!(r["status"], "pending");
    assert!(r["reference_date"].is_null() && r["window_ends"].is_null());
    let h = history(&app, &admin, &ticket).await;
    assert!(
        h.iter()
            .any(|(k, d)| k == "refund" && d.contains("no purchase or order date")),
        "{h:?}"
    );
    // The admin may reject in the approver's place, with a reason the client reads.
    let res = app
        .post_json(
            &format!(
                "/refund-requests/{}/decision",
                r["id"].as_str().expect("id")
            ),
            Some(&admin),
            &json!({"decision": "reject", "note": "The invoice covers a used service."}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let thread = replies(&app, &fashop, &ticket).await;
    assert_eq!(
        thread.last().map(|r| r.1.as_str()),
        Some(
            "We are sorry: your return or refund request was not approved.\n\nThe invoice covers a used service."
        )
    );

    // A cancellation is of the service going forward: the contract's start (FaShop signed
    // 83 days ago, past the 30-day window) never refuses it; without an order date a person
    // decides.
    let cancel = json!({"subject": "Cancel", "body": "We want to cancel the contract.", "cluster": "cancellation"});
    let undated = open(&app, &fashop, cancel.clone()).await;
    let r = refund_of(&app, &admin, &undated).await;
    assert_eq!(r["kind"], "cancellation");
    assert_eq!(r["status"], "pending", "{r}");
    assert!(r["reference_date"].is_null(), "{r}");
    // With the order's date, the window counts from it.
    let bianchi = app.token("member@bianchi.test").await;
    let mut order = cancel.clone();
    order["purchase_date"] = json!((Utc::now() - Duration::days(45)).date_naive());
    let late = open(&app, &bianchi, order).await;
    let r = refund_of(&app, &admin, &late).await;
    assert_eq!(r["status"], "refused_outside_window", "{r}");
    let thread = replies(&app, &bianchi, &late).await;
    assert!(
        thread[1]
            .1
            .starts_with("Our policy accepts cancellation requests within 30 days of the order; this request comes 45 days after it"),
        "{thread:?}"
    );
    let mut order = cancel;
    order["purchase_date"] = json!((Utc::now() - Duration::days(21)).date_naive());
    let early = open(&app, &bianchi, order).await;
    let r = refund_of(&app, &admin, &early).await;
    assert_eq!(r["status"], "pending", "{r}");
    assert_eq!(
        r["reference_date"],
        (Utc::now() - Duration::days(21)).date_naive().to_string()
    );
    // Other clusters have no request.
    let other = open(
        &app,
        &bianchi,
        json!({"subject": "How?", "body": "How do I export?", "cluster": "usage_help"}),
    )
    .await;
    assert_problem(
        app.get(&format!("/tickets/{other}/refund-request"), Some(&admin))
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_refund_policy_and_repeat_rule_are_settings_admins_change() {
    let (app, admin) = demo().await;
    let res = app.get("/desk/refund-policy", Some(&admin)).await;
    assert_eq!(res.status(), 200);
    let tag = etag(&res);
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        body,
        json!({"window_days": 30, "approver_role": "account_manager"})
    );
    let p = assert_problem(
        app.request(Method::PUT, "/desk/refund-policy", Some(&admin))
            .json(&json!({"window_days": 0, "approver_role": "client_admin"}))
            .send()
            .await
            .expect("put"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["window_days", "approver_role"]);
    let res = app
        .request(Method::PUT, "/desk/refund-policy", Some(&admin))
        .header("If-Match", &tag)
        .json(&json!({"window_days": 60, "approver_role": "csm"}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let stale = app
        .request(Method::PUT, "/desk/refund-policy", Some(&admin))
        .header("If-Match", &tag)
        .json(&json!({"window_days": 14, "approver_role": "csm"}))
        .send()
        .await
        .expect("put");
    assert_problem(stale, 412, "precondition_failed").await;
    let csm = app.token("csm1@magicstore.test").await;
    assert_problem(
        app.request(Method::PUT, "/desk/refund-policy", Some(&csm))
            .json(&json!({"window_days": 14, "approver_role": "csm"}))
            .send()
            .await
            .expect("put"),
        403,
        "forbidden",
    )
    .await;
    // 45 days is now inside the window; the client's CSM approves and is told.
    let member = app.token("member@fashop.test").await;
    let purchase = (Utc::now() - Duration::days(45)).date_naive();
    let ticket = open(
        &app,
        &member,
        json!({"subject": "Refund", "body": "Refund please", "cluster": "return_refund", "purchase_date": purchase}),
    )
    .await;
    let r = refund_of(&app, &admin, &ticket).await;
    assert_eq!(
        (r["status"].as_str(), r["approver_role"].as_str()),
        (Some("pending"), Some("csm"))
    );
    assert!(!notified(&app, &csm, "handoff").await.is_empty());
    let listed = app.get_ok("/refund-requests", &csm).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));

    let p = assert_problem(
        app.request(Method::PUT, "/desk/repeat-rule", Some(&admin))
            .json(&json!({"per_client_tickets": 0, "per_client_days": 400, "across_clients_orgs": 3, "across_clients_days": 7}))
            .send()
            .await
            .expect("put"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["per_client_tickets", "per_client_days"]);
    let res = app
        .request(Method::PUT, "/desk/repeat-rule", Some(&admin))
        .json(&json!({"per_client_tickets": 2, "per_client_days": 30, "across_clients_orgs": 3, "across_clients_days": 7}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let rule = app.get_ok("/desk/repeat-rule", &csm).await;
    assert_eq!(rule["per_client_tickets"], 2);
    // Two tickets now make a repeat.
    let feed = product(&app, &member, "Product feed").await;
    for _ in 0..2 {
        open(
            &app,
            &member,
            json!({"subject": "Feed", "body": "The feed is stuck", "cluster": "technical_problem", "product_id": feed}),
        )
        .await;
    }
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let list = app
        .get_ok(&format!("/handoffs?organization_id={fashop}"), &admin)
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_problem(
        app.get("/desk/repeat-rule", Some(&member)).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_problem_repeated_by_one_client_tells_its_csm_once() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let checkout = product(&app, &member, "Checkout and payments").await;
    let body = json!({"subject": "Payments fail", "body": "Card payments fail again.",
                      "cluster": "product_not_working", "product_id": checkout});
    let mut tickets = Vec::new();
    for _ in 0..2 {
        tickets.push(open(&app, &member, body.clone()).await);
    }
    // Another cluster or product does not count toward the same problem.
    open(
        &app,
        &member,
        json!({"subject": "How to refund in checkout", "body": "How?", "cluster": "usage_help", "product_id": checkout}),
    )
    .await;
    assert!(notified(&app, &csm, "handoff").await.is_empty());
    let none = app.get_ok("/handoffs", &admin).await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));

    // The third about the same product and cluster: the CSM is told, a handoff is raised.
    let third = open(&app, &member, body.clone()).await;
    let told = notified(&app, &csm, "handoff").await;
    assert_eq!(
        told,
        vec!["Repeated problem: Checkout and payments (product not working) at FaShop Srl"]
    );
    let list = app
        .get_ok(&format!("/handoffs?ticket_id={third}"), &csm)
        .await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{list}");
    let h = &items[0];
    assert_eq!(h["kind"], "support_to_csm");
    assert_eq!(h["status"], "open");
    assert_eq!(h["owner_name"], "Carla Conti", "{h}");
    assert_eq!(h["organization_name"], "FaShop Srl");
    assert_eq!(h["ticket_id"], third.as_str());
    assert_eq!(h["cluster"], "product_not_working");
    assert!(h["created_by"].is_null());
    assert_eq!(
        h["summary"],
        "3 tickets about Checkout and payments (product not working) from this client in the last 30 days"
    );
    assert_eq!(
        h["due_on"],
        (Utc::now() + Duration::days(3)).date_naive().to_string()
    );
    // Linked to the client's project, so it shows there too.
    let project = h["project_id"].as_str().expect("FaShop has a project");
    let on_project = app
        .get_ok(&format!("/handoffs?project_id={project}&open=true"), &csm)
        .await;
    assert_eq!(on_project["items"].as_array().map(Vec::len), Some(1));
    let line = history(&app, &admin, &third).await;
    assert!(
        line.iter()
            .any(|(k, d)| k == "handoff" && d.contains("handed off to the client's CSM")),
        "{line:?}"
    );

    // A fourth joins the same handoff: no duplicate, no second notification.
    let fourth = open(&app, &member, body.clone()).await;
    assert_eq!(notified(&app, &csm, "handoff").await.len(), 1);
    let all = app.get_ok("/handoffs?owner=me", &csm).await;
    let items = all["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{all}");
    assert_eq!(items[0]["ticket_ids"], json!([third, fourth]));
    let line = history(&app, &admin, &fourth).await;
    assert!(
        line.iter()
            .any(|(k, d)| k == "handoff" && d.contains("joined the open handoff")),
        "{line:?}"
    );
    // While it is open, the same problem joins it without being counted again: even with a
    // rule no count could meet (an outage's thousands of tickets are not counted one by one).
    let res = app
        .request(Method::PUT, "/desk/repeat-rule", Some(&admin))
        .json(&json!({"per_client_tickets": 1000, "per_client_days": 30,
                      "across_clients_orgs": 1000, "across_clients_days": 7}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let fifth = open(&app, &member, body.clone()).await;
    let all = app.get_ok("/handoffs?owner=me", &csm).await;
    assert_eq!(
        all["items"][0]["ticket_ids"],
        json!([third, fourth, fifth]),
        "{all}"
    );
    let res = app
        .request(Method::PUT, "/desk/repeat-rule", Some(&admin))
        .json(&json!({"per_client_tickets": 3, "per_client_days": 30,
                      "across_clients_orgs": 3, "across_clients_days": 7}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    // Clients never see handoffs; a CSM of other clients does not either.
    assert_problem(app.get("/handoffs", Some(&member)).await, 403, "forbidden").await;
    let id = items[0]["id"].as_str().expect("id");
    assert_problem(
        app.get(&format!("/handoffs/{id}"), Some(&member)).await,
        404,
        "not_found",
    )
    .await;
    let csm2 = app.token("csm2@magicstore.test").await;
    assert_problem(
        app.get(&format!("/handoffs/{id}"), Some(&csm2)).await,
        404,
        "not_found",
    )
    .await;
    let theirs = app.get_ok("/handoffs", &csm2).await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));

    // Once done, the next repeat raises a new one.
    let res = app
        .patch_json(
            &format!("/handoffs/{id}"),
            Some(&csm),
            &json!({"status": "done"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let checkout_again = json!({"subject": "Payments fail", "body": "Still failing.",
                                "cluster": "product_not_working", "product_id": checkout});
    open(&app, &member, checkout_again).await;
    let all = app.get_ok("/handoffs?owner=me", &csm).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    let open_only = app.get_ok("/handoffs?owner=me&status=open", &csm).await;
    assert_eq!(open_only["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_problem_across_clients_tells_the_csm_of_the_client_that_tips_it() {
    let (app, admin) = demo().await;
    let storefront = product(&app, &admin, "Storefront").await;
    let body = json!({"subject": "Storefront down", "body": "The shop does not load.",
                      "cluster": "technical_problem", "product_id": storefront});
    let csm1 = app.token("csm1@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    for email in ["member@fashop.test", "member@verdi.test"] {
        let token = app.token(email).await;
        open(&app, &token, body.clone()).await;
    }
    assert!(notified(&app, &csm1, "handoff").await.is_empty());
    // Bianchi is the third organisation within 7 days: its CSM (csm2) is told.
    let bianchi = app.token("member@bianchi.test").await;
    let third = open(&app, &bianchi, body.clone()).await;
    let told = notified(&app, &csm2, "handoff").await;
    assert_eq!(told.len(), 1, "{told:?}");
    let list = app.get_ok("/handoffs", &csm2).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["organization_name"], "Bianchi Sport");
    assert_eq!(
        items[0]["summary"],
        "Storefront (technical problem) reported by 3 organisations in the last 7 days"
    );
    assert_eq!(items[0]["ticket_ids"], json!([third]));
    // Bianchi again: joins the open handoff rather than raising another.
    open(&app, &bianchi, body).await;
    let list = app.get_ok("/handoffs", &admin).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(notified(&app, &csm2, "handoff").await.len(), 1);
}

#[tokio::test]
async fn handoffs_are_raised_by_hand_and_moved_on_with_etags() {
    let (app, admin) = demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let account = app.user_id(&admin, "account@magicstore.test").await;
    let member_id = app.user_id(&admin, "member@fashop.test").await;

    // Validation names each field; unknown fields are refused.
    let p = assert_problem(
        app.post_json(
            "/handoffs",
            Some(&csm),
            &json!({"kind": "csm_to_account", "organization_id": fashop, "owner_id": account,
                    "title": " ", "summary": "x".repeat(2001), "due_on": date(14)}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["title", "summary"]);
    let p = assert_problem(
        app.post_json(
            "/handoffs",
            Some(&csm),
            &json!({"kind": "csm_to_account", "organization_id": fashop, "owner_id": member_id,
                    "title": "Upsell", "due_on": date(14)}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["owner_id"]);
    assert_problem(
        app.post_json(
            "/handoffs",
            Some(&csm),
            &json!({"kind": "csm_to_account", "organization_id": fashop, "owner_id": account,
                    "title": "Upsell", "due_on": date(14), "priority": "high"}),
        )
        .await,
        422,
        "invalid_body",
    )
    .await;
    let bianchi = app.org_id(&admin, "Bianchi Sport").await;
    let bianchi_project = app
        .get_ok(&format!("/projects?organization_id={bianchi}"), &admin)
        .await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let p = assert_problem(
        app.post_json(
            "/handoffs",
            Some(&admin),
            &json!({"kind": "csm_to_account", "organization_id": fashop, "owner_id": account,
                    "title": "Upsell", "due_on": date(14), "project_id": bianchi_project}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["project_id"]);

    // The CSM hands an upsell to the account manager, who is told.
    let res = app
        .post_json(
            "/handoffs",
            Some(&csm),
            &json!({"kind": "csm_to_account", "organization_id": fashop, "owner_id": account,
                    "title": "Upsell: second shop", "summary": "A second shop in spring.",
                    "due_on": date(14)}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(etag(&res), "\"1\"");
    let h: Value = res.json().await.expect("json");
    assert_eq!(h["owner_name"], "Andrea Arena");
    assert_eq!(h["status"], "open");
    let id = h["id"].as_str().expect("id").to_string();
    let am = app.token("account@magicstore.test").await;
    let told = notified(&app, &am, "handoff").await;
    assert_eq!(
        told,
        vec!["Handoff for you: Upsell: second shop at FaShop Srl"]
    );
    let mine = app.get_ok("/handoffs?owner=me", &am).await;
    assert_eq!(mine["items"][0]["id"], id.as_str());

    // The owner moves it on with If-Match; a stale ETag is refused.
    let path = format!("/handoffs/{id}");
    let res = app
        .request(Method::PATCH, &path, Some(&am))
        .header("If-Match", "\"1\"")
        .json(&json!({"status": "in_progress", "due_on": date(18)}))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
    assert_eq!(etag(&res), "\"2\"");
    let moved: Value = res.json().await.expect("json");
    assert_eq!(
        (moved["status"].as_str(), moved["due_on"].as_str()),
        (Some("in_progress"), Some(date(18).as_str()))
    );
    let stale = app
        .request(Method::PATCH, &path, Some(&am))
        .header("If-Match", "\"1\"")
        .json(&json!({"status": "done"}))
        .send()
        .await
        .expect("patch");
    assert_problem(stale, 412, "precondition_failed").await;
    let p = assert_problem(
        app.patch_json(&path, Some(&am), &json!({"title": ""}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), vec!["title"]);
    assert_problem(
        app.patch_json(&path, Some(&am), &json!({"status": "finished"}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    // Someone unrelated may read but not change it.
    let agent = app.token("agent1@magicstore.test").await;
    assert_eq!(app.get(&path, Some(&agent)).await.status(), 200);
    assert_problem(
        app.patch_json(&path, Some(&agent), &json!({"status": "done"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    // Handing it back to the CSM tells them.
    let csm_id = app.user_id(&admin, "csm1@magicstore.test").await;
    let res = app
        .patch_json(&path, Some(&am), &json!({"owner_id": csm_id}))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        notified(&app, &csm, "handoff")
            .await
            .iter()
            .any(|t| t == "Handoff for you: Upsell: second shop at FaShop Srl")
    );
    let done = app.get_ok("/handoffs?status=in_progress", &admin).await;
    assert_eq!(done["items"].as_array().map(Vec::len), Some(1));
}
