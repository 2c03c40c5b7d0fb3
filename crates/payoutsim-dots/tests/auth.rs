//! `Authorization: Basic base64(client_id:api_key)`: sandbox and production key pairs, the
//! refusals (401 `unauthorized`), the first key of a `client_id` binding it, an app per key
//! pair provisioned on first use ($100 in sandbox), and `Api-App-Id`.

#![allow(clippy::unwrap_used)]

mod support;

use payoutsim_dots::DotsConfig;
use serde_json::json;
use support::*;

#[tokio::test]
async fn a_sandbox_key_pair_is_accepted_and_its_app_starts_with_100_dollars() {
    let sim = sim(1);
    let keys = sandbox();

    let r = sim.get(&keys, "/v2/users").await;

    assert_eq!(r.ok(200), &json!({"data": [], "has_more": false}));
    let app = sim.app_record(&keys);
    assert_eq!(app["environment"], "sandbox", "{app}");
    assert_eq!(app["wallet"], SANDBOX_FUNDING);
    assert_eq!(app["funded"], SANDBOX_FUNDING);
    assert_eq!(app["money_out"], 0);
}

#[tokio::test]
async fn any_other_matching_prefix_pair_is_production_with_an_empty_wallet() {
    let sim = sim(1);

    for keys in [production(), Keys::new("pk_live_abc", "sk_live_xyz")] {
        let r = sim.get(&keys, "/v2/users").await;

        assert_eq!(r.ok(200)["data"], json!([]), "{keys:?}");
        let app = sim.app_record(&keys);
        assert_eq!(app["environment"], "production", "{keys:?}: {app}");
        assert_eq!((&app["wallet"], &app["funded"]), (&json!(0), &json!(0)));
    }
}

#[tokio::test]
async fn the_sandbox_funding_follows_the_configuration() {
    let config = DotsConfig {
        sandbox_funding_cents: 2_500,
        ..DotsConfig::default()
    };
    let sim = sim_with(1, config);
    let keys = sandbox();

    sim.get(&keys, "/v2/users").await.ok(200);

    assert_eq!(sim.app_wallet(&keys), 2_500);
}

#[tokio::test]
async fn the_pre_funding_pays_for_a_transfer_in_sandbox_but_production_has_nothing_to_send() {
    let sim = sim(1);
    let (dev, prod) = (sandbox(), production());
    let dev_user = sim.user(&dev, 1).await;
    let prod_user = sim.user(&prod, 1).await;

    let paid = sim.transfer(&dev, &dev_user, -SANDBOX_FUNDING).await;
    let refused = (sim.post(
        &prod,
        "/v2/transfers",
        json!({"amount": -1, "user_id": prod_user}),
    ))
    .await;

    assert_eq!(
        (&paid["status"], &paid["amount"]),
        (&json!("completed"), &json!(-10_000))
    );
    assert_eq!(sim.app_wallet(&dev), 0);
    refused.assert_envelope(400, "transaction-insufficient-funds");
    assert!(refused.message().contains("app wallet"), "{}", refused.json);
}

#[tokio::test]
async fn a_request_without_an_authorization_header_is_401_unauthorized() {
    let sim = sim(1);

    let r = sim.call_as(None, "GET", "/api/v2/users", &[], None).await;

    r.assert_envelope(401, "unauthorized");
    assert_eq!(r.message(), "Missing Authorization header");
}

#[tokio::test]
async fn a_scheme_other_than_basic_is_refused_with_401() {
    let sim = sim(1);

    for value in [
        "Bearer sk_dev_alpha",
        "Token abc",
        "pk_dev_alpha:sk_dev_alpha",
    ] {
        let headers = [("authorization", value)];
        let r = sim
            .call_as(None, "GET", "/api/v2/users", &headers, None)
            .await;

        r.assert_envelope(401, "unauthorized");
        assert!(r.message().contains("Basic"), "{value}: {}", r.json);
    }
}

#[tokio::test]
async fn the_scheme_name_is_case_insensitive() {
    let sim = sim(1);
    let keys = sandbox();
    let lower = keys.authorization().replacen("Basic", "basic", 1);

    let r = (sim.call_as(
        None,
        "GET",
        "/api/v2/users",
        &[("authorization", &lower)],
        None,
    ))
    .await;

    assert_eq!(r.ok(200)["has_more"], false);
}

