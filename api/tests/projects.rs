//! Projects, templates and the checklist against the real server, on SQLite
//! and PostgreSQL.

mod common;

use serde_json::{Value, json};

use common::{TestApp, assert_problem, date, day, spawn_app};

async fn verdi_project(app: &TestApp, csm: &str, template: Option<&str>) -> Value {
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    // A kick-off a week ahead: none of the new project's items is overdue yet.
    let mut body =
        json!({"organization_id": verdi, "name": "Onboarding Verdi", "kickoff_date": date(7)});
    if let Some(t) = template {
        body["template_id"] = json!(t);
    }
    let res = app.post_json("/projects", Some(csm), &body).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("location").is_some());
    res.json().await.expect("json")
}

async fn builtin_template(app: &TestApp, token: &str) -> String {
    let list = app.get_ok("/project-templates", token).await;
    let first = &list.as_array().expect("list")[0];
    assert_eq!(first["builtin"], true);
    assert_eq!(first["name"], "Onboarding — e-commerce");
    first["id"].as_str().expect("id").to_string()
}

async fn checklist(app: &TestApp, token: &str, project: &str) -> Value {
    app.get_ok(&format!("/projects/{project}/activities"), token)
        .await
}

/// The first item of `category` for which `responsible` is the ticking side.
fn item<'a>(list: &'a Value, category: &str, responsible: &str) -> &'a Value {
    list["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["name"] == category)
        .and_then(|c| {
            c["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["responsible"] == responsible)
        })
        .expect("item")
}

async fn transition(app: &TestApp, token: &str, item: &str, body: Value) -> reqwest::Response {
    app.post_json(
        &format!("/activities/{item}/transitions"),
        Some(token),
        &body,
    )
    .await
}

#[tokio::test]
async fn a_csm_creates_a_project_from_the_template_with_dates_from_the_kickoff() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let template = builtin_template(&app, &csm).await;
    let project = verdi_project(&app, &csm, Some(&template)).await;
    assert_eq!(project["organization_name"], "Verdi Arredamenti");
    assert_eq!(project["csm_name"], "Carla Conti");
    assert_eq!(project["kickoff_date"], date(7));
    assert_eq!(project["coverage"]["active"], true);
    // The demo's contract started a fixed number of days before today.
    let org = app
        .get_ok(
            &format!(
                "/organizations/{}",
                project["organization_id"]
                    .as_str()
                    .expect("organization_id")
            ),
            &csm,
        )
        .await;
    let start: chrono::NaiveDate = org["contract_start"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("contract start: {org}"));
    let ends_on = start + chrono::Months::new(12);
    assert_eq!(
        project["coverage"]["ends_on"],
        ends_on.to_string(),
        "12 months from contract start"
    );
    let id = project["id"].as_str().expect("id");
    let list = checklist(&app, &csm, id).await;
    let names: Vec<&str> = list["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Kick-off",
            "Training",
            "E-commerce data collection",
            "Go-live"
        ]
    );
    let call = &list["categories"][0]["items"][0];
    assert_eq!(call["title"], "Kick-off call");
    assert_eq!(call["due_date"], date(7), "day 0 is the kick-off");
    assert_eq!(
        item(&list, "Training", "client")["due_date"],
        date(7 + 14),
        "14 days after kick-off"
    );
    assert_eq!(list["progress"]["done"], 0);
    assert_eq!(list["progress"]["applicable"], 14);

    // Without a template: one empty Kick-off category.
    let bare = verdi_project(&app, &csm, None).await;
    let list = checklist(&app, &csm, bare["id"].as_str().expect("id")).await;
    assert_eq!(list["categories"].as_array().expect("c").len(), 1);
    assert_eq!(list["categories"][0]["name"], "Kick-off");
    assert_eq!(list["progress"]["percent"], 100);
}

