//! The admin API (admin port, JSON): the simulator's own endpoints under `/__admin`.
//!
//! - `health.rs`: `GET /__admin/health`, `POST /__admin/reset`, clock read and advance
//! - `journal.rs`: `GET`/`DELETE /__admin/requests`, `GET /__admin/transitions`, `GET /__admin/timeline`
//! - `webhooks.rs`: `GET`/`POST /__admin/webhooks`, `DELETE /__admin/webhooks/{id}`,
//!   `GET /__admin/webhooks/deliveries`
//! - `inbox.rs`: `POST`/`GET`/`DELETE /__admin/inbox/{name}`, a built-in webhook receiver
//! - `providers.rs`: `GET /__admin/tenants`, `/__admin/providers/{p}/objects`, `/machines`, and
//!   each provider's back-office router nested under `/__admin/providers/{p}/`
//! - `openapi.rs`: `GET /__admin/openapi.json` and `GET /__admin/providers/{p}/openapi.json`
//! - `dashboard/`: the page at `GET /` (and `/__admin/dashboard`) that shows all of the above
//!
//! - `guard.rs`: the checks before every route (`Host`, `Origin`, the token, the content type of
//!   a state-changing call), and the layer that makes every error answer JSON
//!
//! Errors are `{"error": "..."}` with a 4xx status, 405 and 413 included. Never faulted.

mod dashboard;
mod guard;
mod health;
pub mod inbox;
mod journal;
pub mod openapi;
mod providers;
mod webhooks;

use axum::Router;
use axum::extract::Request;
use axum::middleware;
use serde::Deserialize;

use crate::Engine;
pub use crate::error::{AdminError, AdminJson, AdminQuery};

/// Admin settings.
#[derive(Clone, Debug, Default)]
pub struct AdminOptions {
    /// When set, every admin call (the inboxes included) needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Origins (`http://localhost:3000`) whose pages may call the admin API, besides the admin
    /// listener's own (`--admin-allow-origin`). Default none.
    pub allow_origins: Vec<String>,
    /// Host names a `Host` header may give besides the admin listener's addresses and
    /// `localhost` (`--admin-allow-host`, for a simulator reached by a container's name).
    /// Default none.
    pub allow_hosts: Vec<String>,
}

/// `?provider=<name>`, the one filter several endpoints share (reset, clear the journal, the
/// timeline, tenants): that provider's share, or every provider's when absent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderParam {
    provider: Option<String>,
}

/// The admin router for `engine` and the providers registered with it.
pub fn router(engine: Engine, options: AdminOptions) -> Router {
    router_with(engine, options, Router::new())
}

/// [`router`] with `extra` routes (e.g. the fault rules') merged in, under the same token check
/// and before the fallback.
pub fn router_with(engine: Engine, options: AdminOptions, extra: Router) -> Router {
    let mut app = Router::new()
        .merge(health::routes())
        .merge(journal::routes())
        .merge(webhooks::routes())
        .merge(providers::routes())
        .merge(openapi::routes())
        .with_state(engine.clone())
        .merge(inbox::routes(&engine))
        .merge(extra);
    for p in engine.providers() {
        let path = format!("/__admin/providers/{}", p.name());
        app = app.nest(&path, providers::provider_routes(engine.clone(), p));
    }
    app.fallback(|req: Request| async move {
        AdminError::not_found(format!(
            "no admin endpoint {} {}",
            req.method(),
            req.uri().path()
        ))
    })
    .layer(middleware::from_fn_with_state(
        guard::Guard { options, engine },
        guard::guard,
    ))
    .layer(middleware::from_fn(guard::json_errors))
    // After the guard: the page and its assets hold no data, and the page asks for the token.
    .merge(dashboard::routes())
}
