//! The back office: insert a deposit or cashout, move a status, record a note or settlement;
//! each change shows at once in the lists, the report and the balance, and new pending ones
//! move on the simulated clock.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use serde_json::{Value, json};
use support::*;

/// The balance of `currency`, read in a fresh session (simulated time may have ended the last).
async fn balance_of(sim: &Sim, currency: &str) -> i64 {
    let r = sim.get("/v1/balance", &sim.token().await).await;
    let row = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == currency)
        .cloned();
    row.map(|b| cents(&b["totalBalance"])).unwrap_or(0)
}

/// Today's report row of `currency` (zeros when it had no transaction yet).
async fn today(sim: &Sim, currency: &str) -> Value {
    let to = now(sim);
    let path = format!("/v1/balance/report?from={}&to={to}", to / DAY * DAY);
    let r = sim.get(&path, &sim.token().await).await;
    let row = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["currency"] == currency);
    row.cloned().unwrap_or(json!({"depositTotal": 0}))
}

/// The newest item of `list`, read in a fresh session.
async fn newest(sim: &Sim, list: &str) -> Value {
    let to = now(sim);
    let path = format!("{list}?from={}&to={to}", to - 5 * DAY);
    sim.get(&path, &sim.token().await).await.json["data"][0].clone()
}

#[tokio::test]
async fn an_inserted_completed_deposit_shows_at_once_in_the_list_the_report_and_the_balance() {
    let sim = sim(1);
    sim.token().await;
    let before = balance_of(&sim, "PEN").await;
    let day_before = cents(&today(&sim, "PEN").await["depositTotal"]);

    let created = sim
        .office("/deposits", json!({"tenant": TENANT, "status": "COMPLETED", "amount": "250.50", "fee": 6.25, "country": "PE", "paymentMethod": "XAQR", "clientDocument": "44556677", "externalId": "my-order-1"}))
        .await;

    assert_eq!(created["status"], "COMPLETED");
    assert_eq!(
        (created["amount"].clone(), created["fee"].clone()),
        (json!(250.5), json!(6.25))
    );
    assert_eq!(newest(&sim, "/v1/deposits").await, created);
    assert_eq!(created["externalId"], "my-order-1");
    assert_eq!(balance_of(&sim, "PEN").await, before + 25_050 - 625);
    assert_eq!(
        cents(&today(&sim, "PEN").await["depositTotal"]),
        day_before + 25_050
    );
}

#[tokio::test]
async fn an_inserted_pending_deposit_is_approved_then_completed_within_the_hour() {
    let sim = sim(1);
    sim.token().await;
    let before = balance_of(&sim, "USD").await;
    let created = sim
        .office(
            "/deposits",
            json!({"tenant": TENANT, "country": "BR", "amount": 100}),
        )
        .await;
    let id = created["idDeposit"].clone();
    let status = || async { newest(&sim, "/v1/deposits").await };

    let pending = status().await;
    sim.advance(600.0).await;
    let approved = status().await;
    sim.advance(3_000.0).await;
    let completed = status().await;

    assert_eq!(pending["idDeposit"], id);
    assert_eq!(
        (
            pending["status"].as_str(),
            approved["status"].as_str(),
            completed["status"].as_str()
        ),
        (Some("PENDING"), Some("APPROVED"), Some("COMPLETED"))
    );
    assert_eq!(pending["fee"], 0);
    assert!(cents(&completed["fee"]) > 0);
    assert_eq!(completed["lastChangeDate"], "2026-01-05T15:00:00Z");
    assert_eq!(
        balance_of(&sim, "USD").await,
        before + 10_000 - cents(&completed["fee"])
    );
}

