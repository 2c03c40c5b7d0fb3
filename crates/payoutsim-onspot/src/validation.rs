//! Create Payouts input: the request body as a list of items, and each item checked on its own.
//!
//! - [`validate`]: one item -> a [`NewPayout`], or the messages naming each failing field
//! - [`parse_cents`], [`format_cents`]: amounts as decimal strings (`"6700"`, `"10.50"`)
//!
//! Messages follow class-validator's wording (`x must be …`, `x should not be empty`), since
//! OnSpot's API is evidently NestJS: an assumption, as its error texts are undocumented.

use serde::Serializer;
use serde_json::{Map, Value};

/// The `documentType` enum (seed).
pub const DOCUMENT_TYPES: &[&str] = &["DNI", "PASSPORT", "RUC", "CE", "NIT", "RUT", "CC", "PPT"];
/// The `type` enum (seed).
pub const PAYOUT_TYPES: &[&str] = &["BUSINESS", "INDIVIDUAL"];
/// Largest amount accepted, in whole units.
pub const MAX_AMOUNT: i64 = 1_000_000_000;
/// Longest name, e-mail or document text accepted.
pub const MAX_TEXT: usize = 255;

pub use crate::model::{NewPayout, Representative};

/// Checks one item; `Err` lists every failing field's message, in field order.
pub fn validate(item: &Map<String, Value>) -> Result<NewPayout, Vec<String>> {
    let mut errors = Vec::new();
    let kind = one_of(item, "type", PAYOUT_TYPES, &mut errors);
    let document_type = one_of(item, "documentType", DOCUMENT_TYPES, &mut errors);
    let document_number = required_text(item, "documentNumber", &mut errors);
    let business = kind == Some("BUSINESS");
    let individual = kind == Some("INDIVIDUAL");
    let legal_name = if business {
        required_text(item, "legalName", &mut errors)
    } else {
        optional_text(item, "legalName", &mut errors)
    };
    let representative = if business {
        representative(item, &mut errors)
    } else {
        None
    };
    let (first_name, last_name) = if individual {
        (
            required_text(item, "firstName", &mut errors),
            required_text(item, "lastName", &mut errors),
        )
    } else {
        (
            optional_text(item, "firstName", &mut errors),
            optional_text(item, "lastName", &mut errors),
        )
    };
    let customer_email = match item.get("customerEmail") {
        Some(Value::String(s)) if is_email(s) => Some(s.clone()),
        _ => {
            errors.push("customerEmail must be an email".into());
            None
        }
    };
    let amount = amount(item, &mut errors);
    let currency = match item.get("currency") {
        Some(Value::String(s)) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
            Some(s.clone())
        }
        _ => {
            errors.push("currency must be a valid ISO4217 currency code".into());
            None
        }
    };
    let description = optional_text(item, "description", &mut errors);
    match (
        kind,
        document_type,
        document_number,
        customer_email,
        amount,
        currency,
    ) {
        (Some(kind), Some(dt), Some(dn), Some(email), Some((text, cents)), Some(currency))
            if errors.is_empty() =>
        {
            let boxed = |text: Option<String>| text.map(String::into_boxed_str);
            Ok(NewPayout {
                kind,
                document_type: dt,
                document_number: dn.into(),
                legal_name: boxed(legal_name),
                representative: representative.map(Box::new),
                first_name: boxed(first_name),
                last_name: boxed(last_name),
                customer_email: email.into(),
                amount: text.into(),
                amount_cents: cents,
                currency: currency.into(),
                description: boxed(description),
            })
        }
        _ => Err(errors),
    }
}

/// The allowed value `field` holds, as the list's own text (nothing to allocate or keep).
fn one_of(
    item: &Map<String, Value>,
    field: &str,
    allowed: &'static [&'static str],
    errors: &mut Vec<String>,
) -> Option<&'static str> {
    let sent = item.get(field).and_then(Value::as_str);
    match sent.and_then(|s| allowed.iter().find(|a| **a == s)) {
        Some(s) => Some(s),
        _ => {
            errors.push(format!(
                "{field} must be one of the following values: {}",
                allowed.join(", ")
            ));
            None
        }
    }
}

fn text(value: &Value, field: &str, errors: &mut Vec<String>) -> Option<String> {
    match value {
        Value::String(s) if s.chars().count() <= MAX_TEXT => Some(s.clone()),
        Value::String(_) => {
            errors.push(format!(
                "{field} must be shorter than or equal to {MAX_TEXT} characters"
            ));
            None
        }
        _ => {
            errors.push(format!("{field} must be a string"));
            None
        }
    }
}

fn required_text(
    item: &Map<String, Value>,
    field: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    match item.get(field) {
        None | Some(Value::Null) => {
            errors.push(format!("{field} should not be empty"));
            None
        }
        Some(v) => {
            let s = text(v, field, errors)?;
            if s.trim().is_empty() {
                errors.push(format!("{field} should not be empty"));
                return None;
            }
            Some(s)
        }
    }
}

fn optional_text(
    item: &Map<String, Value>,
    field: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    match item.get(field) {
        None | Some(Value::Null) => None,
        Some(v) => text(v, field, errors),
    }
}

