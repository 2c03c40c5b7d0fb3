//! A tenant's seeded history: what a merchant reconciling through the API finds the first time it
//! logs in, made once and fixed from then on.
//!
//! Everything is drawn from one stream seeded by (`--seed`, tenant name), so the same seed gives
//! the same tenant the same transactions byte for byte, and two tenants never share one (their
//! ids lie in different blocks, see `state.rs`). The history covers the `days` of simulated time
//! before the moment it is made (`now`): each UTC day gets deposits and cashouts in proportion to
//! the volume setting, more on Fridays and Saturdays and in the Peruvian evening, from a pool of
//! repeat clients in five countries; each transaction takes its path through the statuses,
//! cut at `now` (see `draw.rs`). Nothing of it moves afterwards: its PENDING ones stay PENDING
//! unless the back office moves them, so a range reconciled today reads the same next week.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, TimeDelta, Utc};
use payoutsim_core::machine::Lifecycle;
use rand::{Rng, SeedableRng};

use crate::catalog::{COUNTRIES, Country, WHOLE};
use crate::draw::{self, Rand};
use crate::state::{
    BLOCKS, CASHOUT_BASE, CASHOUT_BLOCK, CashoutRec, DEPOSIT_BASE, DEPOSIT_BLOCK, DepositRec,
    Merchant, Txn,
};
use crate::statuses::{CASHOUT, COMPLETED, DEPOSIT};

/// Deposits a day at volume 1 (about 540 in 90 days).
pub const DEPOSITS_PER_DAY: f64 = 6.0;
/// Cashouts a day at volume 1 (about 160 in 90 days).
pub const CASHOUTS_PER_DAY: f64 = 1.8;
/// Repeat clients at volume 1 over 90 days.
pub const CLIENTS: f64 = 45.0;
/// Cashout fee, basis points of the amount, plus the country's fixed fee.
pub const CASHOUT_FEE_BPS: i64 = 100;
/// Share of deposits, in percent, where the payer used another method than the one requested.
pub const SWITCHED_METHOD_PCT: u32 = 6;

/// Activity by UTC hour (Peru is UTC-5: its evening is the early UTC hours).
const HOURS: [u32; 24] = [
    9, 9, 8, 6, 4, 2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 6, 7, 8, 9,
];
/// Activity by weekday, Monday first, in percent of an average day.
const WEEKDAYS: [u32; 7] = [90, 90, 95, 100, 115, 125, 85];

/// What the history is made of.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub days: u32,
    pub volume: f64,
}

/// A client of the merchant: who pays in and gets paid out.
struct Client {
    country: &'static Country,
    document: Arc<str>,
    id_user: Arc<str>,
}

