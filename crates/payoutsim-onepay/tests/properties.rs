//! Properties: any body thrown at `POST /v1/cashouts` gets a well-formed answer and money is
//! conserved; the same seed and requests give byte-identical answers.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::testkit::{any_json, assert_reproducible, block_on, with_fields};
use payoutsim_onepay::OnePayConfig;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use support::*;

/// Starting balance of the property runs (whole COP): small, so 10501 happens.
const SMALL: i64 = 20_000;

fn amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        (1i64..15_000).prop_map(|a| json!(a)),
        (1i64..1_500_000).prop_map(|c| json!(c as f64 / 100.0)),
        Just(json!(666)),
        Just(json!(0)),
        Just(json!(-5)),
        Just(json!("100")),
        Just(json!(1e20)),
        Just(json!(0.001)),
        Just(Value::Null),
    ]
}

/// Placeholders replaced by the run's real ids.
fn reference() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => Just(json!("$ACCOUNT")),
        2 => Just(json!("$STUCK")),
        2 => Just(json!("$CLOSED")),
        1 => Just(json!("$CUSTOMER")),
        1 => Just(json!("unknown-id")),
        1 => Just(json!(12)),
    ]
}

fn cashout_shape() -> impl Strategy<Value = Value> {
    let opt = |s: BoxedStrategy<Value>| prop::option::weighted(0.85, s);
    (
        opt(amount().boxed()),
        opt(reference().boxed()),
        opt(prop_oneof![Just(json!("$CUSTOMER")), Just(json!("nope"))].boxed()),
        opt(prop_oneof![
            Just(json!("ACH")),
            Just(json!("TURBO")),
            Just(json!("INSTANT")),
            Just(json!(1))
        ]
        .boxed()),
        opt(prop_oneof![Just(json!("COP")), Just(json!("USD"))].boxed()),
        opt(any_json().boxed()),
    )
        .prop_map(|(amount, account, customer, method, currency, extra)| {
            let fields = [
                ("amount", amount),
                ("account_id", account),
                ("customer_id", customer),
                ("method", method),
                ("currency", currency),
                ("external_id", extra),
            ];
            with_fields(Map::new(), fields)
        })
}

#[derive(Clone, Debug)]
enum Step {
    Post { key: Option<String>, body: Value },
    Garbage(Vec<u8>),
    Advance(u32),
}

fn step() -> impl Strategy<Value = Step> {
    let key = prop::option::weighted(0.9, "k[0-3]");
    prop_oneof![
        6 => (key.clone(), cashout_shape()).prop_map(|(key, body)| Step::Post { key, body }),
        2 => (key, any_json()).prop_map(|(key, body)| Step::Post { key, body }),
        1 => prop::collection::vec(any::<u8>(), 0..16).prop_map(Step::Garbage),
        2 => prop_oneof![Just(60u32), Just(1800), Just(90_000)].prop_map(Step::Advance),
    ]
}

fn substitute(v: &Value, ids: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => ids
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, id)| json!(id))
            .unwrap_or_else(|| v.clone()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn check_answer(r: &Resp) {
    assert!(r.status < 500, "5xx: {} {:?}", r.status, r.bytes);
    if r.status == 201 {
        assert!(r.json["id"].is_string(), "{}", r.json);
        assert!(r.json["amount"].is_number());
        return;
    }
    assert!((400..500).contains(&r.status), "{}", r.status);
    let code = r.json["code"].as_str().expect("code");
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert!(r.json["code_name"].is_string());
    assert!(r.json["message"].is_string());
    assert!(r.json["errors"].is_array());
    if r.status == 422 && code == "422" {
        assert!(!r.json["errors"].as_array().unwrap().is_empty());
    }
}

/// available + in flight + processed == starting balance, and nothing is negative.
fn check_conservation(sim: &Sim) {
    let cents = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i64;
    let mut available = None;
    let mut held = 0;
    for o in sim.object_list(Some("onepay:sk_test_alpha"), None) {
        match o["kind"].as_str().unwrap() {
            "balance" => available = Some(cents(&o["object"]["available"])),
            "cashout" | "balance_cashout" if o["object"]["status"] != "failed" => {
                held += cents(&o["object"]["amount"]);
            }
            _ => {}
        }
    }
    let available = available.unwrap();
    assert!(available >= 0);
    assert_eq!(available + held, SMALL * 100);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_cashout_request_gets_a_well_formed_answer_and_money_is_conserved(
        steps in prop::collection::vec(step(), 1..8)
    ) {
        block_on(async {
            let sim = sim_with(3, OnePayConfig { test_starting_balance: SMALL });
            let (customer, account) = sim.payee(TEST_KEY, "0012345678").await;
            let stuck = sim.account(TEST_KEY, &customer, "1111111113").await;
            let closed = sim.account(TEST_KEY, &customer, "1111111110").await;
            let ids = [
                ("$CUSTOMER", customer.as_str()),
                ("$ACCOUNT", account.as_str()),
                ("$STUCK", stuck.as_str()),
                ("$CLOSED", closed.as_str()),
            ];
            for step in steps {
                match step {
                    Step::Post { key, body } => {
                        let body = substitute(&body, &ids).to_string();
                        let headers: Vec<(&str, &str)> =
                            key.iter().map(|k| ("x-idempotency", k.as_str())).collect();
                        let r = sim
                            .call_as("POST", "/v1/cashouts", Some(TEST_KEY), &headers, Some(body.as_bytes()))
                            .await;
                        check_answer(&r);
                    }
                    Step::Garbage(bytes) => {
                        let r = sim
                            .call_as("POST", "/v1/cashouts", Some(TEST_KEY), &[("x-idempotency", "g")], Some(&bytes))
                            .await;
                        check_answer(&r);
                    }
                    Step::Advance(s) => sim.advance(f64::from(s)).await,
                }
                check_conservation(&sim);
            }
        });
    }
}

/// A fixed script of requests; every answer's bytes.
async fn script(seed: u64) -> Vec<bytes::Bytes> {
    let sim = sim(seed);
    let mut out = Vec::new();
    let c = sim.post(TEST_KEY, "/v1/customers", customer_body()).await;
    let cid = c.json["id"].as_str().unwrap().to_string();
    out.push(c.bytes);
    let a = sim.new_account(TEST_KEY, &cid, "0012345678").await;
    let aid = a.json["id"].as_str().unwrap().to_string();
    out.push(a.bytes);
    let w = json!({"name": "w", "url": "http://127.0.0.1:9/h", "events": ["cashout.created"]});
    out.push(sim.post(TEST_KEY, "/v1/webhooks", w).await.bytes);
    for (i, method) in ["ACH", "TURBO"].iter().enumerate() {
        let body = cashout_body(&cid, &aid, json!(1000 + i), method);
        out.push(sim.cashout(TEST_KEY, &format!("k{i}"), body).await.bytes);
    }
    sim.engine.advance(4000.0, None).await;
    out.push(sim.get(TEST_KEY, "/v1/cashouts").await.bytes);
    out.push(sim.get(TEST_KEY, "/v1/balances").await.bytes);
    out
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_answers() {
    assert_reproducible(script).await;
}
