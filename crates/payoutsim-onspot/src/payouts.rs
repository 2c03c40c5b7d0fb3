//! Create Payouts: `POST /accreditation/payouts/create`.
//!
//! Headers `Authorization: Bearer <jwt>`, `environment`, `Content-Type: application/json`; the
//! body an array of payouts. Each item is validated on its own: a valid one becomes a payout
//! (`action: "success"`, `message: "created successfully"`), an invalid one is written to the
//! tenant's error log (`action: "error"`, a message naming each failing field). The answer is
//! 201 with the seed's nesting `[[…]]`, one entry per item in request order, `email` echoing the
//! item's `customerEmail`. A body that is not a non-empty array of objects is a 400 for the
//! whole request ([`parse_items`]).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use http::{HeaderMap, StatusCode};
use payoutsim_core::forced::Forced;
use payoutsim_core::kit::{self, Auth, RawBody};
use serde_json::{Map, Value};

use crate::OnSpot;
use crate::auth::Session;
use crate::error::json_syntax_error;
use crate::error::{OnSpotError, json_response};
use crate::lifecycle;

pub(crate) fn routes() -> Router<OnSpot> {
    Router::new().route("/accreditation/payouts/create", post(create))
}

async fn create(
    State(onspot): State<OnSpot>,
    Auth(session): Auth<Session>,
    forced: Forced,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, OnSpotError> {
    let items = parse_items(&headers, &body, onspot.config().max_items)?;
    let results = lifecycle::create(&onspot, &session.tenant, items, &forced)?;
    Ok(json_response(StatusCode::CREATED, &[results]))
}

/// The items of a Create Payouts body. The body must be a non-empty JSON array of objects, of at
/// most `max` items, sent as JSON; anything else is a 400 for the whole request.
pub fn parse_items(
    headers: &HeaderMap,
    body: &[u8],
    max: usize,
) -> Result<Vec<Map<String, Value>>, OnSpotError> {
    let not_array = || OnSpotError::field("body must be an array of payouts");
    if kit::is_blank(body) {
        return Err(not_array());
    }
    if !kit::is_json(headers) {
        return Err(OnSpotError::field("Content-Type must be application/json"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| json_syntax_error(body, &e))?;
    let Value::Array(items) = value else {
        return Err(not_array());
    };
    if items.is_empty() {
        return Err(OnSpotError::field("body should not be empty"));
    }
    if items.len() > max {
        return Err(OnSpotError::field(format!(
            "body must contain no more than {max} elements"
        )));
    }
    let mut objects = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(map) => objects.push(map),
            _ => errors.push(format!("body.{i} must be an object")),
        }
    }
    if errors.is_empty() {
        Ok(objects)
    } else {
        Err(OnSpotError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use http::header;

    use super::*;

    #[test]
    fn a_body_must_be_a_non_empty_array_of_objects_sent_as_json() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(parse_items(&headers, b"[{}]", 10).is_ok());
        let refused = |body: &[u8]| parse_items(&headers, body, 1).unwrap_err();
        assert_eq!(
            refused(b"{}"),
            OnSpotError::field("body must be an array of payouts")
        );
        assert_eq!(
            refused(b"[]"),
            OnSpotError::field("body should not be empty")
        );
        assert_eq!(
            refused(b"[1]"),
            OnSpotError::field("body.0 must be an object")
        );
        assert_eq!(
            refused(b"[{},{}]"),
            OnSpotError::field("body must contain no more than 1 elements")
        );
        assert!(matches!(refused(b"[{"), OnSpotError::BadRequest(_)));
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(
            parse_items(&headers, b"[{}]", 1).unwrap_err(),
            OnSpotError::field("Content-Type must be application/json")
        );
    }
}
