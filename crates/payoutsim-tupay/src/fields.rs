//! The back office's field readers, each refusal naming its field: amounts (numbers or strings,
//! at most two decimals), creation dates (RFC 3339 or Unix seconds, never in the future), and
//! the catalogue's countries, methods and currencies, and a start status and outcome checked
//! against the kind's machine.

use chrono::{DateTime, Utc};
use payoutsim_core::error::AdminError;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::Tupay;
use crate::catalog::{self, Country, Method};
use crate::model::whole_seconds;
use crate::statuses::{COMPLETED, PENDING};

/// `value` (a number or a string of one, at most two decimals, not negative) in minor units,
/// read from the JSON text as sent (never through a float): more decimals is refused, never
/// rounded.
pub fn minor_units(field: &str, value: &RawValue) -> Result<i64, AdminError> {
    let bad = || {
        AdminError::bad_request(format!(
            "`{field}` must be an amount with at most 2 decimals, 0 or more"
        ))
    };
    let raw = value.get().trim();
    let text = if raw.starts_with('"') {
        serde_json::from_str::<String>(raw).map_err(|_| bad())?
    } else if raw.starts_with(|c: char| c.is_ascii_digit()) {
        raw.to_string()
    } else {
        return Err(bad());
    };
    let text = text.trim();
    // Strings take plain decimals only; numbers as JSON writes them (an exponent is shifted).
    let plain = if raw.starts_with('"') {
        std::borrow::Cow::Borrowed(text)
    } else {
        payoutsim_core::money::plain_decimal(text).ok_or_else(bad)?
    };
    let (whole, _) = plain.split_once('.').unwrap_or((&plain, ""));
    if whole.len() > 12 {
        return Err(bad());
    }
    payoutsim_core::money::minor_units(&plain, 2, i64::MAX)
        .ok()
        .filter(|u| *u >= 0 && !plain.starts_with('-'))
        .ok_or_else(bad)
}

/// `creationDate`: RFC 3339 or Unix seconds, never after `now`; default `now`.
pub(crate) fn creation(
    value: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AdminError> {
    let bad = || {
        AdminError::bad_request("`creationDate` must be RFC 3339 or Unix seconds, not after now")
    };
    let at = match value {
        None => now,
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or_else(bad)?,
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        Some(_) => return Err(bad()),
    };
    let at = whole_seconds(at);
    if at > now {
        return Err(bad());
    }
    Ok(at)
}

pub(crate) fn country_of(code: Option<&str>) -> Result<&'static Country, AdminError> {
    let code = code.unwrap_or("PE");
    catalog::country(code).ok_or_else(|| {
        let known: Vec<&str> = catalog::COUNTRIES.iter().map(|c| c.code).collect();
        AdminError::bad_request(format!(
            "`country` {code} is not one of {}",
            known.join(", ")
        ))
    })
}

pub(crate) fn method_of(
    code: Option<&str>,
    default: &'static Method,
) -> Result<&'static Method, AdminError> {
    let Some(code) = code else {
        return Ok(default);
    };
    catalog::method_named(code).ok_or_else(|| {
        let known: Vec<&str> = catalog::METHODS.iter().map(|m| m.code).collect();
        AdminError::bad_request(format!(
            "`paymentMethod` {code} is not one of {}",
            known.join(", ")
        ))
    })
}

pub(crate) fn currency_of(
    field: &str,
    code: Option<&str>,
    default: &'static str,
) -> Result<&'static str, AdminError> {
    let Some(code) = code else {
        return Ok(default);
    };
    let known = catalog::currencies();
    (known.iter().copied())
        .find(|c| c.eq_ignore_ascii_case(code))
        .ok_or_else(|| {
            AdminError::bad_request(format!(
                "`{field}` {code} is not one of {}",
                known.join(", ")
            ))
        })
}

/// The start status and outcome asked for, checked against `kind`'s machine.
pub(crate) fn route(
    tupay: &Tupay,
    kind: &str,
    status: Option<&str>,
    outcome: Option<&str>,
) -> Result<(String, String), AdminError> {
    let machine = tupay
        .machine(kind, "")
        .ok_or_else(|| AdminError::bad_request(format!("no machine for {kind}")))?;
    let status = status.unwrap_or(PENDING).to_ascii_uppercase();
    let outcome = outcome.unwrap_or(COMPLETED).to_ascii_uppercase();
    if !machine.knows(&status) {
        let known = machine.statuses().join(", ");
        return Err(AdminError::bad_request(format!(
            "`status` {status} is not a {kind} status ({known})"
        )));
    }
    if !machine.is_terminal(&outcome) {
        let known = machine.terminal.join(", ");
        return Err(AdminError::bad_request(format!(
            "`outcome` {outcome} is not a final {kind} status ({known})"
        )));
    }
    Ok((status, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_take_at_most_two_decimals_as_numbers_or_strings() {
        let units = |text: &str| minor_units("a", &raw(text)).ok();
        assert_eq!(units("12.5"), Some(1_250));
        assert_eq!(units(r#""12.34""#), Some(1_234));
        assert_eq!(units("7"), Some(700));
        for bad in ["-1", r#""1.234""#, r#""1e3""#, "true", r#""""#] {
            assert!(minor_units("a", &raw(bad)).is_err(), "{bad}");
        }
    }

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn an_amount_with_more_precision_than_cents_is_refused_as_written() {
        for bad in [
            "999.99999999999999999",
            "1000.0000000000001",
            r#""1000.001""#,
        ] {
            assert!(minor_units("a", &raw(bad)).is_err(), "{bad}");
        }
        assert_eq!(minor_units("a", &raw("1000.10")).ok(), Some(100_010));
        assert_eq!(minor_units("a", &raw("1.5e2")).ok(), Some(15_000));
    }

    #[test]
    fn a_creation_date_is_rfc_3339_or_unix_seconds_and_never_in_the_future() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(creation(None, now).ok(), Some(now));
        assert_eq!(
            creation(Some(&json!(1_600_000_000)), now)
                .ok()
                .map(|t| t.timestamp()),
            Some(1_600_000_000)
        );
        let text = json!("2023-11-14T22:00:00Z");
        assert!(creation(Some(&text), now).is_ok());
        assert!(creation(Some(&json!(1_700_000_001)), now).is_err());
    }
}
