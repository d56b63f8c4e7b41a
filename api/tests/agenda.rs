//! Appointments, the project agenda and the reminder sweep against the
//! real server, on SQLite and PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use api::db::schema::{activities as a, events as ev, jobs as j, notifications as n};
use common::{TestApp, assert_problem, spawn_app, spawn_app_with};

/// The demo project of an organisation (as the admin sees it).
async fn project_of(app: &TestApp, org: &str) -> String {
    let admin = app.token("admin@magicstore.test").await;
    let org_id = app.org_id(&admin, org).await;
    let page = app
        .get_ok(&format!("/projects?organization_id={org_id}"), &admin)
        .await;
    page["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{org} has a project: {page}"))
        .to_string()
}

fn at(hours_from_now: i64) -> String {
    (Utc::now() + chrono::Duration::hours(hours_from_now))
        .format("%Y-%m-%dT%H:%M:00Z")
        .to_string()
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn appointment(title: &str, starts_at: &str, ends_at: &str, attendees: &[&str]) -> Value {
    json!({
        "title": title, "kind": "training", "starts_at": starts_at, "ends_at": ends_at,
        "time_zone": "Europe/Rome", "location": "Via Roma 1, Milano",
        "video_url": "https://meet.example.com/training", "description": "Bring the catalogue.",
        "attendee_ids": attendees,
    })
}

async fn create(app: &TestApp, token: &str, project: &str, body: &Value) -> reqwest::Response {
    app.post_json(
        &format!("/projects/{project}/appointments"),
        Some(token),
        body,
    )
    .await
}

/// Notifications of `kind` per recipient e-mail, with their titles.
async fn notified(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    let kind = kind.to_string();
    app.state
        .db
        .run(move |conn| {
            use api::db::schema::users as u;
            Ok(n::table
                .inner_join(u::table.on(u::id.eq(n::user_id)))
                .filter(n::kind.eq(kind))
                .order((u::email.asc(), n::id.asc()))
                .select((u::email, n::title))
                .load::<(String, String)>(conn)?)
        })
        .await
        .expect("notifications")
}

fn who(list: &[(String, String)], title_part: &str) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .filter(|(_, t)| t.contains(title_part))
        .map(|(e, _)| e.clone())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn the_csm_records_appointments_and_everyone_in_the_project_hears_of_them() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let csm_id = app.user_id(&admin, "csm1@magicstore.test").await;
    let member_id = app.user_id(&admin, "member@fashop.test").await;
    let on = today() + chrono::Duration::days(7);
    let body = appointment(
        "Training: catalogue",
        &format!("{on}T10:00:00+01:00"),
        &format!("{on}T11:30:00+01:00"),
        &[&member_id, &csm_id, &member_id],
    );
    let res = create(&app, &csm, &fashop, &body).await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        res.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let created: Value = res.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(location, format!("/api/v1/appointments/{id}"));
    assert_eq!(
        created["starts_at"],
        format!("{on}T09:00:00Z"),
        "kept in UTC"
    );
    assert_eq!(created["ends_at"], format!("{on}T10:30:00Z"));
    assert_eq!(created["time_zone"], "Europe/Rome");
    assert_eq!(created["kind"], "training");
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["attendees"],
        json!([{"id": csm_id, "name": "Carla Conti"}, {"id": member_id, "name": "Filippo Ferri"}]),
        "each attendee once, by name"
    );

    // Everyone who can see the project reads it; others get 404.
    for email in [
        "member@fashop.test",
        "agent1@magicstore.test",
        "admin@magicstore.test",
    ] {
        let token = app.token(email).await;
        let got = app.get_ok(&format!("/appointments/{id}"), &token).await;
        assert_eq!(got, created, "{email}");
    }
    for email in ["admin@bianchi.test", "csm2@magicstore.test"] {
        let token = app.token(email).await;
        let res = app.get(&format!("/appointments/{id}"), Some(&token)).await;
        assert_problem(res, 404, "not_found").await;
    }

    // Only the CSM side records: the client and observers 403, outsiders 404.
    for email in [
        "admin@fashop.test",
        "member@fashop.test",
        "account@magicstore.test",
    ] {
        let token = app.token(email).await;
        assert_problem(create(&app, &token, &fashop, &body).await, 403, "forbidden").await;
    }
    for email in ["admin@bianchi.test", "csm2@magicstore.test"] {
        let token = app.token(email).await;
        assert_problem(create(&app, &token, &fashop, &body).await, 404, "not_found").await;
    }
    assert_problem(
        create(&app, "bogus", &fashop, &body).await,
        401,
        "unauthenticated",
    )
    .await;
    // An administrator acts for the vendor.
    let by_admin = appointment("QBR", &at(48), &at(49), &[]);
    assert_eq!(create(&app, &admin, &fashop, &by_admin).await.status(), 201);

    // The client's users (and attendees) are told; the actor is not.
    let told = notified(&app, "appointment_created").await;
    assert_eq!(
        who(&told, "Training: catalogue"),
        vec!["admin@fashop.test", "member@fashop.test"]
    );
    assert!(
        told.iter()
            .any(|(_, t)| t == "New appointment: Training: catalogue"),
        "{told:?}"
    );
    assert_eq!(
        who(&told, "QBR"),
        vec![
            "admin@fashop.test",
            "csm1@magicstore.test",
            "member@fashop.test"
        ],
        "the project's CSM hears when an administrator records one"
    );
    // Open agendas hear `agenda.changed`: participants and the actor, nobody else.
    let heard: Vec<(Option<String>, String)> = app
        .state
        .db
        .run(|conn| {
            Ok(ev::table
                .filter(ev::kind.eq("agenda.changed"))
                .select((ev::user_id, ev::payload))
                .load(conn)?)
        })
        .await
        .expect("events");
    let bianchi_admin = app.user_id(&admin, "admin@bianchi.test").await;
    assert!(heard.iter().any(|(u, p)| u.as_ref() == Some(&member_id)
        && serde_json::from_str::<Value>(p).expect("payload") == json!({"project_id": fashop})));
    assert!(heard.iter().any(|(u, _)| u.as_ref() == Some(&csm_id)));
    assert!(
        !heard
            .iter()
            .any(|(u, _)| u.as_ref() == Some(&bianchi_admin))
    );
}

