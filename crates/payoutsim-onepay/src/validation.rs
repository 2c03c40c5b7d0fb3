//! Field-by-field validation of a JSON body, Laravel style: every failing field is listed, each
//! with Laravel's wording (`The selected method is invalid.`), the first one as the message.

use chrono::NaiveDate;
use payoutsim_core::kit::{ExactObject, Written};
use serde_json::{Map, Value};

use crate::error::{FieldError, OnePayError};

/// The largest amount accepted: 10^13 (in whole units).
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000_000;

/// Laravel's attribute name: `customer_id` -> `customer id`.
pub fn attr(key: &str) -> String {
    key.replace(['_', '-'], " ")
}

/// A body under validation, collecting errors.
pub struct Fields<'a> {
    body: &'a Map<String, Value>,
    /// Its top-level numbers as the client wrote them, when known (amounts are read from these
    /// digits).
    written: Option<&'a Written>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Map<String, Value>) -> Self {
        Self {
            body,
            written: None,
            errors: Vec::new(),
        }
    }

    /// A body read with its numbers' digits as sent: amounts are read from those digits rather
    /// than from their `f64`s.
    pub fn exact(body: &'a ExactObject) -> Self {
        Self {
            written: Some(&body.written),
            ..Self::new(&body.members)
        }
    }

    pub fn error(&mut self, key: &str, description: impl Into<String>) {
        self.errors.push(FieldError::new(key, description));
    }

    pub fn has_error(&self, key: &str) -> bool {
        self.errors.iter().any(|e| e.key == key)
    }

    /// The value of `key` unless absent or null.
    fn present(&self, key: &str) -> Option<&'a Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    /// The raw value of `key` unless absent or null.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.present(key)
    }

    fn required(&mut self, key: &str) -> Option<&'a Value> {
        let v = self.present(key);
        if v.is_none() {
            self.error(key, format!("The {} field is required.", attr(key)));
        }
        v
    }

    /// A string of at most `max` characters (optional when `required` is false; null = absent).
    pub fn string(&mut self, key: &str, required: bool, max: usize) -> Option<&'a str> {
        let v = if required {
            self.required(key)?
        } else {
            self.present(key)?
        };
        match v.as_str() {
            Some(s) if required && s.trim().is_empty() => {
                self.error(key, format!("The {} field is required.", attr(key)));
                None
            }
            Some(s) if s.chars().count() > max => {
                let msg = format!(
                    "The {} field must not be greater than {max} characters.",
                    attr(key)
                );
                self.error(key, msg);
                None
            }
            Some(s) => Some(s),
            None => {
                self.error(key, format!("The {} field must be a string.", attr(key)));
                None
            }
        }
    }

    /// A string, or a non-negative integer taken as its digits (for numbers clients may send
    /// unquoted, like account and document numbers).
    pub fn digits_or_string(&mut self, key: &str) -> Option<String> {
        match self.required(key)? {
            Value::Number(n) if n.is_u64() => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => {
                self.error(key, format!("The {} field must be a string.", attr(key)));
                None
            }
        }
    }

    /// One of `allowed` (exact spelling).
    pub fn one_of(&mut self, key: &str, required: bool, allowed: &[&str]) -> Option<&'a str> {
        let v = if required {
            self.required(key)?
        } else {
            self.present(key)?
        };
        match v.as_str() {
            Some(s) if allowed.contains(&s) => Some(s),
            _ => {
                let msg = format!(
                    "The selected {} is invalid. Allowed values: {}.",
                    attr(key),
                    allowed.join(", ")
                );
                self.error(key, msg);
                None
            }
        }
    }

    /// Must be `true` (Laravel's `accepted`).
    pub fn accepted(&mut self, key: &str) -> Option<bool> {
        match self.required(key)? {
            Value::Bool(true) => Some(true),
            _ => {
                self.error(key, format!("The {} field must be accepted.", attr(key)));
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.present(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                let msg = format!("The {} field must be true or false.", attr(key));
                self.error(key, msg);
                None
            }
        }
    }

    pub fn email(&mut self, key: &str) -> Option<String> {
        let s = self.string(key, true, 255)?;
        if is_email(s) {
            Some(s.to_string())
        } else {
            let msg = format!("The {} field must be a valid email address.", attr(key));
            self.error(key, msg);
            None
        }
    }

    /// A `Y-m-d` date.
    pub fn date(&mut self, key: &str) -> Option<String> {
        let s = self.string(key, false, 10)?;
        if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10 {
            Some(s.to_string())
        } else {
            let msg = format!("The {} field must match the format Y-m-d.", attr(key));
            self.error(key, msg);
            None
        }
    }

    /// A positive JSON number with at most 2 decimals, at most 10^13; in cents.
    pub fn amount(&mut self, key: &str, required: bool) -> Option<i64> {
        let v = if required {
            self.required(key)?
        } else {
            self.present(key)?
        };
        let a = attr(key);
        let Value::Number(n) = v else {
            self.error(key, format!("The {a} field must be a number."));
            return None;
        };
        match to_cents(self.written.and_then(|w| w.get(key)).map(String::as_str), n) {
            Err(msg) => {
                self.error(key, msg.replace("{a}", &a));
                None
            }
            Ok(c) if c <= 0 => {
                self.error(key, format!("The {a} field must be greater than 0."));
                None
            }
            Ok(c) if c > MAX_AMOUNT_CENTS => {
                let msg = format!("The {a} field must not be greater than 10000000000000.");
                self.error(key, msg);
                None
            }
            Ok(c) => Some(c),
        }
    }

    /// Ends validation: `Ok` when no field failed.
    pub fn finish(self) -> Result<(), OnePayError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(OnePayError::Validation(self.errors))
        }
    }
}