#[tokio::test]
async fn an_inserted_cashout_is_delivered_after_an_hour_and_completed_a_business_day_later() {
    let sim = sim(1);
    sim.token().await;
    let before = balance_of(&sim, "PEN").await;
    sim.office(
        "/cashouts",
        json!({"tenant": TENANT, "amount": 500, "country": "PE"}),
    )
    .await;

    sim.advance(3_600.0).await;
    let delivered = newest(&sim, "/v1/cashout").await;
    sim.advance(86_400.0).await;
    let completed = newest(&sim, "/v1/cashout").await;

    assert_eq!(delivered["status"], "DELIVERED");
    assert_eq!(
        (
            delivered["merchantAmount"].clone(),
            delivered["existVoucher"].clone()
        ),
        (json!(0), json!(false))
    );
    assert_eq!(completed["status"], "COMPLETED");
    assert_eq!(
        (
            completed["merchantAmount"].clone(),
            completed["existVoucher"].clone()
        ),
        (json!(500), json!(true))
    );
    assert_eq!(balance_of(&sim, "PEN").await, before - 50_000);
}

#[tokio::test]
async fn a_cashout_bound_for_rejection_shows_its_reason_once_rejected() {
    let sim = sim(1);
    sim.token().await;
    sim.office(
        "/cashouts",
        json!({"tenant": TENANT, "outcome": "REJECTED", "reason": "Account closed"}),
    )
    .await;

    sim.advance(3_600.0 + 86_400.0).await;

    let rejected = newest(&sim, "/v1/cashout").await;
    assert_eq!(
        (rejected["status"].as_str(), rejected["reason"].as_str()),
        (Some("REJECTED"), Some("Account closed"))
    );
}

#[tokio::test]
async fn moving_a_history_deposit_changes_the_report_of_its_day_and_the_balance() {
    let sim = sim(1);
    let token = sim.token().await;
    let (from, to) = (now(&sim) - 60 * DAY, now(&sim));
    let deposits = sim
        .all_pages(
            "/v1/deposits",
            &token,
            (from, to),
            "&status=COMPLETED&country=PE",
        )
        .await;
    let target = &deposits[10];
    let before = balance_of(&sim, "PEN").await;

    let moved = sim
        .office(
            &format!("/deposits/{}/status", target["idDeposit"]),
            json!({"status": "CANCELLED"}),
        )
        .await;

    assert_eq!(moved["status"], "CANCELLED");
    assert_eq!(moved["fee"], 0);
    let gone = cents(&target["amount"]) - cents(&target["fee"]);
    assert_eq!(balance_of(&sim, "PEN").await, before - gone);
}

#[tokio::test]
async fn notes_and_settlements_show_in_their_columns_and_the_balance() {
    let sim = sim(1);
    sim.token().await;
    let before = balance_of(&sim, "USD").await;

    for (kind, amount) in [
        ("note", 100),
        ("settlement", 5_000),
        ("cancelled_settlement", 1_000),
    ] {
        let r = sim
            .office(
                "/entries",
                json!({"tenant": TENANT, "kind": kind, "amount": amount, "currency": "USD"}),
            )
            .await;
        assert_eq!(r["kind"], kind);
    }

    let row = today(&sim, "USD").await;
    assert_eq!(
        (
            row["noteTotal"].clone(),
            row["settlementTotal"].clone(),
            row["cancelledSettlementTotal"].clone()
        ),
        (json!(100), json!(5000), json!(1000))
    );
    assert_eq!(
        balance_of(&sim, "USD").await,
        before + 10_000 - 500_000 + 100_000
    );
}

#[tokio::test]
async fn a_deposit_inserted_in_the_past_takes_its_place_in_the_list() {
    let sim = sim(1);
    let token = sim.token().await;
    let at = now(&sim) - 10 * DAY;

    let created = sim
        .office(
            "/deposits",
            json!({"tenant": TENANT, "status": "DECLINED", "creationDate": at}),
        )
        .await;

    let around = sim
        .get(&format!("/v1/deposits?from={at}&to={at}"), &token)
        .await;
    assert_eq!(around.json["data"][0], created);
    assert_eq!(created["status"], "DECLINED");
}

