//! Transfers: wallet to wallet in both directions, insufficient funds naming the wallet, get,
//! list with every filter, and a seen idempotency key.

mod common;

use common::{
    DotsSim, Keys, NOBODY, OTHER, Resp, SANDBOX, SANDBOX_FUNDING, Sim, assert_error, key, sim,
};
use serde_json::{Value, json};

async fn transfer(sim: &Sim, keys: Keys, body: Value) -> Resp {
    sim.post(keys, "/v2/transfers", &body).await
}

/// A transfer of `amount` cents for `user` under idempotency key `k`.
async fn keyed(sim: &Sim, keys: Keys, user: &str, amount: i64, k: &str) -> Resp {
    let body = json!({"amount": amount, "user_id": user, "idempotency_key": k});
    transfer(sim, keys, body).await
}

fn ids(page: &Value) -> Vec<String> {
    let data = page["data"].as_array().expect("a page has data");
    data.iter()
        .map(|t| t["id"].as_str().expect("an id").to_string())
        .collect()
}

#[tokio::test]
async fn a_negative_transfer_moves_money_from_the_app_wallet_to_the_user_and_completes_at_once() {
    let sim = sim(1);
    let ana = sim.user(SANDBOX, "ana").await;

    let r = transfer(&sim, SANDBOX, json!({"amount": -2500, "user_id": ana})).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["type"], "balance");
    assert_eq!(r.json["status"], "completed");
    assert_eq!(r.json["amount"], -2500);
    assert_eq!(r.json["user_id"], ana.as_str());
    let leg = &r.json["transactions"][0];
    assert_eq!(leg["amount"], 2500);
    assert_eq!(leg["type"], "balance");
    assert_eq!(leg["destination_name"], "ana Payee");
    assert_eq!(leg["source_name"], "Default App");
    assert_eq!(leg["transfer_id"], r.json["id"]);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 2500);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 2500);
}

#[tokio::test]
async fn a_positive_transfer_moves_money_from_the_user_back_to_the_app_wallet() {
    let sim = sim(2);
    let ana = sim.user(SANDBOX, "ana").await;
    sim.give(SANDBOX, &ana, 3000).await;

    let r = transfer(&sim, SANDBOX, json!({"amount": 1200, "user_id": ana})).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["amount"], 1200);
    assert_eq!(r.json["status"], "completed");
    assert_eq!(r.json["transactions"][0]["source_name"], "ana Payee");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1800);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 1800);
}

#[tokio::test]
async fn a_transfer_the_app_wallet_cannot_cover_is_refused_naming_the_app_wallet() {
    let sim = sim(3);
    let ana = sim.user(SANDBOX, "ana").await;

    let body = json!({"amount": -(SANDBOX_FUNDING + 1), "user_id": ana});
    let r = transfer(&sim, SANDBOX, body).await;

    let message = assert_error(&r, 400, "transaction-insufficient-funds");
    assert!(message.contains("app wallet"), "{message}");
    assert!(message.contains("10000"), "{message}");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 0);
}

#[tokio::test]
async fn a_transfer_the_user_wallet_cannot_cover_is_refused_naming_the_user_wallet() {
    let sim = sim(4);
    let ana = sim.user(SANDBOX, "ana").await;
    sim.give(SANDBOX, &ana, 500).await;

    let r = transfer(&sim, SANDBOX, json!({"amount": 501, "user_id": ana})).await;

    let message = assert_error(&r, 400, "transaction-insufficient-funds");
    assert!(message.contains("user wallet"), "{message}");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 500);
}

#[tokio::test]
async fn a_transfer_needs_a_non_zero_integer_amount_and_a_known_user() {
    let sim = sim(5);
    let ana = sim.user(SANDBOX, "ana").await;

    let zero = transfer(&sim, SANDBOX, json!({"amount": 0, "user_id": ana})).await;
    let float = transfer(&sim, SANDBOX, json!({"amount": 1.5, "user_id": ana})).await;
    let no_user = transfer(&sim, SANDBOX, json!({"amount": -5})).await;
    let unknown = transfer(&sim, SANDBOX, json!({"amount": -5, "user_id": NOBODY})).await;

    assert!(assert_error(&zero, 400, "invalid-input").starts_with("amount:"));
    assert!(assert_error(&float, 400, "invalid-input").starts_with("amount:"));
    assert_eq!(
        assert_error(&no_user, 400, "invalid-input"),
        "user_id: is required"
    );
    assert!(assert_error(&unknown, 404, "not-found").contains(NOBODY));
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
}

