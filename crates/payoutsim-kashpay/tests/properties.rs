//! Properties: any body and headers thrown at Kashpay's endpoints get a well-formed answer in
//! Kashpay's format, and money is conserved (balance + in flight + paid out = funded); the same
//! seed and requests give byte-identical answers.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::testkit::{any_json, assert_reproducible, block_on, with_fields};
use payoutsim_kashpay::KashpayConfig;
use proptest::prelude::*;
use serde_json::{Value, json};
use support::*;

/// Starting balance of the property runs (whole MXN): small, so 1022 happens.
const SMALL: i64 = 2_000;

fn order_shape() -> impl Strategy<Value = Value> {
    let opt = |s: BoxedStrategy<Value>| prop::option::weighted(0.85, s);
    (
        opt(prop_oneof![
            Just(json!(100)),
            Just(json!("12.34")),
            Just(json!(666)),
            Just(json!(0)),
            Just(json!(-5)),
            Just(json!(1e20)),
            Just(json!(0.001)),
            (1i64..3_000).prop_map(|a| json!(a))
        ]
        .boxed()),
        opt(prop_oneof![
            Just(json!(CLABE)),
            Just(json!("646180000000000012")),
            Just(json!("002028650641359745")),
            Just(json!("5512345678")),
            Just(json!(87459854)),
            Just(json!([1]))
        ]
        .boxed()),
        opt(prop_oneof![
            Just(json!("002")),
            Just(json!("646")),
            Just(json!("999")),
            Just(json!(2))
        ]
        .boxed()),
        opt("[A-Z0-9]{1,4}".prop_map(Value::String).boxed()),
        opt(prop_oneof![
            Just(json!("40")),
            Just(json!("3")),
            Just(json!("string")),
            Just(json!(10))
        ]
        .boxed()),
        opt(any_json().boxed()),
    )
        .prop_map(|(amount, account, bank, reference, kind, extra)| {
            let base = order_body("X", json!(1), CLABE).as_object().cloned();
            let fields = [
                ("amount", amount),
                ("beneficiaryAcount", account),
                ("codeInstituteBank", bank),
                ("alphanumericReference", reference),
                ("beneficiaryTypeAcount", kind),
                ("concept", extra),
            ];
            with_fields(base.unwrap(), fields)
        })
}

#[derive(Clone, Debug)]
enum Step {
    Order(Value),
    Any {
        path: &'static str,
        method: &'static str,
        body: Value,
    },
    Garbage(Vec<u8>),
    Headers(Vec<(String, String)>),
    Authenticate(Value),
    Advance(u32),
}

fn step() -> impl Strategy<Value = Step> {
    let path = prop_oneof![
        Just("/OKPay/createOrder"),
        Just("/OKPay/searchReference"),
        Just("/EntitiesServices/getOperations"),
        Just("/EntitiesServices/getBalance"),
        Just("/OKPay/unknown"),
    ];
    let method = prop_oneof![Just("POST"), Just("GET"), Just("PUT")];
    let header = (
        prop_oneof![
            Just("page"),
            Just("size"),
            Just("status"),
            Just("type"),
            Just("entity-i"),
            Just("authorization")
        ],
        "[ -~]{0,12}",
    )
        .prop_map(|(k, v)| (k.to_string(), v));
    prop_oneof![
        6 => order_shape().prop_map(Step::Order),
        2 => (path, method, any_json()).prop_map(|(path, method, body)| Step::Any { path, method, body }),
        1 => prop::collection::vec(any::<u8>(), 0..16).prop_map(Step::Garbage),
        2 => prop::collection::vec(header, 1..4).prop_map(Step::Headers),
        1 => any_json().prop_map(Step::Authenticate),
        2 => prop_oneof![Just(60u32), Just(300), Just(3_000)].prop_map(Step::Advance),
    ]
}

/// Every answer is JSON in Kashpay's format: a success, or the error envelope.
fn check_answer(r: &Resp) {
    assert!(r.status < 500, "5xx: {} {:?}", r.status, r.bytes);
    assert!(r.json.is_object(), "not JSON: {:?}", r.bytes);
    match r.json["success"].as_bool() {
        Some(true) => assert_eq!(r.status, 200),
        Some(false) => {
            let e = &r.json["error"];
            assert!(
                e["name"].as_str().is_some_and(|n| n.ends_with("Exception")),
                "{}",
                r.json
            );
            assert!(e["code"].is_u64() && e["message"].is_string(), "{}", r.json);
            assert_eq!(r.json["totalItems"], 0);
        }
        None => panic!("no success flag: {}", r.json),
    }
}

/// balance + in flight + paid out == funded, and the balance never goes negative.
fn check_conservation(sim: &Sim) {
    let cents = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i64;
    let objects = sim.object_list(Some("kashpay:com.onsigna"), Some("entity"));
    let money = &objects[0]["money"];
    let (balance, flight, paid, funded) = (
        cents(&money["balance"]),
        cents(&money["in_flight"]),
        cents(&money["paid_out"]),
        cents(&money["funded"]),
    );
    assert!(balance >= 0);
    assert_eq!(balance + flight + paid, funded, "{money}");
    assert_eq!(funded, SMALL * 100);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_a_well_formed_answer_and_money_is_conserved(
        steps in prop::collection::vec(step(), 1..8)
    ) {
        block_on(async {
            let sim = sim_with(3, KashpayConfig { sandbox_starting_balance: SMALL });
            let auth = sim.session(ENTITY).await;
            let bearer = format!("Bearer {}", auth.token);
            for step in steps {
                let r = match step {
                    Step::Order(body) => sim.order(&auth, body).await,
                    Step::Any { path, method, body } => sim.call_as(method, path, &auth, &[], Some(body)).await,
                    Step::Garbage(bytes) => {
                        let headers = [("authorization", bearer.as_str()), ("entity-i", ENTITY)];
                        sim.call("POST", "/OKPay/createOrder", &headers, Some(&bytes)).await
                    }
                    Step::Headers(extra) => {
                        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                        let mut headers = vec![("authorization", bearer.as_str()), ("entity-i", ENTITY)];
                        headers.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
                        headers.extend(extra);
                        sim.call("GET", "/EntitiesServices/getOperations", &headers, None).await
                    }
                    Step::Authenticate(body) => {
                        sim.authenticate_raw(&[], body.to_string().as_bytes()).await
                    }
                    Step::Advance(s) => {
                        sim.advance(f64::from(s)).await;
                        sim.balance(&auth).await
                    }
                };
                check_answer(&r);
                check_conservation(&sim);
            }
        });
    }
}

/// A fixed script of requests; every answer's bytes.
async fn script(seed: u64) -> Vec<bytes::Bytes> {
    let sim = sim(seed);
    let mut out = Vec::new();
    let login = sim.authenticate(ENTITY, USER, PASSWORD).await;
    let token = login.json["authenticationResponse"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    out.push(login.bytes);
    let auth = Auth::of(&token);
    out.push(
        sim.order(&auth, order_body("A1", json!(100), CLABE))
            .await
            .bytes,
    );
    out.push(
        sim.order(&auth, order_body("A2", json!(666), CLABE))
            .await
            .bytes,
    );
    sim.advance(400.0).await;
    out.push(sim.balance(&auth).await.bytes);
    out.push(sim.operations(&auth, &[]).await.bytes);
    out.push(
        sim.search(&auth, json!({"alphanumericReference": "A2"}))
            .await
            .bytes,
    );
    out
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_answers() {
    assert_reproducible(script).await;
}
