//! OnePay's wire types, field names and order as OnePay spells them.
//!
//! - [`Amount`]: integer cents inside, a JSON number outside (`1000`, `1000.5`)
//! - [`laravel_date`], dates as `YYYY-MM-DDTHH:MM:SS.000000Z`
//! - [`Customer`], [`Account`], [`BankRef`], [`Cashout`], [`BalanceCashout`], [`Remarks`],
//!   [`Webhook`], [`Balance`], [`Data`]

use chrono::{DateTime, Utc};
use payoutsim_core::clock::push_date_time;
use payoutsim_core::inline::InlineStr;
use serde::{Serialize, Serializer};

/// A money amount in cents, rendered as the JSON number a client sent (`1000`, `1000.5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Amount(pub i64);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            // Division of two exact integers is correctly rounded, so this is the same f64 a
            // client gets when it parses "1000.05", and prints back as the shortest form.
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

/// `$1.000`, `$1.000,50`: dot thousands separator, comma decimals when there are cents.
pub fn amount_label(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    match abs % 100 {
        0 => format!("{sign}${grouped}"),
        frac => format!("{sign}${grouped},{frac:02}"),
    }
}

/// Laravel's JSON date: seconds precision, a literal `.000000Z`.
pub fn laravel_date(t: DateTime<Utc>) -> String {
    laravel_text(t).as_str().to_string()
}

/// [`laravel_date`]'s text written on the stack (a wire view serialises it with no allocation).
/// `YYYY-MM-DDTHH:MM:SS.000000Z` is 27 bytes; a year outside 0..=9999 (chrono's reach is
/// ±262143) is written as `{:04}` writes it, sign and all, hence the room for 30.
pub fn laravel_text(t: DateTime<Utc>) -> InlineStr<32> {
    let mut text = InlineStr::new();
    push_date_time(&mut text, t);
    text.push_str(".000000Z");
    text
}

/// `{"data": …}`, the wrapper of single objects in the balances and webhooks APIs.
#[derive(Debug, Serialize)]
pub struct Data<T> {
    pub data: T,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customer {
    pub id: String,
    pub user_type: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub document_type: String,
    pub document_number: String,
    pub nationality: Option<String>,
    pub birthdate: Option<String>,
    pub enable_notifications: bool,
    pub is_test: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A bank as embedded in an account (`base64_logo` is always null here).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BankRef {
    pub id: String,
    pub name: String,
    pub logo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base64_logo: Option<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Account {
    pub id: String,
    pub title: String,
    pub subtype: String,
    pub status: String,
    pub authorization: bool,
    pub customer_id: String,
    pub re_enroll: bool,
    pub external_id: Option<String>,
    pub bank_id: String,
    pub bank: BankRef,
    pub customer: Customer,
    pub is_test: bool,
    pub created_at: String,
}

/// Why a payout failed; the same shape as OnePay charges' `remarks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Remarks {
    pub code: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cashout {
    pub id: String,
    pub customer_id: String,
    pub account_id: String,
    pub is_test: bool,
    pub amount: Amount,
    pub status: String,
    pub scheduled_at: Option<String>,
    pub created_at: String,
    pub external_id: Option<String>,
    pub method: String,
    pub currency: String,
    pub description: Option<String>,
    pub updated_at: String,
    pub remarks: Option<Remarks>,
}

/// The account as embedded in a balance cashout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceAccount {
    pub id: String,
    pub subtype: String,
    pub bank: BankRef,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceCashout {
    pub id: String,
    pub amount: Amount,
    pub amount_label: String,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub account: BalanceAccount,
    pub created_at: String,
    pub processed_at: Option<String>,
    pub is_test: bool,
    pub remarks: Option<Remarks>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Balance {
    pub available: Amount,
    pub available_label: String,
    pub in_transit: Amount,
    pub currency: String,
    pub is_test: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Webhook {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub header: Option<String>,
    pub is_test: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_render_as_the_number_a_client_sent() {
        assert_eq!(serde_json::to_string(&Amount(100_000)).unwrap(), "1000");
        assert_eq!(serde_json::to_string(&Amount(100_050)).unwrap(), "1000.5");
        assert_eq!(serde_json::to_string(&Amount(100_005)).unwrap(), "1000.05");
        assert_eq!(
            serde_json::to_string(&Amount(1_000_000_000_000_000)).unwrap(),
            "10000000000000"
        );
    }

    #[test]
    fn labels_use_dots_for_thousands_and_a_comma_for_cents() {
        assert_eq!(amount_label(100_000), "$1.000");
        assert_eq!(amount_label(50_000_000), "$500.000");
        assert_eq!(amount_label(100_050), "$1.000,50");
        assert_eq!(amount_label(12), "$0,12");
        assert_eq!(amount_label(12_345_678_900), "$123.456.789");
    }

    #[test]
    fn dates_are_laravel_style() {
        let t = DateTime::parse_from_rfc3339("2024-10-17T18:07:18.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(laravel_date(t), "2024-10-17T18:07:18.000000Z");
    }

    #[test]
    fn a_stack_written_date_is_the_text_format_writes_for_every_year() {
        use chrono::{Datelike, TimeZone, Timelike};
        let written = |t: DateTime<Utc>| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000000Z",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        };
        let years = [
            -262_143, -10_000, -5, 0, 7, 99, 999, 1970, 2024, 9999, 10_000, 262_142,
        ];
        for year in years {
            for (mo, d, h, mi, s) in [(1, 1, 0, 0, 0), (12, 31, 23, 59, 59), (2, 9, 7, 5, 3)] {
                let t = Utc.with_ymd_and_hms(year, mo, d, h, mi, s).unwrap();
                assert_eq!(laravel_text(t).as_str(), written(t), "{year}");
                assert_eq!(laravel_date(t), written(t));
                let json = serde_json::to_string(&laravel_text(t)).unwrap();
                assert_eq!(json, format!("\"{}\"", written(t)));
            }
        }
        let t = Utc.with_ymd_and_hms(2024, 10, 17, 18, 7, 18).unwrap();
        assert_eq!(
            t.with_nanosecond(123_456_789).map(laravel_date),
            Some(laravel_date(t))
        );
    }
}