#[tokio::test]
async fn a_transfer_is_read_back_by_id_and_an_unknown_or_foreign_id_is_404() {
    let sim = sim(6);
    let ana = sim.user(SANDBOX, "ana").await;
    let made = transfer(
        &sim,
        SANDBOX,
        json!({"amount": -700, "user_id": ana, "metadata": {"run": "7"}}),
    )
    .await;
    let id = made.json["id"].as_str().unwrap();

    let got = sim.get(SANDBOX, &format!("/v2/transfers/{id}")).await;
    let unknown = sim.get(SANDBOX, &format!("/v2/transfers/{NOBODY}")).await;
    let foreign = sim.get(OTHER, &format!("/v2/transfers/{id}")).await;

    assert_eq!(got.status, 200);
    assert_eq!(got.json, made.json);
    assert_eq!(got.json["metadata"], json!({"run": "7"}));
    assert!(assert_error(&unknown, 404, "not-found").contains(NOBODY));
    assert!(assert_error(&foreign, 404, "not-found").contains(id));
}

#[tokio::test]
async fn transfers_are_listed_newest_first_and_reverse_order_lists_them_oldest_first() {
    let sim = sim(7);
    let ana = sim.user(SANDBOX, "ana").await;
    let mut made = Vec::new();
    for cents in [100, 200, 300] {
        let r = transfer(&sim, SANDBOX, json!({"amount": -cents, "user_id": ana})).await;
        made.push(r.json["id"].as_str().unwrap().to_string());
    }

    let newest = sim.get(SANDBOX, "/v2/transfers").await;
    let oldest = sim.get(SANDBOX, "/v2/transfers?reverse_order=true").await;
    let bad = sim.get(SANDBOX, "/v2/transfers?reverse_order=maybe").await;

    assert_eq!(newest.status, 200);
    assert_eq!(newest.keys(), ["data", "has_more"]);
    assert_eq!(newest.json["has_more"], false);
    let mut expected = made.clone();
    expected.reverse();
    assert_eq!(ids(&newest.json), expected);
    assert_eq!(oldest.status, 200);
    assert_eq!(ids(&oldest.json), made);
    assert!(assert_error(&bad, 400, "invalid-input").starts_with("reverse_order:"));
}

