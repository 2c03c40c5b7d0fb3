//! `POST /v1/cashouts` (seed; page: https://docs.onepay.la/client/cashouts/create), and
//! `GET /v1/cashouts`, `GET /v1/cashouts/{id}` (plausible, not evidenced: served so clients can
//! poll).
//!
//! A cashout debits the tenant's balance when created (10501 when it cannot), then moves
//! `pending` -> `processing` -> `processed` | `failed` on the machine of its `method`; a failed
//! one is credited back (see `lifecycle.rs`).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use http::StatusCode;
use payoutsim_core::forced::Forced;
use payoutsim_core::idempotency::sized_answer;
use payoutsim_core::ids::{Uid, UidText};
use payoutsim_core::kit::{Auth, ExactObject};
use payoutsim_core::name::Name;
use serde::Serialize;

use crate::OnePay;
use crate::auth::Tenant;
use crate::error::{Id, OnePayError, raw_json};
use crate::idempotent::{Key, Post, Replayable};
use crate::lifecycle::{announce_serialised, start_payout};
use crate::pagination::{Params, paginate_filtered, paginate_iter};
use crate::state::{CASHOUT, CashoutRec, CashoutView, magic_for};
use crate::validation::Fields;

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/v1/cashouts", get(list).post(create))
        .route("/v1/cashouts/{id}", get(show))
}

/// `method` values accepted (INSTANT exists for OnePay but not for cashouts).
pub const METHODS: &[&str] = &["ACH", "TURBO"];
pub const CURRENCIES: &[&str] = &["COP"];
pub const SORTS: &[&str] = &["created_at", "-created_at"];

async fn create(forced: Forced, post: Post) -> Response {
    post.created_object(Key::Required, move |onepay, tenant, body| {
        create_cashout(onepay, tenant, body, &forced)
    })
}

/// A created cashout's answer: its id and the cashout serialised from its record.
pub struct CreatedCashout {
    id: UidText,
    body: Bytes,
}

/// A cashout's creation is answered by the cashout itself in its first status, so its key
/// keeps the cashout's id and a replay renders it again.
impl Replayable for CreatedCashout {
    fn id(&self) -> &str {
        self.id.as_str()
    }

    fn into_body(self) -> Bytes {
        self.body
    }

    fn first_answer(
        onepay: &OnePay,
        tenant: &Tenant,
        id: &str,
    ) -> Option<Result<Bytes, OnePayError>> {
        tenant.with_data(onepay, |t| {
            let c = t.cashouts.get(id)?;
            Some(cashout_answer(&t.cashout_view(c).first()))
        })
    }

    fn remember_key(onepay: &OnePay, tenant: &Tenant, id: &str, key: Arc<str>) {
        tenant.with_data(onepay, |t| {
            if let Some(c) = t.cashouts.get_mut(id) {
                c.key = Some(key);
            }
        });
    }
}

/// Room for a cashout's JSON in the usual case (about 400 bytes without description or remarks),
/// so its buffer is not grown while the store is locked.
const CASHOUT_BYTES: usize = 512;

/// A cashout's answer, written into a buffer of [`CASHOUT_BYTES`] to start with.
fn cashout_answer(view: &CashoutView<'_>) -> Result<Bytes, OnePayError> {
    payoutsim_core::json_out::written(CASHOUT_BYTES, |out| view.write_json(out))
        .map_err(|e| OnePayError::Internal(e.to_string()))
}

/// `value` serialised ([`sized_answer`]) into a buffer of `capacity` bytes to start with.
fn serialised<T: Serialize>(value: &T, capacity: usize) -> Result<Bytes, OnePayError> {
    sized_answer(value, capacity).map_err(|e| OnePayError::Internal(e.to_string()))
}

/// Newest first unless `sort=created_at`; `filter[status]`, `filter[method]`,
/// `filter[external_id]`.
async fn list(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    params: Params,
) -> Result<Response, OnePayError> {
    let sort = params.get("sort").unwrap_or("-created_at");
    if !SORTS.contains(&sort) {
        let msg = format!(
            "The selected sort is invalid. Allowed values: {}.",
            SORTS.join(", ")
        );
        return Err(OnePayError::field("sort", msg));
    }
    let status = params.get("filter[status]");
    let method = params.get("filter[method]");
    let external_id = params.get("filter[external_id]");
    if status.is_none() && method.is_none() && external_id.is_none() {
        // No filter: the page is cut out of the table itself, O(per_page).
        let page = tenant.with_data(&onepay, |t| {
            let page = if sort == "-created_at" {
                paginate_iter(t.cashouts.iter().rev(), &params).map(|c| t.cashout_view(c))
            } else {
                paginate_iter(t.cashouts.iter(), &params).map(|c| t.cashout_view(c))
            };
            serialised(&page, page_bytes(page.data.len()))
        });
        return Ok(raw_json(StatusCode::OK, page?));
    }
    // A filter: each row is looked at by reference, and the page's are serialised from theirs.
    let page = tenant.with_data(&onepay, |t| {
        let keep = |c: &&CashoutRec| {
            status.is_none_or(|s| c.lc.status == s)
                && method.is_none_or(|m| c.method == m)
                && external_id.is_none_or(|e| c.external_id.as_deref() == Some(e))
        };
        let page = if sort == "-created_at" {
            paginate_filtered(t.cashouts.iter().rev(), keep, &params).map(|c| t.cashout_view(c))
        } else {
            paginate_filtered(t.cashouts.iter(), keep, &params).map(|c| t.cashout_view(c))
        };
        serialised(&page, page_bytes(page.data.len()))
    });
    Ok(raw_json(StatusCode::OK, page?))
}

