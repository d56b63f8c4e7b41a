//! Browser journeys through the client project: a CSM and a
//! client, each in their own headless Chromium at 375 px, working in the same project and
//! seeing each other's changes without reloading.
//!
//! ```sh
//! bash scripts/build-web.sh
//! TANDEM_BROWSER_TESTS=1 cargo test -p api --test browser_project
//! ```
//!
//! The harness is in `common/browser.rs`; see `browser.rs` for the rest of the app.

mod common;

use chrono::{Duration, Utc};
use fantoccini::Client;

use common::browser::*;
use common::{PASSWORD, TestApp};

const CSM: &str = "csm1@magicstore.test";
const FASHOP_CLIENT: &str = "admin@fashop.test";
const VERDI_CLIENT: &str = "admin@verdi.test";
/// Items in the built-in "Onboarding — e-commerce" template.
const TEMPLATE_ITEMS: usize = 14;

/// XPath of the checklist item titled `title`.
fn activity(title: &str) -> String {
    format!(
        "//li[@data-test='activity'][.//*[@data-test='activity-title'][normalize-space(.)='{title}']]"
    )
}

/// Waits until the page's WebSocket is connected, so that nothing sent after this is missed.
async fn wait_live(c: &Client) {
    wait_for_xpath(
        c,
        "//*[@data-test='live-indicator'][@data-state='live']",
        "the live indicator",
    )
    .await;
}

/// The id of FaShop's demo project, asked of the API.
async fn fashop_project(app: &TestApp) -> String {
    let token = app.token(CSM).await;
    let org = app.org_id(&token, "FaShop Srl").await;
    let page = app
        .get_ok(&format!("/projects?organization_id={org}"), &token)
        .await;
    page["items"][0]["id"]
        .as_str()
        .expect("FaShop has a project")
        .to_string()
}

/// Signs in and opens a section (`""`, `chat`, `board`, `agenda`) of a project.
async fn open_project(c: &Client, app: &TestApp, email: &str, project: &str, section: &str) {
    sign_in(c, app, email, PASSWORD).await;
    wait_for(c, "nav").await;
    let path = if section.is_empty() {
        format!("/projects/{project}")
    } else {
        format!("/projects/{project}/{section}")
    };
    c.goto(&format!("{}{path}", app.address))
        .await
        .expect("open the project");
    wait_for(c, "project-header").await;
    wait_live(c).await;
}

#[tokio::test]
async fn csm_creates_a_project_and_sees_the_client_tick_an_item_live() {
    if !enabled() {
        return;
    }
    scenario_two(|app, csm, client| async move {
        // Verdi has no project yet: their home says so.
        sign_in(&client, &app, VERDI_CLIENT, PASSWORD).await;
        wait_for(&client, "project-empty").await;
        wait_live(&client).await;

        // The CSM creates it from the dashboard, from the built-in template.
        sign_in(&csm, &app, CSM, PASSWORD).await;
        wait_for(&csm, "project-card").await;
        assert_eq!(path(&csm).await, "/projects");
        assert_no_horizontal_scroll(&csm).await;
        click(&csm, "project-new").await;
        wait_for_text(&csm, "new-project-org", "Verdi Arredamenti").await;
        wait_for(&csm, "new-project-org")
            .await
            .select_by_label("Verdi Arredamenti")
            .await
            .expect("choose Verdi");
        wait_for_text(&csm, "new-project-template", "Onboarding").await;
        click(&csm, "new-project-submit").await;
        wait_for_text(&csm, "project-org", "Verdi Arredamenti").await;
        assert!(path(&csm).await.starts_with("/projects/"));
        let start = format!("0 of {TEMPLATE_ITEMS} done");
        wait_for_text(&csm, "project-progress-text", &start).await;
        wait_for_text(&csm, "category-name", "Kick-off").await;
        wait_for_text(&csm, "project-coverage", "CSM coverage until").await;
        wait_live(&csm).await;
        assert_no_horizontal_scroll(&csm).await;

        // The client's open home turns into the project, without a reload.
        wait_for_text(&client, "project-org", "Verdi Arredamenti").await;
        assert_no_horizontal_scroll(&client).await;
        // Only the moves the state machine gives a client: not ticking the CSM's items.
        let kickoff_call = activity("Kick-off call");
        wait_for_xpath(&client, &kickoff_call, "the Kick-off call item").await;
        let csm_buttons = client
            .find_all(fantoccini::Locator::XPath(&format!(
                "{kickoff_call}//button[starts-with(@data-test, 'activity-action-')]"
            )))
            .await
            .expect("find");
        assert!(csm_buttons.is_empty(), "a client cannot move a CSM item");
        let training = activity("Training: catalogue and products");
        wait_for_xpath(
            &client,
            &format!("{training}//button[@data-test='activity-action-complete']"),
            "the training item's Mark done button",
        )
        .await
        .click()
        .await
        .expect("tick it");
        wait_for_xpath(
            &client,
            &format!("{training}[@data-state='done']"),
            "the training item, done",
        )
        .await;
        let one = format!("1 of {TEMPLATE_ITEMS} done");
        wait_for_text(&client, "project-progress-text", &one).await;
        // Done, it may be reopened (with a reason) but not skipped by the client.
        wait_for_xpath(
            &client,
            &format!("{training}//button[@data-test='activity-action-reopen']"),
            "Reopen on the done item",
        )
        .await;

        // The CSM's open page: the notification, the item and the progress, no reload.
        wait_for_text(&csm, "bell-count", "1").await;
        wait_for_text(&csm, "project-progress-text", &one).await;
        wait_for_xpath(
            &csm,
            &format!("{training}[@data-state='done']"),
            "the item done on the CSM's page",
        )
        .await;
        click(&csm, "bell").await;
        wait_for_text(
            &csm,
            "notification-title",
            "Training: catalogue and products",
        )
        .await;
        click(&csm, "notifications-read-all").await;
        wait_for_xpath(
            &csm,
            "//*[@data-test='notification-item'][@data-read='true']",
            "the notification, read",
        )
        .await;
        // Read: the count goes.
        wait_gone(&csm, "bell-count").await;

        // The history shows who ticked it.
        click(&csm, "notifications-close").await;
        wait_for_xpath(
            &csm,
            &format!("{training}//button[@data-test='activity-history-toggle']"),
            "History",
        )
        .await
        .click()
        .await
        .expect("open history");
        wait_for_text(&csm, "activity-history-entry", "Valeria Verdi").await;
    })
    .await;
}