#[tokio::test]
async fn who_may_create_projects_and_what_is_refused() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let vendor = app.org_id(&admin, "MagicStore").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let body = json!({"organization_id": verdi, "name": "X", "kickoff_date": date(7)});
    // csm2 does not look after Verdi: to them it does not exist.
    let res = app.post_json("/projects", Some(&csm2), &body).await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "organization_id");
    let agent = app.token("agent1@magicstore.test").await;
    let res = app.post_json("/projects", Some(&agent), &body).await;
    assert_problem(res, 403, "forbidden").await;
    // The vendor has no projects.
    let res = app
        .post_json(
            "/projects",
            Some(&admin),
            &json!({"organization_id": vendor, "name": "X", "kickoff_date": date(7)}),
        )
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["rule"], "client_only");
    // Every broken field at once.
    let res = app
        .post_json(
            "/projects",
            Some(&admin),
            &json!({"organization_id": "", "name": " ", "kickoff_date": date(7)}),
        )
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"].as_array().expect("errors").len(), 2);
    let res = app
        .post_json(
            "/projects",
            Some(&admin),
            &json!({"organization_id": verdi, "name": "X", "kickoff_date": "01/12/2026"}),
        )
        .await;
    assert_problem(res, 422, "invalid_body").await;
    let res = app
        .post_json(
            "/projects",
            Some(&admin),
            &json!({"organization_id": verdi, "name": "X", "kickoff_date": date(7), "template_id": "01a20000-0000-7000-8000-000000000000"}),
        )
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "template_id");
    // Nothing was half-written.
    let page = app
        .get_ok(&format!("/projects?organization_id={verdi}"), &admin)
        .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 0);
}

