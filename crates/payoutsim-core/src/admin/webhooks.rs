//! `GET`/`POST /__admin/webhooks`, `DELETE /__admin/webhooks/{id}`, `GET /__admin/webhooks/deliveries`.
//!
//! A target's URL may not name the admin listener but for its inboxes, and must have an allowed
//! host ([`crate::surface`]). The listing masks signing secrets unless `--show-secrets`; the
//! answer that creates a target shows its secret, once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AdminError, AdminJson, AdminQuery};
use crate::Engine;
use crate::page::Paging;
use crate::webhooks::WebhookTarget;

pub(super) fn routes() -> Router<Engine> {
    Router::new()
        .route("/__admin/webhooks", get(list).post(create))
        .route("/__admin/webhooks/deliveries", get(deliveries))
        .route("/__admin/webhooks/{id}", delete(remove))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    provider: Option<String>,
    tenant: Option<String>,
    event: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

impl Filter {
    fn paging(&self) -> Paging {
        Paging {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// A page of the targets (see [`crate::page::window`]: the newest `limit`, or from `offset`).
async fn list(
    State(engine): State<Engine>,
    AdminQuery(f): AdminQuery<Filter>,
) -> Result<Json<Value>, AdminError> {
    let targets = engine.webhook_listing(f.provider.as_deref(), f.tenant.as_deref());
    let page = f.paging().window(targets)?;
    Ok(Json(json!({
        "webhooks": page.items,
        "total": page.total,
        "next_offset": page.next_offset,
        "queue": engine.webhook_queue(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTarget {
    provider: String,
    tenant: String,
    url: String,
    #[serde(default)]
    events: Vec<String>,
    secret: Option<String>,
}

async fn create(
    State(engine): State<Engine>,
    AdminJson(body): AdminJson<NewTarget>,
) -> Result<(StatusCode, Json<WebhookTarget>), AdminError> {
    let provider = engine.provider(&body.provider).ok_or_else(|| {
        AdminError::bad_request(format!("`provider`: `{}` is not served", body.provider))
    })?;
    if !body.tenant.starts_with(&format!("{}:", body.provider)) {
        return Err(AdminError::bad_request(format!(
            "`tenant` must be named `{}:<credential>`, got `{}`",
            body.provider, body.tenant
        )));
    }
    check_url(&body.url)?;
    (engine.check_webhook_url(&body.url))
        .map_err(|reason| AdminError::bad_request(format!("`url` {reason}")))?;
    let known = provider.webhook_events();
    if known.is_empty() {
        return Err(AdminError::bad_request(format!(
            "`provider`: {} sends no webhooks",
            provider.name()
        )));
    }
    if let Some(bad) = body
        .events
        .iter()
        .find(|e| *e != "*" && !known.contains(&e.as_str()))
    {
        return Err(AdminError::bad_request(format!(
            "`events`: unknown event `{bad}` (known: {})",
            known.join(", ")
        )));
    }
    if let Some(secret) = &body.secret {
        (provider.check_webhook_secret(secret))
            .map_err(|e| AdminError::bad_request(format!("`secret`: {e}")))?;
    }
    let (minted, extra) = provider.new_webhook_secret(&body.tenant);
    let target = engine
        .add_webhook_target(WebhookTarget {
            id: String::new(),
            provider: body.provider,
            tenant: body.tenant.clone(),
            url: body.url,
            events: body.events,
            secret: body.secret.unwrap_or(minted),
            extra,
            created_at: crate::clock::rfc3339(engine.now_for(&body.tenant)),
        })
        .map_err(|e| AdminError::bad_request(format!("`tenant`: {e}")))?;
    Ok((StatusCode::CREATED, Json(target)))
}

/// Webhook URLs must be absolute `http://` or `https://` URLs with a host. (HTTPS deliveries
/// verify certificates against bundled web roots, so a self-signed local receiver needs HTTP.)
pub fn check_url(url: &str) -> Result<(), AdminError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && url.parse::<http::Uri>().is_ok();
    if ok {
        Ok(())
    } else {
        Err(AdminError::bad_request(format!(
            "`url` must be an absolute http:// or https:// URL, got `{url}`"
        )))
    }
}

async fn remove(
    State(engine): State<Engine>,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    engine
        .remove_webhook_target(&id)
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or_else(|| AdminError::not_found(format!("no webhook target `{id}`")))
}

/// A page of the delivery attempts, oldest first (the newest `limit`, or from `offset`).
async fn deliveries(
    State(engine): State<Engine>,
    AdminQuery(f): AdminQuery<Filter>,
) -> Result<Json<Value>, AdminError> {
    let mut list = engine.deliveries(f.provider.as_deref(), f.tenant.as_deref());
    if let Some(event) = &f.event {
        list.retain(|d| &d.event == event);
    }
    let page = f.paging().window(list)?;
    Ok(Json(json!({
        "deliveries": page.items,
        "total": page.total,
        "next_offset": page.next_offset,
    })))
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn webhook_urls_must_be_absolute_http_or_https() {
        for ok in ["http://127.0.0.1:8080/hooks", "https://example.com/h"] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ftp://a/",
            "http://",
            "https:///path",
            "/relative",
            "http://a b/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
