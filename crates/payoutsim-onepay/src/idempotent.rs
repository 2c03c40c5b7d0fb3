//! `x-idempotency` on POSTs: required on `POST /v1/cashouts` and `POST /v1/balances/cashout`,
//! honoured when present on the other creating POSTs.
//!
//! Keys are scoped per tenant and endpoint path and fingerprinted on method, path and body (JSON
//! compared by value); a body that is not a JSON object is refused before the key is looked at.
//! Same key and body: the first answer again, byte for byte, with `idempotent-replayed: true`. Same key, other body: 409 `idempotency_key_conflict`; while the
//! first still runs: 409 `idempotency_key_in_use`. Only 2xx answers are kept; any other answer
//! (a refusal, or a panic halfway) releases the key so a corrected retry can use it.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use payoutsim_core::idempotency::{Begin, StoredResponse, fingerprint_json};
use payoutsim_core::kit::{Auth, RawBody};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::OnePay;
use crate::auth::Tenant;
use crate::error::{OnePayError, parse_object, raw_json};

/// The header that carries the key.
pub const HEADER: &str = "x-idempotency";
/// The header that marks a replayed answer (an assumption: OnePay documents none).
pub const REPLAYED: &str = "idempotent-replayed";

/// A handler's answer, already serialised (so it can be stored and replayed as is).
pub type Reply = (StatusCode, Bytes);

/// `body` serialised with `status`.
pub fn reply<T: Serialize>(status: StatusCode, body: &T) -> Result<Reply, OnePayError> {
    payoutsim_core::idempotency::answer_bytes(body)
        .map(|b| (status, b))
        .map_err(|e| OnePayError::Internal(e.to_string()))
}

/// Whether a POST must carry `x-idempotency`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Required,
    Optional,
}

/// A creating POST, extracted whole: the caller's tenant (auth first, so a bad key is a 401
/// whatever the body), the headers, the path (the key's scope) and the raw body.
pub struct Post {
    pub onepay: OnePay,
    pub tenant: Tenant,
    headers: HeaderMap,
    path: String,
    body: Bytes,
    key: Key,
}

impl FromRequest<OnePay> for Post {
    type Rejection = OnePayError;

    async fn from_request(req: Request, onepay: &OnePay) -> Result<Self, OnePayError> {
        let (mut parts, body) = req.into_parts();
        let Auth(tenant) = Auth::<Tenant>::from_request_parts(&mut parts, onepay).await?;
        let path = parts.uri.path().to_string();
        let headers = std::mem::take(&mut parts.headers);
        let RawBody(body) = RawBody::from_request(Request::from_parts(parts, body), onepay).await?;
        Ok(Self {
            onepay: onepay.clone(),
            tenant,
            headers,
            path,
            body,
            key: Key::Optional,
        })
    }
}

impl Post {
    /// The key, if any: 1 to 255 characters.
    fn key(&self) -> Result<Option<String>, OnePayError> {
        let Some(value) = self.headers.get(HEADER) else {
            return match self.key {
                Key::Required => Err(OnePayError::IdempotencyKeyRequired),
                Key::Optional => Ok(None),
            };
        };
        match value.to_str().map(str::trim) {
            Ok(k) if !k.is_empty() && k.len() <= 255 => Ok(Some(k.to_string())),
            _ => Err(OnePayError::IdempotencyKeyRequired),
        }
    }

    /// The body as sent (amounts are read from its digits).
    pub fn raw_body(&self) -> Bytes {
        self.body.clone()
    }

    /// [`Post::run`] for a POST that answers 201 with the object `create` made.
    pub fn created<T: Serialize>(
        self,
        key: Key,
        create: impl FnOnce(&OnePay, &Tenant, &Map<String, Value>) -> Result<T, OnePayError>,
    ) -> Response {
        self.run(key, |onepay, tenant, map| {
            reply(StatusCode::CREATED, &create(onepay, tenant, &map)?)
        })
    }

    /// Runs `create` on the parsed body under the key's protection.
    pub fn run(
        mut self,
        key: Key,
        create: impl FnOnce(&OnePay, &Tenant, Map<String, Value>) -> Result<Reply, OnePayError>,
    ) -> Response {
        self.key = key;
        let key = match self.key() {
            Ok(k) => k,
            Err(e) => return e.into_response(),
        };
        // A body that is not a JSON object did nothing, so it reserves no key.
        let map = match parse_object(&self.headers, &self.body) {
            Ok(map) => map,
            Err(e) => return e.into_response(),
        };
        let engine = self.onepay.engine();
        let tenant = self.tenant.name.as_str();
        // Held until the answer is known; dropped without being kept (a refusal, a panic
        // unwinding through `create`), it releases the key for a retry.
        let reservation = match &key {
            Some(key) => {
                let fp = fingerprint_json("POST", &self.path, &map);
                let now = engine.now_for(tenant);
                match (engine.idempotency()).reserve(tenant, &self.path, key, fp, now) {
                    Ok(reservation) => Some(reservation),
                    Err(Begin::Replay(stored)) => return replayed(stored),
                    Err(Begin::InFlight) => {
                        return OnePayError::IdempotencyKeyInUse.into_response();
                    }
                    Err(_) => return OnePayError::IdempotencyKeyConflict.into_response(),
                }
            }
            None => None,
        };
        match create(&self.onepay, &self.tenant, map) {
            Ok((status, body)) => {
                if let Some(reservation) = reservation.filter(|_| status.is_success()) {
                    let stored = StoredResponse {
                        status: status.as_u16(),
                        body: body.clone(),
                    };
                    reservation.keep(stored, engine.now_for(tenant));
                }
                answer(status, body)
            }
            Err(e) => e.into_response(),
        }
    }
}

fn answer(status: StatusCode, body: Bytes) -> Response {
    if body.is_empty() {
        status.into_response()
    } else {
        raw_json(status, body)
    }
}

fn replayed(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = answer(status, stored.body);
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
