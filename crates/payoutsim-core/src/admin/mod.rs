//! The admin API (admin port, JSON): the simulator's own endpoints under `/__admin`.
//!
//! - `health.rs`: `GET /__admin/health`, `POST /__admin/reset`, clock read and advance
//! - `journal.rs`: `GET`/`DELETE /__admin/requests`, `GET /__admin/transitions`, `GET /__admin/timeline`
//! - `webhooks.rs`: `GET`/`POST /__admin/webhooks`, `DELETE /__admin/webhooks/{id}`,
//!   `GET /__admin/webhooks/deliveries`
//! - `inbox.rs`: `POST`/`GET`/`DELETE /__admin/inbox/{name}`, a built-in webhook receiver
//! - `providers.rs`: `GET /__admin/tenants`, `/__admin/providers/{p}/objects`, `/machines`, and
//!   each provider's back-office router nested under `/__admin/providers/{p}/`
//! - `dashboard/`: the page at `GET /` (and `/__admin/dashboard`) that shows all of the above
//!
//! Errors are `{"error": "..."}` with a 4xx status. Never faulted.

mod dashboard;
mod health;
pub mod inbox;
mod journal;
mod providers;
mod webhooks;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::Engine;
pub use crate::error::{AdminError, AdminJson, AdminQuery};

/// Admin settings.
#[derive(Clone, Debug, Default)]
pub struct AdminOptions {
    /// When set, every admin call needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
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
    .layer(middleware::from_fn_with_state(options, require_token))
    // After the token check: the page and its assets hold no data, and the page asks for the token.
    .merge(dashboard::routes())
}

async fn require_token(State(options): State<AdminOptions>, req: Request, next: Next) -> Response {
    // Providers deliver webhooks to an inbox without the admin token.
    let inbox_delivery =
        req.method() == http::Method::POST && req.uri().path().starts_with("/__admin/inbox/");
    if let Some(token) = options.token.as_ref().filter(|_| !inbox_delivery) {
        let given = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(token.as_str()) {
            let err = AdminError(
                StatusCode::UNAUTHORIZED,
                "admin token required: Authorization: Bearer <token>".into(),
            );
            return err.into_response();
        }
    }
    next.run(req).await
}
