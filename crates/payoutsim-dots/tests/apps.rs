//! Apps: `POST /v2/apps` (201), `GET /v2/apps` (a bare array, newest first, the document's
//! `limit` 0..100 and cursors), `GET /v2/apps/{id}` (404 for an app the organisation does not
//! have), and acting for an app with `Api-App-Id`: its own users and wallet.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn creating_an_app_answers_201_with_its_name_metadata_and_sandbox_metrics() {
    let sim = sim(1);
    let keys = sandbox();

    let body = json!({"name": "Payroll", "metadata": {"team": "ops"}});
    let r = sim.post(&keys, "/v2/apps", body).await;

    let app = r.ok(201);
    assert!(is_uuid(app["id"].as_str().unwrap()), "{app}");
    let expected = json!({
        "id": app["id"],
        "name": "Payroll",
        "status": "approved",
        "metrics": {"wallet_balance": "100.00", "money_out": "0.00", "connected_users": 0},
        "metadata": {"team": "ops"},
    });
    assert_eq!(app, &expected);
}

#[tokio::test]
async fn an_app_made_with_production_keys_is_production_and_starts_empty() {
    let sim = sim(1);
    let org = production();

    let r = sim.post(&org, "/v2/apps", json!({"name": "Payroll"})).await;
    let app = org.for_app(&r.id());
    let users = sim.get(&app, "/v2/users").await;

    let created = r.ok(201);
    assert_eq!(created["status"], "created");
    assert_eq!(created["metrics"]["wallet_balance"], "0.00");
    assert!(
        created.get("metadata").is_none(),
        "no metadata, no field: {created}"
    );
    assert_eq!(users.ok(200)["data"], json!([]));
    let record = sim.app_record(&app);
    assert_eq!(
        (&record["environment"], &record["wallet"]),
        (&json!("production"), &json!(0))
    );
}

#[tokio::test]
async fn an_app_name_has_3_to_60_characters_and_metadata_is_a_string_or_an_object() {
    let sim = sim(1);
    let keys = sandbox();

    let missing = sim.post(&keys, "/v2/apps", json!({})).await;
    let short = sim.post(&keys, "/v2/apps", json!({"name": "ab"})).await;
    let long = sim
        .post(&keys, "/v2/apps", json!({"name": "x".repeat(61)}))
        .await;
    let number = json!({"name": "Payroll", "metadata": 7});
    let bad_metadata = sim.post(&keys, "/v2/apps", number).await;
    let text = json!({"name": "Payroll", "metadata": "internal"});
    let kept = sim.post(&keys, "/v2/apps", text).await;
    let edges = [
        sim.post(&keys, "/v2/apps", json!({"name": "abc"})).await,
        sim.post(&keys, "/v2/apps", json!({"name": "x".repeat(60)}))
            .await,
    ];

    missing.assert_envelope(400, "invalid-input");
    assert_eq!(missing.message(), "name: is required");
    for r in [&short, &long] {
        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), "name: must have 3 to 60 characters");
    }
    bad_metadata.assert_envelope(400, "invalid-input");
    assert_eq!(
        bad_metadata.message(),
        "metadata: must be a string or an object"
    );
    assert_eq!(kept.ok(201)["metadata"], "internal");
    edges
        .iter()
        .for_each(|r| assert_eq!(r.ok(201)["metrics"]["connected_users"], 0));
}

#[tokio::test]
async fn listing_apps_answers_a_bare_array_newest_first() {
    let sim = sim(1);
    let keys = sandbox();
    let none = sim.get(&keys, "/v2/apps").await;
    let first = sim.app(&keys, "First").await;
    let second = sim.app(&keys, "Second").await;

    let r = sim.get(&keys, "/v2/apps").await;

    assert_eq!(none.ok(200), &json!([]));
    assert!(r.ok(200).is_array(), "{}", r.json);
    assert_eq!(r.ids(), [second, first]);
    assert_eq!(r.json[0]["name"], "Second");
}

