//! `POST`/`GET /v1/webhooks`, `GET`/`PATCH`/`DELETE /v1/webhooks/{id}`
//! (page: https://docs.onepay.la/client/webhooks/create).
//!
//! Webhooks are the engine's webhook targets, registered with its target verbs (so
//! `/__admin/webhooks` lists them and deliveries are recorded there): id = the OnePay id,
//! secret = `wh_tok_…`, `extra` = `header` (`wh_hdr_…`), `name`, `description`, `updated_at`.
//! Deliveries are signed by `Spec::sign_webhook`.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::DateTime;
use http::{HeaderMap, StatusCode};
use payoutsim_core::Engine;
use payoutsim_core::clock::rfc3339;
use payoutsim_core::kit::{Auth, RawBody, Spec};
use payoutsim_core::webhooks::WebhookTarget;
use serde_json::{Map, Value};

use crate::auth::Tenant;
use crate::error::{FieldError, Id, OnePayError, OnePayJson, json_response, parse_object};
use crate::model::{Data, Webhook, laravel_date};
use crate::pagination::{Params, paginate};
use crate::validation::Fields;
use crate::{EVENTS, OnePay, OnePaySpec};

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/v1/webhooks", get(list).post(create))
        .route("/v1/webhooks/{id}", get(show).patch(update).delete(remove))
}

async fn create(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    OnePayJson(map): OnePayJson<Map<String, Value>>,
) -> Result<Response, OnePayError> {
    let mut f = Fields::new(&map);
    let name = f.string("name", true, 255).map(String::from);
    let description = f.string("description", false, 1000).map(String::from);
    let url = checked_url(&mut f, true, onepay.engine());
    let events = checked_events(&mut f, true);
    let engine = onepay.engine();
    let limit = engine.config().max_webhook_targets;
    if engine
        .webhook_targets(Some(OnePaySpec::NAME), Some(&tenant.name))
        .len()
        >= limit
    {
        f.error("url", too_many(limit));
    }
    f.finish()?;
    let (Some(name), Some(url), Some(events)) = (name, url, events) else {
        return Err(OnePayError::Internal("validated fields missing".into()));
    };
    let now = rfc3339(engine.now_for(&tenant.name));
    let id = engine.ids().uuid(&tenant.name);
    let (secret, mut extra) = OnePaySpec::new_webhook_secret(&onepay, &tenant.name);
    extra.insert("name".into(), name);
    if let Some(d) = description {
        extra.insert("description".into(), d);
    }
    extra.insert("updated_at".into(), now.clone());
    let target = engine
        .add_webhook_target(WebhookTarget {
            id: id.clone(),
            provider: OnePaySpec::NAME.into(),
            tenant: tenant.name.clone(),
            url,
            events,
            secret,
            extra,
            created_at: now,
        })
        .map_err(|e| OnePayError::Validation(vec![FieldError::new("url", too_many(e.limit))]))?;
    tenant.with_data(&onepay, |t| t.webhook_ids.push(id));
    let data = wire(&target, tenant.is_test);
    Ok(json_response(StatusCode::CREATED, &Data { data }))
}

/// Newest first.
async fn list(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    params: Params,
) -> Result<Response, OnePayError> {
    let order = tenant.with_data(&onepay, |t| t.webhook_ids.clone());
    let mut targets = (onepay.engine()).webhook_targets(Some(OnePaySpec::NAME), Some(&tenant.name));
    // Ours in creation order, then any made through the admin API.
    targets.sort_by_key(|t| {
        order
            .iter()
            .position(|id| *id == t.id)
            .unwrap_or(usize::MAX)
    });
    let all: Vec<Webhook> = targets
        .iter()
        .rev()
        .map(|t| wire(t, tenant.is_test))
        .collect();
    Ok(OnePayJson(paginate(all, &params)).into_response())
}

async fn show(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
) -> Result<Response, OnePayError> {
    let target = find(&onepay, &tenant, &id)?;
    let data = wire(&target, tenant.is_test);
    Ok(OnePayJson(Data { data }).into_response())
}

