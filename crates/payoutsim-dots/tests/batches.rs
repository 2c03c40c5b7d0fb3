//! Payout batches: validation (1 to 5000 items, each with `idempotency_key` and `fund: true`,
//! no key twice), a batch to completion on the simulated clock with per-item results and
//! counters, `include_request`, a seen key, and the back office's views.

mod common;

use common::{DotsSim, NOBODY, Resp, SANDBOX, SANDBOX_FUNDING, Sim, assert_error, key, sim};
use serde_json::{Value, json};

/// A batch item paying `user` `amount` cents by PayPal from the app wallet, keyed `key(n)`.
fn item(user: &str, amount: i64, n: u64) -> Value {
    json!({"user_id": user, "amount": amount, "platform": "paypal", "fund": true, "idempotency_key": key(n)})
}

async fn batch(sim: &Sim, body: Value) -> Resp {
    sim.post(SANDBOX, "/v2/payout-batches", &body).await
}

/// The id of a new batch of `items`.
async fn made(sim: &Sim, items: Value) -> String {
    let r = batch(sim, json!({"items": items})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    id_of(&r)
}

/// `POST /v2/payouts` with `fund: true` under key `key(n)`.
async fn funded_payout(sim: &Sim, user: &str, amount: i64, n: u64) -> Resp {
    let extra = json!({"fund": true, "idempotency_key": key(n)});
    sim.payout(SANDBOX, user, amount, "paypal", extra).await
}

async fn results(sim: &Sim, id: &str, query: &str) -> Resp {
    let r = sim
        .get(SANDBOX, &format!("/v2/payout-batches/{id}/results{query}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r
}

fn counters(b: &Value) -> (u64, u64, u64) {
    let n = |f: &str| b[f].as_u64().expect("a counter");
    (
        n("items_processed"),
        n("items_succeeded"),
        n("items_failed"),
    )
}

fn id_of(r: &Resp) -> String {
    r.json["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn a_batch_needs_from_1_to_5000_items() {
    let sim = sim(70);
    let many: Vec<Value> = (0..5001).map(|n| item(NOBODY, 1, n)).collect();

    let cases = [
        (json!({}), "items: is required"),
        (json!({"items": []}), "items: must have 1 to 5000 items"),
        (json!({"items": many}), "items: must have 1 to 5000 items"),
        (json!({"items": [1]}), "items[0]: must be an object"),
    ];
    for (body, message) in cases {
        let r = batch(&sim, body).await;
        assert_eq!(assert_error(&r, 400, "invalid-input"), message);
    }
    let list = sim.get(SANDBOX, "/v2/payout-batches").await;
    assert_eq!(list.json["data"], json!([]));
}

#[tokio::test]
async fn every_item_needs_an_idempotency_key_and_fund_true() {
    let sim = sim(71);
    let ana = sim.user(SANDBOX, "ana").await;
    let mut keyless = item(&ana, 100, 2);
    keyless.as_object_mut().unwrap().remove("idempotency_key");
    let mut unfunded = item(&ana, 100, 3);
    unfunded["fund"] = json!(false);

    let no_key = batch(&sim, json!({"items": [item(&ana, 100, 1), keyless]})).await;
    let no_fund = batch(&sim, json!({"items": [unfunded]})).await;

    assert_eq!(
        assert_error(&no_key, 400, "invalid-input"),
        "items[1].idempotency_key: is required"
    );
    assert_eq!(
        assert_error(&no_fund, 400, "invalid-input"),
        "items[0].fund: must be true"
    );
    let list = sim.get(SANDBOX, "/v2/payout-batches").await;
    assert_eq!(list.json["data"], json!([]));
}

#[tokio::test]
async fn an_item_key_given_twice_in_one_batch_is_refused_at_validation() {
    let sim = sim(72);
    let ana = sim.user(SANDBOX, "ana").await;

    let r = batch(
        &sim,
        json!({"items": [item(&ana, 100, 1), item(&ana, 200, 1)]}),
    )
    .await;

    let message = assert_error(&r, 400, "invalid-input");
    assert_eq!(
        message,
        format!(
            "items[1].idempotency_key: {} appears more than once in the batch",
            key(1)
        )
    );
}

#[tokio::test]
async fn an_item_field_is_refused_with_its_path() {
    let sim = sim(73);
    let ana = sim.user(SANDBOX, "ana").await;
    let mut bad = item(&ana, 100, 2);
    bad["platform"] = json!("zelle");

    let r = batch(&sim, json!({"items": [item(&ana, 100, 1), bad]})).await;

    assert!(
        assert_error(&r, 400, "invalid-input").starts_with("items[1].platform: must be one of")
    );
}

#[tokio::test]
async fn a_batch_moves_created_processing_paying_out_completed_on_the_simulated_clock() {
    let sim = sim(74);
    let ana = sim.user(SANDBOX, "ana").await;
    let r = batch(
        &sim,
        json!({"items": [item(&ana, 100, 1)], "metadata": {"run": "may"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "created");
    assert_eq!(r.json["metadata"], json!({"run": "may"}));
    assert_eq!(counters(&r.json), (0, 0, 0));
    let path = format!("/v2/payout-batches/{}", id_of(&r));
    let status = async |s: &Sim| s.get(SANDBOX, &path).await.json["status"].clone();

    sim.advance(1.0).await;
    assert_eq!(status(&sim).await, "processing");
    sim.advance(9.0).await;
    assert_eq!(status(&sim).await, "processing");
    sim.advance(1.0).await;
    assert_eq!(status(&sim).await, "paying_out");
    sim.advance(59.0).await;
    assert_eq!(status(&sim).await, "paying_out");
    sim.advance(1.0).await;
    assert_eq!(status(&sim).await, "completed");
}

#[tokio::test]
async fn a_completed_batch_pays_its_good_items_and_fails_items_naming_no_user() {
    let sim = sim(75);
    let ana = sim.user(SANDBOX, "ana").await;
    let ben = sim.user(SANDBOX, "ben").await;
    let items = json!([
        item(&ana, 1000, 1),
        item(NOBODY, 500, 2),
        item(&ben, 2000, 3)
    ]);
    let id = made(&sim, items).await;

    sim.advance(1.0).await;
    let checked = results(&sim, &id, "").await;
    assert_eq!(counters(&checked.json), (1, 0, 1));
    sim.advance(70.0).await;
    let done = results(&sim, &id, "").await;

    assert_eq!(done.json["status"], "completed");
    assert_eq!(counters(&done.json), (3, 2, 1));
    let items = done.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["error_code"], "no_such_resource");
    assert_eq!(
        items[1]["error_message"],
        format!("User not found: {NOBODY}")
    );
    assert_eq!(items[1]["idempotency_key"], key(2));
    assert!(items[1].get("transfer").is_none());
    for (i, user) in [(0, &ana), (2, &ben)] {
        assert_eq!(items[i]["user_id"], user.as_str());
        assert_eq!(items[i]["transfer"]["status"], "pending");
        assert!(items[i].get("error_code").is_none());
        assert!(items[i].get("request").is_none());
        let transfer = items[i]["transfer"]["id"].as_str().unwrap();
        let t = sim.get(SANDBOX, &format!("/v2/transfers/{transfer}")).await;
        assert_eq!(t.json["type"], "payout");
        assert_eq!(t.json["user_id"], user.as_str());
    }
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 3000);
    sim.advance(300.0).await;
    let settled = results(&sim, &id, "").await;
    assert_eq!(settled.json["items"][0]["transfer"]["status"], "completed");
    assert_eq!(sim.app_view(SANDBOX).await["money_out"], 3000);
}

#[tokio::test]
async fn results_carry_each_items_request_only_when_asked() {
    let sim = sim(76);
    let ana = sim.user(SANDBOX, "ana").await;
    let sent = item(&ana, 100, 1);
    let id = made(&sim, json!([sent.clone()])).await;

    let with = results(&sim, &id, "?include_request=true").await;
    let without = results(&sim, &id, "?include_request=false").await;
    let bad = sim
        .get(
            SANDBOX,
            &format!("/v2/payout-batches/{id}/results?include_request=yes"),
        )
        .await;

    assert_eq!(with.json["items"][0]["request"], sent);
    assert!(without.json["items"][0].get("request").is_none());
    assert_eq!(with.json["id"], id.as_str());
    assert!(assert_error(&bad, 400, "invalid-input").starts_with("include_request:"));
}

#[tokio::test]
async fn an_item_the_app_wallet_cannot_cover_fails_alone() {
    let sim = sim(77);
    let ana = sim.user(SANDBOX, "ana").await;
    let items = json!([
        item(&ana, 6000, 1),
        item(&ana, 6000, 2),
        item(&ana, 4000, 3)
    ]);
    let id = made(&sim, items).await;

    sim.advance(71.0).await;
    let done = results(&sim, &id, "").await;

    assert_eq!(counters(&done.json), (3, 2, 1));
    let items = done.json["items"].as_array().unwrap();
    assert!(items[0]["transfer"]["id"].is_string());
    assert_eq!(items[1]["error_code"], "transaction-insufficient-funds");
    assert!(
        items[1]["error_message"]
            .as_str()
            .unwrap()
            .contains("app wallet")
    );
    assert!(items[2]["transfer"]["id"].is_string());
    assert_eq!(sim.app_wallet(SANDBOX).await, 0);
}

#[tokio::test]
async fn an_item_whose_key_a_payout_already_used_fails_and_a_batch_item_key_is_then_taken() {
    let sim = sim(78);
    let ana = sim.user(SANDBOX, "ana").await;
    let used = funded_payout(&sim, &ana, 50, 1).await;
    assert_eq!(used.status, 201, "{}", used.json);
    let id = made(&sim, json!([item(&ana, 100, 1), item(&ana, 200, 2)])).await;

    sim.advance(71.0).await;
    let done = results(&sim, &id, "").await;
    let again = funded_payout(&sim, &ana, 200, 2).await;

    assert_eq!(counters(&done.json), (2, 1, 1));
    assert_eq!(done.json["items"][0]["error_code"], "invalid-input");
    assert!(
        done.json["items"][0]["error_message"]
            .as_str()
            .unwrap()
            .contains(&key(1))
    );
    assert!(assert_error(&again, 409, "invalid-input").contains(&key(2)));
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 250);
}

#[tokio::test]
async fn an_item_whose_payout_fails_later_counts_as_failed_and_its_money_comes_back() {
    let sim = sim(79);
    let ana = sim.user(SANDBOX, "ana").await;
    let id = made(&sim, json!([item(&ana, 666, 1), item(&ana, 100, 2)])).await;

    sim.advance(71.0).await;
    let paid = results(&sim, &id, "").await;
    sim.advance(300.0).await;
    let settled = results(&sim, &id, "").await;

    assert_eq!(counters(&paid.json), (2, 2, 0));
    assert_eq!(counters(&settled.json), (2, 1, 1));
    assert_eq!(settled.json["items"][0]["transfer"]["status"], "failed");
    assert_eq!(settled.json["items"][1]["transfer"]["status"], "completed");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 100);
}

#[tokio::test]
async fn a_seen_batch_idempotency_key_is_409() {
    let sim = sim(80);
    let ana = sim.user(SANDBOX, "ana").await;
    let k = key(99);

    let first = batch(
        &sim,
        json!({"items": [item(&ana, 100, 1)], "idempotency_key": k}),
    )
    .await;
    let again = batch(
        &sim,
        json!({"items": [item(&ana, 300, 2)], "idempotency_key": k}),
    )
    .await;

    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(first.json["idempotency_key"], k.as_str());
    let message = assert_error(&again, 409, "invalid-input");
    assert!(
        message.starts_with("Payout batch with idempotency_key"),
        "{message}"
    );
    let list = sim.get(SANDBOX, "/v2/payout-batches").await;
    assert_eq!(list.json["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn five_thousand_items_naming_no_user_all_fail_at_processing() {
    let sim = sim(81);
    let items: Vec<Value> = (0..5000).map(|n| item(NOBODY, 1, n)).collect();

    let r = batch(&sim, json!({"items": items})).await;
    sim.advance(71.0).await;
    let done = results(&sim, &id_of(&r), "").await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(done.json["status"], "completed");
    assert_eq!(counters(&done.json), (5000, 0, 5000));
    let items = done.json["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["error_code"] == "no_such_resource"));
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
}

#[tokio::test]
async fn batches_are_listed_newest_first_and_an_unknown_batch_is_404() {
    let sim = sim(82);
    let ana = sim.user(SANDBOX, "ana").await;
    let first = made(&sim, json!([item(&ana, 100, 1)])).await;
    let second = made(&sim, json!([item(&ana, 100, 2)])).await;

    let list = sim.get(SANDBOX, "/v2/payout-batches").await;
    let unknown = sim
        .get(SANDBOX, &format!("/v2/payout-batches/{NOBODY}"))
        .await;
    let unknown_results = sim
        .get(SANDBOX, &format!("/v2/payout-batches/{NOBODY}/results"))
        .await;

    let ids: Vec<&str> = (list.json["data"].as_array().unwrap().iter())
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    assert_eq!(list.json["has_more"], false);
    assert!(assert_error(&unknown, 404, "not-found").contains(NOBODY));
    assert_error(&unknown_results, 404, "not-found");
}

#[tokio::test]
async fn the_back_office_shows_batches_with_their_items_and_lifecycle() {
    let sim = sim(83);
    let ana = sim.user(SANDBOX, "ana").await;
    let id = made(&sim, json!([item(&ana, 100, 1), item(NOBODY, 100, 2)])).await;
    sim.advance(11.0).await;

    let all = sim
        .back_office(
            "GET",
            &format!("/batches?tenant={}", SANDBOX.tenant()),
            None,
        )
        .await;
    let one = sim
        .back_office("GET", &format!("/batches/{id}"), None)
        .await;
    let unknown = sim
        .back_office("GET", &format!("/batches/{NOBODY}"), None)
        .await;

    assert_eq!(all.status, 200, "{}", all.json);
    assert_eq!(all.json["batches"][0]["batch"]["id"], id.as_str());
    assert_eq!(all.json["batches"][0]["tenant"], SANDBOX.tenant().as_str());
    assert_eq!(one.status, 200, "{}", one.json);
    assert_eq!(one.json["tenant"], SANDBOX.tenant().as_str());
    assert_eq!(one.json["batch"]["status"], "paying_out");
    assert_eq!(one.json["lifecycle"]["status"], "paying_out");
    assert_eq!(one.json["items"][0]["request"]["amount"], 100);
    assert_eq!(one.json["items"][1]["error_code"], "no_such_resource");
    assert_eq!(unknown.status, 404, "{}", unknown.json);
}
