//! JSON Web Tokens on the simulated clock, for providers whose sessions are JWTs (HS256
//! or HS512, with or without `typ` in the header).
//!
//! - [`Signer`]: issues and verifies tokens with one HMAC algorithm and secret
//! - [`JwtError`]: why a token was refused, so each provider can answer in its own words
//!
//! Expiry is judged against the simulated time the caller passes, never the wall clock: a test
//! that advances the clock past `exp` sees the token refused, and a token issued in a frozen
//! (`manual`) clock stays valid however long the test takes. The secret is drawn from the seeded
//! ids, so the same `--seed` gives the same tokens byte for byte.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{EncodingKey, Header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Sha256, Sha512};

use crate::ids::Ids;

/// The HMAC algorithms the emulated providers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    HS256,
    HS512,
}

impl Algorithm {
    fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::HS256 => jsonwebtoken::Algorithm::HS256,
            Self::HS512 => jsonwebtoken::Algorithm::HS512,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS512 => "HS512",
        }
    }
}

/// The HMAC of a signer, keyed once: a verification clones it (the key's two padded blocks are
/// hashed already) rather than keying a new one.
#[derive(Clone)]
enum Keyed {
    HS256(Hmac<Sha256>),
    HS512(Hmac<Sha512>),
}

impl Keyed {
    fn new(alg: Algorithm, secret: &[u8]) -> Self {
        // HMAC takes a key of any length, so keying cannot fail.
        fn never<T>(_: hmac::digest::InvalidLength) -> T {
            unreachable!("HMAC keys may have any length")
        }
        match alg {
            Algorithm::HS256 => Self::HS256(Hmac::new_from_slice(secret).unwrap_or_else(never)),
            Algorithm::HS512 => Self::HS512(Hmac::new_from_slice(secret).unwrap_or_else(never)),
        }
    }

    /// Whether `signature` is the MAC of `message` (compared in constant time).
    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::HS256(mac) => {
                let mut mac = mac.clone();
                mac.update(message);
                mac.verify_slice(signature).is_ok()
            }
            Self::HS512(mac) => {
                let mut mac = mac.clone();
                mac.update(message);
                mac.verify_slice(signature).is_ok()
            }
        }
    }
}

/// The longest signature a token may carry that could be a MAC of ours (SHA-512's 64 bytes);
/// a longer one is decoded only to be refused.
const MAX_MAC: usize = 64;

/// Why a token was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts of JSON, or another algorithm than the signer's.
    #[error("malformed token")]
    Malformed,
    /// Well formed, but not signed with this signer's secret.
    #[error("bad signature")]
    BadSignature,
    /// Signed by us, but `exp` is at or before the simulated now.
    #[error("token expired")]
    Expired,
    /// Signed by us, without a numeric `exp` claim.
    #[error("token without exp")]
    NoExpiry,
}

