//! The store: every app's users, wallets, transfers, payout links, batches and flows, and the
//! state machines and magic values as data.
//!
//! An app is a tenant: `dots:<client_id>` for a key pair's own app, `dots:<client_id>:<app id>`
//! for an app the organisation made with `POST /v2/apps` and acts for with `Api-App-Id`.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use payoutsim_core::ids::Uid;
use payoutsim_core::kit::{Bounded, Records};
use payoutsim_core::machine::{Delay, Lifecycle, StateMachine};
use payoutsim_core::name::Name;
use serde::Serialize;
use serde_json::Value;

use crate::model::{Delivery, Payee, Phone};
use payoutsim_core::ordered::Ordered;

/// Kinds of objects with a lifecycle.
pub const TRANSFER: &str = "transfer";
pub const PAYOUT_LINK: &str = "payout_link";
pub const PAYOUT_BATCH: &str = "payout_batch";
pub const KINDS: &[&str] = &[TRANSFER, PAYOUT_LINK, PAYOUT_BATCH];

/// Statuses a payout (a transfer of type `payout`) ends in, success first.
pub const TRANSFER_TERMINAL: &[&str] = &["completed", "failed", "canceled", "flagged", "reversed"];
/// Statuses after which a payout's money is back where it came from.
pub const REFUNDED: &[&str] = &["failed", "canceled", "reversed"];
/// Statuses a payout link ends in, success first.
pub const LINK_TERMINAL: &[&str] = &["claimed", "canceled", "expired", "failed", "reversed"];
/// Statuses after which a link's money is back in the app wallet.
pub const LINK_REFUNDED: &[&str] = &["canceled", "expired", "failed", "reversed"];
/// Every status of a payout link (the document's enum).
pub const LINK_STATUSES: &[&str] = &[
    "created",
    "delivery_pending",
    "delivery_failed",
    "sent",
    "delivered",
    "claimed",
    "reversed",
    "canceled",
    "expired",
    "failed",
];
/// The status of a link the app wallet could not cover (the spec's words, outside its enum).
pub const FUNDS_PENDING: &str = "funds_pending";

/// Sandbox or production: from the key pair's prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Env {
    Sandbox,
    Production,
}

impl Env {
    pub fn name(self) -> &'static str {
        match self {
            Env::Sandbox => "sandbox",
            Env::Production => "production",
        }
    }

    /// Where a flow's page is (`link` of flows and payout links).
    pub fn flow_host(self) -> &'static str {
        match self {
            Env::Sandbox => "https://my-sandbox.dots.dev/flow/",
            Env::Production => "https://my.dots.dev/flow/",
        }
    }
}

/// All apps' data.
#[derive(Debug, Default)]
pub struct Store {
    /// By tenant name.
    pub apps: BTreeMap<String, AppData>,
    /// The apps each organisation (key pair, by `client_id`) made with `POST /v2/apps`.
    pub orgs: BTreeMap<String, Ordered<AppRec>>,
}

impl Store {
    /// Forgets tenant `tenant` (evicted): its app, and its entry among the apps of the
    /// organisation that made it (`Api-App-Id` naming it is then refused as unknown). An
    /// organisation's own app evicted leaves the apps it made, tenants of their own.
    pub fn forget(&mut self, tenant: &str) {
        self.apps.remove(tenant);
        for apps in self.orgs.values_mut() {
            let ids: Vec<String> = (apps.iter())
                .filter(|a| a.tenant == tenant)
                .map(|a| a.id.clone())
                .collect();
            for id in ids {
                apps.remove(&id);
            }
        }
        self.orgs.retain(|_, apps| !apps.is_empty());
    }
}

/// An app an organisation made.
#[derive(Clone, Debug)]
pub struct AppRec {
    pub id: String,
    pub name: String,
    pub metadata: Option<Value>,
    pub created: DateTime<Utc>,
    /// Its tenant.
    pub tenant: String,
}

