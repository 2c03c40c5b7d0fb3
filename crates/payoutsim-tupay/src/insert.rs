//! The back office's insertions: a deposit or a cashout for a tenant, with any documented field
//! chosen and the rest filled in as the history would (drawn from the tenant's seeded stream).
//!
//! `status` (default PENDING) is where it starts; `outcome` (default COMPLETED) where a
//! non-terminal one ends. Its lifecycle starts when it is inserted, whatever `creationDate` it
//! is given (default: now; never in the future), so an inserted PENDING deposit completes an
//! hour later on the simulated clock, and a DELIVERED cashout one business day later.
//! Amounts are numbers or strings with at most two decimals, in major units.

use chrono::{DateTime, Utc};
use payoutsim_core::Cause;
use payoutsim_core::error::AdminError;
use payoutsim_core::forced::Destiny;
use rand::SeedableRng;
use serde::Deserialize;
use serde_json::Value;

use crate::catalog::{self, Country, Method, WHOLE};
use crate::draw::{self, Rand};
use crate::model::whole_seconds;
use crate::state::{CashoutRec, DepositRec, Merchant};
use crate::statuses::{CASHOUT, COMPLETED, DEPOSIT, PENDING};
use crate::{Tupay, history, merchant_entry};

/// What the back office may set on a new deposit (`POST …/deposits`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewDeposit {
    pub tenant: String,
    pub status: Option<String>,
    pub outcome: Option<String>,
    pub amount: Option<Value>,
    pub currency: Option<String>,
    pub country: Option<String>,
    pub payment_method: Option<String>,
    pub requested_payment_method: Option<String>,
    pub client_document: Option<String>,
    pub id_user: Option<String>,
    pub external_id: Option<String>,
    pub creation_date: Option<Value>,
    pub fee: Option<Value>,
    pub local_amount: Option<Value>,
    pub local_currency: Option<String>,
    pub refund_attempted: Option<bool>,
}

/// What the back office may set on a new cashout (`POST …/cashouts`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewCashout {
    pub tenant: String,
    pub status: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub amount: Option<Value>,
    pub currency: Option<String>,
    pub country: Option<String>,
    pub payment_method: Option<String>,
    pub client_document: Option<String>,
    pub external_id: Option<String>,
    pub creation_date: Option<Value>,
    pub fee: Option<Value>,
    pub tax: Option<Value>,
    pub credited_amount: Option<Value>,
    pub credited_currency: Option<String>,
}

/// `value` (a number or a string of one, at most two decimals, not negative) in minor units.
pub fn minor_units(field: &str, value: &Value) -> Result<i64, AdminError> {
    let bad = || {
        AdminError::bad_request(format!(
            "`{field}` must be an amount with at most 2 decimals, 0 or more"
        ))
    };
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return Err(bad()),
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole)
        || whole.len() > 12
        || fraction.len() > 2
        || !(fraction.is_empty() || digits(fraction))
    {
        return Err(bad());
    }
    let units: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    Ok(units * 100 + cents)
}

/// `creationDate`: RFC 3339 or Unix seconds, never after `now`; default `now`.
fn creation(value: Option<&Value>, now: DateTime<Utc>) -> Result<DateTime<Utc>, AdminError> {
    let bad = || {
        AdminError::bad_request("`creationDate` must be RFC 3339 or Unix seconds, not after now")
    };
    let at = match value {
        None => now,
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or_else(bad)?,
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        Some(_) => return Err(bad()),
    };
    let at = whole_seconds(at);
    if at > now {
        return Err(bad());
    }
    Ok(at)
}

fn country_of(code: Option<&str>) -> Result<&'static Country, AdminError> {
    let code = code.unwrap_or("PE");
    catalog::country(code).ok_or_else(|| {
        let known: Vec<&str> = catalog::COUNTRIES.iter().map(|c| c.code).collect();
        AdminError::bad_request(format!(
            "`country` {code} is not one of {}",
            known.join(", ")
        ))
    })
}

