//! Tupay's balance report and balance, checked as a reconciling client checks them: against
//! the deposits and cashouts it listed for the same range, to the cent.

use std::collections::BTreeMap;

use cucumber::{then, when};
use serde_json::Value;

use super::signed;
use crate::world::ContractWorld;

/// An amount of the wire in minor units.
fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not an amount: {v}")) * 100.0).round() as i64
}

async fn read_report(w: &mut ContractWorld, range: &str) {
    let mut rows = Vec::new();
    for page in 0..100 {
        let request = signed(w, "GET", &format!("/v1/balance/report?{range}&page={page}"));
        let status = w.exchange(request).await.status;
        assert_eq!(status, 200, "{:?}", w.last());
        let data = w.last_json()["data"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let last = data.len() < 50;
        rows.extend(data);
        if last {
            break;
        }
    }
    w.tupay.read.insert("report".into(), rows);
}

#[when(expr = "I read every page of the Tupay balance report for the last {int} days")]
async fn read_report_of_days(w: &mut ContractWorld, days: i64) {
    let range = super::last_days(w, days).await;
    read_report(w, &range).await;
}

#[when("I read every page of the Tupay balance report for that range")]
async fn read_report_of_range(w: &mut ContractWorld) {
    let range = super::lists::that_range(w);
    read_report(w, &range).await;
}

/// Per (day, currency): completed deposits' amount and fee, completed cashouts' amount.
fn listed_sums(w: &ContractWorld) -> BTreeMap<(String, String), [i64; 3]> {
    let mut sums: BTreeMap<(String, String), [i64; 3]> = BTreeMap::new();
    for (list, is_deposit) in [("deposits", true), ("cashouts", false)] {
        let items = (w.tupay.read.get(list))
            .unwrap_or_else(|| panic!("read every page of Tupay {list} for the same range first"));
        for item in items {
            let day = &item["creationDate"].as_str().unwrap_or_default()[..10];
            let key = (
                format!("{day}T00:00:00Z"),
                item["currency"].as_str().unwrap_or_default().to_string(),
            );
            let e = sums.entry(key).or_default();
            if item["status"] == "COMPLETED" && is_deposit {
                e[0] += cents(&item["amount"]);
                e[1] += cents(&item["fee"]);
            } else if item["status"] == "COMPLETED" {
                e[2] += cents(&item["amount"]);
            }
        }
    }
    sums
}

#[then("every Tupay report row equals the sums of that day's listed deposits and cashouts")]
fn report_agrees(w: &mut ContractWorld) {
    let sums = listed_sums(w);
    let report = &w.tupay.read["report"];
    assert_eq!(
        report.len(),
        sums.len(),
        "one row per day and currency with a transaction"
    );
    for row in report {
        let key = (
            row["date"].as_str().unwrap_or_default().to_string(),
            row["currency"].as_str().unwrap_or_default().to_string(),
        );
        let [deposit, fee, cashout] = sums
            .get(&key)
            .copied()
            .unwrap_or_else(|| panic!("no listed transaction for {row}"));
        assert_eq!(cents(&row["depositTotal"]), deposit, "{row}");
        assert_eq!(cents(&row["depositFeeTotal"]), fee, "{row}");
        assert_eq!(cents(&row["cashoutTotal"]), cashout, "{row}");
    }
}

#[then(
    "every Tupay report row's net amount is its deposits less fees and cashouts, plus notes, less settlements"
)]
fn nets_follow(w: &mut ContractWorld) {
    for row in &w.tupay.read["report"] {
        let c = |k: &str| cents(&row[k]);
        let net = c("depositTotal") - c("depositFeeTotal") - c("cashoutTotal") + c("noteTotal")
            - c("settlementTotal")
            + c("cancelledSettlementTotal");
        assert_eq!(c("netAmount"), net, "{row}");
    }
}

#[then("the Tupay balance of each currency is its newest report row's total balance")]
async fn balance_is_newest_row(w: &mut ContractWorld) {
    let request = signed(w, "GET", "/v1/balance");
    let balance = w.send(request).await.json();
    let rows = balance.as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty(), "{balance}");
    for b in rows {
        let newest = (w.tupay.read["report"].iter()).find(|r| r["currency"] == b["currency"]);
        let newest = newest.unwrap_or_else(|| panic!("no report row in {}", b["currency"]));
        assert_eq!(
            cents(&b["totalBalance"]),
            cents(&newest["totalBalance"]),
            "{b} vs {newest}"
        );
    }
}

#[when("I note the Tupay reconciliation")]
fn note(w: &mut ContractWorld) {
    w.tupay.noted = Some(w.tupay.read.clone());
}

#[then("the Tupay reconciliation reads exactly as noted")]
fn reads_as_noted(w: &mut ContractWorld) {
    let noted = w
        .tupay
        .noted
        .as_ref()
        .unwrap_or_else(|| panic!("note the Tupay reconciliation first"));
    for (list, items) in noted {
        assert_eq!(w.tupay.read.get(list), Some(items), "{list} changed");
    }
}

#[then(expr = "today's Tupay report row in {word} has {string} {float}")]
async fn today_row(w: &mut ContractWorld, currency: String, column: String, amount: f64) {
    let to = super::now(w).await;
    let request = signed(
        w,
        "GET",
        &format!("/v1/balance/report?from={}&to={to}", to / 86_400 * 86_400),
    );
    let report = w.send(request).await.json();
    let row = (report["data"].as_array().into_iter().flatten())
        .find(|r| r["currency"] == currency.as_str());
    let row = row.unwrap_or_else(|| panic!("no {currency} row today: {report}"));
    assert_eq!(
        cents(&row[column.as_str()]),
        (amount * 100.0).round() as i64,
        "{row}"
    );
}
