//! Generate Token: both paths, the bare-string answer, the sample's claims, and every refusal.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use base64_free::decode_segment;
use payoutsim_core::jwt::peek_claims;
use serde_json::Value;
use support::*;

#[tokio::test]
async fn a_new_key_pair_gets_a_bare_json_string_token() {
    let sim = sim(1);

    let r = sim.token("live", PK, SK).await;

    assert_eq!(r.status, 201);
    assert!(r.bytes.starts_with(b"\"eyJ"), "{:?}", r.bytes);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(r.json.is_string());
}

#[tokio::test]
async fn the_token_carries_the_samples_claims_in_order_valid_one_hour() {
    let sim = sim(1);
    let now = sim.engine.now_for(&tenant("live", PK)).timestamp();

    let token = sim.token_ok("live", PK).await;

    // The sample token's header, byte for byte.
    assert!(
        token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."),
        "{token}"
    );
    let claims = peek_claims(&token).unwrap();
    assert_eq!(claims.as_object().unwrap().len(), 4, "{claims}");
    assert_eq!(claims["publicKey"], PK);
    assert_eq!(claims["id"].as_str().unwrap().len(), 36);
    assert_eq!(claims["iat"], now);
    assert_eq!(claims["exp"], now + 3600);
}

#[tokio::test]
async fn the_claims_keep_their_order_in_the_payload_bytes() {
    let sim = sim(1);

    let token = sim.token_ok("test", PK).await;

    let payload = decode_segment(token.split('.').nth(1).unwrap());
    let text = String::from_utf8(payload).unwrap();
    assert!(text.starts_with("{\"publicKey\":"), "{text}");
    let order: Vec<usize> = ["\"publicKey\"", "\"id\"", "\"iat\"", "\"exp\""]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

/// base64url without padding, decoded by hand (the test needs no extra crate).
mod base64_free {
    pub fn decode_segment(s: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.bytes() {
            let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        out
    }
}

#[tokio::test]
async fn the_documented_alias_and_the_v1_stage_prefix_issue_tokens_too() {
    let sim = sim(1);
    let headers = [
        ("publicKey", PK),
        ("secretKey", SK),
        ("environment", "test"),
    ];

    for path in [
        "/auth/generate-token",
        "/v1/platform/generate-token-api",
        "/v1/auth/generate-token",
    ] {
        let r = sim.call("POST", path, &headers, None).await;

        assert_eq!(r.status, 201, "{path}: {:?}", r.bytes);
        assert!(r.json.as_str().unwrap().starts_with("eyJ"));
    }
}

#[tokio::test]
async fn a_wrong_secret_for_a_known_public_key_is_unauthorized() {
    let sim = sim(1);
    sim.token_ok("live", PK).await;

    let r = sim.token("live", PK, "another-secret").await;

    r.assert_nest(401, "Unauthorized");
    assert_eq!(r.json["message"], "Unauthorized");
}

#[tokio::test]
async fn a_key_pair_used_in_the_other_environment_is_unauthorized() {
    let sim = sim(1);
    sim.token_ok("test", PK).await;

    let r = sim.token("live", PK, SK).await;

    r.assert_nest(401, "Unauthorized");
}

#[tokio::test]
async fn a_missing_or_unknown_environment_is_a_bad_request() {
    let sim = sim(1);

    let missing = sim
        .token_with(&[("publicKey", PK), ("secretKey", SK)])
        .await;
    let unknown = sim.token("production", PK, SK).await;

    for r in [missing, unknown] {
        r.assert_nest(400, "Bad Request");
        assert_eq!(
            r.messages(),
            ["environment must be one of the following values: test, live"]
        );
    }
}

#[tokio::test]
async fn missing_or_malformed_keys_are_unauthorized() {
    let sim = sim(1);
    let long = "k".repeat(129);

    let no_public = sim
        .token_with(&[("secretKey", SK), ("environment", "test")])
        .await;
    let no_secret = sim
        .token_with(&[("publicKey", PK), ("environment", "test")])
        .await;
    let spaced = sim.token("test", "a key", SK).await;
    let too_long = sim.token("test", &long, SK).await;

    for r in [no_public, no_secret, spaced, too_long] {
        r.assert_nest(401, "Unauthorized");
    }
}

#[tokio::test]
async fn a_refused_key_pair_is_not_provisioned() {
    let sim = sim(1);
    sim.token_ok("test", PK).await;
    sim.token("live", PK, SK).await;

    let tenants = sim.engine.tenants().list(Some("onspot"));

    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].tenant, tenant("test", PK));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_token_and_another_seed_another() {
    let (a, b, c) = (sim(5), sim(5), sim(6));

    let (ta, tb, tc) = (
        a.token_ok("live", PK).await,
        b.token_ok("live", PK).await,
        c.token_ok("live", PK).await,
    );

    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}

#[tokio::test]
async fn the_journal_names_the_tenant_of_a_token_request() {
    let sim = sim(1);
    sim.token_ok("live", PK).await;

    let (entries, _) = sim.engine.journal().query(&Default::default());

    assert_eq!(
        entries[0].tenant.as_deref(),
        Some(tenant("live", PK).as_str())
    );
    assert!(matches!(entries[0].response_body, Value::String(_)));
}

#[tokio::test]
async fn a_provisioned_key_pair_is_listed_with_its_empty_balance_before_any_request() {
    let sim = sim(1);
    let live = tenant("live", PK);

    let answer = sim.provider.provision(&live).unwrap();
    let tenants = sim.admin("GET", "/__admin/tenants", None).await;
    let objects = sim.back_office("GET", "/objects?kind=balance", None).await;

    assert_eq!(answer["tenant"], live.as_str());
    assert_eq!(answer["balance"]["funded"], "0.00");
    assert_eq!(
        tenants.json["tenants"]["onspot"][0]["tenant"],
        live.as_str()
    );
    assert_eq!(tenants.json["tenants"]["onspot"][0]["environment"], "live");
    assert_eq!(objects.json["objects"][0]["tenant"], live.as_str());
    assert_eq!(objects.json["objects"][0]["object"]["available"], "0.00");
}

#[tokio::test]
async fn a_provisioned_public_key_takes_the_first_secret_and_refuses_another() {
    let sim = sim(1);
    sim.provider.provision(&tenant("live", PK)).unwrap();

    let first = sim.token("live", PK, "any-secret").await;
    let again = sim.token("live", PK, "any-secret").await;
    let other = sim.token("live", PK, SK).await;
    let other_env = sim.token("test", PK, "any-secret").await;

    assert_eq!((first.status, again.status), (201, 201));
    other.assert_nest(401, "Unauthorized");
    other_env.assert_nest(401, "Unauthorized");
}

#[tokio::test]
async fn provisioning_a_known_tenant_again_changes_nothing() {
    let sim = sim(1);
    let live = tenant("live", PK);
    sim.token_ok("live", PK).await;
    sim.transfer(&live, "250.00").await;

    let answer = sim.provider.provision(&live).unwrap();

    assert_eq!(answer["balance"]["funded"], "250.00");
    assert_eq!(sim.balance(&live).await["available"], "250.00");
    assert_eq!(sim.token("live", PK, SK).await.status, 201);
}

#[tokio::test]
async fn provisioning_refuses_a_malformed_name_or_a_key_of_the_other_environment() {
    let sim = sim(1);
    sim.token_ok("test", PK).await;

    let malformed: Vec<u16> = [
        "onspot:prod:pk",
        "onspot:test:a b",
        "onspot:test:",
        "onepay:test:pk",
    ]
    .iter()
    .map(|t| sim.provider.provision(t).unwrap_err().0.as_u16())
    .collect();
    let checked = sim.provider.check_tenant(&tenant("live", PK)).unwrap_err();
    let other_env = sim.provider.provision(&tenant("live", PK)).unwrap_err();

    assert_eq!(malformed, [400, 400, 400, 400]);
    assert_eq!((checked.0, &checked.1), (other_env.0, &other_env.1));
    assert!(
        other_env.1.contains("belongs to the test environment"),
        "{}",
        other_env.1
    );
    assert_eq!(sim.engine.tenants().list(Some("onspot")).len(), 1);
}
