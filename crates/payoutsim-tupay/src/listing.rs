//! What the lists share: the fields a record is filtered on ([`Facts`]), the one list handler
//! ([`list`]) both resources route to, and the page of a request ([`page`]): newest first by
//! `creationDate` (then id), `from` and `to` inclusive, [`MAX_ROWS`] per page from page 0, a
//! page past the end empty (`rows: 0`).

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::kit::Auth;
use serde::Serialize;

use crate::Tupay;
use crate::auth::Session;
use crate::error::{Params, TupayError, json_response};
use crate::model::{MAX_ROWS, Page};
use crate::state::Merchant;
use crate::validation::{ListQuery, Listing, list_query};

/// A record's fields, as the filters read them.
pub struct Facts<'a> {
    pub created: DateTime<Utc>,
    pub country: &'a str,
    pub method: &'a str,
    pub status: &'a str,
    pub document: &'a str,
}

/// A record a list shows.
pub trait Listed: Sized {
    /// Which list it is (its `status` values).
    const LISTING: Listing;
    /// How it looks on the wire.
    type Wire<'a>: Serialize
    where
        Self: 'a;
    /// The merchant's records of this kind, oldest first.
    fn of(m: &Merchant) -> &[Self];
    fn facts(&self) -> Facts<'_>;
    fn wire<'a>(&'a self, m: &'a Merchant) -> Self::Wire<'a>;
}

/// Whether a record with `f` is one `q` asks for.
pub fn matches(f: &Facts<'_>, q: &ListQuery) -> bool {
    q.range.contains(f.created)
        && q.country.as_deref().is_none_or(|c| f.country == c)
        && q.method.is_none_or(|m| f.method == m)
        && q.status.is_none_or(|s| f.status == s)
        && q.documents.iter().all(|d| f.document == d)
}

/// Page `q.page` of `records` (kept oldest first) that `q` asks for, newest first.
pub fn page<'a, R: Listed>(records: &'a [R], q: &ListQuery) -> impl Iterator<Item = &'a R> {
    let skip = usize::try_from(q.page)
        .ok()
        .and_then(|p| p.checked_mul(MAX_ROWS))
        .unwrap_or(usize::MAX);
    // Only records up to `to` can match: walk backwards from there until `from`.
    let end = records.partition_point(|r| r.facts().created <= q.range.to);
    records[..end]
        .iter()
        .rev()
        .take_while(|r| r.facts().created >= q.range.from)
        .filter(move |r| matches(&r.facts(), q))
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
    let store = tupay.store();
    let m = store.merchant(&session.tenant)?;
    let data: Vec<R::Wire<'_>> = page(R::of(m), &q).map(|r| r.wire(m)).collect();
    Ok(json_response(StatusCode::OK, &Page::new(q.page, data)))
}