#[tokio::test]
async fn the_user_id_filter_lists_only_that_users_transfers() {
    let sim = sim(8);
    let ana = sim.user(SANDBOX, "ana").await;
    let ben = sim.user(SANDBOX, "ben").await;
    sim.give(SANDBOX, &ana, 100).await;
    sim.give(SANDBOX, &ben, 200).await;
    sim.give(SANDBOX, &ana, 300).await;

    let r = sim
        .get(SANDBOX, &format!("/v2/transfers?user_id={ana}"))
        .await;
    let none = sim
        .get(SANDBOX, &format!("/v2/transfers?user_id={NOBODY}"))
        .await;

    assert_eq!(r.status, 200);
    let data = r.json["data"].as_array().unwrap();
    let amounts: Vec<i64> = data.iter().map(|t| t["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, [-300, -100]);
    assert!(data.iter().all(|t| t["user_id"] == ana.as_str()));
    assert_eq!(none.status, 200);
    assert_eq!(none.json["data"], json!([]));
}

#[tokio::test]
async fn the_type_filter_separates_balance_transfers_from_payouts() {
    let sim = sim(9);
    let ana = sim.user(SANDBOX, "ana").await;
    sim.give(SANDBOX, &ana, 1000).await;
    let payout = sim
        .payout(SANDBOX, &ana, 400, "paypal", json!({}))
        .await
        .json;

    let payouts = sim.get(SANDBOX, "/v2/transfers?type=payout").await;
    let balances = sim.get(SANDBOX, "/v2/transfers?type=balance").await;
    let refills = sim.get(SANDBOX, "/v2/transfers?type=refill").await;
    let bad = sim.get(SANDBOX, "/v2/transfers?type=gift").await;

    assert_eq!(ids(&payouts.json), [payout["id"].as_str().unwrap()]);
    assert_eq!(payouts.json["data"][0]["type"], "payout");
    assert_eq!(balances.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(balances.json["data"][0]["type"], "balance");
    assert_eq!(refills.json["data"], json!([]));
    assert!(assert_error(&bad, 400, "invalid-input").starts_with("type:"));
}

#[tokio::test]
async fn the_status_filter_lists_the_transfers_in_that_status_as_they_move() {
    let sim = sim(10);
    let ana = sim.user(SANDBOX, "ana").await;
    sim.give(SANDBOX, &ana, 2000).await;
    let soon = sim
        .payout(SANDBOX, &ana, 500, "venmo", json!({}))
        .await
        .json;
    let failing = sim
        .payout(SANDBOX, &ana, 666, "venmo", json!({}))
        .await
        .json;

    let created = sim.get(SANDBOX, "/v2/transfers?status=created").await;
    assert_eq!(created.json["data"].as_array().unwrap().len(), 2);
    sim.advance(305.0).await;
    let completed = sim.get(SANDBOX, "/v2/transfers?status=completed").await;
    let failed = sim.get(SANDBOX, "/v2/transfers?status=failed").await;
    let pending = sim.get(SANDBOX, "/v2/transfers?status=pending").await;
    let bad = sim.get(SANDBOX, "/v2/transfers?status=settled").await;

    let soon_id = soon["id"].as_str().unwrap().to_string();
    let balance_ids = ids(&completed.json);
    assert_eq!(balance_ids.len(), 2, "the balance transfer and the payout");
    assert!(balance_ids.contains(&soon_id));
    assert_eq!(ids(&failed.json), [failing["id"].as_str().unwrap()]);
    assert_eq!(pending.json["data"], json!([]));
    assert!(assert_error(&bad, 400, "invalid-input").starts_with("status:"));
}

#[tokio::test]
async fn start_date_and_end_date_bound_the_creation_time_inclusively() {
    let sim = sim(11);
    let ana = sim.user(SANDBOX, "ana").await;
    let mut made = Vec::new();
    for _ in 0..3 {
        let r = transfer(&sim, SANDBOX, json!({"amount": -10, "user_id": ana})).await;
        made.push((
            r.json["id"].as_str().unwrap().to_string(),
            r.json["created"].clone(),
        ));
        sim.advance(3600.0).await;
    }
    let second = made[1].1.as_str().unwrap().replace('+', "%2B");

    let from = sim
        .get(SANDBOX, &format!("/v2/transfers?start_date={second}"))
        .await;
    let until = sim
        .get(SANDBOX, &format!("/v2/transfers?end_date={second}"))
        .await;
    let both = sim
        .get(
            SANDBOX,
            &format!("/v2/transfers?start_date={second}&end_date={second}"),
        )
        .await;
    let later = sim
        .get(SANDBOX, "/v2/transfers?start_date=2026-02-01T00:00:00Z")
        .await;
    let bad = sim.get(SANDBOX, "/v2/transfers?start_date=yesterday").await;

    assert_eq!(ids(&from.json), [made[2].0.clone(), made[1].0.clone()]);
    assert_eq!(ids(&until.json), [made[1].0.clone(), made[0].0.clone()]);
    assert_eq!(ids(&both.json), [made[1].0.clone()]);
    assert_eq!(later.json["data"], json!([]));
    assert!(assert_error(&bad, 400, "invalid-input").starts_with("start_date:"));
}

#[tokio::test]
async fn a_seen_idempotency_key_on_a_transfer_is_409_whatever_the_body_and_moves_no_money() {
    let sim = sim(12);
    let ana = sim.user(SANDBOX, "ana").await;
    let k = key(1);

    let first = keyed(&sim, SANDBOX, &ana, -100, &k).await;
    let again = keyed(&sim, SANDBOX, &ana, -100, &k).await;
    let other = keyed(&sim, SANDBOX, &ana, -900, &k).await;

    assert_eq!(first.status, 200, "{}", first.json);
    assert!(assert_error(&again, 409, "invalid-input").contains(&k));
    assert!(assert_error(&other, 409, "invalid-input").contains(&k));
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 100);
    let list = sim.get(SANDBOX, "/v2/transfers").await;
    assert_eq!(list.json["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_transfer_leaves_its_key_free_for_a_corrected_retry() {
    let sim = sim(13);
    let ana = sim.user(SANDBOX, "ana").await;
    let k = key(2);

    let short = keyed(&sim, SANDBOX, &ana, 50, &k).await;
    let fixed = keyed(&sim, SANDBOX, &ana, -50, &k).await;

    assert_error(&short, 400, "transaction-insufficient-funds");
    assert_eq!(fixed.status, 200, "{}", fixed.json);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 50);
}

#[tokio::test]
async fn an_idempotency_key_is_kept_per_app() {
    let sim = sim(14);
    let ana = sim.user(SANDBOX, "ana").await;
    let bea = sim.user(OTHER, "bea").await;
    let k = key(3);

    let mine = keyed(&sim, SANDBOX, &ana, -10, &k).await;
    let theirs = keyed(&sim, OTHER, &bea, -10, &k).await;

    assert_eq!(mine.status, 200, "{}", mine.json);
    assert_eq!(theirs.status, 200, "{}", theirs.json);
    assert_eq!(sim.user_wallet(OTHER, &bea).await, 10);
}
