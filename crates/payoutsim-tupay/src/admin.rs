//! Tupay's back office, served by the core under `/__admin/providers/tupay/` (errors
//! `{"error": "..."}`):
//! - `POST /deposits`, `POST /cashouts` {tenant, …fields}: insert a transaction (`insert.rs`)
//! - `POST /deposits/{id}/status`, `POST /cashouts/{id}/status` {status, tenant?}: move one
//! - `POST /entries` {tenant, kind: note | settlement | cancelled_settlement, amount, currency,
//!   date?, description?}: record what the report's note and settlement columns sum
//! - `GET /merchant?tenant=`: a tenant's merchant, its history's make-up and its balance
//!
//! Every change shows at once in the lists, the report and the balance: they read the same
//! records. Also [`provision`] (a scenario's `setup.tenants`) and [`objects`], what
//! `GET /__admin/providers/tupay/objects` shows.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use payoutsim_core::admin::{AdminError, AdminJson, AdminQuery};
use payoutsim_core::kit::{Found, Spec};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::is_access_key;
use crate::catalog;
use crate::fields::minor_units;
use crate::insert::{self, NewTransaction};
use crate::model::{Money, timestamp, whole_seconds};
use crate::state::{EntryKind, EntryRec, Merchant, Store};
use crate::statuses::{CASHOUT, DEPOSIT};
use crate::{Tupay, TupaySpec, ledger, merchant_entry};

pub(crate) fn routes() -> Router<Tupay> {
    Router::new()
        .route("/deposits", post(new_deposit))
        .route("/cashouts", post(new_cashout))
        .route("/deposits/{id}/status", post(move_deposit))
        .route("/cashouts/{id}/status", post(move_cashout))
        .route("/entries", post(new_entry))
        .route("/merchant", get(merchant))
}

/// The accessKey of a tenant name `tupay:<accessKey>`.
pub(crate) fn access_key_of(tenant: &str) -> Result<&str, AdminError> {
    tenant
        .strip_prefix("tupay:")
        .filter(|k| is_access_key(k))
        .ok_or_else(|| {
            AdminError::bad_request(format!(
                "`tenant` must be `tupay:<accessKey>` (an e-mail address), got `{tenant}`"
            ))
        })
}

/// Makes a tenant exist before its first login (`Provider::provision`), with its history made
/// now; its first login then binds its secretKey. A known tenant is left as it is.
pub(crate) fn provision(tupay: &Tupay, tenant: &str) -> Result<Value, AdminError> {
    let key = access_key_of(tenant)?;
    let now = tupay.now_for(tenant);
    (tupay.engine().tenants()).declare(TupaySpec::NAME, tenant, None, now);
    let mut store = tupay.store();
    let m = merchant_entry(tupay, &mut store, tenant, key, now)
        .map_err(|e| AdminError(e.status(), e.to_string()))?;
    Ok(summary(m))
}

