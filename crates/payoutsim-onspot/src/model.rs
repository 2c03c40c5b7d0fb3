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
    // Held for the payout's life, so each text exactly as long as it is (no spare room) and the
    // rare parts (a business's representative) boxed.
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "documentType")]
    pub document_type: &'static str,
    #[serde(rename = "documentNumber")]
    pub document_number: Box<str>,
    #[serde(rename = "legalName", skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<Box<str>>,
    #[serde(
        rename = "businessRepresentative",
        skip_serializing_if = "Option::is_none"
    )]
    pub representative: Option<Box<Representative>>,
    #[serde(rename = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<Box<str>>,
    #[serde(rename = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<Box<str>>,
    #[serde(rename = "customerEmail")]
    pub customer_email: Box<str>,
    /// As sent.
    pub amount: Box<str>,
    #[serde(skip)]
    pub amount_cents: i64,
    pub currency: Box<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Box<str>>,
}

/// One entry of the Create Payouts answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub uuid: String,
    pub email: Option<String>,
    pub action: &'static str,
    pub message: String,
}
