//! Laravel pagination: `?page=&per_page=` in, `{data, current_page, from, last_page, per_page,
//! to, total}` out (page: https://docs.onepay.la/client/invoices/list), plus the raw query for
//! `filter[...]` and `sort`. A list handler takes [`Params`] as an extractor.

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query};
use http::request::Parts;
use payoutsim_core::page;
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
    paginate_iter(items.into_iter(), params)
}

/// [`paginate`] over an iterator that knows its length, taking only the page's items (the
/// core's [`page::cut`]: a page of a tenant's table costs O(per_page), not O(rows)). Map the
/// page afterwards ([`Page::map`]), not the iterator (a mapped iterator skips one by one).
pub fn paginate_iter<I: ExactSizeIterator>(items: I, params: &Params) -> Page<I::Item> {
    let total = items.len();
    let start = first_index(params);
    let data = page::cut(items, start, params.per_page.max(1));
    page_of(data, total, params)
}

/// The page of the items `keep` keeps (the core's [`page::cut_filtered`]: each row looked at
/// by reference, only the page's kept); map it afterwards to make its wire objects.
pub fn paginate_filtered<I: Iterator>(
    items: I,
    keep: impl FnMut(&I::Item) -> bool,
    params: &Params,
) -> Page<I::Item> {
    let start = first_index(params);
    let (data, total) = page::cut_filtered(items, keep, start, params.per_page.max(1));
    page_of(data, total, params)
}

/// The index of the first item of page `params.page`.
fn first_index(params: &Params) -> usize {
    (params.page - 1).saturating_mul(params.per_page.max(1))
}

/// Page `params.page`, holding `data`, of `total` items.
fn page_of<T>(data: Vec<T>, total: usize, params: &Params) -> Page<T> {
    let per_page = params.per_page.max(1);
    let last_page = total.div_ceil(per_page).max(1);
    let start = first_index(params);
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

impl<T> Page<T> {
    /// The same page with each item mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(f).collect(),
            current_page: self.current_page,
            from: self.from,
            last_page: self.last_page,
            per_page: self.per_page,
            to: self.to,
            total: self.total,
        }
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

    #[test]
    fn a_filtered_page_keeps_only_its_own_items_and_counts_the_rest() {
        let rows: Vec<usize> = (0..50).collect();
        let odd = |r: &&usize| **r % 2 == 1;
        let page = paginate_filtered(rows.iter().rev(), odd, &params(2, 10));
        let want: Vec<usize> = (0..50)
            .rev()
            .filter(|r| r % 2 == 1)
            .skip(10)
            .take(10)
            .collect();
        assert_eq!(page.map(|r| *r).data, want);
        let page = paginate_filtered(rows.iter(), odd, &params(3, 10));
        assert_eq!(
            (page.total, page.last_page, page.from, page.to),
            (25, 3, Some(21), Some(25))
        );
    }

    #[test]
    fn pages_of_a_reversed_table_match_the_pages_of_its_copy() {
        let rows: Vec<usize> = (0..47).collect();
        for (page, per_page) in [(1, 20), (2, 20), (3, 20), (4, 20), (1, 1), (47, 1), (9, 5)] {
            let p = params(page, per_page);
            let copied = paginate(rows.iter().rev().copied().collect(), &p);
            let borrowed = paginate_iter(rows.iter().rev(), &p).map(|r| *r);
            assert_eq!(borrowed.data, copied.data, "page {page} of {per_page}");
            assert_eq!((borrowed.from, borrowed.to), (copied.from, copied.to));
        }
        let p = params(2, 20);
        let old: Vec<usize> = rows.iter().rev().skip(20).take(20).copied().collect();
        assert_eq!(paginate_iter(rows.iter().rev(), &p).map(|r| *r).data, old);
    }
}
