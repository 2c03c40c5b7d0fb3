//! Custom cucumber parameters: the words of the payments domain, parsed once.
//!
//! | parameter | matches | becomes |
//! |---|---|---|
//! | `{env}` | `test`, `live` | [`Env`] (which kind of OnePay key) |
//! | `{method}` | `ACH`, `TURBO` | [`Method`] |
//! | `{subtype}` | `SAVINGS`, `CHECKING`, `ELECTRONIC_DEPOSIT` | [`Subtype`] |
//! | `{amount}` | `50000`, `1,000,000` | [`Amount`] (COP, whole pesos) |
//! | `{verb}` | `GET`, `POST`, `PUT`, `PATCH`, `DELETE` | [`Verb`] |
//! | `{json}` | `"text"`, `42`, `-1.5`, `true`, `false`, `null` | [`JsonLit`] |
//! | `{names}` | `"a, b, c"` | [`Names`] (a comma-separated list) |
//! | `{duration}` | `60 seconds`, `5 minutes`, `2 hours`, `1 day` | [`SimDuration`] |
//! | `{weekday}` | `Monday` … `Sunday` | [`Weekday`] |
//! | `{provider}` | `OnePay`, `OnSpot`, `Kashpay`, `Tupay`, `Dots` | [`ProviderName`] (a provider the steps know) |
//! | `{rail}` | `PayPal`, `Venmo`, `Cash App`, `ACH`, `bank transfer`, `default` | [`Rail`] (a Dots payout's `platform`) |
//! | `{idempotency}` | `, with idempotency key "k1"`, or nothing | [`WithKey`] (a Dots step's key, if any) |
//! | `{funding}` | `funded by the app`, `from their wallet` | [`Funding`] (the wallet a Dots payout draws on) |
//! | `{unknowns}` | `, the last 10 to unknown users`, or nothing | [`Unknowns`] (batch items to no user) |

use std::fmt;
use std::str::FromStr;

use cucumber::Parameter;
use serde_json::Value;

/// An enum of the few words a parameter may be, from one table: each variant with the word that
/// stands for it in step text (and on the wire), read back by `$word(self)` and parsed by
/// `FromStr`, whose error names `$what`.
macro_rules! words {
    (
        $(#[$attr:meta])*
        pub enum $name:ident ($what:literal, $word:ident) {
            $($variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
        $(#[$attr])*
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub fn $word(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(concat!("unknown ", $what, " {}"), other)),
                }
            }
        }
    };
}

words! {
    /// A OnePay environment: `sk_test_` keys or `sk_live_` keys.
    #[param(name = "env", regex = "test|live")]
    pub enum Env("OnePay environment", name) {
        Test = "test",
        Live = "live",
    }
}

words! {
    /// A OnePay cashout method.
    #[param(name = "method", regex = "ACH|TURBO")]
    pub enum Method("cashout method", wire) {
        Ach = "ACH",
        Turbo = "TURBO",
    }
}

words! {
    /// A OnePay bank account subtype.
    #[param(name = "subtype", regex = "SAVINGS|CHECKING|ELECTRONIC_DEPOSIT")]
    pub enum Subtype("account subtype", wire) {
        Savings = "SAVINGS",
        Checking = "CHECKING",
        ElectronicDeposit = "ELECTRONIC_DEPOSIT",
    }
}

/// An amount of COP in whole pesos; `1,000,000` and `1_000_000` read as `1000000`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "amount", regex = r"\d[\d,_]*")]
pub struct Amount(pub i64);

impl FromStr for Amount {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        digits
            .parse()
            .map(Self)
            .map_err(|e| format!("bad amount {s}: {e}"))
    }
}

/// An HTTP method.
#[derive(Clone, Debug, PartialEq, Eq, Parameter)]
#[param(name = "verb", regex = "GET|POST|PUT|PATCH|DELETE")]
pub struct Verb(pub String);

impl FromStr for Verb {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// A JSON literal as written in a step: a quoted string, a number, `true`, `false` or `null`.
#[derive(Clone, Debug, PartialEq, Parameter)]
#[param(name = "json", regex = r#""[^"]*"|-?\d+(?:\.\d+)?|true|false|null"#)]
pub struct JsonLit(pub Value);

impl FromStr for JsonLit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(text) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            return Ok(Self(Value::String(text.to_string())));
        }
        serde_json::from_str(s)
            .map(Self)
            .map_err(|e| format!("bad JSON literal {s}: {e}"))
    }
}

impl fmt::Display for JsonLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A quoted, comma-separated list: `"cashout.created, cashout.approved"`.
#[derive(Clone, Debug, PartialEq, Eq, Parameter)]
#[param(name = "names", regex = r#""[^"]*""#)]
pub struct Names(pub Vec<String>);

impl FromStr for Names {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let inner = s.trim_matches('"');
        Ok(Self(
            inner
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect(),
        ))
    }
}

