//! `GET /__admin/openapi.json` (the admin API's own document, `openapi.yaml` at this crate's
//! root) and, per provider with a document, `GET /__admin/providers/{p}/openapi.json`. A
//! provider without one, or an unknown provider, falls to the admin 404.
//!
//! The documents are kept as YAML in their crates and served as JSON, read at each request
//! (they are small, and a document that does not parse is a 500 naming why, never a panic).
//! Their `servers` are as written: the default listener of each (`http://127.0.0.1:4702` for
//! OnePay), since a provider's router does not know the port it was bound to.

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::AdminError;
use crate::Engine;

/// The admin API's document, YAML.
pub const ADMIN_OPENAPI: &str = include_str!("../../openapi.yaml");

pub(super) fn routes() -> Router<Engine> {
    Router::new().route(
        "/__admin/openapi.json",
        get(|| async { serve(ADMIN_OPENAPI) }),
    )
}

/// The route `/openapi.json` for a provider's back office, when it has a document.
pub(super) fn provider_route(document: Option<&'static str>) -> Router {
    match document {
        Some(text) => Router::new().route("/openapi.json", get(move || async move { serve(text) })),
        None => Router::new(),
    }
}

/// A YAML document as JSON. Status keys are written quoted (`'200':`), so YAML maps straight
/// onto JSON objects.
pub fn to_json(text: &str) -> Result<Value, String> {
    serde_yaml_ng::from_str(text).map_err(|e| e.to_string())
}

fn serve(text: &str) -> Response {
    match to_json(text) {
        Ok(document) => Json(document).into_response(),
        Err(e) => AdminError(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the OpenAPI document does not parse: {e}"),
        )
        .into_response(),
    }
}