#[tokio::test]
async fn a_due_date_set_by_the_csm_shows_in_the_client_agenda_and_feed() {
    if !enabled() {
        return;
    }
    scenario_two(|app, csm, client| async move {
        let project = fashop_project(&app).await;
        let due = (Utc::now() + Duration::days(10)).date_naive();

        open_project(&client, &app, FASHOP_CLIENT, &project, "agenda").await;
        // The agenda has loaded (FaShop's dates have all passed, so it may well be empty).
        wait_for_xpath(
            &client,
            "//*[@data-test='agenda-empty' or @data-test='agenda-list']",
            "the client's agenda",
        )
        .await;
        assert_no_horizontal_scroll(&client).await;

        open_project(&csm, &app, CSM, &project, "").await;
        let go_live = activity("Go-live");
        wait_for_xpath(
            &csm,
            &format!("{go_live}//button[@data-test='activity-edit-due']"),
            "Due date on Go-live",
        )
        .await
        .click()
        .await
        .expect("edit the due date");
        let input = wait_for_xpath(
            &csm,
            &format!("{go_live}//input[@data-test='activity-due-input']"),
            "the due date input",
        )
        .await;
        set_value(&csm, &input, &due.to_string()).await;
        wait_for_xpath(
            &csm,
            &format!("{go_live}//button[@data-test='activity-due-save']"),
            "Save date",
        )
        .await
        .click()
        .await
        .expect("save");
        wait_for_text(&csm, "activity-notice", "Go-live").await;

        // The client's open agenda shows it on that day, live.
        let entry = format!(
            "//*[@data-test='agenda-day'][@data-date='{due}']//*[@data-test='agenda-entry'][@data-kind='due_date'][.//*[normalize-space(.)='Go-live']]"
        );
        wait_for_xpath(&client, &entry, "Go-live in the client's agenda").await;
        // The week and month views show it too.
        click(&client, "agenda-view-month").await;
        if due.format("%m").to_string() != Utc::now().date_naive().format("%m").to_string() {
            click(&client, "agenda-next").await;
        }
        wait_for_xpath(
            &client,
            &format!("//*[@data-test='month-day'][@data-date='{due}'][@data-count!='0']"),
            "the day in the month view",
        )
        .await
        .click()
        .await
        .expect("pick the day");
        wait_for_xpath(&client, &entry, "Go-live under the month").await;
        assert_no_horizontal_scroll(&client).await;

        // And in the client's calendar feed, whose address the page shows.
        let token = app.token(FASHOP_CLIENT).await;
        let feed = app.get_ok("/me/calendar", &token).await;
        let url = feed["url"].as_str().expect("feed url").to_string();
        let shown = wait_for(&client, "calendar-url")
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        assert_eq!(shown, url, "the agenda shows the user's feed address");
        let path = &url[url.find("/api/v1/").expect("an API path")..];
        let ics = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("fetch the feed")
            .text()
            .await
            .expect("feed text");
        let unfolded = ics.replace("\r\n ", "");
        let day = due.format("%Y%m%d").to_string();
        let event = unfolded
            .split("BEGIN:VEVENT")
            .find(|e| e.contains("SUMMARY:Due: Go-live"))
            .unwrap_or_else(|| panic!("no Go-live event in the feed:\n{unfolded}"));
        assert!(
            event.contains(&format!("DTSTART;VALUE=DATE:{day}")),
            "the feed has Go-live on {day}:\n{event}"
        );
    })
    .await;
}

