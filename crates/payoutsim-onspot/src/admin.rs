//! OnSpot's back office, served by the core under `/__admin/providers/onspot/` (errors
//! `{"error": "..."}`), standing in for the platform's sections, per environment:
//! - `GET /payouts?tenant=&environment=&limit=&offset=`: "Payouts", with each tenant's balance
//! - `GET /error-logs?tenant=&environment=&limit=&offset=`: "Error Logs"
//! - `POST /transfers` {tenant, amount}: records a bank transfer to OnSpot (`Provider::fund`)
//! - `POST /payouts/{uuid}/status` {status, reason?}: forces a payout's status
//!
//! The two sections answer a page (the newest `limit`, default 100, or `limit` from `offset`)
//! with `total` and `next_offset`; wire objects are made for the page's rows alone.
//!
//! and [`provision`] (a scenario's `setup.tenants`) and [`objects`], what
//! `GET /__admin/providers/onspot/objects` shows.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use payoutsim_core::admin::{AdminError, AdminJson, AdminQuery};
use payoutsim_core::ids::Uid;
use payoutsim_core::kit;
use payoutsim_core::page::Paging;
use payoutsim_core::rows::Rows;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::OnSpot;
use crate::auth::parse_tenant;
use crate::lifecycle::{FORCED, activate};
use crate::state::{
    ACTIVE, Environment, ErrorLogEntry, FAILED, PAYOUT, PENDING_FUNDING, PayoutRec, Store,
    TenantData, Transfer,
};
use crate::validation::format_cents;
use payoutsim_core::money::minor_units;

/// The kinds `objects` knows.
pub const KINDS: &[&str] = &["payout", "error_log", "transfer", "balance"];

pub(crate) fn routes() -> Router<OnSpot> {
    Router::new()
        .route("/payouts", get(payouts))
        .route("/error-logs", get(error_logs))
        .route("/transfers", post(transfer))
        .route("/payouts/{uuid}/status", post(force_status))
}

async fn payouts(
    State(onspot): State<OnSpot>,
    AdminQuery(q): AdminQuery<Section>,
) -> Result<Json<Value>, AdminError> {
    q.check()?;
    let store = onspot.store();
    let tenants = q.tenants(&store);
    let parts: Vec<(&str, &Rows<PayoutRec>)> = (tenants.iter())
        .map(|(name, t)| (*name, &t.payouts))
        .collect();
    let page = q.paging().window_of_parts(&parts)?;
    let payouts: Vec<Value> = (page.items.iter())
        .map(|(name, p)| json!(PayoutView::of(name, p)))
        .collect();
    let balances: serde_json::Map<String, Value> = (tenants.iter())
        .map(|(name, t)| (name.to_string(), json!(Balance::of(t))))
        .collect();
    Ok(Json(json!({
        "payouts": payouts,
        "balances": balances,
        "total": page.total,
        "next_offset": page.next_offset,
    })))
}

async fn error_logs(
    State(onspot): State<OnSpot>,
    AdminQuery(q): AdminQuery<Section>,
) -> Result<Json<Value>, AdminError> {
    q.check()?;
    let store = onspot.store();
    let tenants = q.tenants(&store);
    let parts: Vec<((&str, Environment), &[ErrorLogEntry])> = (tenants.iter())
        .map(|(name, t)| ((*name, t.environment), &t.error_log[..]))
        .collect();
    let page = q.paging().window_of_parts(&parts)?;
    let logs: Vec<Value> = (page.items.iter())
        .map(|((name, environment), e)| {
            let mut v = json!(e);
            if let Some(map) = v.as_object_mut() {
                map.insert("tenant".into(), json!(name));
                map.insert("environment".into(), json!(environment));
            }
            v
        })
        .collect();
    Ok(Json(json!({
        "error_logs": logs,
        "total": page.total,
        "next_offset": page.next_offset,
    })))
}

async fn transfer(
    State(onspot): State<OnSpot>,
    AdminJson(body): AdminJson<TransferBody>,
) -> Result<Json<Value>, AdminError> {
    let amount = match &body.amount {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(AdminError::bad_request(AMOUNT_RULE)),
    };
    fund(&onspot, &body.tenant, &amount).map(Json)
}

