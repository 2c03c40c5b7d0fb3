//! The built-in client's Tupay operations against an in-process simulator: every page of every
//! 60-day window, the sliding session renewed once when it has expired, an outage backed off.
//! Every wait advances the simulated clock.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Days, Utc};
use payoutsim_contract::adapter::ErrorKind;
use payoutsim_contract::builtin::BuiltIn;
use serde_json::{Value, json};
use support::{Fixture, asked};

struct Tupay {
    f: Fixture,
    user: String,
}

impl Tupay {
    async fn new(name: &str) -> Self {
        Self {
            f: Fixture::new().await,
            user: format!("builtin-{name}@example.com"),
        }
    }

    fn client(&self) -> BuiltIn {
        let credentials = json!({"api_user": self.user, "api_password": "s3cret"});
        self.f.client("tupay", credentials, None)
    }

    async fn today(&self) -> DateTime<Utc> {
        let clock = self.f.admin_get("/__admin/clock").await;
        let now = clock["now"].as_str().expect("now");
        now.parse().expect("RFC 3339")
    }

    /// The ids of the merchant's cashouts created in `from..=to` (whole UTC days), as the
    /// back office holds them.
    async fn cashouts_between(&self, from: &str, to: &str) -> BTreeSet<String> {
        let path = format!(
            "/__admin/providers/tupay/objects?tenant=tupay:{}&kind=cashout&offset=0&limit=1000",
            self.user
        );
        let objects = self.f.admin_get(&path).await;
        (objects["objects"].as_array().expect("objects").iter())
            .filter(|o| {
                let day = o["object"]["creationDate"].as_str().unwrap_or_default();
                let day = day.get(..10).unwrap_or_default();
                (from..=to).contains(&day)
            })
            .map(|o| o["object"]["idCashout"].to_string())
            .collect()
    }

    async fn logins(&self) -> u64 {
        let path = "/__admin/requests?provider=tupay&path=/v1/auth/login";
        self.f.admin_get(path).await["total"]
            .as_u64()
            .expect("a total")
    }
}

fn ids(items: &Value) -> BTreeSet<String> {
    let items = items["items"].as_array().expect("items");
    items
        .iter()
        .map(|c| c["id"].as_str().expect("an id").to_string())
        .collect()
}

fn days_before(now: DateTime<Utc>, days: u64) -> String {
    let day = now.date_naive().checked_sub_days(Days::new(days));
    day.expect("a day").format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn every_tupay_cashout_of_a_ninety_day_range_is_listed_across_windows_and_pages() {
    let t = Tupay::new("walk").await;
    let mut client = t.client();
    let mut sleeper = t.f.sleeper(Arc::default());
    let now = t.today().await;
    let (from, to) = (days_before(now, 89), days_before(now, 0));
    let listed = client
        .perform(
            "cashout.list",
            &json!({"from": from, "to": to}),
            &mut sleeper,
        )
        .await
        .expect("a list");
    let expected = t.cashouts_between(&from, &to).await;
    assert!(
        expected.len() > 100,
        "more than two pages: {}",
        expected.len()
    );
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), expected.len(), "no row twice");
    assert_eq!(ids(&listed), expected);
    let first = &items[0];
    assert!(
        first["amount"].is_string() && first["currency"].is_string(),
        "{first}"
    );
    let completed = client
        .perform(
            "cashout.list",
            &json!({"from": from, "to": to, "status": "COMPLETED"}),
            &mut sleeper,
        )
        .await
        .expect("a list");
    let statuses = completed["items"].as_array().expect("items").iter();
    assert!(statuses.clone().all(|c| c["status"] == "COMPLETED"));
    assert!(statuses.count() < items.len());
}

#[tokio::test]
async fn an_expired_tupay_session_is_renewed_once_and_the_list_goes_on() {
    let t = Tupay::new("expiry").await;
    let mut client = t.client();
    let mut sleeper = t.f.sleeper(Arc::default());
    let now = t.today().await;
    let range = json!({"from": days_before(now, 10), "to": days_before(now, 0)});
    let before = client
        .perform("cashout.list", &range, &mut sleeper)
        .await
        .expect("a list");
    assert_eq!(t.logins().await, 1);
    t.f.advance(900.0).await;
    let after = client
        .perform("cashout.list", &range, &mut sleeper)
        .await
        .expect("a list after a new session");
    assert_eq!(t.logins().await, 2);
    assert_eq!(ids(&after), ids(&before));
}

#[tokio::test]
async fn the_tupay_balance_report_adds_up_day_by_day_across_windows_and_an_outage_is_backed_off() {
    let t = Tupay::new("report").await;
    let mut client = t.client();
    let mut sleeper = t.f.sleeper(Arc::default());
    let now = t.today().await;
    let range = json!({"from": days_before(now, 75), "to": days_before(now, 0)});
    // A first list logs in; then the report meets a 503 window.
    client
        .perform("cashout.list", &range, &mut sleeper)
        .await
        .expect("a list");
    t.f.fault(json!({"match": {"provider": "tupay", "method": "GET",
        "path": "/v1/balance/report"}, "fault": {"kind": "status", "status": 503}, "times": 2}))
        .await;
    let log = Arc::default();
    let mut sleeper = t.f.sleeper(Arc::clone(&log));
    let report = client
        .perform("balance.report", &range, &mut sleeper)
        .await
        .expect("a report");
    assert_eq!(asked(&log), [0.5, 1.0]);
    let rows = report["rows"].as_array().expect("rows");
    assert!(rows.len() > 60, "both windows: {}", rows.len());
    let days: BTreeSet<(String, String)> = (rows.iter())
        .map(|r| {
            (
                r["date"].as_str().expect("a date").to_string(),
                r["currency"].to_string(),
            )
        })
        .collect();
    assert_eq!(days.len(), rows.len(), "no day twice");
    // Each day's balance is the last one's plus the day's net: no window cut a day in two.
    let cents = |v: &Value| {
        let text = v.as_str().expect("a decimal string");
        (text.parse::<f64>().expect("a number") * 100.0).round() as i64
    };
    for currency in ["PEN", "USD"] {
        let mut of: Vec<&Value> = rows.iter().filter(|r| r["currency"] == currency).collect();
        of.sort_by_key(|r| r["date"].as_str().unwrap_or_default().to_string());
        assert!(of.len() > 1, "{currency}: {}", of.len());
        for pair in of.windows(2) {
            let (prev, day) = (pair[0], pair[1]);
            assert_eq!(
                cents(&day["total_balance"]),
                cents(&prev["total_balance"]) + cents(&day["net_amount"]),
                "{prev} then {day}"
            );
        }
    }
    let refused =
        t.f.client(
            "tupay",
            json!({"api_user": t.user, "api_password": "wrong"}),
            None,
        )
        .perform("cashout.list", &range, &mut sleeper)
        .await
        .expect_err("wrong credentials");
    assert_eq!(
        (refused.kind, refused.status),
        (ErrorKind::Rejected, Some(401))
    );
    assert_eq!(refused.code, Some(json!(11)));
}
