//! Records as the wire objects of `model.rs`.

use payoutsim_core::clock::{rfc3339, rfc3339_text};
use payoutsim_core::json_out::ObjectOut;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::Value;

use crate::error::DotsError;
use crate::model::{
    self, AccountingData, BatchResult, ExternalData, PaymentMethod, PayoutBatch, Transaction,
    TransferRef, Wallet,
};
use crate::state::{AppData, BatchRec, Env, FlowRec, LinkRec, MethodRec, TransferRec, UserRec};
use crate::transfers::TRANSFER_BYTES;

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

/// A transfer as `transfer`, borrowed from its record: the bytes [`transfer`]'s owned object
/// serialises to, field for field and in its order, without copying a field (ids and times are
/// written on the stack, the names and texts are the record's own). Serialised while the store
/// is borrowed.
#[derive(Clone, Copy, Debug)]
pub struct TransferView<'a>(pub &'a TransferRec);

/// `transfer.external_data` borrowed (`external_id` is never set, so never written).
#[derive(Serialize)]
struct ExternalDataView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'a str>,
}

/// A transfer's one `transaction`, borrowed (its `metadata` is always `null`).
#[derive(Serialize)]
struct TransactionView<'a> {
    id: u64,
    amount: i64,
    created: &'a str,
    source_name: &'a str,
    destination_name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    metadata: (),
    transfer_id: &'a str,
}

impl TransferView<'_> {
    /// [`TransferView::write_json`]'s bytes, in a buffer with room for the usual transfer.
    pub fn bytes(&self) -> Result<bytes::Bytes, DotsError> {
        payoutsim_core::json_out::written(TRANSFER_BYTES, |out| self.write_json(out))
            .map_err(|e| DotsError::Internal(e.to_string()))
    }

    /// The bytes its [`Serialize`] writes, written straight into `out` ([`ObjectOut`]): a
    /// transfer's answer is the hot path of reads.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let t = self.0;
        let (id, created) = (t.id.text(), rfc3339_text(t.created));
        let x = &t.transaction;
        let mut w = ObjectOut::new(out);
        w.str("id", id.as_str());
        w.str("created", created.as_str());
        w.str("user_id", t.user_id.text().as_str());
        w.str("status", t.status());
        w.str("type", t.kind.as_str());
        w.int("amount", t.amount);
        w.object("external_data", |e| {
            if let Some(account) = t.account_id() {
                e.str("account_id", account);
            }
            if let Some(platform) = t.platform {
                e.str("platform", platform.as_str());
            }
            Ok(())
        })?;
        w.objects("transactions", [x], |tx, x| {
            tx.value("id", &x.id)?;
            tx.int("amount", t.amount.abs());
            tx.str("created", created.as_str());
            tx.str("source_name", &x.source);
            tx.str("destination_name", &x.destination);
            tx.str("type", t.kind.as_str());
            tx.null("metadata");
            tx.str("transfer_id", id.as_str());
            Ok(())
        })?;
        if let Some(link) = t.payout_link_id() {
            w.str("payout_link_id", link);
        }
        match t.metadata.as_deref() {
            Some(metadata) => w.value("metadata", metadata)?,
            None => w.null("metadata"),
        };
        w.end();
        Ok(())
    }
}

