//! Request fields, read as the OpenAPI document declares them (types, required, enums,
//! patterns, lengths, formats). The first failing field answers, with the most specific
//! documented code: `invalid-email` for an e-mail, `invalid-phone-number` for a phone number or
//! country code, `invalid-input` for everything else. Fields the document does not declare are
//! ignored (real clients send more than the document allows).

use serde_json::{Map, Value};

use crate::error::{DotsError, code};

/// Reads the fields of one JSON object; the first failure is kept and returned by `finish`.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    /// The path of this object in the request (`items[3].`), for messages.
    prefix: String,
    error: Option<DotsError>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self::at(map, "")
    }

    /// The fields of a nested object, named `prefix…` in messages.
    pub fn at(map: &'a Map<String, Value>, prefix: &str) -> Self {
        Self {
            map,
            prefix: prefix.to_string(),
            error: None,
        }
    }

    fn fail(&mut self, code: &'static str, name: &str, what: &str) {
        if self.error.is_none() {
            let message = format!("{}{name}: {what}", self.prefix);
            self.error = Some(DotsError::invalid(code, message));
        }
    }

    /// Records a failure of `name` found by the caller.
    pub fn error(&mut self, name: &str, what: &str) {
        self.fail(code::INVALID_INPUT, name, what);
    }

    pub fn has_error(&self) -> bool {
        self.error.is_some()
    }

    /// The value of `name`, `None` when absent (or `null`, where `null` means absent); a
    /// missing required field is an error.
    fn value(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        match self.map.get(name) {
            Some(Value::Null) | None => {
                if required {
                    self.fail(code::INVALID_INPUT, name, "is required");
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A string of `min..=max` characters.
    pub fn string(&mut self, name: &str, required: bool, min: usize, max: usize) -> Option<String> {
        self.string_coded(code::INVALID_INPUT, name, required, (min, max))
    }

    fn string_coded(
        &mut self,
        code: &'static str,
        name: &str,
        required: bool,
        (min, max): (usize, usize),
    ) -> Option<String> {
        let v = self.value(name, required)?;
        let Some(s) = v.as_str() else {
            self.fail(code, name, "must be a string");
            return None;
        };
        let n = s.chars().count();
        if n < min || n > max {
            let what = if max == usize::MAX {
                format!("must have at least {min} characters")
            } else {
                format!("must have {min} to {max} characters")
            };
            self.fail(code, name, &what);
            return None;
        }
        Some(s.to_string())
    }

    /// A string of 1 to `max` ASCII digits (`country_code` `^[0-9]{1,3}$`, `phone_number`
    /// `^[0-9]{1,20}$`), refused as `invalid-phone-number`.
    pub fn digits(&mut self, name: &str, required: bool, max: usize) -> Option<String> {
        let s = self.string_coded(code::INVALID_PHONE, name, required, (1, max))?;
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            self.fail(
                code::INVALID_PHONE,
                name,
                &format!("must be 1 to {max} digits"),
            );
            return None;
        }
        Some(s)
    }

    /// An e-mail address (`format: email`), refused as `invalid-email`.
    pub fn email(&mut self, name: &str, required: bool) -> Option<String> {
        let s = self.string_coded(code::INVALID_EMAIL, name, required, (3, 254))?;
        if !is_email(&s) {
            self.fail(code::INVALID_EMAIL, name, "must be a valid e-mail address");
            return None;
        }
        Some(s)
    }

    /// A string of the `values` enum.
    pub fn one_of(&mut self, name: &str, required: bool, values: &[&str]) -> Option<String> {
        let s = self.string(name, required, 0, usize::MAX)?;
        if !values.contains(&s.as_str()) {
            let what = format!("must be one of {}", values.join(", "));
            self.fail(code::INVALID_INPUT, name, &what);
            return None;
        }
        Some(s)
    }

    /// A UUID string (`format: uuid`).
    pub fn uuid(&mut self, name: &str, required: bool) -> Option<String> {
        let s = self.string(name, required, 0, usize::MAX)?;
        if !is_uuid(&s) {
            self.fail(code::INVALID_INPUT, name, "must be a UUID");
            return None;
        }
        Some(s)
    }

    /// A JSON integer (not a float, not a string) in `min..=max`.
    pub fn integer(&mut self, name: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let v = self.value(name, required)?;
        let Some(n) = v.as_i64() else {
            self.fail(code::INVALID_INPUT, name, "must be an integer (cents)");
            return None;
        };
        if n < min || n > max {
            self.fail(
                code::INVALID_INPUT,
                name,
                &format!("must be from {min} to {max}"),
            );
            return None;
        }
        Some(n)
    }

    /// A boolean (`null` counts as absent).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let v = self.value(name, false)?;
        let Some(b) = v.as_bool() else {
            self.fail(code::INVALID_INPUT, name, "must be a boolean");
            return None;
        };
        Some(b)
    }

    /// `metadata`: a string or an object (`null` as absent).
    pub fn metadata(&mut self, name: &str) -> Option<Value> {
        let v = self.value(name, false)?;
        if !(v.is_string() || v.is_object()) {
            self.fail(code::INVALID_INPUT, name, "must be a string or an object");
            return None;
        }
        Some(v.clone())
    }

    /// An object, for its own fields.
    pub fn object(&mut self, name: &str, required: bool) -> Option<&'a Map<String, Value>> {
        let v = self.value(name, required)?;
        let Some(m) = v.as_object() else {
            self.fail(code::INVALID_INPUT, name, "must be an object");
            return None;
        };
        Some(m)
    }

    /// An array of `min..=max` elements.
    pub fn array(
        &mut self,
        name: &str,
        required: bool,
        min: usize,
        max: usize,
    ) -> Option<&'a [Value]> {
        let v = self.value(name, required)?;
        let Some(a) = v.as_array() else {
            self.fail(code::INVALID_INPUT, name, "must be an array");
            return None;
        };
        if a.len() < min || a.len() > max {
            self.fail(
                code::INVALID_INPUT,
                name,
                &format!("must have {min} to {max} items"),
            );
            return None;
        }
        Some(a)
    }

    /// An array of distinct strings of the `values` enum (`uniqueItems`).
    pub fn enum_list(&mut self, name: &str, values: &[&str]) -> Option<Vec<String>> {
        let items = self.array(name, false, 0, values.len().max(1) * 4)?;
        let mut out: Vec<String> = Vec::new();
        for item in items {
            match item.as_str() {
                Some(s) if values.contains(&s) && !out.iter().any(|o| o == s) => out.push(s.into()),
                Some(s) if out.iter().any(|o| o == s) => {
                    self.fail(code::INVALID_INPUT, name, "must not repeat an item");
                    return None;
                }
                _ => {
                    let what = format!("items must be one of {}", values.join(", "));
                    self.fail(code::INVALID_INPUT, name, &what);
                    return None;
                }
            }
        }
        Some(out)
    }

    /// A calendar date `YYYY-MM-DD` (`format: date`).
    pub fn date(&mut self, name: &str) -> Option<String> {
        let s = self.string(name, false, 0, usize::MAX)?;
        if s.len() != 10 || chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_err() {
            self.fail(code::INVALID_INPUT, name, "must be a date (YYYY-MM-DD)");
            return None;
        }
        Some(s)
    }

    /// The first failure, if any.
    pub fn finish(&mut self) -> Result<(), DotsError> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Whether `s` looks like an e-mail address: one `@`, a non-empty local part, a dotted domain,
