//! The data a merchant's transactions are made of: the countries it takes payments in, their
//! payment methods and fees, the currencies and rates, and the ISO country codes the `country`
//! filter accepts.
//!
//! Sources: Tupay documents Peru (`PE`) and the payment method codes `XA`/`XAQR` (seed); D24's
//! reference shows two-letter codes such as `IX` (Pix) and the pair of currencies a deposit
//! carries (`amount` in the merchant's balance currency, `localAmount` in the payer's). The other
//! countries, codes, names, fees and rates are ours (README: "History"), chosen to look like a
//! Latin American merchant's traffic.

/// How long a payment method takes to confirm a deposit: the history spreads completions by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// Bank transfers, QR and wallets: minutes.
    Instant,
    /// Cards: seconds to a few minutes.
    Card,
    /// Cash vouchers (paid at an agent): hours to two days.
    Voucher,
}

/// A payment method.
#[derive(Debug, PartialEq, Eq)]
pub struct Method {
    pub code: &'static str,
    pub name: &'static str,
    pub speed: Speed,
    /// Deposit fee, in basis points of the amount, plus [`Country::fixed_fee`].
    pub fee_bps: i64,
}

/// A country a merchant takes payments in.
#[derive(Debug, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    /// What the payer pays in (`localCurrency`).
    pub local: &'static str,
    /// The merchant's balance currency for this country (`currency`): the report's currency.
    pub settles: &'static str,
    /// Units of `local` per unit of `settles`, in millionths (a day's rate moves around it).
    pub rate_micros: i64,
    /// `clientDocument`'s shape: `9` a digit, `A` a capital letter, anything else as is.
    pub document: &'static str,
    /// Deposit methods with their weight in the history.
    pub deposits: &'static [(&'static Method, u32)],
    /// The rail cashouts are paid on (the `paymentMethod` filter of cashouts).
    pub payouts: &'static Method,
    /// Fixed part of a deposit fee, in minor units of `settles`.
    pub fixed_fee: i64,
    /// Tax withheld on a cashout, basis points (Brazil's IOF); 0 elsewhere.
    pub cashout_tax_bps: i64,
    /// Share of the history's clients, in percent.
    pub weight: u32,
}

const fn method(code: &'static str, name: &'static str, speed: Speed, fee_bps: i64) -> Method {
    Method {
        code,
        name,
        speed,
        fee_bps,
    }
}

pub static XA: Method = method("XA", "Transferencia bancaria", Speed::Instant, 250);
pub static XAQR: Method = method("XAQR", "Pago con QR", Speed::Instant, 220);
pub static EF: Method = method("EF", "PagoEfectivo", Speed::Voucher, 350);
pub static VI: Method = method("VI", "Visa", Speed::Card, 450);
pub static MC: Method = method("MC", "Mastercard", Speed::Card, 450);
pub static IX: Method = method("IX", "Pix", Speed::Instant, 150);
pub static BL: Method = method("BL", "Boleto", Speed::Voucher, 350);
pub static SE: Method = method("SE", "SPEI", Speed::Instant, 200);
pub static OX: Method = method("OX", "OXXO", Speed::Voucher, 380);
pub static PC: Method = method("PC", "PSE", Speed::Instant, 280);
pub static EY: Method = method("EY", "Efecty", Speed::Voucher, 380);
pub static NQ: Method = method("NQ", "Nequi", Speed::Instant, 240);
pub static WP: Method = method("WP", "Webpay", Speed::Card, 400);
pub static KH: Method = method("KH", "Khipu", Speed::Instant, 220);

/// Every method, for the `paymentMethod` filter and the back office.
pub static METHODS: &[&Method] = &[
    &XA, &XAQR, &EF, &VI, &MC, &IX, &BL, &SE, &OX, &PC, &EY, &NQ, &WP, &KH,
];