/// One app's data.
#[derive(Debug)]
pub struct AppData {
    pub env: Env,
    pub client_id: String,
    pub app_id: String,
    pub name: String,
    /// The app wallet, cents.
    pub wallet: i64,
    /// Every cent ever put into this app: pre-funding and back-office funding (for the money
    /// check: wallets plus money in flight plus money out equals it).
    pub funded: i64,
    /// Cents paid out (completed payouts, claimed links).
    pub money_out: i64,
    pub users: Ordered<UserRec>,
    pub transfers: Ordered<TransferRec>,
    pub links: Ordered<LinkRec>,
    pub batches: Ordered<BatchRec>,
    pub flows: Ordered<FlowRec>,
    /// Verification codes sent (the back office's SMS outbox), oldest dropped past its cap.
    pub sms: VecDeque<Sms>,
    /// The live code of each user who asked for one: `(code, valid until)`.
    pub codes: HashMap<String, (String, DateTime<Utc>)>,
    /// Users by e-mail and by phone (`country_code` + number), for the uniqueness rules.
    pub emails: HashMap<String, String>,
    pub phones: HashMap<String, String>,
    pub usernames: HashMap<String, String>,
    /// The next transaction id (transactions have integer ids).
    pub next_transaction: u64,
}

impl AppData {
    pub fn new(env: Env, client_id: &str, app_id: String, name: String, funding: i64) -> Self {
        Self {
            env,
            client_id: client_id.to_string(),
            app_id,
            name,
            wallet: funding,
            funded: funding,
            money_out: 0,
            users: Ordered::default(),
            transfers: Ordered::default(),
            links: Ordered::default(),
            batches: Ordered::default(),
            flows: Ordered::default(),
            sms: VecDeque::new(),
            codes: HashMap::new(),
            emails: HashMap::new(),
            phones: HashMap::new(),
            usernames: HashMap::new(),
            next_transaction: 1,
        }
    }

    /// A fresh transaction id.
    pub fn transaction_id(&mut self) -> u64 {
        let id = self.next_transaction;
        self.next_transaction += 1;
        id
    }

    /// Cents in flight: payouts not yet refunded nor paid out, links funded and not refunded
    /// nor claimed.
    pub fn in_flight(&self) -> i64 {
        let payouts = (self.transfers.iter())
            .filter(|t| t.kind == "payout" && !t.refunded && t.status() != "completed")
            .map(|t| t.amount)
            .sum::<i64>();
        let links = (self.links.iter())
            .filter(|l| l.funded && !l.refunded && l.status() != "claimed")
            .map(|l| l.amount)
            .sum::<i64>();
        payouts + links
    }

    /// The money check: every cent put in is in a wallet, in flight, or paid out.
    pub fn money_is_conserved(&self) -> bool {
        let users = self.users.iter().map(|u| u.wallet).sum::<i64>();
        self.wallet + users + self.in_flight() + self.money_out == self.funded
    }
}

/// `--max-objects-per-tenant` counts an app's users, transfers, payout links, batches and flows.
/// Dropped first, oldest first: settled transfers that hold no money in flight and that no
/// link or batch names; then settled links that hold none (with their flow and their settled
/// transfer); then completed batches. Users (who hold wallets and methods) and flows of their
/// own are never dropped.
impl Bounded for AppData {
    fn object_count(&self) -> usize {
        (self.users.len() + self.transfers.len() + self.links.len())
            + (self.batches.len() + self.flows.len())
    }

    fn evict_settled(&mut self, settled: &dyn Fn(&Lifecycle) -> bool, n: usize) -> Vec<String> {
        let batched: HashSet<Uid> = (self.batches.iter())
            .flat_map(|b| b.items.iter().filter_map(|i| i.transfer_id.as_deref()))
            .filter_map(|id| id.parse().ok())
            .collect();
        let done = |t: &TransferRec| {
            t.lc.as_ref().is_none_or(settled)
                && (t.kind != "payout" || t.refunded || t.status() == "completed")
        };
        let mut dropped: Vec<String> = (self.transfers.iter())
            .filter(|t| done(t) && t.payout_link_id().is_none() && !batched.contains(&t.id))
            .take(n)
            .map(|t| t.id.to_string())
            .collect();
        let links: Vec<(String, String, Option<String>)> = (self.links.iter())
            .filter(|l| {
                let holds = l.funded && !l.refunded && l.status() != "claimed";
                let transfer = l.transfer_id.as_deref().map(|t| self.transfers.get(t));
                l.lc.as_ref().is_some_and(settled)
                    && !holds
                    && transfer
                        .is_none_or(|t| t.is_none_or(|t| done(t) && !batched.contains(&t.id)))
            })
            .take(n - dropped.len())
            .map(|l| (l.id.clone(), l.flow_id.clone(), l.transfer_id.clone()))
            .collect();
        let batches: Vec<String> = (self.batches.iter())
            .filter(|b| settled(&b.lc))
            .take(n - dropped.len() - links.len())
            .map(|b| b.id.clone())
            .collect();
        for id in &dropped {
            self.transfers.remove(id);
        }
        for (id, flow, transfer) in links {
            self.links.remove(&id);
            self.flows.remove(&flow);
            if let Some(t) = transfer.filter(|t| self.transfers.remove(t).is_some()) {
                dropped.push(t);
            }
            dropped.push(id);
        }
        for id in batches {
            self.batches.remove(&id);
            dropped.push(id);
        }
        dropped
    }
}