/// A JSON number in cents, read exactly from `written` (its text as sent) when known: more
/// than 2 decimals is refused, never rounded. An `Err` carries the message with `{a}` for the
/// attribute.
pub fn to_cents(written: Option<&str>, n: &serde_json::Number) -> Result<i64, String> {
    use payoutsim_core::money::{AmountError, number_minor_units};
    number_minor_units(written, n, 2, MAX_AMOUNT_CENTS).map_err(|e| {
        match e {
            AmountError::NotDecimal => "The {a} field must be a number.",
            AmountError::TooPrecise => "The {a} field must have 0-2 decimal places.",
            AmountError::TooLarge => "The {a} field must not be greater than 10000000000000.",
        }
        .into()
    })
}

/// A plausible email address: `local@domain.tld`, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cents(v: Value) -> Result<i64, String> {
        match v {
            Value::Number(n) => to_cents(None, &n),
            _ => unreachable!(),
        }
    }

    #[test]
    fn amounts_keep_up_to_two_decimals_exactly() {
        assert_eq!(cents(json!(1000)), Ok(100_000));
        assert_eq!(cents(json!(1000.5)), Ok(100_050));
        assert_eq!(cents(json!(0.29)), Ok(29));
        assert_eq!(cents(json!(9999999999999.99)), Ok(999_999_999_999_999));
        assert!(cents(json!(10.001)).is_err());
        assert!(cents(json!(1e-7)).is_err());
    }

    #[test]
    fn an_amount_is_read_from_the_digits_sent_and_excess_precision_refused() {
        for (raw, want) in [
            (r#"{"amount": 999.99999999999999999}"#, None),
            (r#"{"amount": 1000.0000000000001}"#, None),
            (r#"{"amount": 1000.10}"#, Some(100_010)),
            (r#"{"amount": 1.5e2}"#, Some(15_000)),
        ] {
            let body = payoutsim_core::kit::exact_object(raw.as_bytes()).unwrap();
            let mut f = Fields::exact(&body);

            let cents = f.amount("amount", true);

            assert_eq!(cents, want, "{raw}");
            if want.is_none() {
                let Err(OnePayError::Validation(errors)) = f.finish() else {
                    panic!("{raw}: expected a validation error")
                };
                assert_eq!(
                    errors[0].description,
                    "The amount field must have 0-2 decimal places."
                );
            }
        }
    }

    #[test]
    fn every_failing_field_is_listed_in_order() {
        let body = json!({"amount": "x", "method": "INSTANT"});
        let map = body.as_object().unwrap();
        let mut f = Fields::new(map);
        f.amount("amount", true);
        f.one_of("method", true, &["ACH", "TURBO"]);
        f.string("customer_id", true, 255);
        let Err(OnePayError::Validation(errors)) = f.finish() else {
            panic!("expected errors")
        };
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["amount", "method", "customer_id"]);
        assert!(errors[1].description.contains("ACH, TURBO"));
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert!(is_email("ana@example.co"));
        assert!(!is_email("ana@example"));
        assert!(!is_email("ana example@x.co"));
    }
}
