//! Configuring the support desk: business calendars, SLA
//! policies, cluster routes, departments' assignment strategy, agents' capacity and the
//! priority rules — their validation, ETags, who may change them, and what they do to the
//! next ticket.

mod common;

use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use reqwest::Method;
use serde_json::{Value, json};
use shared::desk::sla::{BusinessCalendar, WeeklyHours};

use common::calls::{demo, errors, etag, id, json_of, send};
use common::{TestApp, assert_problem, date};

fn office_week() -> Value {
    let day = json!([{"start": "09:00", "end": "18:00"}]);
    json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day})
}

async fn id_of(app: &TestApp, token: &str, path: &str, name: &str) -> String {
    let list = app.get_ok(path, token).await;
    let items = list["items"].as_array().or(list.as_array()).cloned();
    items
        .unwrap_or_default()
        .iter()
        .find(|x| x["name"] == name)
        .and_then(|x| x["id"].as_str())
        .unwrap_or_else(|| panic!("no {name} in {path}"))
        .to_string()
}

async fn open(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/tickets", Some(token), &body).await, 201).await
}

#[tokio::test]
async fn calendars_validate_name_their_fields_and_honour_if_match() {
    let (app, admin) = demo().await;
    // A time zone chrono-tz does not know, overlapping and inverted intervals, a duplicate
    // holiday, and an empty name: every field is named.
    let res = app
        .post_json(
            "/business-calendars",
            Some(&admin),
            &json!({
                "name": "", "time_zone": "Mars/Olympus_Mons",
                "week": {"mon": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "18:00"}],
                         "tue": [{"start": "18:00", "end": "09:00"}]},
                "holidays": [date(180), date(180)]
            }),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    let found = errors(&problem);
    for expected in [
        ("name", "required"),
        ("time_zone", "time_zone"),
        ("week.mon[1]", "overlap"),
        ("week.tue[0].end", "after_start"),
        ("holidays[1]", "duplicate"),
    ] {
        assert!(
            found.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} missing from {found:?}"
        );
    }
    // Unknown fields are refused.
    let res = app
        .post_json(
            "/business-calendars",
            Some(&admin),
            &json!({"name": "X", "time_zone": "UTC", "week": office_week(), "colour": "red"}),
        )
        .await;
    assert_problem(res, 422, "invalid_body").await;

    // Create, read with its ETag, replace with If-Match; a stale If-Match is 412.
    let res = app
        .post_json(
            "/business-calendars",
            Some(&admin),
            &json!({"name": "Rome office", "time_zone": "Europe/Rome", "week": office_week(),
                    "holidays": [date(180)]}),
        )
        .await;
    assert_eq!(etag(&res), "\"1\"");
    let cal = json_of(res, 201).await;
    assert_eq!(cal["time_zone"], "Europe/Rome");
    assert_eq!(cal["week"]["mon"][0]["start"], "09:00");
    assert_eq!(cal["policy_count"], 0);
    let id = cal["id"].as_str().expect("id").to_string();
    let path = format!("/business-calendars/{id}");
    let res = app.get(&path, Some(&admin)).await;
    assert_eq!(etag(&res), "\"1\"");
    // A duplicate name is a field error.
    let res = app
        .post_json(
            "/business-calendars",
            Some(&admin),
            &json!({"name": "Rome office", "time_zone": "UTC", "week": office_week()}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(errors(&problem), [("name".into(), "unique".into())]);

    let replaced = json!({"name": "Rome office", "time_zone": "Europe/Rome",
                          "week": {"mon": [{"start": "08:00", "end": null}]}});
    let res = send(
        &app,
        Method::PUT,
        &path,
        &admin,
        Some("\"1\""),
        Some(&replaced),
    )
    .await;
    assert_eq!(etag(&res), "\"2\"");
    let cal = json_of(res, 200).await;
    assert!(cal["week"]["mon"][0]["end"].is_null(), "{cal}");
    assert_eq!(cal["week"]["tue"], json!([]));
    let res = send(
        &app,
        Method::PUT,
        &path,
        &admin,
        Some("\"1\""),
        Some(&replaced),
    )
    .await;
    assert_problem(res, 412, "precondition_failed").await;

    // Staff read, clients do not, only admins write.
    let agent = app.token("agent1@magicstore.test").await;
    let list = app.get_ok("/business-calendars", &agent).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let res = send(&app, Method::PUT, &path, &agent, None, Some(&replaced)).await;
    assert_problem(res, 403, "forbidden").await;
    let client = app.token("admin@fashop.test").await;
    assert_problem(app.get(&path, Some(&client)).await, 403, "forbidden").await;

    // Deleting: refused while a policy uses it, then allowed.
    let policy = json_of(
        app.post_json(
            "/sla-policies",
            Some(&admin),
            &json!({"name": "Office hours", "first_response_minutes": 120, "calendar_id": id}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(policy["calendar_name"], "Rome office");
    let res = send(&app, Method::DELETE, &path, &admin, None, None).await;
    let problem = assert_problem(res, 409, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Office hours")),
        "{problem}"
    );
    let policy_path = format!("/sla-policies/{}", policy["id"].as_str().expect("id"));
    let res = send(
        &app,
        Method::DELETE,
        &policy_path,
        &admin,
        Some("\"7\""),
        None,
    )
    .await;
    assert_problem(res, 412, "precondition_failed").await;
    let res = send(
        &app,
        Method::DELETE,
        &policy_path,
        &admin,
        Some("\"1\""),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    let res = send(&app, Method::DELETE, &path, &admin, Some("\"2\""), None).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&path, Some(&admin)).await, 404, "not_found").await;
}

#[tokio::test]
async fn sla_policies_validate_minutes_and_calendars() {
    let (app, admin) = demo().await;
    let res = app
        .post_json(
            "/sla-policies",
            Some(&admin),
            &json!({"name": "Broken", "first_response_minutes": -10, "resolution_minutes": 0}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [
            ("first_response_minutes".into(), "range".into()),
            ("resolution_minutes".into(), "range".into())
        ]
    );
    let res = app
        .post_json(
            "/sla-policies",
            Some(&admin),
            &json!({"name": "Slow", "first_response_minutes": 600, "resolution_minutes": 60}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [(
            "resolution_minutes".into(),
            "not_before_first_response".into()
        )]
    );
    let res = app
        .post_json(
            "/sla-policies",
            Some(&admin),
            &json!({"name": "Nowhere", "first_response_minutes": 60,
                    "calendar_id": "01935c4e-8a1b-7c3d-9e4f-000000000000"}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(errors(&problem), [("calendar_id".into(), "exists".into())]);
    let res = app
        .post_json(
            "/sla-policies",
            Some(&admin),
            &json!({"name": "X", "first_response_minutes": 60, "on_breach": {"notify": true, "page": true}}),
        )
        .await;
    assert_problem(res, 422, "invalid_body").await;

    // Created with defaults: any priority and plan, notify on breach only.
    let res = app
        .post_json(
            "/sla-policies",
            Some(&admin),
            &json!({"name": "Urgent anywhere", "priority": "urgent", "plan": "  ",
                    "first_response_minutes": 30, "resolution_minutes": 240}),
        )
        .await;
    let tag = etag(&res);
    let p = json_of(res, 201).await;
    assert!(p["plan"].is_null(), "{p}");
    assert_eq!(
        p["on_breach"],
        json!({"notify": true, "raise_priority": false, "reassign": false})
    );
    let path = format!("/sla-policies/{}", p["id"].as_str().expect("id"));
    let body = json!({"name": "Urgent anywhere", "priority": "urgent",
                      "first_response_minutes": 15, "on_breach": {"reassign": true}});
    let res = send(&app, Method::PUT, &path, &admin, Some(&tag), Some(&body)).await;
    let p = json_of(res, 200).await;
    assert_eq!(p["first_response_minutes"], 15);
    assert!(p["resolution_minutes"].is_null());
    assert_eq!(p["version"], 2);
    let res = send(&app, Method::PUT, &path, &admin, Some(&tag), Some(&body)).await;
    assert_problem(res, 412, "precondition_failed").await;
    let csm = app.token("csm1@magicstore.test").await;
    let list = app.get_ok("/sla-policies", &csm).await;
    assert_eq!(list[0]["name"], "Urgent anywhere");
    let res = app
        .post_json(
            "/sla-policies",
            Some(&csm),
            &json!({"name": "Mine", "first_response_minutes": 5}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let member = app.token("member@fashop.test").await;
    assert_problem(
        app.get("/sla-policies", Some(&member)).await,
        403,
        "forbidden",
    )
    .await;
}

/// Where `at` falls in Rome: a weekday between 09:00 and 18:00 (18:00 itself counts: a target
/// that ends at closing time is due at closing time).
fn in_rome_office_hours(at: DateTime<Utc>) -> bool {
    let local = at.with_timezone(&chrono_tz::Europe::Rome);
    let minutes = local.hour() * 60 + local.minute();
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) && (9 * 60..=18 * 60).contains(&minutes)
}

fn parse(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("time"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_business_high_policy_with_rome_office_hours_times_a_new_fashop_ticket() {
    let (app, admin) = demo().await;
    // Priority rules: business is no longer premium and FaShop's spend (48,000) is under the
    // mark, so a critical product alone makes the ticket high (not urgent).
    let res = app.get("/desk/priority-rules", Some(&admin)).await;
    let tag = etag(&res);
    let rules = json_of(res, 200).await;
    assert_eq!(rules["premium_plans"], json!(["business"]));
    let res = send(
        &app,
        Method::PUT,
        "/desk/priority-rules",
        &admin,
        Some(&tag),
        Some(&json!({"premium_plans": [""], "high_spend_from": 0})),
    )
    .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [
            ("premium_plans[0]".into(), "required".into()),
            ("high_spend_from".into(), "minimum".into())
        ]
    );
    let new_rules = json!({"premium_plans": [" enterprise "], "high_spend_from": 1_000_000});
    let res = send(
        &app,
        Method::PUT,
        "/desk/priority-rules",
        &admin,
        Some(&tag),
        Some(&new_rules),
    )
    .await;
    let new_tag = etag(&res);
    assert_ne!(new_tag, tag);
    let saved = json_of(res, 200).await;
    assert_eq!(saved["premium_plans"], json!(["enterprise"]));
    let res = send(
        &app,
        Method::PUT,
        "/desk/priority-rules",
        &admin,
        Some(&tag),
        Some(&new_rules),
    )
    .await;
    assert_problem(res, 412, "precondition_failed").await;
    let agent = app.token("agent1@magicstore.test").await;
    let res = app.get("/desk/priority-rules", Some(&agent)).await;
    assert_eq!(etag(&res), new_tag);

    let cal = json_of(
        app.post_json(
            "/business-calendars",
            Some(&admin),
            &json!({"name": "Rome office", "time_zone": "Europe/Rome", "week": office_week()}),
        )
        .await,
        201,
    )
    .await;
    let cal_id = cal["id"].as_str().expect("id");
    // A less specific policy (high, any plan) loses to the one for high + business.
    let mut policy_ids = Vec::new();
    for body in [
        json!({"name": "High", "priority": "high", "first_response_minutes": 15}),
        json!({"name": "High business", "priority": "high", "plan": "Business",
               "first_response_minutes": 120, "resolution_minutes": 960, "calendar_id": cal_id}),
    ] {
        policy_ids.push(id(&json_of(
            app.post_json("/sla-policies", Some(&admin), &body).await,
            201,
        )
        .await));
    }

    let member = app.token("member@fashop.test").await;
    let checkout = id_of(&app, &member, "/products", "Checkout and payments").await;
    let t = open(
        &app,
        &member,
        json!({"subject": "Card payments fail", "body": "Every card payment fails.",
               "cluster": "technical_problem", "product_id": checkout}),
    )
    .await;
    assert_eq!(t["priority"], "high", "{t}");
    let reason = t["priority_reason"].as_str().expect("reason");
    assert!(
        reason.contains("critical") && reason.contains("plan business"),
        "{reason}"
    );
    let seen = app
        .get_ok(
            &format!("/tickets/{}", t["id"].as_str().expect("id")),
            &agent,
        )
        .await;
    let sla = &seen["sla"];
    assert_eq!(sla["policy_name"], "High business", "{seen}");
    let created = parse(&seen["created_at"]);
    let first = parse(&sla["first_response"]["due_at"]);
    let resolution = parse(&sla["resolution"]["due_at"]);
    assert!(in_rome_office_hours(first), "first response due {first}");
    assert!(
        in_rome_office_hours(resolution),
        "resolution due {resolution}"
    );
    // Exactly the calendar's arithmetic: 2 and 16 business hours from the opening.
    let rules = BusinessCalendar {
        time_zone: "Europe/Rome".into(),
        week: WeeklyHours::office(
            NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        ),
        holidays: vec![],
    };
    let tz = chrono_tz::Tz::from_str("Europe/Rome").expect("tz");
    // created_at is shown to the second; the clock started within that second.
    for (due, minutes) in [(first, 120), (resolution, 960)] {
        let expected = rules.add(&tz, created, Duration::minutes(minutes));
        let gap = (due - expected).num_seconds().abs();
        assert!(gap <= 1, "due {due}, expected {expected}");
    }
    // Staff outside the calendar's hours see the ticket's clock further than plain time.
    assert!(resolution - created >= Duration::hours(16));

    // The policy stays while the ticket runs on it (its name and breach rules are the
    // ticket's); once the ticket is resolved it can go.
    let policy = format!("/sla-policies/{}", policy_ids[1]);
    let res = send(&app, Method::DELETE, &policy, &admin, None, None).await;
    let problem = assert_problem(res, 409, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .starts_with("1 active ticket runs on this policy"),
        "{problem}"
    );
    let ticket = format!("/tickets/{}", t["id"].as_str().expect("id"));
    json_of(
        send(
            &app,
            Method::PATCH,
            &ticket,
            &agent,
            None,
            Some(&json!({"status": "resolved"})),
        )
        .await,
        200,
    )
    .await;
    let res = send(&app, Method::DELETE, &policy, &admin, None, None).await;
    assert_eq!(res.status(), 204);
}

/// Sends usage questions to the department from now on.
async fn route_usage_help_to(app: &TestApp, admin: &str, dept_id: &str) {
    let res = send(
        app,
        Method::PUT,
        "/cluster-routes/usage_help",
        admin,
        None,
        Some(&json!({"department_id": dept_id})),
    )
    .await;
    json_of(res, 200).await;
}

#[tokio::test]
async fn least_loaded_strategy_and_capacity_decide_the_assignee() {
    let (app, admin) = demo().await;
    let dept = json_of(
        app.post_json(
            "/departments",
            Some(&admin),
            &json!({"name": "Second level"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(dept["assignment_strategy"], "round_robin");
    let dept_id = dept["id"].as_str().expect("id").to_string();
    let mut agents = Vec::new();
    for (email, name) in [
        ("anna@magicstore.test", "Anna Aldi"),
        ("bruno@magicstore.test", "Bruno Berti"),
    ] {
        let u = json_of(
            app.post_json(
                "/users",
                Some(&admin),
                &json!({"email": email, "name": name, "role": "support_agent",
                        "department_ids": [dept_id], "password": common::PASSWORD}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(u["ticket_capacity"], 10);
        agents.push(u["id"].as_str().expect("id").to_string());
    }
    // Capacity: validated, agents only, shown on the user.
    let anna = format!("/users/{}", agents[0]);
    let res = app
        .patch_json(&anna, Some(&admin), &json!({"ticket_capacity": 0}))
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("ticket_capacity".into(), "range".into())]
    );
    let fashop_member = app.user_id(&admin, "member@fashop.test").await;
    let res = app
        .patch_json(
            &format!("/users/{fashop_member}"),
            Some(&admin),
            &json!({"ticket_capacity": 5}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("ticket_capacity".into(), "agents_only".into())]
    );
    for (id, capacity) in [(&agents[0], 1), (&agents[1], 5)] {
        let u = json_of(
            app.patch_json(
                &format!("/users/{id}"),
                Some(&admin),
                &json!({"availability": "online", "ticket_capacity": capacity}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(u["ticket_capacity"], capacity);
    }
    // The department's strategy, with its digest ETag honoured.
    let dept_path = format!("/departments/{dept_id}");
    let res = send(
        &app,
        Method::PATCH,
        &dept_path,
        &admin,
        Some("\"0000000000000000\""),
        Some(&json!({"assignment_strategy": "least_loaded"})),
    )
    .await;
    assert_problem(res, 412, "precondition_failed").await;
    let res = app
        .patch_json(
            &dept_path,
            Some(&admin),
            &json!({"assignment_strategy": "least_loaded", "description": "Hard cases"}),
        )
        .await;
    let tag = etag(&res);
    let dept = json_of(res, 200).await;
    assert_eq!(dept["assignment_strategy"], "least_loaded");
    assert_eq!(dept["description"], "Hard cases");
    assert_eq!(dept["member_count"], 2);
    let res = send(
        &app,
        Method::PATCH,
        &dept_path,
        &admin,
        Some(&tag),
        Some(&json!({"description": null})),
    )
    .await;
    assert!(json_of(res, 200).await["description"].is_null());
    let res = app
        .patch_json(
            &dept_path,
            Some(&admin),
            &json!({"strategy": "least_loaded"}),
        )
        .await;
    assert_problem(res, 422, "invalid_body").await;
    let agent = app.token("agent1@magicstore.test").await;
    let res = app
        .patch_json(&dept_path, Some(&agent), &json!({"name": "Mine"}))
        .await;
    assert_problem(res, 403, "forbidden").await;

    // Usage questions now go to the second level.
    route_usage_help_to(&app, &admin, &dept_id).await;
    let member = app.token("member@fashop.test").await;
    let ask = |n: u32| json!({"subject": format!("Question {n}"), "body": "How do I?", "cluster": "usage_help"});
    // 1: both free with nothing, Anna first (same load, never assigned, lower id).
    let t1 = open(&app, &member, ask(1)).await;
    assert_eq!(t1["assignee_name"], "Anna Aldi", "{t1}");
    // 2: Anna is at her capacity of 1; Bruno has the least load anyway.
    let t2 = open(&app, &member, ask(2)).await;
    assert_eq!(t2["assignee_name"], "Bruno Berti", "{t2}");
    // 3: both have one ticket; Anna was served longer ago, but she is at capacity: skipped.
    let t3 = open(&app, &member, ask(3)).await;
    assert_eq!(t3["assignee_name"], "Bruno Berti", "{t3}");
    let history = app
        .get_ok(
            &format!("/tickets/{}/history", t3["id"].as_str().expect("id")),
            &admin,
        )
        .await;
    let assigned = history
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["kind"] == "assigned")
        .and_then(|e| e["detail"].as_str())
        .expect("assigned entry")
        .to_string();
    assert!(
        assigned.contains("Bruno Berti")
            && assigned.contains("1 of 5 active")
            && assigned.contains("least loaded"),
        "{assigned}"
    );
    // Bruno's capacity lowered to his two tickets: nobody is free, and the reason says why.
    app.patch_json(
        &format!("/users/{}", agents[1]),
        Some(&admin),
        &json!({"ticket_capacity": 2}),
    )
    .await;
    let t4 = open(&app, &member, ask(4)).await;
    assert!(t4["assignee_id"].is_null(), "{t4}");
    let history = app
        .get_ok(
            &format!("/tickets/{}/history", t4["id"].as_str().expect("id")),
            &admin,
        )
        .await;
    let waiting = history
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["kind"] == "unassigned")
        .and_then(|e| e["detail"].as_str())
        .expect("unassigned entry")
        .to_string();
    assert!(waiting.contains("2 at capacity"), "{waiting}");
}

/// Tickets opened at the same moment are spread over the free agents: an assignment passes
/// over an agent who is being given another ticket right now, instead of waiting for that
/// transaction and then giving the same agent a second one.
#[tokio::test]
async fn tickets_opened_together_are_spread_over_the_free_agents() {
    let (app, admin) = demo().await;
    let dept = json_of(
        app.post_json("/departments", Some(&admin), &json!({"name": "Rush desk"}))
            .await,
        201,
    )
    .await;
    let dept_id = dept["id"].as_str().expect("id").to_string();
    let mut agents = Vec::new();
    for n in 1..=4 {
        let u = json_of(
            app.post_json(
                "/users",
                Some(&admin),
                &json!({"email": format!("rush{n}@magicstore.test"), "name": format!("Rush {n}"),
                        "role": "support_agent", "department_ids": [dept_id],
                        "password": common::PASSWORD}),
            )
            .await,
            201,
        )
        .await;
        let id = u["id"].as_str().expect("id").to_string();
        let res = app
            .patch_json(
                &format!("/users/{id}"),
                Some(&admin),
                &json!({"availability": "online"}),
            )
            .await;
        assert_eq!(res.status(), 200);
        agents.push(id);
    }
    route_usage_help_to(&app, &admin, &dept_id).await;
    let member = app.token("member@fashop.test").await;
    let opened = futures_util::future::join_all((0..8).map(|n| {
        open(
            &app,
            &member,
            json!({"subject": format!("Rush {n}"), "body": "How do I?", "cluster": "usage_help"}),
        )
    }))
    .await;
    let mut per_agent = std::collections::HashMap::new();
    for t in &opened {
        let who = t["assignee_id"]
            .as_str()
            .unwrap_or_else(|| panic!("unassigned: {t}"));
        *per_agent.entry(who.to_string()).or_insert(0) += 1;
    }
    assert_eq!(per_agent.len(), 4, "every agent got some: {per_agent:?}");
    assert!(
        per_agent.values().all(|&n| n <= 3),
        "no agent got a pile: {per_agent:?}"
    );
    assert!(app.assert_open_ticket_counts().await >= 8);
}

#[tokio::test]
async fn a_route_change_sends_the_next_ticket_of_the_cluster_elsewhere() {
    let (app, admin) = demo().await;
    let routes = app.get_ok("/cluster-routes", &admin).await;
    let routes = routes.as_array().expect("routes").clone();
    assert_eq!(routes.len(), 6);
    let billing = routes
        .iter()
        .find(|r| r["cluster"] == "billing")
        .expect("billing");
    assert_eq!(billing["department_name"], "Billing and accounts");
    assert_eq!(billing["routed"], true);
    let billing_dept = billing["department_id"].as_str().expect("id").to_string();

    let member = app.token("member@fashop.test").await;
    let question = json!({"subject": "Where is the export?", "body": "I cannot find it.", "cluster": "usage_help"});
    let before = open(&app, &member, question.clone()).await;
    assert_eq!(before["department_name"], "Technical support");

    // Validation: an unknown cluster is 404, an unknown department a field error.
    let res = send(
        &app,
        Method::PUT,
        "/cluster-routes/weather",
        &admin,
        None,
        Some(&json!({"department_id": billing_dept})),
    )
    .await;
    assert_problem(res, 404, "not_found").await;
    let res = send(
        &app,
        Method::PUT,
        "/cluster-routes/usage_help",
        &admin,
        None,
        Some(&json!({"department_id": "nope"})),
    )
    .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        errors(&problem),
        [("department_id".into(), "exists".into())]
    );
    let agent = app.token("agent1@magicstore.test").await;
    let res = send(
        &app,
        Method::PUT,
        "/cluster-routes/usage_help",
        &agent,
        None,
        Some(&json!({"department_id": billing_dept})),
    )
    .await;
    assert_problem(res, 403, "forbidden").await;
    let client = app.token("admin@fashop.test").await;
    assert_problem(
        app.get("/cluster-routes", Some(&client)).await,
        403,
        "forbidden",
    )
    .await;

    let res = send(
        &app,
        Method::PUT,
        "/cluster-routes/usage_help",
        &admin,
        None,
        Some(&json!({"department_id": billing_dept, "required_skill": " Billing "})),
    )
    .await;
    let route = json_of(res, 200).await;
    assert_eq!(route["department_name"], "Billing and accounts");
    assert_eq!(route["required_skill"], "billing");
    let after = open(&app, &member, question).await;
    assert_eq!(after["department_name"], "Billing and accounts", "{after}");
    assert_eq!(after["assignee_name"], "Luca Lombardi", "{after}");
    // The ticket opened before stays where it was.
    let still = app
        .get_ok(
            &format!("/tickets/{}", before["id"].as_str().expect("id")),
            &admin,
        )
        .await;
    assert_eq!(still["department_name"], "Technical support");
}