impl Records for AppData {
    fn lifecycle(&self, kind: &str, id: &str) -> Option<&Lifecycle> {
        match kind {
            TRANSFER => self.transfers.get(id)?.lc.as_ref(),
            PAYOUT_LINK => self.links.get(id)?.lc.as_ref(),
            PAYOUT_BATCH => Some(&self.batches.get(id)?.lc),
            _ => None,
        }
    }

    fn lifecycle_mut(&mut self, kind: &str, id: &str) -> Option<&mut Lifecycle> {
        match kind {
            TRANSFER => self.transfers.get_mut(id)?.lc.as_mut(),
            PAYOUT_LINK => self.links.get_mut(id)?.lc.as_mut(),
            PAYOUT_BATCH => Some(&mut self.batches.get_mut(id)?.lc),
            _ => None,
        }
    }
}

/// A user.
#[derive(Clone, Debug)]
pub struct UserRec {
    pub id: String,
    pub created: DateTime<Utc>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: Option<String>,
    pub phone: Phone,
    pub status: String,
    /// The user wallet, cents.
    pub wallet: i64,
    pub date_of_birth: Option<String>,
    pub adjustment_1099: Option<Value>,
    pub metadata: Value,
    pub exclude: Vec<String>,
    pub methods: Vec<MethodRec>,
    /// The platform of the default payout method.
    pub default_method: Option<String>,
    pub auto_payout: bool,
}

/// A connected payout method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodRec {
    pub id: String,
    pub platform: String,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub handle: Option<String>,
    pub cash_tag: Option<String>,
    pub account_number: Option<String>,
    pub routing_number: Option<String>,
    pub account_type: Option<String>,
}

/// A transfer's one transaction (its leg): its amount, time and type are the transfer's own
/// (the amount without its sign), so only what is its alone is kept.
#[derive(Clone, Debug)]
pub struct TransactionRec {
    pub id: u64,
    pub source: Box<str>,
    pub destination: Box<str>,
}

/// A transfer: a wallet-to-wallet movement (`balance`, completed at once, no lifecycle) or a
/// payout (`payout`, on a machine of its platform).
#[derive(Clone, Debug)]
pub struct TransferRec {
    /// An engine UUID, as are the ids of users.
    pub id: Uid,
    pub created: DateTime<Utc>,
    pub user_id: Uid,
    /// `balance` or `payout`.
    pub kind: Name,
    pub amount: i64,
    /// The rail, one of the payout methods' platforms (`users::METHOD_PLATFORMS`).
    pub platform: Option<Name>,
    /// Drawn on the app wallet (`fund: true`) rather than the user's.
    pub fund: bool,
    pub tax_exempt: bool,
    /// `None` for `null` (most transfers).
    pub metadata: Option<Box<Value>>,
    /// What few transfers have (an ACH account, a payout link), `None` when neither.
    pub rare: Option<Box<RareParts>>,
    pub transaction: TransactionRec,
    pub lc: Option<Lifecycle>,
    /// Its money went back where it came from (a failure, a cancel, a reversal).
    pub refunded: bool,
}

/// A transfer's parts that few transfers have.
#[derive(Clone, Debug)]
pub struct RareParts {
    pub account_id: Option<Box<str>>,
    pub payout_link_id: Option<Box<str>>,
}

