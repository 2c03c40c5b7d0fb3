//! The Tupay store: one [`Merchant`] per tenant (`tupay:<accessKey>`) with its deposits,
//! cashouts and back-office entries, the open sessions, and the id blocks that keep every
//! tenant's ids apart; and how each record looks on the wire. At most `max_tenants` merchants
//! are held: the least recently used untouched one is evicted to a [`Dormant`] record and drawn
//! again identically when its tenant comes back.
//!
//! Records are kept oldest first by `(creationDate, id)`, so a list reads them backwards (newest
//! first) and a report walks them forwards. What a record shows depends on its status: a deposit
//! shows its fee once COMPLETED; a cashout shows what was credited and debited, its fee and tax
//! and a voucher once COMPLETED, and its reason once REJECTED, DECLINED or CANCELLED.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use payoutsim_core::machine::Lifecycle;
use payoutsim_core::sessions::Sessions;

use crate::catalog::{Country, Method};
use crate::history::Plan;
use crate::model::{Cashout, Deposit, Money, timestamp};
use crate::statuses::{CANCELLED, COMPLETED, DECLINED, REJECTED};

/// Seconds a session lives after its last use: "The BEARER_TOKEN cookie will expire after 15
/// minutes of its last request".
pub const SESSION_IDLE_S: i64 = 900;
/// Sessions kept across tenants (expired ones dropped first, then the least recently used).
pub const SESSION_CAP: usize = 10_000;

/// Id blocks: a tenant's `idDeposit`s lie in one block of [`DEPOSIT_BLOCK`] ids, its
/// `idCashout`s in the block of the same number of [`CASHOUT_BLOCK`]; no two tenants share one.
pub const BLOCKS: u32 = 100_000;
pub const DEPOSIT_BASE: u32 = 300_000_000;
pub const DEPOSIT_BLOCK: u32 = 16_384;
pub const CASHOUT_BASE: u32 = 10_000_000;
pub const CASHOUT_BLOCK: u32 = 4_096;
/// Notes and settlements the back office may record for one tenant. With the id blocks and the
/// largest amount accepted, it keeps every report column's sum far inside an `i64` of minor units.
pub const MAX_ENTRIES: usize = 4_096;

/// What a deposit and a cashout share.
#[derive(Clone, Debug)]
pub struct Txn {
    pub id: u32,
    pub external_id: String,
    pub created: DateTime<Utc>,
    pub last_change: DateTime<Utc>,
    pub country: &'static Country,
    /// A deposit's: the method the payer used. A cashout's: the rail it is paid on (not on the
    /// wire: D24's cashout item has no such field).
    pub method: &'static Method,
    /// Shared with the client's other records (a history holds a few dozen clients).
    pub client_document: Arc<str>,
    /// In `currency` (the merchant's balance currency), minor units.
    pub amount: i64,
    pub currency: &'static str,
    /// Charged once it completes, in `currency`.
    pub fee: i64,
    pub lc: Lifecycle,
}

/// A record the merchant keeps in a list, oldest first.
pub trait Record {
    fn txn(&self) -> &Txn;
    fn txn_mut(&mut self) -> &mut Txn;
}

/// A deposit.
#[derive(Clone, Debug)]
pub struct DepositRec {
    pub txn: Txn,
    /// What the merchant asked for (the payer may have picked another).
    pub requested_method: &'static Method,
    pub id_user: Arc<str>,
    pub local_amount: i64,
    pub local_currency: &'static str,
    pub refund_attempted: bool,
}

/// A cashout.
#[derive(Clone, Debug)]
pub struct CashoutRec {
    pub txn: Txn,
    /// What the beneficiary gets once it completes, in `credited_currency`.
    pub credited_amount: i64,
    pub credited_currency: &'static str,
    pub tax: i64,
}

impl Record for DepositRec {
    fn txn(&self) -> &Txn {
        &self.txn
    }
    fn txn_mut(&mut self) -> &mut Txn {
        &mut self.txn
    }
}

impl Record for CashoutRec {
    fn txn(&self) -> &Txn {
        &self.txn
    }
    fn txn_mut(&mut self) -> &mut Txn {
        &mut self.txn
    }
}

/// The record `id` of `list`.
pub fn find<R: Record>(list: &[R], id: u32) -> Option<&R> {
    list.iter().find(|r| r.txn().id == id)
}

/// The record `id` of `list`, to change it.
pub fn find_mut<R: Record>(list: &mut [R], id: u32) -> Option<&mut R> {
    list.iter_mut().find(|r| r.txn().id == id)
}

/// Inserts `r` into `list` where its creation date puts it.
pub fn insert_sorted<R: Record>(list: &mut Vec<R>, r: R) {
    let key = |x: &R| (x.txn().created, x.txn().id);
    let at = list.partition_point(|x| key(x) <= key(&r));
    list.insert(at, r);
}

/// What the back office records beside the transactions, as the report sums them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A credit note: adds to the balance (`noteTotal`).
    Note,
    /// Money paid out to the merchant: takes from the balance (`settlementTotal`).
    Settlement,
    /// A settlement reversed: adds back (`cancelledSettlementTotal`).
    CancelledSettlement,
}

