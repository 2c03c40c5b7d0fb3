//! The seeded history: made once at a tenant's first login, the same for the same seed and
//! tenant byte for byte, disjoint between tenants, realistic in volume and variety, and lazy.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use std::collections::{BTreeMap, BTreeSet};

use payoutsim_tupay::TupayConfig;
use serde_json::Value;
use support::*;

/// Everything a reconciling client reads for the last 60 days: every page of both lists and
/// of the report, and the balance, as raw bytes.
async fn reconciliation_bytes(sim: &Sim, token: &str) -> Vec<u8> {
    let to = now(sim);
    let from = to - 60 * DAY;
    let mut out = Vec::new();
    for list in ["/v1/deposits", "/v1/cashout", "/v1/balance/report"] {
        for page in 0.. {
            let r = sim
                .get(&format!("{list}?from={from}&to={to}&page={page}"), token)
                .await;
            assert_eq!(r.status, 200, "{}", r.json);
            out.extend_from_slice(&r.bytes);
            if r.json["rows"].as_u64() < Some(50) {
                break;
            }
        }
    }
    out.extend_from_slice(&sim.get("/v1/balance", token).await.bytes);
    out
}

fn ids(items: &[Value], field: &str) -> BTreeSet<u64> {
    items.iter().map(|i| i[field].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn the_same_seed_and_tenant_give_byte_identical_answers() {
    let (a, b) = (sim(42), sim(42));
    let (ta, tb) = (a.token().await, b.token().await);

    let (first, second) = (
        reconciliation_bytes(&a, &ta).await,
        reconciliation_bytes(&b, &tb).await,
    );

    assert_eq!(ta, tb, "tokens come from the seed too");
    assert!(first.len() > 100_000, "{} bytes", first.len());
    assert!(first == second, "the same seed gave different answers");
}

#[tokio::test]
async fn another_seed_gives_another_history() {
    let (a, b) = (sim(42), sim(43));
    let (ta, tb) = (a.token().await, b.token().await);

    let first = a
        .all_pages("/v1/deposits", &ta, (now(&a) - 60 * DAY, now(&a)), "")
        .await;
    let second = b
        .all_pages("/v1/deposits", &tb, (now(&b) - 60 * DAY, now(&b)), "")
        .await;

    assert_ne!(first, second);
}

#[tokio::test]
async fn two_tenants_share_no_transaction_id_external_id_or_merchant() {
    let sim = sim(7);
    let (ta, tb) = (sim.token_for(KEY).await, sim.token_for(OTHER_KEY).await);
    let (from, to) = (now(&sim) - 60 * DAY, now(&sim));

    let (da, db) = (
        sim.all_pages("/v1/deposits", &ta, (from, to), "").await,
        sim.all_pages("/v1/deposits", &tb, (from, to), "").await,
    );
    let (ca, cb) = (
        sim.all_pages("/v1/cashout", &ta, (from, to), "").await,
        sim.all_pages("/v1/cashout", &tb, (from, to), "").await,
    );

    assert!(ids(&da, "idDeposit").is_disjoint(&ids(&db, "idDeposit")));
    assert!(ids(&ca, "idCashout").is_disjoint(&ids(&cb, "idCashout")));
    let externals = |items: &[Value]| -> BTreeSet<String> {
        items
            .iter()
            .map(|i| i["externalId"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(externals(&da).is_disjoint(&externals(&db)));
    assert_ne!(da[0]["idMerchant"], db[0]["idMerchant"]);
    assert_eq!(da[0]["merchantName"], "Acme Games");
    assert_eq!(db[0]["merchantName"], "Lucky Star");
}

#[tokio::test]
async fn a_tenants_history_does_not_depend_on_who_logged_in_before_it() {
    let (alone, after) = (sim(9), sim(9));
    let t1 = alone.token_for(OTHER_KEY).await;
    after.token_for(KEY).await;
    let t2 = after.token_for(OTHER_KEY).await;
    let (from, to) = (now(&alone) - 60 * DAY, now(&alone));

    let first = alone.all_pages("/v1/deposits", &t1, (from, to), "").await;
    let second = after.all_pages("/v1/deposits", &t2, (from, to), "").await;

    assert_eq!(first, second);
}

#[tokio::test]
async fn the_history_is_made_at_the_first_login_and_never_again() {
    let sim = sim(3);
    let token = sim.token().await;
    let (from, to) = (now(&sim) - 60 * DAY, now(&sim));
    let before = sim.all_pages("/v1/deposits", &token, (from, to), "").await;

    sim.advance(3.0 * 86_400.0).await;
    let again = sim.token().await;
    let after = sim.all_pages("/v1/deposits", &again, (from, to), "").await;

    assert_eq!(before, after);
}

#[tokio::test]
async fn ninety_days_hold_hundreds_of_deposits_and_over_a_hundred_cashouts_in_plausible_proportions()
 {
    let sim = sim(11);
    sim.token().await;

    let m = sim.merchant().await;

    let deposits = m["deposits"]["count"].as_u64().unwrap();
    let cashouts = m["cashouts"]["count"].as_u64().unwrap();
    assert!((400..800).contains(&deposits), "{m}");
    assert!((110..260).contains(&cashouts), "{m}");
    let share = |kind: &str, status: &str| {
        m[kind]["byStatus"][status].as_u64().unwrap_or(0) as f64
            / m[kind]["count"].as_f64().unwrap()
    };
    assert!(share("deposits", "COMPLETED") > 0.7, "{m}");
    for status in ["DECLINED", "CANCELLED"] {
        assert!(share("deposits", status) > 0.01, "{status}: {m}");
    }
    assert!(share("cashouts", "COMPLETED") > 0.7, "{m}");
    for status in ["REJECTED", "CANCELLED", "DECLINED"] {
        assert!(share("cashouts", status) > 0.005, "{status}: {m}");
    }
}

#[tokio::test]
async fn the_history_spans_countries_currencies_methods_and_repeat_clients_with_fees() {
    let sim = sim(5);
    let token = sim.token().await;
    let deposits = sim
        .all_pages(
            "/v1/deposits",
            &token,
            (now(&sim) - 60 * DAY, now(&sim)),
            "",
        )
        .await;

    let distinct = |field: &str| -> BTreeSet<String> {
        deposits
            .iter()
            .map(|d| d[field].as_str().unwrap().to_string())
            .collect()
    };
    let mut per_client: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &deposits {
        *per_client
            .entry(d["clientDocument"].as_str().unwrap())
            .or_default() += 1;
    }

    assert!(distinct("country").len() >= 4, "{:?}", distinct("country"));
    assert_eq!(
        distinct("currency"),
        BTreeSet::from(["PEN".to_string(), "USD".to_string()])
    );
    assert!(distinct("localCurrency").len() >= 4);
    assert!(distinct("paymentMethodCode").len() >= 8);
    assert!(per_client.values().any(|n| *n >= 10), "regular clients");
    let completed: Vec<&Value> = deposits
        .iter()
        .filter(|d| d["status"] == "COMPLETED")
        .collect();
    assert!(completed.iter().all(|d| cents(&d["fee"]) > 0));
    assert!(
        deposits
            .iter()
            .filter(|d| d["status"] != "COMPLETED")
            .all(|d| cents(&d["fee"]) == 0)
    );
}

#[tokio::test]
async fn the_volume_and_days_settings_shape_the_history() {
    let config = TupayConfig {
        history_days: 30,
        volume: 2.0,
        ..TupayConfig::default()
    };
    let sim = sim_with(11, config);
    sim.token().await;

    let m = sim.merchant().await;

    let deposits = m["deposits"]["count"].as_u64().unwrap();
    assert!(
        (250..500).contains(&deposits),
        "30 days at twice the volume: {m}"
    );
    assert_eq!(m["historyFrom"], "2025-12-06T14:00:00Z");
}

#[tokio::test]
async fn no_history_is_made_before_a_tenant_is_seen() {
    let sim = sim(1);

    let before = sim.objects(None, Some("merchant"));
    sim.token().await;
    let after = sim.objects(None, Some("merchant"));

    assert_eq!(before["objects"].as_array().map(Vec::len), Some(0));
    assert_eq!(after["objects"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn history_transactions_carry_the_full_d24_item_shapes() {
    let sim = sim(2);
    let token = sim.token().await;
    let (from, to) = (now(&sim) - 10 * DAY, now(&sim));

    let deposits = sim
        .get(&format!("/v1/deposits?from={from}&to={to}"), &token)
        .await;
    let cashouts = sim
        .get(&format!("/v1/cashout?from={from}&to={to}"), &token)
        .await;

    // In the wire order of D24's examples, read from the first item's bytes.
    let in_order = |bytes: &[u8], keys: &[&str]| {
        let text = String::from_utf8_lossy(bytes);
        let data = &text[text.find("\"data\":[").unwrap() + 8..];
        let first = &data[..data.find('}').unwrap()];
        let mut at = 0;
        for key in keys {
            let found = first[at..].find(&format!("\"{key}\":"));
            assert!(found.is_some(), "{key} missing or out of order in {first}");
            at += found.unwrap_or(0);
        }
        assert_eq!(first.matches("\":").count(), keys.len(), "{first}");
    };
    in_order(
        &deposits.bytes,
        &[
            "idDeposit",
            "externalId",
            "creationDate",
            "countryName",
            "country",
            "paymentMethodName",
            "paymentMethodCode",
            "requestedPaymentMethod",
            "requestedPaymentMethodName",
            "clientDocument",
            "amount",
            "currency",
            "requestedAmount",
            "requestedCurrency",
            "localAmount",
            "localCurrency",
            "fee",
            "feeCurrency",
            "lastChangeDate",
            "status",
            "idUser",
            "flags",
            "idMerchant",
            "merchantName",
            "refundAttempted",
        ],
    );
    in_order(
        &cashouts.bytes,
        &[
            "idCashout",
            "externalId",
            "creationDate",
            "country",
            "currency",
            "amount",
            "creditedCurrency",
            "creditedAmount",
            "merchantCurrency",
            "merchantAmount",
            "feeCurrency",
            "fee",
            "tax",
            "lastChangeDate",
            "status",
            "clientDocument",
            "flags",
            "idMerchant",
            "merchantName",
            "reason",
            "existVoucher",
        ],
    );
    let deposit = &deposits.json["data"][0];
    assert!(deposit["idDeposit"].as_u64().unwrap() < i32::MAX as u64);
    assert!(deposit["idUser"].is_string() && deposit["flags"] == serde_json::json!([]));
    assert!(deposit["creationDate"].as_str().unwrap().ends_with('Z'));
}