impl RareParts {
    /// Boxed when there is something to hold.
    pub fn of(account_id: Option<&str>, payout_link_id: Option<&str>) -> Option<Box<Self>> {
        (account_id.is_some() || payout_link_id.is_some()).then(|| {
            Box::new(Self {
                account_id: account_id.map(Into::into),
                payout_link_id: payout_link_id.map(Into::into),
            })
        })
    }
}

impl TransferRec {
    pub fn account_id(&self) -> Option<&str> {
        self.rare.as_ref()?.account_id.as_deref()
    }

    pub fn payout_link_id(&self) -> Option<&str> {
        self.rare.as_ref()?.payout_link_id.as_deref()
    }

    pub fn status(&self) -> &str {
        self.lc
            .as_ref()
            .map_or("completed", |lc| lc.status.as_str())
    }
}

/// A transfer's `metadata` as kept: `null` as nothing.
pub fn metadata(value: Value) -> Option<Box<Value>> {
    (!value.is_null()).then(|| Box::new(value))
}

/// A payout link.
#[derive(Clone, Debug)]
pub struct LinkRec {
    pub id: String,
    pub created: DateTime<Utc>,
    pub amount: i64,
    pub user_id: Option<String>,
    pub payee: Payee,
    pub delivery: Delivery,
    pub tax_exempt: bool,
    pub memo: Option<String>,
    pub metadata: Value,
    pub accounting: (Option<i64>, Option<i64>),
    pub funding_source: String,
    pub flow_id: String,
    pub transfer_id: Option<String>,
    pub claimed_user_id: Option<String>,
    /// Deliveries made, the first included.
    pub deliveries: u32,
    /// The app wallet covered it (its money is held for it).
    pub funded: bool,
    pub refunded: bool,
    /// `None` while it waits for funds (`funds_pending`).
    pub lc: Option<Lifecycle>,
    /// Canceled while it waited for funds (it never had a lifecycle).
    pub canceled_unfunded: bool,
}

impl LinkRec {
    pub fn status(&self) -> &str {
        match &self.lc {
            Some(lc) => lc.status.as_str(),
            None if self.canceled_unfunded => "canceled",
            None => FUNDS_PENDING,
        }
    }
}

/// One item of a payout batch.
#[derive(Clone, Debug)]
pub struct BatchItem {
    pub user_id: String,
    pub idempotency_key: String,
    pub amount: i64,
    pub platform: String,
    pub account_id: Option<String>,
    pub tax_exempt: bool,
    pub metadata: Option<Value>,
    pub request: Value,
    pub transfer_id: Option<String>,
    pub error: Option<(String, String)>,
    pub processed: bool,
}

/// A payout batch.
#[derive(Clone, Debug)]
pub struct BatchRec {
    pub id: String,
    pub created: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    pub metadata: Option<Value>,
    pub items: Vec<BatchItem>,
    pub lc: Lifecycle,
}

/// A flow.
#[derive(Clone, Debug)]
pub struct FlowRec {
    pub id: String,
    pub created: DateTime<Utc>,
    pub user_id: Option<String>,
    pub steps: Vec<String>,
    pub metadata: Value,
    pub payout_link_id: Option<String>,
}

/// A verification code sent by SMS (or voice), as the back office's outbox shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Sms {
    pub tenant: String,
    pub user_id: String,
    pub phone_number: String,
    pub token: String,
    pub channel: &'static str,
    pub at: String,
}

/// The machine variant of a payout on `platform` in `env`.
pub fn payout_variant(platform: &str, env: Env) -> &'static str {
    match (platform, env) {
        ("paypal", _) => "paypal",
        ("venmo", _) => "venmo",
        ("cash_app", _) => "cash_app",
        ("ach" | "bank_transfer", Env::Sandbox) => "ach_sandbox",
        _ => "ach",
    }
}

/// Seconds a payout waits in `created` before `pending`.
pub const PENDING_AFTER_S: i64 = 5;
/// Seconds a PayPal, Venmo or Cash App payout stays `pending`.
pub const INSTANT_RAIL_S: i64 = 300;

