//! Browser tests: the built web app (`web/dist`), served by the real server with the demo
//! data, driven in headless Chromium through chromedriver at a phone-sized window (375 px).
//!
//! They need Chromium, chromedriver and a built app, so they run only when asked:
//!
//! ```sh
//! bash scripts/build-web.sh
//! TANDEM_BROWSER_TESTS=1 cargo test -p api --test browser
//! ```
//!
//! The app is taken from `TANDEM_WEB_DIST` (default `web/dist`). The harness (browser,
//! server, waits) is in `common/browser.rs`; the project journeys are in `browser_project.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use common::PASSWORD;
use common::browser::*;

#[tokio::test]
async fn client_user_lands_on_their_project_with_client_navigation() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "admin@fashop.test", PASSWORD).await;
        // FaShop has one project: the client's home opens it.
        wait_for_text(&c, "project-org", "FaShop Srl").await;
        let home = path(&c).await;
        assert!(home.starts_with("/projects/"), "{home}");
        wait_for(&c, "nav").await;
        assert_eq!(
            texts(&c, "nav-link-my-project").await.len(),
            1,
            "client nav has My project"
        );
        assert_eq!(
            texts(&c, "nav-link-account").await.len(),
            1,
            "client nav has Account"
        );
        for admin_only in [
            "organizations",
            "users",
            "invitations",
            "departments",
            "jobs",
        ] {
            assert!(
                texts(&c, &format!("nav-link-{admin_only}"))
                    .await
                    .is_empty(),
                "a client must not see the {admin_only} link"
            );
        }
        assert!(
            !wait_for(&c, "user-name")
                .await
                .text()
                .await
                .expect("name")
                .is_empty()
        );
        assert_no_horizontal_scroll(&c).await;

        // A reload keeps the session (and the page).
        c.refresh().await.expect("reload");
        wait_for_text(&c, "project-org", "FaShop Srl").await;
        assert_eq!(path(&c).await, home);
    })
    .await;
}

#[tokio::test]
async fn csm_sees_only_their_clients() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        // The CSM's home is the project dashboard; their clients are one link away.
        wait_for(&c, "project-card").await;
        assert_eq!(path(&c).await, "/projects");
        click(&c, "nav-link-clients").await;
        wait_for(&c, "client-card").await;
        assert_eq!(path(&c).await, "/clients");
        let names = texts(&c, "client-name").await;
        assert!(names.iter().any(|n| n == "FaShop Srl"), "{names:?}");
        assert!(names.iter().any(|n| n == "Verdi Arredamenti"), "{names:?}");
        assert!(
            !names.iter().any(|n| n == "Bianchi Sport"),
            "csm1 must not see Bianchi Sport: {names:?}"
        );
        assert_eq!(texts(&c, "nav-link-clients").await.len(), 1);
        assert!(texts(&c, "nav-link-organizations").await.is_empty());
        assert_no_horizontal_scroll(&c).await;
    })
    .await;
}

#[tokio::test]
async fn wrong_password_is_explained() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", "not-the-password").await;
        wait_for_text(&c, "login-error", "Wrong e-mail or password").await;
        assert_eq!(path(&c).await, "/login");
        // Not signed in: no navigation.
        assert!(texts(&c, "nav").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn too_many_attempts_say_how_long_to_wait() {
    if !enabled() {
        return;
    }
    let strict = |c: &mut api::Config| c.login_max_failures_per_account = 2;
    scenario_with(strict, |app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", "wrong-password-1").await;
        wait_for_text(&c, "login-error", "Wrong e-mail or password").await;
        // The form keeps the e-mail and empties the password.
        type_into(&c, "login-password", "wrong-password-2").await;
        click(&c, "login-submit").await;
        // The button is disabled while the attempt is under way.
        c.wait()
            .at_most(WAIT)
            .for_element(css("[data-test=\"login-submit\"]:enabled"))
            .await
            .expect("answered");
        type_into(&c, "login-password", "wrong-password-3").await;
        click(&c, "login-submit").await;
        let text = wait_for_text(&c, "login-error", "Too many attempts, try again in").await;
        assert!(
            text.trim_end().ends_with("seconds") || text.trim_end().ends_with("second"),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn admin_creates_an_organisation_through_the_form() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "admin@magicstore.test", PASSWORD).await;
        wait_for(&c, "org-row").await;
        assert_eq!(path(&c).await, "/admin/organizations");
        assert_no_horizontal_scroll(&c).await;

        click(&c, "org-new").await;
        // Sending the empty form shows the rule next to the field, before any request.
        click(&c, "org-submit").await;
        wait_for_text(&c, "org-name-errors", "is required").await;

        let name = "Rossi Ceramiche Browser";
        type_into(&c, "org-name", name).await;
        type_into(&c, "org-plan", "standard").await;
        click(&c, "org-submit").await;
        wait_for_text(&c, "page-notice", name).await;
        wait_for_text(&c, "org-row", name).await;

        // It is really stored: a reload lists it too.
        c.refresh().await.expect("reload");
        wait_for_text(&c, "org-row", name).await;
    })
    .await;
}

