//! Private calendar feeds: valid RFC 5545 as a real parser (Python
//! `icalendar`, installed by scripts/setup.sh) reads it, current on every fetch, scoped to
//! what the owner can see, and cut off when regenerated.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use api::db::schema::{activities as a, users as u};
use common::{TestApp, assert_problem, day, spawn_app};

/// Reads a feed with Python's `icalendar` and answers what it understood.
const PARSE: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
def text(v):
    return None if v is None else str(v)
events = []
for e in cal.walk("VEVENT"):
    start, end = e.decoded("DTSTART"), e.decoded("DTEND")
    events.append({
        "uid": text(e.get("UID")), "summary": text(e.get("SUMMARY")),
        "start": start.isoformat(), "end": end.isoformat(),
        "all_day": not hasattr(start, "hour"), "sequence": int(e.get("SEQUENCE", -1)),
        "dtstamp": text(e.get("DTSTAMP") and e.decoded("DTSTAMP").isoformat()),
        "location": text(e.get("LOCATION")), "url": text(e.get("URL")),
        "description": text(e.get("DESCRIPTION")), "status": text(e.get("STATUS")),
    })
print(json.dumps({
    "version": text(cal.get("VERSION")), "prodid": text(cal.get("PRODID")),
    "name": text(cal.get("X-WR-CALNAME")),
    "errors": [[c.name, [str(x) for x in c.errors]] for c in cal.walk() if c.errors],
    "events": events,
}))
"#;

fn parse(ics: &str) -> Value {
    let mut child = Command::new("python3")
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (run scripts/setup.sh to install icalendar)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("write feed");
    let out = child.wait_with_output().expect("python3");
    assert!(
        out.status.success(),
        "icalendar could not read the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("parser output");
    assert_eq!(parsed["errors"], json!([]), "parse errors in\n{ics}");
    assert_eq!(parsed["version"], "2.0");
    parsed
}

/// The feed URL of the user behind `token`.
async fn feed_url(app: &TestApp, token: &str) -> String {
    let feed = app.get_ok("/me/calendar", token).await;
    feed["url"].as_str().expect("url").to_string()
}

/// Fetches a feed URL (its `public_url` part replaced by the test server's address).
async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    let path = url
        .strip_prefix("http://tandem.test")
        .expect("feed URLs start with public_url");
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("GET feed")
}

/// Fetches, checks the wire format, parses; the events by UID.
async fn events(app: &TestApp, url: &str) -> Vec<Value> {
    let res = fetch(app, url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/calendar; charset=utf-8")
    );
    let ics = res.text().await.expect("text");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "a line over 75 octets: {line:?}");
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break"
        );
    }
    let parsed = parse(&ics);
    let list = parsed["events"].as_array().expect("events").clone();
    for e in &list {
        assert!(e["uid"].is_string() && e["dtstamp"].is_string(), "{e}");
    }
    list
}

fn by_uid<'a>(events: &'a [Value], uid: &str) -> Option<&'a Value> {
    events.iter().find(|e| e["uid"] == uid)
}

async fn project_of(app: &TestApp, org: &str) -> String {
    let admin = app.token("admin@magicstore.test").await;
    let org_id = app.org_id(&admin, org).await;
    let page = app
        .get_ok(&format!("/projects?organization_id={org_id}"), &admin)
        .await;
    page["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_string()
}

async fn set_due(app: &TestApp, project: &str, title: &str, due: NaiveDate) -> String {
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
                .set((a::due_date.eq(due), a::version.eq(a::version + 1)))
                .execute(conn)?;
            Ok(id)
        })
        .await
        .expect("set due date")
}

