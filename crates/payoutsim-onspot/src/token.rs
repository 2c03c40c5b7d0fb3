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

use crate::OnSpot;
use crate::auth::{environment, header_text, issue_token, sign_in};
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
    let tenant = sign_in(&onspot, env, public_key, secret)?;
    // It authenticates in its body (no `Auth` extractor), so it enters the tenant itself.
    onspot.enter(&tenant, &parts.extensions);
    let token = issue_token(&onspot, &tenant)?;
    Ok(json_response(StatusCode::CREATED, &token))
}
