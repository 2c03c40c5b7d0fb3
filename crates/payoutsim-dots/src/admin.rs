//! Dots' back office, served by the core under `/__admin/providers/dots/` (errors
//! `{"error": "..."}`):
//! - `POST /fund` {tenant, amount}: credits an app wallet, `amount` in dollars (at most 2
//!   decimals); links waiting for funds are then funded in creation order
//! - `GET /sms?tenant=&user_id=`: the SMS outbox, the verification codes sent
//! - `POST /transfers/{id}/status` {status, tenant?}: forces a payout's status
//! - `POST /payout-links/{id}/status` {status, tenant?, user_id?}: forces a link's status
//!   (`claimed` with the user who claimed it)
//! - `GET /batches?tenant=`, `GET /batches/{id}`: payout batches with their per-item results
//!
//! and [`provision`] (a scenario's `setup.tenants`) and [`objects`], what
//! `GET /__admin/providers/dots/objects` shows.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use payoutsim_core::admin::{AdminError, AdminJson, AdminQuery};
use payoutsim_core::kit::{self, Found, Records};
use payoutsim_core::money::{AmountError, minor_units};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::environment;
use crate::model::dollars;
use crate::state::{AppData, Env, KINDS, PAYOUT_BATCH, PAYOUT_LINK, Store, TRANSFER};
use crate::{Dots, render};

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/fund", kit::fund())
        .route("/sms", get(sms))
        .route("/transfers/{id}/status", post(force_transfer))
        .route("/payout-links/{id}/status", post(force_link))
        .route("/batches", get(batches))
        .route("/batches/{id}", get(batch))
}

/// The largest single funding: $10,000,000.
pub const MAX_FUNDING_CENTS: i64 = 1_000_000_000;

/// `(client_id, app id)` of a tenant name `dots:<client_id>` or `dots:<client_id>:<app id>`.
pub(crate) fn parse_tenant(tenant: &str) -> Result<(&str, Option<&str>), AdminError> {
    let bad = || {
        AdminError::bad_request(format!(
            "`tenant` must be `dots:<client_id>` (pk_dev_… or pk_<env>_…) or `dots:<client_id>:<app id>`, got `{tenant}`"
        ))
    };
    let rest = tenant.strip_prefix("dots:").ok_or_else(bad)?;
    let (client, app) = match rest.split_once(':') {
        Some((c, a)) => (c, Some(a)),
        None => (rest, None),
    };
    let env = client.strip_prefix("pk_").and_then(|r| r.split_once('_'));
    let env = env.map(|(e, tail)| format!("sk_{e}_{tail}"));
    match env {
        Some(key) if environment(client, &key).is_ok() => Ok((client, app)),
        _ => Err(bad()),
    }
}

/// The environment of a `client_id`.
fn env_of(client_id: &str) -> Env {
    if client_id.starts_with("pk_dev_") {
        Env::Sandbox
    } else {
        Env::Production
    }
}

/// Makes a key pair's app exist before its first request (`Provider::provision`), in sandbox
/// with its $100; an app made with `POST /v2/apps` must already exist.
pub(crate) fn provision(dots: &Dots, tenant: &str) -> Result<Value, AdminError> {
    let (client_id, app) = parse_tenant(tenant)?;
    let env = env_of(client_id);
    let mut store = dots.store();
    if app.is_none() {
        crate::auth::provision(dots, &mut store, tenant, client_id, env);
    }
    let data = (store.apps.get(tenant)).ok_or_else(|| {
        AdminError::not_found(format!("no app `{tenant}`: make it with POST /v2/apps"))
    })?;
    let answer = json!({"tenant": tenant, "environment": env.name(), "app_id": data.app_id, "wallet": dollars(data.wallet)});
    drop(store);
    dots.declare(tenant, Some(env.name()));
    Ok(answer)
}

/// Credits an app wallet (`Provider::fund`), `amount` in dollars.
pub(crate) fn fund(dots: &Dots, tenant: &str, amount: &str) -> Result<Value, AdminError> {
    let cents = match minor_units(amount, 2, MAX_FUNDING_CENTS) {
        Ok(c) if c > 0 => c,
        Err(AmountError::TooLarge) => {
            return Err(AdminError::bad_request(format!(
                "`amount` is at most {} dollars",
                dollars(MAX_FUNDING_CENTS)
            )));
        }
        _ => {
            return Err(AdminError::bad_request(
                "`amount` must be a positive number of dollars with at most 2 decimals",
            ));
        }
    };
    provision(dots, tenant)?;
    let now = dots.now_for(tenant);
    let mut store = dots.store();
    let app = (store.apps.get_mut(tenant))
        .ok_or_else(|| AdminError::not_found(format!("no app `{tenant}`")))?;
    let wallet = (app.wallet.checked_add(cents))
        .filter(|w| *w <= i64::MAX / 4)
        .ok_or_else(|| AdminError::bad_request("the wallet would overflow"))?;
    app.wallet = wallet;
    app.funded += cents;
    let links = crate::links::fund_waiting(dots, tenant, app, now);
    Ok(json!({
        "tenant": tenant,
        "wallet": dollars(app.wallet),
        "wallet_cents": app.wallet,
        "links_funded": links,
    }))
}

#[derive(Deserialize)]
struct SmsQuery {
    tenant: Option<String>,
    user_id: Option<String>,
}