impl Serialize for TransferView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let (id, created) = (t.id.text(), rfc3339_text(t.created));
        let x = &t.transaction;
        let transaction = TransactionView {
            id: x.id,
            amount: t.amount.abs(),
            created: &created,
            source_name: &x.source,
            destination_name: &x.destination,
            kind: t.kind.as_str(),
            metadata: (),
            transfer_id: &id,
        };
        let external_data = ExternalDataView {
            account_id: t.account_id(),
            platform: t.platform.map(|p| p.as_str()),
        };
        let link = t.payout_link_id();
        let mut w = s.serialize_struct("Transfer", 9 + usize::from(link.is_some()))?;
        w.serialize_field("id", id.as_str())?;
        w.serialize_field("created", created.as_str())?;
        w.serialize_field("user_id", t.user_id.text().as_str())?;
        w.serialize_field("status", t.status())?;
        w.serialize_field("type", t.kind.as_str())?;
        w.serialize_field("amount", &t.amount)?;
        w.serialize_field("external_data", &external_data)?;
        w.serialize_field("transactions", &[transaction])?;
        match link {
            Some(link) => w.serialize_field("payout_link_id", link)?,
            None => w.skip_field("payout_link_id")?,
        }
        w.serialize_field("metadata", t.metadata.as_deref().unwrap_or(&Value::Null))?;
        w.end()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{RareParts, TransactionRec};
    use chrono::{DateTime, TimeZone, Utc};
    use payoutsim_core::ids::Uid;
    use payoutsim_core::machine::{Lifecycle, StatusChange};
    use payoutsim_core::name::Name;
    use serde_json::json;

    /// A spread of transfer records: wallet moves (no lifecycle) and payouts in every status,
    /// amounts both signs and zero, with and without a rail, an ACH account, a payout link and
    /// metadata (texts needing escapes among them), times with and without a fraction.
    fn spread_of_transfers() -> Vec<TransferRec> {
        let at = |s: i64, nanos: u32| -> DateTime<Utc> {
            Utc.timestamp_opt(1_729_188_438 + s, nanos).unwrap()
        };
        let statuses = [None, Some("created"), Some("pending"), Some("completed")];
        let statuses = statuses
            .into_iter()
            .chain(["failed", "reversed", "canceled", "flagged"].map(Some));
        let metadata = [
            None,
            Some(json!({"order": "A-1 \"ñ\"", "n": [1, 2.5, null]})),
        ];
        let rare = [
            (None, None),
            (Some("9b2f…acct"), None),
            (None, Some("link_\\x")),
            (Some("acct"), Some("link")),
        ];
        let mut n = 0u128;
        let mut out = Vec::new();
        for status in statuses {
            for amount in [2_500, -2_500, 0, 1, -1_000_000_000] {
                for platform in [None, Some("paypal"), Some("ach")] {
                    for (account, link) in rare {
                        for metadata in &metadata {
                            n += 1;
                            let kind = if status.is_some() {
                                "payout"
                            } else {
                                "balance"
                            };
                            let lc = status.map(|s| Lifecycle {
                                kind: Name::new("transfer"),
                                variant: Name::new("paypal"),
                                status: Name::new(s),
                                outcome: Name::new("completed"),
                                reason: None,
                                history: vec![StatusChange {
                                    status: Name::new(s),
                                    at: at(5, 0),
                                }],
                            });
                            out.push(TransferRec {
                                id: Uid::from_u128(n << 64 | n),
                                created: at(n as i64 * 97, (n as u32 % 3) * 123_456_789),
                                user_id: Uid::from_u128(u128::MAX - n),
                                kind: Name::new(kind),
                                amount,
                                platform: platform.map(Name::new),
                                fund: n.is_multiple_of(2),
                                tax_exempt: false,
                                metadata: metadata.clone().map(Box::new),
                                rare: RareParts::of(account, link),
                                transaction: TransactionRec {
                                    id: n as u64 * 7,
                                    source: format!("wallet-{n} \"src\"").into(),
                                    destination: "dest\tination".into(),
                                },
                                lc,
                                refunded: false,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_transfer_view_serialised_or_written_gives_the_bytes_of_the_owned_transfer() {
        let records = spread_of_transfers();
        assert!(records.len() > 900);
        for t in &records {
            let view = serde_json::to_vec(&TransferView(t)).unwrap();
            let owned = serde_json::to_vec(&transfer(t)).unwrap();
            let mut written = Vec::new();
            TransferView(t).write_json(&mut written).unwrap();
            let owned = String::from_utf8(owned).unwrap();
            assert_eq!(String::from_utf8(view).unwrap(), owned);
            assert_eq!(String::from_utf8(written).unwrap(), owned);
            assert_eq!(
                serde_json::to_value(TransferView(t)).unwrap(),
                serde_json::to_value(transfer(t)).unwrap()
            );
        }
        let views: Vec<TransferView> = records.iter().take(25).map(TransferView).collect();
        let owned: Vec<model::Transfer> = records.iter().take(25).map(transfer).collect();
        assert_eq!(
            serde_json::to_vec(&model::Page {
                data: views,
                has_more: true
            })
            .unwrap(),
            serde_json::to_vec(&model::Page {
                data: owned,
                has_more: true
            })
            .unwrap()
        );
    }
}