#[tokio::test]
async fn bad_back_office_input_is_refused_naming_the_field() {
    let sim = sim(1);
    for (path, body, says) in [
        (
            "/deposits",
            json!({"tenant": TENANT, "status": "SETTLED"}),
            "`status`",
        ),
        (
            "/deposits",
            json!({"tenant": TENANT, "outcome": "APPROVED"}),
            "`outcome`",
        ),
        (
            "/deposits",
            json!({"tenant": TENANT, "amount": "1.999"}),
            "`amount`",
        ),
        (
            "/deposits",
            json!({"tenant": TENANT, "creationDate": 4_000_000_000i64}),
            "`creationDate`",
        ),
        (
            "/deposits",
            json!({"tenant": TENANT, "country": "FR"}),
            "`country`",
        ),
        (
            "/deposits",
            json!({"tenant": TENANT, "colour": "red"}),
            "colour",
        ),
        (
            "/cashouts",
            json!({"tenant": "tupay:not-an-email"}),
            "`tenant`",
        ),
        (
            "/deposits",
            json!({"tenant": TENANT, "tax": 1}),
            "a deposit has no `tax`",
        ),
        (
            "/cashouts",
            json!({"tenant": TENANT, "idUser": "1"}),
            "a cashout has no `idUser`",
        ),
        (
            "/entries",
            json!({"tenant": TENANT, "kind": "gift", "amount": 1, "currency": "USD"}),
            "kind",
        ),
        (
            "/entries",
            json!({"tenant": TENANT, "kind": "note", "amount": 1, "currency": "EUR"}),
            "`currency`",
        ),
    ] {
        let r = sim
            .admin("POST", &format!("{BACK_OFFICE}{path}"), Some(body))
            .await;
        let error = r.json["error"].as_str().unwrap_or_default().to_string();
        assert!(
            r.status == 400 || r.status == 422,
            "{path}: {} {}",
            r.status,
            r.json
        );
        assert!(error.contains(says), "{path}: {error}");
    }
    let r = sim
        .admin(
            "POST",
            &format!("{BACK_OFFICE}/deposits/123/status"),
            Some(json!({"status": "COMPLETED"})),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_provisioned_tenant_has_its_history_before_it_logs_in_and_its_first_login_binds_the_secret()
 {
    let sim = sim(1);

    let provisioned = sim.provider.provision(TENANT).unwrap();
    let first = sim.login_as(KEY, "chosen").await;
    let other = sim.login_as(KEY, "another").await;

    assert!(provisioned["deposits"]["count"].as_u64() > Some(100));
    assert_eq!(first.status, 200);
    other.assert_error(401, 11);
    assert!(sim.provider.check_tenant("tupay:nobody").is_err());
}

#[tokio::test]
async fn the_objects_view_lists_a_tenants_records_with_their_lifecycles() {
    let sim = sim(1);
    sim.token().await;

    let deposits = sim.objects(Some(TENANT), Some("deposit"));
    let cashouts = sim.objects(Some(TENANT), Some("cashout"));

    let first = &deposits["objects"][0];
    assert_eq!(first["kind"], "deposit");
    assert!(first["lifecycle"]["history"].is_array());
    assert!(cashouts["objects"][0]["object"]["paymentMethod"].is_string());
}

#[tokio::test]
async fn a_record_made_within_a_second_is_inside_a_range_ending_at_that_second() {
    let sim = sim(1);
    sim.advance(0.6).await;
    sim.office(
        "/entries",
        json!({"tenant": TENANT, "kind": "note", "amount": 1, "currency": "USD"}),
    )
    .await;
    sim.office(
        "/deposits",
        json!({"tenant": TENANT, "status": "COMPLETED", "country": "BR", "amount": 5}),
    )
    .await;

    let row = today(&sim, "USD").await;

    assert_eq!(row["noteTotal"], 1, "{row}");
    assert!(cents(&row["depositTotal"]) >= 500, "{row}");
}

#[tokio::test]
async fn past_the_most_notes_a_tenant_keeps_the_next_is_refused_and_the_report_is_unchanged() {
    let sim = sim(1);
    sim.token().await;
    let entry =
        json!({"tenant": TENANT, "kind": "note", "amount": "999999999999.99", "currency": "USD"});
    for _ in 0..payoutsim_tupay::state::MAX_ENTRIES {
        sim.office("/entries", entry.clone()).await;
    }
    let before = today(&sim, "USD").await;

    let refused = sim.back_office("POST", "/entries", Some(entry)).await;

    assert_eq!(refused.status, 409, "{}", refused.json);
    assert!(
        refused.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("4096"))
    );
    assert_eq!(today(&sim, "USD").await, before);
}