#[tokio::test]
async fn editing_a_stale_organisation_is_refused_and_the_form_reloads() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "admin@magicstore.test", PASSWORD).await;
        let row = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//*[@data-test='org-row'][contains(., 'Verdi Arredamenti')]",
            ))
            .await
            .expect("Verdi row");
        row.click().await.expect("open the edit form");
        wait_for(&c, "org-edit-form").await;

        // Someone else changes the organisation meanwhile.
        let token = app.token("admin@magicstore.test").await;
        let id = app.org_id(&token, "Verdi Arredamenti").await;
        let res = app
            .patch_json(
                &format!("/organizations/{id}"),
                Some(&token),
                &json!({"segment": "changed elsewhere"}),
            )
            .await;
        assert!(
            res.status().is_success(),
            "the concurrent change: {}",
            res.status()
        );

        type_into(&c, "org-industry", " (mine)").await;
        click(&c, "org-submit").await;
        wait_for_text(&c, "org-error", "Someone else changed this organisation").await;
        // The form now shows the other person's change, ready to save again.
        let segment = wait_for(&c, "org-segment")
            .await
            .prop("value")
            .await
            .expect("value");
        assert_eq!(segment.as_deref(), Some("changed elsewhere"));
        type_into(&c, "org-industry", " (mine)").await;
        click(&c, "org-submit").await;
        wait_for_text(&c, "page-notice", "Verdi Arredamenti").await;
    })
    .await;
}

#[tokio::test]
async fn admin_creates_an_agent_and_edits_them() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "admin@magicstore.test", PASSWORD).await;
        click(&c, "nav-link-users").await;
        wait_for(&c, "user-row").await;
        click(&c, "user-new").await;
        type_into(&c, "user-email", "agent9@magicstore.test").await;
        type_into(&c, "user-name-input", "Nadia Nove").await;
        wait_for(&c, "user-role")
            .await
            .select_by_value("support_agent")
            .await
            .expect("role");
        // Agents get departments and skills.
        let billing = "//*[@data-test='user-departments']//label[contains(., 'Billing')]/input";
        c.wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(billing))
            .await
            .expect("a Billing department")
            .click()
            .await
            .expect("tick");
        type_into(&c, "user-skills", "refunds, invoices").await;
        click(&c, "user-submit").await;
        wait_for_text(&c, "page-notice", "agent9@magicstore.test").await;
        let row = wait_for_text(&c, "user-row", "Nadia Nove").await;
        assert!(row.contains("refunds") && row.contains("invoices"), "{row}");

        // Edit: availability and active.
        let row = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//*[@data-test='user-row'][contains(., 'Nadia Nove')]",
            ))
            .await
            .expect("row");
        row.click().await.expect("open the edit form");
        wait_for(&c, "user-edit-form").await;
        wait_for(&c, "user-availability")
            .await
            .select_by_value("online")
            .await
            .expect("availability");
        click(&c, "user-active").await;
        click(&c, "user-submit").await;
        wait_for_text(&c, "page-notice", "saved").await;
        wait_for_text(&c, "user-row", "inactive").await;

        let token = app.token("admin@magicstore.test").await;
        let id = app.user_id(&token, "agent9@magicstore.test").await;
        let user = app.get_ok(&format!("/users/{id}"), &token).await;
        assert_eq!(user["availability"], "online", "{user}");
        assert_eq!(user["active"], false, "{user}");
        let mut skills: Vec<&str> = user["skills"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        skills.sort_unstable();
        assert_eq!(skills, ["invoices", "refunds"], "{user}");
        assert_eq!(
            user["department_ids"].as_array().map(Vec::len),
            Some(1),
            "{user}"
        );
    })
    .await;
}

/// Waits until the availability control says the server stored `value`.
async fn wait_for_saved_availability(c: &Client, value: &str) {
    let selector = format!("[data-test=\"availability\"][data-saved=\"{value}\"]");
    if let Err(e) = c.wait().at_most(WAIT).for_element(css(&selector)).await {
        panic!(
            "availability never showed {value:?} as saved within {WAIT:?} ({e}); {}",
            page_state(c).await
        );
    }
}

