//! Dots' webhooks, sent the Svix way (`payoutsim_core::svix`: `svix-id`, `svix-timestamp`,
//! `svix-signature`, retried on `RetryPolicy::svix()`). Endpoints are registered per app with the admin API
//! (`POST /__admin/webhooks {"provider":"dots","tenant":…,"url":…}`); the answer holds the
//! secret, generated when none is given.
//!
//! Events and payloads, as documented: `transfer.updated` `{event, transfer_id}` on every
//! status change of a payout, `transfer.completed` / `transfer.failed`
//! `{transfer: {…}, transfer_id}` on those; `payout_link.updated` `{event, payout_link_id}` on
//! every change of a link, `payout_link.sent` / `payout_link.claimed` (the full link);
//! `user.updated.payout_method` and `user.updated.ide_verified` (sic) `{user_id}`.

use payoutsim_core::kit::Event;
use serde_json::json;

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
