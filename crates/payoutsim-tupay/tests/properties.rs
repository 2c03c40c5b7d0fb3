//! Properties: random query strings, headers and bodies thrown at every endpoint get a
//! well-formed Tupay answer (never a 5xx, never plain text: a page, a login, a balance, or
//! `{code, description}`); and for any range, after any back-office changes, the report's totals
//! equal the sums a client computes from the lists, to the cent.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;

use payoutsim_core::testkit::any_json;
use proptest::prelude::*;
use serde_json::json;
use support::*;

const PATHS: &[&str] = &[
    "/v1/auth/login",
    "/v1/auth/session/destroy",
    "/v1/deposits",
    "/v1/cashout",
    "/v1/cashouts",
    "/v1/balance/report",
    "/v1/balance",
    "/v1/nothing",
];
const NAMES: &[&str] = &[
    "from",
    "to",
    "page",
    "country",
    "paymentMethod",
    "status",
    "clienteDocument",
    "clientDocument",
    "x",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        (1_760_000_000i64..1_767_700_000).prop_map(|n| n.to_string()),
        (-5i64..200).prop_map(|n| n.to_string()),
        Just("PE".to_string()),
        Just("XAQR".to_string()),
        Just("COMPLETED".to_string()),
        Just("ON_HOLD".to_string()),
        Just("1.5".to_string()),
        Just("99999999999999999999".to_string()),
        "[a-zA-Z0-9%+._-]{0,6}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(NAMES), value()), 0..7).prop_map(|pairs| {
        let parts: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.join("&")
    })
}

#[derive(Clone, Debug)]
enum Token {
    Valid(Carrier),
    Garbage(String),
    None,
}

#[derive(Clone, Debug)]
enum Step {
    Call {
        method: &'static str,
        path: &'static str,
        query: String,
        token: Token,
        body: Option<Vec<u8>>,
    },
    Advance(u32),
}

fn step() -> impl Strategy<Value = Step> {
    let carrier = prop_oneof![
        Just(Carrier::Cookie),
        Just(Carrier::Bearer),
        Just(Carrier::Seed)
    ];
    let token = prop_oneof![
        4 => carrier.prop_map(Token::Valid),
        1 => "[ -~]{0,40}".prop_map(Token::Garbage),
        1 => Just(Token::None),
    ];
    let body = prop_oneof![
        2 => Just(None),
        2 => any_json().prop_map(|v| Some(v.to_string().into_bytes())),
        1 => prop::collection::vec(any::<u8>(), 0..24).prop_map(Some),
        1 => (prop_oneof![Just(KEY), Just("x"), Just("")], "[a-z]{0,5}")
            .prop_map(|(k, s)| Some(json!({"accessKey": k, "secretKey": s}).to_string().into_bytes())),
    ];
    let method = prop_oneof![Just("GET"), Just("POST"), Just("DELETE"), Just("PUT")];
    prop_oneof![
        8 => (method, prop::sample::select(PATHS), query(), token, body)
            .prop_map(|(method, path, query, token, body)| Step::Call { method, path, query, token, body }),
        1 => prop_oneof![Just(60u32), Just(899), Just(900), Just(86_400)].prop_map(Step::Advance),
    ]
}