/// Whether the availability option `value` is the one selected.
async fn availability_checked(c: &Client, value: &str) -> bool {
    let input = wait_for(c, &format!("availability-{value}"))
        .await
        .find(css("input"))
        .await
        .expect("the option's radio button");
    input.prop("checked").await.expect("checked").as_deref() == Some("true")
}

#[tokio::test]
async fn an_agent_steps_away_and_stays_away_after_a_reload() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "agent1@magicstore.test", PASSWORD).await;
        wait_for(&c, "agent-profile").await;
        assert_eq!(path(&c).await, "/tickets");
        // The demo's agents start online; this one steps away.
        wait_for_saved_availability(&c, "online").await;
        assert!(availability_checked(&c, "online").await);
        assert_no_horizontal_scroll(&c).await;

        click(&c, "availability-away").await;
        wait_for_text(&c, "availability-notice", "Saved: you are away").await;
        wait_for_saved_availability(&c, "away").await;
        assert!(availability_checked(&c, "away").await);
        assert!(!availability_checked(&c, "online").await);

        // Stored, not just shown: a reload reads it back from the server.
        c.refresh().await.expect("reload");
        wait_for(&c, "agent-profile").await;
        wait_for_saved_availability(&c, "away").await;
        assert!(availability_checked(&c, "away").await);

        let token = app.token("agent1@magicstore.test").await;
        let me = app.get_ok("/me", &token).await;
        assert_eq!(me["availability"], "away", "{me}");
    })
    .await;
}

#[tokio::test]
async fn renaming_yourself_updates_the_header() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        wait_for_text(&c, "user-name", "Carla Conti").await;
        click(&c, "nav-link-account").await;
        let input = wait_for(&c, "account-name").await;
        assert_eq!(
            input.prop("value").await.expect("value").as_deref(),
            Some("Carla Conti")
        );

        // An empty name is refused next to the field, before any request.
        empty_field(&input).await;
        click(&c, "account-name-submit").await;
        wait_for_text(&c, "account-name-errors", "is required").await;

        type_into(&c, "account-name", "Carla Conti-Rinaldi").await;
        click(&c, "account-name-submit").await;
        wait_for_text(&c, "account-name-notice", "Your name has been saved").await;
        wait_for_text(&c, "user-name", "Carla Conti-Rinaldi").await;
        wait_for_text(&c, "profile", "Carla Conti-Rinaldi").await;
        assert_no_horizontal_scroll(&c).await;

        // The account changes elsewhere while the form is untouched: header and field follow
        // it live (the server announces `user.updated`).
        let token = app.token("csm1@magicstore.test").await;
        let rename = |name: &'static str| {
            let (app, token) = (&app, token.clone());
            async move {
                let res = app
                    .patch_json("/me", Some(&token), &json!({"name": name}))
                    .await;
                assert!(
                    res.status().is_success(),
                    "the other change: {}",
                    res.status()
                );
            }
        };
        rename("Carla Elsewhere").await;
        wait_for_text(&c, "user-name", "Carla Elsewhere").await;
        let deadline = Instant::now() + WAIT;
        loop {
            let value = wait_for(&c, "account-name")
                .await
                .prop("value")
                .await
                .expect("value");
            if value.as_deref() == Some("Carla Elsewhere") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the untouched field follows the live change: {value:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // It changes again while the person is typing: the field keeps what they typed, and
        // saving is refused (412) with the current name shown, ready to save again.
        let input = wait_for(&c, "account-name").await;
        empty_field(&input).await;
        input.send_keys("Carla Mine").await.expect("type");
        rename("Carla Altrove").await;
        wait_for_text(&c, "user-name", "Carla Altrove").await;
        click(&c, "account-name-submit").await;
        wait_for_text(&c, "account-name-error", "changed elsewhere").await;
        assert_eq!(
            wait_for(&c, "account-name")
                .await
                .prop("value")
                .await
                .expect("value")
                .as_deref(),
            Some("Carla Altrove")
        );
        wait_for_text(&c, "user-name", "Carla Altrove").await;

        let me = app.get_ok("/me", &token).await;
        assert_eq!(me["name"], "Carla Altrove", "{me}");
    })
    .await;
}