#[tokio::test]
async fn idempotent_creation_and_every_broken_field_named() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let body = appointment("Kick-off call", &at(24), &at(25), &[]);
    let send = |key: &'static str, body: Value| {
        let req = app
            .request(
                Method::POST,
                &format!("/projects/{fashop}/appointments"),
                Some(&csm),
            )
            .header("Idempotency-Key", key)
            .json(&body);
        async move { req.send().await.expect("send") }
    };
    let first: Value = send("appt-1", body.clone())
        .await
        .json()
        .await
        .expect("json");
    let again = send("appt-1", body.clone()).await;
    assert_eq!(again.status(), 201);
    assert!(again.headers().get("idempotent-replayed").is_some());
    assert_eq!(again.json::<Value>().await.expect("json"), first);
    let agenda = app
        .get_ok(&format!("/projects/{fashop}/agenda"), &csm)
        .await;
    let calls = agenda["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["title"] == "Kick-off call" && e["kind"] == "appointment")
        .count();
    assert_eq!(calls, 1, "a repeat creates nothing");
    let mut other = body.clone();
    other["title"] = json!("Something else");
    assert_problem(send("appt-1", other).await, 409, "idempotency_key_reused").await;

    // Every broken rule, each naming its field.
    let bianchi_member = app.user_id(&admin, "member@bianchi.test").await;
    let bad = json!({
        "title": "", "kind": "qbr", "starts_at": at(5), "ends_at": at(4),
        "time_zone": "Europe/Atlantis", "video_url": "javascript:alert(1)",
        "attendee_ids": [bianchi_member],
    });
    let res = create(&app, &csm, &fashop, &bad).await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or(""),
                e["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("title", "required"),
            ("ends_at", "after_start"),
            ("time_zone", "time_zone"),
            ("video_url", "url"),
        ]
    );
    // Attendees must take part in this project (another client's user does not).
    let mut outsider = body.clone();
    outsider["attendee_ids"] = json!([bianchi_member]);
    let problem = assert_problem(
        create(&app, &csm, &fashop, &outsider).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "attendee_ids[0]");
    assert_eq!(problem["errors"][0]["rule"], "participant");
    // Same start and end is not a meeting; a bare time is not RFC 3339; kinds are a list.
    let mut zero = body.clone();
    zero["ends_at"] = zero["starts_at"].clone();
    let problem = assert_problem(
        create(&app, &csm, &fashop, &zero).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "ends_at");
    let mut local = body.clone();
    local["starts_at"] = json!(format!("{} 10:00", today() + chrono::Duration::days(7)));
    assert_problem(
        create(&app, &csm, &fashop, &local).await,
        422,
        "invalid_body",
    )
    .await;
    let mut party = body.clone();
    party["kind"] = json!("party");
    assert_problem(
        create(&app, &csm, &fashop, &party).await,
        422,
        "invalid_body",
    )
    .await;
    let mut extra = body.clone();
    extra["colour"] = json!("red");
    let problem = assert_problem(
        create(&app, &csm, &fashop, &extra).await,
        422,
        "invalid_body",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "colour");
}