#[tokio::test]
async fn client_and_csm_chat_live() {
    if !enabled() {
        return;
    }
    scenario_two(|app, csm, client| async move {
        let project = fashop_project(&app).await;
        // The CSM is on the checklist; the client writes.
        open_project(&csm, &app, CSM, &project, "").await;
        open_project(&client, &app, FASHOP_CLIENT, &project, "chat").await;
        wait_for(&client, "chat-empty").await;
        type_into(&client, "chat-input", "Hello Carla, the product feed is ready").await;
        click(&client, "chat-send").await;
        wait_for_xpath(
            &client,
            "//*[@data-test='chat-message'][@data-mine='true'][.//*[contains(., 'the product feed is ready')]]",
            "the client's own message, on the right",
        )
        .await;

        // The CSM sees the unread count on the Chat tab, then the message, live.
        wait_for_text(&csm, "tab-chat-unread", "1").await;
        click(&csm, "tab-chat").await;
        wait_for_xpath(
            &csm,
            "//*[@data-test='chat-message'][@data-mine='false'][.//*[contains(., 'the product feed is ready')]]",
            "the client's message on the CSM's side",
        )
        .await;
        // Read now: the count goes.
        wait_gone(&csm, "tab-chat-unread").await;

        type_into(&csm, "chat-input", "Great, I will look at it today").await;
        click(&csm, "chat-send").await;
        wait_for_xpath(
            &client,
            "//*[@data-test='chat-message'][@data-mine='false'][.//*[contains(., 'I will look at it today')]]",
            "the CSM's reply on the client's side, live",
        )
        .await;
        assert_eq!(texts(&client, "chat-message").await.len(), 2);
        assert_no_horizontal_scroll(&client).await;
        assert_no_horizontal_scroll(&csm).await;
    })
    .await;
}

#[tokio::test]
async fn a_board_post_is_pinned_and_commented() {
    if !enabled() {
        return;
    }
    scenario_two(|app, csm, client| async move {
        let project = fashop_project(&app).await;
        open_project(&client, &app, FASHOP_CLIENT, &project, "board").await;
        wait_for(&client, "board-empty").await;
        open_project(&csm, &app, CSM, &project, "board").await;

        // The CSM posts in Markdown; the server's HTML shows the emphasis.
        type_into(&csm, "board-input", "**Training booked**: Tuesday at 10:00").await;
        click(&csm, "board-submit").await;
        wait_for_xpath(
            &csm,
            "//*[@data-test='board-post']//*[@data-test='post-body']//strong[normalize-space(.)='Training booked']",
            "the post, rendered",
        )
        .await;
        click(&csm, "post-pin").await;
        wait_for_xpath(&csm, "//*[@data-test='board-post'][@data-pinned='true']", "the pinned post").await;

        // The client sees it pinned without reloading, and comments; a client cannot pin.
        wait_for_xpath(
            &client,
            "//*[@data-test='board-post'][@data-pinned='true'][.//strong[normalize-space(.)='Training booked']]",
            "the pinned post on the client's side",
        )
        .await;
        assert!(texts(&client, "post-pin").await.is_empty(), "only the CSM pins");
        assert!(texts(&client, "post-unpin").await.is_empty(), "only the CSM unpins");
        click(&client, "post-comments-toggle").await;
        type_into(&client, "comment-input", "Thanks, see you there").await;
        click(&client, "comment-submit").await;
        wait_for_text(&client, "post-comment", "Thanks, see you there").await;

        // The CSM's page counts it, and shows it.
        wait_for_text(&csm, "post-comments-toggle", "1 comment").await;
        click(&csm, "post-comments-toggle").await;
        wait_for_text(&csm, "post-comment", "Thanks, see you there").await;
        assert_no_horizontal_scroll(&client).await;
    })
    .await;
}

