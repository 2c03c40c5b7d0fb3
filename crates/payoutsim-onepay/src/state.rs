//! The OnePay store (one [`TenantData`] per API key) and the contract as data: the state machines
//! ([`machines`]), the magic values ([`MAGIC`]) and the records behind each wire object.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use payoutsim_core::fastmap::FastMap;
use payoutsim_core::idempotency::answer_bytes;
use payoutsim_core::ids::Uid;
use payoutsim_core::json_out::ObjectOut;
use payoutsim_core::kit::{Bounded, FrozenAnswer, Records};
use payoutsim_core::machine::{Delay, Lifecycle, StateMachine};
use payoutsim_core::name::Name;
use payoutsim_core::rows::Rows;

use crate::OnePayConfig;
use crate::banks;
use crate::model::{
    Account, Amount, BalanceAccount, BalanceCashout, BankRef, Cashout, Customer, Remarks,
    amount_label, laravel_date, laravel_text,
};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Kinds of objects with a lifecycle, as the engine and the admin API name them.
pub const CASHOUT: &str = "cashout";
pub const BALANCE_CASHOUT: &str = "balance_cashout";
pub const ACCOUNT: &str = "account";

/// The state machines: cashouts per method, balance cashouts, accounts.
pub fn machines() -> Vec<StateMachine> {
    let payout = |kind: &str, variant: &str, to_processing: Delay, to_done: Delay| {
        StateMachine::new(kind, variant, "pending", &["processed", "failed"])
            .edge("pending", "processing", to_processing)
            .edge("processing", "processed", to_done)
            .edge("processing", "failed", to_done)
    };
    vec![
        payout(CASHOUT, "TURBO", Delay::Seconds(60), Delay::Seconds(1800)),
        payout(CASHOUT, "ACH", Delay::Seconds(600), Delay::BusinessDays(1)),
        payout(
            BALANCE_CASHOUT,
            "ACH",
            Delay::Seconds(600),
            Delay::BusinessDays(1),
        ),
        StateMachine::new(ACCOUNT, "", "PENDING", &["ACTIVE"]).edge(
            "PENDING",
            "ACTIVE",
            Delay::Seconds(300),
        ),
    ]
}

/// What triggers a magic outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The destination account's `account_number`.
    AccountNumber(&'static str),
    /// The payout amount, in cents.
    AmountCents(i64),
}

/// A magic value of ours (`reason` is the failure's `remarks.code`; `processing` = a stuck payout).
pub type Magic = payoutsim_core::forced::Magic<Trigger>;

/// The magic values of cashouts and balance cashouts (README: "Magic values").
pub const MAGIC: &[Magic] = &[
    Magic {
        trigger: Trigger::AccountNumber("1111111110"),
        outcome: "failed",
        reason: "ACCOUNT_CLOSED",
        description: "The destination account is closed.",
    },
    Magic {
        trigger: Trigger::AccountNumber("1111111111"),
        outcome: "failed",
        reason: "ACCOUNT_NOT_FOUND",
        description: "The destination account does not exist.",
    },
    Magic {
        trigger: Trigger::AccountNumber("1111111112"),
        outcome: "failed",
        reason: "ACCOUNT_BLOCKED",
        description: "The destination account is blocked.",
    },
    Magic {
        trigger: Trigger::AccountNumber("1111111113"),
        outcome: "processing",
        reason: "",
        description: "Stays processing forever.",
    },
    Magic {
        trigger: Trigger::AmountCents(66_600),
        outcome: "failed",
        reason: "BANK_REJECTED",
        description: "The receiving bank rejected the transfer.",
    },
];

/// The magic value a payout of `amount` cents to `account_number` hits, if any.
pub fn magic_for(account_number: &str, amount: i64) -> Option<&'static Magic> {
    MAGIC.iter().find(|m| match m.trigger {
        Trigger::AccountNumber(n) => n == account_number,
        Trigger::AmountCents(c) => c == amount,
    })
}

/// The remarks of a failure whose reason code is `code`.
pub fn remarks_for(code: &str) -> Remarks {
    let description = MAGIC
        .iter()
        .find(|m| m.reason == code)
        .map(|m| m.description)
        .unwrap_or(match code {
            "FORCED" => "Status forced through the back office.",
            _ => "The payout failed.",
        });
    Remarks {
        code: code.to_string(),
        description: description.to_string(),
    }
}

