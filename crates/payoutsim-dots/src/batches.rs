//! Payout batches: `POST /v2/payout-batches` (200; 1 to 5000 items, each with an
//! `idempotency_key` and `fund: true`, no key twice), `GET /v2/payout-batches` (cursor pages),
//! `GET /v2/payout-batches/{id}` (with `items_processed`, `items_succeeded`, `items_failed`),
//! `GET /v2/payout-batches/{id}/results?include_request=`.
//!
//! A batch moves `created` -> `processing` (1 s) -> `paying_out` (10 s) -> `completed` (1 min)
//! on the simulated clock. Entering `processing`, items naming no user of the app fail
//! (`no_such_resource`, `User not found: <id>`); entering `paying_out`, the others are paid out
//! in order, each a payout drawn on the app wallet (a refusal, such as
//! `transaction-insufficient-funds` or an item key already used by a payout, fails that item
//! only). A seen batch `idempotency_key` is 409.

use std::collections::HashSet;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use payoutsim_core::Transition;
use payoutsim_core::kit::{Auth, Event};
use serde_json::Value;

use crate::auth::Caller;
use crate::error::{Body, DotsError, Id, Params, json as answer};
use crate::idempotent::{self, Repeat, reply};
use crate::model::BatchResults;
use crate::pages::PageQuery;
use crate::payouts::{PayoutRequest, read_request, start_payout};
use crate::state::{AppData, BatchItem, BatchRec, PAYOUT_BATCH};
use crate::validation::Fields;
use crate::{Dots, MAX_BATCH_ITEMS, render};
use payoutsim_core::ordered::Order;

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/api/v2/payout-batches", get(list).post(create))
        .route("/api/v2/payout-batches/{id}", get(show))
        .route("/api/v2/payout-batches/{id}/results", get(results))
}

/// Reads the items, each a payout request with a key and `fund: true`, no key twice.
fn read_items(items: &[Value]) -> Result<Vec<BatchItem>, DotsError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("items[{i}].");
        let Some(map) = item.as_object() else {
            return Err(DotsError::input(format!("items[{i}]: must be an object")));
        };
        let req: PayoutRequest = read_request(map, &prefix)?;
        let Some(key) = req.idempotency_key.clone() else {
            return Err(DotsError::input(format!(
                "{prefix}idempotency_key: is required"
            )));
        };
        if !req.fund {
            return Err(DotsError::input(format!("{prefix}fund: must be true")));
        }
        if !seen.insert(key.clone()) {
            return Err(DotsError::input(format!(
                "{prefix}idempotency_key: {key} appears more than once in the batch"
            )));
        }
        out.push(BatchItem {
            user_id: req.user_id.clone(),
            idempotency_key: key,
            amount: req.amount,
            platform: req.platform.clone(),
            account_id: req.account_id.clone(),
            tax_exempt: req.tax_exempt,
            metadata: req.metadata.clone(),
            request: item.clone(),
            transfer_id: None,
            error: None,
            processed: false,
        });
    }
    Ok(out)
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let items = f.array("items", true, 1, MAX_BATCH_ITEMS);
    let key = f.uuid("idempotency_key", false);
    let metadata = f.metadata("metadata");
    f.finish()?;
    let items = read_items(items.unwrap_or_default())?;
    let now = dots.now_for(&caller.tenant);
    let reply = idempotent::run(
        &dots,
        &caller.tenant,
        "/v2/payout-batches",
        key.as_deref(),
        Repeat::Reject("Payout batch"),
        || {
            let id = dots.engine().ids().uuid(&caller.tenant);
            let machine = (dots.machine(PAYOUT_BATCH, ""))
                .ok_or_else(|| DotsError::Internal("no payout batch machine".into()))?;
            let destiny = dots.decide::<i64>(&machine, None, None);
            let wire = caller.with_app(&dots, |app| {
                dots.make_room(&caller.tenant, app, 1)?;
                let lc = dots.start(&caller.tenant, &machine, &id, destiny, now);
                let rec = BatchRec {
                    id: id.clone(),
                    created: now,
                    idempotency_key: key.clone(),
                    metadata,
                    items,
                    lc,
                };
                let wire = render::batch(&rec, app);
                app.batches.insert(id.clone(), rec);
                Ok(wire)
            })?;
            reply(StatusCode::OK, &wire)
        },
    )?;
    Ok(idempotent::answer(reply))
}

