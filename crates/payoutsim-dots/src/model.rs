//! Dots' wire objects, field for field as the OpenAPI document (`dots-v2.openapi.yaml`,
//! components) names them. A field the schema types without `null` is left out when there is
//! nothing to say (`payout_link_id` of a transfer that came from no link), never sent as `null`.

use serde::Serialize;
use serde_json::Value;

/// `transfer`: every movement of money (a payout is a transfer of `type: "payout"`).
#[derive(Clone, Debug, Serialize)]
pub struct Transfer {
    pub id: String,
    pub created: String,
    pub user_id: String,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Cents; negative when the money went from the app to the user.
    pub amount: i64,
    pub external_data: ExternalData,
    pub transactions: Vec<Transaction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payout_link_id: Option<String>,
    pub metadata: Value,
}

/// `transfer.external_data`: the rail a payout went out on.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExternalData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// `transaction`: one leg of a transfer.
#[derive(Clone, Debug, Serialize)]
pub struct Transaction {
    pub id: u64,
    pub amount: i64,
    pub created: String,
    pub source_name: String,
    pub destination_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub metadata: Value,
    pub transfer_id: String,
}

/// `user`.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub phone_number: Phone,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_payout_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_payout_method_details: Option<PaymentMethod>,
    pub wallet: Wallet,
    pub status: String,
    /// Not in the schema; the documents' create-user answer shows it (seed).
    pub verified: bool,
    pub compliance: Compliance,
    pub metadata: Value,
    pub payout_options_exclude_list: Vec<String>,
    #[serde(rename = "1099_adjustment", skip_serializing_if = "Option::is_none")]
    pub adjustment_1099: Option<Value>,
}

/// `user.phone_number`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phone {
    pub country_code: String,
    pub phone_number: String,
}

/// `wallet`: cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Wallet {
    pub amount: i64,
    pub withdrawable_amount: i64,
    pub credit_balance: i64,
}

/// `user.compliance`, as a new user has it (nothing collected, nothing flagged).
#[derive(Clone, Debug, Serialize)]
pub struct Compliance {
    pub tax_id_verification: &'static str,
    pub date_of_birth_collected: bool,
    pub must_collect_1099: bool,
    #[serde(rename = "1099_collected")]
    pub collected_1099: bool,
    pub w8_ben_collected: bool,
    pub flagged: bool,
    pub id_verified: bool,
    pub has_criminal_activity: bool,
    pub flags: Flags,
}

/// `user.compliance.flags`.
#[derive(Clone, Debug, Serialize)]
pub struct Flags {
    pub ofac: bool,
    pub ofac_status: &'static str,
    pub payout_method: bool,
    pub payout_method_cycle: bool,
    pub name_mismatch: bool,
}

impl Compliance {
    pub fn new(date_of_birth: bool) -> Self {
        Self {
            tax_id_verification: "unsubmitted",
            date_of_birth_collected: date_of_birth,
            must_collect_1099: false,
            collected_1099: false,
            w8_ben_collected: false,
            flagged: false,
            id_verified: false,
            has_criminal_activity: false,
            flags: Flags {
                ofac: false,
                ofac_status: "unflagged",
                payout_method: false,
                payout_method_cycle: false,
                name_mismatch: false,
            },
        }
    }
}

/// `payment-method` (`GET /v2/users/{id}/payout-methods`, a user's default method).
#[derive(Clone, Debug, Serialize)]
pub struct PaymentMethod {
    pub id: String,
    pub platform: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_tag: Option<String>,
    pub rtp_enabled: bool,
}

/// The answer of `PUT /v2/users/{id}/payout-methods` (its own schema in the document).
#[derive(Clone, Debug, Serialize)]
pub struct AddedPayoutMethod {
    pub id: String,
    pub platform: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    pub rtp_enabled: bool,
}

/// `payout-link`.
#[derive(Clone, Debug, Serialize)]
pub struct PayoutLink {
    pub id: String,
    pub created: String,
    pub link: String,
    pub amount: i64,
    pub status: String,
    pub payee: Payee,
    pub delivery: Delivery,
    pub tax_exempt: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_user_id: Option<String>,
    pub flow_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
    pub memo: Option<String>,
    pub metadata: Value,
    pub accounting_data: AccountingData,
    pub funding_source: String,
}

/// `payout-link.payee`: who the link is for, as far as the request said.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Payee {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `payout-link.delivery`.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `payout-link.accounting_data`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct AccountingData {
    pub quickbooks_account_id: Option<i64>,
    pub quickbooks_class_id: Option<i64>,
}

/// The answer of `POST /v2/payout-links/{id}/redeliver`.
#[derive(Clone, Debug, Serialize)]
pub struct Redelivered {
    pub payout_link: PayoutLink,
    pub redelivered: bool,
}

/// `flow`.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    pub id: String,
    pub created: String,
    pub user_id: Option<String>,
    pub steps: Vec<String>,
    pub completed_steps: Vec<String>,
    pub link: String,
    pub metadata: Value,
    /// Not in the schema; the documents' flow answers show it.
    pub payout_link_id: Option<String>,
}

/// `payout-batch-response`, with the progress counters the batch guide shows.
#[derive(Clone, Debug, Serialize)]
pub struct PayoutBatch {
    pub id: String,
    pub created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    pub items_processed: usize,
    pub items_succeeded: usize,
    pub items_failed: usize,
}

/// `payout-batch-results-item`.
#[derive(Clone, Debug, Serialize)]
pub struct BatchResult {
    pub user_id: String,
    pub idempotency_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
}

/// A batch result's `transfer`.
#[derive(Clone, Debug, Serialize)]
pub struct TransferRef {
    pub id: String,
    pub status: String,
}

/// `GET /v2/payout-batches/{id}/results`: the batch and its items.
#[derive(Clone, Debug, Serialize)]
pub struct BatchResults {
    #[serde(flatten)]
    pub batch: PayoutBatch,
    pub items: Vec<BatchResult>,
}

/// `app`.
#[derive(Clone, Debug, Serialize)]
pub struct App {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub metrics: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// `app.metrics`: decimal strings of dollars.
#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    pub wallet_balance: String,
    pub money_out: String,
    pub connected_users: usize,
}

/// A cursor page: `{"data": […], "has_more": …}`.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

/// Cents as a decimal string of dollars (`10000` -> `"100.00"`), as `app.metrics` has them.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_written_as_dollars_with_two_decimals() {
        assert_eq!(dollars(10000), "100.00");
        assert_eq!(dollars(5), "0.05");
        assert_eq!(dollars(-1234), "-12.34");
        assert_eq!(dollars(0), "0.00");
    }
}
