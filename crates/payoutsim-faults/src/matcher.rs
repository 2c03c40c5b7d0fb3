//! Pure matching: globs, dotted JSON body paths, header values, and a rule's [`Match`] against
//! what is known of a request or a webhook message. No state, no I/O.
//!
//! [`Head`] is the part of a `Match` that needs neither body nor tenant, compiled when the rule is
//! loaded (method parsed, header names parsed, each glob's literal prefix split off): it runs for
//! every loaded rule on every request, so it allocates nothing and fails on a prefix compare.

use http::{HeaderMap, HeaderName, Method};
use serde_json::Value;

use crate::rule::Match;

/// What a request or webhook message offers to match on. `body` and `tenant` are computed only
/// when some rule asks for them.
#[derive(Debug, Default)]
pub struct Subject<'a> {
    pub provider: &'a str,
    pub method: Option<&'a Method>,
    pub path: Option<&'a str>,
    pub headers: Option<&'a HeaderMap>,
    pub body: Option<&'a Value>,
    pub tenant: Option<&'a str>,
    pub event: Option<&'a str>,
}

/// Whether `text` matches `pattern`: `*` is any run of characters (not crossing `sep` when one is
/// given), `**` is any run at all, `?` is one character. No special characters: equality.
/// Works on bytes without allocating (it runs for every rule on every request).
pub fn glob(pattern: &str, text: &str, sep: Option<u8>) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    glob_at(pattern.as_bytes(), text.as_bytes(), sep)
}

/// The length of the UTF-8 character that starts with byte `b`.
fn char_len(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

fn glob_at(p: &[u8], t: &[u8], sep: Option<u8>) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some(b'*') => {
            let double = p.get(1) == Some(&b'*');
            let rest = if double { &p[2..] } else { &p[1..] };
            for i in 0..=t.len() {
                if glob_at(rest, &t[i..], sep) {
                    return true;
                }
                if i < t.len() && !double && sep == Some(t[i]) {
                    return false;
                }
            }
            false
        }
        Some(b'?') => match t.first() {
            Some(&c) if sep != Some(c) => {
                let n = char_len(c).min(t.len());
                glob_at(&p[1..], &t[n..], sep)
            }
            _ => false,
        },
        Some(c) => t.first() == Some(c) && glob_at(&p[1..], &t[1..], sep),
    }
}

/// The value at a dotted path (`a.b.0.c`; a number indexes an array).
pub fn at_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, part| match v {
        Value::Object(map) => map.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Whether a body field's `actual` value satisfies the rule's `expected` one: a string is a glob
/// over a string (or the text of a number or boolean), numbers compare by value, anything else
/// by equality.
pub fn value_matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(p), Value::String(s)) => glob(p, s, None),
        (Value::String(p), Value::Number(n)) => glob(p, &n.to_string(), None),
        (Value::String(p), Value::Bool(b)) => glob(p, &b.to_string(), None),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// A glob (or a plain string) with its literal prefix split off.
#[derive(Clone, Debug)]
pub struct Pattern {
    text: String,
    /// Bytes before the first `*` or `?`; the whole text when there is none.
    literal: usize,
    sep: Option<u8>,
}

impl Pattern {
    pub fn new(text: &str, sep: Option<u8>) -> Self {
        Self {
            literal: text.find(['*', '?']).unwrap_or(text.len()),
            text: text.to_string(),
            sep,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text before the first `*` or `?`.
    pub fn literal(&self) -> &str {
        &self.text[..self.literal]
    }

    /// Whether it has no `*` or `?` (it matches its text alone).
    pub fn is_literal(&self) -> bool {
        self.literal == self.text.len()
    }

    pub fn matches(&self, s: &str) -> bool {
        if self.literal == self.text.len() {
            return self.text == s;
        }
        let (p, t) = (self.text.as_bytes(), s.as_bytes());
        t.starts_with(&p[..self.literal])
            && glob_at(&p[self.literal..], &t[self.literal..], self.sep)
    }
}

/// The head of a [`Match`], compiled.
#[derive(Clone, Debug)]
pub struct Head {
    provider: Option<String>,
    method: Option<Method>,
    path: Option<Pattern>,
    headers: Vec<(Option<HeaderName>, Pattern)>,
    event: Option<Pattern>,
}

impl Head {
    pub fn new(m: &Match) -> Self {
        Self {
            provider: m.provider.clone(),
            method: m
                .method
                .as_deref()
                .and_then(|x| Method::from_bytes(x.to_ascii_uppercase().as_bytes()).ok()),
            path: m.path.as_deref().map(|p| Pattern::new(p, Some(b'/'))),
            headers: m
                .headers
                .iter()
                .map(|(name, value)| {
                    let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).ok();
                    (name, Pattern::new(value, None))
                })
                .collect(),
            event: m.event.as_deref().map(|e| Pattern::new(e, None)),
        }
    }

    pub fn path(&self) -> Option<&Pattern> {
        self.path.as_ref()
    }

    /// Provider, method, path, headers and event: a cheap first pass.
    pub fn matches(&self, s: &Subject<'_>) -> bool {
        self.provider.as_deref().is_none_or(|p| p == s.provider)
            && self
                .method
                .as_ref()
                .is_none_or(|want| s.method.is_some_and(|have| have == want))
            && self
                .path
                .as_ref()
                .is_none_or(|p| s.path.is_some_and(|path| p.matches(path)))
            && self
                .event
                .as_ref()
                .is_none_or(|e| s.event.is_some_and(|ev| e.matches(ev)))
            && self.headers.iter().all(|(name, want)| {
                name.as_ref()
                    .and_then(|n| s.headers?.get(n))
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| want.matches(v))
            })
    }
}

