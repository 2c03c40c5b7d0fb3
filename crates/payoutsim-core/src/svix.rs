//! Webhooks signed the Svix way, for any provider whose messages Svix delivers (Dots).
//!
//! Svix sends three headers with every attempt: `svix-id` (the message's id, the same on every
//! retry), `svix-timestamp` (the attempt's Unix seconds) and `svix-signature`, a space-separated
//! list of `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{raw body}`, keyed with the bytes of
//! the endpoint's secret `whsec_<base64>` (the base64 decoded). Receivers accept a timestamp
//! within 5 minutes of their own clock. (Facts from Svix's manual-verification page and its
//! libraries, recorded in the shared `providers/dots.md`, section 7.)
//!
//! - [`Secret`]: a parsed secret (`whsec_<base64>`, or the bare base64 the libraries accept);
//!   [`new_secret`] mints one from the engine's seeded ids
//! - [`message_id`]: `msg_` + 27 base62 characters from the seeded ids; [`stream`] names the
//!   id stream both draw from
//! - [`sign`]: the `v1,…` signature of one attempt
//! - [`verify`]: a receiver's check (for our tests and the contract suite), over any
//!   [`Headers`]
//! - [`headers`]: the three headers of an engine attempt, so a provider's
//!   `Spec::sign_webhook` is one line; [`Timestamps`] says which clock `svix-timestamp` reads

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::Ids;
use crate::webhooks::Attempt;

/// What a secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// How far a timestamp may be from the receiver's clock, as Svix's libraries allow: 5 minutes.
pub const DEFAULT_TOLERANCE_S: i64 = 5 * 60;

/// The signature scheme's version tag in `svix-signature`.
const VERSION: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// An endpoint's signing key: the bytes behind `whsec_<base64>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// Why a text is not a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a Svix secret is `whsec_` followed by base64; this one is empty")]
    Empty,
    #[error("a Svix secret is `whsec_` followed by base64; this one is not base64")]
    NotBase64,
}

impl Secret {
    /// `whsec_<base64>`, or the bare base64 (Svix's libraries take both).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        if encoded.is_empty() {
            return Err(SecretError::Empty);
        }
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        Ok(Self(key))
    }

    fn mac(&self, msg_id: &str, timestamp_s: i64, body: &[u8]) -> HmacSha256 {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC keys may have any length"));
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_s.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The id stream Svix ids and secrets of `tenant` are drawn from: a stream of their own, so
/// that whether anyone subscribed never shifts the ids of the tenant's objects (and a reset of
/// the provider, whose prefix it shares, starts it again).
pub fn stream(tenant: &str) -> String {
    format!("{tenant}/svix")
}

/// A fresh secret: `whsec_` + the base64 of 24 bytes drawn from `stream` of the seeded ids.
pub fn new_secret(ids: &Ids, stream: &str) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(ids.bytes(stream, 24)))
}

/// A fresh message id: `msg_` + 27 base62 characters drawn from `stream` of the seeded ids.
pub fn message_id(ids: &Ids, stream: &str) -> String {
    ids.token(stream, "msg_", 27)
}

/// `v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp_s}.{body}">`.
pub fn sign(secret: &Secret, msg_id: &str, timestamp_s: i64, body: &[u8]) -> String {
    let digest = secret
        .mac(msg_id, timestamp_s, body)
        .finalize()
        .into_bytes();
    format!("{VERSION},{}", STANDARD.encode(digest))
}

/// Which clock `svix-timestamp` reads: a provider's choice, kept in its config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Timestamps {
    /// The attempt's wall-clock time (the default): Svix's libraries refuse a timestamp more than
    /// 5 minutes from the receiver's own clock, and the simulated clock may be days ahead.
    #[default]
    Wall,
    /// The attempt's simulated time, for receivers that judge it by the simulated clock.
    Simulated,
}

/// The three headers of one attempt, signed with the target's secret: `svix-id` (the message's
/// stable id), `svix-timestamp` (the attempt's seconds on the `timestamps` clock) and
/// `svix-signature`. A Svix provider's `Spec::sign_webhook` is this one call, with
/// `Spec::webhook_message_id` giving [`message_id`]s. A message without an id, or a target
/// whose secret is not a Svix secret, cannot be signed: the headers then lack `svix-signature`
/// (and the receiver refuses the message, as it would a real one), and a warning is logged.
pub fn headers(attempt: &Attempt<'_>, timestamps: Timestamps) -> Vec<(String, String)> {
    let id = attempt.message_id.unwrap_or_default();
    let ts = match timestamps {
        Timestamps::Wall => attempt.wall.timestamp(),
        Timestamps::Simulated => attempt.at.timestamp(),
    };
    let mut headers = vec![
        ("svix-id".to_string(), id.to_string()),
        ("svix-timestamp".to_string(), ts.to_string()),
    ];
    match (attempt.message_id, Secret::parse(&attempt.target.secret)) {
        (Some(_), Ok(secret)) => {
            headers.push((
                "svix-signature".to_string(),
                sign(&secret, id, ts, attempt.body),
            ));
        }
        (None, _) => {
            tracing::warn!(target = %attempt.target.id, "a Svix message without an id: unsigned")
        }
        (_, Err(e)) => tracing::warn!(target = %attempt.target.id, error = %e, "unsigned"),
    }
    headers
}

