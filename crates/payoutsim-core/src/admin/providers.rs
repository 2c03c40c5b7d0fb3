//! `GET /__admin/tenants`, and per provider `GET /__admin/providers/{p}/objects` and
//! `GET /__admin/providers/{p}/machines`, with the provider's own back-office router beside them.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AdminError, AdminJson, AdminQuery};
use crate::Engine;
use crate::kit::{Page, with_page};
use crate::machine::Delay;
use crate::page::Paging;
use crate::provider::Provider;
use crate::tenants::TenantInfo;

pub(super) fn routes() -> Router<Engine> {
    Router::new().route("/__admin/tenants", get(tenants))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantParams {
    provider: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Known tenants, grouped by provider (every served provider appears, possibly empty): a page of
/// each provider's, oldest first by name (the last `limit`, or `limit` from `offset`), with
/// `totals` per provider.
async fn tenants(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<TenantParams>,
) -> Result<Json<Value>, AdminError> {
    let paging = Paging {
        limit: q.limit,
        offset: q.offset,
    };
    let mut grouped: BTreeMap<String, Vec<TenantInfo>> = engine
        .providers()
        .iter()
        .filter(|p| q.provider.as_deref().is_none_or(|want| want == p.name()))
        .map(|p| (p.name().to_string(), Vec::new()))
        .collect();
    for t in engine.tenants().list(q.provider.as_deref()) {
        grouped.entry(t.provider.clone()).or_default().push(t);
    }
    let mut pages = BTreeMap::new();
    let mut totals = BTreeMap::new();
    for (provider, list) in grouped {
        let page = paging.window(list)?;
        totals.insert(provider.clone(), page.total);
        pages.insert(provider, page.items);
    }
    Ok(Json(json!({ "tenants": pages, "totals": totals })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectParams {
    kind: Option<String>,
    tenant: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// The routes every provider gets under `/__admin/providers/{p}/`, merged with its own.
pub(super) fn provider_routes(engine: Engine, provider: Arc<dyn Provider>) -> Router {
    let objects = {
        let p = provider.clone();
        move |AdminQuery(q): AdminQuery<ObjectParams>| async move {
            let page = Page {
                offset: q.offset,
                limit: crate::page::limit(q.limit)?,
            };
            let view = with_page(page, || p.objects(q.tenant.as_deref(), q.kind.as_deref()));
            Ok::<_, AdminError>(crate::page::json(&view))
        }
    };
    let machines = {
        let p = provider.clone();
        move || async move { Json(json!({ "machines": p.machines() })) }
    };
    let set_delay = {
        let p = provider.clone();
        move |AdminJson(body): AdminJson<DelayChange>| async move { change_delay(&*p, body) }
    };
    let _ = engine;
    Router::new()
        .route("/objects", get(objects))
        .route("/machines", get(machines).post(set_delay))
        .merge(super::openapi::provider_route(provider.openapi()))
        .merge(provider.admin_router())
}

/// `POST /__admin/providers/{p}/machines`: `{"kind", "variant"?, "from", "to", "seconds" | "business_days"}`,
/// the delay within [`Delay::MAX_SECONDS`] or [`Delay::MAX_BUSINESS_DAYS`] (else a 400 naming it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelayChange {
    kind: String,
    #[serde(default)]
    variant: String,
    from: String,
    to: String,
    seconds: Option<i64>,
    business_days: Option<u32>,
}

fn change_delay(p: &dyn Provider, body: DelayChange) -> Result<Json<Value>, AdminError> {
    let after =
        Delay::from_fields(body.seconds, body.business_days).map_err(AdminError::bad_request)?;
    if !p.set_delay(&body.kind, &body.variant, &body.from, &body.to, after) {
        return Err(AdminError::not_found(format!(
            "{} has no edge {} -> {} for `{}` {}",
            p.name(),
            body.from,
            body.to,
            body.kind,
            body.variant
        )));
    }
    Ok(Json(json!({ "machines": p.machines() })))
}
