//! What the lists share: the filters ([`matches`], on what every record has: `state::Txn`), the
//! one list handler ([`list`]) both resources route to, and the page of a request ([`page`]):
//! newest first by `creationDate` (then id), `from` and `to` inclusive, [`MAX_ROWS`] per page
//! from page 0, a page past the end empty (`rows: 0`).

use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use payoutsim_core::kit::Auth;
use serde::Serialize;

use crate::Tupay;
use crate::auth::Session;
use crate::error::{Params, TupayError, json_response};
use crate::model::{MAX_ROWS, Page};
use crate::state::{Merchant, Record, Txn};
use crate::validation::{ListQuery, Listing, list_query};

/// A record a list shows.
pub trait Listed: Record + Sized {
    /// Which list it is (its `status` values).
    const LISTING: Listing;
    /// How it looks on the wire.
    type Wire<'a>: Serialize
    where
        Self: 'a;
    /// The merchant's records of this kind, oldest first.
    fn of(m: &Merchant) -> &[Self];
    fn wire<'a>(&'a self, m: &'a Merchant) -> Self::Wire<'a>;
}

/// Whether `t` is one `q` asks for. `paymentMethod` reads a deposit's method (what the payer
/// used) and a cashout's rail.
pub fn matches(t: &Txn, q: &ListQuery) -> bool {
    q.range.contains(t.created)
        && q.country.as_deref().is_none_or(|c| t.country.code == c)
        && q.method.is_none_or(|m| t.method.code == m)
        && q.status.is_none_or(|s| t.lc.status == s)
        && q.documents.iter().all(|d| *t.client_document == **d)
}

/// Page `q.page` of `records` (kept oldest first) that `q` asks for, newest first.
pub fn page<'a, R: Listed>(records: &'a [R], q: &ListQuery) -> impl Iterator<Item = &'a R> {
    let skip = usize::try_from(q.page)
        .ok()
        .and_then(|p| p.checked_mul(MAX_ROWS))
        .unwrap_or(usize::MAX);
    // Only records up to `to` can match: walk backwards from there until `from`.
    let end = records.partition_point(|r| r.txn().created <= q.range.to);
    records[..end]
        .iter()
        .rev()
        .take_while(|r| r.txn().created >= q.range.from)
        .filter(move |r| matches(r.txn(), q))
        .skip(skip)
        .take(MAX_ROWS)
}

/// `GET` of a list: the session's merchant's records of kind `R`, one page.
pub(crate) async fn list<R: Listed>(
    State(tupay): State<Tupay>,
    Auth(session): Auth<Session>,
    params: Params,
) -> Result<Response, TupayError> {
    let q = list_query(&params, R::LISTING)?;
    let mut store = tupay.store();
    let m = &*crate::resident(&tupay, &mut store, &session.tenant)?;
    let data: Vec<R::Wire<'_>> = page(R::of(m), &q).map(|r| r.wire(m)).collect();
    Ok(json_response(StatusCode::OK, &Page::new(q.page, data)))
}