/// Batch `change.object_id` of `app` moved: check its items entering `processing`, pay them out
/// entering `paying_out`.
pub(crate) fn batch_moved(
    dots: &Dots,
    tenant: &str,
    app: &mut AppData,
    change: &Transition,
) -> Vec<Event> {
    let id = change.object_id.as_str();
    match change.to.as_str() {
        "processing" => check_users(app, id),
        "paying_out" => pay_out(dots, tenant, app, id, change.at),
        _ => {}
    }
    Vec::new()
}

/// Items naming no user of the app fail.
fn check_users(app: &mut AppData, id: &str) {
    let AppData { batches, users, .. } = app;
    let Some(batch) = batches.get_mut(id) else {
        return;
    };
    for item in batch.items.iter_mut().filter(|i| !i.processed) {
        if users.get(&item.user_id).is_none() {
            let message = format!("User not found: {}", item.user_id);
            item.error = Some(("no_such_resource".into(), message));
            item.processed = true;
        }
    }
}

/// The remaining items, paid out in order.
fn pay_out(
    dots: &Dots,
    tenant: &str,
    app: &mut AppData,
    id: &str,
    at: chrono::DateTime<chrono::Utc>,
) {
    let Some(batch) = app.batches.get(id) else {
        return;
    };
    let pending: Vec<(usize, PayoutRequest)> = (batch.items.iter().enumerate())
        .filter(|(_, i)| !i.processed)
        .map(|(n, i)| {
            let req = PayoutRequest {
                user_id: i.user_id.clone(),
                amount: i.amount,
                platform: i.platform.clone(),
                account_id: i.account_id.clone(),
                fund: true,
                tax_exempt: i.tax_exempt,
                idempotency_key: Some(i.idempotency_key.clone()),
                metadata: i.metadata.clone(),
            };
            (n, req)
        })
        .collect();
    for (n, req) in pending {
        let transfer_id = dots.engine().ids().uuid(tenant);
        let key = req.idempotency_key.clone().unwrap_or_default();
        let outcome = idempotent::run(
            dots,
            tenant,
            "/v2/payouts",
            Some(&key),
            Repeat::Reject("Payout"),
            || {
                let t = start_payout(dots, tenant, app, (&transfer_id, &req, None), at)?;
                reply(StatusCode::CREATED, &t)
            },
        );
        let Some(item) = (app.batches.get_mut(id)).and_then(|b| b.items.get_mut(n)) else {
            continue;
        };
        item.processed = true;
        match outcome {
            Ok(_) => item.transfer_id = Some(transfer_id),
            Err(e) => item.error = Some((e.code().to_string(), e.to_string())),
        }
    }
}

async fn show(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let batch = caller.with_app(&dots, |app| {
        (app.batches.get(&id))
            .map(|b| render::batch(b, app))
            .ok_or_else(|| DotsError::not_found("Payout batch", &id))
    })?;
    Ok(answer(StatusCode::OK, &batch))
}

async fn list(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    params: Params,
) -> Result<Response, DotsError> {
    let page = PageQuery::from(&params)?;
    let body = caller.with_app(&dots, |app| {
        page.page(
            &app.batches,
            Order::NewestFirst,
            |_| true,
            |b| render::batch(b, app),
        )
    })?;
    Ok(answer(StatusCode::OK, &body))
}

async fn results(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
    params: Params,
) -> Result<Response, DotsError> {
    let include = match params.get("include_request").map(str::trim) {
        None | Some("false" | "False" | "0") => false,
        Some("true" | "True" | "1") => true,
        Some(_) => return Err(DotsError::input("include_request: must be true or false")),
    };
    let body = caller.with_app(&dots, |app| {
        let b = (app.batches.get(&id)).ok_or_else(|| DotsError::not_found("Payout batch", &id))?;
        Ok(BatchResults {
            batch: render::batch(b, app),
            items: render::results(b, app, include),
        })
    })?;
    Ok(answer(StatusCode::OK, &body))
}