/// Issues and verifies tokens with one algorithm and secret.
///
/// Verification is JSON Web Signature's with one algorithm, as `jsonwebtoken::decode` does it
/// (a header of that `alg`, then the MAC, then the claims), without the work a general decoder
/// repeats per token: the HMAC is keyed once, a header in one of the forms this codebase issues
/// is recognised by its text rather than parsed, and the claims are parsed once.
#[derive(Clone)]
pub struct Signer {
    alg: Algorithm,
    /// Whether the header says `"typ": "JWT"` (default yes; some providers' tokens do not).
    typ: bool,
    encoding: EncodingKey,
    keyed: Keyed,
    /// The encoded headers of this algorithm that need no parse: `{"typ":"JWT","alg":…}`,
    /// `{"alg":…,"typ":"JWT"}` and `{"alg":…}`.
    plain_headers: [String; 3],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn new(alg: Algorithm, secret: &[u8]) -> Self {
        let name = alg.name();
        let encoded = |json: String| URL_SAFE_NO_PAD.encode(json);
        Self {
            alg,
            typ: true,
            encoding: EncodingKey::from_secret(secret),
            keyed: Keyed::new(alg, secret),
            plain_headers: [
                encoded(format!(r#"{{"typ":"JWT","alg":"{name}"}}"#)),
                encoded(format!(r#"{{"alg":"{name}","typ":"JWT"}}"#)),
                encoded(format!(r#"{{"alg":"{name}"}}"#)),
            ],
        }
    }

    /// A signer whose secret comes from the seeded stream `stream` (e.g. `<provider>:jwt`).
    pub fn seeded(alg: Algorithm, ids: &Ids, stream: &str) -> Self {
        let secret = ids.token(stream, "", 48);
        Self::new(alg, secret.as_bytes())
    }

    /// The same signer, issuing headers without `typ` (`{"alg": "HS512"}` only).
    pub fn without_typ(mut self) -> Self {
        self.typ = false;
        self
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// A signed token with header `{"typ": "JWT", "alg": …}` (no `typ` after
    /// [`without_typ`](Self::without_typ)) and `claims` as its payload, in the claims' own field
    /// order.
    pub fn issue<T: Serialize>(&self, claims: &T) -> Result<String, JwtError> {
        let mut header = Header::new(self.alg.jwt());
        if !self.typ {
            header.typ = None;
        }
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|_| JwtError::Malformed)
    }

    /// A signed token whose header is exactly `header`, serialised in its own field order, for
    /// providers whose sample tokens differ from [`issue`](Self::issue)'s `{"typ","alg"}` (such as
    /// `{"alg":"HS256","typ":"JWT"}`, or a header without `typ`). Its `alg` should name this signer's
    /// algorithm, or [`verify`](Self::verify) refuses the token.
    pub fn issue_with_header<H: Serialize, T: Serialize>(
        &self,
        header: &H,
        claims: &T,
    ) -> Result<String, JwtError> {
        let message = format!("{}.{}", json_part(header)?, json_part(claims)?);
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &self.encoding, self.alg.jwt())
                .map_err(|_| JwtError::Malformed)?;
        Ok(format!("{message}.{signature}"))
    }

    /// The claims of `token` if it is ours and `exp` is after `now` (simulated time): as
    /// [`verify_signed`](Self::verify_signed), then [`Signed::at`].
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<T, JwtError> {
        self.verify_signed(token)?.at(now)
    }

    /// The claims of `token` if it is ours, with its `exp` still to be judged ([`Signed::at`]):
    /// for a provider whose clock is the tenant's the claims name.
    ///
    /// Refused as [`JwtError::Malformed`]: not three dot-separated parts, a header that is not
    /// base64url JSON naming this signer's algorithm, a signature or payload that is not
    /// base64url, claims that are not a JSON object or not of `T`'s shape; as
    /// [`JwtError::BadSignature`]: a well-formed token whose MAC is not ours; as
    /// [`JwtError::NoExpiry`]: ours, without an integer `exp`. Checked in that order, header
    /// first, as `jsonwebtoken::decode` checks them.
    pub fn verify_signed<T: DeserializeOwned>(&self, token: &str) -> Result<Signed<T>, JwtError> {
        let (message, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
        let (header, payload) = message.rsplit_once('.').ok_or(JwtError::Malformed)?;
        if !self.plain_headers.iter().any(|h| h == header) {
            let parsed = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed)?;
            if parsed.alg != self.alg.jwt() {
                return Err(JwtError::Malformed);
            }
        }
        let mut mac = [0u8; MAX_MAC];
        let mac = match URL_SAFE_NO_PAD.decode_slice(signature, &mut mac) {
            Ok(n) => &mac[..n],
            // Base64 too long to be a MAC of ours: decoded in full only to tell garbage apart.
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
                URL_SAFE_NO_PAD
                    .decode(signature)
                    .map_err(|_| JwtError::Malformed)?;
                return Err(JwtError::BadSignature);
            }
            Err(base64::DecodeSliceError::DecodeError(_)) => return Err(JwtError::Malformed),
        };
        if !self.keyed.verifies(message.as_bytes(), mac) {
            return Err(JwtError::BadSignature);
        }
        let claims = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| JwtError::Malformed)?;
        let claims: Value = serde_json::from_slice(&claims).map_err(|_| JwtError::Malformed)?;
        if !claims.is_object() {
            return Err(JwtError::Malformed);
        }
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(JwtError::NoExpiry)?;
        let claims = T::deserialize(&claims).map_err(|_| JwtError::Malformed)?;
        Ok(Signed { claims, exp })
    }
}

/// The claims of a token whose signature is ours ([`Signer::verify_signed`]), not yet judged
/// against the clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed<T> {
    pub claims: T,
    /// The `exp` claim, seconds since the epoch.
    pub exp: i64,
}

impl<T> Signed<T> {
    /// The claims, if `exp` is after `now` (simulated time); [`JwtError::Expired`] otherwise.
    pub fn at(self, now: DateTime<Utc>) -> Result<T, JwtError> {
        if now.timestamp() >= self.exp {
            return Err(JwtError::Expired);
        }
        Ok(self.claims)
    }
}

/// `value` as base64url JSON, a token part.
fn json_part<T: Serialize>(value: &T) -> Result<String, JwtError> {
    let bytes = serde_json::to_vec(value).map_err(|_| JwtError::Malformed)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The payload of `token` without checking anything: for routing and fault matching only (which
/// tenant a request is for), never for authentication.
pub fn peek_claims(token: &str) -> Option<Value> {
    peek(token)
}

/// The payload of `token` read as `T` without checking anything (for the claims a caller needs
/// of an unverified token: a struct of those fields skips the others without keeping them).
pub fn peek<T: DeserializeOwned>(token: &str) -> Option<T> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn at(ts: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(ts, 0).single().unwrap()
    }

    /// What `signer` makes of `token` at second `ts`: its claims, or why not.
    fn verified(signer: &Signer, token: &str, ts: i64) -> Result<Value, JwtError> {
        signer.verify(token, at(ts))
    }

    /// The JOSE header of `token`, decoded.
    fn header_of(token: &str) -> Value {
        peek_claims(&format!("x.{}", token.split('.').next().unwrap())).unwrap()
    }

    /// What `jsonwebtoken::decode` makes of `token` with one algorithm and no time checks, then
    /// the simulated expiry: how verification was done before it was done here.
    fn by_the_library(
        signer: &Signer,
        secret: &[u8],
        token: &str,
        ts: i64,
    ) -> Result<Value, JwtError> {
        use jsonwebtoken::errors::ErrorKind;
        let mut validation = jsonwebtoken::Validation::new(signer.alg.jwt());
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let key = jsonwebtoken::DecodingKey::from_secret(secret);
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|e| match e
            .kind()
        {
            ErrorKind::InvalidSignature => JwtError::BadSignature,
            _ => JwtError::Malformed,
        })?;
        let exp = (data.claims.get("exp").and_then(Value::as_i64)).ok_or(JwtError::NoExpiry)?;
        if ts >= exp {
            return Err(JwtError::Expired);
        }
        Ok(data.claims)
    }

    #[test]
    fn verification_agrees_with_the_jsonwebtoken_library_on_good_and_broken_tokens() {
        #[derive(Serialize)]
        struct AlgFirst {
            alg: &'static str,
            typ: &'static str,
        }
        #[derive(Serialize)]
        struct WithKid {
            alg: &'static str,
            kid: &'static str,
        }
        for (alg, name) in [(Algorithm::HS256, "HS256"), (Algorithm::HS512, "HS512")] {
            let secret = b"a secret of some length";
            let signer = Signer::new(alg, secret);
            let other = Signer::new(alg, b"another secret");
            let foreign = match alg {
                Algorithm::HS256 => Signer::new(Algorithm::HS512, secret),
                Algorithm::HS512 => Signer::new(Algorithm::HS256, secret),
            };
            let claims = json!({"sub": "u", "exp": 100});
            let plain = signer.issue(&claims).unwrap();
            let bare = signer.clone().without_typ().issue(&claims).unwrap();
            let alg_first = (signer.issue_with_header(
                &AlgFirst {
                    alg: name,
                    typ: "JWT",
                },
                &claims,
            ))
            .unwrap();
            let kid = (signer.issue_with_header(
                &WithKid {
                    alg: name,
                    kid: "k1",
                },
                &claims,
            ))
            .unwrap();
            let no_exp = signer.issue(&json!({"sub": "u"})).unwrap();
            let text_exp = signer.issue(&json!({"sub": "u", "exp": "100"})).unwrap();
            let array = signer.issue(&json!([1, 2])).unwrap();
            let (head, rest) = plain.split_once('.').unwrap();
            let (body, mac) = rest.split_once('.').unwrap();
            let mut tokens = vec![
                plain.clone(),
                bare,
                alg_first,
                kid,
                no_exp,
                text_exp,
                array,
                other.issue(&claims).unwrap(),
                foreign.issue(&claims).unwrap(),
                format!("{head}.{body}.{mac}="),
                format!("{head}.{body}.{}", &mac[1..]),
                format!("{head}.{body}.{mac}{mac}"),
                format!("{head}.{body}.{mac}{mac}!"),
                format!("{head}.{body}.*{}", &mac[1..]),
                format!("{head}.{body}."),
                format!("{head}.{body}"),
                format!("{head}.{head}.{body}.{mac}"),
                format!("x{head}.{body}.{mac}"),
                format!("{head}.x{body}.{mac}"),
                format!("e30.{body}.{mac}"),
                format!(".{body}.{mac}"),
                format!("{head}..{mac}"),
                "..".to_string(),
                String::new(),
                "not a token".to_string(),
            ];
            // Every byte of the token's text changed in turn.
            for i in 0..plain.len() {
                let mut t = plain.clone().into_bytes();
                t[i] = if t[i] == b'A' { b'B' } else { b'A' };
                tokens.push(String::from_utf8(t).unwrap());
            }
            let mut seen = std::collections::BTreeMap::new();
            for token in &tokens {
                for ts in [0, 99, 100] {
                    let ours: Result<Value, JwtError> = signer.verify(token, at(ts));
                    let theirs = by_the_library(&signer, secret, token, ts);
                    assert_eq!(ours, theirs, "{name} {token} at {ts}");
                    let kind = ours.map_or_else(|e| e.to_string(), |_| "valid".into());
                    *seen.entry(kind).or_insert(0) += 1;
                }
            }
            // Every outcome is among the cases compared.
            let kinds: Vec<&str> = seen.keys().map(String::as_str).collect();
            assert_eq!(
                kinds,
                [
                    "bad signature",
                    "malformed token",
                    "token expired",
                    "token without exp",
                    "valid"
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn a_token_is_valid_until_its_exp_on_the_simulated_clock() {
        let signer = Signer::new(Algorithm::HS256, b"secret");
        let token = signer
            .issue(&json!({"sub": "a", "iat": 1000, "exp": 4600}))
            .unwrap();
        let claims = verified(&signer, &token, 4599).unwrap();
        assert_eq!(claims["sub"], "a");
        assert_eq!(verified(&signer, &token, 4600), Err(JwtError::Expired));
    }

    #[test]
    fn a_signed_token_s_expiry_is_judged_later_on_the_clock_its_claims_name() {
        let signer = Signer::new(Algorithm::HS512, b"k");
        let token = signer.issue(&json!({"sub": "a", "exp": 50})).unwrap();

        let signed = signer.verify_signed::<Value>(&token).unwrap();

        assert_eq!(signed.exp, 50);
        assert_eq!(signed.claims["sub"], "a");
        assert_eq!(signed.clone().at(at(49)).unwrap()["sub"], "a");
        assert_eq!(signed.at(at(50)), Err(JwtError::Expired));
        let other = Signer::new(Algorithm::HS512, b"other");
        assert_eq!(
            other.verify_signed::<Value>(&token),
            Err(JwtError::BadSignature)
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_has_a_bad_signature() {
        let ours = Signer::new(Algorithm::HS512, b"ours");
        let theirs = Signer::new(Algorithm::HS512, b"theirs");
        let token = theirs.issue(&json!({"exp": 10})).unwrap();
        assert_eq!(verified(&ours, &token, 0), Err(JwtError::BadSignature));
    }

    #[test]
    fn garbage_and_other_algorithms_are_malformed() {
        let hs512 = Signer::new(Algorithm::HS512, b"k");
        let hs256 = Signer::new(Algorithm::HS256, b"k");
        let token = hs256.issue(&json!({"exp": 10})).unwrap();
        assert_eq!(verified(&hs512, &token, 0), Err(JwtError::Malformed));
        assert_eq!(verified(&hs512, "not.a.jwt", 0), Err(JwtError::Malformed));
        assert_eq!(verified(&hs512, "", 0), Err(JwtError::Malformed));
    }

    #[test]
    fn the_header_names_the_algorithm_and_the_payload_can_be_peeked() {
        let signer = Signer::new(Algorithm::HS512, b"k");
        let token = signer
            .issue(&json!({"sub": "u", "iat": 1, "exp": 2}))
            .unwrap();
        let header = header_of(&token);
        assert_eq!(header, json!({"typ": "JWT", "alg": "HS512"}));
        assert_eq!(peek_claims(&token).unwrap()["sub"], "u");
    }

    #[test]
    fn a_token_can_carry_a_header_in_the_providers_own_order() {
        #[derive(Serialize)]
        struct Header {
            alg: &'static str,
            typ: &'static str,
        }
        let signer = Signer::new(Algorithm::HS256, b"k");
        let header = Header {
            alg: "HS256",
            typ: "JWT",
        };
        let token = signer
            .issue_with_header(&header, &json!({"sub": "u", "exp": 10}))
            .unwrap();
        assert!(
            token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."),
            "{token}"
        );
        let claims = verified(&signer, &token, 9).unwrap();
        assert_eq!(claims["sub"], "u");
        let other = Signer::new(Algorithm::HS256, b"other");
        assert_eq!(verified(&other, &token, 9), Err(JwtError::BadSignature));
    }

    #[test]
    fn seeded_signers_give_the_same_tokens_for_the_same_seed() {
        let a = Signer::seeded(Algorithm::HS256, &Ids::new(7), "p:jwt");
        let b = Signer::seeded(Algorithm::HS256, &Ids::new(7), "p:jwt");
        let c = Signer::seeded(Algorithm::HS256, &Ids::new(8), "p:jwt");
        let claims = json!({"exp": 5});
        assert_eq!(a.issue(&claims).unwrap(), b.issue(&claims).unwrap());
        assert_ne!(a.issue(&claims).unwrap(), c.issue(&claims).unwrap());
    }

    #[test]
    fn a_signer_without_typ_issues_a_bare_algorithm_header_it_still_verifies() {
        let signer = Signer::new(Algorithm::HS512, b"k").without_typ();
        let token = signer.issue(&json!({"sub": "u", "exp": 20})).unwrap();
        let header = header_of(&token);
        assert_eq!(header, json!({"alg": "HS512"}));
        assert!(token.starts_with("eyJhbGciOiJIUzUxMiJ9."));
        let claims = verified(&signer, &token, 10).unwrap();
        assert_eq!(claims["sub"], "u");
    }
}
