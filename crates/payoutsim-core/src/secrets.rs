//! Masking secrets where the admin API shows them: anyone who can read the admin port can read
//! the journal and the webhook listings, and they should not learn a tenant's keys from them.
//!
//! - [`mask_headers`]: credential headers (`Authorization` keeps its scheme, `Bearer ****`;
//!   `x-api-key`, `secretKey`, cookies and any header naming a secret, password, token or API key
//!   become `****`)
//! - [`mask_body`]: `password`, `secretKey`, `secret`, `apiKey` and `client_secret` fields, at any
//!   depth of a JSON body (login bodies, the answer that shows a webhook secret)
//! - [`mask_target`]: a webhook target's signing `secret` and its secret extras (a static header
//!   token, `header`; any extra named like a secret field)
//! - [`MASK`]: what a masked value reads
//!
//! Masking is on by default; `--show-secrets` (`EngineConfig::show_secrets`) turns it off. A
//! webhook target's secret is shown once, in the answer that creates it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::webhooks::WebhookTarget;

/// What a masked value reads.
pub const MASK: &str = "****";

/// Whether a header carries a credential.
fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || [
        "secret", "password", "token", "api-key", "apikey", "api_key",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Whether a JSON field holds a secret: its name, ignoring case, `_` and `-`.
fn is_secret_field(name: &str) -> bool {
    let folded: String = (name.chars())
        .filter(|c| !matches!(c, '_' | '-'))
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        folded.as_str(),
        "password" | "secretkey" | "secret" | "apikey" | "clientsecret"
    )
}

/// An `Authorization`-like value with its credential masked: the scheme stays (`Bearer ****`).
fn masked_credential(value: &str) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, _)) if !scheme.is_empty() => format!("{scheme} {MASK}"),
        _ => MASK.to_string(),
    }
}

/// Masks the values of credential headers in place.
pub fn mask_headers(headers: &mut BTreeMap<String, String>) {
    for (name, value) in headers.iter_mut() {
        if is_secret_header(name) {
            *value = if name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("proxy-authorization")
            {
                masked_credential(value)
            } else {
                MASK.to_string()
            };
        }
    }
}

/// Masks secret fields (non-empty strings) at any depth of a JSON value, in place.
pub fn mask_body(body: &mut Value) {
    match body {
        Value::Object(map) => {
            for (name, value) in map.iter_mut() {
                match value {
                    Value::String(s) if is_secret_field(name) && !s.is_empty() => {
                        *s = MASK.to_string();
                    }
                    other => mask_body(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_body),
        _ => {}
    }
}

/// Masks a webhook target's signing secret and secret extras, for a listing.
pub fn mask_target(target: &mut WebhookTarget) {
    if !target.secret.is_empty() {
        target.secret = MASK.to_string();
    }
    for (name, value) in target.extra.iter_mut() {
        if matches!(name.as_str(), "header" | "token") || is_secret_field(name) {
            *value = MASK.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn credential_headers_are_masked_and_the_scheme_kept() {
        let mut headers: BTreeMap<String, String> = [
            ("authorization", "Bearer sk_test_abc"),
            ("x-api-key", "k"),
            ("secretkey", "s"),
            ("cookie", "BEARER_TOKEN=t"),
            ("x-webhook-token", "wh_hdr_1"),
            ("content-type", "application/json"),
            ("x-idempotency", "payroll-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();

        mask_headers(&mut headers);

        assert_eq!(headers["authorization"], "Bearer ****");
        for name in ["x-api-key", "secretkey", "cookie", "x-webhook-token"] {
            assert_eq!(headers[name], MASK, "{name}");
        }
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["x-idempotency"], "payroll-1");
    }

    #[test]
    fn passwords_keys_and_secrets_are_masked_at_any_depth() {
        let mut body = json!({
            "user": "ops@example.com", "password": "s3cret", "secretKey": "k",
            "data": {"secret": "wh_tok_1", "url": "http://a/"},
            "list": [{"api_key": "x", "client_secret": "y", "amount": 5}],
            "empty": {"password": ""}
        });

        mask_body(&mut body);

        assert_eq!(
            body,
            json!({
                "user": "ops@example.com", "password": MASK, "secretKey": MASK,
                "data": {"secret": MASK, "url": "http://a/"},
                "list": [{"api_key": MASK, "client_secret": MASK, "amount": 5}],
                "empty": {"password": ""}
            })
        );
    }
}