#[tokio::test]
async fn csm_makes_a_template_and_chooses_how_to_be_notified() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, CSM, PASSWORD).await;
        click(&c, "nav-link-templates").await;
        wait_for_text(&c, "template-row", "Onboarding — e-commerce").await;
        click(&c, "template-new").await;
        // The first category is Kick-off and stays so.
        let kickoff = wait_for(&c, "template-category-name").await;
        assert_eq!(
            kickoff.prop("value").await.expect("value").as_deref(),
            Some("Kick-off")
        );
        click(&c, "template-add-item").await;
        // Nothing named: every broken field is marked, nothing is sent.
        click(&c, "template-submit").await;
        wait_for(&c, "template-error").await;
        wait_for(&c, "template-name-errors").await;
        type_into(&c, "template-name", "Onboarding — marketplace").await;
        type_into(&c, "template-item-title", "Kick-off call").await;
        type_into(&c, "template-item-due", "2").await;
        click(&c, "template-submit").await;
        wait_for_text(&c, "page-notice", "Onboarding — marketplace").await;
        wait_for_text(&c, "template-row", "Onboarding — marketplace").await;
        assert_no_horizontal_scroll(&c).await;

        // New projects can start from it.
        click(&c, "nav-link-projects").await;
        click(&c, "project-new").await;
        wait_for_text(&c, "new-project-template", "Onboarding — marketplace").await;

        // No e-mail for chat messages: saved, and still so after a reload.
        click(&c, "nav-link-account").await;
        click(&c, "pref-chat_message-none").await;
        click(&c, "prefs-submit").await;
        wait_for(&c, "prefs-notice").await;
        assert_no_horizontal_scroll(&c).await;
        c.refresh().await.expect("reload");
        let none = wait_for(&c, "pref-chat_message-none").await;
        wait_for(&c, "pref-row").await;
        assert_eq!(
            none.prop("checked").await.expect("checked").as_deref(),
            Some("true")
        );
        let token = app.token(CSM).await;
        let prefs = app.get_ok("/me/notification-preferences", &token).await;
        let chat = prefs["preferences"]
            .as_array()
            .expect("preferences")
            .iter()
            .find(|p| p["kind"] == "chat_message")
            .expect("chat_message");
        assert_eq!(chat["channel"], "none");
    })
    .await;
}

#[tokio::test]
async fn csm_books_an_appointment_and_the_client_sees_it_live() {
    if !enabled() {
        return;
    }
    scenario_two(|app, csm, client| async move {
        let project = fashop_project(&app).await;
        let day = (Utc::now() + Duration::days(2)).date_naive();
        open_project(&client, &app, FASHOP_CLIENT, &project, "agenda").await;
        wait_for_xpath(
            &client,
            "//*[@data-test='agenda-empty' or @data-test='agenda-list']",
            "the client's agenda",
        )
        .await;

        open_project(&csm, &app, CSM, &project, "agenda").await;
        click(&csm, "appointment-new").await;
        type_into(&csm, "appointment-title", "Training: catalogue import").await;
        let date = wait_for(&csm, "appointment-date").await;
        set_value(&csm, &date, &day.to_string()).await;
        type_into(&csm, "appointment-video", "https://meet.example.com/fashop").await;
        click(&csm, "appointment-submit").await;
        wait_for_text(&csm, "agenda-notice", "Training: catalogue import").await;
        wait_for_text(&csm, "agenda-entry", "Training: catalogue import").await;
        assert_no_horizontal_scroll(&csm).await;

        // The client's agenda, header and bell follow without a reload.
        let entry = format!(
            "//*[@data-test='agenda-day'][@data-date='{day}']//*[@data-test='agenda-entry'][@data-kind='appointment'][.//*[contains(., 'Training: catalogue import')]]"
        );
        wait_for_xpath(&client, &entry, "the appointment in the client's agenda").await;
        wait_for_text(
            &client,
            "project-next-appointment",
            "Training: catalogue import",
        )
        .await;
        wait_for_text(&client, "bell-count", "1").await;
    })
    .await;
}

#[tokio::test]
async fn once_coverage_has_ended_the_chat_is_read_only() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        // Bianchi is on the standard plan: with a contract two years old, coverage is over.
        let signed = common::day(0) - chrono::Months::new(24);
        let admin = app.token("admin@magicstore.test").await;
        let org = app.org_id(&admin, "Bianchi Sport").await;
        let res = app
            .patch_json(
                &format!("/organizations/{org}"),
                Some(&admin),
                &serde_json::json!({"contract_start": signed.to_string(), "plan": "standard"}),
            )
            .await;
        assert!(res.status().is_success(), "admin change: {}", res.status());

        sign_in(&c, &app, "admin@bianchi.test", PASSWORD).await;
        wait_for_text(&c, "project-coverage", "ended").await;
        click(&c, "tab-chat").await;
        wait_for(&c, "chat-closed").await;
        assert!(
            texts(&c, "chat-input").await.is_empty(),
            "no composer once the chat is closed"
        );
        assert_no_horizontal_scroll(&c).await;
    })
    .await;
}