/// Rows in insertion order with an index by id (every OnePay id is a seeded UUID, held as its
/// 16 bytes; an id that is not a UUID's text names no row).
#[derive(Debug)]
pub struct Table<T> {
    rows: Rows<T>,
    index: FastMap<Uid, u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            rows: Rows::new(),
            index: FastMap::default(),
        }
    }
}

impl<T> Table<T> {
    pub fn insert(&mut self, id: Uid, row: T) {
        self.index.insert(id, place(self.rows.len()));
        self.rows.push(row);
    }
    fn at(&self, id: &str) -> Option<usize> {
        let id = id.parse::<Uid>().ok()?;
        self.index.get(&id).map(|&i| i as usize)
    }
    pub fn get(&self, id: &str) -> Option<&T> {
        self.rows.get(self.at(id)?)
    }
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let at = self.at(id)?;
        self.rows.get_mut(at)
    }
    /// The row of an id already parsed.
    pub fn get_uid(&self, id: &Uid) -> Option<&T> {
        self.rows.get(*self.index.get(id)? as usize)
    }
    /// In insertion order, oldest first; skipping ahead (`nth`) is one step.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.rows.iter()
    }
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Drops up to `n` rows `settled` picks, oldest first, and answers them; the index is
    /// made again from the rows' ids (`id`).
    pub fn drop_oldest(
        &mut self,
        n: usize,
        settled: impl Fn(&T) -> bool,
        id: impl Fn(&T) -> Uid,
    ) -> Vec<T> {
        let dropped = self.rows.drop_oldest(n, settled);
        if !dropped.is_empty() {
            self.index = (self.rows.iter().enumerate())
                .map(|(i, row)| (id(row), place(i)))
                .collect();
        }
        dropped
    }
}

