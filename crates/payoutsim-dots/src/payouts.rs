//! Payouts: `POST /v2/payouts` (201, a transfer of type `payout`) and
//! `POST /v2/payouts/send-payout` (201, a payout link: see `links.rs`).
//!
//! A payout with `fund: true` draws on the app wallet, otherwise on the user's; the wallet must
//! cover it (`transaction-insufficient-funds`, naming it). It starts `created`, is `pending`
//! after 5 s, and completes on its platform's machine (`state.rs`): PayPal, Venmo and Cash App
//! 5 minutes later, production ACH after one business day, sandbox ACH never (it stays
//! `pending`, as the documents say sandbox ACH does not go through). Its terminal outcome is the
//! engine's one decision: a fault rule's forced outcome, else a magic amount, else success. A
//! failed, canceled or reversed payout gives its money back to the wallet it came from.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::forced::{Destiny, Forced};
use payoutsim_core::ids::Uid;
use payoutsim_core::kit::Auth;
use payoutsim_core::name::Name;
use serde_json::{Map, Value};

use crate::Dots;
use crate::auth::Caller;
use crate::error::{Body, DotsError, code};
use crate::idempotent::{self, Repeat};
use crate::render;
use crate::state::{self, AppData, RareParts, TRANSFER, TransactionRec, TransferRec};
use crate::transfers::MAX_AMOUNT;
use crate::users::{METHOD_PLATFORMS, user_of};
use crate::validation::Fields;

/// `platform` values of a payout request.
pub const PLATFORMS: &[&str] = &[
    "paypal",
    "venmo",
    "ach",
    "bank_transfer",
    "cash_app",
    "default",
];

pub(crate) fn routes() -> Router<Dots> {
    Router::new().route("/api/v2/payouts", post(create)).route(
        "/api/v2/payouts/send-payout",
        post(crate::links::send_payout),
    )
}

/// A payout request, validated.
#[derive(Clone, Debug)]
pub struct PayoutRequest {
    pub user_id: String,
    pub amount: i64,
    pub platform: String,
    pub account_id: Option<String>,
    pub fund: bool,
    pub tax_exempt: bool,
    pub idempotency_key: Option<String>,
    pub metadata: Option<Value>,
}

/// Reads a payout request (`payout-create-request`) from `map`, fields named `prefix…`.
pub fn read_request(map: &Map<String, Value>, prefix: &str) -> Result<PayoutRequest, DotsError> {
    let mut f = Fields::at(map, prefix);
    let user_id = f.uuid("user_id", true);
    let amount = f.integer("amount", true, 1, MAX_AMOUNT);
    let platform = f.one_of("platform", true, PLATFORMS);
    let account_id = f.uuid("account_id", false);
    let fund = f.boolean("fund").unwrap_or(false);
    let tax_exempt = f.boolean("tax_exempt");
    let idempotency_key = f.uuid("idempotency_key", false);
    let metadata = f.metadata("metadata");
    f.one_of("payout_fee_party", false, &["user", "platform"]);
    if tax_exempt.is_some() && !fund {
        f.error("tax_exempt", "may only be given when fund is true");
    }
    f.finish()?;
    let (Some(user_id), Some(amount), Some(platform)) = (user_id, amount, platform) else {
        return Err(DotsError::Internal("validated fields missing".into()));
    };
    Ok(PayoutRequest {
        user_id,
        amount,
        platform,
        account_id,
        fund,
        tax_exempt: tax_exempt.unwrap_or(false),
        idempotency_key,
        metadata,
    })
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    forced: Forced,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let req = read_request(&map, "")?;
    let now = dots.now_for(&caller.tenant);
    let reply = idempotent::run(
        &dots,
        &caller.tenant,
        "/v2/payouts",
        req.idempotency_key.as_deref(),
        Repeat::Reject("Payout"),
        || {
            let id = dots.engine().ids().uuid(&caller.tenant);
            let t = caller.with_app(&dots, |app| {
                let (rail, variant) = rail_of(app, &req)?;
                let machine = (dots.machine(TRANSFER, variant))
                    .ok_or_else(|| DotsError::Internal(format!("no payout machine {variant}")))?;
                dots.make_room(&caller.tenant, app, 1)?;
                // Debit first: a refused payout must leave a fault rule's outcome untaken.
                let rec = pay(app, &id, (&req, rail, None), now)?;
                let destiny = dots.decide(&machine, forced.take(), state::magic_for(req.amount));
                let lc = dots.start(&caller.tenant, &machine, &id, destiny, now);
                store_payout_answer(app, rec, lc)
            })?;
            Ok((StatusCode::CREATED, t))
        },
    )?;
    Ok(idempotent::answer(reply))
}

