//! The board: posts listed pinned first, edited only by their author (marked
//! edited, If-Match honoured), pinned by the CSM side, commented by both sides with the right
//! people notified, Markdown rendered with hostile payloads inert, and who may do what.

mod common;

use reqwest::Method;
use serde_json::{Value, json};

use common::{TestApp, assert_problem, spawn_app};

async fn project_of(app: &TestApp, admin: &str, org_name: &str) -> String {
    let org = app.org_id(admin, org_name).await;
    let page = app
        .get_ok(&format!("/projects?organization_id={org}"), admin)
        .await;
    page["items"][0]["id"]
        .as_str()
        .expect("the demo organisation has a project")
        .to_string()
}

async fn post(app: &TestApp, token: &str, project: &str, body: &str) -> Value {
    let res = app
        .post_json(
            &format!("/projects/{project}/board"),
            Some(token),
            &json!({ "body": body }),
        )
        .await;
    assert_eq!(res.status(), 201, "post {body:?}");
    res.json().await.expect("json")
}

async fn comment(app: &TestApp, token: &str, post_id: &Value, body: &str) -> Value {
    let res = app
        .post_json(
            &format!("/board-posts/{}/comments", post_id.as_str().expect("id")),
            Some(token),
            &json!({ "body": body }),
        )
        .await;
    assert_eq!(res.status(), 201, "comment {body:?}");
    res.json().await.expect("json")
}

fn ids(page: &Value) -> Vec<Value> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["id"].clone())
        .collect()
}

fn etag(res: &reqwest::Response) -> String {
    res.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string()
}

async fn pin(app: &TestApp, token: &str, post_id: &Value, action: &str) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/board-posts/{}/{action}", post_id.as_str().expect("id")),
        Some(token),
    )
    .send()
    .await
    .expect("send")
}

