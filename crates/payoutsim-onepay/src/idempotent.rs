//! `x-idempotency` on POSTs: required on `POST /v1/cashouts` and `POST /v1/balances/cashout`,
//! honoured when present on the other creating POSTs.
//!
//! Keys are scoped per tenant and endpoint path and fingerprinted on method, path and body (JSON
//! compared by value); a body that is not a JSON object is refused before the key is looked at.
//! Same key and body: the first answer again, byte for byte, with `idempotent-replayed: true`. Same key, other body: 409 `idempotency_key_conflict`; while the
//! first still runs: 409 `idempotency_key_in_use`. Only 2xx answers are kept; any other answer
//! (a refusal, or a panic halfway) releases the key so a corrected retry can use it.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use payoutsim_core::idempotency::{Begin, Reservation, StoredResponse, fingerprint_members};
use payoutsim_core::kit::{Auth, ExactObject, RawBody};
use serde::Serialize;

use crate::OnePay;
use crate::auth::Tenant;
use crate::error::{OnePayError, parse_exact_object, raw_json};

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
    fn key(&self) -> Result<Option<&str>, OnePayError> {
        let Some(value) = self.headers.get(HEADER) else {
            return match self.key {
                Key::Required => Err(OnePayError::IdempotencyKeyRequired),
                Key::Optional => Ok(None),
            };
        };
        match value.to_str().map(str::trim) {
            Ok(k) if !k.is_empty() && k.len() <= 255 => Ok(Some(k)),
            _ => Err(OnePayError::IdempotencyKeyRequired),
        }
    }

    /// [`Post::run`] for a POST that answers 201 with the object `create` made.
    pub fn created<T: Serialize>(
        self,
        key: Key,
        create: impl FnOnce(&OnePay, &Tenant, &ExactObject) -> Result<T, OnePayError>,
    ) -> Response {
        self.run(key, |onepay, tenant, map| {
            reply(StatusCode::CREATED, &create(onepay, tenant, &map)?)
        })
    }

    /// Runs `create` on the parsed body (read once, numbers' digits as sent) under the key's
    /// protection.
    pub fn run(
        mut self,
        key: Key,
        create: impl FnOnce(&OnePay, &Tenant, ExactObject) -> Result<Reply, OnePayError>,
    ) -> Response {
        self.key = key;
        // Only [`Post::created_object`] keeps an answer as its object.
        let no_render = |_: &OnePay, _: &Tenant, _: &str| None;
        let (map, reservation) = match self.open(no_render) {
            Opened::Go(map, reservation) => (map, reservation),
            Opened::Answered(early) => return early,
        };
        match create(&self.onepay, &self.tenant, map) {
            Ok((status, body)) => {
                if let Some(reservation) = reservation.filter(|_| status.is_success()) {
                    let stored = StoredResponse {
                        status: status.as_u16(),
                        body: body.clone(),
                    };
                    let now = self.onepay.engine().now_for(&self.tenant.name);
                    reservation.keep(stored, now);
                }
                answer(status, body)
            }
            Err(e) => e.into_response(),
        }
    }

    /// [`Post::created`] for an object whose first answer follows from the object itself
    /// ([`Replayable`]): the key keeps the object's id instead of the answer's bytes, and a
    /// replay renders the first answer again, byte for byte the same. The object's record keeps
    /// the key, so that when the object is dropped (`--max-objects-per-tenant`) the key is
    /// handed the answer's bytes for the rest of its life. `create` answers the object already
    /// serialised (while its record was at hand), so no owned copy of it is made.
    pub fn created_object<T: Replayable>(
        mut self,
        key: Key,
        create: impl FnOnce(&OnePay, &Tenant, &ExactObject) -> Result<T, OnePayError>,
    ) -> Response {
        self.key = key;
        let render = |onepay: &OnePay, tenant: &Tenant, id: &str| {
            T::first_answer(onepay, tenant, id).map(|body| body.map(|b| (StatusCode::CREATED, b)))
        };
        let (map, reservation) = match self.open(render) {
            Opened::Go(map, reservation) => (map, reservation),
            Opened::Answered(early) => return early,
        };
        match create(&self.onepay, &self.tenant, &map) {
            Ok(object) => {
                if let Some(reservation) = reservation {
                    let now = self.onepay.engine().now_for(&self.tenant.name);
                    let created = StatusCode::CREATED.as_u16();
                    let kept = reservation.keep_object(created, object.id(), now);
                    if let Some(key) = kept {
                        T::remember_key(&self.onepay, &self.tenant, object.id(), key);
                    }
                }
                answer(StatusCode::CREATED, object.into_body())
            }
            Err(e) => e.into_response(),
        }
    }

    /// The checks before a creation runs: the key (when one is required), the body (a JSON
    /// object), then the key's record: [`Opened::Answered`] when the request goes no further (a
    /// refusal, a replay, a conflict); else the body and the key's reservation, if a key was
    /// sent. `render` renders the first answer of a key kept as its object.
    fn open(
        &self,
        render: impl FnOnce(&OnePay, &Tenant, &str) -> Option<Result<Reply, OnePayError>>,
    ) -> Opened<'_> {
        let key = match self.key() {
            Ok(key) => key,
            Err(e) => return Opened::Answered(e.into_response()),
        };
        // A body that is not a JSON object did nothing, so it reserves no key.
        let map = match parse_exact_object(&self.headers, &self.body) {
            Ok(map) => map,
            Err(e) => return Opened::Answered(e.into_response()),
        };
        let Some(key) = key else {
            return Opened::Go(map, None);
        };
        let engine = self.onepay.engine();
        let tenant = self.tenant.name.as_str();
        // Held until the answer is known; dropped without being kept (a refusal, a panic
        // unwinding through `create`), it releases the key for a retry.
        let fp = fingerprint_members("POST", &self.path, &map.members);
        let now = engine.now_for(tenant);
        let early = match (engine.idempotency()).reserve(tenant, &self.path, key, fp, now) {
            Ok(reservation) => return Opened::Go(map, Some(reservation)),
            Err(Begin::Replay(stored)) => replayed(stored),
            Err(Begin::Render { status, object }) => {
                let rendered = render(&self.onepay, &self.tenant, &object).unwrap_or_else(|| {
                    let gone = format!("the object {object} the key's answer names is gone");
                    Err(OnePayError::Internal(gone))
                });
                match rendered {
                    Ok((_, body)) => replayed(StoredResponse { status, body }),
                    Err(e) => e.into_response(),
                }
            }
            Err(Begin::InFlight) => OnePayError::IdempotencyKeyInUse.into_response(),
            Err(_) => OnePayError::IdempotencyKeyConflict.into_response(),
        };
        Opened::Answered(early)
    }
}

/// What [`Post::open`] found: go ahead with the body (and the key's reservation, if a key was
/// sent), or the answer already given.
enum Opened<'a> {
    Go(ExactObject, Option<Reservation<'a>>),
    Answered(Response),
}

/// A created object's answer, serialised, whose first answer can be rendered again from its
/// record, so that an idempotency key keeps its id rather than the answer's bytes
/// ([`Post::created_object`]).
pub trait Replayable: Sized {
    /// The object's id.
    fn id(&self) -> &str;

    /// The answer's bytes (the object as its creation answers it).
    fn into_body(self) -> Bytes;

    /// The first answer of `tenant`'s object `id`, rendered again as bytes (`None` if it holds
    /// none).
    fn first_answer(
        onepay: &OnePay,
        tenant: &Tenant,
        id: &str,
    ) -> Option<Result<Bytes, OnePayError>>;

    /// Records on object `id` the key whose kept answer names it (shared with the store).
    fn remember_key(onepay: &OnePay, tenant: &Tenant, id: &str, key: Arc<str>);
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
