//! The OnSpot store (one [`TenantData`] per environment and publicKey) and the contract as data:
//! the state machines ([`machines`]), the magic values ([`MAGIC`]) and the records the back office
//! shows.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use payoutsim_core::fastmap::FastMap;
use payoutsim_core::ids::{Ids, Uid};
use payoutsim_core::kit::{Bounded, Records};
use payoutsim_core::machine::{Delay, Lifecycle, StateMachine};
use payoutsim_core::rows::Rows;
use serde::Serialize;
use serde_json::Value;

use crate::validation::NewPayout;

/// The kind of object with a lifecycle, as the engine and the admin API name it.
pub const PAYOUT: &str = "payout";

/// The statuses of a payout.
pub const PENDING_FUNDING: &str = "pending_funding";
pub const ACTIVE: &str = "active";
pub const PAID: &str = "paid";
pub const FAILED: &str = "failed";

/// OnSpot's two environments, chosen by the `environment` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Test,
    Live,
}

impl Environment {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "test" => Some(Self::Test),
            "live" => Some(Self::Live),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }
}

/// The payout machines, one per environment. Activation (`pending_funding -> active`) is not a
/// timed edge: it happens when the balance covers the payout (live) or at once (test).
pub fn machines() -> Vec<StateMachine> {
    let payout = |variant: &str, settle: Delay| {
        StateMachine::new(PAYOUT, variant, PENDING_FUNDING, &[PAID, FAILED])
            .edge(ACTIVE, PAID, settle)
            .edge(ACTIVE, FAILED, settle)
    };
    vec![
        payout("live", Delay::BusinessDays(1)),
        payout("test", Delay::Seconds(300)),
    ]
}

/// What triggers a magic outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The item's `documentNumber`.
    DocumentNumber(&'static str),
    /// The item's amount, in cents.
    AmountCents(i64),
}

/// A magic value of ours: a payout that reaches a given outcome once active (`active` = stays
/// there, stuck; `reason` is the failure reason the back office shows).
pub type Magic = payoutsim_core::forced::Magic<Trigger>;

/// The magic values (README: "Magic values").
pub const MAGIC: &[Magic] = &[
    Magic {
        trigger: Trigger::DocumentNumber("4000000001"),
        outcome: FAILED,
        reason: "BENEFICIARY_NOT_FOUND",
        description: "No beneficiary with this document is registered with the bank.",
    },
    Magic {
        trigger: Trigger::DocumentNumber("4000000002"),
        outcome: FAILED,
        reason: "DOCUMENT_MISMATCH",
        description: "The document does not match the beneficiary's account.",
    },
    Magic {
        trigger: Trigger::DocumentNumber("4000000003"),
        outcome: ACTIVE,
        reason: "",
        description: "Stays active forever (a stuck payout).",
    },
    Magic {
        trigger: Trigger::AmountCents(66_666),
        outcome: FAILED,
        reason: "BANK_REJECTED",
        description: "The receiving bank rejected the transfer.",
    },
];

/// The magic value a payout hits, if any.
pub fn magic_for(document_number: &str, amount_cents: i64) -> Option<&'static Magic> {
    MAGIC.iter().find(|m| match m.trigger {
        Trigger::DocumentNumber(d) => d == document_number,
        Trigger::AmountCents(c) => c == amount_cents,
    })
}

/// Whether a payout in `status` holds money taken from the balance.
pub fn debited(status: &str) -> bool {
    status == ACTIVE || status == PAID
}

/// A payout created through the API.
#[derive(Clone, Debug)]
pub struct PayoutRec {
    /// A seeded UUID, held as its 16 bytes.
    pub uuid: Uid,
    pub item: NewPayout,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The fault rule that forced its outcome, if one did.
    pub forced_by: Option<Box<str>>,
    pub lc: Lifecycle,
    /// Its place in its tenant's creation order (set by [`TenantData::push_payout`]): the
    /// order in which waiting payouts are activated.
    pub seq: u64,
}

/// An item of a Create Payouts request that failed validation ("Error Logs").
#[derive(Clone, Debug, Serialize)]
pub struct ErrorLogEntry {
    pub uuid: String,
    #[serde(serialize_with = "payoutsim_core::clock::serialize_rfc3339")]
    pub at: DateTime<Utc>,
    /// The item's position in the request's array, from 0.
    pub index: usize,
    /// A bounded excerpt of the item as sent ([`excerpt`]).
    pub item: Value,
    /// Whether [`excerpt`] cut anything of the item.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    pub message: String,
    pub errors: Vec<String>,
}

/// Fields of a refused item an Error Logs entry keeps (the rest are left out).
pub const EXCERPT_FIELDS: usize = 64;
/// Characters kept of a field's name, and of its value's text (a string, or the JSON of an
/// array or object, which is then kept as a string).
pub const EXCERPT_CHARS: usize = 256;