/// A note or settlement.
#[derive(Clone, Debug)]
pub struct EntryRec {
    pub id: u32,
    pub kind: EntryKind,
    pub at: DateTime<Utc>,
    /// Positive, minor units of `currency`.
    pub amount: i64,
    pub currency: &'static str,
    pub description: String,
}

/// One tenant's data.
#[derive(Clone, Debug)]
pub struct Merchant {
    pub tenant: String,
    pub username: String,
    pub id_user: u32,
    pub id_merchant: u32,
    pub name: String,
    /// The merchant's own id prefix, `ACM12345`: its `externalId`s start with it.
    pub prefix: String,
    /// When the history was made: the first time the tenant was seen.
    pub generated_at: DateTime<Utc>,
    pub history_days: u32,
    /// Each balance currency's balance before the history's first day.
    pub opening: BTreeMap<&'static str, i64>,
    pub deposits: Vec<DepositRec>,
    pub cashouts: Vec<CashoutRec>,
    pub entries: Vec<EntryRec>,
    pub block: u32,
    pub next_deposit: u32,
    pub next_cashout: u32,
    /// What the history was drawn from, beside the tenant, username, `generated_at` and
    /// `block`: enough to draw it again identically once evicted.
    pub seed: u64,
    pub plan: Plan,
    /// Whether the back office changed it (an insertion, a status move, a note or settlement):
    /// a touched merchant is never evicted.
    pub touched: bool,
    /// The store's use count when it was last used (the least recently used is evicted first).
    pub used: u64,
}

impl Merchant {
    pub fn deposit(&self, id: u32) -> Option<&DepositRec> {
        find(&self.deposits, id)
    }

    pub fn cashout(&self, id: u32) -> Option<&CashoutRec> {
        find(&self.cashouts, id)
    }

    /// The next `idDeposit` of the tenant's block, if the block has room.
    pub fn take_deposit_id(&mut self) -> Option<u32> {
        let end = DEPOSIT_BASE + (self.block + 1) * DEPOSIT_BLOCK;
        take(&mut self.next_deposit, end)
    }

    /// The next `idCashout` of the tenant's block, if the block has room.
    pub fn take_cashout_id(&mut self) -> Option<u32> {
        let end = CASHOUT_BASE + (self.block + 1) * CASHOUT_BLOCK;
        take(&mut self.next_cashout, end)
    }

    pub fn deposit_wire<'a>(&'a self, d: &'a DepositRec) -> Deposit<'a> {
        let t = &d.txn;
        let completed = t.lc.status == COMPLETED;
        Deposit {
            id_deposit: t.id,
            external_id: &t.external_id,
            creation_date: timestamp(t.created),
            country_name: t.country.name,
            country: t.country.code,
            payment_method_name: t.method.name,
            payment_method_code: t.method.code,
            requested_payment_method: d.requested_method.code,
            requested_payment_method_name: d.requested_method.name,
            client_document: &t.client_document,
            amount: Money(t.amount),
            currency: t.currency,
            requested_amount: Money(t.amount),
            requested_currency: t.currency,
            local_amount: Money(d.local_amount),
            local_currency: d.local_currency,
            fee: Money(if completed { t.fee } else { 0 }),
            fee_currency: t.currency,
            last_change_date: timestamp(t.last_change),
            status: &t.lc.status,
            id_user: &d.id_user,
            flags: [],
            id_merchant: self.id_merchant,
            merchant_name: &self.name,
            refund_attempted: d.refund_attempted,
        }
    }

    pub fn cashout_wire<'a>(&'a self, c: &'a CashoutRec) -> Cashout<'a> {
        let t = &c.txn;
        let completed = t.lc.status == COMPLETED;
        let failed = [REJECTED, DECLINED, CANCELLED].contains(&t.lc.status.as_str());
        let shown = |v: i64| Money(if completed { v } else { 0 });
        Cashout {
            id_cashout: t.id,
            external_id: &t.external_id,
            creation_date: timestamp(t.created),
            country: t.country.code,
            currency: t.currency,
            amount: Money(t.amount),
            credited_currency: c.credited_currency,
            credited_amount: shown(c.credited_amount),
            merchant_currency: t.currency,
            merchant_amount: shown(t.amount),
            fee_currency: t.currency,
            fee: shown(t.fee),
            tax: shown(c.tax),
            last_change_date: timestamp(t.last_change),
            status: &t.lc.status,
            client_document: &t.client_document,
            flags: [],
            id_merchant: self.id_merchant,
            merchant_name: &self.name,
            reason: match &t.lc.reason {
                Some(reason) if failed => reason,
                _ => "",
            },
            exist_voucher: completed,
        }
    }
}

/// `*next`, moved on, if it is before `end`.
fn take(next: &mut u32, end: u32) -> Option<u32> {
    let id = *next;
    (id < end).then(|| {
        *next += 1;
        id
    })
}

/// An evicted merchant: what its history is drawn from, to draw it again byte for byte when its
/// tenant comes back (its id block stays held in [`Store::blocks`]).
#[derive(Clone, Debug)]
pub struct Dormant {
    pub username: String,
    pub generated_at: DateTime<Utc>,
    pub seed: u64,
    pub plan: Plan,
    pub block: u32,
}

