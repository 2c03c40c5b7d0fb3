//! Transfers: `POST /v2/transfers` (wallet to wallet, 200), `GET /v2/transfers/{id}`, and
//! `GET /v2/transfers` with its filters (`user_id`, `type`, `status`, `start_date`,
//! `end_date`, `reverse_order`) and cursor pages, newest first unless `reverse_order=true`.
//!
//! A negative `amount` moves money from the app wallet to the user's, a positive one the other
//! way; both complete at once (type `balance`). The wallet the money leaves must cover it
//! (`transaction-insufficient-funds`, naming that wallet). A seen `idempotency_key` is 409.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::idempotency::sized_answer;
use payoutsim_core::ids::Uid;
use payoutsim_core::kit::Auth;
use payoutsim_core::name::Name;
use serde_json::Value;

use crate::Dots;
use crate::auth::Caller;
use crate::error::{Body, DotsError, Id, Params, raw_json};
use crate::idempotent::{self, Repeat, reply};
use crate::pages::PageQuery;
use crate::payouts;
use crate::render;
use crate::state::{self, AppData, TransactionRec, TransferRec};
use crate::users::user_of;
use crate::validation::Fields;
use payoutsim_core::ordered::Order;

/// The largest amount of one transfer or payout, cents ($10,000,000: a bound, not Dots').
pub const MAX_AMOUNT: i64 = 1_000_000_000;
pub const TYPES: &[&str] = &[
    "refill",
    "payout",
    "balance",
    "payment",
    "settlement",
    "payable",
];
pub const STATUSES: &[&str] = &[
    "created",
    "pending",
    "failed",
    "completed",
    "reversed",
    "canceled",
    "flagged",
];

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/api/v2/transfers", get(list).post(create))
        .route("/api/v2/transfers/{id}", get(show))
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let amount = f.integer("amount", true, -MAX_AMOUNT, MAX_AMOUNT);
    let user_id = f.uuid("user_id", true);
    let tax_exempt = f.boolean("tax_exempt").unwrap_or(false);
    let key = f.uuid("idempotency_key", false);
    let metadata = match map.get("metadata") {
        Some(Value::Null) | None => Value::Null,
        Some(_) => f.metadata("metadata").unwrap_or(Value::Null),
    };
    if amount == Some(0) {
        f.error("amount", "must not be 0");
    }
    f.finish()?;
    let (Some(amount), Some(user_id)) = (amount, user_id) else {
        return Err(DotsError::Internal("validated fields missing".into()));
    };
    let now = dots.now_for(&caller.tenant);
    let reply = idempotent::run(
        &dots,
        &caller.tenant,
        "/v2/transfers",
        key.as_deref(),
        Repeat::Reject("Transfer"),
        || {
            let id = dots.engine().ids().uuid(&caller.tenant);
            let t = caller.with_app(&dots, |app| {
                user_of(app, &user_id)?;
                dots.make_room(&caller.tenant, app, 1)?;
                move_between(app, (&id, &user_id, amount), (tax_exempt, metadata), now)
            })?;
            reply(StatusCode::OK, &t)
        },
    )?;
    Ok(idempotent::answer(reply))
}

/// Moves `amount` between the app wallet and user `user_id`'s (negative: app to user), as
/// transfer `id`, completed at once.
fn move_between(
    app: &mut AppData,
    (id, user_id, amount): (&str, &str, i64),
    (tax_exempt, metadata): (bool, Value),
    now: DateTime<Utc>,
) -> Result<crate::model::Transfer, DotsError> {
    let user = user_of(app, user_id)?;
    let user_name = format!("{} {}", user.first_name, user.last_name);
    let (uid, user_uid) = (payouts::uid(id)?, payouts::uid(&user.id)?);
    if amount < 0 && app.wallet < -amount {
        return Err(DotsError::insufficient("app", app.wallet, -amount));
    }
    if amount > 0 && user.wallet < amount {
        return Err(DotsError::insufficient("user", user.wallet, amount));
    }
    let (user_name, app_name) = (user_name.into_boxed_str(), app.name.as_str().into());
    let (source, destination) = if amount < 0 {
        (app_name, user_name)
    } else {
        (user_name, app_name)
    };
    let transaction = TransactionRec {
        id: app.transaction_id(),
        source,
        destination,
    };
    app.wallet += amount;
    if let Some(u) = app.users.get_mut(user_id) {
        u.wallet -= amount;
    }
    let rec = TransferRec {
        id: uid,
        created: now,
        user_id: user_uid,
        kind: Name::from_static("balance"),
        amount,
        platform: None,
        fund: false,
        tax_exempt,
        metadata: state::metadata(metadata),
        rare: None,
        transaction,
        lc: None,
        refunded: false,
    };
    let wire = render::transfer(&rec);
    app.transfers.insert(id.to_string(), rec);
    Ok(wire)
}

