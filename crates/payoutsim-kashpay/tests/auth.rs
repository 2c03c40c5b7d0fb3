//! Router tests of `POST /AuthenticationService/authenticate` and the session every later call
//! needs: `Authorization: Bearer <token>` and `Entity-i`.

mod support;

use payoutsim_core::jwt::peek_claims;
use serde_json::json;
use support::*;

#[tokio::test]
async fn authenticate_answers_an_hs512_token_with_the_documented_expires() {
    // Arrange
    let sim = sim(1);

    // Act
    let r = sim.authenticate(ENTITY, USER, PASSWORD).await;

    // Assert
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["success"], true);
    assert_eq!(r.json["authenticationResponse"]["expires"], "5975999");
    let token = r.json["authenticationResponse"]["token"].as_str().unwrap();
    let header = peek_claims(&format!("x.{}", token.split('.').next().unwrap())).unwrap();
    assert_eq!(header, json!({"alg": "HS512"}));
    assert!(token.starts_with("eyJhbGciOiJIUzUxMiJ9."), "{token}");
    let claims = peek_claims(token).unwrap();
    assert_eq!(claims["sub"], USER);
    assert_eq!(claims["entity"], ENTITY);
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 5976);
    assert_eq!(iat, sim.engine.now_for("kashpay:com.onsigna").timestamp());
}

#[tokio::test]
async fn the_basic_header_real_clients_send_to_authenticate_is_ignored() {
    let sim = sim(1);
    let body = json!({"entity": ENTITY, "password": PASSWORD, "user": USER}).to_string();
    let basic = [("authorization", "Basic YWRtaW46c2VjcmV0")];

    let r = sim.authenticate_raw(&basic, body.as_bytes()).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["success"], true);
}

#[tokio::test]
async fn a_wrong_password_for_a_known_user_is_refused_with_401() {
    let sim = sim(1);
    sim.authenticate(ENTITY, USER, PASSWORD).await;

    let r = sim.authenticate(ENTITY, USER, "not-the-password").await;

    r.assert_error(401, "AuthenticationException", 1001);
}

#[tokio::test]
async fn a_known_user_cannot_log_into_another_entity() {
    let sim = sim(1);
    sim.authenticate(ENTITY, USER, PASSWORD).await;

    let r = sim.authenticate(OTHER_ENTITY, USER, PASSWORD).await;

    r.assert_error(401, "AuthenticationException", 1001);
}