/// Forces payout `uuid`'s status through the kit (which finds its tenant and books the change
/// through `on_transition`); a forced failure takes the `reason` given, else `FORCED`.
async fn force_status(
    State(onspot): State<OnSpot>,
    Path(uuid): Path<String>,
    AdminJson(body): AdminJson<StatusBody>,
) -> Result<Json<Value>, AdminError> {
    let StatusBody { status, reason } = body;
    let answer = onspot.force(None, &[PAYOUT], &uuid, &status, |store, found| {
        let t = store.tenants.get_mut(&found.tenant);
        let rec = t.and_then(|t| t.payout_mut(&uuid));
        if let Some(rec) = rec.filter(|_| status == FAILED) {
            rec.lc.reason = reason.or_else(|| Some(FORCED.into()));
        }
        let t = store.tenants.get(&found.tenant);
        let payout = t
            .and_then(|t| t.payout(&uuid))
            .map(|p| json!(PayoutView::of(&found.tenant, p)));
        json!({
            "payout": payout,
            "balance": t.map(Balance::of),
            "activated": t.map(|t| t.activated.clone()).unwrap_or_default(),
        })
    })?;
    Ok(Json(answer))
}

const AMOUNT_RULE: &str = "`amount` must be a positive decimal (a string like \"1000.00\" or a number) with at most 2 decimals";

/// A section's query: which tenants, and a page of their rows (tenant after tenant, each
/// oldest first; the newest `limit` without `offset`, see `payoutsim_core::page::window`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    tenant: Option<String>,
    environment: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    tenant: String,
    amount: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
    reason: Option<String>,
}

/// A tenant's money, as decimal strings. `available + in_flight + paid = funded` in live; test
/// payouts take nothing from the balance.
#[derive(Debug, Serialize)]
pub struct Balance {
    pub funded: String,
    pub available: String,
    pub pending_funding: String,
    pub in_flight: String,
    pub paid: String,
}

impl Balance {
    fn of(t: &TenantData) -> Self {
        Self {
            funded: format_cents(t.funded),
            available: format_cents(t.available),
            pending_funding: format_cents(t.sum_in(PENDING_FUNDING)),
            in_flight: format_cents(t.sum_in(ACTIVE)),
            paid: format_cents(t.paid()),
        }
    }
}

/// A payout as the back office lists it; `item` keeps OnSpot's field names.
#[derive(Debug, Serialize)]
struct PayoutView<'a> {
    uuid: Uid,
    tenant: &'a str,
    environment: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forced_by: Option<&'a str>,
    created_at: String,
    updated_at: String,
    item: &'a crate::validation::NewPayout,
}

impl<'a> PayoutView<'a> {
    fn of(tenant: &'a str, p: &'a PayoutRec) -> Self {
        Self {
            uuid: p.uuid,
            tenant,
            environment: tenant.split(':').nth(1).unwrap_or_default(),
            status: &p.lc.status,
            reason: p.lc.reason.as_deref(),
            forced_by: p.forced_by.as_deref(),
            created_at: payoutsim_core::clock::rfc3339(p.created_at),
            updated_at: payoutsim_core::clock::rfc3339(p.updated_at),
            item: &p.item,
        }
    }
}

impl Section {
    /// Refuses a malformed `tenant` or an `environment` other than `test` and `live`.
    fn check(&self) -> Result<(), AdminError> {
        if let Some(t) = &self.tenant {
            parse(t)?;
        }
        match self.environment.as_deref() {
            Some(e) if e != "test" && e != "live" => Err(AdminError::bad_request(
                "`environment` must be `test` or `live`",
            )),
            _ => Ok(()),
        }
    }