/// A well-formed Tupay answer for `path`.
fn check(path: &str, r: &Resp) {
    assert!(r.status < 500, "{path}: {} {:?}", r.status, r.bytes);
    if path == "/v1/auth/session/destroy" && r.status == 200 {
        assert!(r.bytes.is_empty());
        return;
    }
    assert_eq!(r.headers["content-type"], "application/json", "{path}");
    assert!(!r.json.is_null(), "{path}: not JSON: {:?}", r.bytes);
    if r.status >= 400 {
        let o = r.json.as_object().unwrap();
        assert_eq!(o.len(), 2, "{}", r.json);
        assert!(
            r.json["code"].is_u64()
                && r.json["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty())
        );
        return;
    }
    match path {
        "/v1/auth/login" => {
            assert!(r.json["idMerchant"].is_u64() && r.json["username"].is_string())
        }
        "/v1/balance" => assert!(r.json.as_array().is_some_and(|a| !a.is_empty())),
        _ => {
            assert_eq!(r.json["maxRows"], 50);
            assert_eq!(
                r.json["rows"].as_u64(),
                r.json["data"].as_array().map(|d| d.len() as u64)
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_request_to_any_endpoint_gets_a_well_formed_tupay_answer(steps in prop::collection::vec(step(), 1..10)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let sim = sim(5);
            let mut token = sim.token().await;
            for step in steps {
                match step {
                    Step::Advance(s) => sim.advance(f64::from(s)).await,
                    Step::Call { method, path, query, token: carrier, body } => {
                        let header = match &carrier {
                            Token::Valid(c) => Some(c.header(&token)),
                            Token::Garbage(g) => Some(("authorization", format!("Bearer {g}"))),
                            Token::None => None,
                        };
                        let headers: Vec<(&str, &str)> = header.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        let uri = if query.is_empty() { path.to_string() } else { format!("{path}?{query}") };
                        let r = sim.call(method, &uri, &headers, body.as_deref()).await;
                        check(path, &r);
                        if r.status == 401 && matches!(carrier, Token::Valid(_)) {
                            token = sim.token().await;
                        }
                    }
                }
            }
        });
    }
}

#[derive(Clone, Debug)]
enum Change {
    Deposit {
        status: &'static str,
        amount: u32,
        days_ago: u32,
        country: &'static str,
    },
    Cashout {
        status: &'static str,
        amount: u32,
        days_ago: u32,
    },
    Entry {
        kind: &'static str,
        amount: u32,
        currency: &'static str,
    },
}

fn change() -> impl Strategy<Value = Change> {
    let deposit_status = prop::sample::select(vec![
        "PENDING",
        "APPROVED",
        "COMPLETED",
        "DECLINED",
        "CANCELLED",
        "EXPIRED",
    ]);
    let cashout_status = prop::sample::select(vec![
        "PENDING",
        "ON_HOLD",
        "DELIVERED",
        "COMPLETED",
        "REJECTED",
        "CANCELLED",
    ]);
    prop_oneof![
        (
            deposit_status,
            1u32..500_000,
            0u32..90,
            prop::sample::select(vec!["PE", "BR", "CO"])
        )
            .prop_map(|(status, amount, days_ago, country)| Change::Deposit {
                status,
                amount,
                days_ago,
                country
            }),
        (cashout_status, 1u32..500_000, 0u32..90).prop_map(|(status, amount, days_ago)| {
            Change::Cashout {
                status,
                amount,
                days_ago,
            }
        }),
        (
            prop::sample::select(vec!["note", "settlement", "cancelled_settlement"]),
            1u32..100_000,
            prop::sample::select(vec!["USD", "PEN"])
        )
            .prop_map(|(kind, amount, currency)| Change::Entry {
                kind,
                amount,
                currency
            }),
    ]
}

fn money(minor: u32) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn for_any_range_the_reports_totals_equal_the_sums_of_the_lists(
        seed in 0u64..1_000,
        start_days_ago in 0i64..90,
        width in 0i64..=(60 * DAY),
        changes in prop::collection::vec(change(), 0..6),
        elapsed in prop_oneof![Just(0u32), Just(3_600), Just(200_000)],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let sim = sim(seed);
            sim.token().await;
            let t0 = now(&sim);
            for c in &changes {
                let (path, body) = match c {
                    Change::Deposit { status, amount, days_ago, country } => ("/deposits", json!({"tenant": TENANT, "status": status, "amount": money(*amount), "country": country, "creationDate": t0 - i64::from(*days_ago) * DAY})),
                    Change::Cashout { status, amount, days_ago } => ("/cashouts", json!({"tenant": TENANT, "status": status, "amount": money(*amount), "creationDate": t0 - i64::from(*days_ago) * DAY})),
                    Change::Entry { kind, amount, currency } => ("/entries", json!({"tenant": TENANT, "kind": kind, "amount": money(*amount), "currency": currency})),
                };
                sim.office(path, body).await;
            }
            sim.advance(f64::from(elapsed)).await;
            let token = sim.token().await;
            let from = t0 - start_days_ago * DAY;
            let to = from + width;

            let deposits = sim.all_pages("/v1/deposits", &token, (from, to), "").await;
            let cashouts = sim.all_pages("/v1/cashout", &token, (from, to), "").await;
            let report = sim.all_pages("/v1/balance/report", &token, (from, to), "").await;

            let mut listed: BTreeMap<String, [i64; 3]> = BTreeMap::new();
            for d in deposits.iter().filter(|d| d["status"] == "COMPLETED") {
                let e = listed.entry(d["currency"].as_str().unwrap().to_string()).or_default();
                e[0] += cents(&d["amount"]);
                e[1] += cents(&d["fee"]);
            }
            for c in cashouts.iter().filter(|c| c["status"] == "COMPLETED") {
                listed.entry(c["currency"].as_str().unwrap().to_string()).or_default()[2] += cents(&c["amount"]);
            }
            let mut reported: BTreeMap<String, [i64; 3]> = BTreeMap::new();
            for row in &report {
                let e = reported.entry(row["currency"].as_str().unwrap().to_string()).or_default();
                e[0] += cents(&row["depositTotal"]);
                e[1] += cents(&row["depositFeeTotal"]);
                e[2] += cents(&row["cashoutTotal"]);
                let net = cents(&row["depositTotal"]) - cents(&row["depositFeeTotal"]) - cents(&row["cashoutTotal"])
                    + cents(&row["noteTotal"]) - cents(&row["settlementTotal"]) + cents(&row["cancelledSettlementTotal"]);
                assert_eq!(cents(&row["netAmount"]), net, "{row}");
            }
            listed.retain(|_, v| *v != [0, 0, 0]);
            reported.retain(|_, v| *v != [0, 0, 0]);
            assert_eq!(listed, reported);
        });
    }
}