pub static COUNTRIES: &[Country] = &[
    Country {
        code: "PE",
        name: "Peru",
        local: "PEN",
        settles: "PEN",
        rate_micros: 1_000_000,
        document: "99999999",
        deposits: &[(&XA, 30), (&XAQR, 28), (&EF, 22), (&VI, 12), (&MC, 8)],
        payouts: &XA,
        fixed_fee: 100,
        cashout_tax_bps: 0,
        weight: 46,
    },
    Country {
        code: "BR",
        name: "Brazil",
        local: "BRL",
        settles: "USD",
        rate_micros: 5_050_000,
        document: "99999999999",
        deposits: &[(&IX, 62), (&BL, 23), (&VI, 15)],
        payouts: &IX,
        fixed_fee: 30,
        cashout_tax_bps: 38,
        weight: 16,
    },
    Country {
        code: "MX",
        name: "Mexico",
        local: "MXN",
        settles: "USD",
        rate_micros: 17_150_000,
        document: "AAAA999999AA9",
        deposits: &[(&SE, 48), (&OX, 37), (&VI, 15)],
        payouts: &SE,
        fixed_fee: 30,
        cashout_tax_bps: 0,
        weight: 14,
    },
    Country {
        code: "CO",
        name: "Colombia",
        local: "COP",
        settles: "USD",
        rate_micros: 3_950_000_000,
        document: "9999999999",
        deposits: &[(&PC, 45), (&NQ, 30), (&EY, 25)],
        payouts: &PC,
        fixed_fee: 30,
        cashout_tax_bps: 0,
        weight: 13,
    },
    Country {
        code: "CL",
        name: "Chile",
        local: "CLP",
        settles: "USD",
        rate_micros: 940_000_000,
        document: "99999999-9",
        deposits: &[(&WP, 55), (&KH, 45)],
        payouts: &KH,
        fixed_fee: 30,
        cashout_tax_bps: 0,
        weight: 11,
    },
];

/// Currencies whose amounts have no minor unit in practice: their local amounts are whole.
pub const WHOLE: &[&str] = &["COP", "CLP"];

/// The balance currencies of the catalogue (USD, PEN), in report order.
pub fn balance_currencies() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = COUNTRIES.iter().map(|c| c.settles).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Every currency the back office may use: the balance and the local ones.
pub fn currencies() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = (COUNTRIES.iter())
        .flat_map(|c| [c.settles, c.local])
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

pub fn method_named(code: &str) -> Option<&'static Method> {
    METHODS
        .iter()
        .copied()
        .find(|m| m.code.eq_ignore_ascii_case(code))
}

/// ISO 3166-1 alpha-2, the codes the `country` filter accepts (D24: "Provided ISO country XX is
/// not valid" for others).
const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ \
GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN \
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT \
PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Whether `code` is an ISO 3166-1 alpha-2 country code (any case).
pub fn is_iso_country(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_alphabetic())
        && ISO_3166
            .split_ascii_whitespace()
            .any(|c| c.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_is_an_iso_code_and_its_methods_are_in_the_method_table() {
        for c in COUNTRIES {
            assert!(is_iso_country(c.code), "{}", c.code);
            for (m, _) in c.deposits.iter().chain([&(c.payouts, 0)]) {
                assert_eq!(method_named(m.code), Some(*m), "{}", m.code);
            }
        }
    }

    #[test]
    fn country_weights_add_up_to_a_hundred() {
        assert_eq!(COUNTRIES.iter().map(|c| c.weight).sum::<u32>(), 100);
    }

    #[test]
    fn the_documented_peru_codes_are_known_and_lower_case_is_accepted() {
        assert_eq!(method_named("xaqr").map(|m| m.code), Some("XAQR"));
        assert_eq!(country("pe").map(|c| c.name), Some("Peru"));
        assert!(is_iso_country("ar") && !is_iso_country("XX") && !is_iso_country("PER"));
    }

    #[test]
    fn balances_are_kept_in_usd_and_pen() {
        assert_eq!(balance_currencies(), ["PEN", "USD"]);
        assert!(currencies().contains(&"BRL"));
    }
}