#[tokio::test]
async fn credentials_that_are_not_base64_of_id_colon_key_are_401() {
    let sim = sim(1);
    let no_colon = basic_of("pk_dev_alphask_dev_alpha");

    for value in ["Basic !!!not-base64!!!", "Basic ", no_colon.as_str()] {
        let headers = [("authorization", value)];
        let r = sim
            .call_as(None, "GET", "/api/v2/users", &headers, None)
            .await;

        r.assert_envelope(401, "unauthorized");
        assert_eq!(r.message(), "Invalid API credentials", "{value}");
    }
}

#[tokio::test]
async fn the_client_side_form_with_an_empty_key_is_refused() {
    let sim = sim(1);
    let header = basic("pk_dev_alpha", "");

    let r = (sim.call_as(
        None,
        "GET",
        "/api/v2/users",
        &[("authorization", &header)],
        None,
    ))
    .await;

    r.assert_envelope(401, "unauthorized");
    assert!(
        sim.app_record(&sandbox()).is_null(),
        "nothing was provisioned"
    );
}

#[tokio::test]
async fn a_pair_that_is_not_pk_env_with_sk_of_the_same_env_is_refused_like_a_wrong_key() {
    let sim = sim(1);

    for keys in [
        Keys::new("pk_dev_alpha", "sk_prod_alpha"),
        Keys::new("pk_prod_alpha", "sk_live_alpha"),
        Keys::new("client", "secret"),
        Keys::new("sk_dev_alpha", "pk_dev_alpha"),
        Keys::new("pk_dev_", "sk_dev_alpha"),
        Keys::new("pk_dev_al-pha", "sk_dev_alpha"),
    ] {
        let r = sim.get(&keys, "/v2/users").await;

        r.assert_envelope(401, "unauthorized");
        assert_eq!(r.message(), "Invalid API credentials", "{keys:?}");
        assert!(
            sim.app_record(&keys).is_null(),
            "{keys:?} provisioned nothing"
        );
    }
}

#[tokio::test]
async fn a_client_id_is_bound_to_the_key_it_first_came_with() {
    let sim = sim(1);
    let first = sandbox();
    let other_key = Keys::new(&first.client_id, "sk_dev_other");

    sim.get(&first, "/v2/users").await.ok(200);
    let refused = sim.get(&other_key, "/v2/users").await;
    let again = sim.get(&first, "/v2/users").await;

    refused.assert_envelope(401, "unauthorized");
    again.ok(200);
}

#[tokio::test]
async fn credentials_are_checked_before_the_body_is_read() {
    let sim = sim(1);

    let r = (sim.call_as(None, "POST", "/api/v2/users", &[], Some(b"{not json"))).await;

    r.assert_envelope(401, "unauthorized");
}

#[tokio::test]
async fn two_key_pairs_see_only_their_own_users() {
    let sim = sim(1);
    let (alpha, beta) = (sandbox(), Keys::sandbox("beta"));
    let id = sim.user(&alpha, 1).await;

    let foreign = sim.get(&beta, &format!("/v2/users/{id}")).await;
    let listed = sim.get(&beta, "/v2/users").await;
    let same_email = sim.create_user(&beta, user_body(1)).await;

    foreign.assert_envelope(404, "not-found");
    assert_eq!(listed.ok(200)["data"], json!([]));
    assert_eq!(same_email.ok(201)["email"], "bob1@bobloblaw.com");
}

#[tokio::test]
async fn an_api_app_id_the_organisation_has_no_app_of_is_403() {
    let sim = sim(1);
    let keys = sandbox();
    let unknown = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

    let r = sim.get(&keys.for_app(unknown), "/v2/users").await;

    r.assert_envelope(403, "unauthorized");
    assert!(r.message().contains(unknown), "{}", r.json);
}

#[tokio::test]
async fn an_app_of_another_organisation_cannot_be_acted_for() {
    let sim = sim(1);
    let (alpha, beta) = (sandbox(), Keys::sandbox("beta"));
    let app = sim.app(&alpha, "Alpha payroll").await;

    let own = sim.get(&alpha.for_app(&app), "/v2/users").await;
    let foreign = sim.get(&beta.for_app(&app), "/v2/users").await;

    own.ok(200);
    foreign.assert_envelope(403, "unauthorized");
}