/// A bounded excerpt of a refused item, so an entry costs a few KiB whatever was sent: the
/// first [`EXCERPT_FIELDS`] fields, each name and value cut at [`EXCERPT_CHARS`] characters (a
/// cut value becomes its text followed by `…[N characters in all]`). Also whether anything was
/// cut. An item within the bounds is kept as sent.
pub fn excerpt(item: &serde_json::Map<String, Value>) -> (Value, bool) {
    let mut cut = item.len() > EXCERPT_FIELDS;
    let mut kept = serde_json::Map::new();
    for (name, value) in item.iter().take(EXCERPT_FIELDS) {
        let (name, name_cut) = clip(name);
        let value = match value {
            Value::String(text) => match clip(text) {
                (_, false) => value.clone(),
                (short, true) => {
                    cut = true;
                    Value::String(short)
                }
            },
            Value::Array(_) | Value::Object(_) => {
                let text = value.to_string();
                match clip(&text) {
                    (_, false) => value.clone(),
                    (short, true) => {
                        cut = true;
                        Value::String(short)
                    }
                }
            }
            scalar => scalar.clone(),
        };
        cut |= name_cut;
        kept.insert(name, value);
    }
    (Value::Object(kept), cut)
}

/// `text` cut at [`EXCERPT_CHARS`] characters with a note of its length, and whether it was.
fn clip(text: &str) -> (String, bool) {
    let chars = text.chars().count();
    if chars <= EXCERPT_CHARS {
        return (text.to_string(), false);
    }
    let head: String = text.chars().take(EXCERPT_CHARS).collect();
    (format!("{head}…[{chars} characters in all]"), true)
}

/// A bank transfer to OnSpot, recorded by the back office.
#[derive(Clone, Debug, Serialize)]
pub struct Transfer {
    pub id: String,
    #[serde(serialize_with = "payoutsim_core::clock::serialize_rfc3339")]
    pub at: DateTime<Utc>,
    #[serde(serialize_with = "crate::validation::serialize_cents")]
    pub amount: i64,
}

/// One environment of one publicKey: its payouts, error log, transfers and balance.
#[derive(Debug)]
pub struct TenantData {
    pub environment: Environment,
    pub public_key: String,
    /// The `id` claim of this tenant's tokens.
    pub account_id: String,
    /// Transferred to OnSpot, in cents.
    pub funded: i64,
    /// Not yet used by an active or paid payout, in cents (live only).
    pub available: i64,
    pub payouts: Rows<PayoutRec>,
    index: FastMap<Uid, u32>,
    /// The payouts in `pending_funding`, by creation order: what activation walks, so that a
    /// creation costs the payouts waiting, not every payout held.
    waiting: BTreeMap<u64, Uid>,
    next_seq: u64,
    pub error_log: Vec<ErrorLogEntry>,
    pub transfers: Vec<Transfer>,
    /// The payouts the latest back-office status change activated (its answer's `activated`).
    pub activated: Vec<String>,
    /// Cents of paid payouts dropped past `--max-objects-per-tenant` (still paid).
    pub paid_dropped: i64,
}

impl TenantData {
    pub fn new(environment: Environment, public_key: &str, account_id: String) -> Self {
        Self {
            environment,
            public_key: public_key.to_string(),
            account_id,
            funded: 0,
            available: 0,
            payouts: Rows::new(),
            index: FastMap::default(),
            waiting: BTreeMap::new(),
            next_seq: 0,
            error_log: Vec::new(),
            transfers: Vec::new(),
            activated: Vec::new(),
            paid_dropped: 0,
        }
    }

    pub fn is_live(&self) -> bool {
        self.environment == Environment::Live
    }

    /// Adds refused items to the Error Logs, dropping the oldest past `cap` entries.
    pub fn log_errors(&mut self, refused: Vec<ErrorLogEntry>, cap: usize) {
        self.error_log.extend(refused);
        let excess = self.error_log.len().saturating_sub(cap.max(1));
        self.error_log.drain(..excess);
    }

    pub fn push_payout(&mut self, mut rec: PayoutRec) {
        rec.seq = self.next_seq;
        self.next_seq += 1;
        if rec.lc.status == PENDING_FUNDING {
            self.waiting.insert(rec.seq, rec.uuid);
        }
        self.index.insert(rec.uuid, place(self.payouts.len()));
        self.payouts.push(rec);
    }

    /// Keeps the waiting set true when the payout `seq` moves `from -> to`.
    pub fn moved(&mut self, seq: u64, uuid: &str, from: &str, to: &str) {
        if to == PENDING_FUNDING {
            if let Ok(uuid) = uuid.parse() {
                self.waiting.insert(seq, uuid);
            }
        } else if from == PENDING_FUNDING {
            self.waiting.remove(&seq);
        }
    }

    /// The oldest payout waiting for activation: its place and id.
    pub fn first_waiting(&self) -> Option<(u64, Uid)> {
        (self.waiting.first_key_value()).map(|(&seq, &uuid)| (seq, uuid))
    }

    /// Forgets a waiting payout (activated, or no longer held).
    pub fn stop_waiting(&mut self, seq: u64) {
        self.waiting.remove(&seq);
    }

