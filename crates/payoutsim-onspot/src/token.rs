//! Generate Token: `POST /platform/generate-token-api` and its alias `POST /auth/generate-token`.
//!
//! Headers `publicKey`, `secretKey`, `environment` (no body). The answer is the bare JSON string
//! of an HS256 JWT (`"eyJ…"`, quotes included), valid one hour of simulated time. A missing or
//! unknown `environment` is a 400; missing or malformed keys, a wrong secret for a known
//! publicKey, or a publicKey of the other environment, a 401.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use http::StatusCode;
use http::request::Parts;
use payoutsim_core::journal::RequestNotes;

use crate::OnSpot;
use crate::auth::{environment, header_text};
use crate::error::{OnSpotError, json_response};

pub(crate) fn routes() -> Router<OnSpot> {
    Router::new()
        .route("/platform/generate-token-api", post(generate))
        .route("/auth/generate-token", post(generate))
}

async fn generate(State(onspot): State<OnSpot>, parts: Parts) -> Result<Response, OnSpotError> {
    let env = environment(&parts.headers)?;
    let public_key = header_text(&parts.headers, "publickey").ok_or(OnSpotError::Unauthorized)?;
    let secret = header_text(&parts.headers, "secretkey").ok_or(OnSpotError::Unauthorized)?;
    let tenant = onspot.sign_in(env, public_key, secret)?;
    if let Some(notes) = parts.extensions.get::<RequestNotes>() {
        notes.set_tenant(&tenant);
    }
    onspot.engine().catch_up(&tenant);
    let token = onspot.issue_token(&tenant)?;
    Ok(json_response(StatusCode::CREATED, &token))
}
