//! HTTP pieces the providers read the same way, each answering in the provider's own envelope:
//!
//! - [`unknown_routes`]: unknown paths (404) and methods (405) answered by
//!   [`Spec::error_response`]
//! - [`RawBody`]: a request body's bytes, for a handler that reads the body itself; a body that
//!   cannot be read is refused with the provider's error
//! - [`is_blank`], [`is_json`]: whether a body is empty, whether a request says it is JSON
//! - [`json_object`] and [`NotAnObject`]: a body that must be a JSON object
//! - [`written_numbers`]: the top-level numbers of a JSON object as the client wrote them, for
//!   amounts read exactly (`serde_json` keeps a number as an `f64`, which drops digits)

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use super::{Kit, Spec};

/// `routes` with unknown methods of known paths answered 405 and unknown paths 404, both by
/// [`Spec::error_response`] with these messages.
pub fn unknown_routes<S: Spec>(
    routes: Router<Kit<S>>,
    not_found: &'static str,
    not_allowed: &'static str,
) -> Router<Kit<S>> {
    routes
        .method_not_allowed_fallback(move || async move {
            S::error_response(StatusCode::METHOD_NOT_ALLOWED, not_allowed)
        })
        .fallback(move || async move { S::error_response(StatusCode::NOT_FOUND, not_found) })
}

/// The raw request body (for idempotency fingerprints, or a provider's own parsing); a body
/// that cannot be read (too large, cut off) is refused with the provider's error for it.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Spec> FromRequest<Kit<S>> for RawBody
where
    S::Error: From<BytesRejection>,
{
    type Rejection = S::Error;

    async fn from_request(req: Request, kit: &Kit<S>) -> Result<Self, S::Error> {
        Ok(Self(Bytes::from_request(req, kit).await?))
    }
}

/// Whether `body` is empty or only white space.
pub fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Whether the request's `Content-Type` is JSON: `application/json` or any `+json` type,
/// whatever its parameters (`; charset=utf-8`).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| m == "application/json" || m.ends_with("+json"))
}

/// Why a body is not a JSON object; each provider words its own refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAnObject {
    /// It does not parse as JSON.
    NotJson,
    /// It is JSON, but an array, a string, a number…
    OtherJson,
}

/// A request body as a JSON object. A blank body is `{}` (nothing in it can be mis-typed; its
/// fields are then reported missing, field by field).
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, NotAnObject> {
    if is_blank(body) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(NotAnObject::OtherJson),
        Err(_) => Err(NotAnObject::NotJson),
    }
}

/// The members of a JSON object body that are numbers, each as written (`999.99999999999999999`
/// stays that, where its parsed `f64` prints `1000.0`). Empty for a body that is not an object.
pub fn written_numbers(body: &[u8]) -> std::collections::BTreeMap<String, String> {
    use serde_json::value::RawValue;
    let numbers = |(key, raw): (&str, &RawValue)| {
        let text = raw.get();
        (text.starts_with(|c: char| c == '-' || c.is_ascii_digit()))
            .then(|| (key.to_string(), text.to_string()))
    };
    // Keys borrowed from the body where none has an escape (the usual body): only the numbers'
    // keys and texts are copied. A key with an escape cannot be borrowed; then they are read
    // owned.
    if let Ok(members) = serde_json::from_slice::<std::collections::BTreeMap<&str, &RawValue>>(body)
    {
        return members.into_iter().filter_map(numbers).collect();
    }
    let members: std::collections::BTreeMap<String, &RawValue> =
        serde_json::from_slice(body).unwrap_or_default();
    members
        .iter()
        .filter_map(|(key, raw)| numbers((key.as_str(), raw)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_kept_as_written_and_other_members_left_out() {
        let body = br#"{"amount": 999.99999999999999999, "n": -1e3, "s": "7", "o": {"x": 1}}"#;

        let written = written_numbers(body);

        assert_eq!(
            written.get("amount").map(String::as_str),
            Some("999.99999999999999999")
        );
        assert_eq!(written.get("n").map(String::as_str), Some("-1e3"));
        assert_eq!(written.len(), 2);
        assert!(written_numbers(b"[1]").is_empty());
        let escaped = written_numbers(br#"{"am\u006funt": 1.50, "s": "x"}"#);
        assert_eq!(escaped.get("amount").map(String::as_str), Some("1.50"));
        assert_eq!(escaped.len(), 1);
    }

    #[test]
    fn json_types_are_known_by_their_essence() {
        let typed = |t: &str| {
            let mut headers = HeaderMap::new();
            if let Ok(v) = t.parse() {
                headers.insert(header::CONTENT_TYPE, v);
            }
            is_json(&headers)
        };

        assert!(typed("application/json"));
        assert!(typed("Application/JSON; charset=utf-8"));
        assert!(typed("application/problem+json"));
        assert!(!typed("text/plain"));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn a_blank_body_is_an_empty_object_and_others_must_be_objects() {
        assert_eq!(json_object(b" \n"), Ok(Map::new()));
        assert_eq!(json_object(b"{\"a\":1}").map(|m| m.len()), Ok(1));
        assert_eq!(json_object(b"[1]"), Err(NotAnObject::OtherJson));
        assert_eq!(json_object(b"{"), Err(NotAnObject::NotJson));
    }
}
