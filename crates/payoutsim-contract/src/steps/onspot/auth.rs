//! OnSpot key pairs and session tokens: `Generate Token` with the `publicKey`, `secretKey` and
//! `environment` headers, on either documented path, and checks of the token it answers.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::Value;

use super::{add_pair, header, replace, request};
use crate::params::{Env, Names};
use crate::steps::arranged;
use crate::world::ContractWorld;

/// The documented Generate Token path.
pub const TOKEN_PATH: &str = "/platform/generate-token-api";

#[given(expr = "an OnSpot {env} key pair")]
fn a_pair(w: &mut ContractWorld, env: Env) {
    add_pair(w, env.name(), env.name());
}

/// A key pair whose environment the scenario does not depend on: a fresh `test` pair on a
/// simulator, the sandbox's own pair (of `ONSPOT_ENVIRONMENT`) on the real sandbox.
#[given("an OnSpot key pair")]
fn any_pair(w: &mut ContractWorld) {
    let env = super::sandbox_environment(w).unwrap_or("test").to_string();
    add_pair(w, &env, &env);
}

#[given(expr = "an OnSpot {env} key pair {string}")]
fn a_named_pair(w: &mut ContractWorld, env: Env, name: String) {
    add_pair(w, env.name(), &name);
}

#[given(expr = "I use the OnSpot key pair {string}")]
#[when(expr = "I use the OnSpot key pair {string}")]
fn use_pair(w: &mut ContractWorld, name: String) {
    assert!(
        w.onspot.pairs.contains_key(&name),
        "no OnSpot key pair named {name:?}"
    );
    w.onspot.current = Some(name);
}

/// Generate Token at `path`, with the current pair's headers changed by `edit`.
async fn generate(
    w: &mut ContractWorld,
    path: &str,
    edit: impl FnOnce(&mut Vec<(String, String)>),
) {
    let pair = w.onspot.pair().clone();
    let mut headers = vec![
        header("publickey", &pair.public_key),
        header("secretkey", &pair.secret_key),
        header("environment", &pair.environment),
    ];
    edit(&mut headers);
    let req = request(w, path, headers, None);
    let resp = w.exchange(req).await;
    if resp.status == 201
        && let Value::String(token) = resp.json()
    {
        w.onspot.token = Some(token);
    }
}

#[given("I have an OnSpot token")]
#[when("I generate an OnSpot token")]
async fn generate_token(w: &mut ContractWorld, step: &Step) {
    generate(w, TOKEN_PATH, |_| {}).await;
    arranged(w, step, 201, "Generate Token");
}

#[when(expr = "I generate an OnSpot token at {string}")]
async fn generate_at(w: &mut ContractWorld, path: String) {
    generate(w, &path, |_| {}).await;
}

#[when(expr = "I generate an OnSpot token with the secret key {string}")]
async fn generate_with_secret(w: &mut ContractWorld, secret: String) {
    generate(w, TOKEN_PATH, |h| replace(h, "secretkey", &secret)).await;
}

#[when(expr = "I generate an OnSpot token with the public key {string}")]
async fn generate_with_public(w: &mut ContractWorld, public: String) {
    generate(w, TOKEN_PATH, |h| replace(h, "publickey", &public)).await;
}

#[when(expr = "I generate an OnSpot token in the {string} environment")]
async fn generate_in(w: &mut ContractWorld, environment: String) {
    generate(w, TOKEN_PATH, |h| replace(h, "environment", &environment)).await;
}

#[when(expr = "I generate an OnSpot token without the {string} header")]
async fn generate_without(w: &mut ContractWorld, name: String) {
    let name = name.to_ascii_lowercase();
    generate(w, TOKEN_PATH, |h| h.retain(|(k, _)| *k != name)).await;
}

/// The decoded payload of the last token, as text (claim order kept).
fn payload_text(w: &ContractWorld) -> String {
    let token = w.onspot.token();
    let payload = token.split('.').nth(1).unwrap_or_default();
    let bytes =
        base64url(payload).unwrap_or_else(|| panic!("token payload is not base64url: {token}"));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("token payload is not UTF-8: {e}"))
}

fn base64url(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes() {
        bits = (bits << 6) | ALPHABET.iter().position(|a| *a == c)? as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

#[then("the response is a bare JSON string holding an OnSpot token")]
fn bare_string_token(w: &mut ContractWorld) {
    let last = w.last();
    assert!(
        last.body.starts_with(b"\"eyJ"),
        "not a bare JSON string token: {last:?}"
    );
    let ty = last.header("content-type").unwrap_or_default();
    assert!(ty.starts_with("application/json"), "content-type {ty:?}");
    assert_eq!(
        last.json().as_str().map(|t| t.split('.').count()),
        Some(3),
        "{last:?}"
    );
}

#[then(expr = "the OnSpot token's claims are {names} in that order")]
fn claims_in_order(w: &mut ContractWorld, names: Names) {
    let text = payload_text(w);
    let claims: serde_json::Map<String, Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("payload {text}: {e}"));
    assert_eq!(claims.len(), names.0.len(), "claims of {text}");
    let positions: Vec<usize> = (names.0.iter())
        .map(|n| {
            text.find(&format!("\"{n}\":"))
                .unwrap_or_else(|| panic!("no claim {n} in {text}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "claim order of {text}"
    );
}

#[then(
    expr = "the OnSpot token names the public key and expires {int} seconds after it was issued"
)]
fn token_lifetime(w: &mut ContractWorld, seconds: i64) {
    let claims: Value = serde_json::from_str(&payload_text(w)).unwrap_or_default();
    let pair = w.onspot.pair();
    assert_eq!(
        claims["publicKey"].as_str(),
        Some(pair.public_key.as_str()),
        "{claims}"
    );
    let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
    assert_eq!(exp.zip(iat).map(|(e, i)| e - i), Some(seconds), "{claims}");
}
