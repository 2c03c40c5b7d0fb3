//! OnSpot's wire types, with OnSpot's field names (behind serde renames): a Create Payouts item
//! as the platform keeps it, and an entry of the Create Payouts answer. The token's header and
//! claims are in `auth.rs`, beside the signer that writes them; error bodies in `error.rs`.

use serde::Serialize;

/// `businessRepresentative` of a BUSINESS payout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Representative {
    #[serde(rename = "firstName")]
    pub first_name: String,
    #[serde(rename = "lastName")]
    pub last_name: String,
}

/// A valid item, with OnSpot's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewPayout {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "documentType")]
    pub document_type: String,
    #[serde(rename = "documentNumber")]
    pub document_number: String,
    #[serde(rename = "legalName", skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    #[serde(
        rename = "businessRepresentative",
        skip_serializing_if = "Option::is_none"
    )]
    pub representative: Option<Representative>,
    #[serde(rename = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "customerEmail")]
    pub customer_email: String,
    /// As sent.
    pub amount: String,
    #[serde(skip)]
    pub amount_cents: i64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One entry of the Create Payouts answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub uuid: String,
    pub email: Option<String>,
    pub action: &'static str,
    pub message: String,
}