fn method_of(code: Option<&str>, default: &'static Method) -> Result<&'static Method, AdminError> {
    let Some(code) = code else {
        return Ok(default);
    };
    catalog::method_named(code).ok_or_else(|| {
        let known: Vec<&str> = catalog::METHODS.iter().map(|m| m.code).collect();
        AdminError::bad_request(format!(
            "`paymentMethod` {code} is not one of {}",
            known.join(", ")
        ))
    })
}

fn currency_of(
    field: &str,
    code: Option<&str>,
    default: &'static str,
) -> Result<&'static str, AdminError> {
    let Some(code) = code else {
        return Ok(default);
    };
    let known = catalog::currencies();
    (known.iter().copied())
        .find(|c| c.eq_ignore_ascii_case(code))
        .ok_or_else(|| {
            AdminError::bad_request(format!(
                "`{field}` {code} is not one of {}",
                known.join(", ")
            ))
        })
}

/// The start status and outcome asked for, checked against `kind`'s machine.
fn route(
    tupay: &Tupay,
    kind: &str,
    status: Option<&str>,
    outcome: Option<&str>,
) -> Result<(String, String), AdminError> {
    let machine = tupay
        .machine(kind, "")
        .ok_or_else(|| AdminError::bad_request(format!("no machine for {kind}")))?;
    let status = status.unwrap_or(PENDING).to_ascii_uppercase();
    let outcome = outcome.unwrap_or(COMPLETED).to_ascii_uppercase();
    if !machine.knows(&status) {
        let known = machine.statuses().join(", ");
        return Err(AdminError::bad_request(format!(
            "`status` {status} is not a {kind} status ({known})"
        )));
    }
    if !machine.is_terminal(&outcome) {
        let known = machine.terminal.join(", ");
        return Err(AdminError::bad_request(format!(
            "`outcome` {outcome} is not a final {kind} status ({known})"
        )));
    }
    Ok((status, outcome))
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
    insert: impl FnOnce(&mut Merchant, payoutsim_core::machine::Lifecycle),
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

/// `POST /__admin/providers/tupay/deposits`: the new deposit, as `/v1/deposits` shows it.
pub fn deposit(tupay: &Tupay, body: NewDeposit) -> Result<Value, AdminError> {
    let key = access_key(&body.tenant)?.to_string();
    let tenant = body.tenant.as_str();
    let (status, outcome) = route(
        tupay,
        DEPOSIT,
        body.status.as_deref(),
        body.outcome.as_deref(),
    )?;
    let now = tupay.now_for(tenant);
    let created = creation(body.creation_date.as_ref(), now)?;
    let country = country_of(body.country.as_deref())?;
    let method = method_of(body.payment_method.as_deref(), country.deposits[0].0)?;
    let requested = method_of(body.requested_payment_method.as_deref(), method)?;
    let currency = currency_of("currency", body.currency.as_deref(), country.settles)?;
    let local_currency = currency_of(
        "localCurrency",
        body.local_currency.as_deref(),
        country.local,
    )?;
    let mut rng = filler(tupay, tenant);
    let amount = match &body.amount {
        Some(v) => minor_units("amount", v)?,
        None => draw::amount(&mut rng, 40.0, 5.0, 500.0),
    };
    let fee = match &body.fee {
        Some(v) => minor_units("fee", v)?,
        None => draw::share(amount, method.fee_bps) + country.fixed_fee,
    };
    let local_amount = match &body.local_amount {
        Some(v) => minor_units("localAmount", v)?,
        None if local_currency == currency => amount,
        None => draw::convert(
            amount,
            country.rate_micros,
            0,
            WHOLE.contains(&local_currency),
        ),
    };
    let document = body
        .client_document
        .clone()
        .unwrap_or_else(|| draw::document(&mut rng, country));
    let id = {
        let mut store = tupay.store();
        let m = merchant_entry(tupay, &mut store, tenant, &key, now);
        m.take_deposit_id().ok_or_else(|| {
            AdminError::conflict(format!("{tenant} has used every id of its block"))
        })?
    };
    let record = |m: &mut Merchant, lc| {
        let seq = m.deposits.len() + 1;
        m.insert_deposit(DepositRec {
            id,
            external_id: body
                .external_id
                .clone()
                .unwrap_or_else(|| format!("{}-D{seq:06}", m.prefix)),
            created,
            last_change: now,
            country,
            method,
            requested_method: requested,
            client_document: document.into(),
            id_user: body
                .id_user
                .clone()
                .unwrap_or_else(|| history::id_user(&mut rng))
                .into(),
            amount,
            currency,
            requested_amount: amount,
            requested_currency: currency,
            local_amount,
            local_currency,
            fee,
            refund_attempted: body.refund_attempted.unwrap_or(false),
            lc,
        });
    };
    let render = |m: &Merchant| {
        serde_json::to_value(m.deposit(id).map(|d| m.deposit_wire(d))).unwrap_or(Value::Null)
    };
    start_and_move(
        tupay,
        (tenant, DEPOSIT, id),
        (&status, &outcome, None),
        now,
        record,
        render,
    )
}

/// `POST /__admin/providers/tupay/cashouts`: the new cashout, as `/v1/cashout` shows it.
pub fn cashout(tupay: &Tupay, body: NewCashout) -> Result<Value, AdminError> {
    let key = access_key(&body.tenant)?.to_string();
    let tenant = body.tenant.as_str();
    let (status, outcome) = route(
        tupay,
        CASHOUT,
        body.status.as_deref(),
        body.outcome.as_deref(),
    )?;
    let now = tupay.now_for(tenant);
    let created = creation(body.creation_date.as_ref(), now)?;
    let country = country_of(body.country.as_deref())?;
    let method = method_of(body.payment_method.as_deref(), country.payouts)?;
    let currency = currency_of("currency", body.currency.as_deref(), country.settles)?;
    let credited_currency = currency_of(
        "creditedCurrency",
        body.credited_currency.as_deref(),
        country.local,
    )?;
    let mut rng = filler(tupay, tenant);
    let amount = match &body.amount {
        Some(v) => minor_units("amount", v)?,
        None => draw::amount(&mut rng, 120.0, 10.0, 2_000.0),
    };
    let optional = |field: &str, v: &Option<Value>, default: i64| {
        v.as_ref().map_or(Ok(default), |v| minor_units(field, v))
    };
    let fee = optional(
        "fee",
        &body.fee,
        draw::share(amount, history::CASHOUT_FEE_BPS) + country.fixed_fee,
    )?;
    let tax = optional(
        "tax",
        &body.tax,
        draw::share(amount, country.cashout_tax_bps),
    )?;
    let converted = if credited_currency == currency {
        amount
    } else {
        draw::convert(
            amount,
            country.rate_micros,
            0,
            WHOLE.contains(&credited_currency),
        )
    };
    let credited = optional("creditedAmount", &body.credited_amount, converted)?;
    let document = body
        .client_document
        .clone()
        .unwrap_or_else(|| draw::document(&mut rng, country));
    let reason = body
        .reason
        .clone()
        .or_else(|| crate::statuses::default_reason(CASHOUT, &outcome));
    let id = {
        let mut store = tupay.store();
        let m = merchant_entry(tupay, &mut store, tenant, &key, now);
        m.take_cashout_id().ok_or_else(|| {
            AdminError::conflict(format!("{tenant} has used every id of its block"))
        })?
    };
    let record = |m: &mut Merchant, lc| {
        let seq = m.cashouts.len() + 1;
        m.insert_cashout(CashoutRec {
            id,
            external_id: body
                .external_id
                .clone()
                .unwrap_or_else(|| format!("{}-W{seq:06}", m.prefix)),
            created,
            last_change: now,
            country,
            method,
            client_document: document.into(),
            amount,
            currency,
            credited_amount: credited,
            credited_currency,
            fee,
            tax,
            lc,
        });
    };
    let render = |m: &Merchant| {
        serde_json::to_value(m.cashout(id).map(|c| m.cashout_wire(c))).unwrap_or(Value::Null)
    };
    start_and_move(
        tupay,
        (tenant, CASHOUT, id),
        (&status, &outcome, reason),
        now,
        record,
        render,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_take_at_most_two_decimals_as_numbers_or_strings() {
        assert_eq!(minor_units("a", &json!(12.5)).ok(), Some(1_250));
        assert_eq!(minor_units("a", &json!("12.34")).ok(), Some(1_234));
        assert_eq!(minor_units("a", &json!(7)).ok(), Some(700));
        for bad in [
            json!(-1),
            json!("1.234"),
            json!("1e3"),
            json!(true),
            json!(""),
        ] {
            assert!(minor_units("a", &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_creation_date_is_rfc_3339_or_unix_seconds_and_never_in_the_future() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(creation(None, now).ok(), Some(now));
        assert_eq!(
            creation(Some(&json!(1_600_000_000)), now)
                .ok()
                .map(|t| t.timestamp()),
            Some(1_600_000_000)
        );
        let text = json!("2023-11-14T22:00:00Z");
        assert!(creation(Some(&text), now).is_ok());
        assert!(creation(Some(&json!(1_700_000_001)), now).is_err());
    }
}