#[tokio::test]
async fn templates_open_with_kickoff_and_are_edited_with_if_match() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let bad = json!({"name": "T", "categories": [{"name": "Training", "items": [{"title": "", "responsible": "client", "due_after_days": -3, "links": [{"title": "x", "url": "javascript:alert(1)"}]}]}]});
    let res = app.post_json("/project-templates", Some(&csm), &bad).await;
    let p = assert_problem(res, 422, "validation_failed").await;
    let rules: Vec<(String, String)> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().expect("f").to_string(),
                e["rule"].as_str().expect("r").to_string(),
            )
        })
        .collect();
    for expected in [
        ("categories[0].name", "kickoff_first"),
        ("categories[0].items[0].title", "required"),
        ("categories[0].items[0].due_after_days", "range"),
        ("categories[0].items[0].links[0].url", "url"),
    ] {
        assert!(
            rules.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {rules:?}"
        );
    }
    let good = json!({"name": "Marketplace", "categories": [{"name": "Kick-off", "items": [{"title": "Call", "responsible": "csm", "due_after_days": 0}]}]});
    let res = app.post_json("/project-templates", Some(&csm), &good).await;
    assert_eq!(res.status(), 201);
    let t: Value = res.json().await.expect("json");
    let path = format!("/project-templates/{}", t["id"].as_str().expect("id"));
    let res = app.post_json("/project-templates", Some(&csm), &good).await;
    assert_problem(res, 422, "validation_failed").await;
    let mut renamed = good.clone();
    renamed["name"] = json!("Marketplace v2");
    let res = app
        .request(reqwest::Method::PUT, &path, Some(&csm))
        .header("If-Match", "\"1\"")
        .json(&renamed)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let res = app
        .request(reqwest::Method::PUT, &path, Some(&csm))
        .header("If-Match", "\"1\"")
        .json(&good)
        .send()
        .await
        .expect("put");
    assert_problem(res, 412, "precondition_failed").await;
    let client = app.token("admin@fashop.test").await;
    assert_problem(
        app.get("/project-templates", Some(&client)).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn ticking_follows_the_state_machine_and_tells_the_other_side() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let member = app.token("member@fashop.test").await;
    let project = app.get_ok("/projects", &client).await["items"][0]["id"]
        .as_str()
        .expect("FaShop's project")
        .to_string();
    let list = checklist(&app, &client, &project).await;
    let training = item(&list, "Training", "client").clone();
    let data = item(&list, "E-commerce data collection", "csm").clone();
    let tid = training["id"].as_str().expect("id");
    let did = data["id"].as_str().expect("id");
    assert_eq!(training["allowed_actions"], json!(["complete"]));
    assert_eq!(
        data["allowed_actions"],
        json!([]),
        "not the client's to tick"
    );

    // The client ticks a training item: the CSM hears of it, nobody else.
    let res = transition(&app, &client, tid, json!({"action": "complete"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let ticked: Value = res.json().await.expect("json");
    assert_eq!(ticked["state"], "done");
    assert_eq!(ticked["done_by_name"], "Francesca Fabbri");
    assert_eq!(ticked["allowed_actions"], json!(["reopen"]));
    let inbox = app.get_ok("/notifications", &csm).await;
    assert_eq!(inbox["unread_count"], 1);
    let n = &inbox["items"][0];
    assert_eq!(n["kind"], "item_ticked");
    assert_eq!(n["actor_name"], "Francesca Fabbri");
    assert!(
        n["title"]
            .as_str()
            .expect("t")
            .contains(training["title"].as_str().expect("t"))
    );
    assert!(
        n["body"].as_str().expect("b").contains("1 of 14 done"),
        "{n}"
    );
    assert_eq!(n["link"], format!("/projects/{project}"));
    assert_eq!(
        app.get_ok("/notifications", &member).await["unread_count"],
        0
    );
    assert_eq!(
        app.get_ok("/notifications", &client).await["unread_count"],
        0,
        "not told of their own tick"
    );

    // A client may not tick the CSM's item, nor skip, nor tick twice.
    let res = transition(&app, &client, did, json!({"action": "complete"})).await;
    let p = assert_problem(res, 409, "transition_not_allowed").await;
    assert_eq!(p["detail"], "this item is for the CSM to tick");
    let res = transition(&app, &client, tid, json!({"action": "complete"})).await;
    assert_problem(res, 409, "transition_not_allowed").await;
    let res = transition(&app, &member, did, json!({"action": "skip"})).await;
    assert_problem(res, 409, "transition_not_allowed").await;
    // Observers read but do not tick.
    let agent = app.token("agent1@magicstore.test").await;
    let res = transition(&app, &agent, did, json!({"action": "complete"})).await;
    assert_problem(res, 403, "forbidden").await;
    // Unknown actions and fields are refused as such.
    let res = transition(&app, &csm, did, json!({"action": "explode"})).await;
    assert_problem(res, 422, "invalid_body").await;

    // The CSM ticks a data-collection item: both client users hear of it.
    let res = transition(&app, &csm, did, json!({"action": "complete"})).await;
    assert_eq!(res.status(), 200);
    for token in [&client, &member] {
        let inbox = app.get_ok("/notifications", token).await;
        assert_eq!(inbox["unread_count"], 1);
        assert_eq!(inbox["items"][0]["actor_name"], "Carla Conti");
    }

    // Reopening needs a reason; the history keeps every move.
    let res = transition(&app, &client, tid, json!({"action": "reopen"})).await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "reason");
    let res = transition(
        &app,
        &client,
        tid,
        json!({"action": "reopen", "reason": "Session cut short"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let inbox = app.get_ok("/notifications", &csm).await;
    assert_eq!(inbox["items"][0]["kind"], "item_reopened");
    assert!(
        inbox["items"][0]["body"]
            .as_str()
            .expect("b")
            .contains("Session cut short")
    );
    let history = app
        .get_ok(&format!("/activities/{tid}/history"), &csm)
        .await;
    let moves: Vec<(&str, &str, &str)> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["action"].as_str().expect("a"),
                m["from_state"].as_str().expect("f"),
                m["to_state"].as_str().expect("t"),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [("complete", "todo", "done"), ("reopen", "done", "todo")]
    );
    assert_eq!(history["items"][1]["reason"], "Session cut short");
    assert_eq!(history["items"][1]["actor_name"], "Francesca Fabbri");

    // Skipping takes the item out of progress; only the CSM side un-skips.
    let res = transition(&app, &csm, tid, json!({"action": "skip"})).await;
    assert_eq!(res.status(), 200);
    let list = checklist(&app, &client, &project).await;
    assert_eq!(list["progress"]["applicable"], 13);
    assert_eq!(list["progress"]["done"], 1);
    let res = transition(
        &app,
        &client,
        tid,
        json!({"action": "reopen", "reason": "we need it"}),
    )
    .await;
    assert_problem(res, 409, "transition_not_allowed").await;
}

#[tokio::test]
async fn concurrent_edits_are_safe() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let project = app.get_ok("/projects", &client).await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let list = checklist(&app, &csm, &project).await;
    let it = item(&list, "Training", "client");
    let id = it["id"].as_str().expect("id");
    // A stale If-Match loses; the item is unchanged.
    let res = app
        .request(
            reqwest::Method::PATCH,
            &format!("/activities/{id}"),
            Some(&csm),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"due_date": date(34)}))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/activities/{id}/transitions"),
            Some(&client),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"action": "complete"}))
        .send()
        .await
        .expect("post");
    assert_problem(res, 412, "precondition_failed").await;
    let now = app
        .get_ok(&format!("/projects/{project}/activities"), &client)
        .await;
    let it = item(&now, "Training", "client");
    assert_eq!(it["state"], "todo");
    assert_eq!(it["due_date"], date(34));
    // Many ticks at once on one item: exactly one wins, one history row.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, url, token) = (
            app.client.clone(),
            app.url(&format!("/activities/{id}/transitions")),
            client.clone(),
        );
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .bearer_auth(token)
                .json(&json!({"action": "complete"}))
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.expect("task"));
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert!(
        codes.iter().all(|c| [200, 409, 412].contains(c)),
        "{codes:?}"
    );
    let history = app.get_ok(&format!("/activities/{id}/history"), &csm).await;
    assert_eq!(history["items"].as_array().expect("items").len(), 1);
    let inbox = app.get_ok("/notifications", &csm).await;
    assert_eq!(inbox["unread_count"], 1, "one tick, one notification");
}

