//! Browser journeys through the support desk: a
//! client in the portal and an agent in the workspace, each in their own headless Chromium
//! at 375 px, seeing each other's moves without reloading; searching the workspace; a file
//! attached by the agent reaching the client's page; an administrator editing a canned reply
//! and the desk's configuration.
//!
//! ```sh
//! bash scripts/build-web.sh
//! TANDEM_BROWSER_TESTS=1 cargo test -p api --test browser_desk
//! ```
//!
//! The harness is in `common/browser.rs`.

mod common;

use std::time::Instant;

use fantoccini::{Client, Locator};

use common::PASSWORD;
use common::browser::*;

const AGENT: &str = "agent1@magicstore.test";
const MEMBER: &str = "member@fashop.test";
const SUBJECT: &str = "Card payments fail at checkout";
const NOTE: &str = "Gateway logs show timeouts since 9:00";
/// The distinctive part of the canned reply the agent answers with.
const REPLY: &str = "we restarted the payment gateway, please try again";
const CANNED: &str = "Gateway restarted";

/// Waits until the page's WebSocket is connected, so that nothing sent after this is missed.
async fn wait_live(c: &Client) {
    wait_for_xpath(
        c,
        "//*[@data-test='live-indicator'][@data-state='live']",
        "the live indicator",
    )
    .await;
}