/// The merchant `tenant` (API user `username`) as it stands at `now`, drawn from `seed`.
/// `claim` turns the tenant's wanted id block into one no other tenant holds.
pub fn generate(
    seed: u64,
    tenant: &str,
    username: &str,
    now: DateTime<Utc>,
    plan: Plan,
    claim: impl FnOnce(u32) -> u32,
) -> Merchant {
    let mut rng = Rand::seed_from_u64(seed);
    let id_user = rng.random_range(10_000..=99_999);
    let id_merchant = rng.random_range(1_000..=99_999);
    let block = claim(rng.random_range(0..BLOCKS));
    let name = draw::merchant_name(username);
    let mut opening = BTreeMap::new();
    opening.insert("PEN", rng.random_range(40_000..=150_000) * 100);
    opening.insert("USD", rng.random_range(15_000..=60_000) * 100);
    let scale = plan.volume * f64::from(plan.days) / 90.0;
    let clients: Vec<Client> = (0..((CLIENTS * scale).round() as usize).max(12))
        .map(|_| client(&mut rng))
        .collect();
    let mut m = Merchant {
        tenant: tenant.to_string(),
        username: username.to_string(),
        id_user,
        id_merchant,
        prefix: prefix_of(&name, id_merchant),
        name,
        generated_at: now,
        history_days: plan.days,
        opening,
        deposits: Vec::new(),
        cashouts: Vec::new(),
        entries: Vec::new(),
        block,
        next_deposit: DEPOSIT_BASE + block * DEPOSIT_BLOCK,
        next_cashout: CASHOUT_BASE + block * CASHOUT_BLOCK,
        seed,
        plan,
        touched: false,
        used: 0,
    };
    let start = now - TimeDelta::days(i64::from(plan.days));
    for offset in 0..=u64::from(plan.days) {
        let Some(day) = start.date_naive().checked_add_days(Days::new(offset)) else {
            break;
        };
        let drift = rng.random_range(-10_000..=10_000);
        let weekday = WEEKDAYS[day.weekday().num_days_from_monday() as usize];
        let midnight = day
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(start);
        let times = |rng: &mut Rand, per_day: f64| {
            let mean = per_day * plan.volume * f64::from(weekday) / 100.0;
            let count = (mean * rng.random_range(0.6..1.4)).round() as usize;
            let mut at: Vec<DateTime<Utc>> = (0..count)
                .map(|_| midnight + moment(rng))
                .filter(|t| *t >= start && *t < now)
                .collect();
            at.sort_unstable();
            at
        };
        let (deposits, cashouts) = (
            times(&mut rng, DEPOSITS_PER_DAY),
            times(&mut rng, CASHOUTS_PER_DAY),
        );
        let mut today = Day {
            rng: &mut rng,
            m: &mut m,
            drift,
            now,
        };
        for created in deposits {
            let client = pick(today.rng, &clients);
            today.deposit(client, created);
        }
        for created in cashouts {
            let client = pick(today.rng, &clients);
            today.cashout(client, created);
        }
    }
    // The lists only grow by the back office's insertions: no room kept for doubling.
    m.deposits.shrink_to_fit();
    m.cashouts.shrink_to_fit();
    m
}

/// A time of day, by the hour weights.
fn moment(rng: &mut Rand) -> TimeDelta {
    let hour = draw::weighted_index(rng, HOURS.iter().copied()) as i64;
    TimeDelta::seconds(hour * 3_600 + rng.random_range(0..3_600))
}

fn client(rng: &mut Rand) -> Client {
    let country = &COUNTRIES[draw::weighted_index(rng, COUNTRIES.iter().map(|c| c.weight))];
    Client {
        country,
        document: draw::document(rng, country).into(),
        id_user: id_user(rng).into(),
    }
}

/// A payer's `idUser` at D24: eight digits.
pub fn id_user(rng: &mut Rand) -> String {
    rng.random_range(50_000_000..=59_999_999u32).to_string()
}

/// A client, the regular ones more often.
fn pick<'a>(rng: &mut Rand, clients: &'a [Client]) -> &'a Client {
    let u: f64 = rng.random();
    let i = (u.powf(1.8) * clients.len() as f64) as usize;
    &clients[i.min(clients.len() - 1)]
}

/// `ACM12345`: the merchant's own id prefix (its `externalId`s).
fn prefix_of(name: &str, id_merchant: u32) -> String {
    let mut letters: String = (name.chars().filter(char::is_ascii_alphabetic))
        .take(3)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    while letters.len() < 3 {
        letters.push('X');
    }
    format!("{letters}{id_merchant}")
}

/// A median amount and its bounds, in major units of the balance currency.
fn bounds(currency: &str, cashout: bool) -> (f64, f64, f64) {
    match (currency, cashout) {
        ("PEN", false) => (120.0, 10.0, 9_000.0),
        ("PEN", true) => (420.0, 30.0, 15_000.0),
        (_, false) => (35.0, 5.0, 2_500.0),
        (_, true) => (120.0, 10.0, 5_000.0),
    }
}

/// The merchant's own reference of its `seq`-th record of a kind (`D` deposits, `W` cashouts).
pub fn external_id(m: &Merchant, letter: char, seq: usize) -> String {
    format!("{}-{letter}{seq:06}", m.prefix)
}