/// The kinds of the user's notifications, newest first, with their titles.
async fn notices(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let page = app.get_ok("/notifications", token).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().expect("kind").to_string(),
                n["title"].as_str().expect("title").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn posts_list_pinned_first_then_newest_and_only_their_author_edits_them() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let project = project_of(&app, &admin, "FaShop Srl").await;
    let board = format!("/projects/{project}/board");

    let res = app
        .post_json(&board, Some(&csm), &json!({"body": "  First **note**  "}))
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(etag(&res), "\"1\"");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let a: Value = res.json().await.expect("json");
    assert_eq!(
        location,
        format!("/api/v1/board-posts/{}", a["id"].as_str().expect("id"))
    );
    let me = app.get_ok("/me", &csm).await;
    for (field, want) in [
        ("project_id", json!(project)),
        ("author_id", me["id"].clone()),
        ("author_name", me["name"].clone()),
        ("author_side", json!("csm")),
        ("body", json!("First **note**")),
        ("body_html", json!("<p>First <strong>note</strong></p>\n")),
        ("pinned", json!(false)),
        ("pinned_at", Value::Null),
        ("edited", json!(false)),
        ("edited_at", Value::Null),
        ("comments_count", json!(0)),
        ("version", json!(1)),
    ] {
        assert_eq!(a[field], want, "{field}: {a}");
    }
    let b = post(&app, &client, &project, "Second").await;
    assert_eq!(b["author_side"], "client");
    let c = post(&app, &csm, &project, "Third").await;
    assert_eq!(
        ids(&app.get_ok(&board, &member).await),
        [c["id"].clone(), b["id"].clone(), a["id"].clone()],
        "newest first"
    );

    // The CSM side pins; the client and observers may not.
    for token in [&client, &member, &agent] {
        assert_problem(pin(&app, token, &a["id"], "pin").await, 403, "forbidden").await;
    }
    let res = pin(&app, &csm, &a["id"], "pin").await;
    assert_eq!(res.status(), 200);
    assert_eq!(etag(&res), "\"2\"");
    let pinned: Value = res.json().await.expect("json");
    assert_eq!(pinned["pinned"], true);
    assert!(pinned["pinned_at"].is_string());
    assert_eq!(pinned["edited"], false, "pinning is not editing");
    let again: Value = pin(&app, &admin, &a["id"], "pin")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["version"], 2, "pinning a pinned post changes nothing");
    let page = app.get_ok(&board, &member).await;
    assert_eq!(
        ids(&page),
        [a["id"].clone(), c["id"].clone(), b["id"].clone()],
        "pinned first"
    );
    // One by one, the cursor crosses from the pinned group to the rest without repeats.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{board}?limit=1&cursor={c}"),
            None => format!("{board}?limit=1"),
        };
        let page = app.get_ok(&path, &client).await;
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(walked, ids(&page));
    let res = pin(&app, &csm, &a["id"], "unpin").await;
    assert_eq!(res.status(), 200);
    let unpinned: Value = res.json().await.expect("json");
    assert_eq!(
        (&unpinned["pinned"], &unpinned["pinned_at"]),
        (&json!(false), &Value::Null)
    );
    assert_eq!(
        ids(&app.get_ok(&board, &member).await),
        [c["id"].clone(), b["id"].clone(), a["id"].clone()]
    );

    // Only the author edits; the post is then marked edited.
    let b_path = format!("/board-posts/{}", b["id"].as_str().expect("id"));
    let res = app.get(&b_path, Some(&client)).await;
    let tag = etag(&res);
    for token in [&csm, &member, &admin, &agent] {
        let res = app
            .patch_json(&b_path, Some(token), &json!({"body": "Not mine"}))
            .await;
        assert_problem(res, 403, "forbidden").await;
    }
    let res = app
        .request(Method::PATCH, &b_path, Some(&client))
        .header("If-Match", &tag)
        .json(&json!({"body": "Second, *corrected*"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    assert_eq!(etag(&res), "\"2\"");
    let edited: Value = res.json().await.expect("json");
    assert_eq!(edited["edited"], true);
    assert!(edited["edited_at"].is_string());
    assert_eq!(edited["body"], "Second, *corrected*");
    assert_eq!(edited["body_html"], "<p>Second, <em>corrected</em></p>\n");
    assert_eq!(edited["created_at"], b["created_at"]);
    // A write based on the old version is refused and changes nothing.
    let res = app
        .request(Method::PATCH, &b_path, Some(&client))
        .header("If-Match", &tag)
        .json(&json!({"body": "Lost update"}))
        .send()
        .await
        .expect("send");
    assert_problem(res, 412, "precondition_failed").await;
    let res = app
        .request(Method::POST, &format!("{b_path}/pin"), Some(&csm))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("send");
    assert_problem(res, 412, "precondition_failed").await;
    let now = app.get_ok(&b_path, &member).await;
    assert_eq!(now, edited);
    // The same text again is no change.
    let same: Value = app
        .patch_json(
            &b_path,
            Some(&client),
            &json!({"body": "Second, *corrected*"}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(same["version"], 2);
}

#[tokio::test]
async fn posts_notify_the_other_side_and_comments_the_author_and_earlier_commenters() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let csm = app.token("csm1@magicstore.test").await;
    let client = app.token("admin@fashop.test").await;
    let member = app.token("member@fashop.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let project = project_of(&app, &admin, "FaShop Srl").await;
    let csm_name = app.get_ok("/me", &csm).await["name"]
        .as_str()
        .expect("name")
        .to_string();
    let client_name = app.get_ok("/me", &client).await["name"]
        .as_str()
        .expect("name")
        .to_string();
    let member_name = app.get_ok("/me", &member).await["name"]
        .as_str()
        .expect("name")
        .to_string();
    let member_seq = app.get_ok("/events?after=0", &member).await["last_seq"].clone();
    let agent_seq = app.get_ok("/events?after=0", &agent).await["last_seq"].clone();

    // The CSM posts: both client users hear about it, the CSM does not.
    let p = post(&app, &csm, &project, "Training booked for **Tuesday**").await;
    let posted = (
        "board_post".to_string(),
        format!("{csm_name} posted on the board"),
    );
    assert_eq!(notices(&app, &client).await, std::slice::from_ref(&posted));
    assert_eq!(notices(&app, &member).await, [posted]);
    assert!(notices(&app, &csm).await.is_empty());
    let note = &app.get_ok("/notifications", &member).await["items"][0];
    assert_eq!(note["body"], "Training booked for **Tuesday**");
    assert_eq!(note["link"], format!("/projects/{project}/board"));
    assert_eq!(note["project_id"], project.as_str());
    // A client's post goes to the CSM.
    post(&app, &member, &project, "Question about the feed").await;
    assert_eq!(
        notices(&app, &csm).await,
        [(
            "board_post".to_string(),
            format!("{member_name} posted on the board")
        )]
    );

    // Comments reach the post's author and earlier commenters, never the commenter.
    let c1 = comment(&app, &client, &p["id"], "We'll be there").await;
    assert_eq!(c1["author_side"], "client");
    assert_eq!(c1["body_html"], "<p>We'll be there</p>\n");
    let commented = |who: &str| {
        (
            "board_comment".to_string(),
            format!("{who} commented on a board post"),
        )
    };
    assert_eq!(notices(&app, &csm).await[0], commented(&client_name));
    assert_eq!(notices(&app, &member).await.len(), 1, "not involved yet");
    comment(&app, &member, &p["id"], "Me too").await;
    assert_eq!(notices(&app, &csm).await[0], commented(&member_name));
    assert_eq!(notices(&app, &client).await[0], commented(&member_name));
    assert_eq!(
        notices(&app, &member).await.len(),
        1,
        "not for their own comment"
    );
    comment(&app, &csm, &p["id"], "See you then").await;
    assert_eq!(notices(&app, &client).await[0], commented(&csm_name));
    assert_eq!(notices(&app, &member).await[0], commented(&csm_name));
    assert_eq!(notices(&app, &csm).await[0], commented(&member_name));

    // Comments come oldest first, paged; the post counts them.
    let comments = format!("/board-posts/{}/comments", p["id"].as_str().expect("id"));
    let page = app.get_ok(&format!("{comments}?limit=2"), &agent).await;
    let bodies: Vec<&Value> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| &c["body"])
        .collect();
    assert_eq!(bodies, [&json!("We'll be there"), &json!("Me too")]);
    let cursor = page["next_cursor"].as_str().expect("more");
    let rest = app
        .get_ok(&format!("{comments}?limit=2&cursor={cursor}"), &agent)
        .await;
    assert_eq!(rest["items"][0]["body"], "See you then");
    assert_eq!(rest["next_cursor"], Value::Null);
    let one = app
        .get_ok(
            &format!("/board-posts/{}", p["id"].as_str().expect("id")),
            &member,
        )
        .await;
    assert_eq!(one["comments_count"], 3);

    // Every change reached the participants as board.changed, and not the observer.
    let events = app
        .get_ok(&format!("/events?after={member_seq}"), &member)
        .await;
    let changes: Vec<&Value> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "board.changed")
        .collect();
    assert_eq!(changes.len(), 5, "two posts and three comments: {events}");
    assert_eq!(
        changes[0]["payload"],
        json!({"project_id": project, "post_id": p["id"]})
    );
    let seen = app
        .get_ok(&format!("/events?after={agent_seq}"), &agent)
        .await;
    assert_eq!(seen["items"], json!([]), "{seen}");
}

#[tokio::test]
async fn hostile_markdown_is_shown_inert() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let client = app.token("member@fashop.test").await;
    let project = project_of(&app, &admin, "FaShop Srl").await;
    let payload = "<script>alert('x')</script>\n\n\
        <img src=x onerror=alert(1)>\n\n\
        [click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n\
        <iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>\n\n\
        <a href=\"javascript:alert(2)\" onclick=\"alert(3)\">raw link</a>\n\n\
        [fine](https://help.example.com)";
    let p = post(&app, &client, &project, payload).await;
    let c = comment(&app, &client, &p["id"], payload).await;
    for html in [&p["body_html"], &c["body_html"]] {
        let html = html.as_str().expect("html");
        // Text is escaped, so each `<` opens a real tag (no attribute here holds a `>`).
        let tags: Vec<&str> = html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or_default())
            .collect();
        for tag in &tags {
            let name = tag
                .trim_start_matches('/')
                .split(' ')
                .next()
                .unwrap_or_default();
            assert!(["p", "a"].contains(&name), "<{tag}> in {html}");
            for bad in [" on", "javascript:", "data:", "style"] {
                assert!(!tag.contains(bad), "{bad} in <{tag}> of {html}");
            }
        }
        for shown in [
            "&lt;script&gt;alert('x')&lt;/script&gt;",
            "&lt;img src=x onerror=alert(1)&gt;",
            "&lt;iframe",
            "<a rel=\"noopener noreferrer nofollow\">click</a>",
            "<a href=\"https://help.example.com\" rel=\"noopener noreferrer nofollow\">fine</a>",
        ] {
            assert!(html.contains(shown), "{shown} missing from {html}");
        }
    }
    // The source is kept as written, for the author to edit.
    assert_eq!(p["body"], payload);
}