#[tokio::test]
async fn rescheduling_and_cancelling() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let member_id = app.user_id(&admin, "member@fashop.test").await;
    let (on, moved_to) = (
        today() + chrono::Duration::days(10),
        today() + chrono::Duration::days(11),
    );
    let created: Value = create(
        &app,
        &csm,
        &fashop,
        &appointment(
            "Review meeting",
            &format!("{on}T14:00:00Z"),
            &format!("{on}T15:00:00Z"),
            &[&member_id],
        ),
    )
    .await
    .json()
    .await
    .expect("json");
    let id = created["id"].as_str().expect("id").to_string();
    let path = format!("/appointments/{id}");
    let patch = |token: &str, if_match: Option<&str>, body: Value| {
        let mut req = app.request(Method::PATCH, &path, Some(token)).json(&body);
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        async move { req.send().await.expect("send") }
    };
    // The client cannot move it; the CSM can, once, with the version they read.
    let moved = json!({"starts_at": format!("{moved_to}T14:00:00+01:00"), "ends_at": format!("{moved_to}T15:00:00+01:00"), "location": null});
    assert_problem(patch(&client, None, moved.clone()).await, 403, "forbidden").await;
    let res = patch(&csm, Some("\"1\""), moved.clone()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    let after: Value = res.json().await.expect("json");
    assert_eq!(after["starts_at"], format!("{moved_to}T13:00:00Z"));
    assert_eq!(after["location"], Value::Null, "null clears");
    assert_eq!(after["video_url"], created["video_url"], "absent stays");
    assert_eq!(after["version"], 2);
    assert_problem(
        patch(&csm, Some("\"1\""), json!({"title": "Late"})).await,
        412,
        "precondition_failed",
    )
    .await;
    // Moving the start past the end names `ends_at`; a bad zone or link names its field.
    let res = patch(
        &csm,
        None,
        json!({"starts_at": format!("{moved_to}T16:00:00Z")}),
    )
    .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "ends_at");
    let res = patch(
        &csm,
        None,
        json!({"time_zone": "CET/Nowhere", "video_url": "ftp://x"}),
    )
    .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "time_zone");
    assert_eq!(problem["errors"][1]["field"], "video_url");
    // Attendees are replaced as a whole.
    let res = patch(&csm, None, json!({"attendee_ids": []})).await;
    let after: Value = res.json().await.expect("json");
    assert_eq!(after["attendees"], json!([]));
    let changed = notified(&app, "appointment_changed").await;
    assert_eq!(
        who(&changed, "Appointment changed: Review meeting"),
        vec![
            "admin@fashop.test",
            "admin@fashop.test",
            "member@fashop.test",
            "member@fashop.test"
        ],
        "each change told to the client's users, never to the CSM who made it"
    );
    // Tenancy: another client's user does not even learn it exists.
    let bianchi = app.token("admin@bianchi.test").await;
    assert_problem(
        patch(&bianchi, None, json!({"title": "x"})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.request(Method::DELETE, &path, Some(&bianchi))
            .send()
            .await
            .expect("send"),
        404,
        "not_found",
    )
    .await;

    // Cancelling: the CSM side only, honouring If-Match.
    let delete = |token: &str, if_match: Option<&str>| {
        let mut req = app.request(Method::DELETE, &path, Some(token));
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        async move { req.send().await.expect("send") }
    };
    assert_problem(delete(&client, None).await, 403, "forbidden").await;
    assert_problem(
        delete(&csm, Some("\"1\"")).await,
        412,
        "precondition_failed",
    )
    .await;
    let res = delete(&csm, Some("\"3\"")).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&path, Some(&csm)).await, 404, "not_found").await;
    assert_problem(delete(&csm, None).await, 404, "not_found").await;
    let cancelled = notified(&app, "appointment_changed").await;
    assert_eq!(
        who(&cancelled, "Appointment cancelled: Review meeting"),
        vec!["admin@fashop.test", "member@fashop.test"]
    );
    let agenda = app
        .get_ok(
            &format!(
                "/projects/{fashop}/agenda?from={on}&to={}",
                on + chrono::Duration::days(30)
            ),
            &client,
        )
        .await;
    assert!(
        !agenda["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["id"] == id.as_str()),
        "gone from the agenda"
    );
}