/// A row's place as the index keeps it (a tenant holds far fewer than 2^32 rows: the object
/// bounds keep it to `--max-objects-per-tenant`).
fn place(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[derive(Clone, Debug)]
pub struct AccountRec {
    pub id: String,
    pub customer_id: String,
    pub bank_id: String,
    pub account_number: String,
    pub subtype: String,
    pub authorization: bool,
    pub re_enroll: bool,
    /// The client's own reference, as sent (`null` when it sent none).
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub lc: Lifecycle,
}

#[derive(Clone, Debug)]
pub struct CashoutRec {
    pub id: Uid,
    pub customer_id: Uid,
    pub account_id: Uid,
    pub amount: i64,
    /// One of [`METHODS`](crate::cashouts::METHODS).
    pub method: Name,
    /// One of [`CURRENCIES`](crate::cashouts::CURRENCIES).
    pub currency: Name,
    pub description: Option<Box<str>>,
    pub external_id: Option<Box<str>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when it fails (most cashouts never do).
    pub remarks: Option<Box<Remarks>>,
    pub lc: Lifecycle,
    /// The idempotency key whose kept answer names this cashout instead of holding its bytes
    /// (shared with the store); when the cashout is dropped the key is given the bytes.
    pub key: Option<Arc<str>>,
}

#[derive(Clone, Debug)]
pub struct BalanceCashoutRec {
    pub id: Uid,
    pub account_id: String,
    pub amount: i64,
    pub created_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    pub remarks: Option<Remarks>,
    pub lc: Lifecycle,
}

/// One API key's data.
#[derive(Debug, Default)]
pub struct TenantData {
    pub is_test: bool,
    /// Available balance, in cents.
    pub available: i64,
    pub customers: Table<Customer>,
    pub accounts: Table<AccountRec>,
    pub cashouts: Table<CashoutRec>,
    pub balance_cashouts: Table<BalanceCashoutRec>,
    /// Ids of this tenant's webhooks, oldest first (the targets live in the engine's outbox).
    pub webhook_ids: Vec<String>,
    /// The first answers of dropped cashouts, for their idempotency keys ([`Bounded::take_frozen`]).
    frozen: Vec<FrozenAnswer>,
}

impl TenantData {
    pub fn new(is_test: bool, available: i64) -> Self {
        Self {
            is_test,
            available,
            ..Self::default()
        }
    }

    pub fn account_wire(&self, a: &AccountRec) -> Option<Account> {
        let customer = self.customers.get(&a.customer_id)?.clone();
        let bank = banks::find(&a.bank_id)?;
        let last4 = &a.account_number[a.account_number.len().saturating_sub(4)..];
        Some(Account {
            id: a.id.clone(),
            title: format!("{} ****{last4}", bank.name),
            subtype: a.subtype.clone(),
            status: a.lc.status.to_string(),
            authorization: a.authorization,
            customer_id: a.customer_id.clone(),
            re_enroll: a.re_enroll,
            external_id: a.external_id.clone(),
            bank_id: a.bank_id.clone(),
            bank: bank.as_ref(true),
            customer,
            is_test: self.is_test,
            created_at: laravel_date(a.created_at),
        })
    }

    pub fn cashout_wire(&self, c: &CashoutRec) -> Cashout {
        Cashout {
            id: c.id.to_string(),
            customer_id: c.customer_id.to_string(),
            account_id: c.account_id.to_string(),
            is_test: self.is_test,
            amount: Amount(c.amount),
            status: c.lc.status.to_string(),
            scheduled_at: None,
            created_at: laravel_date(c.created_at),
            external_id: c.external_id.as_deref().map(str::to_string),
            method: c.method.to_string(),
            currency: c.currency.to_string(),
            description: c.description.as_deref().map(str::to_string),
            updated_at: laravel_date(c.updated_at),
            remarks: c.remarks.as_deref().cloned(),
        }
    }

    /// Cashout `c` as the wire shows it, borrowed from the record ([`CashoutView`]): what the
    /// answers serialise (the owned [`TenantData::cashout_wire`] serves where a `Value` is made).
    pub fn cashout_view<'a>(&self, c: &'a CashoutRec) -> CashoutView<'a> {
        CashoutView::new(c, self.is_test)
    }

    /// The cashout as its creation answered it: its first status, `updated_at` its creation,
    /// no remarks (what a replay of the creation's idempotency key renders again).
    pub fn cashout_first_wire(&self, c: &CashoutRec) -> Cashout {
        let mut wire = self.cashout_wire(c);
        if let Some(first) = c.lc.history.first() {
            wire.status = first.status.to_string();
        }
        wire.updated_at = laravel_date(c.created_at);
        wire.remarks = None;
        wire
    }

    pub fn balance_cashout_wire(&self, b: &BalanceCashoutRec) -> BalanceCashout {
        let account = self.accounts.get(&b.account_id);
        let bank = account.and_then(|a| banks::find(&a.bank_id));
        BalanceCashout {
            id: b.id.to_string(),
            amount: Amount(b.amount),
            amount_label: amount_label(b.amount),
            status: b.lc.status.to_string(),
            kind: b.lc.variant.to_string(),
            account: BalanceAccount {
                id: b.account_id.clone(),
                subtype: account.map(|a| a.subtype.clone()).unwrap_or_default(),
                bank: bank.map(|b| b.as_ref(false)).unwrap_or(BankRef {
                    id: String::new(),
                    name: String::new(),
                    logo: String::new(),
                    base64_logo: None,
                }),
            },
            created_at: laravel_date(b.created_at),
            processed_at: b.processed_at.map(laravel_date),
            is_test: self.is_test,
            remarks: b.remarks.clone(),
        }
    }

    /// Cents on their way out: payouts not yet in a terminal status.
    pub fn in_transit(&self) -> i64 {
        let open = |lc: &Lifecycle| lc.status == "pending" || lc.status == "processing";
        let c: i64 = self
            .cashouts
            .iter()
            .filter(|c| open(&c.lc))
            .map(|c| c.amount)
            .sum();
        let b: i64 = (self.balance_cashouts.iter())
            .filter(|b| open(&b.lc))
            .map(|b| b.amount)
            .sum();
        c + b
    }
}