#[tokio::test]
async fn outsiders_get_404_observers_403_on_writes_and_bad_bodies_422() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let fashop_user = app.token("admin@fashop.test").await;
    let csm1 = app.token("csm1@magicstore.test").await;
    let csm2 = app.token("csm2@magicstore.test").await;
    let agent = app.token("agent1@magicstore.test").await;
    let bianchi = project_of(&app, &admin, "Bianchi Sport").await;
    let fashop = project_of(&app, &admin, "FaShop Srl").await;
    let p = post(&app, &csm2, &bianchi, "Bianchi only").await;
    let post_path = format!("/board-posts/{}", p["id"].as_str().expect("id"));

    for token in [&fashop_user, &csm1] {
        let checks = [
            app.get(&format!("/projects/{bianchi}/board"), Some(token))
                .await,
            app.post_json(
                &format!("/projects/{bianchi}/board"),
                Some(token),
                &json!({"body": "x"}),
            )
            .await,
            app.get(&post_path, Some(token)).await,
            app.patch_json(&post_path, Some(token), &json!({"body": "x"}))
                .await,
            pin(&app, token, &p["id"], "pin").await,
            pin(&app, token, &p["id"], "unpin").await,
            app.get(&format!("{post_path}/comments"), Some(token)).await,
            app.post_json(
                &format!("{post_path}/comments"),
                Some(token),
                &json!({"body": "x"}),
            )
            .await,
        ];
        for res in checks {
            assert_problem(res, 404, "not_found").await;
        }
    }
    let res = app
        .get(
            "/board-posts/01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
            Some(&admin),
        )
        .await;
    assert_problem(res, 404, "not_found").await;

    // An observer reads everything and writes nothing.
    assert_eq!(
        app.get_ok(&format!("/projects/{bianchi}/board"), &agent)
            .await["items"][0]["id"],
        p["id"]
    );
    app.get_ok(&post_path, &agent).await;
    app.get_ok(&format!("{post_path}/comments"), &agent).await;
    for res in [
        app.post_json(
            &format!("/projects/{bianchi}/board"),
            Some(&agent),
            &json!({"body": "x"}),
        )
        .await,
        app.post_json(
            &format!("{post_path}/comments"),
            Some(&agent),
            &json!({"body": "x"}),
        )
        .await,
        app.patch_json(&post_path, Some(&agent), &json!({"body": "x"}))
            .await,
    ] {
        assert_problem(res, 403, "forbidden").await;
    }

    // Bodies: required after trimming; posts up to 20000 characters, comments up to 4000.
    let board = format!("/projects/{fashop}/board");
    let mine = post(&app, &fashop_user, &fashop, &"x".repeat(20_000)).await;
    let mine_path = format!("/board-posts/{}", mine["id"].as_str().expect("id"));
    for (path, method, body, rule) in [
        (&board, Method::POST, json!({"body": " \n "}), "required"),
        (
            &board,
            Method::POST,
            json!({"body": "x".repeat(20_001)}),
            "too_long",
        ),
        (&mine_path, Method::PATCH, json!({"body": ""}), "required"),
        (
            &format!("{mine_path}/comments"),
            Method::POST,
            json!({"body": "\t"}),
            "required",
        ),
        (
            &format!("{mine_path}/comments"),
            Method::POST,
            json!({"body": "x".repeat(4001)}),
            "too_long",
        ),
    ] {
        let res = app
            .request(method.clone(), path, Some(&fashop_user))
            .json(&body)
            .send()
            .await
            .expect("send");
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "body", "{method} {path}");
        assert_eq!(problem["errors"][0]["rule"], rule, "{method} {path}");
    }
    let res = app
        .post_json(
            &board,
            Some(&fashop_user),
            &json!({"body": "x", "pinned": true}),
        )
        .await;
    let problem = assert_problem(res, 422, "invalid_body").await;
    assert_eq!(problem["errors"][0]["field"], "pinned");

    // Idempotency-Key: a retried post is created once.
    let send = || {
        app.request(Method::POST, &board, Some(&fashop_user))
            .header("Idempotency-Key", "board-1")
            .json(&json!({"body": "Once"}))
            .send()
    };
    let first: Value = send().await.expect("send").json().await.expect("json");
    let again = send().await.expect("send");
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.expect("json"), first);
    let page = app.get_ok(&board, &fashop_user).await;
    let onces = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|p| p["body"] == "Once")
        .count();
    assert_eq!(onces, 1);
}