/// Every tenant's merchant, the sessions, and who holds which id block.
#[derive(Debug)]
pub struct Store {
    /// The merchants in memory, at most `max_tenants` (`TupayConfig`) of them.
    pub merchants: BTreeMap<String, Merchant>,
    /// The merchants evicted, untouched, to make room: a few dozen bytes each.
    pub dormant: BTreeMap<String, Dormant>,
    pub sessions: Sessions,
    pub blocks: BTreeMap<u32, String>,
    /// Uses so far, the clock of `Merchant::used`.
    pub uses: u64,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            merchants: BTreeMap::new(),
            dormant: BTreeMap::new(),
            sessions: Sessions::new(SESSION_IDLE_S, SESSION_CAP),
            blocks: BTreeMap::new(),
            uses: 0,
        }
    }
}

impl Store {
    /// Forgets `tenant` (evicted by the engine) unless the back office touched its merchant:
    /// its merchant, dormant or in memory, its id block and its sessions; whether it did.
    pub fn forget(&mut self, tenant: &str) -> bool {
        if self.merchants.get(tenant).is_some_and(|m| m.touched) {
            return false;
        }
        self.merchants.remove(tenant);
        self.dormant.remove(tenant);
        self.blocks.retain(|_, t| t != tenant);
        self.sessions.forget_tenant(tenant);
        true
    }

    /// Marks `tenant`'s merchant (if in memory) the most recently used.
    pub fn mark_used(&mut self, tenant: &str) {
        self.uses += 1;
        if let Some(m) = self.merchants.get_mut(tenant) {
            m.used = self.uses;
        }
    }

    /// Brings an evicted `tenant` back into memory, its history drawn again as it was; whether
    /// it was evicted. Makes no room: see [`Store::make_room`].
    pub fn restore(&mut self, tenant: &str) -> bool {
        let Some(d) = self.dormant.remove(tenant) else {
            return false;
        };
        let m =
            crate::history::generate(d.seed, tenant, &d.username, d.generated_at, d.plan, |_| {
                d.block
            });
        self.merchants.insert(tenant.to_string(), m);
        self.mark_used(tenant);
        true
    }

    /// Whether `tenant` could be in memory with at most `cap` merchants there, changing nothing:
    /// it already is, or there is room, or an untouched merchant could make room.
    pub fn can_admit(&self, cap: usize, tenant: &str) -> bool {
        self.merchants.contains_key(tenant)
            || self.merchants.len() < cap
            || self
                .merchants
                .iter()
                .any(|(t, m)| !m.touched && t != tenant)
    }

    /// Evicts the least recently used untouched merchants other than `keep` until at most
    /// `room` are in memory; false if the back office has touched too many for that.
    pub fn make_room(&mut self, room: usize, keep: &str) -> bool {
        while self.merchants.len() > room {
            let lru = (self.merchants.iter())
                .filter(|(t, m)| !m.touched && t.as_str() != keep)
                .min_by_key(|(_, m)| m.used)
                .map(|(t, _)| t.clone());
            let Some(tenant) = lru else {
                return false;
            };
            if let Some(m) = self.merchants.remove(&tenant) {
                let d = Dormant {
                    username: m.username,
                    generated_at: m.generated_at,
                    seed: m.seed,
                    plan: m.plan,
                    block: m.block,
                };
                self.dormant.insert(tenant, d);
            }
        }
        true
    }
}

/// Claims for `tenant` the first free block from `wanted` on (its seeded draw), wrapping.
pub fn claim_block(blocks: &mut BTreeMap<u32, String>, wanted: u32, tenant: &str) -> u32 {
    let mut block = wanted % BLOCKS;
    while blocks.contains_key(&block) {
        block = (block + 1) % BLOCKS;
    }
    blocks.insert(block, tenant.to_string());
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_block_sends_the_next_tenant_to_the_following_one() {
        let mut blocks = BTreeMap::new();
        assert_eq!(claim_block(&mut blocks, 7, "tupay:a@x.com"), 7);
        assert_eq!(claim_block(&mut blocks, 7, "tupay:b@x.com"), 8);
        assert_eq!(claim_block(&mut blocks, BLOCKS + 9, "tupay:c@x.com"), 9);
        assert_eq!(
            claim_block(&mut blocks, BLOCKS - 1, "tupay:d@x.com"),
            BLOCKS - 1
        );
        assert_eq!(claim_block(&mut blocks, BLOCKS - 1, "tupay:e@x.com"), 0);
    }

    #[test]
    fn the_highest_ids_fit_a_signed_32_bit_integer() {
        let top = u64::from(DEPOSIT_BASE) + u64::from(BLOCKS) * u64::from(DEPOSIT_BLOCK);
        assert!(top <= i32::MAX as u64);
        let top = u64::from(CASHOUT_BASE) + u64::from(BLOCKS) * u64::from(CASHOUT_BLOCK);
        assert!(top <= i32::MAX as u64);
    }
}
