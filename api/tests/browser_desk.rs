//! Browser journeys through the support desk (PRODUCT §3, issue #4 items 10 and 11): a
//! client in the portal and an agent in the workspace, each in their own headless Chromium
//! at 375 px, seeing each other's moves without reloading.
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
        choose(&client, "ticket-new-cluster", "Product not working").await;
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