/// No item of any project has a date: a test's own dates are the only ones.
async fn clear_dates(app: &TestApp) {
    app.state
        .db
        .run(|conn| {
            diesel::update(a::table)
                .set((
                    a::due_date.eq(None::<NaiveDate>),
                    a::review_date.eq(None::<NaiveDate>),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("clear dates");
}

/// Sets an item's due and review dates directly (the checklist's own API is tested elsewhere).
async fn set_dates(
    app: &TestApp,
    project: &str,
    title: &str,
    due: Option<NaiveDate>,
    review: Option<NaiveDate>,
) -> String {
    let (project, title) = (project.to_string(), title.to_string());
    app.state
        .db
        .run(move |conn| {
            let id: String = a::table
                .filter(a::project_id.eq(&project))
                .filter(a::title.eq(&title))
                .select(a::id)
                .first(conn)?;
            diesel::update(a::table.find(&id))
                .set((
                    a::due_date.eq(due),
                    a::review_date.eq(review),
                    a::version.eq(a::version + 1),
                ))
                .execute(conn)?;
            Ok(id)
        })
        .await
        .expect("set dates")
}

#[tokio::test]
async fn the_agenda_merges_appointments_due_dates_and_review_dates() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let member = app.token("member@fashop.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let day = |n: i64| today() + chrono::Duration::days(n);
    clear_dates(&app).await;
    let training = set_dates(
        &app,
        &fashop,
        "Training: reports",
        Some(day(3)),
        Some(day(10)),
    )
    .await;
    let logo = set_dates(
        &app,
        &fashop,
        "Company details and logo",
        Some(day(-2)),
        None,
    )
    .await;
    // A skipped item's dates stay out of the agenda.
    let skipped = set_dates(&app, &fashop, "Shipping rates", Some(day(4)), None).await;
    let s = skipped.clone();
    app.state
        .db
        .run(move |conn| {
            diesel::update(a::table.find(&s))
                .set(a::state.eq("skipped"))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("skip");
    let start = (day(3).and_hms_opt(9, 0, 0).expect("time")).and_utc();
    let meeting: Value = create(
        &app,
        &csm,
        &fashop,
        &appointment(
            "Training session",
            &start.to_rfc3339(),
            &(start + chrono::Duration::hours(1)).to_rfc3339(),
            &[],
        ),
    )
    .await
    .json()
    .await
    .expect("json");

    let agenda = app
        .get_ok(
            &format!("/projects/{fashop}/agenda?from={}&to={}", day(-3), day(10)),
            &member,
        )
        .await;
    assert_eq!(agenda["project_id"], fashop.as_str());
    assert_eq!(agenda["from"], day(-3).to_string());
    let entries = agenda["entries"].as_array().expect("entries");
    let mine: Vec<(String, String, String)> = entries
        .iter()
        .filter(|e| {
            [
                training.as_str(),
                logo.as_str(),
                meeting["id"].as_str().expect("id"),
            ]
            .contains(&e["id"].as_str().unwrap_or(""))
        })
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or("").into(),
                e["title"].as_str().unwrap_or("").into(),
                e["date"]
                    .as_str()
                    .or(e["starts_at"].as_str())
                    .unwrap_or("")
                    .into(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        vec![
            (
                "due_date".into(),
                "Company details and logo".into(),
                day(-2).to_string()
            ),
            (
                "due_date".into(),
                "Training: reports".into(),
                day(3).to_string()
            ),
            (
                "appointment".into(),
                "Training session".into(),
                start.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            ),
            (
                "review_date".into(),
                "Training: reports".into(),
                day(10).to_string()
            ),
        ],
        "sorted by time, the day's dates before its appointments"
    );
    assert!(!entries.iter().any(|e| e["id"] == skipped.as_str()));
    let logo_entry = entries
        .iter()
        .find(|e| e["id"] == logo.as_str())
        .expect("logo");
    assert_eq!(logo_entry["overdue"], true);
    assert_eq!(logo_entry["state"], "todo");
    assert_eq!(logo_entry["responsible"], "csm");
    assert_eq!(logo_entry["link"], format!("/projects/{fashop}/activities"));
    let meeting_entry = entries
        .iter()
        .find(|e| e["kind"] == "appointment")
        .expect("meeting");
    assert_eq!(meeting_entry["time_zone"], "Europe/Rome");
    assert_eq!(meeting_entry["appointment_kind"], "training");
    assert_eq!(meeting_entry["overdue"], false);
    assert_eq!(meeting_entry["link"], format!("/projects/{fashop}/agenda"));
    for w in entries.windows(2) {
        let key = |e: &Value| {
            e["starts_at"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}T00:00:00Z", e["date"].as_str().unwrap_or("")))
        };
        assert!(key(&w[0]) <= key(&w[1]), "sorted: {w:?}");
    }

    // `from`/`to` narrow it; by default a week back and six weeks on.
    let narrow = app
        .get_ok(
            &format!("/projects/{fashop}/agenda?from={}&to={}", day(4), day(9)),
            &member,
        )
        .await;
    assert_eq!(narrow["entries"], json!([]));
    let default = app
        .get_ok(&format!("/projects/{fashop}/agenda"), &member)
        .await;
    assert_eq!(default["from"], day(-7).to_string());
    assert_eq!(default["to"], day(35).to_string());
    assert!(
        default["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["id"] == training.as_str())
    );
    // Ranges are bounded and checked.
    let res = app
        .get(
            &format!(
                "/projects/{fashop}/agenda?from={}&to={}",
                today(),
                today() + chrono::Duration::days(367)
            ),
            Some(&member),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "to");
    let res = app
        .get(
            &format!(
                "/projects/{fashop}/agenda?from={}&to={}",
                today() + chrono::Duration::days(31),
                today()
            ),
            Some(&member),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get(
            &format!("/projects/{fashop}/agenda?from=yesterday"),
            Some(&member),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get(
            &format!("/projects/{fashop}/agenda?since={}", today()),
            Some(&member),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;

    // Tenancy: FaShop's people get 404 for Bianchi's agenda and appointments; observers read.
    let bianchi = project_of(&app, "Bianchi Sport").await;
    for email in [
        "admin@fashop.test",
        "member@fashop.test",
        "csm1@magicstore.test",
    ] {
        let token = app.token(email).await;
        assert_problem(
            app.get(&format!("/projects/{bianchi}/agenda"), Some(&token))
                .await,
            404,
            "not_found",
        )
        .await;
    }
    let agent = app.token("agent1@magicstore.test").await;
    app.get_ok(&format!("/projects/{bianchi}/agenda"), &agent)
        .await;
    assert_problem(
        app.get(&format!("/projects/{bianchi}/agenda"), None).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn reminders_go_out_once_to_the_right_side_and_rearm_when_dates_move() {
    // Jobs off: only the sweeps this test runs send reminders.
    let app = spawn_app_with(|c| {
        c.jobs_enabled = false;
        c.due_soon_days = 2;
        c.appointment_reminder_minutes = 60;
    })
    .await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let day = |n: i64| today() + chrono::Duration::days(n);
    clear_dates(&app).await;
    set_dates(&app, &fashop, "Training: reports", Some(day(1)), None).await;
    set_dates(&app, &fashop, "Payment methods", Some(day(2)), None).await;
    set_dates(&app, &fashop, "Test order placed", Some(day(-1)), None).await;
    set_dates(&app, &fashop, "Go-live", Some(day(3)), None).await;
    let soon = Utc::now() + chrono::Duration::minutes(30);
    let later = Utc::now() + chrono::Duration::hours(5);
    let agent_meeting: Value = create(
        &app,
        &csm,
        &fashop,
        &appointment(
            "Reminder call",
            &soon.to_rfc3339(),
            &(soon + chrono::Duration::hours(1)).to_rfc3339(),
            &[],
        ),
    )
    .await
    .json()
    .await
    .expect("json");
    create(
        &app,
        &csm,
        &fashop,
        &appointment(
            "Far call",
            &later.to_rfc3339(),
            &(later + chrono::Duration::hours(1)).to_rfc3339(),
            &[],
        ),
    )
    .await;

    let config = app.state.config.clone();
    let sweep = |at: chrono::NaiveDateTime| {
        let config = config.clone();
        app.state
            .db
            .tx(move |conn| api::reminders::sweep(conn, &config, at))
    };
    let first = sweep(api::db::now()).await.expect("sweep");
    assert_eq!(
        (first.due_soon, first.overdue, first.appointments),
        (2, 1, 1),
        "{first:?}"
    );

    let soon_list = notified(&app, "item_due_soon").await;
    assert_eq!(
        who(&soon_list, "Training: reports"),
        vec!["admin@fashop.test", "member@fashop.test"],
        "a client item: the client's users"
    );
    assert!(
        soon_list
            .iter()
            .any(|(_, t)| t == "Due tomorrow: Training: reports")
    );
    assert_eq!(
        who(&soon_list, "Payment methods"),
        vec!["csm1@magicstore.test"],
        "a CSM item: the CSM"
    );
    assert!(
        who(&soon_list, "Go-live").is_empty(),
        "three days out is not soon"
    );
    let overdue = notified(&app, "item_overdue").await;
    assert_eq!(
        who(&overdue, "Test order placed"),
        vec![
            "admin@fashop.test",
            "csm1@magicstore.test",
            "member@fashop.test"
        ],
        "overdue: both sides"
    );
    let starting = notified(&app, "appointment_reminder").await;
    assert_eq!(
        who(&starting, "Reminder call"),
        vec![
            "admin@fashop.test",
            "csm1@magicstore.test",
            "member@fashop.test"
        ]
    );
    assert!(who(&starting, "Far call").is_empty());

    // A second sweep sends nothing again.
    let before = (
        notified(&app, "item_due_soon").await.len(),
        notified(&app, "item_overdue").await.len(),
        notified(&app, "appointment_reminder").await.len(),
    );
    let again = sweep(api::db::now()).await.expect("sweep");
    assert_eq!(again, api::reminders::Swept::default());
    let after = (
        notified(&app, "item_due_soon").await.len(),
        notified(&app, "item_overdue").await.len(),
        notified(&app, "appointment_reminder").await.len(),
    );
    assert_eq!(before, after);

    // Moving the dates arms new reminders.
    set_dates(&app, &fashop, "Training: reports", Some(day(2)), None).await;
    let id = agent_meeting["id"].as_str().expect("id");
    let moved = soon + chrono::Duration::minutes(10);
    let res = app.patch_json(&format!("/appointments/{id}"), Some(&csm), &json!({"starts_at": moved.to_rfc3339(), "ends_at": (moved + chrono::Duration::hours(1)).to_rfc3339()})).await;
    assert_eq!(res.status(), 200);
    let third = sweep(api::db::now()).await.expect("sweep");
    assert_eq!(
        (third.due_soon, third.overdue, third.appointments),
        (1, 0, 1),
        "{third:?}"
    );
    assert_eq!(
        who(&notified(&app, "item_due_soon").await, "Training: reports").len(),
        4
    );
    // Later sweeps see later times: the "far" call is reminded when it comes near.
    let near_far = api::db::now() + chrono::Duration::hours(4) + chrono::Duration::minutes(30);
    let fourth = sweep(near_far).await.expect("sweep");
    assert_eq!(fourth.appointments, 1);
}

#[tokio::test]
async fn the_sweep_runs_on_the_job_queue_and_keeps_exactly_one_queued() {
    let app = spawn_app_with(|c| c.reminder_interval_secs = 1).await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let soon = Utc::now() + chrono::Duration::minutes(20);
    let res = create(
        &app,
        &csm,
        &fashop,
        &appointment(
            "Queued reminder",
            &soon.to_rfc3339(),
            &(soon + chrono::Duration::hours(1)).to_rfc3339(),
            &[],
        ),
    )
    .await;
    assert_eq!(res.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list = notified(&app, "appointment_reminder").await;
        if who(&list, "Queued reminder").contains(&"member@fashop.test".to_string()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a sweep should remind within 20 s: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // More sweeps run; none repeats the reminder, and one sweep is always queued.
    let done_before = sweeps(&app, "done").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while sweeps(&app, "done").await < done_before + 2 {
        assert!(
            Instant::now() < deadline,
            "the sweep should keep running every second"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = notified(&app, "appointment_reminder").await;
    assert_eq!(
        who(&list, "Queued reminder"),
        vec![
            "admin@fashop.test",
            "csm1@magicstore.test",
            "member@fashop.test"
        ],
        "once each"
    );
    // Each run queues its successor before sweeping: never two waiting, rarely none.
    let mut seen_one = false;
    for _ in 0..20 {
        let (queued, running) = (sweeps(&app, "queued").await, sweeps(&app, "running").await);
        assert!(
            queued <= 1 && running <= 1,
            "{queued} queued, {running} running"
        );
        seen_one |= queued == 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen_one);
    assert_eq!(sweeps(&app, "failed").await, 0);
}

async fn sweeps(app: &TestApp, status: &'static str) -> i64 {
    app.state
        .db
        .run(move |conn| {
            Ok(j::table
                .filter(j::kind.eq(api::reminders::JOB_KIND))
                .filter(j::status.eq(status))
                .count()
                .get_result(conn)?)
        })
        .await
        .expect("count")
}

#[tokio::test]
async fn starting_a_server_queues_one_sweep_once() {
    let app = spawn_app().await;
    assert_eq!(sweeps(&app, "queued").await, 1);
    let config = app.state.config.clone();
    app.state
        .db
        .tx(move |conn| api::reminders::ensure_scheduled(conn, &config))
        .await
        .expect("ensure");
    assert_eq!(sweeps(&app, "queued").await, 1, "a second start adds none");
    let off = spawn_app_with(|c| c.jobs_enabled = false).await;
    assert_eq!(sweeps(&off, "queued").await, 0);
}