/// Room for a page of `n` cashouts and its bounds.
fn page_bytes(n: usize) -> usize {
    n * CASHOUT_BYTES + 128
}

async fn show(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
) -> Result<Response, OnePayError> {
    let body = tenant.with_data(&onepay, |t| {
        (t.cashouts.get(&id)).map(|c| cashout_answer(&t.cashout_view(c)))
    });
    let body = body.ok_or_else(|| OnePayError::not_found("Cashout"))?;
    Ok(raw_json(StatusCode::OK, body?))
}

fn create_cashout(
    onepay: &OnePay,
    tenant: &Tenant,
    body: &ExactObject,
    forced: &Forced,
) -> Result<CreatedCashout, OnePayError> {
    let mut f = Fields::exact(body);
    let amount = f.amount("amount", true);
    let account_id = f.string("account_id", true, 255);
    let customer_id = f.string("customer_id", true, 255);
    let method = f.one_of("method", true, METHODS);
    let currency = f.one_of("currency", false, CURRENCIES).unwrap_or("COP");
    let description = f.string("description", false, 255);
    let external_id = f.string("external_id", false, 255);
    let now = onepay.now_for(&tenant.name);
    // Parsed once, outside the lock: an id that is not a UUID's text names no record.
    let customer_uid = customer_id.map(|c| c.parse::<Uid>().ok());
    let account_uid = account_id.map(|a| a.parse::<Uid>().ok());
    // The record is made and kept under the tenant's lock; its answer is rendered from a copy
    // after the lock is released, so other requests wait for the bookkeeping alone.
    let rec = tenant.with_data(onepay, |t| {
        let customer = customer_uid.map(|c| c.and_then(|c| t.customers.get_uid(&c)));
        if matches!(customer, Some(None)) {
            f.error("customer_id", "The selected customer id is invalid.");
        }
        let account = account_uid.map(|a| a.and_then(|a| t.accounts.get_uid(&a)));
        match (&account, &customer_id) {
            (Some(None), _) => f.error("account_id", "The selected account id is invalid."),
            (Some(Some(a)), Some(c)) if a.customer_id != *c && !f.has_error("customer_id") => f
                .error(
                    "account_id",
                    "The selected account id does not belong to the customer.",
                ),
            _ => {}
        }
        f.finish()?;
        // Both were found by these ids, so both parsed.
        let (
            Some(amount),
            Some(Some(account)),
            Some(Some(customer_id)),
            Some(Some(account_id)),
            Some(method),
        ) = (amount, account, customer_uid, account_uid, method)
        else {
            return Err(OnePayError::Internal("validated fields missing".into()));
        };
        if amount > t.available {
            return Err(OnePayError::InsufficientFunds);
        }
        let magic = magic_for(&account.account_number, amount);
        onepay.make_room(&tenant.name, t, 1)?;
        let machine = onepay
            .machine(CASHOUT, method)
            .ok_or_else(|| OnePayError::Internal(format!("no cashout machine {method}")))?;
        let (id, lc) = start_payout(onepay, &tenant.name, &machine, forced, magic, now);
        t.available -= amount;
        let rec = CashoutRec {
            id,
            customer_id,
            account_id,
            amount,
            method: Name::new(method),
            currency: Name::new(currency),
            description: description.map(Box::from),
            external_id: external_id.map(Box::from),
            created_at: now,
            updated_at: now,
            remarks: None,
            lc,
            key: None,
        };
        t.cashouts.insert(id, rec.clone());
        Ok((rec, t.is_test))
    })?;
    let (rec, is_test) = rec;
    let cashout = CreatedCashout {
        id: rec.id.text(),
        body: cashout_answer(&CashoutView::new(&rec, is_test))?,
    };
    announce_serialised(onepay, &tenant.name, "cashout.created", &cashout.body, now);
    Ok(cashout)
}
