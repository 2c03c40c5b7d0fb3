//! Properties: random bodies on every creating endpoint answer a 2xx or a well-formed envelope,
//! never a 5xx; money is conserved across random sequences of transfers, payouts, links,
//! failures (magic amounts, forced statuses), cancels, fundings and time, checked both by the
//! store's own books and from what HTTP shows; and a seeded script answers byte for byte alike.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod common;

use common::{DotsSim, Keys, PRODUCTION, Resp, SANDBOX, SANDBOX_FUNDING, Sim, key, sim};
use payoutsim_core::testkit::{any_json, assert_reproducible, block_on, with_fields};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

/// Every `error_code` a top-level refusal may carry.
const CODES: &[&str] = &[
    "unauthorized",
    "not-found",
    "invalid-input",
    "invalid-email",
    "invalid-phone-number",
    "auth-email-already-exists",
    "auth-username-already-exists",
    "transaction-insufficient-funds",
    "user-info-missing",
    "resource-busy",
];

/// A 2xx with a JSON object, or Dots' envelope with a 4xx and a documented code.
fn check_answer(what: &str, r: &Resp) {
    assert!(r.status < 500, "{what}: {} {:?}", r.status, r.bytes);
    if (200..300).contains(&r.status) {
        assert!(r.json.is_object(), "{what}: {:?}", r.bytes);
        return;
    }
    assert!((400..500).contains(&r.status), "{what}: {}", r.status);
    assert_eq!(
        r.keys(),
        ["error_code", "message", "success"],
        "{what}: {}",
        r.json
    );
    assert_eq!(r.json["success"], false);
    let code = r.json["error_code"].as_str().unwrap();
    assert!(CODES.contains(&code), "{what}: {code}");
    assert!(!r.json["message"].as_str().unwrap().is_empty(), "{what}");
}

/// A body whose fields are each missing, one of `valid`, or any JSON at all.
fn shape(fields: Vec<(&'static str, Vec<Value>)>) -> BoxedStrategy<Value> {
    let each: Vec<BoxedStrategy<(&'static str, Option<Value>)>> = fields
        .into_iter()
        .map(|(name, valid)| {
            let value = prop_oneof![3 => select(valid), 1 => any_json()];
            let field = prop::option::weighted(0.8, value);
            field.prop_map(move |v| (name, v)).boxed()
        })
        .collect();
    each.prop_map(|fs| with_fields(Map::new(), fs)).boxed()
}

fn amounts() -> Vec<Value> {
    vec![
        json!(100),
        json!(-100),
        json!(666),
        json!(0),
        json!(20_000),
        json!(1.5),
        json!("5"),
    ]
}

fn keys() -> Vec<Value> {
    vec![json!(key(1)), json!(key(2)), json!("not-a-uuid")]
}

fn payout_fields() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("user_id", vec![json!("$USER"), json!(common::NOBODY)]),
        ("amount", amounts()),
        (
            "platform",
            vec![
                json!("paypal"),
                json!("ach"),
                json!("default"),
                json!("zelle"),
            ],
        ),
        ("account_id", vec![json!("$ACH"), json!(common::NOBODY)]),
        ("fund", vec![json!(true), json!(false)]),
        ("tax_exempt", vec![json!(true)]),
        ("idempotency_key", keys()),
        ("metadata", vec![json!({"a": 1}), json!("note")]),
        ("payout_fee_party", vec![json!("user"), json!("nobody")]),
    ]
}

