//! What the lists share: the filters ([`matches`], on what every record has: `state::Txn`), the
//! one list handler ([`list`]) both resources route to, and the page of a request ([`page`]):
//! newest first by `creationDate` (then id), `from` and `to` inclusive, [`MAX_ROWS`] per page
//! from page 0, a page past the end empty (`rows: 0`).

use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use payoutsim_core::kit::Auth;
use payoutsim_core::page;
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
    #[cfg(test)]
    tests::LOOKED.with(|n| n.set(n.get() + 1));
    q.range.contains(t.created) && matches_beyond_range(t, q)
}

/// Whether `t` passes `q`'s filters other than the date range.
fn matches_beyond_range(t: &Txn, q: &ListQuery) -> bool {
    q.country.as_deref().is_none_or(|c| t.country.code == c)
        && q.method.is_none_or(|m| t.method.code == m)
        && q.status.is_none_or(|s| t.lc.status == s)
        && q.documents.iter().all(|d| *t.client_document == **d)
}

/// Whether `q` filters on anything but the date range.
fn filters_beyond_range(q: &ListQuery) -> bool {
    q.country.is_some() || q.method.is_some() || q.status.is_some() || !q.documents.is_empty()
}

/// Page `q.page` of `records` (kept oldest first by `creationDate`) that `q` asks for, newest
/// first. The range is found by binary search; with no other filter the page is cut out of it
/// directly (its cost is the page's, however deep), else the range is walked newest first
/// by reference, only the page's records kept.
pub fn page<'a, R: Listed>(records: &'a [R], q: &ListQuery) -> Vec<&'a R> {
    let skip = usize::try_from(q.page)
        .ok()
        .and_then(|p| p.checked_mul(MAX_ROWS))
        .unwrap_or(usize::MAX);
    let end = records.partition_point(|r| r.txn().created <= q.range.to);
    let start = records[..end].partition_point(|r| r.txn().created < q.range.from);
    let in_range = records[start..end].iter().rev();
    if !filters_beyond_range(q) {
        return page::cut(in_range, skip, MAX_ROWS);
    }
    let kept = in_range.filter(move |r| matches(r.txn(), q));
    page::cut(kept, skip, MAX_ROWS)
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
    let data: Vec<R::Wire<'_>> = (page(R::of(m), &q).into_iter())
        .map(|r| r.wire(m))
        .collect();
    Ok(json_response(StatusCode::OK, &Page::new(q.page, data)))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use chrono::{TimeDelta, TimeZone, Utc};

    use super::*;
    use crate::history::{Plan, generate};
    use crate::state::DepositRec;
    use crate::validation::Range;

    thread_local! {
        /// Records [`matches`] looked at on this thread.
        pub(super) static LOOKED: Cell<usize> = const { Cell::new(0) };
    }

    /// A merchant with about 7,000 deposits in 60 days (volume 20; its id block holds 8,191).
    fn busy() -> Merchant {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let plan = Plan {
            days: 60,
            volume: 20.0,
        };
        generate(3, "tupay:busy", "busy", now, plan, |b| b)
    }

    fn query(m: &Merchant, page: u64, status: Option<&'static str>) -> ListQuery {
        ListQuery {
            range: Range {
                from: m.generated_at - TimeDelta::days(60),
                to: m.generated_at,
            },
            page,
            country: None,
            method: None,
            status,
            documents: Vec::new(),
        }
    }

    /// The page a naive reading gives: every record, newest first, filtered, cut.
    fn naive<'a>(records: &'a [DepositRec], q: &ListQuery) -> Vec<&'a DepositRec> {
        let mut all: Vec<&DepositRec> = records.iter().filter(|r| matches(&r.txn, q)).collect();
        all.reverse();
        let skip = q.page as usize * MAX_ROWS;
        all.into_iter().skip(skip).take(MAX_ROWS).collect()
    }

    #[test]
    fn a_deep_unfiltered_page_looks_at_no_record_outside_it() {
        let m = busy();
        let deep = (m.deposits.len() / MAX_ROWS - 2) as u64;
        let q = query(&m, deep, None);

        LOOKED.with(|n| n.set(0));
        let got = page(&m.deposits, &q);
        let looked = LOOKED.with(Cell::get);

        assert!(m.deposits.len() > 5_000, "{} deposits", m.deposits.len());
        assert_eq!(got.len(), MAX_ROWS);
        assert!(
            looked <= MAX_ROWS,
            "{looked} records looked at for one page"
        );
        let ids = |p: Vec<&DepositRec>| p.iter().map(|r| r.txn.id).collect::<Vec<_>>();
        assert_eq!(ids(got), ids(naive(&m.deposits, &q)));
    }

    #[test]
    fn filtered_and_narrowed_pages_match_the_naive_reading() {
        let m = busy();
        let mut q = query(&m, 3, Some(crate::statuses::COMPLETED));
        let ids = |p: Vec<&DepositRec>| p.iter().map(|r| r.txn.id).collect::<Vec<_>>();
        assert_eq!(ids(page(&m.deposits, &q)), ids(naive(&m.deposits, &q)));
        q.status = None;
        q.range.from += TimeDelta::days(20);
        q.range.to -= TimeDelta::days(20);
        assert_eq!(ids(page(&m.deposits, &q)), ids(naive(&m.deposits, &q)));
        q.page = 1_000_000;
        assert!(page(&m.deposits, &q).is_empty());
    }
}
