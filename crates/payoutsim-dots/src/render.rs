//! Records as the wire objects of `model.rs`.

use payoutsim_core::clock::rfc3339;
use serde_json::Value;

use crate::model::{
    self, AccountingData, BatchResult, ExternalData, PaymentMethod, PayoutBatch, Transaction,
    TransferRef, Wallet,
};
use crate::state::{AppData, BatchRec, Env, FlowRec, LinkRec, MethodRec, TransferRec, UserRec};

/// A user as `user`.
pub fn user(u: &UserRec) -> model::User {
    let default =
        (u.default_method.as_deref()).and_then(|p| u.methods.iter().find(|m| m.platform == p));
    model::User {
        id: u.id.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        email: u.email.clone(),
        username: u.username.clone(),
        phone_number: u.phone.clone(),
        default_payout_method: u.default_method.clone(),
        default_payout_method_details: default.map(payment_method),
        wallet: Wallet {
            amount: u.wallet,
            withdrawable_amount: u.wallet,
            credit_balance: 0,
        },
        status: u.status.clone(),
        verified: u.status == "verified",
        compliance: model::Compliance::new(u.date_of_birth.is_some()),
        metadata: u.metadata.clone(),
        payout_options_exclude_list: u.exclude.clone(),
        adjustment_1099: u.adjustment_1099.clone(),
    }
}

/// The last four characters of a number, for `mask`.
fn mask(s: &str) -> String {
    let start = s.len().saturating_sub(4);
    s.get(start..).unwrap_or(s).to_string()
}

/// A connected method as `payment-method`.
pub fn payment_method(m: &MethodRec) -> PaymentMethod {
    PaymentMethod {
        id: m.id.clone(),
        platform: m.platform.clone(),
        mask: m.account_number.as_deref().map(mask),
        email: m.email.clone(),
        phone_number: m.phone_number.clone(),
        cash_tag: m.cash_tag.clone(),
        rtp_enabled: false,
    }
}

/// A connected method as the answer of `PUT /v2/users/{id}/payout-methods` (the account
/// number masked to its last four digits).
pub fn added_method(m: &MethodRec) -> model::AddedPayoutMethod {
    model::AddedPayoutMethod {
        id: m.id.clone(),
        platform: m.platform.clone(),
        handle: m.handle.clone(),
        email: m.email.clone(),
        phone_number: m.phone_number.clone(),
        cash_tag: m.cash_tag.clone(),
        account_number: m.account_number.as_deref().map(mask),
        routing_number: m.routing_number.clone(),
        account_type: m.account_type.clone(),
        rtp_enabled: false,
    }
}

/// A transfer as `transfer`.
pub fn transfer(t: &TransferRec) -> model::Transfer {
    let (id, created) = (t.id.to_string(), rfc3339(t.created));
    let x = &t.transaction;
    let transactions = vec![Transaction {
        id: x.id,
        amount: t.amount.abs(),
        created: created.clone(),
        source_name: x.source.to_string(),
        destination_name: x.destination.to_string(),
        kind: t.kind.to_string(),
        metadata: Value::Null,
        transfer_id: id.clone(),
    }];
    model::Transfer {
        id,
        created,
        user_id: t.user_id.to_string(),
        status: t.status().to_string(),
        kind: t.kind.to_string(),
        amount: t.amount,
        external_data: ExternalData {
            account_id: t.account_id().map(str::to_string),
            external_id: None,
            platform: t.platform.map(String::from),
        },
        transactions,
        payout_link_id: t.payout_link_id().map(str::to_string),
        metadata: t.metadata.as_deref().cloned().unwrap_or(Value::Null),
    }
}

/// A flow's page.
pub fn flow_link(env: Env, flow_id: &str) -> String {
    format!("{}{flow_id}", env.flow_host())
}

/// A payout link as `payout-link`.
pub fn link(l: &LinkRec, env: Env) -> model::PayoutLink {
    model::PayoutLink {
        id: l.id.clone(),
        created: rfc3339(l.created),
        link: flow_link(env, &l.flow_id),
        amount: l.amount,
        status: l.status().to_string(),
        payee: l.payee.clone(),
        delivery: l.delivery.clone(),
        tax_exempt: l.tax_exempt,
        claimed_user_id: l.claimed_user_id.clone(),
        flow_id: l.flow_id.clone(),
        transfer_id: l.transfer_id.clone(),
        memo: l.memo.clone(),
        metadata: l.metadata.clone(),
        accounting_data: AccountingData {
            quickbooks_account_id: l.accounting.0,
            quickbooks_class_id: l.accounting.1,
        },
        funding_source: l.funding_source.clone(),
    }
}

/// A flow as `flow`.
pub fn flow(f: &FlowRec, env: Env) -> model::Flow {
    model::Flow {
        id: f.id.clone(),
        created: rfc3339(f.created),
        user_id: f.user_id.clone(),
        steps: f.steps.clone(),
        completed_steps: Vec::new(),
        link: flow_link(env, &f.id),
        metadata: f.metadata.clone(),
        payout_link_id: f.payout_link_id.clone(),
    }
}

/// A batch as `payout-batch-response` with its counters.
pub fn batch(b: &BatchRec, app: &AppData) -> PayoutBatch {
    let processed = b.items.iter().filter(|i| i.processed).count();
    let failed = (b.items.iter())
        .filter(|i| i.processed && item_failed(i, app))
        .count();
    PayoutBatch {
        id: b.id.clone(),
        created: rfc3339(b.created),
        idempotency_key: b.idempotency_key.clone(),
        status: b.lc.status.to_string(),
        metadata: b.metadata.clone(),
        items_processed: processed,
        items_succeeded: processed - failed,
        items_failed: failed,
    }
}

/// Whether a processed item failed: refused, or its payout failed.
fn item_failed(item: &crate::state::BatchItem, app: &AppData) -> bool {
    item.error.is_some()
        || (item.transfer_id.as_deref())
            .and_then(|id| app.transfers.get(id))
            .is_some_and(|t| t.refunded)
}

/// A batch's items as `payout-batch-results-item`s (`request` with `include_request`).
pub fn results(b: &BatchRec, app: &AppData, include_request: bool) -> Vec<BatchResult> {
    (b.items.iter())
        .map(|i| {
            let transfer = (i.transfer_id.as_deref()).map(|id| TransferRef {
                id: id.to_string(),
                status: (app.transfers.get(id))
                    .map_or("created", TransferRec::status)
                    .to_string(),
            });
            BatchResult {
                user_id: i.user_id.clone(),
                idempotency_key: i.idempotency_key.clone(),
                metadata: i.metadata.clone(),
                transfer,
                error_code: i.error.as_ref().map(|e| e.0.clone()),
                error_message: i.error.as_ref().map(|e| e.1.clone()),
                request: include_request.then(|| i.request.clone()),
            }
        })
        .collect()
}