#[tokio::test]
async fn the_csm_shapes_the_checklist() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let project = app.get_ok("/projects", &client).await["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string();
    let list = checklist(&app, &csm, &project).await;
    let training = list["categories"][1]["id"].as_str().expect("id");
    let res = app
        .post_json(
            &format!("/projects/{project}/activities"),
            Some(&csm),
            &json!({"category_id": training, "title": "Training: returns", "responsible": "client", "due_date": date(13), "links": [{"title": "Guide", "url": "https://help.example.com/returns"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let added: Value = res.json().await.expect("json");
    assert_eq!(added["position"], 4, "last in its category");
    assert_eq!(added["links"][0]["url"], "https://help.example.com/returns");
    let res = app
        .post_json(
            &format!("/projects/{project}/activities"),
            Some(&client),
            &json!({"category_id": training, "title": "Mine", "responsible": "client"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    // A category of another project is not this project's.
    let admin = app.token("admin@magicstore.test").await;
    let bianchi = app.org_id(&admin, "Bianchi Sport").await;
    let other = app
        .get_ok(&format!("/projects?organization_id={bianchi}"), &admin)
        .await["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let other_cat = checklist(&app, &admin, &other).await["categories"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let res = app
        .post_json(
            &format!("/projects/{project}/activities"),
            Some(&csm),
            &json!({"category_id": other_cat, "title": "Stray", "responsible": "client"}),
        )
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "category_id");
    // Edits: a due date set, then cleared; the client may not edit.
    let id = added["id"].as_str().expect("id");
    let res = app
        .patch_json(
            &format!("/activities/{id}"),
            Some(&csm),
            &json!({"due_date": null, "title": "Training: returns and refunds"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let changed: Value = res.json().await.expect("json");
    assert_eq!(changed["due_date"], Value::Null);
    assert_eq!(changed["version"], 2);
    let res = app
        .patch_json(
            &format!("/activities/{id}"),
            Some(&client),
            &json!({"title": "Mine now"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .patch_json(
            &format!("/activities/{id}"),
            Some(&csm),
            &json!({"state": "done"}),
        )
        .await;
    assert_problem(res, 422, "invalid_body").await;
}

#[tokio::test]
async fn the_dashboard_shows_progress_overdue_items_and_filters() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let template = builtin_template(&app, &csm).await;
    verdi_project(&app, &csm, Some(&template)).await;
    let page = app.get_ok("/projects", &csm).await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["organization_name"].as_str().expect("name"))
        .collect();
    // Earliest kick-off first; Bianchi is csm2's.
    assert_eq!(names, ["FaShop Srl", "Verdi Arredamenti"]);
    let fashop = &page["items"][0];
    assert!(
        fashop["overdue_items"].as_i64().expect("n") > 0,
        "the demo's due dates have passed"
    );
    assert_eq!(fashop["coverage"]["lifetime"], true, "business plan");
    let overdue = app.get_ok("/projects?overdue=true", &csm).await;
    assert_eq!(overdue["items"].as_array().expect("items").len(), 1);
    let by_text = app.get_ok("/projects?q=verdi", &csm).await;
    assert_eq!(
        by_text["items"][0]["organization_name"],
        "Verdi Arredamenti"
    );
    let first = app.get_ok("/projects?limit=1&sort=name", &csm).await;
    let cursor = first["next_cursor"].as_str().expect("another page");
    let second = app
        .get_ok(
            &format!("/projects?limit=1&sort=name&cursor={cursor}"),
            &csm,
        )
        .await;
    assert_eq!(second["items"].as_array().expect("items").len(), 1);
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    assert!(second["next_cursor"].is_null());
    assert_problem(
        app.get("/projects?sort=mood", Some(&csm)).await,
        422,
        "validation_failed",
    )
    .await;
    // A client sees only their own organisation's project; another's is 404 everywhere.
    let bianchi = app.token("member@bianchi.test").await;
    let own = app.get_ok("/projects", &bianchi).await;
    assert_eq!(own["items"].as_array().expect("items").len(), 1);
    let fashop_id = fashop["id"].as_str().expect("id");
    for path in [
        format!("/projects/{fashop_id}"),
        format!("/projects/{fashop_id}/activities"),
    ] {
        assert_problem(app.get(&path, Some(&bianchi)).await, 404, "not_found").await;
    }
    let list = checklist(&app, &csm, fashop_id).await;
    let it = item(&list, "Training", "client")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let res = transition(&app, &bianchi, &it, json!({"action": "complete"})).await;
    assert_problem(res, 404, "not_found").await;
    assert_problem(
        app.get(&format!("/activities/{it}/history"), Some(&bianchi))
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn when_coverage_ends_the_client_moves_to_low_touch() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let bianchi = app.org_id(&admin, "Bianchi Sport").await;
    let fashop = app.org_id(&admin, "FaShop Srl").await;
    // Bianchi (standard plan) signed 13 months ago; FaShop (business) ten years ago.
    let signed = day(0) - chrono::Months::new(13);
    let long_ago = day(0) - chrono::Months::new(120);
    for (org, start) in [(&bianchi, signed), (&fashop, long_ago)] {
        let res = app
            .patch_json(
                &format!("/organizations/{org}"),
                Some(&admin),
                &json!({"contract_start": start.to_string()}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let project = app
        .get_ok(&format!("/projects?organization_id={bianchi}"), &admin)
        .await["items"][0]
        .clone();
    assert_eq!(project["coverage"]["active"], false);
    assert_eq!(
        project["coverage"]["ends_on"],
        (signed + chrono::Months::new(12)).to_string()
    );
    let today = chrono::Utc::now().date_naive();
    let moved = app
        .state
        .db
        .tx(move |conn| api::coverage::sweep(conn, today))
        .await
        .expect("sweep");
    assert_eq!(moved, 1);
    let org = app
        .get_ok(&format!("/organizations/{bianchi}"), &admin)
        .await;
    assert_eq!(org["touch_model"], "low");
    let org = app
        .get_ok(&format!("/organizations/{fashop}"), &admin)
        .await;
    assert_eq!(org["touch_model"], "high", "business coverage is for life");
    // Once moved, nothing more to do.
    let again = app
        .state
        .db
        .tx(move |conn| api::coverage::sweep(conn, today))
        .await
        .expect("sweep");
    assert_eq!(again, 0);
}