/// Every machine, as data (changeable through the admin API like every provider's).
pub fn machines() -> Vec<StateMachine> {
    let pending = Delay::Seconds(PENDING_AFTER_S);
    let instant = |variant: &str| {
        StateMachine::new(TRANSFER, variant, "created", TRANSFER_TERMINAL)
            .edge("created", "pending", pending)
            .edge("pending", "completed", Delay::Seconds(INSTANT_RAIL_S))
            .edge("pending", "failed", Delay::Seconds(INSTANT_RAIL_S))
            .edge("created", "flagged", pending)
            .edge("created", "canceled", pending)
    };
    // Sandbox ACH never goes through: no edge leaves `pending` but a forced failure's.
    let ach_sandbox = StateMachine::new(TRANSFER, "ach_sandbox", "created", TRANSFER_TERMINAL)
        .edge("created", "pending", pending)
        .edge("pending", "failed", Delay::Seconds(INSTANT_RAIL_S))
        .edge("created", "flagged", pending)
        .edge("created", "canceled", pending);
    let ach = StateMachine::new(TRANSFER, "ach", "created", TRANSFER_TERMINAL)
        .edge("created", "pending", pending)
        .edge("pending", "completed", Delay::BusinessDays(1))
        .edge("pending", "failed", Delay::BusinessDays(1))
        .edge("created", "flagged", pending)
        .edge("created", "canceled", pending);
    let batch = StateMachine::new(PAYOUT_BATCH, "", "created", &["completed"])
        .edge("created", "processing", Delay::Seconds(1))
        .edge("processing", "paying_out", Delay::Seconds(10))
        .edge("paying_out", "completed", Delay::Seconds(60));
    // A link waits for its payee: nothing timed leads to `claimed` (the back office claims it);
    // a forced expiry or failure comes after 30 days / 1 minute.
    let link = |variant: &str, delivered: &str, steps: &[(&str, &str, i64)]| {
        let mut m = StateMachine::new(PAYOUT_LINK, variant, "created", LINK_TERMINAL);
        for (from, to, s) in steps {
            m = m.edge(from, to, Delay::Seconds(*s));
        }
        m.edge(delivered, "expired", Delay::Seconds(30 * 86_400))
            .edge(delivered, "failed", Delay::Seconds(60))
    };
    vec![
        instant("paypal"),
        instant("venmo"),
        instant("cash_app"),
        ach_sandbox,
        ach,
        batch,
        link("link", "delivered", &[("created", "delivered", 1)]),
        link(
            "sms",
            "sent",
            &[
                ("created", "delivery_pending", 1),
                ("delivery_pending", "sent", 5),
            ],
        ),
    ]
}

/// What a magic value matches: a payout's amount in cents.
pub type Magic = payoutsim_core::forced::Magic<i64>;

/// The magic values of payouts (ours, not Dots': README "Magic values").
pub const MAGIC: &[Magic] = &[
    Magic {
        trigger: 666,
        outcome: "failed",
        reason: "",
        description: "the payout fails; its money goes back to the wallet it came from",
    },
    Magic {
        trigger: 667,
        outcome: "flagged",
        reason: "",
        description: "the payout is flagged for review and stays there",
    },
    Magic {
        trigger: 668,
        outcome: "canceled",
        reason: "",
        description: "the payout is canceled before it is sent; its money goes back",
    },
];

/// The magic value an amount matches, if any.
pub fn magic_for(amount: i64) -> Option<&'static Magic> {
    MAGIC.iter().find(|m| m.trigger == amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_and_environment_has_a_machine() {
        let all = machines();
        for platform in ["paypal", "venmo", "cash_app", "ach", "bank_transfer"] {
            for env in [Env::Sandbox, Env::Production] {
                let variant = payout_variant(platform, env);
                assert!(
                    all.iter()
                        .any(|m| m.kind == TRANSFER && m.variant == variant),
                    "{platform} {env:?}"
                );
            }
        }
    }

    #[test]
    fn sandbox_ach_has_no_way_to_completed() {
        let m = machines();
        let ach = (m.iter()).find(|m| m.variant == "ach_sandbox");
        let ach = ach.map(|m| m.next_edge("pending", "completed").map(|e| e.to));
        assert_eq!(ach, Some(None));
    }
}
