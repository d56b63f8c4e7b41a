//! Browser checks for refunds and handoffs: the account manager
//! approves a refund from the ticket page's card; the CSM moves a repeated-problem handoff on
//! from "My handoffs".
//!
//! ```sh
//! bash scripts/build-web.sh
//! TANDEM_BROWSER_TESTS=1 cargo test -p api --test browser_handoffs
//! ```

mod common;

use serde_json::{Value, json};

use common::PASSWORD;
use common::browser::*;

async fn open(app: &common::TestApp, token: &str, body: Value) -> String {
    let res = app.post_json("/tickets", Some(token), &body).await;
    assert_eq!(res.status(), 201);
    let t: Value = res.json().await.expect("json");
    t["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn the_approver_decides_on_the_ticket_page_and_the_csm_moves_the_handoff_on() {
    if !enabled() {
        return;
    }
    scenario(|app, c| async move {
        let member = app.token("member@fashop.test").await;
        let ticket = open(
            &app,
            &member,
            json!({"subject": "Refund please", "body": "Refund my order", "cluster": "return_refund"}),
        )
        .await;
        sign_in(&c, &app, "account@magicstore.test", PASSWORD).await;
        wait_for(&c, "nav-link-tickets").await;
        c.goto(&format!("{}/tickets/{ticket}", app.address))
            .await
            .expect("open the ticket");
        wait_for_text(&c, "refund-status", "Waiting for approval").await;
        let note = wait_for(&c, "refund-note").await;
        set_value(&c, &note, "Refunded to your card.").await;
        click(&c, "refund-approve").await;
        wait_for_text(&c, "refund-status", "Approved").await;
        let thread = app
            .get_ok(&format!("/tickets/{ticket}/messages"), &member)
            .await;
        let last = thread["items"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["body"].as_str())
            .unwrap_or_default()
            .to_string();
        assert!(last.ends_with("Refunded to your card."), "{last}");

        // Three tickets about the same problem: csm1 owns a handoff and moves it on.
        let feed_products = app.get_ok("/products", &member).await;
        let feed = feed_products
            .as_array()
            .and_then(|l| l.iter().find(|p| p["name"] == "Product feed"))
            .and_then(|p| p["id"].as_str())
            .expect("product")
            .to_string();
        for _ in 0..3 {
            open(
                &app,
                &member,
                json!({"subject": "Feed stuck", "body": "Stuck again", "cluster": "technical_problem", "product_id": feed}),
            )
            .await;
        }
        c.delete_all_cookies().await.ok();
        c.execute("localStorage.clear(); sessionStorage.clear();", vec![])
            .await
            .ok();
        sign_in(&c, &app, "csm1@magicstore.test", PASSWORD).await;
        wait_for(&c, "nav-link-handoffs").await;
        click(&c, "nav-link-handoffs").await;
        wait_for_text(
            &c,
            "handoff-title",
            "Repeated problem: Product feed (technical problem)",
        )
        .await;
        let select = wait_for(&c, "handoff-status").await;
        set_value(&c, &select, "in_progress").await;
        let csm = app.token("csm1@magicstore.test").await;
        let mut status = String::new();
        for _ in 0..50 {
            let list = app.get_ok("/handoffs?owner=me", &csm).await;
            status = list["items"][0]["status"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if status == "in_progress" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(status, "in_progress");
        assert_no_horizontal_scroll(&c).await;
    })
    .await;
}
