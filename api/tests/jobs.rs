//! The durable job queue: failed work is retried with backoff, gives up after
//! `max_attempts` where admins see and retry it, and every job is claimed by exactly one
//! worker however many compete.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use api::db::schema::jobs as j;
use api::jobs::{self, JobRow};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app_with};

/// A local port nobody listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

fn time(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().expect("timestamp text")).expect("RFC 3339")
}

/// Polls the admin job list until `pick` finds the wanted job, for at most 10 s.
async fn wait_for_job(
    app: &TestApp,
    admin: &str,
    query: &str,
    what: &str,
    pick: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = app.get_ok(&format!("/admin/jobs{query}"), admin).await;
        if let Some(job) = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|j| pick(j))
        {
            return job.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not seen within 10 s; last page {page}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn failing_job_backs_off_then_fails_and_an_admin_can_retry_it() {
    let port = closed_port();
    let app = spawn_app_with(|c| {
        c.mail_transport = "smtp".into();
        c.smtp_host = "127.0.0.1".into();
        c.smtp_port = port;
        c.job_max_attempts = 2;
    })
    .await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let verdi = app.org_id(&admin, "Verdi Arredamenti").await;
    let invite = json!({"email": "new@verdi.test", "name": "N P", "role": "client_member", "organization_id": verdi});
    let res = app.post_json("/invitations", Some(&admin), &invite).await;
    assert_eq!(
        res.status().as_u16(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );

    // First attempt fails (nothing listens on the SMTP port): queued again 10 s later.
    let job = wait_for_job(&app, &admin, "", "first failed attempt", |j| {
        j["kind"] == "send_mail" && j["attempts"] == 1 && j["status"] == "queued"
    })
    .await;
    let id = job["id"].as_str().expect("job id").to_string();
    assert_eq!(job["max_attempts"], 2);
    let error = job["last_error"]
        .as_str()
        .expect("last_error after a failed attempt");
    assert!(
        error.contains(&format!("127.0.0.1:{port}")),
        "the error names the server: {error}"
    );
    let delay = time(&job["run_at"]) - time(&job["updated_at"]);
    assert_eq!(
        delay.num_seconds(),
        10,
        "backoff after the first attempt: {job}"
    );
    assert!(
        time(&job["run_at"]) > chrono::Utc::now(),
        "the retry is not due yet: {job}"
    );
    let failed = app.get_ok("/admin/jobs?status=failed", &admin).await;
    assert_eq!(
        failed["items"],
        json!([]),
        "not failed while attempts remain"
    );

    // Rather than wait 10 s, make the retry due now; the worker takes it again and gives up.
    let due = id.clone();
    let changed = app
        .state
        .db
        .run(move |conn| {
            Ok(diesel::update(j::table.find(&due))
                .set(j::run_at.eq(api::db::now()))
                .execute(conn)?)
        })
        .await
        .expect("make due");
    assert_eq!(changed, 1);
    let job = wait_for_job(&app, &admin, "?status=failed", "job marked failed", |j| {
        j["id"] == id.as_str()
    })
    .await;
    assert_eq!(job["attempts"], 2, "{job}");
    assert_eq!(job["kind"], "send_mail");
    assert!(
        job["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("smtp")),
        "{job}"
    );
    // Failed jobs are not picked up again by themselves.
    let stored = app
        .state
        .db
        .run({
            let id = id.clone();
            move |conn| jobs::find(conn, &id)
        })
        .await
        .expect("find")
        .expect("job row");
    assert_eq!(
        (stored.status.as_str(), stored.attempts, stored.locked_by),
        (jobs::FAILED, 2, None)
    );

    // Only admins see and retry jobs.
    for who in [
        "csm1@magicstore.test",
        "agent1@magicstore.test",
        "admin@verdi.test",
    ] {
        let token = app.token(who).await;
        assert_problem(
            app.get("/admin/jobs?status=failed", Some(&token)).await,
            403,
            "forbidden",
        )
        .await;
        let res = app
            .request(
                Method::POST,
                &format!("/admin/jobs/{id}/retry"),
                Some(&token),
            )
            .send()
            .await
            .expect("POST");
        assert_problem(res, 403, "forbidden").await;
    }
    assert_problem(app.get("/admin/jobs", None).await, 401, "unauthenticated").await;
    let still = wait_for_job(
        &app,
        &admin,
        "?status=failed",
        "still failed after refused retries",
        |j| j["id"] == id.as_str(),
    )
    .await;
    assert_eq!(still["attempts"], 2);

    // The admin's retry queues it for a fresh set of attempts, due now …
    let res = app
        .request(
            Method::POST,
            &format!("/admin/jobs/{id}/retry"),
            Some(&admin),
        )
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status().as_u16(), 200);
    let retried: Value = res.json().await.expect("job json");
    assert_eq!(
        (
            retried["id"].as_str(),
            &retried["status"],
            &retried["attempts"]
        ),
        (Some(id.as_str()), &json!("queued"), &json!(0)),
        "{retried}"
    );
    assert!(
        time(&retried["run_at"]) <= chrono::Utc::now(),
        "due at once: {retried}"
    );
    // … and the worker really runs it again.
    wait_for_job(
        &app,
        &admin,
        "?status=queued",
        "the retried job attempted again",
        |j| j["id"] == id.as_str() && j["attempts"] == 1,
    )
    .await;
    // Only failed jobs can be retried; unknown ids are 404.
    let res = app
        .request(
            Method::POST,
            &format!("/admin/jobs/{id}/retry"),
            Some(&admin),
        )
        .send()
        .await
        .expect("POST");
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "status", "{body}");
    let res = app
        .request(
            Method::POST,
            "/admin/jobs/00000000-0000-7000-8000-000000000000/retry",
            Some(&admin),
        )
        .send()
        .await
        .expect("POST");
    assert_problem(res, 404, "not_found").await;
    assert_problem(
        app.get("/admin/jobs?status=stuck", Some(&admin)).await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn every_job_is_claimed_exactly_once_by_concurrent_workers() {
    const JOBS: usize = 40;
    const CLAIMERS: usize = 4;
    let app = spawn_app_with(|c| {
        c.jobs_enabled = false;
        c.database_pool_size = 8;
    })
    .await;
    let enqueued: BTreeSet<String> = app
        .state
        .db
        .tx(|conn| {
            (0..JOBS)
                .map(|n| jobs::enqueue(conn, "test.noop", &json!({"n": n}), 3))
                .collect::<Result<BTreeSet<_>, _>>()
        })
        .await
        .expect("enqueue");
    assert_eq!(enqueued.len(), JOBS);
    // One more, not due for an hour: nobody may take it.
    let later = app
        .state
        .db
        .tx(|conn| {
            let id = jobs::enqueue(conn, "test.later", &json!({}), 3)?;
            diesel::update(j::table.find(&id))
                .set(j::run_at.eq(api::db::now() + chrono::Duration::hours(1)))
                .execute(conn)?;
            Ok(id)
        })
        .await
        .expect("enqueue a later job");

    let start = Arc::new(Barrier::new(CLAIMERS));
    let claimers: Vec<_> = (0..CLAIMERS)
        .map(|k| {
            let (db, start) = (app.state.db.clone(), start.clone());
            std::thread::spawn(move || -> Vec<JobRow> {
                let mut conn = db.get().expect("own pooled connection");
                let worker = format!("claimer-{k}");
                let mut mine = Vec::new();
                start.wait();
                let deadline = Instant::now() + Duration::from_secs(30);
                while let Some(job) = jobs::claim(&mut conn, &worker).expect("claim") {
                    assert!(Instant::now() < deadline, "claiming took too long");
                    mine.push(job);
                }
                mine
            })
        })
        .collect();
    let results = tokio::task::spawn_blocking(move || {
        claimers
            .into_iter()
            .map(|t| t.join().expect("claimer thread"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("join");

    let mut claimed_by: BTreeMap<String, String> = BTreeMap::new();
    for (k, mine) in results.iter().enumerate() {
        for job in mine {
            assert_eq!(
                (job.status.as_str(), job.attempts, job.locked_by.as_deref()),
                (jobs::RUNNING, 1, Some(format!("claimer-{k}").as_str())),
                "{job:?}"
            );
            if let Some(other) = claimed_by.insert(job.id.clone(), format!("claimer-{k}")) {
                panic!("job {} claimed twice (by {other} and claimer-{k})", job.id);
            }
        }
    }
    let claimed: BTreeSet<String> = claimed_by.keys().cloned().collect();
    assert_eq!(
        claimed, enqueued,
        "every due job claimed once, and nothing else"
    );
    let per_claimer: Vec<usize> = results.iter().map(Vec::len).collect();
    println!(
        "{} backend: jobs per claimer {per_claimer:?}",
        common::backend()
    );

    // The database agrees, and nothing is left to claim.
    let rows: Vec<JobRow> = app
        .state
        .db
        .run(|conn| Ok(j::table.select(j::all_columns).load(conn)?))
        .await
        .expect("load jobs");
    assert_eq!(rows.len(), JOBS + 1);
    for row in &rows {
        if row.id == later {
            assert_eq!(
                (row.status.as_str(), row.attempts),
                (jobs::QUEUED, 0),
                "not due yet"
            );
        } else {
            assert_eq!(
                (row.status.as_str(), row.attempts),
                (jobs::RUNNING, 1),
                "{row:?}"
            );
            assert_eq!(row.locked_by.as_ref(), claimed_by.get(&row.id), "{row:?}");
        }
    }
    let again = app
        .state
        .db
        .run(|conn| jobs::claim(conn, "latecomer"))
        .await
        .expect("claim");
    assert!(again.is_none(), "nothing due is left: {again:?}");
}
