//! The balance report and the balance agree with the lists to the cent, day by day and in all,
//! and a range reconciled today reads the same two simulated days later.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::*;

/// What a client computes from the lists: per (day, currency), the report's columns.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Sums {
    deposit: i64,
    fee: i64,
    cashout: i64,
}

fn by_day(deposits: &[Value], cashouts: &[Value]) -> BTreeMap<(String, String), Sums> {
    let mut out: BTreeMap<(String, String), Sums> = BTreeMap::new();
    let key = |v: &Value| {
        let day = &v["creationDate"].as_str().unwrap()[..10];
        (
            format!("{day}T00:00:00Z"),
            v["currency"].as_str().unwrap().to_string(),
        )
    };
    for d in deposits {
        let e = out.entry(key(d)).or_default();
        if d["status"] == "COMPLETED" {
            e.deposit += cents(&d["amount"]);
            e.fee += cents(&d["fee"]);
        }
    }
    for c in cashouts {
        let e = out.entry(key(c)).or_default();
        if c["status"] == "COMPLETED" {
            e.cashout += cents(&c["amount"]);
        }
    }
    out
}

async fn reconcile(
    sim: &Sim,
    token: &str,
    from: i64,
    to: i64,
) -> (Vec<Value>, BTreeMap<(String, String), Sums>) {
    let deposits = sim.all_pages("/v1/deposits", token, (from, to), "").await;
    let cashouts = sim.all_pages("/v1/cashout", token, (from, to), "").await;
    let report = sim
        .all_pages("/v1/balance/report", token, (from, to), "")
        .await;
    (report, by_day(&deposits, &cashouts))
}

#[tokio::test]
async fn every_report_row_equals_the_sums_of_that_days_listed_transactions_to_the_cent() {
    let sim = sim(21);
    let token = sim.token().await;
    let to = now(&sim);

    let (report, sums) = reconcile(&sim, &token, to - 60 * DAY, to).await;

    assert_eq!(
        report.len(),
        sums.len(),
        "one row per day and currency with a transaction"
    );
    for row in &report {
        let key = (
            row["date"].as_str().unwrap().to_string(),
            row["currency"].as_str().unwrap().to_string(),
        );
        let s = sums[&key];
        assert_eq!(cents(&row["depositTotal"]), s.deposit, "{row}");
        assert_eq!(cents(&row["depositFeeTotal"]), s.fee, "{row}");
        assert_eq!(cents(&row["cashoutTotal"]), s.cashout, "{row}");
        assert_eq!(
            cents(&row["netAmount"]),
            s.deposit - s.fee - s.cashout,
            "{row}"
        );
        for zero in ["noteTotal", "settlementTotal", "cancelledSettlementTotal"] {
            assert_eq!(row[zero], 0);
        }
    }
}

#[tokio::test]
async fn the_running_balance_moves_by_each_days_net_and_ends_at_the_balance() {
    let sim = sim(22);
    let token = sim.token().await;
    let to = now(&sim);
    // Whole UTC days, so no row is cut by the range.
    let from = (to - 59 * DAY) / DAY * DAY;

    let report = sim
        .all_pages("/v1/balance/report", &token, (from, to), "")
        .await;
    let balance = sim.get("/v1/balance", &token).await.json;

    let dates: Vec<&str> = report.iter().map(|r| r["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    for currency in ["PEN", "USD"] {
        let rows: Vec<&Value> = report
            .iter()
            .rev()
            .filter(|r| r["currency"] == currency)
            .collect();
        for pair in rows.windows(2) {
            let moved = cents(&pair[1]["totalBalance"]) - cents(&pair[0]["totalBalance"]);
            assert_eq!(
                moved,
                cents(&pair[1]["netAmount"]),
                "{currency}: {} then {}",
                pair[0],
                pair[1]
            );
        }
        let now_row = balance
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == currency)
            .unwrap();
        assert_eq!(
            cents(&now_row["totalBalance"]),
            cents(&rows.last().unwrap()["totalBalance"]),
            "{currency}"
        );
    }
}

#[tokio::test]
async fn a_reconciliation_gives_the_same_answers_two_simulated_days_later() {
    let sim = sim(23);
    let token = sim.token().await;
    let (from, to) = (now(&sim) - 60 * DAY, now(&sim));
    let read = |token: String| {
        let sim = &sim;
        async move {
            let mut out = Vec::new();
            for list in ["/v1/deposits", "/v1/cashout", "/v1/balance/report"] {
                out.push(sim.all_pages(list, &token, (from, to), "").await);
            }
            out
        }
    };
    let today = read(token).await;

    sim.advance(2.0 * 86_400.0).await;
    let later = read(sim.token().await).await;

    assert_eq!(today, later);
}

#[tokio::test]
async fn a_report_row_covers_a_cut_day_only_inside_the_range() {
    let sim = sim(24);
    let token = sim.token().await;
    let to = now(&sim);
    let noon = (to - 3 * DAY) / DAY * DAY + DAY / 2;

    let (report, sums) = reconcile(&sim, &token, noon, to).await;

    let oldest = report.last().unwrap();
    assert_eq!(&oldest["date"].as_str().unwrap()[11..], "00:00:00Z");
    let key = (
        oldest["date"].as_str().unwrap().to_string(),
        oldest["currency"].as_str().unwrap().to_string(),
    );
    assert_eq!(cents(&oldest["depositTotal"]), sums[&key].deposit);
}

#[tokio::test]
async fn the_balance_answers_each_balance_currency() {
    let sim = sim(25);
    let token = sim.token().await;

    let r = sim.get("/v1/balance", &token).await;

    assert_eq!(r.status, 200);
    let rows = r.json.as_array().unwrap();
    let currencies: Vec<&str> = rows
        .iter()
        .map(|b| b["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["PEN", "USD"]);
    assert!(
        rows.iter()
            .all(|b| b["idMerchant"].is_u64() && cents(&b["totalBalance"]) > 0)
    );
    assert_eq!(rows[0]["date"], "2026-01-05T14:00:00Z");
}
