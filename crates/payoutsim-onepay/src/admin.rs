//! OnePay's back office, served by the core under `/__admin/providers/onepay/`
//! (errors `{"error": "..."}`):
//! - `POST /fund` {tenant, amount}: credits a tenant's balance (provisions a new tenant)
//! - `POST /cashouts/{id}/status` {status}: forces a cashout or balance cashout status
//! - `POST /accounts/{id}/status` {status}: forces an account status
//!
//! and [`provision`] (a scenario's `setup.tenants`) and [`objects`], what
//! `GET /__admin/providers/onepay/objects` shows.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use payoutsim_core::admin::{AdminError, AdminJson};
use payoutsim_core::kit::{self, Spec};
use payoutsim_core::webhooks::WebhookTarget;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{key_mode, mode_name};
use crate::lifecycle::wire;
use crate::model::Amount;
use crate::state::{ACCOUNT, BALANCE_CASHOUT, CASHOUT, TenantData};
use crate::validation::MAX_AMOUNT_CENTS;
use crate::{OnePay, OnePaySpec};
use payoutsim_core::money::minor_units;

/// The kinds `objects` knows.
pub const KINDS: &[&str] = &[
    "customer",
    ACCOUNT,
    CASHOUT,
    BALANCE_CASHOUT,
    "webhook",
    "balance",
];

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/fund", kit::fund())
        .route("/cashouts/{id}/status", post(force_payout))
        .route("/accounts/{id}/status", post(force_account))
}

async fn force_payout(
    State(onepay): State<OnePay>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Status>,
) -> Result<Json<Value>, AdminError> {
    force(&onepay, &[CASHOUT, BALANCE_CASHOUT], &id, &body.status).map(Json)
}

async fn force_account(
    State(onepay): State<OnePay>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Status>,
) -> Result<Json<Value>, AdminError> {
    force(&onepay, &[ACCOUNT], &id, &body.status).map(Json)
}

/// Moves object `id` (of one of `kinds`, in whichever tenant has it) to `status` through the
/// kit's back office; answers its wire form after the change.
fn force(onepay: &OnePay, kinds: &[&str], id: &str, status: &str) -> Result<Value, AdminError> {
    onepay.force(None, kinds, id, status, |store, found| {
        (store.tenants.get(&found.tenant))
            .and_then(|t| wire(t, &found.kind, id))
            .unwrap_or(Value::Null)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    status: String,
}

/// Whether tenant name `onepay:<key>` has a test key; an error unless the key is well formed.
pub(crate) fn is_test(tenant: &str) -> Result<bool, AdminError> {
    let key = tenant.strip_prefix("onepay:").unwrap_or("");
    let is_test = key_mode(key).ok_or_else(|| {
        AdminError::bad_request(format!(
            "`tenant` must be `onepay:sk_test_<k>` or `onepay:sk_live_<k>`, got `{tenant}`"
        ))
    })?;
    Ok(is_test)
}

/// Declares tenant `name` in the engine and creates its data, before any client uses it; runs
/// `f` on the data.
fn declare<R>(
    onepay: &OnePay,
    name: &str,
    is_test: bool,
    f: impl FnOnce(&mut TenantData) -> R,
) -> R {
    onepay.declare(name, Some(mode_name(is_test)));
    f(onepay.store().tenant(name, is_test, onepay.config()))
}

/// Makes a tenant exist before first use (`Provider::provision`), as first use would make it:
/// test tenants with the starting balance. A known tenant is left as it is.
pub(crate) fn provision(onepay: &OnePay, tenant: &str) -> Result<Value, AdminError> {
    let is_test = is_test(tenant)?;
    let available = declare(onepay, tenant, is_test, |t| t.available);
    Ok(json!({ "tenant": tenant, "available": Amount(available) }))
}

/// Credits a tenant's balance (`Provider::fund`), provisioning a new tenant first.
pub(crate) fn fund(onepay: &OnePay, tenant: &str, amount: &str) -> Result<Value, AdminError> {
    let is_test = is_test(tenant)?;
    let cents = minor_units(amount, 2, MAX_AMOUNT_CENTS)
        .ok()
        .filter(|c| *c > 0)
        .ok_or_else(|| {
            AdminError::bad_request("`amount` must be a positive number with at most 2 decimals")
        })?;
    declare(onepay, tenant, is_test, |t| {
        t.available = (t.available.checked_add(cents))
            .ok_or_else(|| AdminError::bad_request("the balance would overflow"))?;
        Ok(json!({ "tenant": tenant, "available": Amount(t.available) }))
    })
}

/// `{"objects": [{kind, tenant, id, object, lifecycle?}]}`, for one tenant and/or kind.
pub(crate) fn objects(onepay: &OnePay, tenant: Option<&str>, kind: Option<&str>) -> Value {
    let targets = (onepay.engine()).webhook_listing(Some(OnePaySpec::NAME), tenant);
    let store = onepay.store();
    kit::objects_view(&store.tenants, KINDS, tenant, kind, |t, name, k, out| {
        tenant_objects(t, name, k, &targets, out);
    })
}

fn tenant_objects(
    t: &TenantData,
    tenant: &str,
    kind: &str,
    targets: &[WebhookTarget],
    out: &mut kit::Objects,
) {
    let entry =
        |id: &str, object: Value, lifecycle| kit::entry(kind, tenant, id, object, lifecycle);
    match kind {
        "customer" => out.extend(t.customers.iter().map(|c| entry(&c.id, json!(c), None))),
        ACCOUNT => out.extend(t.accounts.iter().map(|a| {
            let mut object = json!(t.account_wire(a));
            if let Some(map) = object.as_object_mut() {
                map.insert("account_number".into(), json!(a.account_number));
            }
            entry(&a.id, object, Some(&a.lc))
        })),
        CASHOUT => out.extend(
            t.cashouts
                .iter()
                .map(|c| entry(&c.id.to_string(), json!(t.cashout_wire(c)), Some(&c.lc))),
        ),
        BALANCE_CASHOUT => out.extend(t.balance_cashouts.iter().map(|b| {
            entry(
                &b.id.to_string(),
                json!(t.balance_cashout_wire(b)),
                Some(&b.lc),
            )
        })),
        "webhook" => out.extend(
            targets
                .iter()
                .filter(|w| w.tenant == tenant)
                .map(|w| entry(&w.id, json!(w), None)),
        ),
        "balance" => out.push(entry(
            tenant,
            json!({
                "available": Amount(t.available),
                "in_transit": Amount(t.in_transit()),
                "currency": "COP",
                "is_test": t.is_test,
            }),
            None,
        )),
        _ => {}
    }
}
