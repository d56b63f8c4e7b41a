//! What an attacker or a careless integrator tries: many writes of one object at once, NUL
//! bytes and control characters, a JSON array where an object belongs, cursors naming other
//! tenants' objects. On SQLite and PostgreSQL.

mod common;

use reqwest::Method;
use serde_json::{Value, json};

use common::calls::{demo, etag, id, json_of, send};
use common::{TestApp, assert_problem, date};

/// Sends the same request `n` times at once; answers the statuses.
async fn at_once(
    app: &TestApp,
    n: usize,
    method: Method,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Value,
) -> Vec<u16> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let mut req = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(token)
            .json(&body);
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        tasks.push(tokio::spawn(async move {
            req.send().await.expect("send").status().as_u16()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.expect("task"));
    }
    codes.sort();
    codes
}

fn wins(codes: &[u16], ok: u16, lost: &[u16]) {
    assert_eq!(
        codes.iter().filter(|c| **c == ok).count(),
        1,
        "exactly one wins: {codes:?}"
    );
    assert!(
        codes.iter().all(|c| *c == ok || lost.contains(c)),
        "the others lose with {lost:?}: {codes:?}"
    );
}

async fn open_ticket(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/tickets", Some(token), &body).await, 201).await
}

#[tokio::test]
async fn concurrent_writes_of_one_object_let_exactly_one_win() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;

    // One If-Match, fifty PATCHes: one lands, the others are stale.
    let ticket = open_ticket(
        &app,
        &member,
        json!({"subject": "Export fails", "body": "The CSV export stops.", "cluster": "technical_problem"}),
    )
    .await;
    let path = format!("/tickets/{}", id(&ticket));
    let tag = etag(&app.get(&path, Some(&agent)).await);
    let codes = at_once(
        &app,
        50,
        Method::PATCH,
        &path,
        &agent,
        Some(&tag),
        json!({"priority": "low"}),
    )
    .await;
    wins(&codes, 200, &[412]);
    // Without If-Match, fifty resolutions write one status change.
    at_once(
        &app,
        50,
        Method::PATCH,
        &path,
        &agent,
        None,
        json!({"status": "resolved"}),
    )
    .await;
    let history = app.get_ok(&format!("{path}/history"), &agent).await;
    let resolved = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| {
            e["kind"] == "status" && e["detail"].as_str().unwrap_or("").ends_with("to Resolved")
        })
        .count();
    assert_eq!(resolved, 1, "{history}");

    // Twenty decisions on one refund request: one reaches the client.
    let purchase = date(-10);
    let refund = open_ticket(
        &app,
        &member,
        json!({"subject": "Refund order 77", "body": "Wrong size.", "cluster": "return_refund",
               "purchase_date": purchase}),
    )
    .await;
    let request = app
        .get_ok(&format!("/tickets/{}/refund-request", id(&refund)), &admin)
        .await;
    let account = app.token("account@magicstore.test").await;
    let replies = |thread: &Value| {
        thread["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|m| m["kind"] == "reply")
            .count()
    };
    let thread = format!("/tickets/{}/messages", id(&refund));
    let before = replies(&app.get_ok(&thread, &member).await);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (c, url, token) = (
            app.client.clone(),
            app.url(&format!("/refund-requests/{}/decision", id(&request))),
            account.clone(),
        );
        let body = if i % 2 == 0 {
            json!({"decision": "approve"})
        } else {
            json!({"decision": "reject", "note": "Outside the policy."})
        };
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("send")
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.expect("task"));
    }
    wins(&codes, 200, &[409]);
    let after = app.get_ok(&thread, &member).await;
    assert_eq!(replies(&after), before + 1, "one public answer: {after}");

    // A board post, an appointment and a handoff: one If-Match, one winner each.
    let csm = app.token("csm1@magicstore.test").await;
    let project = app.get_ok("/projects", &member).await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let post = json_of(
        app.post_json(
            &format!("/projects/{project}/board"),
            Some(&csm),
            &json!({"body": "Go-live plan: draft."}),
        )
        .await,
        201,
    )
    .await;
    let appointment = json_of(
        app.post_json(
            &format!("/projects/{project}/appointments"),
            Some(&csm),
            &json!({"title": "Review", "kind": "review", "time_zone": "Europe/Rome",
                    "starts_at": format!("{}T09:00:00Z", date(5)),
                    "ends_at": format!("{}T10:00:00Z", date(5))}),
        )
        .await,
        201,
    )
    .await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let am = app.user_id(&admin, "account@magicstore.test").await;
    let handoff = json_of(
        app.post_json(
            "/handoffs",
            Some(&csm),
            &json!({"kind": "csm_to_account", "organization_id": fashop, "owner_id": am,
                    "title": "Upsell", "due_on": date(14)}),
        )
        .await,
        201,
    )
    .await;
    for (path, body) in [
        (
            format!("/board-posts/{}", id(&post)),
            json!({"body": "Final."}),
        ),
        (
            format!("/appointments/{}", id(&appointment)),
            json!({"title": "Review (moved)"}),
        ),
        (
            format!("/handoffs/{}", id(&handoff)),
            json!({"title": "Upsell: second shop"}),
        ),
    ] {
        let codes = at_once(&app, 20, Method::PATCH, &path, &csm, Some("\"1\""), body).await;
        wins(&codes, 200, &[412]);
        let res = send(&app, Method::GET, &path, &csm, None, None).await;
        assert_eq!(etag(&res), "\"2\"", "{path}: one write, one new version");
    }
}

