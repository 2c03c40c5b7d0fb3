//! `GET /EntitiesServices/getBalance` and `GET /EntitiesServices/getOperations` (repo
//! Mon19109/apis-kashpay).
//!
//! getOperations takes its paging and filters as HEADERS: `page` (from 0, default 0), `size`
//! (default 25, at most 100), `status` (a numeric status) and `type` (a catalogue type). The docs'
//! "default" status 25 and type 1 are their example values: without the header nothing is
//! filtered. Operations are listed newest first. Without a filter a page is cut out of the
//! entity's table (its cost is the page's, not the table's); with one, each operation is
//! looked at by reference and wire objects are made for the page's alone.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use http::{HeaderMap, StatusCode};
use payoutsim_core::kit::Auth;
use payoutsim_core::page;

use crate::auth::Session;
use crate::catalog::operation_type;
use crate::error::{KashpayError, json_response};
use crate::model::{BalanceAnswer, OperationsAnswer};
use crate::state::OperationRec;
use crate::{Kashpay, with_entity};

/// `size` when the header is absent.
pub const DEFAULT_SIZE: u64 = 25;
/// The largest `size` accepted.
pub const MAX_SIZE: u64 = 100;

pub(crate) fn routes() -> Router<Kashpay> {
    Router::new()
        .route("/EntitiesServices/getBalance", get(balance))
        .route("/EntitiesServices/getOperations", get(operations))
}

async fn balance(State(kashpay): State<Kashpay>, Auth(session): Auth<Session>) -> Response {
    let entity = with_entity(&kashpay, &session.entity, |t| t.onsigna_entity());
    let answer = BalanceAnswer {
        success: true,
        onsigna_entity: entity,
        total_items: 0,
        total_pages: 0,
        current_page: 0,
    };
    json_response(StatusCode::OK, &answer)
}

/// getOperations' headers, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub size: u64,
    pub status: Option<u32>,
    pub kind: Option<u32>,
}

impl Paging {
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, KashpayError> {
        let mut errors = Vec::new();
        let mut number = |name: &str, lo: u64, hi: u64| -> Option<u64> {
            let raw = headers.get(name)?;
            let value = raw.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok());
            match value {
                Some(v) if (lo..=hi).contains(&v) => Some(v),
                _ => {
                    errors.push(format!("{name}: debe ser un número entre {lo} y {hi}"));
                    None
                }
            }
        };
        let page = number("page", 0, 1_000_000).unwrap_or(0);
        let size = number("size", 1, MAX_SIZE).unwrap_or(DEFAULT_SIZE);
        let status = number("status", 0, u64::from(u32::MAX)).map(|s| s as u32);
        let kind = number("type", 0, u64::from(u32::MAX)).map(|k| k as u32);
        if let Some(k) = kind.filter(|k| operation_type(*k).is_none()) {
            errors.push(format!("type: {k} no está en el catálogo de operaciones"));
        }
        if errors.is_empty() {
            Ok(Self {
                page,
                size,
                status,
                kind,
            })
        } else {
            Err(KashpayError::Validation(errors))
        }
    }
}

async fn operations(
    State(kashpay): State<Kashpay>,
    Auth(session): Auth<Session>,
    headers: HeaderMap,
) -> Result<Response, KashpayError> {
    let p = Paging::from_headers(&headers)?;
    let (operations, total) = with_entity(&kashpay, &session.entity, |t| {
        let start = usize::try_from(p.page.saturating_mul(p.size)).unwrap_or(usize::MAX);
        let size = usize::try_from(p.size).unwrap_or(usize::MAX);
        let newest_first = t.operations.iter().rev();
        // Unfiltered, the page is cut out of the table; filtered, each row is looked at by
        // reference and only the page's are kept. Wire objects are made for the page alone.
        let (page, total) = if p.status.is_none() && p.kind.is_none() {
            (page::cut(newest_first, start, size), t.operations.len())
        } else {
            let keep = |o: &&OperationRec| {
                p.status.is_none_or(|s| o.status == s) && p.kind.is_none_or(|k| o.kind == k)
            };
            page::cut_filtered(newest_first, keep, start, size)
        };
        let page: Vec<_> = page.into_iter().map(|o| t.operation_wire(o)).collect();
        (page, total as u64)
    });
    let answer = OperationsAnswer {
        success: true,
        operations,
        total_items: total,
        total_pages: total.div_ceil(p.size),
        current_page: p.page,
    };
    Ok(json_response(StatusCode::OK, &answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn paging_defaults_to_the_first_page_of_twenty_five_without_filters() {
        let p = Paging::from_headers(&HeaderMap::new()).ok();
        assert_eq!(
            p,
            Some(Paging {
                page: 0,
                size: 25,
                status: None,
                kind: None
            })
        );
    }

    #[test]
    fn paging_headers_are_read_and_checked() {
        let p = Paging::from_headers(&headers(&[
            ("page", "2"),
            ("size", "10"),
            ("status", "25"),
            ("type", "1"),
        ]));
        assert_eq!(
            p.ok(),
            Some(Paging {
                page: 2,
                size: 10,
                status: Some(25),
                kind: Some(1)
            })
        );
        let bad = Paging::from_headers(&headers(&[("size", "0"), ("type", "5"), ("page", "x")]));
        let text = bad.err().map(|e| e.to_string()).unwrap_or_default();
        for part in ["size", "type: 5", "page"] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }
}