/// Changes any of `name`, `description`, `url`, `events`. The webhook is found before the body
/// is read (an unknown id is a 404 whatever the body), so the body is raw here.
async fn update(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, OnePayError> {
    let mut target = find(&onepay, &tenant, &id)?;
    let map = parse_object(&headers, &body)?;
    let mut f = Fields::new(&map);
    let name = map
        .contains_key("name")
        .then(|| f.string("name", true, 255).map(String::from));
    let description = f.string("description", false, 1000).map(String::from);
    let url = checked_url(&mut f, false, onepay.engine());
    let events = checked_events(&mut f, false);
    f.finish()?;
    if let Some(Some(name)) = name {
        target.extra.insert("name".into(), name);
    }
    if let Some(d) = description {
        target.extra.insert("description".into(), d);
    } else if map.get("description").is_some_and(Value::is_null) {
        target.extra.remove("description");
    }
    if let Some(url) = url {
        target.url = url;
    }
    if let Some(events) = events {
        target.events = events;
    }
    let engine = onepay.engine();
    let now = rfc3339(engine.now_for(&tenant.name));
    target.extra.insert("updated_at".into(), now);
    let target =
        (engine.add_webhook_target(target)).map_err(|e| OnePayError::Internal(e.to_string()))?;
    let data = wire(&target, tenant.is_test);
    Ok(OnePayJson(Data { data }).into_response())
}

async fn remove(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
) -> Result<StatusCode, OnePayError> {
    find(&onepay, &tenant, &id)?;
    onepay.engine().remove_webhook_target(&id);
    tenant.with_data(&onepay, |t| t.webhook_ids.retain(|w| *w != id));
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's webhook `id`.
fn find(onepay: &OnePay, tenant: &Tenant, id: &str) -> Result<WebhookTarget, OnePayError> {
    (onepay.engine())
        .webhook_targets(Some(OnePaySpec::NAME), Some(&tenant.name))
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| OnePayError::not_found("Webhook"))
}

/// `url`: an absolute `http://` or `https://` URL (HTTPS deliveries verify certificates against
/// bundled web roots), not naming the simulator's admin listener (but for its inboxes) and with a
/// host `--webhook-allow-hosts` allows.
/// The `url` field's error past `--max-webhook-targets`, in Laravel's words.
fn too_many(limit: usize) -> String {
    format!("The url field cannot be added: an account may have at most {limit} webhooks.")
}

fn checked_url(f: &mut Fields<'_>, required: bool, engine: &Engine) -> Option<String> {
    let url = f.string("url", required, 2048)?;
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && url.parse::<http::Uri>().is_ok();
    if !ok {
        f.error("url", "The url field must be a valid URL.");
        return None;
    }
    match engine.check_webhook_url(url) {
        Ok(()) => Some(url.to_string()),
        Err(reason) => {
            f.error("url", format!("The url field {reason}."));
            None
        }
    }
}

/// `events`: a non-empty array of known event names.
fn checked_events(f: &mut Fields<'_>, required: bool) -> Option<Vec<String>> {
    let value = f.raw("events");
    let list = match value {
        None if !required => return None,
        None => {
            f.error("events", "The events field is required.");
            return None;
        }
        Some(Value::Array(list)) if list.is_empty() => {
            f.error("events", "The events field is required.");
            return None;
        }
        Some(Value::Array(list)) => list,
        Some(_) => {
            f.error("events", "The events field must be an array.");
            return None;
        }
    };
    let mut events = Vec::new();
    for (i, e) in list.iter().enumerate() {
        match e.as_str() {
            Some(name) if EVENTS.contains(&name) => events.push(name.to_string()),
            _ => f.error(
                &format!("events.{i}"),
                format!(
                    "The selected events.{i} is invalid. Allowed values: {}.",
                    EVENTS.join(", ")
                ),
            ),
        }
    }
    (events.len() == list.len()).then_some(events)
}

/// A target as OnePay shows a webhook.
fn wire(t: &WebhookTarget, is_test: bool) -> Webhook {
    let date = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|d| laravel_date(d.to_utc()))
            .unwrap_or_else(|_| s.to_string())
    };
    let created_at = date(&t.created_at);
    Webhook {
        id: t.id.clone(),
        name: t.extra.get("name").cloned(),
        description: t.extra.get("description").cloned(),
        url: t.url.clone(),
        events: t.events.clone(),
        secret: t.secret.clone(),
        header: t.extra.get("header").cloned(),
        is_test,
        updated_at: t
            .extra
            .get("updated_at")
            .map(|u| date(u))
            .unwrap_or(created_at.clone()),
        created_at,
    }
}