/// What a history transaction is, as drawn, before it gets its id.
struct Drawn<'c> {
    client: &'c Client,
    created: DateTime<Utc>,
    method: &'static crate::catalog::Method,
    amount: i64,
    fee: i64,
    /// Its lifecycle as of the history's moment, and its last change.
    now: (Lifecycle, DateTime<Utc>),
}

/// The next id of `kind` (after a seeded gap: other merchants' transactions fall between) and
/// the transaction `d` under it; `None` once the tenant's block is full.
fn txn(rng: &mut Rand, m: &mut Merchant, kind: &str, d: Drawn<'_>) -> Option<Txn> {
    let (id, letter, seq) = if kind == DEPOSIT {
        m.next_deposit += rng.random_range(0..3);
        (m.take_deposit_id()?, 'D', m.deposits.len() + 1)
    } else {
        m.next_cashout += rng.random_range(0..2);
        (m.take_cashout_id()?, 'W', m.cashouts.len() + 1)
    };
    let (lc, last_change) = d.now;
    Some(Txn {
        id,
        external_id: external_id(m, letter, seq),
        created: d.created,
        last_change,
        country: d.client.country,
        method: d.method,
        client_document: d.client.document.clone(),
        amount: d.amount,
        currency: d.client.country.settles,
        fee: d.fee,
        lc,
    })
}

/// One day of the history being made: the stream, the merchant, the day's rate drift, and the
/// moment the history is taken.
struct Day<'a> {
    rng: &'a mut Rand,
    m: &'a mut Merchant,
    drift: i64,
    now: DateTime<Utc>,
}

impl Day<'_> {
    fn deposit(&mut self, client: &Client, created: DateTime<Utc>) {
        let (rng, m, drift, now) = (&mut *self.rng, &mut *self.m, self.drift, self.now);
        let country = client.country;
        let method = *draw::weighted(rng, country.deposits);
        let requested = if rng.random_range(0..100) < SWITCHED_METHOD_PCT {
            *draw::weighted(rng, country.deposits)
        } else {
            method
        };
        let (median, lo, hi) = bounds(country.settles, false);
        let amount = draw::amount(rng, median, lo, hi);
        let path = draw::deposit_path(rng, created, method.speed);
        let refund_attempted = path.outcome == COMPLETED && rng.random_range(0..100) == 0;
        let fee = draw::share(amount, method.fee_bps) + country.fixed_fee;
        let now = path.snapshot(DEPOSIT, now);
        let drawn = Drawn {
            client,
            created,
            method,
            amount,
            fee,
            now,
        };
        let Some(txn) = txn(rng, m, DEPOSIT, drawn) else {
            return;
        };
        let whole = WHOLE.contains(&country.local);
        m.deposits.push(DepositRec {
            txn,
            requested_method: requested,
            id_user: client.id_user.clone(),
            local_amount: draw::convert(amount, country.rate_micros, drift, whole),
            local_currency: country.local,
            refund_attempted,
        });
    }

    fn cashout(&mut self, client: &Client, created: DateTime<Utc>) {
        let (rng, m, drift, now) = (&mut *self.rng, &mut *self.m, self.drift, self.now);
        let country = client.country;
        let (median, lo, hi) = bounds(country.settles, true);
        let amount = draw::amount(rng, median, lo, hi);
        let now = draw::cashout_path(rng, created).snapshot(CASHOUT, now);
        let fee = draw::share(amount, CASHOUT_FEE_BPS) + country.fixed_fee;
        let drawn = Drawn {
            client,
            created,
            method: country.payouts,
            amount,
            fee,
            now,
        };
        let Some(txn) = txn(rng, m, CASHOUT, drawn) else {
            return;
        };
        let whole = WHOLE.contains(&country.local);
        m.cashouts.push(CashoutRec {
            txn,
            credited_amount: draw::convert(amount, country.rate_micros, drift, whole),
            credited_currency: country.local,
            tax: draw::share(amount, country.cashout_tax_bps),
        });
    }
}
