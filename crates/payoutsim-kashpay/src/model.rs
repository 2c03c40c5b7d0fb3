//! Wire types, field names exactly as Kashpay spells them (`uptadedAt`, `branchAcount`), in the
//! documented field order, and the formats they use.
//!
//! - [`Money`]: centavos shown as Kashpay shows pesos (`10000`, `8437673.61`)
//! - [`timestamp()`], the format `2022-12-20T17:11:46.794+0000`
//! - success envelopes: [`AuthAnswer`], [`OrderAnswer`], [`BalanceAnswer`], [`OperationsAnswer`]

use chrono::{DateTime, Utc};
use serde::Serialize;

/// An amount in centavos, serialised as a JSON number of pesos: whole amounts without decimals
/// (the engine's, shared by every provider that writes money so).
pub use payoutsim_core::money::Money;

/// Kashpay's timestamp: milliseconds and a `+0000` offset without a colon (seed).
pub fn timestamp(t: DateTime<Utc>) -> String {
    payoutsim_core::clock::date_time_string(t, true, "+0000")
}

#[derive(Serialize)]
pub struct AuthenticationResponse {
    pub token: String,
    pub expires: String,
}

/// `POST /AuthenticationService/authenticate` (seed).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthAnswer {
    pub success: bool,
    pub authentication_response: AuthenticationResponse,
}

/// An order as createOrder answers it (seed), field order as documented.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEntityResponse {
    pub created_at: String,
    pub uptaded_at: String,
    pub id: String,
    pub numeric_reference: String,
    pub alphanumeric_reference: String,
    pub reference_created_payment: String,
    pub status: u32,
    pub initial_balance: Money,
    pub final_balance: Money,
}

/// An order as searchReference answers it: createOrder's fields, then what was ordered.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderEntityResponse,
    pub amount: Money,
    pub beneficiary_name: String,
    pub beneficiary_account_number: String,
    pub beneficiary_type_acount: String,
    pub code_institute_bank: String,
    pub concept: String,
    pub date_transaction: Option<String>,
    pub type_transaction: u32,
    pub currency: u32,
}

/// `{"success":true,"orderEntityResponse":{…},"totalItems":0,"totalPages":0,"currentPage":0}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderAnswer<T> {
    pub success: bool,
    pub order_entity_response: T,
    pub total_items: u64,
    pub total_pages: u64,
    pub current_page: u64,
}

impl<T> OrderAnswer<T> {
    pub fn new(order: T) -> Self {
        Self {
            success: true,
            order_entity_response: order,
            total_items: 0,
            total_pages: 0,
            current_page: 0,
        }
    }
}

/// `onsignaEntity` of getBalance (page: Mon19109/apis-kashpay getBalance example).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnsignaEntity {
    pub id: String,
    pub name: String,
    pub prefix: String,
    #[serde(rename = "fiscalID")]
    pub fiscal_id: Option<String>,
    pub clabe_account: String,
    pub virtual_account: String,
    pub branch_acount: Option<String>,
    #[serde(rename = "webhookURL")]
    pub webhook_url: Option<String>,
    pub email: String,
    pub phone_number: Option<String>,
    #[serde(rename = "fatherID")]
    pub father_id: Option<String>,
    pub balance: Money,
    pub warranty_balance: Money,
    pub customer_network_balance: Money,
    pub warranty_clabe_account: String,
    pub warranty_virtual_account: Option<String>,
    pub crypted_card: Option<String>,
    pub new_card: Option<String>,
    pub assign_clabe_account: bool,
    #[serde(rename = "feeID")]
    pub fee_id: u32,
    pub internal_reference: Option<String>,
    pub liquidation_level: String,
    pub liquidation_type: Option<String>,
    pub entity_type: Option<String>,
    pub affiliation_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceAnswer {
    pub success: bool,
    pub onsigna_entity: OnsignaEntity,
    pub total_items: u64,
    pub total_pages: u64,
    pub current_page: u64,
}

/// `currency` of an operation: always MXN here.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Currency {
    pub alphabetic_code: &'static str,
    pub description: &'static str,
    pub id: u32,
}

pub const MXN: Currency = Currency {
    alphabetic_code: "MXN",
    description: "Peso Mexicano",
    id: 484,
};

/// An operation of getOperations: the documented model's fields we can fill.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: u64,
    #[serde(rename = "entity_id")]
    pub entity_id: String,
    #[serde(rename = "type")]
    pub kind: u32,
    pub transaction_type: String,
    pub description_type: String,
    pub description: String,
    pub status: u32,
    pub amount: Money,
    pub settle_amount: Money,
    pub initial_balance: Money,
    pub final_balance: Money,
    pub currency: Currency,
    pub country: &'static str,
    pub alphanumeric_reference: Option<String>,
    pub numeric_reference: Option<String>,
    #[serde(rename = "transactionID")]
    pub transaction_id: Option<String>,
    pub internal_reference: Option<String>,
    pub response_code: Option<String>,
    pub observation: Option<String>,
    pub target_name: Option<String>,
    #[serde(rename = "targetID")]
    pub target_id: Option<String>,
    #[serde(rename = "targetIDCode")]
    pub target_id_code: Option<String>,
    pub target_email: Option<String>,
    pub system_source: &'static str,
    pub created_at: String,
    pub uptaded_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationsAnswer {
    pub success: bool,
    pub operations: Vec<Operation>,
    pub total_items: u64,
    pub total_pages: u64,
    pub current_page: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn money_shows_whole_pesos_without_decimals() {
        assert_eq!(
            serde_json::to_string(&Money(1_000_000)).ok().as_deref(),
            Some("10000")
        );
        assert_eq!(
            serde_json::to_string(&Money(843_767_361)).ok().as_deref(),
            Some("8437673.61")
        );
        assert_eq!(
            serde_json::to_string(&Money(-150)).ok().as_deref(),
            Some("-1.5")
        );
    }

    #[test]
    fn timestamps_have_milliseconds_and_an_offset_without_colon() {
        let t = Utc.with_ymd_and_hms(2022, 12, 20, 17, 11, 46).single();
        let t = t.map(|t| t + chrono::TimeDelta::milliseconds(794));
        assert_eq!(
            t.map(timestamp).as_deref(),
            Some("2022-12-20T17:11:46.794+0000")
        );
    }
}