/// `businessRepresentative`: an object whose names are strings (the seed sends them empty).
fn representative(item: &Map<String, Value>, errors: &mut Vec<String>) -> Option<Representative> {
    let Some(Value::Object(rep)) = item.get("businessRepresentative") else {
        errors.push("businessRepresentative must be an object".into());
        return None;
    };
    let mut name = |field: &str| {
        let path = format!("businessRepresentative.{field}");
        match rep.get(field) {
            None | Some(Value::Null) => Some(String::new()),
            Some(v) => text(v, &path, errors),
        }
    };
    let first_name = name("firstName");
    let last_name = name("lastName");
    Some(Representative {
        first_name: first_name?,
        last_name: last_name?,
    })
}

/// `amount`: a decimal string > 0, at most 2 decimals, at most [`MAX_AMOUNT`].
fn amount(item: &Map<String, Value>, errors: &mut Vec<String>) -> Option<(String, i64)> {
    let Some(Value::String(s)) = item.get("amount") else {
        errors.push("amount must be a number string".into());
        return None;
    };
    let Some(cents) = parse_cents(s) else {
        errors.push("amount must be a number string with at most 2 decimals".into());
        return None;
    };
    if cents <= 0 {
        errors.push("amount must be a positive number".into());
        return None;
    }
    if cents > MAX_AMOUNT * 100 {
        errors.push(format!("amount must not be greater than {MAX_AMOUNT}"));
        return None;
    }
    Some((s.clone(), cents))
}

/// Cents of a decimal string `digits[.d[d]]` (`"98l00"`, `"-1"`, `"1e3"`, `""` are `None`).
pub fn parse_cents(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 13 || !digits(whole) || frac.len() > 2 || !digits(frac) {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// `"6700.00"`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Serialises cents as a decimal string, for the back office.
pub fn serialize_cents<S: Serializer>(cents: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_cents(*cents))
}

/// A plain e-mail check: one `@`, a local part, a dotted domain, no spaces, at most 254 bytes.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn individual() -> Value {
        json!({
            "type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
            "legalName": "", "firstName": "Aries", "lastName": "Studio",
            "customerEmail": "eduardmarbell193777@hotmail.com", "amount": "9800",
            "currency": "USD", "description": "Testing10"
        })
    }

    #[test]
    fn the_seed_business_item_with_empty_representative_names_is_valid() {
        let item = json!({
            "type": "BUSINESS", "documentType": "PASSPORT", "documentNumber": "75798566878",
            "legalName": "TestStudio", "businessRepresentative": {"firstName": "", "lastName": ""},
            "customerEmail": "teststudio@yopmail.com", "amount": "6700", "currency": "USD",
            "description": "Testing"
        });
        let p = validate(&obj(item)).unwrap();
        assert_eq!(p.amount_cents, 670_000);
        assert_eq!(p.legal_name.as_deref(), Some("TestStudio"));
    }

    #[test]
    fn the_seed_amount_with_a_letter_is_refused_naming_the_field() {
        let mut item = individual();
        item["amount"] = json!("98l00");
        let errors = validate(&obj(item)).unwrap_err();
        assert_eq!(
            errors,
            ["amount must be a number string with at most 2 decimals"]
        );
    }

    #[test]
    fn every_failing_field_is_named() {
        let item = json!({"type": "INDIVIDUAL", "documentType": "SSN", "amount": 5});
        let errors = validate(&obj(item)).unwrap_err().join("|");
        for field in [
            "documentType",
            "documentNumber",
            "firstName",
            "lastName",
            "customerEmail",
            "amount",
            "currency",
        ] {
            assert!(errors.contains(field), "{field} not in {errors}");
        }
    }

    #[test]
    fn a_business_needs_a_legal_name_and_a_representative() {
        let mut item = individual();
        item["type"] = json!("BUSINESS");
        let errors = validate(&obj(item)).unwrap_err();
        assert_eq!(
            errors,
            [
                "legalName should not be empty",
                "businessRepresentative must be an object"
            ]
        );
    }

    #[test]
    fn amounts_are_decimal_strings_with_two_decimals_at_most() {
        assert_eq!(parse_cents("6700"), Some(670_000));
        assert_eq!(parse_cents("10.5"), Some(1050));
        assert_eq!(parse_cents("0.01"), Some(1));
        for bad in ["98l00", "", ".5", "5.", "1.234", "-1", "1e3", " 1", "1,00"] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(format_cents(670_000), "6700.00");
        assert_eq!(format_cents(-5), "-0.05");
    }

    #[test]
    fn an_amount_with_more_precision_than_cents_is_refused_never_rounded() {
        for bad in ["999.99999999999999999", "1000.0000000000001", "1000.000"] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(parse_cents("999999999.99"), Some(99_999_999_999));
    }

    #[test]
    fn e_mails_need_a_local_part_and_a_dotted_domain() {
        assert!(is_email("studioTesting@yopmail.com"));
        for bad in ["", "a@b", "@b.com", "a b@c.com", "a@@b.com", "a@b..com"] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
