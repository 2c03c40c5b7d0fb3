//! Properties: any headers and body thrown at Generate Token and Create Payouts get a
//! well-formed answer (a token, the nested result, or a NestJS error body), and money is
//! conserved in every live tenant: available + in flight + paid = funded.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::testkit::{any_json, block_on, request, with_fields};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use support::*;

fn item() -> impl Strategy<Value = Value> {
    let opt = |s: BoxedStrategy<Value>| prop::option::weighted(0.85, s);
    let amount = prop_oneof![
        (1u32..5_000).prop_map(|a| json!(a.to_string())),
        (1u32..500_000).prop_map(|c| json!(format!("{}.{:02}", c / 100, c % 100))),
        Just(json!("98l00")),
        Just(json!("666.66")),
        Just(json!("0")),
        Just(json!(12)),
    ];
    let document = prop_oneof![
        Just(json!("1017209836")),
        Just(json!("4000000001")),
        Just(json!("4000000003")),
        Just(json!("")),
    ];
    (
        opt(prop_oneof![
            Just(json!("INDIVIDUAL")),
            Just(json!("BUSINESS")),
            Just(json!("X"))
        ]
        .boxed()),
        opt(prop_oneof![
            Just(json!("CC")),
            Just(json!("PASSPORT")),
            Just(json!("SSN"))
        ]
        .boxed()),
        opt(document.boxed()),
        opt(amount.boxed()),
        opt(prop_oneof![Just(json!("a@b.co")), Just(json!("nope"))].boxed()),
        opt(any_json().boxed()),
    )
        .prop_map(|(kind, doc_type, doc, amount, email, extra)| {
            let mut m = Map::new();
            m.insert("firstName".into(), json!("Ana"));
            m.insert("lastName".into(), json!("Ruiz"));
            m.insert("legalName".into(), json!("Studio"));
            m.insert(
                "businessRepresentative".into(),
                json!({"firstName": "", "lastName": ""}),
            );
            m.insert("currency".into(), json!("USD"));
            let fields = [
                ("type", kind),
                ("documentType", doc_type),
                ("documentNumber", doc),
                ("amount", amount),
                ("customerEmail", email),
                ("description", extra),
            ];
            with_fields(m, fields)
        })
}

#[derive(Clone, Debug)]
enum Step {
    Token {
        env: Option<&'static str>,
        key: &'static str,
        secret: &'static str,
    },
    Create {
        token: usize,
        env: Option<&'static str>,
        body: Vec<u8>,
        json: bool,
    },
    Transfer(u32),
    Advance(u32),
}

fn env() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::weighted(
        0.9,
        prop_oneof![4 => Just("live"), 3 => Just("test"), 1 => Just("prod")],
    )
}

fn step() -> impl Strategy<Value = Step> {
    let body = prop_oneof![
        5 => prop::collection::vec(item(), 0..4).prop_map(|v| json!(v).to_string().into_bytes()),
        1 => any_json().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..24),
    ];
    prop_oneof![
        2 => (env(), prop_oneof![Just(PK), Just("k2"), Just(""), Just("a b")], prop_oneof![4 => Just(SK), 1 => Just("wrong")])
            .prop_map(|(env, key, secret)| Step::Token { env, key, secret }),
        6 => (0usize..4, env(), body, prop::bool::weighted(0.9))
            .prop_map(|(token, env, body, json)| Step::Create { token, env, body, json }),
        2 => (1u32..2_000).prop_map(Step::Transfer),
        2 => prop_oneof![Just(300u32), Just(3_600), Just(100_000)].prop_map(Step::Advance),
    ]
}

fn check_answer(r: &Resp) {
    assert!(r.status < 500, "5xx: {} {:?}", r.status, r.bytes);
    if r.status == 201 {
        if let Some(token) = r.json.as_str() {
            assert_eq!(token.split('.').count(), 3, "{token}");
            return;
        }
        for e in r.entries() {
            assert_eq!(e.as_object().unwrap().len(), 4, "{e}");
            assert!(e["uuid"].is_string());
            assert!(e["action"] == "success" || e["action"] == "error", "{e}");
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        return;
    }
    let error = match r.status {
        400 => "Bad Request",
        401 => "Unauthorized",
        other => panic!("unexpected status {other}: {:?}", r.bytes),
    };
    r.assert_nest(r.status, error);
}

/// In every live tenant, available + in flight + paid = funded, and nothing is negative.
fn check_conservation(sim: &Sim) {
    let cents = |v: &Value| {
        let text = v.as_str().unwrap();
        let (w, f) = text.split_once('.').unwrap();
        w.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
    };
    for o in sim.object_list(None, Some("balance")) {
        let b = &o["object"];
        let available = cents(&b["available"]);
        assert!(available >= 0, "{o}");
        if o["tenant"].as_str().unwrap().starts_with("onspot:live:") {
            assert_eq!(
                available + cents(&b["in_flight"]) + cents(&b["paid"]),
                cents(&b["funded"]),
                "{o}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_a_well_formed_answer_and_money_is_conserved(
        steps in prop::collection::vec(step(), 1..10)
    ) {
        block_on(async {
            let sim = sim(3);
            let mut tokens = vec![sim.token_ok("live", PK).await, "garbage".to_string()];
            for step in steps {
                match step {
                    Step::Token { env, key, secret } => {
                        let mut headers = vec![("publicKey", key), ("secretKey", secret)];
                        headers.extend(env.map(|e| ("environment", e)));
                        let r = sim.token_with(&headers).await;
                        check_answer(&r);
                        if let Some(t) = r.json.as_str() {
                            tokens.push(t.to_string());
                        }
                    }
                    Step::Create { token, env, body, json } => {
                        let auth = format!("Bearer {}", tokens[token % tokens.len()]);
                        let mut headers = vec![("authorization", auth.as_str())];
                        headers.extend(env.map(|e| ("environment", e)));
                        if json {
                            headers.push(("content-type", "application/json"));
                        }
                        // Sent as built: without `json`, no content type at all.
                        let r = sim.send(request("POST", CREATE_PATH, &headers, Some(&body))).await;
                        check_answer(&r);
                    }
                    Step::Transfer(amount) => {
                        let r = sim.transfer(&tenant("live", PK), &amount.to_string()).await;
                        assert_eq!(r.status, 200, "{}", r.json);
                    }
                    Step::Advance(s) => sim.advance(f64::from(s)).await,
                }
                check_conservation(&sim);
            }
        });
    }
}
