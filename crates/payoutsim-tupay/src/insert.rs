//! The back office's insertions: a deposit or a cashout for a tenant, with any documented field
//! chosen and the rest filled in as the history would (drawn from the tenant's seeded stream).
//!
//! `status` (default PENDING) is where it starts; `outcome` (default COMPLETED) where a
//! non-terminal one ends. Its lifecycle starts when it is inserted, whatever `creationDate` it
//! is given (default: now; never in the future), so an inserted PENDING deposit completes an
//! hour later on the simulated clock, and a DELIVERED cashout one business day later.
//! Amounts are numbers or strings with at most two decimals, in major units. The fields of the
//! other kind are refused (a deposit has no `tax`, a cashout no `idUser`).

use chrono::{DateTime, Utc};
use payoutsim_core::Cause;
use payoutsim_core::error::AdminError;
use payoutsim_core::forced::Destiny;
use payoutsim_core::machine::Lifecycle;
use rand::SeedableRng;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::catalog::WHOLE;
use crate::draw::{self, Rand};
use crate::fields::{country_of, creation, currency_of, method_of, minor_units, route};
use crate::state::{CashoutRec, DepositRec, Merchant, Txn, insert_sorted};
use crate::statuses::DEPOSIT;
use crate::{Tupay, history, merchant_entry};

/// What the back office may set on a new transaction (`POST …/deposits`, `POST …/cashouts`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewTransaction {
    pub tenant: String,
    pub status: Option<String>,
    pub outcome: Option<String>,
    pub amount: Option<Box<RawValue>>,
    pub currency: Option<String>,
    pub country: Option<String>,
    pub payment_method: Option<String>,
    pub client_document: Option<String>,
    pub external_id: Option<String>,
    pub creation_date: Option<Value>,
    pub fee: Option<Box<RawValue>>,
    /// Deposits: what the payer paid, in `localCurrency`.
    pub local_amount: Option<Box<RawValue>>,
    pub local_currency: Option<String>,
    pub requested_payment_method: Option<String>,
    pub id_user: Option<String>,
    pub refund_attempted: Option<bool>,
    /// Cashouts: what the beneficiary gets, in `creditedCurrency`.
    pub credited_amount: Option<Box<RawValue>>,
    pub credited_currency: Option<String>,
    pub tax: Option<Box<RawValue>>,
    pub reason: Option<String>,
}

impl NewTransaction {
    /// Refuses the fields the other kind has.
    fn check_fields(&self, kind: &str) -> Result<(), AdminError> {
        let deposit_only = [
            ("localAmount", self.local_amount.is_some()),
            ("localCurrency", self.local_currency.is_some()),
            (
                "requestedPaymentMethod",
                self.requested_payment_method.is_some(),
            ),
            ("idUser", self.id_user.is_some()),
            ("refundAttempted", self.refund_attempted.is_some()),
        ];
        let cashout_only = [
            ("creditedAmount", self.credited_amount.is_some()),
            ("creditedCurrency", self.credited_currency.is_some()),
            ("tax", self.tax.is_some()),
            ("reason", self.reason.is_some()),
        ];
        let foreign = if kind == DEPOSIT {
            &cashout_only[..]
        } else {
            &deposit_only[..]
        };
        match foreign.iter().find(|(_, given)| *given) {
            Some((field, _)) => Err(AdminError::bad_request(format!(
                "a {kind} has no `{field}`"
            ))),
            None => Ok(()),
        }
    }
}

/// What the fields left out are filled in from: the tenant's own back-office stream.
fn filler(tupay: &Tupay, tenant: &str) -> Rand {
    Rand::seed_from_u64(
        tupay
            .engine()
            .ids()
            .range(&format!("{tenant}#backoffice"), 0, u64::MAX),
    )
}

fn access_key(tenant: &str) -> Result<&str, AdminError> {
    crate::admin::access_key_of(tenant)
}

/// Starts `id`'s lifecycle now, bound for `outcome`, and moves it to `status` if it starts
/// elsewhere; then `render` reads the record under the same lock.
fn start_and_move(
    tupay: &Tupay,
    (tenant, kind, id): (&str, &str, u32),
    (status, outcome, reason): (&str, &str, Option<String>),
    now: DateTime<Utc>,
    insert: impl FnOnce(&mut Merchant, Lifecycle),
    render: impl FnOnce(&Merchant) -> Value,
) -> Result<Value, AdminError> {
    let machine = tupay
        .machine(kind, "")
        .ok_or_else(|| AdminError::bad_request(format!("no machine for {kind}")))?;
    let destiny = Destiny {
        outcome: Some((outcome.to_string(), reason)),
        forced_by: None,
    };
    let id_text = id.to_string();
    let (events, answer) = {
        let mut store = tupay.store();
        let lc = tupay.start(tenant, &machine, &id_text, destiny, now);
        let m = store
            .merchants
            .get_mut(tenant)
            .ok_or_else(|| AdminError::not_found(format!("no merchant `{tenant}`")))?;
        insert(m, lc);
        let events = if status == machine.initial {
            Vec::new()
        } else {
            tupay.move_locked(
                &mut store,
                (tenant, kind, &id_text),
                status,
                now,
                Cause::Admin,
            )?
        };
        let m = store
            .merchants
            .get(tenant)
            .ok_or_else(|| AdminError::not_found(format!("no merchant `{tenant}`")))?;
        (events, render(m))
    };
    tupay.emit(tenant, events, now);
    Ok(answer)
}