/// A cashout's wire object borrowed from its record: the bytes the owned [`Cashout`] serialises
/// to, field for field and in its order, without copying a field (ids and dates are written on
/// the stack, the names and texts are the record's own). Serialised while the store is borrowed.
#[derive(Clone, Copy, Debug)]
pub struct CashoutView<'a> {
    rec: &'a CashoutRec,
    is_test: bool,
    /// As [`TenantData::cashout_first_wire`] renders it.
    first: bool,
}

impl<'a> CashoutView<'a> {
    /// Cashout `c` as a tenant whose keys are test keys (`is_test`) or live keys sees it.
    pub fn new(c: &'a CashoutRec, is_test: bool) -> Self {
        Self {
            rec: c,
            is_test,
            first: false,
        }
    }
}

impl CashoutView<'_> {
    /// The cashout as its creation answered it (its first status, `updated_at` its creation, no
    /// remarks), as [`TenantData::cashout_first_wire`] renders it.
    pub fn first(self) -> Self {
        Self {
            first: true,
            ..self
        }
    }
}

impl<'a> CashoutView<'a> {
    /// The status, `updated_at` and remarks the view shows: the current ones, or the first
    /// answer's (its first status, its creation, no remarks).
    fn shown(&self) -> (Name, DateTime<Utc>, Option<&'a Remarks>) {
        let c = self.rec;
        if self.first {
            let first = c.lc.history.first().map_or(c.lc.status, |f| f.status);
            (first, c.created_at, None)
        } else {
            (c.lc.status, c.updated_at, c.remarks.as_deref())
        }
    }

    /// The view's JSON, as its [`Serialize`] writes it, written straight into `out`
    /// ([`ObjectOut`]): a cashout's answer is the hot path of creates and reads.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let c = self.rec;
        let (status, updated_at, remarks) = self.shown();
        let mut w = ObjectOut::new(out);
        w.str("id", c.id.text().as_str());
        w.str("customer_id", c.customer_id.text().as_str());
        w.str("account_id", c.account_id.text().as_str());
        w.bool("is_test", self.is_test);
        w.value("amount", &Amount(c.amount))?;
        w.str("status", status.as_str());
        w.null("scheduled_at");
        w.str("created_at", laravel_text(c.created_at).as_str());
        w.opt_str("external_id", c.external_id.as_deref());
        w.str("method", c.method.as_str());
        w.str("currency", c.currency.as_str());
        w.opt_str("description", c.description.as_deref());
        w.str("updated_at", laravel_text(updated_at).as_str());
        w.value("remarks", &remarks)?;
        w.end();
        Ok(())
    }
}

impl Serialize for CashoutView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.rec;
        let (status, updated_at, remarks) = self.shown();
        let mut w = s.serialize_struct("Cashout", 14)?;
        w.serialize_field("id", c.id.text().as_str())?;
        w.serialize_field("customer_id", c.customer_id.text().as_str())?;
        w.serialize_field("account_id", c.account_id.text().as_str())?;
        w.serialize_field("is_test", &self.is_test)?;
        w.serialize_field("amount", &Amount(c.amount))?;
        w.serialize_field("status", status.as_str())?;
        w.serialize_field("scheduled_at", &None::<&str>)?;
        w.serialize_field("created_at", &laravel_text(c.created_at))?;
        w.serialize_field("external_id", &c.external_id.as_deref())?;
        w.serialize_field("method", c.method.as_str())?;
        w.serialize_field("currency", c.currency.as_str())?;
        w.serialize_field("description", &c.description.as_deref())?;
        w.serialize_field("updated_at", &laravel_text(updated_at))?;
        w.serialize_field("remarks", &remarks)?;
        w.end()
    }
}

/// Where the kit finds a tenant's lifecycles: cashouts, balance cashouts and accounts.
impl Records for TenantData {
    fn lifecycle(&self, kind: &str, id: &str) -> Option<&Lifecycle> {
        match kind {
            CASHOUT => self.cashouts.get(id).map(|c| &c.lc),
            BALANCE_CASHOUT => self.balance_cashouts.get(id).map(|b| &b.lc),
            ACCOUNT => self.accounts.get(id).map(|a| &a.lc),
            _ => None,
        }
    }