async fn sms(State(dots): State<Dots>, AdminQuery(q): AdminQuery<SmsQuery>) -> Json<Value> {
    let store = dots.store();
    let apps = (store.apps.iter()).filter(|(t, _)| q.tenant.as_deref().is_none_or(|w| w == *t));
    let messages: Vec<Value> = apps
        .flat_map(|(_, app)| app.sms.iter())
        .filter(|m| q.user_id.as_deref().is_none_or(|u| u == m.user_id))
        .filter_map(|m| serde_json::to_value(m).ok())
        .collect();
    Json(json!({ "messages": messages }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    status: String,
    tenant: Option<String>,
    user_id: Option<String>,
}

async fn force_transfer(
    State(dots): State<Dots>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Status>,
) -> Result<Json<Value>, AdminError> {
    if !crate::transfers::STATUSES.contains(&body.status.as_str()) {
        return Err(AdminError::bad_request(format!(
            "`{}` is not a transfer status ({})",
            body.status,
            crate::transfers::STATUSES.join(", ")
        )));
    }
    let render = |store: &mut Store, found: &Found| {
        let t = (store.apps.get(&found.tenant)).and_then(|a| a.transfers.get(&id));
        t.map_or(Value::Null, |t| json!(render::transfer(t)))
    };
    let to = body.status.clone();
    dots.force(body.tenant.as_deref(), &[TRANSFER], &id, &to, render)
        .map(Json)
}

async fn force_link(
    State(dots): State<Dots>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Status>,
) -> Result<Json<Value>, AdminError> {
    let statuses = crate::state::LINK_STATUSES;
    if !statuses.contains(&body.status.as_str()) {
        return Err(AdminError::bad_request(format!(
            "`{}` is not a payout link status ({})",
            body.status,
            statuses.join(", ")
        )));
    }
    let user = body.user_id.clone();
    let render = |store: &mut Store, found: &Found| {
        let Some(app) = store.apps.get_mut(&found.tenant) else {
            return Value::Null;
        };
        let env = app.env;
        let known = user.as_deref().filter(|u| app.users.get(u).is_some());
        let claimed_by = known.map(str::to_string);
        let Some(l) = app.links.get_mut(&id) else {
            return Value::Null;
        };
        if l.status() == "claimed" {
            l.claimed_user_id = claimed_by.or_else(|| l.user_id.clone());
        }
        json!(render::link(l, env))
    };
    let to = body.status.clone();
    dots.force(body.tenant.as_deref(), &[PAYOUT_LINK], &id, &to, render)
        .map(Json)
}

#[derive(Deserialize)]
struct Of {
    tenant: Option<String>,
}

fn batch_view(app: &AppData, id: &str) -> Option<Value> {
    let b = app.batches.get(id)?;
    Some(json!({
        "batch": render::batch(b, app),
        "items": render::results(b, app, true),
        "lifecycle": b.lc,
    }))
}

async fn batches(State(dots): State<Dots>, AdminQuery(q): AdminQuery<Of>) -> Json<Value> {
    let store = dots.store();
    let apps = (store.apps.iter()).filter(|(t, _)| q.tenant.as_deref().is_none_or(|w| w == *t));
    let list: Vec<Value> = apps
        .flat_map(|(t, app)| {
            (app.batches.iter()).map(
                move |b| json!({"tenant": t, "batch": render::batch(b, app), "lifecycle": b.lc}),
            )
        })
        .collect();
    Json(json!({ "batches": list }))
}

async fn batch(
    State(dots): State<Dots>,
    Path(id): Path<String>,
    AdminQuery(q): AdminQuery<Of>,
) -> Result<Json<Value>, AdminError> {
    let store = dots.store();
    let found = (store.apps.iter())
        .filter(|(t, _)| q.tenant.as_deref().is_none_or(|w| w == *t))
        .find_map(|(t, app)| batch_view(app, &id).map(|v| (t.clone(), v)));
    let (tenant, mut view) =
        found.ok_or_else(|| AdminError::not_found(format!("no payout batch `{id}`")))?;
    if let Some(map) = view.as_object_mut() {
        map.insert("tenant".into(), json!(tenant));
    }
    Ok(Json(view))
}

/// What `GET /__admin/providers/dots/objects` shows: every app's users, transfers, payout
/// links, batches and flows.
pub(crate) fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
    let kinds: Vec<&str> = ["app", "user"]
        .into_iter()
        .chain(KINDS.iter().copied())
        .chain(["flow"])
        .collect();
    kit::objects_view(
        &store.apps,
        &kinds,
        tenant,
        kind,
        |app, tenant, kind, out| {
            match kind {
            "app" => out.push(kit::entry(
                "app",
                tenant,
                &app.app_id,
                json!({"name": app.name, "environment": app.env.name(), "wallet": app.wallet, "user_wallets": app.users.iter().map(|u| u.wallet).sum::<i64>(), "in_flight": app.in_flight(), "money_out": app.money_out, "funded": app.funded}),
                None,
            )),
            "user" => out.extend(
                (app.users.iter()).map(|u| kit::entry(kind, tenant, &u.id, json!(render::user(u)), None)),
            ),
            TRANSFER => out.extend((app.transfers.iter()).map(|t| {
                kit::entry(kind, tenant, &t.id.to_string(), json!(render::transfer(t)), t.lc.as_ref())
            })),
            PAYOUT_LINK => out.extend((app.links.iter()).map(|l| {
                kit::entry(kind, tenant, &l.id, json!(render::link(l, app.env)), l.lc.as_ref())
            })),
            PAYOUT_BATCH => out.extend((app.batches.iter()).map(|b| {
                kit::entry(kind, tenant, &b.id, json!(render::batch(b, app)), app.lifecycle(kind, &b.id))
            })),
            "flow" => out.extend(
                (app.flows.iter()).map(|f| kit::entry(kind, tenant, &f.id, json!(render::flow(f, app.env)), None)),
            ),
            _ => {}
        }
        },
    )
}
