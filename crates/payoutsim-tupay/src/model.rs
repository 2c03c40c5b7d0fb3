//! Wire types, field names and order as D24's reference spells them (Tupay's pages omit the
//! shapes; its API is D24's white label): the login answer, the list envelope, a deposit, a
//! cashout, a balance report row, and our `/v1/balance` row.
//!
//! Amounts are kept in minor units and written through the engine's [`Money`]: JSON numbers
//! with at most two decimals (`51.45`, `10`), as D24's examples show. Times are ISO 8601 UTC
//! to the second (`2024-01-10T13:41:57Z`).

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use payoutsim_core::money::Money;

/// Records per page (`maxRows`), fixed.
pub const MAX_ROWS: usize = 50;

/// `2024-01-10T13:41:57Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    payoutsim_core::clock::date_time_string(t, false, "Z")
}

/// `t` to the second, as every record's time is kept: `from` and `to` are whole seconds, so a
/// record stamped `12:00:00.6` is inside `to = 12:00:00`, as its `creationDate` says.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// `POST /v1/auth/login`'s answer (seed).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginAnswer<'a> {
    pub id_user: u32,
    pub username: &'a str,
    pub id_merchant: u32,
}

/// Every list's envelope: keep asking for `page + 1` while `rows == maxRows`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub page: u64,
    pub rows: usize,
    pub max_rows: usize,
    pub data: Vec<T>,
}

impl<T> Page<T> {
    pub fn new(page: u64, data: Vec<T>) -> Self {
        Self {
            page,
            rows: data.len(),
            max_rows: MAX_ROWS,
            data,
        }
    }
}

/// A deposit (D24 get-deposits).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposit<'a> {
    pub id_deposit: u32,
    pub external_id: &'a str,
    pub creation_date: String,
    pub country_name: &'a str,
    pub country: &'a str,
    pub payment_method_name: &'a str,
    pub payment_method_code: &'a str,
    pub requested_payment_method: &'a str,
    pub requested_payment_method_name: &'a str,
    pub client_document: &'a str,
    pub amount: Money,
    pub currency: &'a str,
    pub requested_amount: Money,
    pub requested_currency: &'a str,
    pub local_amount: Money,
    pub local_currency: &'a str,
    pub fee: Money,
    pub fee_currency: &'a str,
    pub last_change_date: String,
    pub status: &'a str,
    pub id_user: &'a str,
    pub flags: [(); 0],
    pub id_merchant: u32,
    pub merchant_name: &'a str,
    pub refund_attempted: bool,
}

/// A cashout (D24 get-cashouts).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cashout<'a> {
    pub id_cashout: u32,
    pub external_id: &'a str,
    pub creation_date: String,
    pub country: &'a str,
    pub currency: &'a str,
    pub amount: Money,
    pub credited_currency: &'a str,
    pub credited_amount: Money,
    pub merchant_currency: &'a str,
    pub merchant_amount: Money,
    pub fee_currency: &'a str,
    pub fee: Money,
    pub tax: Money,
    pub last_change_date: String,
    pub status: &'a str,
    pub client_document: &'a str,
    pub flags: [(); 0],
    pub id_merchant: u32,
    pub merchant_name: &'a str,
    pub reason: &'a str,
    pub exist_voucher: bool,
}

/// One day and currency of the balance report (D24 get-balance-report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub id_merchant: u32,
    pub deposit_total: Money,
    pub cashout_total: Money,
    pub note_total: Money,
    pub settlement_total: Money,
    pub cancelled_settlement_total: Money,
    pub deposit_fee_total: Money,
    pub net_amount: Money,
    pub total_balance: Money,
    /// The day, `2020-01-31T00:00:00Z`.
    pub date: String,
    pub currency: &'static str,
}

/// One currency of `GET /v1/balance` (its shape is ours: the sources do not give it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceRow {
    pub id_merchant: u32,
    pub currency: &'static str,
    pub total_balance: Money,
    /// When it was computed (the simulated now).
    pub date: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_to_the_second_in_utc() {
        let t = DateTime::from_timestamp(1_704_894_117, 0).unwrap();
        assert_eq!(timestamp(t), "2024-01-10T13:41:57Z");
    }

    #[test]
    fn a_page_counts_its_rows_against_fifty() {
        let page = serde_json::to_value(Page::new(2, vec![1, 2])).unwrap();
        assert_eq!(
            page,
            serde_json::json!({"page": 2, "rows": 2, "maxRows": 50, "data": [1, 2]})
        );
    }
}
