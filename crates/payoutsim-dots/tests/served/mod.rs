//! The operations of Dots' official OpenAPI document that the simulator serves: the spec tour
//! (`spec.rs`) drives each, and the committed subset (`openapi.yaml`, `openapi.rs`) keeps
//! exactly these.

/// The operations the simulator serves, as the document names them (method and template where
/// the document gives two operations one operationId).
pub const SERVED: &[&str] = &[
    "list-apps",
    "create-app",
    "get-app",
    "get-users",
    "create-user",
    "get-user",
    "update-user",
    "delete-user",
    "send-verification-token",
    "verify",
    "get-payout-methods",
    "add-payout-method",
    "get-transfers",
    "create-transfer",
    "get-transfer",
    "create-payout",
    "send-payout",
    "get-payout-links",
    "create-payout-link",
    "get-payout-link",
    "delete-payout-link",
    "redeliver-payout-link",
    "create-payout-batch",
    "get-payout-batches",
    "GET /v2/payout-batches/{payout_batch_id}",
    "GET /v2/payout-batches/{payout_batch_id}/results",
    "get-flows",
    "create-flow",
    "get-flow",
];