/// `POST /__admin/providers/tupay/deposits` and `…/cashouts`: the new transaction of `kind`, as
/// its list shows it.
pub fn insert(
    tupay: &Tupay,
    kind: &'static str,
    body: NewTransaction,
) -> Result<Value, AdminError> {
    body.check_fields(kind)?;
    let tenant = body.tenant.as_str();
    let key = access_key(tenant)?.to_string();
    let (status, outcome) = route(tupay, kind, body.status.as_deref(), body.outcome.as_deref())?;
    let now = tupay.now_for(tenant);
    let created = creation(body.creation_date.as_ref(), now)?;
    let country = country_of(body.country.as_deref())?;
    let deposit = kind == DEPOSIT;
    let rail = if deposit {
        country.deposits[0].0
    } else {
        country.payouts
    };
    let method = method_of(body.payment_method.as_deref(), rail)?;
    let currency = currency_of("currency", body.currency.as_deref(), country.settles)?;
    let mut rng = filler(tupay, tenant);
    let amount = match &body.amount {
        Some(v) => minor_units("amount", v)?,
        None if deposit => draw::amount(&mut rng, 40.0, 5.0, 500.0),
        None => draw::amount(&mut rng, 120.0, 10.0, 2_000.0),
    };
    let bps = if deposit {
        method.fee_bps
    } else {
        history::CASHOUT_FEE_BPS
    };
    let fee = optional(
        "fee",
        &body.fee,
        draw::share(amount, bps) + country.fixed_fee,
    )?;
    // The counterpart's side: what the payer paid, or what the beneficiary gets.
    let (field, currency_field, given, given_currency) = if deposit {
        (
            "localAmount",
            "localCurrency",
            &body.local_amount,
            &body.local_currency,
        )
    } else {
        (
            "creditedAmount",
            "creditedCurrency",
            &body.credited_amount,
            &body.credited_currency,
        )
    };
    let local_currency = currency_of(currency_field, given_currency.as_deref(), country.local)?;
    let converted = if local_currency == currency {
        amount
    } else {
        draw::convert(
            amount,
            country.rate_micros,
            0,
            WHOLE.contains(&local_currency),
        )
    };
    let local_amount = optional(field, given, converted)?;
    let tax = optional(
        "tax",
        &body.tax,
        draw::share(amount, country.cashout_tax_bps),
    )?;
    let requested = method_of(body.requested_payment_method.as_deref(), method)?;
    let document =
        (body.client_document.clone()).unwrap_or_else(|| draw::document(&mut rng, country));
    let id_user = (body.id_user.clone()).unwrap_or_else(|| history::id_user(&mut rng));
    let reason = (body.reason.clone()).or_else(|| crate::statuses::default_reason(kind, &outcome));
    let id = {
        let mut store = tupay.store();
        let m = merchant_entry(tupay, &mut store, tenant, &key, now)
            .map_err(|e| AdminError(e.status(), e.to_string()))?;
        // Its next ids move: it must be kept.
        m.touched = true;
        let id = if deposit {
            m.take_deposit_id()
        } else {
            m.take_cashout_id()
        };
        id.ok_or_else(|| AdminError::conflict(format!("{tenant} has used every id of its block")))?
    };
    let record = |m: &mut Merchant, lc: Lifecycle| {
        let seq = if deposit {
            m.deposits.len()
        } else {
            m.cashouts.len()
        } + 1;
        let letter = if deposit { 'D' } else { 'W' };
        let txn = Txn {
            id,
            external_id: (body.external_id.clone())
                .unwrap_or_else(|| history::external_id(m, letter, seq)),
            created,
            last_change: now,
            country,
            method,
            client_document: document.into(),
            amount,
            currency,
            fee,
            lc,
        };
        if deposit {
            let d = DepositRec {
                txn,
                requested_method: requested,
                id_user: id_user.into(),
                local_amount,
                local_currency,
                refund_attempted: body.refund_attempted.unwrap_or(false),
            };
            insert_sorted(&mut m.deposits, d);
        } else {
            let c = CashoutRec {
                txn,
                credited_amount: local_amount,
                credited_currency: local_currency,
                tax,
            };
            insert_sorted(&mut m.cashouts, c);
        }
    };
    let render = |m: &Merchant| {
        let wire = if deposit {
            m.deposit(id)
                .map(|d| serde_json::to_value(m.deposit_wire(d)))
        } else {
            m.cashout(id)
                .map(|c| serde_json::to_value(m.cashout_wire(c)))
        };
        wire.and_then(Result::ok).unwrap_or(Value::Null)
    };
    start_and_move(
        tupay,
        (tenant, kind, id),
        (&status, &outcome, reason),
        now,
        record,
        render,
    )
}

/// `value` in minor units, or `default` when it is not given.
fn optional(field: &str, value: &Option<Box<RawValue>>, default: i64) -> Result<i64, AdminError> {
    value
        .as_ref()
        .map_or(Ok(default), |v| minor_units(field, v))
}