fn link_fields() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("amount", amounts()),
        ("user_id", vec![json!("$USER"), json!(common::NOBODY)]),
        (
            "payee",
            vec![
                json!({"country_code": "1", "phone_number": "5550100"}),
                json!({"email": "p@example.com"}),
                json!({"phone_number": "12a"}),
            ],
        ),
        (
            "delivery",
            vec![
                json!({"method": "sms"}),
                json!({"method": "link"}),
                json!({"method": "email", "email": "p@example.com"}),
                json!({"method": "fax"}),
            ],
        ),
        ("memo", vec![json!("May")]),
        ("metadata", vec![json!({"a": 1})]),
        ("idempotency_key", keys()),
        ("tax_exempt", vec![json!(false)]),
        (
            "additional_steps",
            vec![json!(["compliance"]), json!(["nope"])],
        ),
        (
            "accounting_data",
            vec![
                json!({"quickbooks_account_id": 4}),
                json!({"quickbooks_class_id": -1}),
            ],
        ),
        ("funding_source", vec![json!("dots_balance"), json!("card")]),
    ]
}

/// `(method, path, body)` of a creating request.
fn creation() -> impl Strategy<Value = (&'static str, &'static str, Value)> {
    let item = json!({"user_id": "$USER", "amount": 100, "platform": "paypal", "fund": true, "idempotency_key": key(3)});
    let on = |method: &'static str, path: &'static str, s: BoxedStrategy<Value>| {
        s.prop_map(move |b| (method, path, b))
    };
    prop_oneof![
        on(
            "POST",
            "/v2/users",
            shape(vec![
                ("first_name", vec![json!("Ana"), json!("")]),
                ("last_name", vec![json!("Diaz")]),
                (
                    "email",
                    vec![
                        json!("a1@example.com"),
                        json!("a2@example.com"),
                        json!("a@b")
                    ]
                ),
                ("country_code", vec![json!("1"), json!("1234")]),
                (
                    "phone_number",
                    vec![json!("5550101"), json!("5550102"), json!("55x")]
                ),
                ("username", vec![json!("ana")]),
                (
                    "date_of_birth",
                    vec![json!("1990-01-01"), json!("1990-13-01")]
                ),
                (
                    "1099_adjustment",
                    vec![
                        json!({"year": 2025, "form": "1099-NEC", "amount": 5}),
                        json!({"form": "W2"})
                    ]
                ),
                ("metadata", vec![json!({"a": 1})]),
                (
                    "payout_options_exclude_list",
                    vec![json!(["venmo"]), json!(["venmo", "venmo"])]
                ),
            ])
        ),
        on(
            "POST",
            "/v2/apps",
            shape(vec![
                ("name", vec![json!("Acme payouts"), json!("ab")]),
                ("metadata", vec![json!({"team": "ops"})]),
            ])
        ),
        on(
            "POST",
            "/v2/transfers",
            shape(vec![
                ("amount", amounts()),
                ("user_id", vec![json!("$USER"), json!(common::NOBODY)]),
                ("tax_exempt", vec![json!(true)]),
                ("idempotency_key", keys()),
                ("metadata", vec![json!({"a": 1})]),
            ])
        ),
        on("POST", "/v2/payouts", shape(payout_fields())),
        on("POST", "/v2/payouts/send-payout", shape(link_fields())),
        on("POST", "/v2/payout-links", shape(link_fields())),
        on(
            "POST",
            "/v2/payout-batches",
            shape(vec![
                (
                    "items",
                    vec![
                        json!([item.clone()]),
                        json!([]),
                        json!([item.clone(), item]),
                        json!([{"user_id": "$USER"}])
                    ]
                ),
                ("idempotency_key", keys()),
                ("metadata", vec![json!({"batch": 1})]),
            ])
        ),
        on(
            "POST",
            "/v2/flows",
            shape(vec![
                (
                    "steps",
                    vec![
                        json!(["payout"]),
                        json!(["compliance", "payout"]),
                        json!([])
                    ]
                ),
                ("user_id", vec![json!("$USER"), json!(common::NOBODY)]),
                ("metadata", vec![json!({"a": 1})]),
            ])
        ),
        on(
            "PUT",
            "/v2/users/$USER/payout-methods",
            shape(vec![
                (
                    "platform",
                    vec![
                        json!("ach"),
                        json!("paypal"),
                        json!("venmo"),
                        json!("cash_app")
                    ]
                ),
                (
                    "routing_number",
                    vec![json!("011000015"), json!("01100001x")]
                ),
                ("account_number", vec![json!("000123456789")]),
                ("email", vec![json!("ana@example.com")]),
                ("handle", vec![json!("@ana")]),
                ("cash_tag", vec![json!("$ana")]),
                ("is_default", vec![json!(true), json!(false)]),
            ])
        ),
    ]
}

