//! The back office's field readers, each refusal naming its field: amounts (numbers or strings,
//! at most two decimals), creation dates (RFC 3339 or Unix seconds, never in the future), and
//! the catalogue's countries, methods and currencies, and a start status and outcome checked
//! against the kind's machine.

use chrono::{DateTime, Utc};
use payoutsim_core::error::AdminError;
use serde_json::Value;

use crate::Tupay;
use crate::catalog::{self, Country, Method};
use crate::model::whole_seconds;
use crate::statuses::{COMPLETED, PENDING};

/// `value` (a number or a string of one, at most two decimals, not negative) in minor units.
pub fn minor_units(field: &str, value: &Value) -> Result<i64, AdminError> {
    let bad = || {
        AdminError::bad_request(format!(
            "`{field}` must be an amount with at most 2 decimals, 0 or more"
        ))
    };
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return Err(bad()),
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole)
        || whole.len() > 12
        || fraction.len() > 2
        || !(fraction.is_empty() || digits(fraction))
    {
        return Err(bad());
    }
    let units: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    Ok(units * 100 + cents)
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
        assert_eq!(minor_units("a", &json!(12.5)).ok(), Some(1_250));
        assert_eq!(minor_units("a", &json!("12.34")).ok(), Some(1_234));
        assert_eq!(minor_units("a", &json!(7)).ok(), Some(700));
        for bad in [
            json!(-1),
            json!("1.234"),
            json!("1e3"),
            json!(true),
            json!(""),
        ] {
            assert!(minor_units("a", &bad).is_err(), "{bad}");
        }
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