    fn lifecycle_mut(&mut self, kind: &str, id: &str) -> Option<&mut Lifecycle> {
        match kind {
            CASHOUT => self.cashouts.get_mut(id).map(|c| &mut c.lc),
            BALANCE_CASHOUT => self.balance_cashouts.get_mut(id).map(|b| &mut b.lc),
            ACCOUNT => self.accounts.get_mut(id).map(|a| &mut a.lc),
            _ => None,
        }
    }
}

/// `--max-objects-per-tenant` counts customers, accounts, cashouts and balance cashouts. Settled
/// cashouts and balance cashouts are dropped, oldest first; customers and accounts, which
/// payouts name, are never dropped.
impl Bounded for TenantData {
    fn object_count(&self) -> usize {
        self.customers.len()
            + self.accounts.len()
            + self.cashouts.len()
            + self.balance_cashouts.len()
    }

    fn evict_settled(&mut self, settled: &dyn Fn(&Lifecycle) -> bool, n: usize) -> Vec<String> {
        let cashouts = self.cashouts.drop_oldest(n, |c| settled(&c.lc), |c| c.id);
        for c in &cashouts {
            let Some(key) = &c.key else { continue };
            let Ok(body) = answer_bytes(&self.cashout_view(c).first()) else {
                continue;
            };
            self.frozen.push(FrozenAnswer {
                key: Arc::clone(key),
                object: c.id.to_string(),
                body,
            });
        }
        let left = n - cashouts.len();
        let more = (self.balance_cashouts).drop_oldest(left, |b| settled(&b.lc), |b| b.id);
        let mut dropped: Vec<String> = cashouts.iter().map(|c| c.id.to_string()).collect();
        dropped.extend(more.iter().map(|b| b.id.to_string()));
        dropped
    }

    fn take_frozen(&mut self) -> Vec<FrozenAnswer> {
        std::mem::take(&mut self.frozen)
    }
}

/// Every tenant's data, by tenant name (`onepay:<key>`).
#[derive(Debug, Default)]
pub struct Store {
    pub tenants: BTreeMap<String, TenantData>,
}