/// The secret of the rating link e-mailed when the journey's ticket was resolved.
async fn rating_token(app: &common::TestApp) -> String {
    let texts: Vec<String> = app
        .state
        .db
        .run(|conn| {
            use api::db::schema::jobs as j;
            use diesel::prelude::*;
            Ok(j::table
                .filter(j::kind.eq("send_mail"))
                .select(j::payload)
                .load::<String>(conn)?)
        })
        .await
        .expect("jobs");
    texts
        .iter()
        .filter_map(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .filter(|v| {
            v["subject"]
                .as_str()
                .is_some_and(|s| s.contains("How did we do?"))
        })
        .filter_map(|v| {
            let text = v["text"].as_str()?.to_string();
            let after = text.split("/rate/").nth(1)?;
            Some(after.split('?').next()?.to_string())
        })
        .next()
        .expect("a rating e-mail with a link")
}

/// Closes the notification pop-ups, as a person would before reaching what they cover.
async fn dismiss_toasts(c: &Client) {
    for close in c
        .find_all(Locator::Css("[data-test='toast-close']"))
        .await
        .expect("find")
    {
        // One may have gone by itself meanwhile.
        let _ = close.click().await;
    }
}

/// Chooses the option labelled `label` in the drop-down with this `data-test`, once the
/// option is there (lists load from the API).
async fn choose(c: &Client, test: &str, label: &str) {
    wait_for_xpath(
        c,
        &format!("//select[@data-test='{test}']/option[normalize-space(.)='{label}']"),
        &format!("the option {label:?} of {test}"),
    )
    .await;
    wait_for(c, test)
        .await
        .select_by_label(label)
        .await
        .unwrap_or_else(|e| panic!("choose {label:?} in {test}: {e}"));
}

/// The text of the first-response clock, read again until it differs from `before`: the
/// countdown runs in the browser.
async fn wait_clock_moves(c: &Client, before: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = texts(c, "sla-first-response-time").await;
        if let Some(t) = now.first()
            && t != before
        {
            return t.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the SLA clock stayed at {before:?}; {}",
            page_state(c).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_client_ticket_reaches_the_agent_live_and_the_answer_reaches_the_client() {
    if !enabled() {
        return;
    }
    scenario_two(|app, agent, client| async move {
        // An administrator saved a canned reply for every department.
        let admin = app.token("admin@magicstore.test").await;
        let res = app
            .post_json(
                "/canned-replies",
                Some(&admin),
                &serde_json::json!({"title": CANNED,
                    "body": format!("Hello {{{{requester_name}}}}, {REPLY}. {{{{agent_name}}}}")}),
            )
            .await;
        assert_eq!(res.status(), 201);
        // The agent's workspace, on their own queue.
        sign_in(&agent, &app, AGENT, PASSWORD).await;
        wait_for(&agent, "ticket-queues").await;
        assert_eq!(path(&agent).await, "/tickets");
        wait_for_xpath(
            &agent,
            "//*[@data-test='queue-mine'][@aria-current='page']",
            "the Mine queue, selected",
        )
        .await;
        wait_live(&agent).await;
        assert_no_horizontal_scroll(&agent).await;

        // A FaShop member opens a ticket in the portal.
        sign_in(&client, &app, MEMBER, PASSWORD).await;
        click(&client, "nav-link-support").await;
        wait_for(&client, "support-new").await;
        assert_eq!(path(&client).await, "/support");
        assert_no_horizontal_scroll(&client).await;
        click(&client, "support-new").await;
        type_into(&client, "ticket-new-subject", SUBJECT).await;
        // A return or a cancellation asks for the date of the purchase or order.
        assert!(texts(&client, "ticket-new-purchase-date").await.is_empty());
        choose(&client, "ticket-new-cluster", "Cancellation").await;
        wait_for(&client, "ticket-new-purchase-date").await;
        choose(&client, "ticket-new-cluster", "Product not working").await;
        wait_gone(&client, "ticket-new-purchase-date").await;
        choose(&client, "ticket-new-product", "Checkout and payments").await;
        type_into(
            &client,
            "ticket-new-body",
            "Since this morning every card payment ends with an error page.",
        )
        .await;
        click(&client, "ticket-new-submit").await;
        wait_for_text(&client, "ticket-subject", SUBJECT).await;
        assert!(path(&client).await.starts_with("/tickets/"));
        // The portal's view: no SLA clocks, no history, no notes toggle.
        wait_for(&client, "reply-form").await;
        assert!(texts(&client, "ticket-sla").await.is_empty());
        assert!(texts(&client, "ticket-history").await.is_empty());
        assert!(texts(&client, "reply-kind-note").await.is_empty());
        wait_live(&client).await;
        assert_no_horizontal_scroll(&client).await;

        // It is routed to the agent and shows in their queue without a reload.
        wait_for_text(&agent, "ticket-row-subject", SUBJECT).await;
        wait_for_xpath(
            &agent,
            &format!("//*[@data-test='ticket-row'][.//*[@data-test='ticket-row-subject'][contains(., '{SUBJECT}')]]//*[@data-test='ticket-row-due']"),
            "the ticket's SLA deadline in the queue",
        )
        .await;
        wait_for_xpath(
            &agent,
            &format!("//*[@data-test='ticket-row'][.//*[@data-test='ticket-row-subject'][contains(., '{SUBJECT}')]]"),
            "the new ticket's row",
        )
        .await
        .click()
        .await
        .expect("open the ticket");
        wait_for_text(&agent, "ticket-subject", SUBJECT).await;
        // Why it has its priority, and the SLA clock running in the browser.
        wait_for_text(&agent, "ticket-priority-reason", "Checkout and payments is critical").await;
        wait_for_text(&agent, "ticket-assignee", "Giulia Galli").await;
        wait_for_xpath(
            &agent,
            "//*[@data-test='sla-first-response'][@data-state='running']",
            "the first-response clock, running",
        )
        .await;
        let first = wait_for_text(&agent, "sla-first-response-time", "left").await;
        wait_clock_moves(&agent, &first).await;
        wait_for(&agent, "client-sidebar").await;
        wait_for_text(&agent, "client-plan", "Business").await;
        wait_live(&agent).await;
        assert_no_horizontal_scroll(&agent).await;

        // An internal note, then a reply.
        dismiss_toasts(&agent).await;
        click(&agent, "reply-kind-note").await;
        type_into(&agent, "reply-body", NOTE).await;
        click(&agent, "reply-send").await;
        wait_for_xpath(
            &agent,
            &format!("//*[@data-test='ticket-message'][@data-kind='note'][contains(., '{NOTE}')]//*[@data-test='ticket-message-internal']"),
            "the note, marked Internal",
        )
        .await;
        // The reply is the canned one, inserted from the picker filled in for this ticket:
        // the requester's name and the agent's.
        click(&agent, "reply-kind-reply").await;
        choose(&agent, "canned-picker", &format!("{CANNED} (All departments)")).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let value = wait_for(&agent, "reply-body")
                .await
                .prop("value")
                .await
                .expect("value")
                .unwrap_or_default();
            if value.contains(REPLY) && value.ends_with("Giulia Galli") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the canned reply was not inserted: {value:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        click(&agent, "reply-send").await;
        wait_for_xpath(
            &agent,
            &format!("//*[@data-test='ticket-message'][@data-kind='reply'][contains(., '{REPLY}')]"),
            "the reply in the agent's thread",
        )
        .await;
        // The first response stopped the first-response clock.
        wait_for_xpath(
            &agent,
            "//*[@data-test='sla-first-response'][@data-state='met']",
            "the first-response clock, met",
        )
        .await;
        wait_for_text(&agent, "ticket-history-toggle", "History").await;

        // The client sees the reply live, and never the note.
        wait_for_text(&client, "ticket-message-body", REPLY).await;
        wait_for_text(&client, "ticket-message-body", "Giulia Galli").await;
        let shown = texts(&client, "ticket-message-body").await;
        assert!(
            !shown.iter().any(|t| t.contains(NOTE)),
            "the client must not see the note: {shown:?}"
        );
        assert!(
            client
                .find_all(Locator::Css("[data-kind='note']"))
                .await
                .expect("find")
                .is_empty()
        );

        // The agent resolves; the client sees it, may reopen, and closes it.
        dismiss_toasts(&agent).await;
        click(&agent, "ticket-move-resolved").await;
        wait_for_text(&agent, "ticket-status", "Resolved").await;
        // Moving the status leaves everything else as it was.
        wait_for_text(&agent, "ticket-assignee", "Giulia Galli").await;
        wait_for_text(&agent, "ticket-product", "Checkout and payments").await;
        wait_for_text(&client, "ticket-status", "Resolved").await;
        wait_for(&client, "ticket-move-open").await;
        assert_no_horizontal_scroll(&client).await;

        // The client rates the help with one click, then adds a comment; the agent sees both
        // live.
        dismiss_toasts(&client).await;
        click(&client, "rating-score-4").await;
        wait_for(&client, "rating-thanks").await;
        wait_for_text(&agent, "ticket-rating-score", "4/5").await;
        type_into(&client, "rating-comment", "Fast and friendly").await;
        click(&client, "rating-comment-send").await;
        wait_for_text(&agent, "ticket-rating-comment", "Fast and friendly").await;
        assert_no_horizontal_scroll(&client).await;

        // The e-mail's one-click link works without signing in, and changes the score.
        let token = rating_token(&app).await;
        let ticket_url = client.current_url().await.expect("url").to_string();
        client
            .goto(&format!("{}/rate/{token}?score=5", app.address))
            .await
            .expect("open the rating link");
        wait_for_text(&client, "rate-thanks", "5/5").await;
        wait_for_text(&client, "rate-ticket", SUBJECT).await;
        assert_no_horizontal_scroll(&client).await;
        wait_for_text(&agent, "ticket-rating-score", "5/5").await;
        client
            .goto(&ticket_url)
            .await
            .expect("back to the ticket");
        wait_for_text(&client, "ticket-status", "Resolved").await;

        dismiss_toasts(&client).await;
        click(&client, "ticket-move-closed").await;
        wait_for_text(&client, "ticket-status", "Closed").await;
        wait_for(&client, "reply-closed").await;
        wait_gone(&client, "ticket-move-open").await;
        wait_for_text(&agent, "ticket-status", "Closed").await;

        // Back in the portal's list, it shows closed.
        dismiss_toasts(&client).await;
        click(&client, "nav-link-support").await;
        wait_for_text(&client, "support-list", SUBJECT).await;
        wait_for_text(&client, "ticket-status-badge", "Closed").await;
        assert_no_horizontal_scroll(&client).await;
    })
    .await;
}

/// Polls until the ticket rows' subjects satisfy `ok`, and returns them.
async fn wait_subjects(c: &Client, what: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let shown = texts(c, "ticket-row-subject").await;
        if ok(&shown) {
            return shown;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the list shows {shown:?}; {}",
            page_state(c).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Opens a ticket through the API as `email`, returning its id.
async fn open_ticket(app: &common::TestApp, email: &str, subject: &str, cluster: &str) -> String {
    let token = app.token(email).await;
    let res = app
        .post_json(
            "/tickets",
            Some(&token),
            &serde_json::json!({"subject": subject, "body": "See the subject.", "cluster": cluster}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let t: serde_json::Value = res.json().await.expect("json");
    t["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn searching_the_workspace_finds_a_ticket_by_a_word_of_its_subject() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        let subject = "Shipping labels print sideways";
        open_ticket(&app, MEMBER, subject, "technical_problem").await;
        open_ticket(&app, MEMBER, "Cannot add a second admin", "usage_help").await;
        sign_in(&c, &app, AGENT, PASSWORD).await;
        click(&c, "queue-all").await;
        let all = wait_subjects(&c, "every ticket", |s| s.len() >= 2).await;

        // A word of the subject (typed, searched after the pause) finds that ticket alone.
        type_into(&c, "ticket-search", "sideways").await;
        wait_subjects(&c, "the search for 'sideways'", |s| s == [subject]).await;
        // A word nothing has says so.
        let search = wait_for(&c, "ticket-search").await;
        empty_field(&search).await;
        search.send_keys("qwertyuiop").await.expect("type");
        wait_for_text(&c, "tickets-empty", "No ticket matches your search").await;
        wait_subjects(&c, "no match", <[String]>::is_empty).await;
        // Clearing the box brings the queue back.
        empty_field(&search).await;
        wait_subjects(&c, "the queue again", |s| s.len() == all.len()).await;
        assert_no_horizontal_scroll(&c).await;
    })
    .await;
}

#[tokio::test]
async fn an_agent_attaches_a_file_and_the_client_sees_and_downloads_it_on_the_portal() {
    if !enabled() {
        return;
    }
    scenario_two(|app, agent, client| async move {
        let ticket =
            open_ticket(&app, MEMBER, "Shipping labels cut off", "technical_problem").await;
        let dir = std::env::temp_dir().join(format!("tandem-attach-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("label-preview.txt");
        std::fs::write(&good, "label preview: 62 mm, cut at 58 mm\n").expect("write");
        let bad = dir.join("page.html");
        std::fs::write(&bad, "<p>not allowed</p>").expect("write");

        // The client has the ticket open in the portal.
        sign_in(&client, &app, MEMBER, PASSWORD).await;
        wait_for(&client, "nav-link-support").await;
        client
            .goto(&format!("{}/tickets/{ticket}", app.address))
            .await
            .expect("open the ticket");
        wait_for(&client, "attachments-empty").await;
        wait_live(&client).await;

        sign_in(&agent, &app, AGENT, PASSWORD).await;
        wait_for(&agent, "nav-link-tickets").await;
        agent
            .goto(&format!("{}/tickets/{ticket}", app.address))
            .await
            .expect("open the ticket");
        wait_for(&agent, "attachments-empty").await;
        // A type the desk does not take is refused, with the server's reason.
        wait_for(&agent, "attachment-input")
            .await
            .send_keys(&bad.display().to_string())
            .await
            .expect("choose the file");
        wait_for_text(&agent, "attachment-error", "is not accepted").await;
        wait_for(&agent, "attachments-empty").await;
        // A text file goes through and shows with its size and who attached it.
        wait_for(&agent, "attachment-input")
            .await
            .send_keys(&good.display().to_string())
            .await
            .expect("choose the file");
        wait_for_text(&agent, "attachment-name", "label-preview.txt").await;
        wait_for_text(
            &agent,
            "attachment-meta",
            "35 B · text/plain · Giulia Galli",
        )
        .await;
        wait_gone(&agent, "attachment-error").await;

        // The client sees it without reloading.
        wait_for_text(&client, "attachment-name", "label-preview.txt").await;
        wait_for_text(&client, "attachment-meta", "Giulia Galli").await;
        assert_no_horizontal_scroll(&client).await;
        // Downloading it saves the file, under its name, with the bytes the agent attached.
        dismiss_toasts(&client).await;
        click(&client, "attachment-download").await;
        let saved = wait_download(&client, "label-preview.txt").await;
        assert_eq!(saved, std::fs::read(&good).expect("read"));
        assert!(texts(&client, "attachment-error").await.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_before_it_is_sent() {
    if !enabled() {
        return;
    }
    // The default limit, 10 MiB.
    scenario(|app, c| async move {
        let ticket = open_ticket(&app, MEMBER, "Crash dump attached", "technical_problem").await;
        let dir = std::env::temp_dir().join(format!("tandem-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let big = dir.join("crash.zip");
        std::fs::write(&big, vec![0u8; 12_897_485]).expect("write");

        sign_in(&c, &app, AGENT, PASSWORD).await;
        wait_for(&c, "nav-link-tickets").await;
        c.goto(&format!("{}/tickets/{ticket}", app.address))
            .await
            .expect("open the ticket");
        wait_for(&c, "attachments-empty").await;
        // The page knows the server's limit and says it.
        wait_for_text(&c, "attachment-hint", "of up to 10 MB").await;
        wait_for(&c, "attachment-input")
            .await
            .send_keys(&big.display().to_string())
            .await
            .expect("choose the file");
        let shown = wait_for_text(&c, "attachment-error", "the limit is 10 MB").await;
        assert_eq!(
            shown,
            "crash.zip was not attached: it is 12.3 MB; the limit is 10 MB."
        );
        // Nothing went up: no upload in progress, none listed, none stored.
        assert!(texts(&c, "attachment-uploading").await.is_empty());
        wait_for(&c, "attachments-empty").await;
        let agent = app.token(AGENT).await;
        let listed = app
            .get_ok(&format!("/tickets/{ticket}/attachments"), &agent)
            .await;
        assert_eq!(listed, serde_json::json!([]));
        assert_no_horizontal_scroll(&c).await;

        // A page that skips the check and sends it anyway reads the server's refusal (not a
        // broken connection), which names the limit.
        let answer = c
            .execute_async(
                "const [url, token, size, done] = arguments; \
                 fetch(url, { method: 'POST', body: new Blob([new Uint8Array(size)]), \
                   headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/zip' } }) \
                 .then(async r => done({ status: r.status, type: r.headers.get('content-type'), body: await r.json() })) \
                 .catch(e => done({ error: String(e) }));",
                vec![
                    serde_json::json!(format!(
                        "/api/v1/tickets/{ticket}/attachments?filename=crash.zip"
                    )),
                    serde_json::json!(agent),
                    serde_json::json!(12_897_485),
                ],
            )
            .await
            .expect("run the upload in the page");
        assert_eq!(answer["status"], 413, "{answer}");
        assert_eq!(answer["type"], "application/problem+json", "{answer}");
        assert_eq!(
            answer["body"]["detail"], "the file is 12.3 MB; the limit is 10 MB",
            "{answer}"
        );
        assert_eq!(answer["body"]["errors"][0]["field"], "body", "{answer}");
        let listed = app
            .get_ok(&format!("/tickets/{ticket}/attachments"), &agent)
            .await;
        assert_eq!(listed, serde_json::json!([]));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

/// Waits until the input with this `data-test` holds `value` (forms fill from the API).
async fn wait_value(c: &Client, test: &str, value: &str) -> fantoccini::elements::Element {
    let deadline = Instant::now() + WAIT;
    loop {
        let el = wait_for(c, test).await;
        let now = el.prop("value").await.ok().flatten().unwrap_or_default();
        if now == value {
            return el;
        }
        assert!(
            Instant::now() < deadline,
            "[data-test={test}] holds {now:?}, not {value:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_admin_edits_a_canned_reply_and_changes_desk_settings() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        let admin = app.token("admin@magicstore.test").await;
        let res = app
            .post_json(
                "/canned-replies",
                Some(&admin),
                &serde_json::json!({"title": "Password help", "body": "Hello {{requester_name}}, use the reset link."}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let reply: serde_json::Value = res.json().await.expect("json");
        let reply_id = reply["id"].as_str().expect("id").to_string();

        // The canned reply, edited in the add form prefilled.
        sign_in(&c, &app, "admin@magicstore.test", PASSWORD).await;
        click(&c, "nav-link-automation").await;
        wait_for_xpath(
            &c,
            "//*[@data-test='canned-row'][.//*[@data-test='canned-row-title'][normalize-space(.)='Password help']]//*[@data-test='canned-edit']",
            "the reply's Edit button",
        )
        .await
        .click()
        .await
        .expect("edit");
        wait_for(&c, "canned-edit-form").await;
        let title = wait_value(&c, "canned-title", "Password help").await;
        empty_field(&title).await;
        title.send_keys("Password reset help").await.expect("type");
        click(&c, "canned-submit").await;
        wait_for_text(&c, "canned-notice", "saved").await;
        wait_for_text(&c, "canned-row-title", "Password reset help").await;
        let stored = app.get_ok(&format!("/canned-replies/{reply_id}"), &admin).await;
        assert_eq!(stored["title"], "Password reset help");
        assert_eq!(stored["body"], reply["body"], "the text stays as it was");

        // The repeated-problem rule: a broken value is marked at its field, then saved.
        click(&c, "nav-link-desk").await;
        let tickets = wait_value(&c, "repeat-per-client-tickets", "3").await;
        empty_field(&tickets).await;
        tickets.send_keys("0").await.expect("type");
        click(&c, "repeat-submit").await;
        wait_for_text(&c, "repeat-per-client-tickets-errors", "at least 1").await;
        empty_field(&tickets).await;
        tickets.send_keys("5").await.expect("type");
        click(&c, "repeat-submit").await;
        wait_for_text(&c, "repeat-notice", "Saved").await;
        let rule = app.get_ok("/desk/repeat-rule", &admin).await;
        assert_eq!(rule["per_client_tickets"], 5);
        assert_eq!(rule["per_client_days"], 30);

        // Billing's tickets now go to technical support, preferring a skill.
        wait_for_xpath(
            &c,
            "//*[@data-test='route-row'][@data-cluster='billing']//*[@data-test='route-edit']",
            "billing's Change button",
        )
        .await
        .click()
        .await
        .expect("change");
        choose(&c, "route-department", "Technical support").await;
        type_into(&c, "route-skill", "invoices").await;
        click(&c, "route-submit").await;
        wait_for_xpath(
            &c,
            "//*[@data-test='route-row'][@data-cluster='billing']//*[@data-test='route-target'][contains(., 'Technical support · prefers skill invoices')]",
            "billing's new route",
        )
        .await;
        let routes = app.get_ok("/cluster-routes", &admin).await;
        let billing = routes
            .as_array()
            .and_then(|r| r.iter().find(|r| r["cluster"] == "billing"))
            .expect("billing")
            .clone();
        assert_eq!(billing["department_name"], "Technical support");
        assert_eq!(billing["required_skill"], "invoices");
        assert_no_horizontal_scroll(&c).await;
    })
    .await;
}

/// Replaces the text of the input with this `data-test`, keystroke by keystroke.
async fn retype(c: &Client, test: &str, text: &str) {
    let el = wait_for(c, test).await;
    empty_field(&el).await;
    el.send_keys(text).await.expect("type");
}

#[tokio::test]
async fn an_admin_adds_a_business_calendar_and_an_sla_policy_through_the_forms() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        let admin = app.token("admin@magicstore.test").await;
        sign_in(&c, &app, "admin@magicstore.test", PASSWORD).await;
        click(&c, "nav-link-desk").await;
        wait_for(&c, "calendar-empty").await;
        wait_for(&c, "policy-empty").await;

        // A calendar. Closed every day, it is refused before sending, saying why.
        click(&c, "calendar-new").await;
        wait_for(&c, "calendar-create-form").await;
        type_into(&c, "calendar-name", "Lisbon office").await;
        retype(&c, "calendar-time-zone", "Europe/Lisbn").await;
        for day in ["week.mon", "week.tue", "week.wed", "week.thu", "week.fri"] {
            empty_field(&wait_for(&c, day).await).await;
        }
        click(&c, "calendar-submit").await;
        wait_for_text(&c, "calendar-error", "week: needs at least one open interval").await;
        // Open, but with its time zone mistyped: the server refuses it at the field.
        for day in ["week.tue", "week.wed", "week.thu", "week.fri"] {
            type_into(&c, day, "09:00-18:00").await;
        }
        type_into(&c, "week.mon", "08:00-12:00, 13:00-17:00").await;
        type_into(&c, "week.sat", "09:00-12:00").await;
        // A holiday half a year ahead, so that it never falls within the clocks tested today.
        let holiday = common::date(180);
        type_into(&c, "calendar-holidays", &holiday).await;
        click(&c, "calendar-submit").await;
        wait_for_text(&c, "calendar-time-zone-errors", "not a known IANA time zone").await;
        wait_for_xpath(
            &c,
            "//input[@data-test='calendar-time-zone'][@aria-invalid='true']",
            "the time zone marked invalid",
        )
        .await;
        assert!(texts(&c, "calendar-name-errors").await.is_empty());
        retype(&c, "calendar-time-zone", "Europe/Lisbon").await;
        click(&c, "calendar-submit").await;
        wait_for_text(&c, "calendar-page-notice", "Lisbon office").await;
        wait_gone(&c, "calendar-create-form").await;

        // A policy for urgent Enterprise tickets, counted in that calendar: a resolution
        // target shorter than the first response is marked at its field before sending.
        click(&c, "policy-new").await;
        wait_for(&c, "policy-create-form").await;
        type_into(&c, "policy-name", "Enterprise urgent").await;
        choose(&c, "policy-priority", "Urgent").await;
        type_into(&c, "policy-plan", "enterprise").await;
        retype(&c, "policy-first-response", "30").await;
        type_into(&c, "policy-resolution", "20").await;
        choose(&c, "policy-calendar", "Lisbon office").await;
        click(&c, "policy-submit").await;
        wait_for_text(
            &c,
            "policy-resolution-errors",
            "must be at least the first-response target",
        )
        .await;
        assert!(
            app.get_ok("/sla-policies", &admin)
                .await
                .as_array()
                .is_some_and(Vec::is_empty),
            "nothing is sent while a field is wrong"
        );
        retype(&c, "policy-resolution", "240").await;
        click(&c, "policy-submit").await;
        wait_for_text(&c, "policy-page-notice", "Enterprise urgent").await;
        wait_gone(&c, "policy-create-form").await;

        // After a reload both are listed as stored.
        c.refresh().await.expect("reload");
        wait_for_xpath(
            &c,
            "//*[@data-test='calendar-row'][contains(., 'Lisbon office')][contains(., 'Europe/Lisbon · open 6 days a week · 1 holiday · used by 1 policy')]",
            "the calendar's row after a reload",
        )
        .await;
        wait_for_xpath(
            &c,
            "//*[@data-test='policy-row'][contains(., 'Enterprise urgent')][contains(., 'Urgent · enterprise · first response 30 min, resolution 240 min · Lisbon office')]",
            "the policy's row after a reload",
        )
        .await;
        assert_no_horizontal_scroll(&c).await;

        let calendars = app.get_ok("/business-calendars", &admin).await;
        let calendar = &calendars[0];
        assert_eq!(calendar["time_zone"], "Europe/Lisbon", "{calendars}");
        assert_eq!(
            calendar["week"]["mon"],
            serde_json::json!([
                {"start": "08:00", "end": "12:00"},
                {"start": "13:00", "end": "17:00"}
            ])
        );
        assert_eq!(
            calendar["week"]["sat"],
            serde_json::json!([{"start": "09:00", "end": "12:00"}])
        );
        assert_eq!(calendar["week"]["sun"], serde_json::json!([]));
        assert_eq!(calendar["holidays"], serde_json::json!([holiday]));
        let policies = app.get_ok("/sla-policies", &admin).await;
        let policy = &policies[0];
        assert_eq!(policy["priority"], "urgent", "{policies}");
        assert_eq!(policy["plan"], "enterprise");
        assert_eq!(policy["first_response_minutes"], 30);
        assert_eq!(policy["resolution_minutes"], 240);
        assert_eq!(policy["calendar_id"], calendar["id"]);
    })
    .await;
}