/// no white space.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `s` is a hyphenated UUID (any version).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The keys of a 1099-K adjustment's `monthly_amounts`, as Dots' document names them.
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The `1099_adjustment` object: one of the two documented forms (a 1099-K's
/// `monthly_amounts` has exactly the twelve month names, each an integer).
pub fn adjustment_1099(f: &mut Fields<'_>) -> Option<Value> {
    let adj = f.object("1099_adjustment", false)?;
    let form = adj.get("form").and_then(Value::as_str);
    let year_ok = adj.get("year").is_some_and(Value::is_i64);
    let ok = match form {
        Some("1099-NEC") => {
            year_ok
                && adj
                    .get("amount")
                    .and_then(Value::as_i64)
                    .is_some_and(|a| a >= 1)
        }
        Some("1099-K") => {
            year_ok
                && adj
                    .get("monthly_amounts")
                    .and_then(Value::as_object)
                    .is_some_and(|m| {
                        m.len() == MONTHS.len()
                            && MONTHS
                                .iter()
                                .all(|month| m.get(*month).is_some_and(Value::is_i64))
                    })
        }
        _ => false,
    };
    if !ok {
        f.error("1099_adjustment", "must be a 1099-NEC {year, form, amount} or 1099-K {year, form, monthly_amounts} adjustment");
        return None;
    }
    Some(Value::Object(adj.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_first_failing_field_answers_with_its_own_code() {
        let body = map(json!({"email": "nope", "phone_number": "12a"}));
        let mut f = Fields::new(&body);
        f.email("email", true);
        f.digits("phone_number", true, 20);
        let e = f.finish().err();
        assert_eq!(e.as_ref().map(DotsError::code), Some(code::INVALID_EMAIL));
    }

    #[test]
    fn a_float_amount_is_not_an_integer() {
        let body = map(json!({"amount": 10.5}));
        let mut f = Fields::new(&body);
        assert_eq!(f.integer("amount", true, 1, i64::MAX), None);
        assert!(f.finish().is_err());
    }

    #[test]
    fn a_whole_float_an_exponent_or_a_huge_integer_is_not_cents() {
        for raw in [
            r#"{"amount": 100.0}"#,
            r#"{"amount": 1e2}"#,
            r#"{"amount": 99999999999999999999}"#,
            r#"{"amount": "100"}"#,
        ] {
            let body: Map<String, Value> = serde_json::from_str(raw).unwrap_or_default();
            let mut f = Fields::new(&body);
            assert_eq!(f.integer("amount", true, 1, i64::MAX), None, "{raw}");
        }
        let body: Map<String, Value> =
            serde_json::from_str(r#"{"amount": 100}"#).unwrap_or_default();
        assert_eq!(
            Fields::new(&body).integer("amount", true, 1, i64::MAX),
            Some(100)
        );
    }

    #[test]
    fn uuids_and_emails_are_recognised() {
        assert!(is_uuid("3c90c3cc-0d44-4b50-8888-8dd25736052a"));
        assert!(!is_uuid("c3d4e5f6-g7h8-i9j0-k1l2-m3n4o5p6q7r8"));
        assert!(is_email("bob@bobloblaw.com"));
        assert!(!is_email("bob@localhost"));
        assert!(!is_email("b ob@x.com"));
    }
}