    /// The tenants the query selects, by name.
    fn tenants<'a>(&self, store: &'a Store) -> Vec<(&'a str, &'a TenantData)> {
        (store.tenants.iter())
            .filter(|(name, _)| self.tenant.as_deref().is_none_or(|want| want == *name))
            .filter(|(_, t)| {
                (self.environment.as_deref()).is_none_or(|e| e == t.environment.as_str())
            })
            .map(|(name, t)| (name.as_str(), t))
            .collect()
    }

    fn paging(&self) -> Paging {
        Paging {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// `(environment, publicKey)` of a tenant name `onspot:<test|live>:<publicKey>`.
fn parse(tenant: &str) -> Result<(Environment, &str), AdminError> {
    parse_tenant(tenant).ok_or_else(|| {
        AdminError::bad_request(format!(
            "`tenant` must be `onspot:<test|live>:<publicKey>`, got `{tenant}`"
        ))
    })
}

/// Refuses a publicKey already bound to the other environment.
fn check_binding(store: &Store, env: Environment, key: &str) -> Result<(), AdminError> {
    match store.bindings.get(key) {
        Some(bound) if *bound != env => Err(AdminError::bad_request(format!(
            "publicKey `{key}` belongs to the {} environment",
            bound.as_str()
        ))),
        _ => Ok(()),
    }
}

/// Whether `provision` would accept `tenant` now (`Provider::check_tenant`).
pub(crate) fn check_tenant(onspot: &OnSpot, tenant: &str) -> Result<(), AdminError> {
    let (env, key) = parse(tenant)?;
    check_binding(&onspot.store(), env, key)
}

/// The data of `tenant`, provisioned if new: declared in the engine's tenants (its secretKey is
/// bound by the first token request) and its publicKey bound to its environment; and the
/// tenant's now, when that was done.
fn provisioned<'s>(
    onspot: &OnSpot,
    store: &'s mut Store,
    tenant: &str,
) -> Result<(&'s mut TenantData, DateTime<Utc>), AdminError> {
    let (env, key) = parse(tenant)?;
    check_binding(store, env, key)?;
    let now = onspot.declare(tenant, Some(env.as_str()));
    Ok((store.tenant(onspot.engine().ids(), env, key), now))
}

/// Makes a key pair's tenant exist before its first token request (`Provider::provision`),
/// with no money, its publicKey bound to its environment. A known tenant is left as it is.
pub(crate) fn provision(onspot: &OnSpot, tenant: &str) -> Result<Value, AdminError> {
    let mut store = onspot.store();
    let (t, _) = provisioned(onspot, &mut store, tenant)?;
    Ok(json!({ "tenant": tenant, "balance": Balance::of(t) }))
}

/// Records a bank transfer of `amount` (a decimal text) to tenant `tenant`, provisioning it if
/// new, then activates what the balance now covers (`Provider::fund` and `POST /transfers`).
pub(crate) fn fund(onspot: &OnSpot, tenant: &str, amount: &str) -> Result<Value, AdminError> {
    parse(tenant)?;
    let cents = minor_units(amount, 2, i64::MAX)
        .ok()
        .filter(|c| *c > 0)
        .ok_or_else(|| AdminError::bad_request(AMOUNT_RULE))?;
    let mut store = onspot.store();
    let (t, now) = provisioned(onspot, &mut store, tenant)?;
    let (funded, available) = (t.funded.checked_add(cents), t.available.checked_add(cents));
    let (Some(funded), Some(available)) = (funded, available) else {
        return Err(AdminError::bad_request("the balance would overflow"));
    };
    t.funded = funded;
    t.available = available;
    let transfer = Transfer {
        id: onspot.engine().ids().uuid(&format!("{tenant}:transfers")),
        at: now,
        amount: cents,
    };
    t.transfers.push(transfer.clone());
    let (activated, events) = activate(onspot, &mut store, tenant, now);
    let balance = store.tenants.get(tenant).map(Balance::of);
    drop(store);
    onspot.emit(tenant, events, now);
    Ok(json!({
        "tenant": tenant,
        "transfer": transfer,
        "balance": balance,
        "activated": activated,
    }))
}

/// `{"objects": [{kind, tenant, id, object, lifecycle?}]}`, for one tenant and/or kind.
pub(crate) fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
    kit::objects_view(&store.tenants, KINDS, tenant, kind, |t, name, k, out| {
        let entry = |id: &str, object: Value, lifecycle| kit::entry(k, name, id, object, lifecycle);
        match k {
            "payout" => out.extend(t.payouts.iter().map(|p| {
                entry(
                    &p.uuid.to_string(),
                    json!(PayoutView::of(name, p)),
                    Some(&p.lc),
                )
            })),
            "error_log" => out.extend(t.error_log.iter().map(|e| entry(&e.uuid, json!(e), None))),
            "transfer" => out.extend(t.transfers.iter().map(|x| entry(&x.id, json!(x), None))),
            "balance" => out.push(entry(name, json!(Balance::of(t)), None)),
            _ => {}
        }
    })
}