/// Whether every field the rule gives holds for `s`. A field the subject cannot tell (no body, no
/// tenant) does not hold.
pub fn matches(m: &Match, s: &Subject<'_>) -> bool {
    Head::new(m).matches(s) && matches_tail(m, s)
}

/// The tenant and body fields of [`matches`].
pub fn matches_tail(m: &Match, s: &Subject<'_>) -> bool {
    m.tenant
        .as_deref()
        .is_none_or(|t| s.tenant.is_some_and(|have| glob(t, have, None)))
        && m.body.iter().all(|(path, want)| {
            s.body
                .and_then(|b| at_path(b, path))
                .is_some_and(|have| value_matches(want, have))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn a_path_glob_star_stays_within_one_segment() {
        assert!(glob("/v1/cashouts/*", "/v1/cashouts/abc", Some(b'/')));
        assert!(!glob("/v1/cashouts/*", "/v1/cashouts/abc/x", Some(b'/')));
        assert!(!glob("/v1/cashouts/*", "/v1/cashouts", Some(b'/')));
        assert!(glob("/v1/**", "/v1/cashouts/abc/x", Some(b'/')));
        assert!(glob("/v1/cash?uts", "/v1/cashouts", Some(b'/')));
        assert!(glob("/v1/cashouts", "/v1/cashouts", Some(b'/')));
        assert!(!glob("/v1/cashouts", "/v1/cashouts/", Some(b'/')));
    }

    #[test]
    fn a_compiled_pattern_matches_as_the_glob_does() {
        for (p, t) in [
            ("/v1/cashouts/*", "/v1/cashouts/a"),
            ("/v1/*/x", "/v1/a/y"),
            ("/v1", "/v1"),
            ("/v1/c?", "/v1/c"),
        ] {
            assert_eq!(
                Pattern::new(p, Some(b'/')).matches(t),
                glob(p, t, Some(b'/')),
                "{p} {t}"
            );
        }
    }

    #[test]
    fn a_value_glob_star_matches_anything() {
        assert!(glob("k-*", "k-2391/a", None));
        assert!(!glob("k-*", "x-1", None));
        assert!(glob("*", "", None));
        assert!(
            glob("caf?", "café", None),
            "? is one character, not one byte"
        );
        assert!(!glob("caf??", "café", None));
    }

    #[test]
    fn dotted_body_paths_reach_nested_fields_and_array_items() {
        let body = json!({"a": {"b": [{"c": 1}, {"c": "two"}]}});
        assert_eq!(at_path(&body, "a.b.1.c"), Some(&json!("two")));
        assert_eq!(at_path(&body, "a.b.9.c"), None);
        assert_eq!(at_path(&body, "a.x"), None);
    }

    #[test]
    fn body_values_compare_by_value_and_strings_glob() {
        assert!(value_matches(&json!(50000), &json!(50000.0)));
        assert!(value_matches(&json!("5*"), &json!(50000)));
        assert!(value_matches(&json!("TURBO"), &json!("TURBO")));
        assert!(!value_matches(&json!("TURBO"), &json!("ACH")));
        assert!(value_matches(&json!(true), &json!(true)));
    }

    fn subject<'a>(headers: &'a HeaderMap, body: &'a Value) -> Subject<'a> {
        Subject {
            provider: "onepay",
            method: Some(&Method::POST),
            path: Some("/v1/cashouts"),
            headers: Some(headers),
            body: Some(body),
            tenant: Some("onepay:sk_test_abc"),
            event: None,
        }
    }

    #[test]
    fn every_given_field_must_hold() {
        let mut headers = HeaderMap::new();
        headers.insert("x-idempotency", "k-1".parse().unwrap());
        let body = json!({"method": "TURBO", "amount": 5});
        let m: Match = serde_json::from_value(json!({
            "provider": "onepay", "method": "post", "path": "/v1/*",
            "headers": {"X-Idempotency": "k-*"}, "body": {"method": "TURBO"},
            "tenant": "onepay:sk_test_*"
        }))
        .unwrap();
        assert!(matches(&m, &subject(&headers, &body)));

        let other_tenant = Match {
            tenant: Some("onepay:sk_live_*".into()),
            ..m.clone()
        };
        assert!(!matches(&other_tenant, &subject(&headers, &body)));
        let other_header = Match {
            headers: [("x-idempotency".to_string(), "z-*".to_string())].into(),
            ..m.clone()
        };
        assert!(!matches(&other_header, &subject(&headers, &body)));
    }

    #[test]
    fn a_field_the_subject_cannot_tell_does_not_hold() {
        let m = Match {
            tenant: Some("onepay:*".into()),
            ..Match::default()
        };
        let s = Subject {
            provider: "onepay",
            ..Subject::default()
        };
        assert!(!matches(&m, &s));
        assert!(Head::new(&m).matches(&s));
        assert!(matches(&Match::default(), &s));
    }
}