#[tokio::test]
async fn nul_bytes_and_control_characters_are_named_or_not_found() {
    let (app, admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    // A NUL in a text of the body: 422 naming the field, nothing written.
    let p = assert_problem(
        app.post_json(
            "/organizations",
            Some(&admin),
            &json!({"name": "Evil\u{0}Corp"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "name");
    assert_eq!(p["errors"][0]["rule"], "no_nul");
    let p = assert_problem(
        app.post_json(
            "/tickets",
            Some(&member),
            &json!({"subject": "ok", "body": "fine", "tags": ["a", "b\u{0}"]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "tags[1]");
    let orgs = app.get_ok("/organizations?limit=200", &admin).await;
    assert!(
        !orgs.to_string().contains("Evil"),
        "nothing half-written: {orgs}"
    );
    // In a query parameter: 422 naming it; in a path: no such resource.
    for path in ["/tickets?q=%00", "/tickets?tag=%00", "/projects?q=a%00b"] {
        let p = assert_problem(app.get(path, Some(&admin)).await, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["rule"], "no_nul", "{path}");
    }
    for path in [
        "/tickets/%00",
        "/organizations/%00",
        "/projects/abc%00/activities",
        "/board-posts/%0A",
    ] {
        assert_problem(app.get(path, Some(&admin)).await, 404, "not_found").await;
    }
    assert_problem(
        app.patch_json("/tickets/%00", Some(&admin), &json!({"priority": "low"}))
            .await,
        404,
        "not_found",
    )
    .await;
    let res = app
        .client
        .get(app.url("/calendar/ical_abc%00.ics"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn only_a_json_object_is_a_body() {
    let (app, admin) = demo().await;
    let p = assert_problem(
        app.post_json("/organizations", Some(&admin), &json!(["Org by position"]))
            .await,
        422,
        "invalid_body",
    )
    .await;
    assert!(p["detail"].as_str().unwrap_or("").contains("object"), "{p}");
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let path = format!("/organizations/{fashop}");
    let before = app.get_ok(&path, &admin).await;
    for body in [json!([]), json!(null), json!("x"), json!(3)] {
        assert_problem(
            app.patch_json(&path, Some(&admin), &body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    assert_eq!(app.get_ok(&path, &admin).await, before, "nothing changed");
    let orgs = app.get_ok("/organizations?limit=200", &admin).await;
    assert!(!orgs.to_string().contains("Org by position"));
}

#[tokio::test]
async fn a_cursor_naming_another_tenants_object_is_as_unknown_as_a_made_up_one() {
    let (app, admin) = demo().await;
    let fashop_member = app.token("member@fashop.test").await;
    let bianchi_member = app.token("member@bianchi.test").await;
    let theirs = open_ticket(
        &app,
        &bianchi_member,
        json!({"subject": "Bianchi's own", "body": "Private.", "cluster": "technical_problem"}),
    )
    .await;
    open_ticket(
        &app,
        &fashop_member,
        json!({"subject": "FaShop's own", "body": "Ours.", "cluster": "technical_problem"}),
    )
    .await;
    let cursor =
        |id: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id);
    let made_up = cursor("0190a0b0-0000-7000-8000-000000000000");
    let other = cursor(&id(&theirs));
    let bianchi = app.org_id(&admin, "Bianchi Sport").await;
    let their_project = app
        .get_ok(&format!("/projects?organization_id={bianchi}"), &admin)
        .await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let other_project = cursor(&their_project);
    for (list, token) in [("/tickets", &fashop_member), ("/projects", &fashop_member)] {
        let foreign = if list == "/tickets" {
            &other
        } else {
            &other_project
        };
        let a = app
            .get(&format!("{list}?cursor={made_up}"), Some(token))
            .await;
        let b = app
            .get(&format!("{list}?cursor={foreign}"), Some(token))
            .await;
        let (sa, sb) = (a.status().as_u16(), b.status().as_u16());
        let (ja, jb): (Value, Value) =
            (a.json().await.expect("json"), b.json().await.expect("json"));
        assert_eq!((sa, sb), (422, 422), "{list}: {ja} / {jb}");
        assert_eq!(ja["errors"], jb["errors"], "{list}: the same answer");
    }
    // The cursor of one's own list still pages.
    let first = app.get_ok("/tickets?limit=1", &fashop_member).await;
    if let Some(next) = first["next_cursor"].as_str() {
        app.get_ok(&format!("/tickets?limit=1&cursor={next}"), &fashop_member)
            .await;
    }
}

#[tokio::test]
async fn repeats_of_one_idempotency_key_sent_at_once_replay_the_first_answer() {
    let (app, _admin) = demo().await;
    let member = app.token("member@fashop.test").await;
    let body =
        json!({"subject": "Invoice missing", "body": "November's invoice.", "cluster": "billing"});
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let req = app
            .client
            .post(app.url("/tickets"))
            .bearer_auth(&member)
            .header("Idempotency-Key", "burst-1")
            .json(&body);
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.expect("send");
            let status = res.status().as_u16();
            let json: Value = res.json().await.expect("json");
            (status, json["id"].as_str().unwrap_or_default().to_string())
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.expect("task"));
    }
    assert!(
        answers.iter().all(|(s, _)| *s == 201),
        "every repeat gets the first answer: {answers:?}"
    );
    let first = &answers[0].1;
    assert!(answers.iter().all(|(_, id)| id == first), "{answers:?}");
    let mine = app.get_ok("/tickets?q=invoice", &member).await;
    assert_eq!(mine["items"].as_array().expect("items").len(), 1, "{mine}");
}

#[tokio::test]
async fn a_client_user_is_never_a_member_of_a_support_department() {
    let (app, admin) = demo().await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    let departments = app.get_ok("/departments", &admin).await;
    let dept = departments
        .as_array()
        .or_else(|| departments["items"].as_array())
        .expect("departments")[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Refused when creating and when editing, each field named; nothing written.
    let p = assert_problem(
        app.post_json(
            "/users",
            Some(&admin),
            &json!({"email": "spy@fashop.test", "name": "Spy", "role": "client_member",
                    "organization_id": fashop, "department_ids": [dept], "skills": ["payments"]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["department_ids", "skills"], "{p}");
    let users = app.get_ok("/users?limit=200", &admin).await;
    assert!(!users.to_string().contains("spy@fashop.test"));
    let member = app.user_id(&admin, "member@fashop.test").await;
    for body in [
        json!({"department_ids": [dept]}),
        json!({"skills": ["payments"]}),
        json!({"ticket_capacity": 5}),
    ] {
        let field = body
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .expect("field");
        let p = assert_problem(
            app.patch_json(&format!("/users/{member}"), Some(&admin), &body)
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field.as_str(), "{p}");
    }

    // Even with a membership written behind the API's back, the department's events (other
    // organisations' tickets, internal notes) never reach the client user.
    {
        use api::db::schema::department_members as dm;
        use diesel::prelude::*;
        let (dept, member) = (dept.clone(), member.clone());
        app.state
            .db
            .tx(move |conn| {
                diesel::insert_into(dm::table)
                    .values((dm::department_id.eq(&dept), dm::user_id.eq(&member)))
                    .execute(conn)?;
                Ok(())
            })
            .await
            .expect("membership");
    }
    let spy = app.token("member@fashop.test").await;
    let seq = app.get_ok("/events?after=0", &spy).await["last_seq"].clone();
    let bianchi = app.token("member@bianchi.test").await;
    let mut theirs = Vec::new();
    for cluster in [
        "technical_problem",
        "billing",
        "return_refund",
        "usage_help",
    ] {
        let t = open_ticket(
            &app,
            &bianchi,
            json!({"subject": "Bianchi secret", "body": "Private matter.", "cluster": cluster}),
        )
        .await;
        theirs.push(t["id"].clone());
    }
    // Their own ticket's events still reach them.
    let own = open_ticket(
        &app,
        &spy,
        json!({"subject": "Our own", "body": "Ours.", "cluster": "technical_problem"}),
    )
    .await;
    let events = app.get_ok(&format!("/events?after={seq}"), &spy).await;
    let about: Vec<&Value> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| &e["payload"]["ticket_id"])
        .filter(|t| !t.is_null())
        .collect();
    assert!(
        about.iter().all(|t| !theirs.contains(t)),
        "no other organisation's ticket: {events}"
    );
    assert!(about.contains(&&own["id"]), "their own ticket: {events}");
}

/// Every list without path parameters answers its declared `limit` range exactly: the
/// largest value is a page, one more is a 422 naming `limit`; so does an empty cursor.
#[tokio::test]
async fn the_declared_parameter_rules_are_the_ones_the_server_enforces() {
    let (app, admin) = demo().await;
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        let Some(limit) = params.iter().find(|p| p["name"] == "limit") else {
            continue;
        };
        if path.contains('{') {
            continue;
        }
        let schema = &limit["schema"];
        assert_eq!(schema["type"], "integer", "{path}: {schema}");
        assert_eq!(schema["minimum"], 1, "{path}");
        let max = schema["maximum"].as_i64().expect("maximum");
        let local = path.trim_start_matches("/api/v1");
        let res = app.get(&format!("{local}?limit={max}"), Some(&admin)).await;
        assert_eq!(res.status(), 200, "{path}?limit={max}");
        for bad in [0, max + 1] {
            let p = assert_problem(
                app.get(&format!("{local}?limit={bad}"), Some(&admin)).await,
                422,
                "validation_failed",
            )
            .await;
            assert_eq!(p["errors"][0]["field"], "limit", "{path}?limit={bad}: {p}");
        }
        if params.iter().any(|p| p["name"] == "cursor") {
            assert_eq!(
                app.get(&format!("{local}?cursor="), Some(&admin))
                    .await
                    .status(),
                422,
                "{path}?cursor="
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} lists checked");
    // An Idempotency-Key is 1 to 255 visible characters: no spaces.
    for key in ["has space", &"k".repeat(256)] {
        let res = app
            .request(Method::POST, "/tickets", Some(&admin))
            .header("Idempotency-Key", key)
            .json(&json!({"subject": "x", "body": "y"}))
            .send()
            .await
            .expect("send");
        let p = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
    }
}

#[tokio::test]
async fn a_known_path_asked_with_another_method_answers_405_with_allow() {
    let (app, admin) = demo().await;
    for (method, path, allow) in [
        (Method::DELETE, "/tickets", "GET, POST"),
        (
            Method::PUT,
            "/tickets/0190a0b0-0000-7000-8000-000000000000",
            "GET, PATCH",
        ),
        (Method::POST, "/health", "GET"),
        (Method::GET, "/activities/x/transitions", "POST"),
    ] {
        let res = send(&app, method.clone(), path, &admin, None, None).await;
        assert_eq!(
            res.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        assert_problem(res, 405, "method_not_allowed").await;
    }
    assert_problem(
        app.get("/no-such-thing", Some(&admin)).await,
        404,
        "not_found",
    )
    .await;
}