/// Header lookup by lower-case name, for [`verify`]: the headers a receiver got
/// (`http::HeaderMap`) or a delivery record's (`BTreeMap<String, String>`).
pub trait Headers {
    fn header(&self, name: &str) -> Option<&str>;
}

impl Headers for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Headers for BTreeMap<String, String> {
    fn header(&self, name: &str) -> Option<&str> {
        (self.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Headers for [(String, String)] {
    fn header(&self, name: &str) -> Option<&str> {
        (self.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a message does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing header {0}")]
    Missing(&'static str),
    #[error("the timestamp is not a number of seconds")]
    BadTimestamp,
    #[error("the message's timestamp is too old")]
    TooOld,
    #[error("the message's timestamp is too new")]
    TooNew,
    #[error("no signature matches")]
    NoMatch,
}

/// Header `svix-<name>`, or its unbranded twin `webhook-<name>`, as Svix's libraries read them.
fn either<'h>(
    headers: &'h (impl Headers + ?Sized),
    (svix, plain): (&'static str, &'static str),
) -> Result<&'h str, VerifyError> {
    (headers.header(svix))
        .or_else(|| headers.header(plain))
        .ok_or(VerifyError::Missing(svix))
}

/// What a receiver checks: the timestamp within `tolerance_s` of `now_s` (its clock, Unix
/// seconds; [`DEFAULT_TOLERANCE_S`] is Svix's), and one of the space-separated `v1,`
/// signatures equal, in constant time, to the one `secret` gives over the raw `body`.
pub fn verify(
    secret: &Secret,
    headers: &(impl Headers + ?Sized),
    body: &[u8],
    now_s: i64,
    tolerance_s: i64,
) -> Result<(), VerifyError> {
    let id = either(headers, ("svix-id", "webhook-id"))?;
    let timestamp = either(headers, ("svix-timestamp", "webhook-timestamp"))?;
    let signatures = either(headers, ("svix-signature", "webhook-signature"))?;
    let ts: i64 = (timestamp.trim().parse()).map_err(|_| VerifyError::BadTimestamp)?;
    if now_s.saturating_sub(ts) > tolerance_s {
        return Err(VerifyError::TooOld);
    }
    if ts.saturating_sub(now_s) > tolerance_s {
        return Err(VerifyError::TooNew);
    }
    let mac = secret.mac(id, ts, body);
    let matches = (signatures.split_whitespace())
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, encoded)| STANDARD.decode(encoded).ok())
        .any(|candidate| mac.clone().verify_slice(&candidate).is_ok());
    if matches {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Svix's published test vector.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn vector_headers(signature: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("svix-id".to_string(), ID.to_string()),
            ("svix-timestamp".to_string(), TS.to_string()),
            ("svix-signature".to_string(), signature.to_string()),
        ])
    }

    #[test]
    fn the_published_vector_signs_to_the_published_signature() {
        let secret = Secret::parse(SECRET).unwrap();

        assert_eq!(sign(&secret, ID, TS, BODY), SIGNATURE);
    }

    #[test]
    fn a_bare_base64_secret_is_the_same_key_as_its_whsec_form() {
        let bare = SECRET.strip_prefix(SECRET_PREFIX).unwrap();

        assert_eq!(Secret::parse(bare), Secret::parse(SECRET));
    }

    #[test]
    fn a_secret_that_is_not_base64_or_is_empty_is_refused() {
        assert_eq!(
            Secret::parse("whsec_not*base64"),
            Err(SecretError::NotBase64)
        );
        assert_eq!(Secret::parse("whsec_"), Err(SecretError::Empty));
    }

    #[test]
    fn the_published_vector_verifies_within_the_tolerance_and_not_beyond() {
        let secret = Secret::parse(SECRET).unwrap();
        let headers = vector_headers(SIGNATURE);
        let check = |now| verify(&secret, &headers, BODY, now, DEFAULT_TOLERANCE_S);

        assert_eq!(check(TS + 300), Ok(()));
        assert_eq!(check(TS - 300), Ok(()));
        assert_eq!(check(TS + 301), Err(VerifyError::TooOld));
        assert_eq!(check(TS - 301), Err(VerifyError::TooNew));
    }

