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

use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

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
}

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
#[derive(Clone)]
pub struct Signer {
    alg: Algorithm,
    /// Whether the header says `"typ": "JWT"` (default yes; some providers' tokens do not).
    typ: bool,
    encoding: EncodingKey,
    decoding: DecodingKey,
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
        Self {
            alg,
            typ: true,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
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

    /// The claims of `token` if it is ours and `exp` is after `now` (simulated time).
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<T, JwtError> {
        let mut validation = Validation::new(self.alg.jwt());
        // Expiry is ours to judge, on the simulated clock; the library would read the wall clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data =
            jsonwebtoken::decode::<Value>(token, &self.decoding, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::InvalidSignature => JwtError::BadSignature,
                    _ => JwtError::Malformed,
                }
            })?;
        let exp = data
            .claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(JwtError::NoExpiry)?;
        if now.timestamp() >= exp {
            return Err(JwtError::Expired);
        }
        serde_json::from_value(data.claims).map_err(|_| JwtError::Malformed)
    }
}

/// `value` as base64url JSON, a token part.
fn json_part<T: Serialize>(value: &T) -> Result<String, JwtError> {
    use base64::Engine as _;
    let bytes = serde_json::to_vec(value).map_err(|_| JwtError::Malformed)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The payload of `token` without checking anything: for routing and fault matching only (which
/// tenant a request is for), never for authentication.
pub fn peek_claims(token: &str) -> Option<Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
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