/// The token of the invitation link in the first `.eml` file of the outbox.
async fn invitation_token_from_outbox(dir: &Path) -> String {
    // The mail goes out from the job queue; poll the folder (not the page) until it lands.
    let deadline = Instant::now() + WAIT;
    loop {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        if let Some(eml) = files
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "eml"))
        {
            let raw = std::fs::read_to_string(eml).expect("read the message");
            // Undo quoted-printable soft line breaks; the token itself has no `=`.
            let text = raw.replace("=\r\n", "").replace("=\n", "");
            let start = text
                .find("/invite/")
                .expect("an /invite/ link in the message")
                + "/invite/".len();
            return text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
        }
        assert!(
            Instant::now() < deadline,
            "no invitation e-mail in {} within {WAIT:?}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_invitation_sent_from_the_form_lets_the_person_sign_in() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "admin@magicstore.test", PASSWORD).await;
        click(&c, "nav-link-invitations").await;
        type_into(&c, "invitation-email", "nuova@verdi.test").await;
        type_into(&c, "invitation-name", "Nuova Persona").await;
        wait_for(&c, "invitation-role")
            .await
            .select_by_value("client_member")
            .await
            .expect("role");
        // A client role needs an organisation: its field appears.
        wait_for(&c, "invitation-organization")
            .await
            .select_by_label("Verdi Arredamenti")
            .await
            .expect("organisation");
        click(&c, "invitation-submit").await;
        wait_for_text(
            &c,
            "invitation-notice",
            "Invitation sent to nuova@verdi.test",
        )
        .await;
        wait_for_text(&c, "invitation-row", "nuova@verdi.test").await;
        click(&c, "logout").await;
        wait_for(&c, "login-email").await;

        let token =
            invitation_token_from_outbox(Path::new(&app.state.config.mail_outbox_dir)).await;
        c.goto(&format!("{}/invite/{token}", app.address))
            .await
            .expect("open the link");
        type_into(&c, "invite-password", "a long passphrase").await;
        type_into(&c, "invite-confirm", "a long passphrase").await;
        click(&c, "invite-submit").await;
        wait_for(&c, "project-empty").await;
        assert_eq!(path(&c).await, "/my-project");
        wait_for_text(&c, "org-name", "Verdi Arredamenti").await;
        wait_for_text(&c, "user-name", "Nuova Persona").await;
    })
    .await;
}

/// Replaces tokens in the stored session, as if they had expired or been revoked.
async fn spoil_stored_tokens(c: &Client, which: &[&str]) -> Value {
    let script = "const s = JSON.parse(localStorage.getItem('tandem.session')); \
                  for (const k of arguments[0]) { s[k] = 'spoiled-' + k; } \
                  localStorage.setItem('tandem.session', JSON.stringify(s)); return s;";
    c.execute(script, vec![json!(which)])
        .await
        .expect("edit localStorage")
}

async fn stored_session(c: &Client) -> Value {
    c.execute(
        "return JSON.parse(localStorage.getItem('tandem.session'));",
        vec![],
    )
    .await
    .expect("read localStorage")
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_and_a_dead_session_signs_out() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        wait_for(&c, "project-card").await;
        let before = stored_session(&c).await;

        // The access token is refused: the app refreshes once, repeats the call, and stores
        // the new (rotated) pair.
        spoil_stored_tokens(&c, &["access_token"]).await;
        c.refresh().await.expect("reload");
        wait_for(&c, "project-card").await;
        let after = stored_session(&c).await;
        assert_ne!(
            after["refresh_token"], before["refresh_token"],
            "the refresh token rotates"
        );
        assert!(
            !after["access_token"]
                .as_str()
                .unwrap_or("spoiled")
                .starts_with("spoiled")
        );

        // Both are refused: back to the login page, session forgotten.
        spoil_stored_tokens(&c, &["access_token", "refresh_token"]).await;
        c.refresh().await.expect("reload");
        wait_for(&c, "login-email").await;
        assert_eq!(path(&c).await, "/login");
        assert_eq!(stored_session(&c).await, Value::Null);
    })
    .await;
}

/// The open page's session ends elsewhere (its password changed from another session): the
/// server closes the page's live socket with 4401, and the page goes to the login page and
/// forgets the session, with no reload or click, instead of reconnecting over and over.
#[tokio::test]
async fn a_session_ended_elsewhere_signs_the_open_page_out() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        wait_for(&c, "project-card").await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("[data-test=\"live-indicator\"][data-state=\"live\"]"))
            .await
            .expect("live");
        let other = app.login("csm1@magicstore.test").await;
        let res = app
            .post_json(
                "/auth/password",
                Some(&other.access_token),
                &json!({"current_password": PASSWORD, "new_password": "a new long passphrase"}),
            )
            .await;
        assert_eq!(res.status(), 204);
        wait_for(&c, "login-email").await;
        assert_eq!(path(&c).await, "/login");
        assert_eq!(stored_session(&c).await, Value::Null);
    })
    .await;
}