async fn new_deposit(
    State(tupay): State<Tupay>,
    AdminJson(body): AdminJson<NewTransaction>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let created = insert::insert(&tupay, DEPOSIT, body)?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn new_cashout(
    State(tupay): State<Tupay>,
    AdminJson(body): AdminJson<NewTransaction>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let created = insert::insert(&tupay, CASHOUT, body)?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    status: String,
    tenant: Option<String>,
}

/// Moves a transaction of `kind` to the status asked for (any status its machine knows); the
/// answer is the record as its list shows it.
fn move_to(tupay: &Tupay, kind: &str, id: &str, body: Move) -> Result<Json<Value>, AdminError> {
    let to = body.status.to_ascii_uppercase();
    let render = |store: &mut Store, found: &Found| {
        let Ok(id) = id.parse::<u32>() else {
            return Value::Null;
        };
        let Some(m) = store.merchants.get(&found.tenant) else {
            return Value::Null;
        };
        let wire = match kind {
            DEPOSIT => m.deposit(id).map(|d| json!(m.deposit_wire(d))),
            _ => m.cashout(id).map(|c| json!(m.cashout_wire(c))),
        };
        wire.unwrap_or(Value::Null)
    };
    let moved = tupay.force(body.tenant.as_deref(), &[kind], id, &to, render)?;
    Ok(Json(moved))
}

async fn move_deposit(
    State(tupay): State<Tupay>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Move>,
) -> Result<Json<Value>, AdminError> {
    move_to(&tupay, DEPOSIT, &id, body)
}

async fn move_cashout(
    State(tupay): State<Tupay>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Move>,
) -> Result<Json<Value>, AdminError> {
    move_to(&tupay, CASHOUT, &id, body)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEntry {
    tenant: String,
    kind: EntryKind,
    amount: Box<serde_json::value::RawValue>,
    currency: String,
    /// RFC 3339; default now, never after it.
    date: Option<String>,
    description: Option<String>,
}

async fn new_entry(
    State(tupay): State<Tupay>,
    AdminJson(body): AdminJson<NewEntry>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let key = access_key_of(&body.tenant)?.to_string();
    let amount = minor_units("amount", &body.amount)?;
    let currencies = catalog::currencies();
    let currency = (currencies.iter().copied())
        .find(|c| c.eq_ignore_ascii_case(&body.currency))
        .ok_or_else(|| {
            AdminError::bad_request(format!(
                "`currency` {} is not one of {}",
                body.currency,
                currencies.join(", ")
            ))
        })?;
    let now = tupay.now_for(&body.tenant);
    let at = whole_seconds(match &body.date {
        None => now,
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok()
            .filter(|t| *t <= now)
            .ok_or_else(|| AdminError::bad_request("`date` must be RFC 3339, not after now"))?,
    });
    let mut store = tupay.store();
    let m = merchant_entry(&tupay, &mut store, &body.tenant, &key, now)
        .map_err(|e| AdminError(e.status(), e.to_string()))?;
    if m.entries.len() >= crate::state::MAX_ENTRIES {
        return Err(AdminError::conflict(format!(
            "`{}` has {} notes and settlements already, the most one tenant keeps",
            body.tenant,
            crate::state::MAX_ENTRIES
        )));
    }
    m.touched = true;
    let entry = EntryRec {
        id: u32::try_from(m.entries.len() + 1).unwrap_or(u32::MAX),
        kind: body.kind,
        at,
        amount,
        currency,
        description: body.description.unwrap_or_default(),
    };
    let answer = entry_json(&entry);
    m.entries.push(entry);
    Ok((StatusCode::CREATED, Json(answer)))
}

fn entry_json(e: &EntryRec) -> Value {
    json!({
        "id": e.id,
        "kind": e.kind,
        "date": timestamp(e.at),
        "amount": Money(e.amount),
        "currency": e.currency,
        "description": e.description,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Of {
    tenant: String,
}

async fn merchant(
    State(tupay): State<Tupay>,
    AdminQuery(q): AdminQuery<Of>,
) -> Result<Json<Value>, AdminError> {
    access_key_of(&q.tenant)?;
    let store = tupay.store();
    if let Some(m) = store.merchants.get(&q.tenant) {
        return Ok(Json(summary(m)));
    }
    // Evicted: drawn again to be shown, left evicted.
    let d = (store.dormant.get(&q.tenant))
        .ok_or_else(|| AdminError::not_found(format!("no merchant `{}` yet", q.tenant)))?;
    let m = crate::history::generate(
        d.seed,
        &q.tenant,
        &d.username,
        d.generated_at,
        d.plan,
        |_| d.block,
    );
    Ok(Json(summary(&m)))
}

/// Counts by status, oldest first by name.
fn by_status<'a>(statuses: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for s in statuses {
        *counts.entry(s).or_default() += 1;
    }
    counts
}

/// What the back office shows of a merchant.
fn summary(m: &Merchant) -> Value {
    let opening: BTreeMap<&str, Money> = m.opening.iter().map(|(c, v)| (*c, Money(*v))).collect();
    let deposits = by_status(m.deposits.iter().map(|d| d.txn.lc.status.as_str()));
    let cashouts = by_status(m.cashouts.iter().map(|c| c.txn.lc.status.as_str()));
    let balance: BTreeMap<&str, Money> = (ledger::balances(m, m.generated_at).into_iter())
        .map(|b| (b.currency, b.total_balance))
        .collect();
    json!({
        "tenant": m.tenant,
        "username": m.username,
        "idUser": m.id_user,
        "idMerchant": m.id_merchant,
        "merchantName": m.name,
        "historyFrom": timestamp(m.generated_at - chrono::TimeDelta::days(i64::from(m.history_days))),
        "generatedAt": timestamp(m.generated_at),
        "openingBalance": opening,
        "deposits": {"count": m.deposits.len(), "byStatus": deposits},
        "cashouts": {"count": m.cashouts.len(), "byStatus": cashouts},
        "entries": m.entries.len(),
        "balance": balance,
    })
}

/// `{"objects": [{kind, tenant, id, object, lifecycle?}]}`, for one tenant and/or kind (`merchant`,
/// `deposit`, `cashout`, `entry`).
pub(crate) fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
    // A page of them when the admin API asks for one (`kit::with_page`).
    let mut out = payoutsim_core::kit::Objects::current();
    let wanted = |k: &str| kind.is_none_or(|w| w == k);
    for (name, m) in (store.merchants.iter()).filter(|(n, _)| tenant.is_none_or(|w| w == *n)) {
        let entry = |kind: &str, id: String, object: Value| json!({"kind": kind, "tenant": name, "id": id, "object": object});
        if wanted("merchant") {
            out.push(entry("merchant", m.tenant.clone(), summary(m)));
        }
        if wanted(DEPOSIT) {
            out.extend(m.deposits.iter().map(|d| {
                let mut e = entry(DEPOSIT, d.txn.id.to_string(), json!(m.deposit_wire(d)));
                e["lifecycle"] = json!(d.txn.lc);
                e
            }));
        }
        if wanted(CASHOUT) {
            out.extend(m.cashouts.iter().map(|c| {
                let mut e = entry(CASHOUT, c.txn.id.to_string(), json!(m.cashout_wire(c)));
                e["lifecycle"] = json!(c.txn.lc);
                e["object"]["paymentMethod"] = json!(c.txn.method.code);
                e
            }));
        }
        if wanted("entry") {
            out.extend((m.entries.iter()).map(|e| entry("entry", e.id.to_string(), entry_json(e))));
        }
    }
    out.into_view()
}