/// `v` with the placeholders `$USER` and `$ACH` replaced by the run's ids.
fn substitute(v: &Value, ids: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => json!(ids.iter().fold(s.clone(), |s, (k, id)| s.replace(k, id))),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, ids)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| substitute(v, ids)).collect()),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_body_on_a_creating_endpoint_answers_a_2xx_or_a_well_formed_envelope(
        requests in prop::collection::vec(creation(), 1..6),
        garbage in prop::collection::vec(any::<u8>(), 0..24),
        production in any::<bool>(),
    ) {
        block_on(async {
            let sim = sim(5);
            let keys = if production { PRODUCTION } else { SANDBOX };
            let user = sim.user(keys, "ana").await;
            let ach = sim.ach(keys, &user).await;
            let ids = [("$USER", user.as_str()), ("$ACH", ach.as_str())];
            for (method, path, body) in &requests {
                let path = path.replace("$USER", &user);
                let body = substitute(body, &ids);
                let r = sim.dots(keys, method, &path, Some(&body)).await;
                check_answer(&format!("{method} {path} {body}"), &r);
            }
            let (_, path, _) = &requests[0];
            let path = format!("/api{}", path.replace("$USER", &user));
            let auth = keys.basic();
            let r = sim.call("POST", &path, &[("authorization", auth.as_str())], Some(&garbage)).await;
            check_answer(&format!("garbage to {path}"), &r);
            sim.advance(400.0).await;
        });
    }
}

#[derive(Clone, Debug)]
enum Step {
    Give {
        user: usize,
        cents: i64,
    },
    Take {
        user: usize,
        cents: i64,
    },
    Payout {
        user: usize,
        amount: i64,
        platform: &'static str,
        fund: bool,
    },
    Link {
        amount: i64,
    },
    Cancel {
        link: usize,
    },
    Claim {
        link: usize,
    },
    Force {
        payout: usize,
        status: &'static str,
    },
    Fund {
        dollars: u32,
    },
    Advance {
        seconds: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let cents = 1i64..4000;
    let payout_amount = prop_oneof![3 => 1i64..4000, 1 => select(vec![666i64, 667, 668])];
    let platform = select(vec!["paypal", "venmo", "cash_app", "ach"]);
    let status = select(vec![
        "failed",
        "canceled",
        "reversed",
        "completed",
        "pending",
        "flagged",
    ]);
    prop_oneof![
        3 => (0usize..2, cents.clone()).prop_map(|(user, cents)| Step::Give { user, cents }),
        1 => (0usize..2, cents.clone()).prop_map(|(user, cents)| Step::Take { user, cents }),
        4 => (0usize..2, payout_amount, platform, any::<bool>())
            .prop_map(|(user, amount, platform, fund)| Step::Payout { user, amount, platform, fund }),
        2 => cents.prop_map(|amount| Step::Link { amount }),
        1 => any::<usize>().prop_map(|link| Step::Cancel { link }),
        1 => any::<usize>().prop_map(|link| Step::Claim { link }),
        2 => (any::<usize>(), status).prop_map(|(payout, status)| Step::Force { payout, status }),
        1 => (1u32..60).prop_map(|dollars| Step::Fund { dollars }),
        3 => select(vec![1u32, 5, 60, 300, 86_400]).prop_map(|seconds| Step::Advance { seconds }),
    ]
}

/// Every object of a list endpoint, page by page.
async fn every(sim: &Sim, keys: Keys, path: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut page = format!("{path}{sep}limit=100");
        if let Some(last) = all.last() {
            page.push_str(&format!("&starting_after={}", last["id"].as_str().unwrap()));
        }
        let r = sim.get(keys, &page).await;
        assert_eq!(r.status, 200, "{}", r.json);
        all.extend(r.json["data"].as_array().unwrap().iter().cloned());
        if r.json["has_more"] != true {
            return all;
        }
    }
}

