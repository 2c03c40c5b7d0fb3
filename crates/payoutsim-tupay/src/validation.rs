//! The query parameters of the lists and the report, checked in Tupay's words.
//!
//! `from` and `to` are Unix seconds (the only client seen sends `int(datetime.timestamp())`),
//! both required, inclusive, `from <= to` (D24's code 17) and at most 60 days apart; `page`
//! starts at 0. Filters: `country` (an ISO 3166 code, D24's code 19 otherwise), `paymentMethod`
//! (a code of the catalogue, 2 to 4 letters such as `XAQR`), `status` (the list's own values),
//! `clienteDocument` (Tupay) and `clientDocument` (D24), both filtering. Values are read in any
//! case; an empty value counts as not sent; a name sent twice counts its last value; other
//! names are ignored. The first problem found is the one answered.

use chrono::{DateTime, TimeDelta, Utc};

use crate::catalog::{self, METHODS};
use crate::error::{Params, TupayError};

/// The widest range accepted: `to - from` at most 60 days.
pub const MAX_RANGE_S: i64 = 60 * 86_400;
/// The largest timestamp accepted: the end of year 9999.
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// Which list a query is for: its `status` values differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    Deposits,
    Cashouts,
}

/// `from`..=`to`, whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t <= self.to
    }
}

/// A list request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub range: Range,
    pub page: u64,
    pub country: Option<String>,
    pub method: Option<&'static str>,
    pub status: Option<&'static str>,
    /// Every document asked for (`clienteDocument`, `clientDocument`): each must match.
    pub documents: Vec<String>,
}

fn timestamp(params: &Params, name: &'static str) -> Result<DateTime<Utc>, TupayError> {
    let raw = params.get(name).ok_or(TupayError::Missing(name))?;
    let unix = " (a Unix timestamp in seconds)";
    let seconds: i64 = raw
        .parse()
        .map_err(|_| TupayError::NotInteger(name, unix))?;
    if !(0..=MAX_TIMESTAMP).contains(&seconds) {
        return Err(TupayError::NotInteger(name, unix));
    }
    DateTime::from_timestamp(seconds, 0).ok_or(TupayError::NotInteger(name, unix))
}

/// `from`, `to` and `page`: what the lists and the report share.
pub fn range_and_page(params: &Params) -> Result<(Range, u64), TupayError> {
    let from = timestamp(params, "from")?;
    let to = timestamp(params, "to")?;
    if from > to {
        return Err(TupayError::FromAfterTo);
    }
    if to - from > TimeDelta::seconds(MAX_RANGE_S) {
        return Err(TupayError::RangeTooLong);
    }
    let page = match params.get("page") {
        None => 0,
        Some(raw) => raw
            .parse::<u64>()
            .map_err(|_| TupayError::NotInteger("page", " of 0 or more"))?,
    };
    Ok((Range { from, to }, page))
}

/// `value` if it is one of `accepted` (any case), else the list's refusal.
fn one_of(
    name: &'static str,
    value: &str,
    accepted: &[&'static str],
) -> Result<&'static str, TupayError> {
    (accepted.iter().copied())
        .find(|a| a.eq_ignore_ascii_case(value))
        .ok_or_else(|| TupayError::UnknownValue(name, value.to_string(), accepted.join(", ")))
}

/// A list request's parameters, for `listing`.
pub fn list_query(params: &Params, listing: Listing) -> Result<ListQuery, TupayError> {
    let (range, page) = range_and_page(params)?;
    let country = match params.get("country") {
        Some(c) if catalog::is_iso_country(c) => Some(c.to_ascii_uppercase()),
        Some(c) => return Err(TupayError::InvalidCountry(c.to_string())),
        None => None,
    };
    let codes: Vec<&'static str> = METHODS.iter().map(|m| m.code).collect();
    let method = match params.get("paymentMethod") {
        Some(m) => Some(one_of("paymentMethod", m, &codes)?),
        None => None,
    };
    let statuses = match listing {
        Listing::Deposits => crate::statuses::DEPOSIT_FILTER,
        Listing::Cashouts => crate::statuses::CASHOUT_FILTER,
    };
    let status = match params.get("status") {
        Some(s) => Some(one_of("status", s, statuses)?),
        None => None,
    };
    let documents = ["clienteDocument", "clientDocument"]
        .iter()
        .filter_map(|name| params.get(name).map(str::to_string))
        .collect();
    Ok(ListQuery {
        range,
        page,
        country,
        method,
        status,
        documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            (pairs.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    const DAY: &str = "86400";

    #[test]
    fn a_range_of_exactly_sixty_days_is_accepted_and_one_second_more_is_not() {
        let ok = range_and_page(&params(&[("from", "0"), ("to", "5184000")]));
        let long = range_and_page(&params(&[("from", "0"), ("to", "5184001")]));

        assert_eq!(ok.map(|(_, page)| page), Ok(0));
        assert_eq!(long.err(), Some(TupayError::RangeTooLong));
    }

    #[test]
    fn from_after_to_is_d24s_code_17() {
        let e = range_and_page(&params(&[("from", DAY), ("to", "0")])).err();
        assert_eq!(e.map(|e| e.code()), Some(17));
    }

    #[test]
    fn missing_or_non_integer_timestamps_are_refused_naming_the_parameter() {
        let missing = range_and_page(&params(&[("to", DAY)])).err();
        let decimal = range_and_page(&params(&[("from", "1.5"), ("to", DAY)])).err();
        let millis = range_and_page(&params(&[("from", "0"), ("to", "999999999999999")])).err();

        assert_eq!(missing, Some(TupayError::Missing("from")));
        assert!(matches!(decimal, Some(TupayError::NotInteger("from", _))));
        assert!(matches!(millis, Some(TupayError::NotInteger("to", _))));
    }

    #[test]
    fn filters_are_read_in_any_case_and_both_document_spellings_filter() {
        let q = list_query(
            &params(&[
                ("from", "0"),
                ("to", DAY),
                ("page", "3"),
                ("country", "pe"),
                ("paymentMethod", "xaqr"),
                ("status", "completed"),
                ("clienteDocument", "123"),
                ("clientDocument", "456"),
            ]),
            Listing::Deposits,
        )
        .unwrap();

        assert_eq!(q.page, 3);
        assert_eq!(q.country.as_deref(), Some("PE"));
        assert_eq!((q.method, q.status), (Some("XAQR"), Some("COMPLETED")));
        assert_eq!(q.documents, ["123", "456"]);
    }

    #[test]
    fn unknown_filter_values_are_refused_with_what_is_accepted() {
        let base = [("from", "0"), ("to", DAY)];
        let with = |extra: (&'static str, &'static str)| {
            let mut all = base.to_vec();
            all.push(extra);
            params(&all)
        };

        let country = list_query(&with(("country", "XX")), Listing::Deposits).err();
        let status = list_query(&with(("status", "DELIVERED")), Listing::Deposits).err();
        let method = list_query(&with(("paymentMethod", "ZZ")), Listing::Cashouts).err();

        assert_eq!(country.map(|e| e.code()), Some(19));
        assert!(status.is_some_and(|e| e.to_string().contains("PENDING, APPROVED")));
        assert_eq!(method.map(|e| e.code()), Some(104));
        assert!(list_query(&with(("status", "DELIVERED")), Listing::Cashouts).is_ok());
    }
}