/// The rail a payout goes out on, and its machine's variant: `default` is the user's default
/// payout method (`user-info-missing` without one); ACH needs the `account_id` of the user's
/// ACH method; a platform on the user's `payout_options_exclude_list` is refused.
pub fn rail_of(
    app: &AppData,
    req: &PayoutRequest,
) -> Result<(&'static str, &'static str), DotsError> {
    let user = user_of(app, &req.user_id)?;
    let rail = match req.platform.as_str() {
        "default" => user.default_method.as_deref().ok_or_else(|| {
            DotsError::invalid(
                code::USER_INFO_MISSING,
                format!("User {} has no default payout method", user.id),
            )
        })?,
        "bank_transfer" => "ach",
        other => other,
    };
    // Every rail is a payout method's platform: the list's own text is kept.
    let rail = (METHOD_PLATFORMS.iter().find(|p| **p == rail).copied())
        .ok_or_else(|| DotsError::Internal(format!("no rail {rail}")))?;
    if user.exclude.iter().any(|p| p == rail) {
        return Err(DotsError::input(format!(
            "platform: {rail} is excluded for user {}",
            user.id
        )));
    }
    if rail == "ach" {
        let Some(account) = &req.account_id else {
            return Err(DotsError::input("account_id: is required for ach"));
        };
        let known = (user.methods.iter()).any(|m| m.platform == "ach" && m.id == *account);
        if !known {
            return Err(DotsError::not_found("Payout method", account));
        }
    }
    let variant = state::payout_variant(rail, app.env);
    Ok((rail, variant))
}

/// Debits the wallet `req` draws on and makes payout `id`'s record (without its lifecycle).
pub fn pay(
    app: &mut AppData,
    id: &str,
    (req, rail, link): (&PayoutRequest, &'static str, Option<String>),
    now: DateTime<Utc>,
) -> Result<TransferRec, DotsError> {
    let user = user_of(app, &req.user_id)?;
    let user_name = format!("{} {}", user.first_name, user.last_name);
    let (id, user_id) = (uid(id)?, uid(&user.id)?);
    let source = if req.fund {
        if app.wallet < req.amount {
            return Err(DotsError::insufficient("app", app.wallet, req.amount));
        }
        app.wallet -= req.amount;
        app.name.as_str().into()
    } else {
        if user.wallet < req.amount {
            return Err(DotsError::insufficient("user", user.wallet, req.amount));
        }
        if let Some(u) = app.users.get_mut(&req.user_id) {
            u.wallet -= req.amount;
        }
        user_name.into_boxed_str()
    };
    let transaction = TransactionRec {
        id: app.transaction_id(),
        source,
        destination: rail.into(),
    };
    Ok(TransferRec {
        id,
        created: now,
        user_id,
        kind: Name::from_static("payout"),
        amount: req.amount,
        platform: Some(Name::from_static(rail)),
        fund: req.fund,
        tax_exempt: req.tax_exempt,
        metadata: state::metadata(req.metadata.clone().unwrap_or(Value::Null)),
        rare: RareParts::of(req.account_id.as_deref(), link.as_deref()),
        transaction,
        lc: None,
        refunded: false,
    })
}

/// An engine id (a UUID's text) as its 16 bytes.
pub fn uid(id: &str) -> Result<Uid, DotsError> {
    (id.parse()).map_err(|_| DotsError::Internal(format!("id {id} is not an engine UUID")))
}

/// Keeps payout `rec` with its lifecycle `lc`; its wire form.
pub fn store_payout(
    app: &mut AppData,
    mut rec: TransferRec,
    lc: payoutsim_core::machine::Lifecycle,
) -> crate::model::Transfer {
    rec.lc = Some(lc);
    let wire = render::transfer(&rec);
    app.transfers.insert(rec.id.to_string(), rec);
    wire
}

/// Keeps payout `rec` with its lifecycle `lc`; its wire form's bytes, written from the record
/// ([`render::TransferView`]) with no owned copy of it made, and trimmed to their length (the
/// idempotency key keeps them).
fn store_payout_answer(
    app: &mut AppData,
    mut rec: TransferRec,
    lc: payoutsim_core::machine::Lifecycle,
) -> Result<bytes::Bytes, DotsError> {
    rec.lc = Some(lc);
    let answer = render::TransferView(&rec).bytes()?;
    app.transfers.insert(rec.id.to_string(), rec);
    // Kept by the idempotency key: no spare room kept with it.
    Ok(bytes::Bytes::copy_from_slice(&answer))
}

/// A payout of `req` for a batch item: validated, debited and started, no forced outcome but
/// its magic amount. Its wire form.
pub fn start_payout(
    dots: &Dots,
    tenant: &str,
    app: &mut AppData,
    (id, req, link): (&str, &PayoutRequest, Option<String>),
    now: DateTime<Utc>,
) -> Result<crate::model::Transfer, DotsError> {
    let (rail, variant) = rail_of(app, req)?;
    let machine = (dots.machine(TRANSFER, variant))
        .ok_or_else(|| DotsError::Internal(format!("no payout machine {variant}")))?;
    let destiny: Destiny = dots.decide(&machine, None, state::magic_for(req.amount));
    dots.make_room(tenant, app, 1)?;
    let rec = pay(app, id, (req, rail, link), now)?;
    let lc = dots.start(tenant, &machine, id, destiny, now);
    Ok(store_payout(app, rec, lc))
}
