//! Tupay for the client steps: a fresh API user (its own merchant and seeded 90-day history,
//! made at its first login). Tupay's API is read-only reconciliation, so its client lists:
//! `cashout.list` and `balance.report` over the last days of the merchant's simulated clock,
//! checked against what the back office holds. Tupay sends no webhooks and takes no payouts.

use std::collections::BTreeSet;

use chrono::{DateTime, Days};
use cucumber::{then, when};
use serde_json::{Value, json};

use super::{Tenant, ask, objects, result};
use crate::params::ProviderName;
use crate::steps::tupay::{TupayState, now};
use crate::world::ContractWorld;

pub fn fresh_tenant(w: &mut ContractWorld) -> Tenant {
    let user = TupayState::new_user(w);
    let credentials = json!({"api_user": user.access_key, "api_password": user.secret});
    w.tupay.users = vec![user];
    Tenant {
        base_url: w.url(ProviderName::Tupay).to_string(),
        credentials,
        webhook_secret: None,
    }
}

/// `from` and `to` (`YYYY-MM-DD`) of the last `days` days, today included, on the tenant's clock.
async fn last_days(w: &ContractWorld, days: u64) -> (String, String) {
    let now = DateTime::from_timestamp(now(w).await, 0).unwrap_or_default();
    let today = now.date_naive();
    let first = today.checked_sub_days(Days::new(days.saturating_sub(1)));
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    (day(first.unwrap_or(today)), day(today))
}

#[when(expr = "the client lists the Tupay cashouts of the last {int} days")]
async fn lists(w: &mut ContractWorld, days: u64) {
    let (from, to) = last_days(w, days).await;
    w.under_test.list_range = Some((from.clone(), to.clone()));
    ask(w, "cashout.list", json!({"from": from, "to": to})).await;
}

#[when(expr = "the client reads the Tupay balance report of the last {int} days")]
async fn reports(w: &mut ContractWorld, days: u64) {
    let (from, to) = last_days(w, days).await;
    ask(w, "balance.report", json!({"from": from, "to": to})).await;
}

#[then("the client's list holds every cashout Tupay holds for those days, once")]
async fn every_cashout(w: &mut ContractWorld) {
    let range = w.under_test.list_range.clone();
    let (from, to) = range.unwrap_or_else(|| panic!("the client listed nothing yet"));
    let (from, to) = (from.as_str(), to.as_str());
    let held: BTreeSet<String> = (objects(w, ProviderName::Tupay, "cashout").await.iter())
        .filter(|o| {
            let created = o["object"]["creationDate"].as_str().unwrap_or_default();
            (from..=to).contains(&created.get(..10).unwrap_or_default())
        })
        .map(|o| o["object"]["idCashout"].to_string())
        .collect();
    let items = result(w)["items"].as_array().cloned().unwrap_or_default();
    let listed: Vec<String> = (items.iter())
        .map(|c| match &c["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    assert!(
        !held.is_empty(),
        "Tupay holds no cashout from {from} to {to}"
    );
    assert_eq!(listed.len(), held.len(), "listed {listed:?}");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), held);
}

#[then("the client's report adds up day by day: each balance is the last one plus the day's net")]
fn report_adds_up(w: &mut ContractWorld) {
    let rows = result(w)["rows"].as_array().cloned().unwrap_or_default();
    assert!(rows.len() > 1, "too few rows to compare: {rows:?}");
    let cents = |v: &Value| {
        let text = v
            .as_str()
            .unwrap_or_else(|| panic!("not a decimal string: {v}"));
        match text.strip_prefix('-') {
            Some(magnitude) => -super::minor_units(magnitude),
            None => super::minor_units(text),
        }
    };
    let currencies: BTreeSet<&str> = rows.iter().filter_map(|r| r["currency"].as_str()).collect();
    for currency in currencies {
        let mut of: Vec<&Value> = (rows.iter())
            .filter(|r| r["currency"] == currency)
            .collect();
        of.sort_by_key(|r| r["date"].as_str().unwrap_or_default().to_string());
        let days: BTreeSet<&str> = of.iter().filter_map(|r| r["date"].as_str()).collect();
        assert_eq!(days.len(), of.len(), "{currency}: a day twice");
        for pair in of.windows(2) {
            let (prev, day) = (pair[0], pair[1]);
            let expected = cents(&prev["total_balance"]) + cents(&day["net_amount"]);
            assert_eq!(cents(&day["total_balance"]), expected, "{prev} then {day}");
        }
    }
}