/// Money as HTTP shows it: app wallet + user wallets + in flight + paid out equals every cent
/// put in (`funded`, the test's own tally); no wallet is negative; the back office's
/// `money_out` agrees with the lists. And the store's own books balance.
async fn check_money(sim: &Sim, keys: Keys, users: &[String], funded: i64) {
    let tenant = keys.tenant();
    let conserved = (sim.kit.store().apps.get(&tenant)).map(|a| a.money_is_conserved());
    assert_eq!(conserved, Some(true), "the store's books");
    let app = sim.app_view(keys).await;
    let wallet = app["wallet"].as_i64().unwrap();
    let mut user_wallets = 0;
    for u in users {
        let w = sim.user_wallet(keys, u).await;
        assert!(w >= 0, "user {u}: {w}");
        user_wallets += w;
    }
    let (mut in_flight, mut paid) = (0, 0);
    for t in every(sim, keys, "/v2/transfers?type=payout").await {
        let amount = t["amount"].as_i64().unwrap();
        match t["status"].as_str().unwrap() {
            "created" | "pending" | "flagged" => in_flight += amount,
            "completed" => paid += amount,
            "failed" | "canceled" | "reversed" => {}
            other => panic!("payout status {other}"),
        }
    }
    for l in every(sim, keys, "/v2/payout-links").await {
        let amount = l["amount"].as_i64().unwrap();
        match l["status"].as_str().unwrap() {
            "created" | "delivery_pending" | "delivery_failed" | "sent" | "delivered" => {
                in_flight += amount
            }
            "claimed" => paid += amount,
            "funds_pending" | "canceled" | "expired" | "failed" | "reversed" => {}
            other => panic!("link status {other}"),
        }
    }
    assert!(wallet >= 0, "app wallet {wallet}");
    assert_eq!(app["money_out"].as_i64(), Some(paid), "{app}");
    assert_eq!(app["funded"].as_i64(), Some(funded), "{app}");
    assert_eq!(wallet + user_wallets + in_flight + paid, funded, "{app}");
}

/// Runs one step; asserts its answer is well formed.
async fn run(sim: &Sim, keys: Keys, step: &Step, state: &mut Run) {
    let user = |i: usize| state.users[i % state.users.len()].clone();
    let pick = |list: &[String], i: usize| (!list.is_empty()).then(|| list[i % list.len()].clone());
    match step {
        Step::Give { user: u, cents } => {
            let body = json!({"amount": -cents, "user_id": user(*u)});
            check_answer("give", &sim.post(keys, "/v2/transfers", &body).await);
        }
        Step::Take { user: u, cents } => {
            let body = json!({"amount": cents, "user_id": user(*u)});
            check_answer("take", &sim.post(keys, "/v2/transfers", &body).await);
        }
        Step::Payout {
            user: u,
            amount,
            platform,
            fund,
        } => {
            let i = *u % state.users.len();
            let extra = json!({"fund": fund, "account_id": state.accounts[i]});
            let r = sim
                .payout(keys, &state.users[i], *amount, platform, extra)
                .await;
            check_answer("payout", &r);
            if r.status == 201 {
                state
                    .payouts
                    .push(r.json["id"].as_str().unwrap().to_string());
            }
        }
        Step::Link { amount } => {
            let r = sim
                .post(keys, "/v2/payout-links", &json!({"amount": amount}))
                .await;
            check_answer("link", &r);
            if r.status == 201 || r.status == 202 {
                state.links.push(r.json["id"].as_str().unwrap().to_string());
            }
        }
        Step::Cancel { link } => {
            if let Some(id) = pick(&state.links, *link) {
                let r = sim
                    .dots(keys, "DELETE", &format!("/v2/payout-links/{id}"), None)
                    .await;
                check_answer("cancel", &r);
            }
        }
        Step::Claim { link } => {
            if let Some(id) = pick(&state.links, *link) {
                let body = json!({"status": "claimed", "user_id": state.users[0]});
                let r = sim
                    .back_office("POST", &format!("/payout-links/{id}/status"), Some(body))
                    .await;
                assert!(
                    [200, 400, 404, 409].contains(&r.status),
                    "claim: {}",
                    r.json
                );
            }
        }
        Step::Force { payout, status } => {
            if let Some(id) = pick(&state.payouts, *payout) {
                let body = json!({"status": status});
                let r = sim
                    .back_office("POST", &format!("/transfers/{id}/status"), Some(body))
                    .await;
                assert!([200, 400, 409].contains(&r.status), "force: {}", r.json);
            }
        }
        Step::Fund { dollars } => {
            let r = sim.fund(&keys.tenant(), json!(dollars)).await;
            assert_eq!(r.status, 200, "{}", r.json);
            state.funded += i64::from(*dollars) * 100;
        }
        Step::Advance { seconds } => sim.advance(f64::from(*seconds)).await,
    }
}

