//! Dots' webhooks, sent the Svix way: `svix-id`, `svix-timestamp`, `svix-signature`
//! (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the base64-decoded
//! `whsec_` secret). Endpoints are registered per app with the admin API
//! (`POST /__admin/webhooks {"provider":"dots","tenant":…,"url":…}`); the answer holds the
//! secret, generated when none is given.
//!
//! Events and payloads, as documented: `transfer.updated` `{event, transfer_id}` on every
//! status change of a payout, `transfer.completed` / `transfer.failed`
//! `{transfer: {…}, transfer_id}` on those; `payout_link.updated` `{event, payout_link_id}` on
//! every change of a link, `payout_link.sent` / `payout_link.claimed` (the full link);
//! `user.updated.payout_method` and `user.updated.ide_verified` (sic) `{user_id}`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use payoutsim_core::kit::Event;
use payoutsim_core::webhooks::WebhookTarget;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Dots;
use crate::render;
use crate::state::AppData;

/// Every event Dots documents (targets may subscribe to any; the simulator emits those the
/// module comment lists).
pub const EVENTS: &[&str] = &[
    "app.updated",
    "flow.transaction_updated",
    "flow.updated",
    "payment_intent.updated",
    "payout_link.claimed",
    "payout_link.paid_out",
    "payout_link.sent",
    "payout_link.updated",
    "payout_request.updated",
    "refund.updated",
    "transfer.completed",
    "transfer.failed",
    "transfer.updated",
    "user.updated.background_check",
    "user.updated.ide_verified",
    "user.updated.payout_method",
];

/// A fresh `whsec_` secret from the seeded ids.
pub fn new_secret(dots: &Dots, tenant: &str) -> (String, BTreeMap<String, String>) {
    let stream = format!("{tenant}#webhook-secret");
    let mut bytes = Vec::with_capacity(24);
    while bytes.len() < 24 {
        let n = dots.engine().ids().range(&stream, 0, u64::MAX);
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    bytes.truncate(24);
    (format!("whsec_{}", STANDARD.encode(bytes)), BTreeMap::new())
}

/// The key of a `whsec_` secret (or of a bare base64 one).
fn key_of(secret: &str) -> Vec<u8> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    STANDARD
        .decode(b64)
        .unwrap_or_else(|_| secret.as_bytes().to_vec())
}

/// `v1,<signature>` of `body` for message `id` at `timestamp`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key_of(secret)) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The Svix headers of `body` for `target`.
pub fn sign(target: &WebhookTarget, body: &[u8]) -> Vec<(String, String)> {
    let mut h = Sha256::new();
    h.update(target.id.as_bytes());
    h.update(body);
    let digest = h.finalize();
    let id: String = digest
        .iter()
        .take(27)
        .map(|b| {
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    [usize::from(*b) % 62],
            )
        })
        .collect();
    let id = format!("msg_{id}");
    #[allow(clippy::disallowed_methods)] // interim: the engine's signer passes wall time
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    vec![
        ("svix-id".to_string(), id.clone()),
        ("svix-timestamp".to_string(), timestamp.to_string()),
        (
            "svix-signature".to_string(),
            signature(&target.secret, &id, timestamp, body),
        ),
    ]
}

/// The events of payout `id` entering `to`.
pub fn transfer_events(app: &AppData, id: &str, to: &str) -> Vec<Event> {
    let mut events: Vec<Event> = Event::json(
        "transfer.updated",
        &json!({"event": "transfer.updated", "transfer_id": id}),
    )
    .into_iter()
    .collect();
    let terminal = match to {
        "completed" => Some("transfer.completed"),
        "failed" => Some("transfer.failed"),
        _ => None,
    };
    if let (Some(name), Some(t)) = (terminal, app.transfers.get(id)) {
        let payload = json!({"transfer": render::transfer(t), "transfer_id": id});
        events.extend(Event::json(name, &payload));
    }
    events
}

/// The events of payout link `id` entering `to`.
pub fn link_events(app: &AppData, id: &str, to: &str) -> Vec<Event> {
    let mut events: Vec<Event> = Event::json(
        "payout_link.updated",
        &json!({"event": "payout_link.updated", "payout_link_id": id}),
    )
    .into_iter()
    .collect();
    let full = match to {
        "sent" | "delivered" => Some("payout_link.sent"),
        "claimed" => Some("payout_link.claimed"),
        _ => None,
    };
    if let (Some(name), Some(l)) = (full, app.links.get(id)) {
        events.extend(Event::json(name, &render::link(l, app.env)));
    }
    events
}

/// `user.updated.*` for user `id`.
pub fn user_updated(name: &'static str, id: &str) -> Vec<Event> {
    Event::json(name, &json!({"user_id": id}))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_svix_vector_is_signed_alike() {
        let sig = signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
