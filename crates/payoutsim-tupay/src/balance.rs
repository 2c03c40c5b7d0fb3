//! `GET /v1/balance/report` (the daily balance report: `from`, `to`, `page`, the 60-day rule as
//! for the lists) and `GET /v1/balance` (the total available balance, per currency), both
//! computed by `ledger.rs` from the records the lists show.
//!
//! The report's item is D24's (get-balance-report); `/v1/balance`'s answer is not documented
//! anywhere: ours is a JSON array of `{idMerchant, currency, totalBalance, date}`, one per
//! balance currency, where `totalBalance` equals the newest report row's for that currency.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use payoutsim_core::kit::Auth;

use crate::Tupay;
use crate::auth::Session;
use crate::error::{Params, TupayError, json_response};
use crate::ledger;
use crate::model::{MAX_ROWS, Page};
use crate::validation::range_and_page;

pub(crate) fn routes() -> Router<Tupay> {
    Router::new()
        .route("/v1/balance/report", get(report))
        .route("/v1/balance", get(balance))
}

async fn report(
    State(tupay): State<Tupay>,
    Auth(session): Auth<Session>,
    params: Params,
) -> Result<Response, TupayError> {
    let (range, page) = range_and_page(&params)?;
    let mut store = tupay.store();
    let m = &*crate::resident(&tupay, &mut store, &session.tenant)?;
    let skip = usize::try_from(page)
        .ok()
        .and_then(|p| p.checked_mul(MAX_ROWS))
        .unwrap_or(usize::MAX);
    let rows = ledger::report(m, &range);
    let data: Vec<_> = rows.into_iter().skip(skip).take(MAX_ROWS).collect();
    Ok(json_response(StatusCode::OK, &Page::new(page, data)))
}

async fn balance(
    State(tupay): State<Tupay>,
    Auth(session): Auth<Session>,
) -> Result<Response, TupayError> {
    let now = tupay.now_for(&session.tenant);
    let mut store = tupay.store();
    let m = &*crate::resident(&tupay, &mut store, &session.tenant)?;
    Ok(json_response(StatusCode::OK, &ledger::balances(m, now)))
}