struct Run {
    users: Vec<String>,
    accounts: Vec<String>,
    payouts: Vec<String>,
    links: Vec<String>,
    funded: i64,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn wallet_money_is_conserved_across_transfers_payouts_links_failures_and_refunds(
        steps in prop::collection::vec(step(), 1..14),
        production in any::<bool>(),
    ) {
        block_on(async {
            let sim = sim(6);
            let keys = if production { PRODUCTION } else { SANDBOX };
            let mut state = Run {
                users: Vec::new(),
                accounts: Vec::new(),
                payouts: Vec::new(),
                links: Vec::new(),
                funded: if production { 0 } else { SANDBOX_FUNDING },
            };
            for name in ["ana", "ben"] {
                let u = sim.user(keys, name).await;
                state.accounts.push(sim.ach(keys, &u).await);
                state.users.push(u);
            }
            check_money(&sim, keys, &state.users, state.funded).await;
            for step in &steps {
                run(&sim, keys, step, &mut state).await;
                check_money(&sim, keys, &state.users, state.funded).await;
            }
        });
    }
}

/// A fixed script over payouts, links and a batch; every answer's bytes.
async fn script(seed: u64) -> Vec<bytes::Bytes> {
    let sim = sim(seed);
    let ana = sim.user(SANDBOX, "ana").await;
    let mut out = vec![sim.get(SANDBOX, &format!("/v2/users/{ana}")).await.bytes];
    let transfer = json!({"amount": -2000, "user_id": ana});
    out.push(sim.post(SANDBOX, "/v2/transfers", &transfer).await.bytes);
    out.push(
        (sim.payout(SANDBOX, &ana, 700, "venmo", json!({})))
            .await
            .bytes,
    );
    out.push(
        sim.post(SANDBOX, "/v2/payout-links", &json!({"amount": 300}))
            .await
            .bytes,
    );
    let item = json!({"user_id": ana, "amount": 100, "platform": "paypal", "fund": true, "idempotency_key": key(1)});
    let b = sim
        .post(SANDBOX, "/v2/payout-batches", &json!({"items": [item]}))
        .await;
    let batch = b.json["id"].as_str().unwrap().to_string();
    out.push(b.bytes);
    sim.advance(400.0).await;
    out.push(sim.get(SANDBOX, "/v2/transfers").await.bytes);
    out.push(sim.get(SANDBOX, "/v2/payout-links").await.bytes);
    out.push(
        (sim.get(SANDBOX, &format!("/v2/payout-batches/{batch}/results")))
            .await
            .bytes,
    );
    out
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_answers() {
    assert_reproducible(script).await;
}