async fn show(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let body = caller.with_app(&dots, |app| {
        let t = (app.transfers.get(&id)).ok_or_else(|| DotsError::not_found("Transfer", &id))?;
        render::TransferView(t).bytes()
    })?;
    Ok(raw_json(StatusCode::OK, body))
}

/// A `date-time` query parameter.
fn instant(params: &Params, name: &str) -> Result<Option<DateTime<Utc>>, DotsError> {
    match params.get(name) {
        None => Ok(None),
        // An unencoded `+00:00` offset arrives as a space (form decoding of `+`).
        Some(s) => DateTime::parse_from_rfc3339(&s.trim().replace(' ', "+"))
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| DotsError::input(format!("{name}: must be an RFC 3339 date-time"))),
    }
}

/// A `boolean` query parameter.
fn flag(params: &Params, name: &str) -> Result<bool, DotsError> {
    match params.get(name).map(str::trim) {
        None => Ok(false),
        Some("true" | "True" | "1") => Ok(true),
        Some("false" | "False" | "0") => Ok(false),
        Some(_) => Err(DotsError::input(format!("{name}: must be true or false"))),
    }
}

/// One of `values`, or absent.
fn choice(params: &Params, name: &str, values: &[&str]) -> Result<Option<String>, DotsError> {
    match params.get(name) {
        None => Ok(None),
        Some(s) if values.contains(&s) => Ok(Some(s.to_string())),
        Some(_) => Err(DotsError::input(format!(
            "{name}: must be one of {}",
            values.join(", ")
        ))),
    }
}

async fn list(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    params: Params,
) -> Result<Response, DotsError> {
    let page = PageQuery::from(&params)?;
    // Transfers name their users by UUID: another text names none.
    let user_id = params.get("user_id").map(|u| u.parse::<Uid>().ok());
    let kind = choice(&params, "type", TYPES)?;
    let status = choice(&params, "status", STATUSES)?;
    let start = instant(&params, "start_date")?;
    let end = instant(&params, "end_date")?;
    let order = if flag(&params, "reverse_order")? {
        Order::OldestFirst
    } else {
        Order::NewestFirst
    };
    let body = caller.with_app(&dots, |app| {
        let matches = |t: &TransferRec| {
            user_id.is_none_or(|u| u == Some(t.user_id))
                && kind.as_deref().is_none_or(|k| t.kind == k)
                && status.as_deref().is_none_or(|s| t.status() == s)
                && start.is_none_or(|s| t.created >= s)
                && end.is_none_or(|e| t.created <= e)
        };
        let page = page.page(&app.transfers, order, matches, render::TransferView)?;
        serialised(&page, page.data.len() * TRANSFER_BYTES + 32)
    })?;
    Ok(raw_json(StatusCode::OK, body))
}

/// Room for a transfer's JSON in the usual case (about 450 bytes without metadata), so its
/// buffer is not grown while the store is locked.
pub(crate) const TRANSFER_BYTES: usize = 512;

/// `value` serialised ([`sized_answer`]) into a buffer of `capacity` bytes to start with.
fn serialised<T: serde::Serialize>(value: &T, capacity: usize) -> Result<Bytes, DotsError> {
    sized_answer(value, capacity).map_err(|e| DotsError::Internal(e.to_string()))
}
