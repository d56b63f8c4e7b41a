//! `tandem seed-bench` writes the benchmark data set that the API then serves as it serves
//! anything else: the bench CSMs see their clients' projects, a bench client user sees their
//! own, checklists have the asked size, chats the asked number of messages.

mod common;

use serde_json::Value;

fn seed(url: &str, args: &[&str]) -> std::process::Output {
    run(url, "seed-bench", args)
}

fn run(url: &str, command: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("dir");
    common::tandem_command(dir.path())
        .arg(command)
        .args(args)
        .env("TANDEM_DATABASE_URL", url)
        .output()
        .expect("run tandem")
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn items_of(list: &Value) -> Vec<&Value> {
    list["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .flat_map(|c| c["items"].as_array().expect("items"))
        .collect()
}

#[tokio::test]
async fn seed_bench_makes_a_data_set_the_api_serves() {
    let app = common::spawn_app().await;
    let out = seed(
        &app.db.url,
        &[
            "--projects",
            "5",
            "--items",
            "60",
            "--messages",
            "100",
            "--csms",
            "2",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("5/5 projects"), "{}", text(&out));

    // csm-bench-0 has organisations 0, 2 and 4 (round-robin over two CSMs).
    let csm = app.token("csm-bench-0@magicstore.test").await;
    let page = app.get_ok("/projects?limit=50&sort=name", &csm).await;
    let projects = page["items"].as_array().expect("items");
    let names: Vec<&str> = projects
        .iter()
        .map(|p| p["organization_name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Bench client 00000",
            "Bench client 00002",
            "Bench client 00004"
        ]
    );
    for (p, done) in projects.iter().zip([0, 2, 4]) {
        let id = p["id"].as_str().expect("id");
        assert_eq!(p["progress"]["done"], done, "{p}");
        assert_eq!(p["progress"]["applicable"], 60, "{p}");
        // 20 messages each; the CSM wrote every other one, so 10 are unread for them.
        assert_eq!(p["unread_chat"], 10, "{p}");
        let list = app
            .get_ok(&format!("/projects/{id}/activities"), &csm)
            .await;
        let items = items_of(&list);
        assert_eq!(items.len(), 60);
        assert_eq!(list["categories"][0]["name"], "Kick-off");
        assert!(
            items
                .iter()
                .any(|i| i["title"].as_str().is_some_and(|t| t.ends_with(" #2"))),
            "the template is repeated with numbered titles"
        );
        let chat = app
            .get_ok(&format!("/projects/{id}/chat/messages?limit=100"), &csm)
            .await;
        let messages = chat["items"].as_array().expect("messages");
        assert_eq!(messages.len(), 20);
        let sides: Vec<&str> = messages
            .iter()
            .map(|m| m["author_side"].as_str().expect("side"))
            .collect();
        assert!(
            sides.windows(2).all(|w| w[0] != w[1]),
            "client and CSM take turns: {sides:?}"
        );
        let first = messages[0]["id"].as_str().expect("id");
        let uuid = uuid::Uuid::parse_str(first).expect("uuid");
        assert_eq!(uuid.get_version_num(), 7, "time-ordered ids");
    }

    // A bench client user sees their own project only.
    let client = app.token("member@bench-1.test").await;
    let page = app.get_ok("/projects", &client).await;
    let projects = page["items"].as_array().expect("items");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["organization_name"], "Bench client 00001");
    assert_eq!(projects[0]["progress"]["done"], 1);
    let id = projects[0]["id"].as_str().expect("id");
    let chat = app
        .get_ok(&format!("/projects/{id}/chat/messages?limit=100"), &client)
        .await;
    assert_eq!(chat["items"].as_array().expect("messages").len(), 20);
    // The demo came along (it was absent), with its own logins.
    app.token("csm1@magicstore.test").await;

    // A second run refuses instead of doubling the data.
    let again = seed(&app.db.url, &["--projects", "1", "--messages", "0"]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("already") && text(&again).contains("csm-bench-0"),
        "{}",
        text(&again)
    );
}

/// `tandem seed-desk` writes tickets the desk lists and finds like any other; on SQLite the
/// planner gets statistics for the tickets but none for the full-text index's own tables
/// (with them, FTS5's prepared lookups were re-prepared on every search term).
#[tokio::test]
async fn seed_desk_makes_tickets_the_desk_lists_and_finds() {
    use api::seed_desk::{COMMON, agent_email, word};
    let app = common::spawn_app().await;
    let out = run(
        &app.db.url,
        "seed-desk",
        &[
            "--tickets",
            "17000",
            "--messages",
            "17000",
            "--orgs",
            "4",
            "--agents",
            "3",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let agent = app.token(&agent_email(0)).await;
    let all = app.get_ok("/tickets?limit=100", &agent).await;
    assert_eq!(all["items"].as_array().expect("items").len(), 100, "{all}");
    let found = app
        .get_ok(&format!("/tickets?q={}&limit=5", word(COMMON)), &agent)
        .await;
    assert_eq!(
        found["items"].as_array().expect("items").len(),
        5,
        "{found}"
    );

    // A common tag (one ticket in eight carries it: over the 2,000 that make SQLite walk the
    // tag's own index) on resolved tickets: the newest tickets are active, so the first walks
    // of the tag's newest tickets leave a page of two short and must go further.
    let expected = tagged_newest(&app, "refund", "resolved").await;
    assert!(expected.len() >= 6, "{expected:?}");
    let mut listed = Vec::new();
    let mut path = "/tickets?tag=refund&status=resolved&limit=2".to_string();
    while listed.len() < 6 {
        let page = app.get_ok(&path, &agent).await;
        listed.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_string()),
        );
        let cursor = page["next_cursor"].as_str().expect("a next page");
        path = format!("/tickets?tag=refund&status=resolved&limit=2&cursor={cursor}");
    }
    assert_eq!(listed, expected[..6], "tag=refund&status=resolved");

    if common::backend() == "sqlite" {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Table {
            #[diesel(sql_type = diesel::sql_types::Text)]
            tbl: String,
        }
        let analysed: Vec<String> = app
            .state
            .db
            .run(|conn| {
                Ok(diesel::sql_query(
                    "SELECT DISTINCT tbl FROM sqlite_stat1 UNION SELECT DISTINCT tbl FROM sqlite_stat4",
                )
                .load::<Table>(conn)?)
            })
            .await
            .expect("statistics")
            .into_iter()
            .map(|t| t.tbl)
            .collect();
        assert!(analysed.contains(&"tickets".to_string()), "{analysed:?}");
        let fts: Vec<&String> = analysed
            .iter()
            .filter(|t| t.starts_with("ticket_search_") && *t != "ticket_search_words")
            .collect();
        assert!(fts.is_empty(), "statistics on {fts:?}");
    }
}

/// The newest six tickets with `tag` and `status`, and how many tickets carry `tag` (at
/// least 2,000: a common tag), straight from the database.
async fn tagged_newest(app: &common::TestApp, tag: &str, status: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        id: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let (tag, status) = (tag.to_string(), status.to_string());
    app.state
        .db
        .run(move |conn| {
            let tagged: Count =
                diesel::sql_query("SELECT COUNT(*) AS n FROM ticket_tags WHERE tag = $1")
                    .bind::<Text, _>(&tag)
                    .get_result(conn)?;
            assert!(tagged.n >= 2_000, "{tag} on only {} tickets", tagged.n);
            Ok(diesel::sql_query(
                "SELECT id FROM tickets t WHERE status = $1 AND EXISTS \
                 (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = $2) \
                 ORDER BY id DESC LIMIT 6",
            )
            .bind::<Text, _>(&status)
            .bind::<Text, _>(&tag)
            .load::<Id>(conn)?
            .into_iter()
            .map(|r| r.id)
            .collect())
        })
        .await
        .expect("tagged tickets")
}
