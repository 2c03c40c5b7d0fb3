//! `idempotency_key` in the body (a UUID), kept for the engine's idempotency window (24 h of
//! simulated time by default) per app and endpoint.
//!
//! The OpenAPI document's per-endpoint words win over the general idempotency page:
//! - transfers, payouts and payout batches **reject** a key already seen: 409 `invalid-input`,
//!   whatever the body (a key still being handled: 409 `resource-busy`);
//! - payout links and send-payout **return the existing link** for a key already seen, whatever
//!   the body ("only one response, considering the content from the first received request").
//!
//! Only successful answers keep their key: a refused request (or one that panicked) releases it,
//! so a corrected retry under the same key is welcome.

use bytes::Bytes;
use http::StatusCode;
use payoutsim_core::idempotency::{Begin, StoredResponse, fingerprint};

use crate::Dots;
use crate::error::{DotsError, raw_json};

/// What a key already seen does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// 409, naming what was made with it (`Transfer`, `Payout batch`).
    Reject(&'static str),
    /// The first answer again.
    ReturnFirst,
}

/// A handler's answer, serialised (so it can be kept and given again).
pub type Reply = (StatusCode, Bytes);

/// Runs `create` under `key`'s protection in `tenant`'s `scope` (the endpoint path).
pub fn run(
    dots: &Dots,
    tenant: &str,
    scope: &str,
    key: Option<&str>,
    repeat: Repeat,
    create: impl FnOnce() -> Result<Reply, DotsError>,
) -> Result<Reply, DotsError> {
    let Some(key) = key else {
        return create();
    };
    let engine = dots.engine();
    // The key alone is the fingerprint: another body under the same key is a repeat.
    let fp = fingerprint("POST", scope, key.as_bytes());
    let guard = match (engine.idempotency()).reserve(tenant, scope, key, fp, dots.now_for(tenant)) {
        Ok(guard) => guard,
        Err(Begin::Replay(stored)) => {
            return match repeat {
                Repeat::Reject(what) => Err(repeated(what, key)),
                Repeat::ReturnFirst => Ok(stored_reply(&stored)),
            };
        }
        Err(Begin::InFlight) => return Err(DotsError::Busy),
        Err(_) => return Err(repeated("An object", key)),
    };
    // Dropped without being kept (a refusal, a panic), the guard releases the key.
    let reply = create()?;
    if reply.0.is_success() {
        // A repeat that is refused never shows the first answer: none is kept for it.
        let body = match repeat {
            Repeat::Reject(_) => Bytes::new(),
            Repeat::ReturnFirst => reply.1.clone(),
        };
        let stored = StoredResponse {
            status: reply.0.as_u16(),
            body,
        };
        guard.keep(stored, dots.now_for(tenant));
    }
    Ok(reply)
}

fn stored_reply(stored: &StoredResponse) -> Reply {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    (status, stored.body.clone())
}

fn repeated(what: &str, key: &str) -> DotsError {
    DotsError::Repeated(format!("{what} with idempotency_key {key} already exists"))
}

/// Registers `key` in `scope` as used by an answer made elsewhere (a batch item's payout), so
/// a later request with it is a repeat. False when the key is already taken.
pub fn claim(dots: &Dots, tenant: &str, scope: &str, key: &str, reply: &Reply) -> bool {
    let engine = dots.engine();
    let fp = fingerprint("POST", scope, key.as_bytes());
    let now = dots.now_for(tenant);
    match (engine.idempotency()).begin(tenant, scope, key, fp, now) {
        Begin::Proceed => {
            let stored = StoredResponse {
                status: reply.0.as_u16(),
                body: reply.1.clone(),
            };
            engine
                .idempotency()
                .complete(tenant, scope, key, stored, now);
            true
        }
        _ => false,
    }
}

/// A reply as the answer it is.
pub fn answer(reply: Reply) -> axum::response::Response {
    raw_json(reply.0, reply.1)
}

/// `body` serialised with `status`, as a [`Reply`].
pub fn reply<T: serde::Serialize>(status: StatusCode, body: &T) -> Result<Reply, DotsError> {
    payoutsim_core::idempotency::answer_bytes(body)
        .map(|b| (status, b))
        .map_err(|e| DotsError::Internal(e.to_string()))
}