/// A span of simulated time, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "duration", regex = r"\d+ (?:seconds?|minutes?|hours?|days?)")]
pub struct SimDuration(pub u64);

impl FromStr for SimDuration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (n, unit) = s
            .split_once(' ')
            .ok_or_else(|| format!("bad duration {s}"))?;
        let n: u64 = n.parse().map_err(|e| format!("bad duration {s}: {e}"))?;
        let unit_s = match unit.trim_end_matches('s') {
            "second" => 1,
            "minute" => 60,
            "hour" => 3600,
            "day" => 86_400,
            other => return Err(format!("unknown time unit {other}")),
        };
        Ok(Self(n * unit_s))
    }
}

/// A day of the week (Monday = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "weekday",
    regex = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)]
pub struct Weekday(pub u32);

impl FromStr for Weekday {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const DAYS: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        DAYS.iter()
            .position(|d| *d == s)
            .map(|i| Self(i as u32))
            .ok_or_else(|| format!("unknown weekday {s}"))
    }
}

words! {
    /// A provider the steps know, by the name its own docs use: `OnePay`, `OnSpot`, `Kashpay`,
    /// `Tupay`, `Dots`.
    /// (Not called `Provider`: cucumber's step macros declare a `struct Provider` of their own,
    /// which would shadow it in a step's arguments.)
    #[param(name = "provider", regex = "OnePay|OnSpot|Kashpay|Tupay|Dots")]
    pub enum ProviderName("provider", name) {
        OnePay = "OnePay",
        OnSpot = "OnSpot",
        Kashpay = "Kashpay",
        Tupay = "Tupay",
        Dots = "Dots",
    }
}

impl ProviderName {
    pub const ALL: [Self; 5] = [
        Self::OnePay,
        Self::OnSpot,
        Self::Kashpay,
        Self::Tupay,
        Self::Dots,
    ];

    /// The simulator's name for it: the key of its base URL, its tenants' prefix, its
    /// `features/` folder.
    pub fn id(self) -> &'static str {
        match self {
            Self::OnePay => "onepay",
            Self::OnSpot => "onspot",
            Self::Kashpay => "kashpay",
            Self::Tupay => "tupay",
            Self::Dots => "dots",
        }
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Dots payout's rail, by the name Dots' documents give it in prose; [`Rail::wire`] is its
/// `platform` in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "rail",
    regex = "PayPal|Venmo|Cash App|ACH|bank transfer|default"
)]
pub enum Rail {
    PayPal,
    Venmo,
    CashApp,
    Ach,
    BankTransfer,
    Default,
}

impl Rail {
    /// The `platform` of a payout request (and of a payout method).
    pub fn wire(self) -> &'static str {
        match self {
            Self::PayPal => "paypal",
            Self::Venmo => "venmo",
            Self::CashApp => "cash_app",
            Self::Ach => "ach",
            Self::BankTransfer => "bank_transfer",
            Self::Default => "default",
        }
    }
}

impl FromStr for Rail {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "PayPal" => Self::PayPal,
            "Venmo" => Self::Venmo,
            "Cash App" => Self::CashApp,
            "ACH" => Self::Ach,
            "bank transfer" => Self::BankTransfer,
            "default" => Self::Default,
            other => return Err(format!("unknown Dots payout rail {other}")),
        })
    }
}

/// The end of a Dots step that may name an idempotency key: `, with idempotency key "k1"` or
/// ` with idempotency key "k1"`, or nothing; the scenario's name for the key, if any.
#[derive(Clone, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "idempotency",
    regex = r#"(?:,? with idempotency key "[^"]*")?"#
)]
pub struct WithKey(pub Option<String>);

impl FromStr for WithKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(Self(None));
        }
        let name = s.split('"').nth(1);
        let name = name.ok_or_else(|| format!("no quoted idempotency key in {s:?}"))?;
        Ok(Self(Some(name.to_string())))
    }
}

/// The end of a Dots batch step that may send some items to users the app does not have:
/// `, the last 10 to unknown users`, or nothing (none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "unknowns", regex = r"(?:, the last \d+ to unknown users)?")]
pub struct Unknowns(pub usize);

impl FromStr for Unknowns {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Ok(Self(0));
        }
        digits
            .parse()
            .map(Self)
            .map_err(|e| format!("bad count of unknown users {s:?}: {e}"))
    }
}

/// Which wallet a Dots payout draws on: `funded by the app` (`fund: true`, the app wallet) or
/// `from their wallet` (the user's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "funding", regex = "funded by the app|from their wallet")]
pub struct Funding {
    /// `fund: true`.
    pub by_app: bool,
}

impl FromStr for Funding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "funded by the app" => Ok(Self { by_app: true }),
            "from their wallet" => Ok(Self { by_app: false }),
            other => Err(format!("unknown Dots payout funding {other:?}")),
        }
    }
}