async fn create(app: &TestApp, token: &str, project: &str, body: Value) -> Value {
    let res = app
        .post_json(
            &format!("/projects/{project}/appointments"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

#[tokio::test]
async fn the_feed_is_valid_icalendar_and_follows_changes() {
    let app = spawn_app().await;
    app.load_demo().await;
    let csm = app.token("csm1@magicstore.test").await;
    let member = app.token("member@fashop.test").await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let due = Utc::now().date_naive() + chrono::Duration::days(5);
    let item = set_due(&app, &fashop, "Training: reports", due).await;
    let description =
        "Agenda: goals, plan; roles\\owners.\nSecond line, with a comma.\r\nThird — perché sì. "
            .repeat(3);
    let title = "Kick-off call, with FaShop; the long one that needs folding — è così";
    let (meets, moves) = (day(6), day(8));
    let meeting = create(
        &app,
        &csm,
        &fashop,
        json!({
            "title": title, "kind": "kickoff_call",
            "starts_at": format!("{meets}T10:00:00+01:00"), "ends_at": format!("{meets}T11:30:00+01:00"),
            "time_zone": "Europe/Rome", "location": "Via Roma 1, Milano; 2nd floor",
            "video_url": "https://meet.example.com/fashop?x=1,2", "description": description,
        }),
    )
    .await;
    let id = meeting["id"].as_str().expect("id");
    let uid = format!("{id}@tandem");

    let url = feed_url(&app, &member).await;
    let list = events(&app, &url).await;
    let e = by_uid(&list, &uid).expect("the appointment is in the client's feed");
    assert_eq!(e["summary"], title, "a client's summaries are the titles");
    assert_eq!(e["start"], format!("{meets}T09:00:00+00:00"));
    assert_eq!(e["end"], format!("{meets}T10:30:00+00:00"));
    assert_eq!(e["all_day"], false);
    assert_eq!(e["sequence"], 1);
    assert_eq!(e["status"], "CONFIRMED");
    assert_eq!(e["location"], "Via Roma 1, Milano; 2nd floor");
    assert_eq!(e["url"], "https://meet.example.com/fashop?x=1,2");
    let text = e["description"].as_str().expect("description");
    assert!(
        text.starts_with(&description.trim().replace("\r\n", "\n")),
        "escaped and read back unchanged: {text:?}"
    );
    assert!(text.contains("Onboarding — FaShop Srl"), "{text}");
    let d = by_uid(&list, &format!("{item}-due@tandem")).expect("the due date is in the feed");
    assert_eq!(d["summary"], "Due: Training: reports");
    assert_eq!(d["all_day"], true);
    assert_eq!(d["start"], due.to_string());
    assert_eq!(d["end"], (due + chrono::Duration::days(1)).to_string());

    // The CSM's feed names the client in each summary.
    let csm_list = events(&app, &feed_url(&app, &csm).await).await;
    assert_eq!(
        by_uid(&csm_list, &uid).expect("in the CSM's feed")["summary"],
        format!("{title} — FaShop Srl")
    );

    // Changes show on the next fetch: rescheduled (SEQUENCE grows), moved, ticked, cancelled.
    let res = app
        .patch_json(
            &format!("/appointments/{id}"),
            Some(&csm),
            &json!({"title": "Kick-off (moved)", "starts_at": format!("{moves}T15:00:00Z"), "ends_at": format!("{moves}T16:00:00Z")}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let later = due + chrono::Duration::days(2);
    set_due(&app, &fashop, "Training: reports", later).await;
    let list = events(&app, &url).await;
    let e = by_uid(&list, &uid).expect("still there");
    assert_eq!(
        (&e["summary"], &e["start"], &e["sequence"]),
        (
            &json!("Kick-off (moved)"),
            &json!(format!("{moves}T15:00:00+00:00")),
            &json!(2)
        )
    );
    let d = by_uid(&list, &format!("{item}-due@tandem")).expect("due date");
    assert_eq!(d["start"], later.to_string());
    let done = item.clone();
    app.state
        .db
        .run(move |conn| {
            diesel::update(a::table.find(&done))
                .set(a::state.eq("done"))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("tick");
    let res = app
        .request(
            reqwest::Method::DELETE,
            &format!("/appointments/{id}"),
            Some(&csm),
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204);
    let list = events(&app, &url).await;
    assert!(
        by_uid(&list, &uid).is_none(),
        "a cancelled appointment leaves the feed"
    );
    assert!(
        by_uid(&list, &format!("{item}-due@tandem")).is_none(),
        "a done item's due date leaves the feed"
    );
}

#[tokio::test]
async fn regenerating_cuts_off_the_old_url_and_unknown_tokens_are_404() {
    let app = spawn_app().await;
    app.load_demo().await;
    let member = app.token("member@fashop.test").await;
    let first = app.get_ok("/me/calendar", &member).await;
    let again = app.get_ok("/me/calendar", &member).await;
    assert_eq!(first, again, "made once, then the same");
    let url = first["url"].as_str().expect("url");
    let token = url
        .strip_prefix("http://tandem.test/api/v1/calendar/")
        .and_then(|t| t.strip_suffix(".ics"))
        .expect("public_url + /api/v1/calendar/{token}.ics");
    assert_eq!(token.len(), 43, "32 random bytes, URL-safe base64");
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    let other = feed_url(&app, &app.token("admin@fashop.test").await).await;
    assert_ne!(other, url, "each user has their own");
    assert_eq!(fetch(&app, url).await.status(), 200);

    let res = app
        .post_json("/me/calendar/regenerate", Some(&member), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.expect("json");
    let fresh_url = fresh["url"].as_str().expect("url");
    assert_ne!(fresh_url, url);
    assert_problem(fetch(&app, url).await, 404, "not_found").await;
    assert_eq!(fetch(&app, fresh_url).await.status(), 200);
    assert_eq!(feed_url(&app, &member).await, fresh_url);
    assert_eq!(
        fetch(&app, &other).await.status(),
        200,
        "others' feeds are untouched"
    );

    let wrong = "http://tandem.test/api/v1/calendar/not-a-real-token.ics";
    assert_problem(fetch(&app, wrong).await, 404, "not_found").await;
    assert_problem(app.get("/me/calendar", None).await, 401, "unauthenticated").await;
    // A deactivated account's feed stops working.
    app.state
        .db
        .run(|conn| {
            diesel::update(u::table.filter(u::email.eq("member@fashop.test")))
                .set(u::active.eq(false))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("deactivate");
    assert_problem(fetch(&app, fresh_url).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_feed_holds_only_what_its_owner_can_see() {
    let app = spawn_app().await;
    app.load_demo().await;
    let fashop = project_of(&app, "FaShop Srl").await;
    let bianchi = project_of(&app, "Bianchi Sport").await;
    let body = |title: &str| {
        json!({"title": title, "kind": "review", "starts_at": format!("{}T09:00:00Z", day(4)),
               "ends_at": format!("{}T10:00:00Z", day(4)), "time_zone": "UTC"})
    };
    let csm1 = app.token("csm1@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let ours = create(&app, &csm1, &fashop, body("FaShop review")).await;
    let theirs = create(&app, &csm2, &bianchi, body("Bianchi review")).await;
    let due = Utc::now().date_naive() + chrono::Duration::days(3);
    let bianchi_item = set_due(&app, &bianchi, "Go-live", due).await;
    let uid = |v: &Value| format!("{}@tandem", v["id"].as_str().expect("id"));
    let has = |list: &[Value], u: &str| by_uid(list, u).is_some();
    let due_uid = format!("{bianchi_item}-due@tandem");

    for (email, sees_ours, sees_theirs) in [
        ("member@fashop.test", true, false),
        ("admin@fashop.test", true, false),
        ("csm1@magicstore.test", true, false),
        ("csm2@magicstore.test", false, true),
        ("admin@bianchi.test", false, true),
        ("admin@magicstore.test", true, true),
    ] {
        let token = app.token(email).await;
        let list = events(&app, &feed_url(&app, &token).await).await;
        assert_eq!(has(&list, &uid(&ours)), sees_ours, "{email}: FaShop's");
        assert_eq!(has(&list, &uid(&theirs)), sees_theirs, "{email}: Bianchi's");
        assert_eq!(
            has(&list, &due_uid),
            sees_theirs,
            "{email}: Bianchi's due date"
        );
    }
}