impl Store {
    /// The data of tenant `name`, created on first use with the starting balance `config` gives
    /// its mode.
    pub fn tenant(&mut self, name: &str, is_test: bool, config: &OnePayConfig) -> &mut TenantData {
        // Looked up before it is inserted: a known tenant's name is not copied per request.
        if !self.tenants.contains_key(name) {
            let data = TenantData::new(is_test, config.starting_balance(is_test));
            self.tenants.insert(name.to_string(), data);
        }
        match self.tenants.get_mut(name) {
            Some(data) => data,
            None => unreachable!("inserted above"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stuck_account_never_leaves_processing() {
        let m = machines()
            .into_iter()
            .find(|m| m.variant == "TURBO")
            .unwrap();
        let magic = magic_for("1111111113", 100).unwrap();
        assert_eq!(
            m.next_edge("pending", magic.outcome).map(|e| e.to.as_str()),
            Some("processing")
        );
        assert!(m.next_edge("processing", magic.outcome).is_none());
    }

    /// A spread of cashout records: amounts whole and in cents (zero and negative too), every
    /// status reached by its own history (and one with none), with and without the optional
    /// texts (some needing escapes) and remarks.
    fn spread_of_cashouts() -> Vec<CashoutRec> {
        use chrono::TimeZone;
        use payoutsim_core::machine::StatusChange;
        let at = |s: i64| Utc.timestamp_opt(1_729_188_438 + s, 0).unwrap();
        let histories: Vec<Vec<&str>> = vec![
            vec![],
            vec!["pending"],
            vec!["pending", "processing"],
            vec!["pending", "processing", "processed"],
            vec!["pending", "processing", "failed"],
            vec!["processing", "failed", "processed"],
        ];
        let amounts = [100_000, 100_050, 100_005, 66_600, 1, 0, -1, -100, -12_345];
        let texts = [None, Some("Pago \"ñ\" \\ tab\tline\n</x> \u{1F4B8}")];
        let remarks = [
            None,
            Some(remarks_for("ACCOUNT_CLOSED")),
            Some(remarks_for("FORCED")),
        ];
        let mut n = 0u128;
        let mut out = Vec::new();
        for history in &histories {
            for &amount in &amounts {
                for (external_id, description) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    for remarks in &remarks {
                        n += 1;
                        let status = history.last().copied().unwrap_or("pending");
                        let method = if n.is_multiple_of(2) { "ACH" } else { "TURBO" };
                        let history = (history.iter().enumerate())
                            .map(|(i, s)| StatusChange {
                                status: Name::new(s),
                                at: at(i as i64 * 61),
                            })
                            .collect();
                        out.push(CashoutRec {
                            id: Uid::from_u128(n << 64 | n),
                            customer_id: Uid::from_u128(u128::MAX - n),
                            account_id: Uid::from_u128(n * 0x1234_5678_9abc_def1),
                            amount,
                            method: Name::new(method),
                            currency: Name::new("COP"),
                            description: texts[description].map(Into::into),
                            external_id: texts[external_id].map(|t| format!("ext-{n}-{t}").into()),
                            created_at: at(0),
                            updated_at: at(n as i64 * 3_607),
                            remarks: remarks.clone().map(Box::new),
                            lc: Lifecycle {
                                kind: Name::new(CASHOUT),
                                variant: Name::new(method),
                                status: Name::new(status),
                                outcome: Name::new("processed"),
                                reason: None,
                                history,
                            },
                            key: None,
                        });
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_cashout_view_writes_the_bytes_of_the_owned_cashout_current_and_first() {
        let records = spread_of_cashouts();
        assert!(records.len() > 500);
        for is_test in [true, false] {
            let t = TenantData::new(is_test, 0);
            for c in &records {
                let view = serde_json::to_vec(&t.cashout_view(c)).unwrap();
                let owned = serde_json::to_vec(&t.cashout_wire(c)).unwrap();
                let mut written = Vec::new();
                t.cashout_view(c).write_json(&mut written).unwrap();
                assert_eq!(
                    String::from_utf8(view).unwrap(),
                    String::from_utf8(owned.clone()).unwrap()
                );
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(owned).unwrap()
                );
                let view = serde_json::to_vec(&t.cashout_view(c).first()).unwrap();
                let owned = serde_json::to_vec(&t.cashout_first_wire(c)).unwrap();
                let mut written = Vec::new();
                t.cashout_view(c).first().write_json(&mut written).unwrap();
                assert_eq!(
                    String::from_utf8(view).unwrap(),
                    String::from_utf8(owned.clone()).unwrap()
                );
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(owned).unwrap()
                );
                assert_eq!(
                    answer_bytes(&t.cashout_view(c).first()).unwrap(),
                    answer_bytes(&t.cashout_first_wire(c)).unwrap()
                );
                assert_eq!(
                    serde_json::to_value(t.cashout_view(c)).unwrap(),
                    serde_json::to_value(t.cashout_wire(c)).unwrap()
                );
            }
        }
    }

    #[test]
    fn a_page_of_cashout_views_writes_the_bytes_of_the_page_of_owned_cashouts() {
        use crate::pagination::{Params, paginate_iter};
        let records = spread_of_cashouts();
        let t = TenantData::new(true, 0);
        let query = |page: usize, per_page: usize| {
            let raw = vec![
                ("page".to_string(), page.to_string()),
                ("per_page".to_string(), per_page.to_string()),
            ];
            Params::from_query(Ok(axum::extract::Query(raw))).unwrap()
        };
        for (page, per_page) in [(1, 20), (2, 200), (4, 200), (9, 7), (1, 1)] {
            let params = query(page, per_page);
            let views = paginate_iter(records.iter().rev(), &params).map(|c| t.cashout_view(c));
            let owned = paginate_iter(records.iter().rev(), &params).map(|c| t.cashout_wire(c));
            assert_eq!(
                String::from_utf8(serde_json::to_vec(&views).unwrap()).unwrap(),
                String::from_utf8(serde_json::to_vec(&owned).unwrap()).unwrap(),
                "page {page} of {per_page}"
            );
        }
    }

    #[test]
    fn magic_amounts_match_exactly() {
        assert_eq!(
            magic_for("123456", 66_600).map(|m| m.reason),
            Some("BANK_REJECTED")
        );
        assert!(magic_for("123456", 66_601).is_none());
    }
}