#[tokio::test]
async fn the_apps_list_pages_with_limit_and_cursors() {
    let sim = sim(1);
    let keys = sandbox();
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(sim.app(&keys, &format!("App {n}")).await);
    }
    ids.reverse(); // newest first

    let two = sim.get(&keys, "/v2/apps?limit=2").await;
    let after = sim
        .get(&keys, &format!("/v2/apps?starting_after={}", ids[1]))
        .await;
    let before = sim
        .get(&keys, &format!("/v2/apps?ending_before={}", ids[2]))
        .await;
    let zero = sim.get(&keys, "/v2/apps?limit=0").await;

    two.ok(200);
    assert_eq!(two.ids(), ids[..2]);
    assert_eq!(after.ids(), ids[2..]);
    assert_eq!(before.ids(), ids[..2]);
    assert_eq!(zero.ok(200), &json!([]), "the document's minimum is 0");
}

#[tokio::test]
async fn the_apps_list_refuses_a_limit_over_100_and_an_unknown_cursor() {
    let sim = sim(1);
    let keys = sandbox();
    sim.app(&keys, "Payroll").await;
    let unknown = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

    let over = sim.get(&keys, "/v2/apps?limit=101").await;
    let negative = sim.get(&keys, "/v2/apps?limit=-1").await;
    let cursor = sim
        .get(&keys, &format!("/v2/apps?starting_after={unknown}"))
        .await;

    for r in [&over, &negative] {
        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), "limit: must be an integer from 0 to 100");
    }
    cursor.assert_envelope(400, "invalid-input");
    assert!(cursor.message().contains(unknown), "{}", cursor.json);
}

#[tokio::test]
async fn getting_an_app_answers_it_and_an_unknown_or_foreign_id_is_404() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.app(&keys, "Payroll").await;

    let shown = sim.get(&keys, &format!("/v2/apps/{id}")).await;
    let unknown = sim
        .get(&keys, "/v2/apps/3c90c3cc-0d44-4b50-8888-8dd25736052a")
        .await;
    let foreign = sim
        .get(&Keys::sandbox("beta"), &format!("/v2/apps/{id}"))
        .await;

    assert_eq!(shown.ok(200)["id"], id.as_str());
    assert_eq!(shown.json["name"], "Payroll");
    for r in [&unknown, &foreign] {
        r.assert_envelope(404, "not-found");
        assert!(r.message().starts_with("App not found"), "{}", r.json);
    }
}

#[tokio::test]
async fn an_app_acted_for_has_its_own_users_and_100_dollar_wallet() {
    let sim = sim(1);
    let org = sandbox();
    let app = org.for_app(&sim.app(&org, "Payroll").await);

    let user = sim.user(&app, 1).await;
    let in_app = sim.get(&app, "/v2/users").await;
    let in_org = sim.get(&org, &format!("/v2/users/{user}")).await;
    let same_email_in_org = sim.create_user(&org, user_body(1)).await;

    assert_eq!(in_app.ids(), [user]);
    in_org.assert_envelope(404, "not-found");
    same_email_in_org.ok(201);
    assert_eq!(
        app.tenant(),
        format!("dots:pk_dev_alpha:{}", app.app.clone().unwrap())
    );
    assert_eq!(sim.app_wallet(&app), SANDBOX_FUNDING);
    assert_eq!(sim.app_record(&app)["environment"], "sandbox");
}

#[tokio::test]
async fn an_apps_metrics_count_its_users_and_show_its_wallet_in_dollars() {
    let sim = sim(1);
    let org = sandbox();
    let id = sim.app(&org, "Payroll").await;
    let app = org.for_app(&id);
    let user = sim.user(&app, 1).await;
    sim.user(&app, 2).await;
    sim.fund(&app, json!(25.5)).await;
    sim.transfer(&app, &user, -1_050).await;

    let r = sim.get(&org, &format!("/v2/apps/{id}")).await;

    let metrics: &Value = &r.ok(200)["metrics"];
    let expected = json!({"wallet_balance": "115.00", "money_out": "0.00", "connected_users": 2});
    assert_eq!(metrics, &expected);
}