#[tokio::test]
async fn missing_credentials_and_a_malformed_entity_are_refused() {
    let sim = sim(1);

    let missing = sim
        .authenticate_raw(&[], br#"{"entity":"com.x","user":"u"}"#)
        .await;
    let typed = sim
        .authenticate_raw(&[], br#"{"entity":1,"user":"u","password":"p"}"#)
        .await;
    let spaced = sim.authenticate("com onsigna", USER, PASSWORD).await;

    missing.assert_error(401, "AuthenticationException", 1008);
    assert!(missing.message().contains("password"), "{}", missing.json);
    typed.assert_error(401, "AuthenticationException", 1008);
    spaced.assert_error(401, "AuthenticationException", 1008);
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_envelope() {
    let sim = sim(1);

    let r = sim.authenticate_raw(&[], b"{\"entity\":").await;

    r.assert_error(400, "RequestException", 1000);
}

#[tokio::test]
async fn a_later_call_without_a_token_or_with_basic_is_refused() {
    let sim = sim(1);

    let none = sim
        .call(
            "GET",
            "/EntitiesServices/getBalance",
            &[("entity-i", ENTITY)],
            None,
        )
        .await;
    let basic = sim
        .call(
            "GET",
            "/EntitiesServices/getBalance",
            &[
                ("entity-i", ENTITY),
                ("authorization", "Basic YWRtaW46c2VjcmV0"),
            ],
            None,
        )
        .await;

    none.assert_error(401, "AuthenticationException", 1002);
    basic.assert_error(401, "AuthenticationException", 1002);
}

#[tokio::test]
async fn a_malformed_or_foreign_token_is_refused() {
    let sim = sim(1);
    let other = support::sim(2);
    let foreign = other.token(ENTITY).await;

    let garbage = sim.balance(&Auth::of("not.a.jwt")).await;
    let signed_elsewhere = sim.balance(&Auth::of(&foreign)).await;

    garbage.assert_error(401, "AuthenticationException", 1003);
    signed_elsewhere.assert_error(401, "AuthenticationException", 1003);
}

#[tokio::test]
async fn a_token_expires_5976_simulated_seconds_after_it_was_issued() {
    let sim = sim(1);
    let auth = sim.session(ENTITY).await;
    sim.advance(5975.0).await;
    let still = sim.balance(&auth).await;

    sim.advance(1.0).await;
    let expired = sim.balance(&auth).await;

    assert_eq!(still.status, 200, "{}", still.json);
    expired.assert_error(401, "AuthenticationException", 1004);
    let answer = sim.expired_token().await;
    assert_eq!(answer.status, 401);
    assert_eq!(expired.bytes, answer.bytes);
}

#[tokio::test]
async fn entity_i_is_required_and_must_be_the_token_s_entity() {
    let sim = sim(1);
    let token = sim.token(ENTITY).await;
    let bearer = format!("Bearer {token}");

    let missing = sim
        .call(
            "GET",
            "/EntitiesServices/getBalance",
            &[("authorization", &bearer)],
            None,
        )
        .await;
    let other = sim.balance(&Auth::new(&token, OTHER_ENTITY)).await;

    missing.assert_error(401, "AuthenticationException", 1005);
    other.assert_error(401, "AuthenticationException", 1006);
}

#[tokio::test]
async fn each_entity_is_its_own_tenant_in_the_journal() {
    let sim = sim(1);
    let token = sim.token(ENTITY).await;

    sim.balance(&Auth::of(&token)).await;

    let (entries, _) = sim.engine.journal().query(&Default::default());
    let tenants: Vec<_> = entries.iter().map(|e| e.tenant.clone()).collect();
    assert_eq!(tenants, vec![Some("kashpay:com.onsigna".to_string()); 2]);
    let listed = sim.engine.tenants().list(Some("kashpay"));
    assert_eq!(listed.len(), 1);
}

#[tokio::test]
async fn a_provisioned_entity_is_listed_with_the_starting_balance_before_any_request() {
    let sim = sim(1);
    let tenant = "kashpay:com.onsigna";

    let answer = sim.provider.provision(tenant).unwrap();
    let listed = sim.engine.tenants().list(Some("kashpay"));
    let objects = sim.provider.objects(Some(tenant), Some("entity"));

    assert_eq!(answer, json!({"tenant": tenant, "balance": START}));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tenant, tenant);
    assert_eq!(objects["objects"][0]["money"]["balance"], START);
}

#[tokio::test]
async fn a_provisioned_entity_binds_the_first_user_and_password_it_sees() {
    let sim = sim(1);
    sim.provider.provision("kashpay:com.onsigna").unwrap();

    let first = sim.authenticate(ENTITY, USER, "any-password").await;
    let other = sim.authenticate(ENTITY, USER, PASSWORD).await;
    let token = first.json["authenticationResponse"]["token"]
        .as_str()
        .unwrap_or_default();
    let balance = sim.balance_cents(&Auth::of(token)).await;

    assert_eq!(first.status, 200, "{}", first.json);
    other.assert_error(401, "AuthenticationException", 1001);
    assert_eq!(balance, START * 100);
    assert_eq!(sim.engine.tenants().list(Some("kashpay")).len(), 1);
}

#[tokio::test]
async fn provisioning_a_known_entity_again_changes_nothing() {
    let sim = sim(1);
    let tenant = "kashpay:com.onsigna";
    sim.provider.fund(tenant, "500").unwrap();

    let answer = sim.provider.provision(tenant).unwrap();

    assert_eq!(answer["balance"], START + 500);
    let operations = sim.provider.objects(Some(tenant), Some("operation"));
    assert_eq!(operations["objects"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn provisioning_refuses_a_malformed_entity_and_creates_nothing() {
    let sim = sim(1);

    let refused: Vec<u16> = ["kashpay:com onsigna", "kashpay:", "onepay:com.onsigna"]
        .iter()
        .map(|t| sim.provider.provision(t).unwrap_err().0.as_u16())
        .collect();
    let checked = sim.provider.check_tenant("kashpay:").unwrap_err();

    assert_eq!(refused, [400, 400, 400]);
    assert!(checked.1.contains("kashpay:<entity>"), "{}", checked.1);
    assert!(sim.engine.tenants().list(None).is_empty());
    assert_eq!(sim.provider.objects(None, None), json!({"objects": []}));
}

#[tokio::test]
async fn a_new_user_of_a_known_entity_is_refused_with_401() {
    let sim = sim(1);
    sim.authenticate(ENTITY, USER, PASSWORD).await;

    let intruder = sim.authenticate(ENTITY, "intruder@evil.example", "x").await;

    intruder.assert_error(401, "AuthenticationException", 1001);
}

#[tokio::test]
async fn a_user_provisioned_through_the_back_office_joins_a_known_entity() {
    let sim = sim(1);
    sim.authenticate(ENTITY, USER, PASSWORD).await;
    let body =
        json!({"tenant": "kashpay:com.onsigna", "user": "ops@onsigna.mx", "password": "p4ss"});

    let provisioned = sim.back_office("POST", "/users", Some(body)).await;
    let wrong = sim.authenticate(ENTITY, "ops@onsigna.mx", "guess").await;
    let joined = sim.authenticate(ENTITY, "ops@onsigna.mx", "p4ss").await;

    assert_eq!(provisioned.status, 201, "{}", provisioned.json);
    assert_eq!(provisioned.json["user"], "ops@onsigna.mx");
    assert!(
        provisioned.json.get("password").is_none(),
        "{}",
        provisioned.json
    );
    wrong.assert_error(401, "AuthenticationException", 1001);
    assert_eq!(joined.status, 200, "{}", joined.json);
    let token = joined.json["authenticationResponse"]["token"]
        .as_str()
        .unwrap();
    assert_eq!(sim.balance(&Auth::of(token)).await.status, 200);
}

#[tokio::test]
async fn the_back_office_refuses_a_user_of_another_entity_and_bad_fields() {
    let sim = sim(1);
    sim.authenticate(ENTITY, USER, PASSWORD).await;
    let call = |body: serde_json::Value| sim.back_office("POST", "/users", Some(body));

    let taken = call(json!({"tenant": "kashpay:com.cascade", "user": USER, "password": "p"})).await;
    let blank = call(json!({"tenant": "kashpay:com.onsigna", "user": " ", "password": "p"})).await;
    let tenant = call(json!({"tenant": "onepay:x", "user": "u", "password": "p"})).await;

    assert_eq!(taken.status, 409, "{}", taken.json);
    assert!(
        taken.json["error"].as_str().unwrap().contains(USER),
        "{}",
        taken.json
    );
    assert_eq!(blank.status, 400, "{}", blank.json);
    assert!(
        blank.json["error"].as_str().unwrap().contains("`user`"),
        "{}",
        blank.json
    );
    assert_eq!(tenant.status, 400, "{}", tenant.json);
}

#[tokio::test]
async fn provisioning_a_known_user_again_sets_its_password() {
    let sim = sim(1);
    sim.authenticate(ENTITY, USER, PASSWORD).await;
    let body = json!({"tenant": "kashpay:com.onsigna", "user": USER, "password": "n3w"});

    let again = sim.back_office("POST", "/users", Some(body)).await;
    let old = sim.authenticate(ENTITY, USER, PASSWORD).await;
    let new = sim.authenticate(ENTITY, USER, "n3w").await;

    assert_eq!(again.status, 200, "{}", again.json);
    old.assert_error(401, "AuthenticationException", 1001);
    assert_eq!(new.status, 200, "{}", new.json);
}

#[tokio::test]
async fn a_token_issued_before_a_reset_is_refused_after_it() {
    let (sim, auth) = signed_in(1).await;

    let reset = sim.admin("POST", "/__admin/reset", None).await;
    let after = sim.balance(&auth).await;

    assert_eq!(reset.status, 200, "{}", reset.json);
    after.assert_error(401, "AuthenticationException", 1003);
    assert!(sim.engine.tenants().list(Some("kashpay")).is_empty());
}
