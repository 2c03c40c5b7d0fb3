//! HTTP pieces the providers read the same way, each answering in the provider's own envelope:
//!
//! - [`unknown_routes`]: unknown paths (404) and methods (405) answered by
//!   [`Spec::error_response`]
//! - [`RawBody`]: a request body's bytes, for a handler that reads the body itself; a body that
//!   cannot be read is refused with the provider's error
//! - [`is_blank`], [`is_json`]: whether a body is empty, whether a request says it is JSON
//! - [`json_object`] and [`NotAnObject`]: a body that must be a JSON object
//! - [`exact_object`] and [`ExactObject`]: a body that must be a JSON object, read once into its
//!   members and its top-level numbers as the client wrote them, for amounts read exactly
//!   (`serde_json` keeps a number as an `f64`, which drops digits); [`written_numbers`]: those
//!   numbers alone

use std::collections::BTreeMap;

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
        .map(str::trim)
        .is_some_and(|m| {
            let suffix = m.len().checked_sub(5).and_then(|at| m.get(at..));
            m.eq_ignore_ascii_case("application/json")
                || suffix.is_some_and(|s| s.eq_ignore_ascii_case("+json"))
        })
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

/// The top-level numbers of a JSON object body, each as the client wrote it, by member name.
pub type Written = BTreeMap<String, String>;

/// A JSON object body read in one pass ([`exact_object`]): its members, and its top-level
/// numbers as written (amounts are read from these digits; `serde_json` keeps a number as an
/// `f64`). It reads as its members.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExactObject {
    pub members: Map<String, Value>,
    pub written: Written,
}

impl std::ops::Deref for ExactObject {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Map<String, Value> {
        &self.members
    }
}

/// [`json_object`] and [`written_numbers`] in one pass over the body: the same members, the
/// same refusals, and each top-level number's text as written.
///
/// Each member is read as its raw text first. A number is parsed from that text (and the text
/// kept), a string without escapes is taken as it stands, `true`/`false`/`null` are what they
/// say; only an array, an object or an escaped string is parsed from its text again, so a body
/// of scalar members (the usual create) is scanned once.
pub fn exact_object(body: &[u8]) -> Result<ExactObject, NotAnObject> {
    if is_blank(body) {
        return Ok(ExactObject::default());
    }
    match serde_json::from_slice::<Members>(body) {
        Ok(Members(Some(object))) => Ok(object),
        // Not an object, or not JSON: told apart as `json_object` tells them (this is the
        // refusal's path, not a create's). An object here is one `serde_json` reads through
        // its private raw-value key; it has no top-level numbers of its own.
        _ => json_object(body).map(|members| ExactObject {
            members,
            written: Written::new(),
        }),
    }
}

/// The members of a JSON object body that are numbers, each as written (`999.99999999999999999`
/// stays that, where its parsed `f64` prints `1000.0`). Empty for a body that is not an object.
pub fn written_numbers(body: &[u8]) -> Written {
    exact_object(body).map(|o| o.written).unwrap_or_default()
}

/// `serde_json`'s key for a raw value inside a `Value`: a first member by this name is read as
/// `serde_json` reads it (see [`exact_object`]).
const RAW_VALUE_KEY: &str = "$serde_json::private::RawValue";

/// The nesting `serde_json` reads at most, counting the body's object: a member nested deeper
/// than `MAX_DEPTH - 1` makes the whole body fail to parse.
const MAX_DEPTH: usize = 127;

/// The body read by [`exact_object`]: `Some` for an object, `None` (an error, in fact) for
/// anything else.
struct Members(Option<ExactObject>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> serde::de::Visitor<'de> for MembersVisitor {
    type Value = Members;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Members, A::Error> {
        use serde::de::Error;
        let mut object = ExactObject::default();
        while let Some(key) = access.next_key::<String>()? {
            if object.members.is_empty() && key == RAW_VALUE_KEY {
                return Err(A::Error::custom("a raw value"));
            }
            let raw: &'de serde_json::value::RawValue = access.next_value()?;
            let text = raw.get();
            let value = member(text).map_err(A::Error::custom)?;
            if value.is_number() {
                object.written.insert(key.clone(), text.to_string());
            } else {
                object.written.remove(&key);
            }
            object.members.insert(key, value);
        }
        Ok(Members(Some(object)))
    }
}

/// A member's value from its raw text (valid JSON: the first pass checked it, save numbers'
/// range and nesting, checked here).
fn member(text: &str) -> Result<Value, serde_json::Error> {
    use serde::de::Error;
    match text.as_bytes().first() {
        Some(b't') => Ok(Value::Bool(true)),
        Some(b'f') => Ok(Value::Bool(false)),
        Some(b'n') => Ok(Value::Null),
        Some(b'"') if !text.contains('\\') => Ok(Value::String(text[1..text.len() - 1].into())),
        Some(b'[' | b'{') if depth(text) >= MAX_DEPTH => {
            Err(serde_json::Error::custom("recursion limit exceeded"))
        }
        _ => serde_json::from_str(text),
    }
}

