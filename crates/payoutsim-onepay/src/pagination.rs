//! Laravel pagination: `?page=&per_page=` in, `{data, current_page, from, last_page, per_page,
//! to, total}` out (page: https://docs.onepay.la/client/invoices/list), plus the raw query for
//! `filter[...]` and `sort`. A list handler takes [`Params`] as an extractor.

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query};
use http::request::Parts;
use serde::Serialize;

use crate::error::{FieldError, OnePayError};

/// Items per page unless `per_page` says otherwise (the documented example shows 20).
pub const DEFAULT_PER_PAGE: usize = 20;
/// The largest `per_page` accepted (clients ask for 200 banks at once).
pub const MAX_PER_PAGE: usize = 200;

/// A list request's query; as an extractor, a malformed one is refused in OnePay's envelope.
#[derive(Debug, Clone)]
pub struct Params {
    pub page: usize,
    pub per_page: usize,
    raw: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = OnePayError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, OnePayError> {
        Self::from_query(Query::from_request_parts(parts, state).await)
    }
}

impl Params {
    /// Reads `page` and `per_page` (422 when not whole numbers in range).
    pub fn from_query(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self, OnePayError> {
        let raw = match query {
            Ok(Query(raw)) => raw,
            Err(_) => {
                return Err(OnePayError::field(
                    "query",
                    "The query string could not be parsed.",
                ));
            }
        };
        let mut errors = Vec::new();
        let mut number = |key: &str, default: usize, max: usize| -> usize {
            let Some((_, v)) = raw.iter().rev().find(|(k, _)| k == key) else {
                return default;
            };
            match v.trim().parse::<usize>() {
                Ok(n) if n >= 1 && n <= max => n,
                _ => {
                    let attr = key.replace('_', " ");
                    let msg = if max == usize::MAX {
                        format!("The {attr} field must be an integer of at least 1.")
                    } else {
                        format!("The {attr} field must be an integer between 1 and {max}.")
                    };
                    errors.push(FieldError::new(key, msg));
                    default
                }
            }
        };
        let page = number("page", 1, usize::MAX);
        let per_page = number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
        if !errors.is_empty() {
            return Err(OnePayError::Validation(errors));
        }
        Ok(Self {
            page,
            per_page,
            raw,
        })
    }

    /// The last value of a query parameter, e.g. `filter[status]`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.raw
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub current_page: usize,
    pub from: Option<usize>,
    pub last_page: usize,
    pub per_page: usize,
    pub to: Option<usize>,
    pub total: usize,
}

/// Cuts page `params.page` out of `items` (already filtered and ordered).
pub fn paginate<T>(items: Vec<T>, params: &Params) -> Page<T> {
    let total = items.len();
    let per_page = params.per_page.max(1);
    let last_page = total.div_ceil(per_page).max(1);
    let start = (params.page - 1).saturating_mul(per_page);
    let data: Vec<T> = items.into_iter().skip(start).take(per_page).collect();
    let (from, to) = if data.is_empty() {
        (None, None)
    } else {
        (Some(start + 1), Some(start + data.len()))
    };
    Page {
        data,
        current_page: params.page,
        from,
        last_page,
        per_page,
        to,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: usize, per_page: usize) -> Params {
        Params {
            page,
            per_page,
            raw: Vec::new(),
        }
    }

    #[test]
    fn a_middle_page_reports_its_bounds() {
        let page = paginate((1..=21).collect(), &params(2, 20));
        assert_eq!(page.data, vec![21]);
        assert_eq!(
            (page.from, page.to, page.last_page, page.total),
            (Some(21), Some(21), 2, 21)
        );
    }

    #[test]
    fn a_page_past_the_end_is_empty_with_null_bounds() {
        let page = paginate(vec![1, 2], &params(3, 20));
        assert!(page.data.is_empty());
        assert_eq!((page.from, page.to, page.last_page), (None, None, 1));
    }

    #[test]
    fn bad_numbers_are_validation_errors() {
        let q = Ok(Query(vec![("per_page".to_string(), "0".to_string())]));
        assert!(matches!(
            Params::from_query(q),
            Err(OnePayError::Validation(_))
        ));
    }
}
