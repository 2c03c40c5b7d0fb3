//! The dashboard in a real browser: headless Chromium driven over WebDriver (Debian's `chromium`
//! and `chromium-driver`) against the simulator on real sockets, behind an admin token, with a
//! manual clock. A OnePay cashout made over HTTP settles when the page's own control advances
//! the clock; the page shows the status change, the webhook, the request and a fault rule's hits.
//! Screenshots go to `target/ci-artifacts/`.
//!
//! Ignored by default; `.ci/run` installs the browser and runs it with `--ignored`.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

#[path = "../common/mod.rs"]
mod common;
mod webdriver;

use common::{KEY, Sim, TENANT, send_json};
use payoutsim::ServeConfig;
use serde_json::json;
use webdriver::{Browser, Chromedriver, artifacts};

const TOKEN: &str = "dashboard-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn the_dashboard_shows_a_cashout_settling_and_its_webhook_when_its_clock_control_is_clicked()
{
    // Arrange: a simulator behind a token, a OnePay tenant whose events go to the built-in
    // inbox, and a pending cashout; a browser on the dashboard.
    let sim = Sim::with(ServeConfig {
        admin_token: Some(TOKEN.into()),
        ..ServeConfig::for_tests()
    })
    .await;
    let fixture = sim.fixture().await;
    subscribe_to_the_inbox(&sim).await;
    let cashout = sim.create_cashout(&fixture, "dashboard-1").await;
    assert_eq!(cashout["status"], "pending", "{cashout}");
    let id = cashout["id"].as_str().unwrap().to_string();
    let _ = std::fs::remove_file(artifacts().join("dashboard-failure.png")); // an earlier run's
    let driver = Chromedriver::start(&artifacts().join("chromedriver.log")).await;
    let page = driver.session().await;
    page.goto(&sim.admin_url("/")).await;

    // The page asks for the token and shows no data before it has it.
    page.wait_text("#login", "Admin token").await;
    assert_eq!(
        page.text("#app").await,
        None,
        "data shown without the token"
    );
    page.type_into("#token-input", TOKEN).await;
    page.click("#token-submit").await;
    page.wait_text("#clock-now", "2026-01-05 14:00:00 UTC")
        .await;

    // The tenant, under its provider, and its cashout, pending.
    page.click(&format!("button[data-tenant='{TENANT}']")).await;
    let row = format!("tr[data-object='{id}']");
    page.wait_text(&format!("{row} td.status"), "pending").await;

    // Act: 31 simulated minutes, from the page's own control.
    page.type_into("#advance-seconds", "1860").await;
    page.click("#advance").await;

    // Assert: the new time, the status and its timeline.
    page.wait_text("#clock-now", "2026-01-05 14:31:00 UTC")
        .await;
    page.wait_text(&format!("{row} td.status"), "processed")
        .await;
    let timeline = page.text(&format!("{row} td.timeline")).await.unwrap();
    assert!(
        timeline.contains("pending") && timeline.contains("processing"),
        "{timeline}"
    );
    page.click(&row).await;
    page.wait_text("#objects tr.detail", "timeline").await; // the transitions' cause
    println!(
        "dashboard screenshot: {}",
        page.screenshot("dashboard.png").await.display()
    );

    // The webhook of the status change, delivered to the inbox, with its attempt.
    page.click("[data-tab='webhooks']").await;
    let delivery = "tr[data-event='cashout.processed']";
    page.wait_text(&format!("{delivery} td.attempts"), "#1 200")
        .await;
    page.click(delivery).await;
    page.wait_text("#webhooks tr.detail", "x-signature").await;
    let shot = page.screenshot("dashboard-webhooks.png").await;
    println!("dashboard screenshot: {}", shot.display());

    the_journal_shows_the_cashout_request(&page).await;
    a_fault_rule_added_on_the_page_counts_its_hits_live(&sim, &page).await;

    let errors = page.page_errors().await;
    assert!(errors.is_empty(), "the page reported errors: {errors:?}");
    drop(page); // ends the session: Chromium quits
    drop(driver);
    sim.stop().await;
}

/// `POST /v1/webhooks` on OnePay (as a client subscribes, no admin token needed): every cashout
/// event to the admin port's inbox `dashboard`.
async fn subscribe_to_the_inbox(sim: &Sim) {
    let url = sim.admin_url("/__admin/inbox/dashboard");
    let body = json!({"name": "dashboard test", "url": url, "events": [
        "cashout.created", "cashout.approved", "cashout.processed", "cashout.rejected"]});
    let req = sim
        .http
        .post(sim.onepay("/v1/webhooks"))
        .bearer_auth(KEY)
        .json(&body);
    let answer = send_json(req).await;
    assert!(answer["data"]["id"].is_string(), "{answer}");
}

/// The Requests tab filtered to `POST /v1/cashouts`: one entry, whose detail has the request's
/// idempotency key and the answer's status.
async fn the_journal_shows_the_cashout_request(page: &Browser) {
    page.click("[data-tab='requests']").await;
    page.type_into("#request-path", "/v1/cashouts").await;
    page.click("#request-method option[value='POST']").await;
    page.wait_count("tr[data-request]", 1).await;
    page.click("tr[data-request]").await;
    let detail = page.wait_text("#requests tr.detail", "x-idempotency").await;
    assert!(detail.contains("dashboard-1"), "{detail}");
    assert!(detail.contains("201"), "{detail}");
    page.screenshot("dashboard-requests.png").await;
}

/// A rule typed into the Faults tab is listed with no hits; a request it matches shows as a hit
/// on the next poll; its Remove button removes it.
async fn a_fault_rule_added_on_the_page_counts_its_hits_live(sim: &Sim, page: &Browser) {
    page.click("[data-tab='faults']").await;
    let rule = r#"{"match":{"provider":"onepay","path":"/v1/banks"},"fault":{"kind":"status","status":503}}"#;
    page.type_into("#fault-rule", rule).await;
    page.click("#fault-add").await;
    page.wait_text("#fault-message", "added rule-1").await;
    page.wait_text("tr[data-rule='rule-1'] td.hits", "0").await;

    let refused = sim.get("/v1/banks").send().await.unwrap();
    assert_eq!(refused.status(), 503);
    page.wait_text("tr[data-rule='rule-1'] td.hits", "1").await;
    page.screenshot("dashboard-faults.png").await;

    page.click("tr[data-rule='rule-1'] button.remove").await;
    page.wait_count("tr[data-rule]", 0).await;
    let banks = sim.get("/v1/banks").send().await.unwrap();
    assert_eq!(banks.status(), 200, "the rule is still there");
}