/// How deeply `text` (one JSON value) nests arrays and objects, strings skipped; counted only as
/// far as it matters (a value shorter than two brackets per level cannot reach [`MAX_DEPTH`]).
fn depth(text: &str) -> usize {
    if text.len() < 2 * MAX_DEPTH {
        return 0;
    }
    let (mut deepest, mut at, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text.as_bytes() {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_string = false,
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => {
                at += 1;
                deepest = deepest.max(at);
            }
            (false, b']' | b'}') => at = at.saturating_sub(1),
            _ => {}
        }
    }
    deepest
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

    /// What the two passes `exact_object` replaced answered: the body parsed as a `Value`, and
    /// its top-level members' raw texts that are numbers.
    fn two_passes(body: &[u8]) -> Result<ExactObject, NotAnObject> {
        use serde_json::value::RawValue;
        let members = json_object(body)?;
        let raw: BTreeMap<String, &RawValue> = serde_json::from_slice(body).unwrap_or_default();
        let written = (raw.into_iter())
            .filter(|(_, v)| {
                v.get()
                    .starts_with(|c: char| c == '-' || c.is_ascii_digit())
            })
            .map(|(k, v)| (k, v.get().to_string()))
            .collect();
        Ok(ExactObject { members, written })
    }

    #[test]
    fn one_pass_reads_every_body_as_the_two_passes_did() {
        let nested = |open: &str, close: &str, n: usize| {
            format!(
                r#"{{"amount": 1.10, "deep": {}{}}}"#,
                open.repeat(n),
                close.repeat(n)
            )
        };
        let mut bodies: Vec<String> = [
            r#"{"amount": 1e2, "account_id": "a", "method": "TURBO"}"#,
            r#"{"amount": 100.0, "n": -0, "big": 18446744073709551616, "f": 0.30000000000000004}"#,
            r#"{"amount": 1, "amount": "1"}"#,
            r#"{"amount": "1", "amount": 2.50}"#,
            r#"{"s": "caf\u00e9 \"q\"", "t": true, "f": false, "z": null, "a": [1, {"b": 2}]}"#,
            r#"{"am\u006funt": 3.0, "o": {"amount": 9}}"#,
            r#"{"s": "é ünï ✓", "e": ""}"#,
            r#"{"x": 1e400}"#,
            r#"{"x": 01}"#,
            r#"{"x": "a
b"}"#,
            r#"{"x": "\ud800"}"#,
            r#"{"$serde_json::private::RawValue": "{\"amount\": 5}"}"#,
            r#"{"$serde_json::private::RawValue": "[1]"}"#,
            r#"{"a": 1, "$serde_json::private::RawValue": 2}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1,}"#,
            "[1, 2]",
            "\"text\"",
            "12",
            "{",
            " {} ",
            "",
        ]
        .map(String::from)
        .into();
        for n in [1, 125, 126, 127, 128, 129, 200] {
            bodies.push(nested("[", "]", n));
            bodies.push(nested(r#"{"k":"#, "}", n));
            bodies.push(format!(
                r#"{{"s": "{}", "d": {}1{}}}"#,
                "[".repeat(300),
                "[".repeat(n),
                "]".repeat(n)
            ));
        }
        bodies.push(format!("{}1{}", "[".repeat(130), "]".repeat(130)));

        for body in &bodies {
            assert_eq!(
                exact_object(body.as_bytes()),
                two_passes(body.as_bytes()),
                "{body}"
            );
        }
    }

    #[test]
    fn the_one_pass_keeps_numbers_as_written_and_reads_the_rest_as_values() {
        let object = exact_object(br#"{"amount": 1e2, "f": 0.1, "s": "x", "a": [0.1]}"#).unwrap();

        assert_eq!(
            object.written.get("amount").map(String::as_str),
            Some("1e2")
        );
        assert_eq!(object.written.get("f").map(String::as_str), Some("0.1"));
        assert_eq!(object.written.len(), 2);
        assert_eq!(object.get("s"), Some(&Value::from("x")));
        assert_eq!(object["a"], serde_json::json!([0.1]));
        assert_eq!(exact_object(b"[1]"), Err(NotAnObject::OtherJson));
        assert_eq!(exact_object(b"{\"a\": tru}"), Err(NotAnObject::NotJson));
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
        assert!(typed("application/vnd.api+JSON ; q=1"));
        assert!(!typed("text/plain"));
        assert!(!typed("json"));
        assert!(!typed("application/jsonx"));
        assert!(!typed("text/é+jsoné"));
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