    #[test]
    fn one_matching_signature_in_a_list_is_enough() {
        let secret = Secret::parse(SECRET).unwrap();
        let other = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever";
        let listed = vector_headers(&format!("{other} {SIGNATURE}"));

        assert_eq!(verify(&secret, &listed, BODY, TS, 300), Ok(()));
    }

    #[test]
    fn a_changed_body_id_or_secret_does_not_verify() {
        let secret = Secret::parse(SECRET).unwrap();
        let headers = vector_headers(SIGNATURE);
        let mut other_id = headers.clone();
        other_id.insert("svix-id".into(), "msg_other".into());
        let other_secret = Secret::parse("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();

        let changed = br#"{"test": 2432232315}"#;
        assert_eq!(
            verify(&secret, &headers, changed, TS, 300),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            verify(&secret, &other_id, BODY, TS, 300),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            verify(&other_secret, &headers, BODY, TS, 300),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn the_unbranded_webhook_headers_verify_too_and_a_missing_one_is_named() {
        let secret = Secret::parse(SECRET).unwrap();
        let plain: Vec<(String, String)> = vector_headers(SIGNATURE)
            .into_iter()
            .map(|(k, v)| (k.replace("svix-", "webhook-"), v))
            .collect();
        let mut no_id = vector_headers(SIGNATURE);
        no_id.remove("svix-id");

        assert_eq!(verify(&secret, plain.as_slice(), BODY, TS, 300), Ok(()));
        assert_eq!(
            verify(&secret, &no_id, BODY, TS, 300),
            Err(VerifyError::Missing("svix-id"))
        );
    }

    fn attempt<'a>(target: &'a crate::webhooks::WebhookTarget, id: Option<&'a str>) -> Attempt<'a> {
        Attempt {
            target,
            event: "transfer.updated",
            body: BODY,
            message_id: id,
            number: 3,
            at: chrono::DateTime::from_timestamp(TS + 86_400, 0).unwrap(),
            wall: chrono::DateTime::from_timestamp(TS, 0).unwrap(),
        }
    }

    fn vector_target() -> crate::webhooks::WebhookTarget {
        crate::webhooks::WebhookTarget {
            id: "wh_1".into(),
            provider: "dots".into(),
            tenant: "dots:app".into(),
            url: "http://127.0.0.1:1/".into(),
            events: vec![],
            secret: SECRET.into(),
            extra: BTreeMap::new(),
            created_at: String::new(),
        }
    }

    #[test]
    fn an_attempt_is_signed_with_its_wall_clock_seconds_by_default() {
        let target = vector_target();

        let sent: BTreeMap<String, String> =
            headers(&attempt(&target, Some(ID)), Timestamps::default())
                .into_iter()
                .collect();

        assert_eq!(sent, vector_headers(SIGNATURE));
    }

    #[test]
    fn an_attempt_can_be_signed_with_its_simulated_seconds() {
        let target = vector_target();
        let secret = Secret::parse(SECRET).unwrap();

        let sent = headers(&attempt(&target, Some(ID)), Timestamps::Simulated);

        let ts = TS + 86_400;
        assert_eq!(sent[1], ("svix-timestamp".to_string(), ts.to_string()));
        assert_eq!(verify(&secret, sent.as_slice(), BODY, ts, 0), Ok(()));
    }

    #[test]
    fn an_attempt_without_an_id_or_with_a_foreign_secret_goes_unsigned() {
        let mut target = vector_target();
        let no_id = headers(&attempt(&target, None), Timestamps::Wall);
        target.secret = "wh_tok_not base64".into();
        let foreign = headers(&attempt(&target, Some(ID)), Timestamps::Wall);

        for sent in [no_id, foreign] {
            assert_eq!(sent.header("svix-signature"), None);
            assert!(sent.header("svix-timestamp").is_some());
        }
    }

    #[test]
    fn fresh_secrets_and_message_ids_come_from_the_seed_in_svix_shapes() {
        let (a, b) = (Ids::new(4), Ids::new(4));

        let secret = new_secret(&a, &stream("dots:app"));
        let id = message_id(&a, &stream("dots:app"));

        assert_eq!(secret, new_secret(&b, &stream("dots:app")));
        assert_eq!(id, message_id(&b, &stream("dots:app")));
        assert_eq!(secret.len(), SECRET_PREFIX.len() + 32);
        assert_eq!(Secret::parse(&secret).map(|s| s.0.len()), Ok(24));
        let tail = id.strip_prefix("msg_").unwrap();
        assert_eq!(tail.len(), 27);
        assert!(tail.bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