#[tokio::test]
async fn a_change_made_elsewhere_appears_live() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        click(&c, "nav-link-clients").await;
        wait_for(&c, "client-card").await;
        c.wait().at_most(WAIT).for_element(css("[data-test=\"live-indicator\"][data-state=\"live\"]")).await.expect("live");

        let token = app.token("admin@magicstore.test").await;
        let id = app.org_id(&token, "Verdi Arredamenti").await;
        let res = app.patch_json(&format!("/organizations/{id}"), Some(&token), &json!({"lifecycle_stage": "at_risk"})).await;
        assert!(res.status().is_success(), "admin change: {}", res.status());

        // No reload: the event arrives over the WebSocket and the card updates.
        let card = format!("//*[@data-test='client-card'][@data-id='{id}']//*[@data-test='client-stage'][normalize-space(.)='At risk']");
        c.wait().at_most(WAIT).for_element(Locator::XPath(&card)).await.expect("the card shows the new stage");
    })
    .await;
}

#[tokio::test]
async fn live_indicator_goes_live() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        let live = c
            .wait()
            .at_most(WAIT)
            .for_element(css("[data-test=\"live-indicator\"][data-state=\"live\"]"))
            .await
            .expect("the live indicator should reach the live state");
        assert_eq!(live.text().await.expect("text").trim(), "Live");
    })
    .await;
}

/// The web app under the server's Content-Security-Policy: it boots (no inline script), draws
/// its styles (a progress bar's width), reaches the API and holds its WebSocket (`connect-src
/// 'self'` covers `ws:` on the same origin), with not one console error on the way. Then an
/// inline script is refused, so the policy is really in force and the console check sees a
/// refusal.
#[tokio::test]
async fn the_app_runs_under_its_content_security_policy_without_console_errors() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        sign_in(&c, &app, "admin@fashop.test", PASSWORD).await;
        wait_for_text(&c, "project-org", "FaShop Srl").await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("[data-test=\"live-indicator\"][data-state=\"live\"]"))
            .await
            .expect("the WebSocket should go live");
        // A reload: the page loads again, with a session, straight into the live state.
        c.refresh().await.expect("reload");
        wait_for_text(&c, "project-org", "FaShop Srl").await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("[data-test=\"live-indicator\"][data-state=\"live\"]"))
            .await
            .expect("the WebSocket should go live after a reload");
        assert_no_console_errors(&c, "loading the app and going live").await;
        let width = c
            .execute(
                "const f = document.querySelector('[data-test=\"project-progress\"] .progress-fill'); \
                 return [f.style.width, document.querySelector('[data-test=\"project-progress\"]').dataset.percent];",
                vec![],
            )
            .await
            .expect("progress width");
        assert_eq!(
            width[0].as_str().unwrap_or_default(),
            format!("{}%", width[1].as_str().unwrap_or_default()),
            "the progress bar's width is set: {width}"
        );

        let ran = c
            .execute(
                "const s = document.createElement('script'); \
                 s.textContent = 'window.inlineRan = true;'; \
                 document.head.appendChild(s); \
                 return window.inlineRan === true;",
                vec![],
            )
            .await
            .expect("inject an inline script");
        assert_eq!(ran, json!(false), "an inline script must not run");
        let refused = console_errors(&c).await;
        assert!(
            refused
                .iter()
                .any(|m| m.contains("Content Security Policy") && m.contains("inline script")),
            "the refused inline script should show in the console: {refused:#?}"
        );
    })
    .await;
}

/// The interactive API docs work under their own policy: Swagger UI's scripts and styles
/// load, it reads the OpenAPI document and lists the operations, with no console error.
#[tokio::test]
async fn the_api_docs_render_under_their_content_security_policy() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        c.goto(&format!("{}/api/docs/", app.address))
            .await
            .expect("open /api/docs/");
        c.wait()
            .at_most(WAIT)
            .for_element(css(".swagger-ui .opblock"))
            .await
            .expect("Swagger UI lists the operations");
        let title = c
            .find(css(".swagger-ui .info .title"))
            .await
            .expect("title")
            .text()
            .await
            .expect("title text");
        assert!(title.contains("Tandem"), "{title}");
        // An operation opens with its parameters, answers and "Try it out".
        c.find(css(".swagger-ui .opblock .opblock-summary"))
            .await
            .expect("an operation")
            .click()
            .await
            .expect("open the operation");
        c.wait()
            .at_most(WAIT)
            .for_element(css(".swagger-ui .opblock.is-open .try-out__btn"))
            .await
            .expect("the operation opens");
        assert_no_console_errors(&c, "loading the API docs and opening an operation").await;
    })
    .await;
}