    /// Where payout `uuid` is (none when the text is no UUID's).
    fn at(&self, uuid: &str) -> Option<usize> {
        let uuid = uuid.parse::<Uid>().ok()?;
        self.index.get(&uuid).map(|&i| i as usize)
    }

    pub fn payout(&self, uuid: &str) -> Option<&PayoutRec> {
        self.payouts.get(self.at(uuid)?)
    }

    pub fn payout_mut(&mut self, uuid: &str) -> Option<&mut PayoutRec> {
        let at = self.at(uuid)?;
        self.payouts.get_mut(at)
    }

    /// Cents paid out: paid payouts, those dropped included.
    pub fn paid(&self) -> i64 {
        self.sum_in(PAID) + self.paid_dropped
    }

    /// Cents held by payouts in `status`.
    pub fn sum_in(&self, status: &str) -> i64 {
        (self.payouts.iter())
            .filter(|p| p.lc.status == status)
            .map(|p| p.item.amount_cents)
            .sum()
    }
}

/// `--max-objects-per-tenant` counts a tenant's payouts; paid and failed ones are dropped
/// oldest first (what they paid stays in the books).
impl Bounded for TenantData {
    fn object_count(&self) -> usize {
        self.payouts.len()
    }

    fn evict_settled(&mut self, settled: &dyn Fn(&Lifecycle) -> bool, n: usize) -> Vec<String> {
        let dropped = self.payouts.drop_oldest(n, |p| settled(&p.lc));
        if !dropped.is_empty() {
            let paid = dropped.iter().filter(|p| p.lc.status == PAID);
            self.paid_dropped += paid.map(|p| p.item.amount_cents).sum::<i64>();
            self.index = (self.payouts.iter().enumerate())
                .map(|(i, p)| (p.uuid, place(i)))
                .collect();
        }
        dropped.iter().map(|p| p.uuid.to_string()).collect()
    }
}

/// A payout's place as the index keeps it (a tenant holds far fewer than 2^32 payouts: the
/// object bounds keep it to `--max-objects-per-tenant`).
fn place(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Where the kit finds a tenant's lifecycles: payouts are the only kind with one.
impl Records for TenantData {
    fn lifecycle(&self, kind: &str, uuid: &str) -> Option<&Lifecycle> {
        self.payout(uuid).filter(|_| kind == PAYOUT).map(|p| &p.lc)
    }

    fn lifecycle_mut(&mut self, kind: &str, uuid: &str) -> Option<&mut Lifecycle> {
        self.payout_mut(uuid)
            .filter(|_| kind == PAYOUT)
            .map(|p| &mut p.lc)
    }
}

/// Every tenant's data, and which environment each publicKey belongs to.
#[derive(Debug, Default)]
pub struct Store {
    /// By tenant name `onspot:<environment>:<publicKey>`.
    pub tenants: BTreeMap<String, TenantData>,
    /// The environment a publicKey was first seen in.
    pub bindings: HashMap<String, Environment>,
    /// Tenant name by account id (the tokens' `id` claim).
    pub accounts: HashMap<String, String>,
}

impl Store {
    /// Forgets `tenant` (evicted): its data, its account (so its tokens are refused) and its
    /// key's environment binding unless the key has a tenant in the other environment.
    pub fn forget(&mut self, tenant: &str) {
        let Some(t) = self.tenants.remove(tenant) else {
            return;
        };
        self.accounts.remove(&t.account_id);
        let key_used = (self.tenants.values()).any(|o| o.public_key == t.public_key);
        if !key_used {
            self.bindings.remove(&t.public_key);
        }
    }

    /// The data of `public_key` in `env`, created (with an account id drawn from `ids`, and the
    /// key bound to `env`) if new.
    pub fn tenant(&mut self, ids: &Ids, env: Environment, public_key: &str) -> &mut TenantData {
        let tenant = crate::auth::tenant_name(env, public_key);
        let Self {
            tenants,
            bindings,
            accounts,
        } = self;
        bindings.entry(public_key.to_string()).or_insert(env);
        tenants.entry(tenant.clone()).or_insert_with(|| {
            let account_id = ids.uuid(&tenant);
            accounts.insert(account_id.clone(), tenant.clone());
            TenantData::new(env, public_key, account_id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stuck_payout_never_leaves_active() {
        let m = &machines()[0];
        let magic = magic_for("4000000003", 100).unwrap();
        assert!(m.next_edge(ACTIVE, magic.outcome).is_none());
        assert_eq!(
            m.next_edge(ACTIVE, FAILED).map(|e| e.to.as_str()),
            Some(FAILED)
        );
    }

    #[test]
    fn activation_is_not_a_timed_edge() {
        for m in machines() {
            assert!(m.next_edge(PENDING_FUNDING, PAID).is_none(), "{m:?}");
            assert!(m.knows(ACTIVE) && m.knows(PENDING_FUNDING));
        }
    }

    #[test]
    fn magic_amounts_match_exactly() {
        assert_eq!(
            magic_for("1", 66_666).map(|m| m.reason),
            Some("BANK_REJECTED")
        );
        assert!(magic_for("1", 66_600).is_none());
    }
}
