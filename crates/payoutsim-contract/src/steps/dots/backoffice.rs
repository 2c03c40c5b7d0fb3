//! payoutsim's back office for Dots (`@sim`), under `/__admin/providers/dots/`: funding an app
//! wallet (dollars), the SMS outbox of verification codes, forcing a payout's or a payout link's
//! status, and the app wallet as the objects view shows it.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::BACK_OFFICE;
use crate::world::{ContractWorld, ProviderState};

/// The verification codes the SMS outbox holds for the user the scenario named `name`, oldest
/// first.
pub async fn sms_codes(w: &ContractWorld, name: &str) -> Vec<Value> {
    let id = w.dots.id("user", name);
    let path = format!("{BACK_OFFICE}/sms?tenant={}&user_id={id}", w.dots.tenant());
    let outbox = w.admin("GET", &path, None).await;
    outbox["messages"].as_array().cloned().unwrap_or_default()
}

/// The app wallet of the app in use, cents.
pub async fn app_wallet(w: &ContractWorld) -> i64 {
    let tenant = w.dots.tenant();
    let path = format!("{BACK_OFFICE}/objects?kind=app&tenant={tenant}");
    let objects = w.admin("GET", &path, None).await;
    let apps = objects["objects"].as_array().cloned().unwrap_or_default();
    let app = apps.iter().find(|o| o["tenant"] == json!(tenant));
    let wallet = app.and_then(|a| a["object"]["wallet"].as_i64());
    wallet.unwrap_or_else(|| panic!("no app of {tenant} in the back office: {objects}"))
}

#[given(expr = "the Dots back office funds the app wallet with {int} dollars")]
#[when(expr = "the Dots back office funds the app wallet with {int} dollars")]
async fn fund(w: &mut ContractWorld, dollars: u64) {
    let body = json!({"tenant": w.dots.tenant(), "amount": dollars});
    w.admin("POST", &format!("{BACK_OFFICE}/fund"), Some(body))
        .await;
}

#[then(expr = "the Dots app wallet holds {int} cents")]
async fn wallet_holds(w: &mut ContractWorld, cents: i64) {
    assert_eq!(
        app_wallet(w).await,
        cents,
        "the app wallet of {}",
        w.dots.tenant()
    );
}

#[given("I note the Dots app wallet")]
#[when("I note the Dots app wallet")]
async fn note_wallet(w: &mut ContractWorld) {
    w.dots.noted = Some(app_wallet(w).await);
}

#[then(expr = "the Dots app wallet has gone down by {int} cents")]
async fn wallet_down(w: &mut ContractWorld, cents: i64) {
    let noted = w
        .dots
        .noted
        .unwrap_or_else(|| panic!("note the app wallet first"));
    assert_eq!(noted - app_wallet(w).await, cents, "noted {noted}");
}

#[then("the Dots app wallet is as noted")]
async fn wallet_as_noted(w: &mut ContractWorld) {
    wallet_down(w, 0).await;
}

/// `POST /transfers/{id}/status` or `/payout-links/{id}/status` (with `user_id` for `claimed`).
async fn force(w: &ContractWorld, kind: &str, name: &str, status: &str, user: Option<&str>) {
    let id = w.dots.id(kind, name);
    let route = match kind {
        "payout" | "transfer" => "transfers",
        "link" => "payout-links",
        other => panic!("the back office forces payouts and payout links, not a {other}"),
    };
    let mut body = json!({"status": status, "tenant": w.dots.tenant()});
    if let Some(user) = user {
        body["user_id"] = json!(w.dots.id("user", user));
    }
    let path = format!("{BACK_OFFICE}/{route}/{id}/status");
    w.admin("POST", &path, Some(body)).await;
}

#[when(expr = "the Dots back office forces payout {string} to {string}")]
async fn force_payout(w: &mut ContractWorld, name: String, status: String) {
    force(w, "payout", &name, &status, None).await;
}

#[when(expr = "the Dots back office forces payout link {string} to {string}")]
async fn force_link(w: &mut ContractWorld, name: String, status: String) {
    force(w, "link", &name, &status, None).await;
}

/// The payee claims the link (Dots' own page; the back office stands in for it).
#[when(expr = "Dots user {string} claims payout link {string}")]
async fn claim(w: &mut ContractWorld, user: String, name: String) {
    force(w, "link", &name, "claimed", Some(&user)).await;
}
