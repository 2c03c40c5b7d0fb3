//! Create Payouts: `POST /accreditation/payouts/create`.
//!
//! Headers `Authorization: Bearer <jwt>`, `environment`, `Content-Type: application/json`; the
//! body an array of payouts. Each item is validated on its own: a valid one becomes a payout
//! (`action: "success"`, `message: "created successfully"`), an invalid one is written to the
//! tenant's error log (`action: "error"`, a message naming each failing field). The answer is
//! 201 with the seed's nesting `[[…]]`, one entry per item in request order, `email` echoing the
//! item's `customerEmail`.

use std::convert::Infallible;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::response::Response;
use axum::routing::post;
use http::request::Parts;
use http::{HeaderMap, StatusCode};
use payoutsim_core::forced::OutcomeSlot;

use crate::OnSpot;
use crate::auth::Session;
use crate::error::{OnSpotError, RawBody, json_response};
use crate::lifecycle;
use crate::validation::parse_items;

pub(crate) fn routes() -> Router<OnSpot> {
    Router::new().route("/accreditation/payouts/create", post(create))
}

/// The forced outcome a fault rule put on the request, if any.
#[derive(Debug)]
pub(crate) struct Forced(Option<OutcomeSlot>);

impl<S: Send + Sync> FromRequestParts<S> for Forced {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(OutcomeSlot::of(&parts.extensions).cloned()))
    }
}

async fn create(
    State(onspot): State<OnSpot>,
    session: Session,
    Forced(forced): Forced,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, OnSpotError> {
    let items = parse_items(&headers, &body, onspot.config().max_items)?;
    let results = lifecycle::create(&onspot, &session.tenant, items, forced.as_ref());
    Ok(json_response(StatusCode::CREATED, &[results]))
}
