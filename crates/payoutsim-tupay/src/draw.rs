//! The random draws a history is made of, all from the tenant's own seeded stream: weighted
//! picks, amounts, documents, the merchant's name, and each transaction's path through its
//! statuses with the times it took.
//!
//! A path is planned whole (created, then each status with its time, as the machines' delays
//! say, with some spread) and cut at the moment the history is taken: what had not happened by
//! then has not happened, so the last transactions are still PENDING, APPROVED or DELIVERED.

use chrono::{DateTime, TimeDelta, Utc};
use payoutsim_core::machine::{Delay, Lifecycle, StatusChange};
use payoutsim_core::name::Name;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{Country, Speed};
use crate::statuses::*;

pub type Rand = ChaCha8Rng;

/// The index of one of `weights`, in proportion to them.
pub fn weighted_index(rng: &mut Rand, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut pick = rng.random_range(0..total.max(1));
    let mut last = 0;
    for (i, w) in weights.enumerate() {
        if pick < w {
            return i;
        }
        pick -= w;
        last = i;
    }
    last
}

/// One of `items`, by weight.
pub fn weighted<'a, T>(rng: &mut Rand, items: &'a [(T, u32)]) -> &'a T {
    &items[weighted_index(rng, items.iter().map(|(_, w)| *w))].0
}

/// A log-normal draw around `median` (spread `sigma`), clamped to `[lo, hi]`.
pub fn lognormal(rng: &mut Rand, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (median * (sigma * z).exp()).clamp(lo, hi)
}

/// An amount in minor units, as people pay: often round, sometimes to the cent.
pub fn amount(rng: &mut Rand, median: f64, lo: f64, hi: f64) -> i64 {
    let major = lognormal(rng, median, 0.85, lo, hi);
    let cents = (major * 100.0).round() as i64;
    match rng.random_range(0..10) {
        0..=3 if major >= 30.0 => (cents / 1_000).max(1) * 1_000,
        4..=6 => (cents / 100).max(1) * 100,
        _ => cents.max(1),
    }
}

/// `amount` of the balance currency in the local one, at the rate `rate_micros` moved by
/// `drift_ppm` (the same currency, rate 1, does not drift); whole units for currencies without
/// cents.
pub fn convert(amount: i64, rate_micros: i64, drift_ppm: i64, whole: bool) -> i64 {
    if rate_micros == 1_000_000 {
        return amount;
    }
    let rate = i128::from(rate_micros) * i128::from(1_000_000 + drift_ppm) / 1_000_000;
    let local = (i128::from(amount) * rate + 500_000) / 1_000_000;
    let local = i64::try_from(local).unwrap_or(i64::MAX);
    if whole {
        (local + 50) / 100 * 100
    } else {
        local
    }
}

/// `amount * bps / 10000`, rounded half up.
pub fn share(amount: i64, bps: i64) -> i64 {
    (amount * bps + 5_000) / 10_000
}

/// A document of the country's shape (`9` a digit, `A` a capital letter).
pub fn document(rng: &mut Rand, country: &Country) -> String {
    (country.document.chars())
        .map(|c| match c {
            '9' => char::from(b'0' + rng.random_range(0..10u8)),
            'A' => char::from(b'A' + rng.random_range(0..26u8)),
            other => other,
        })
        .collect()
}

/// The merchant's name, from its API user's e-mail: `ops@acme-games.com` -> `Acme Games`
/// (the local part when the domain is a mailbox provider's).
pub fn merchant_name(username: &str) -> String {
    const MAILBOXES: &[&str] = &["gmail", "hotmail", "outlook", "yahoo", "example", "mail"];
    let (local, domain) = username.split_once('@').unwrap_or((username, ""));
    let label = domain.split('.').next().unwrap_or_default();
    let source = if label.is_empty() || MAILBOXES.contains(&label) {
        local
    } else {
        label
    };
    let words: Vec<String> = (source.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect()
        })
        .collect();
    if words.is_empty() {
        "Merchant".to_string()
    } else {
        words.join(" ")
    }
}

/// Seconds in `[lo, hi]`.
fn secs(rng: &mut Rand, lo: i64, hi: i64) -> TimeDelta {
    TimeDelta::seconds(rng.random_range(lo..=hi))
}

/// `base` seconds, give or take a quarter.
fn about(rng: &mut Rand, base: i64) -> TimeDelta {
    secs(rng, base * 3 / 4, base * 5 / 4)
}

/// A path: each status with when it was entered, the outcome it was bound for, and a reason.
pub struct Path {
    pub steps: Vec<(&'static str, DateTime<Utc>)>,
    pub outcome: &'static str,
    pub reason: Option<&'static str>,
}

impl Path {
    fn from(created: DateTime<Utc>, outcome: &'static str) -> Self {
        Self {
            steps: vec![(PENDING, created)],
            outcome,
            reason: None,
        }
    }

    fn then(mut self, status: &'static str, after: TimeDelta) -> Self {
        let last = self.steps.last().map(|s| s.1).unwrap_or_default();
        self.steps.push((status, last + after));
        self
    }

    fn then_at(mut self, status: &'static str, at: DateTime<Utc>) -> Self {
        self.steps.push((status, at));
        self
    }

    fn last(&self) -> DateTime<Utc> {
        self.steps.last().map(|s| s.1).unwrap_or_default()
    }

    /// The lifecycle as of `now` (steps after it have not happened) and its last change.
    pub fn snapshot(self, kind: &str, now: DateTime<Utc>) -> (Lifecycle, DateTime<Utc>) {
        let kept: Vec<StatusChange> = (self.steps.iter())
            .take_while(|(_, at)| *at <= now)
            .map(|(status, at)| StatusChange {
                status: Name::new(status),
                at: *at,
            })
            .collect();
        let last = kept.last().map(|c| (c.status, c.at));
        let (status, at) = last.unwrap_or((Name::new(PENDING), now));
        let lc = Lifecycle {
            kind: Name::new(kind),
            variant: Name::default(),
            status,
            outcome: Name::new(self.outcome),
            reason: self.reason.map(str::to_string),
            history: kept,
        };
        (lc, at)
    }
}

/// Days a cash voucher can be paid before it expires (other deposits: [`EXPIRE_AFTER_S`]).
pub const VOUCHER_DAYS: i64 = 3;

/// Where a deposit of a method of `speed` went, planned from its creation. Cash vouchers are
/// paid hours to days later, and a good share of them never.
pub fn deposit_path(rng: &mut Rand, created: DateTime<Utc>, speed: Speed) -> Path {
    let voucher = speed == Speed::Voucher;
    // Percent thresholds: completed, declined, abandoned (expired, later cancelled), cancelled.
    let (completed, declined, abandoned) = if voucher { (65, 67, 97) } else { (84, 94, 97) };
    let roll = rng.random_range(0..100);
    if roll < completed {
        let (approve, complete) = match speed {
            Speed::Card => (secs(rng, 5, 120), secs(rng, 60, 600)),
            Speed::Instant => (secs(rng, 30, 900), secs(rng, 60, 2_400)),
            Speed::Voucher => (secs(rng, 3_600, 216_000), secs(rng, 300, 3_000)),
        };
        (Path::from(created, COMPLETED).then(APPROVED, approve)).then(COMPLETED, complete)
    } else if roll < declined {
        Path::from(created, DECLINED).then(DECLINED, secs(rng, 5, 300))
    } else if roll < abandoned {
        let lives = if voucher {
            VOUCHER_DAYS * 86_400
        } else {
            EXPIRE_AFTER_S
        };
        let path = Path::from(created, EXPIRED).then(EXPIRED, TimeDelta::seconds(lives));
        path.then(CANCELLED, TimeDelta::seconds(CANCEL_AFTER_EXPIRY_S))
    } else {
        Path::from(created, CANCELLED).then(CANCELLED, secs(rng, 120, 3_600))
    }
}

/// Where a cashout went, planned from its creation.
pub fn cashout_path(rng: &mut Rand, created: DateTime<Utc>) -> Path {
    let settle = |at: DateTime<Utc>| Delay::BusinessDays(SETTLE_AFTER_BUSINESS_DAYS).due_from(at);
    match rng.random_range(0..100) {
        0..80 => {
            let path = Path::from(created, COMPLETED).then(DELIVERED, about(rng, DELIVER_AFTER_S));
            let done = settle(path.last()) + secs(rng, 0, 5_400);
            path.then_at(COMPLETED, done)
        }
        80..85 => {
            let mut path = Path::from(created, DECLINED).then(DECLINED, secs(rng, 1, 30));
            path.reason = Some(DECLINES[rng.random_range(0..DECLINES.len())]);
            path
        }
        85..89 => {
            let mut path = Path::from(created, CANCELLED).then(CANCELLED, secs(rng, 600, 10_800));
            path.reason = Some(MERCHANT_CANCELLED);
            path
        }
        89..93 => {
            let path = Path::from(created, REJECTED).then(DELIVERED, about(rng, DELIVER_AFTER_S));
            let days = rng.random_range(1..=3);
            let back = Delay::BusinessDays(days).due_from(path.last()) + secs(rng, 0, 7_200);
            let mut path = path.then_at(REJECTED, back);
            path.reason = Some(REJECTIONS[rng.random_range(0..REJECTIONS.len())]);
            path
        }
        _ => {
            let held = Path::from(created, COMPLETED).then(ON_HOLD, secs(rng, 60, 1_800));
            let days = rng.random_range(1..=2);
            let released = Delay::BusinessDays(days).due_from(held.last());
            let path = held.then_at(PENDING, released);
            let path = path.then(DELIVERED, about(rng, DELIVER_AFTER_S));
            let done = settle(path.last()) + secs(rng, 0, 5_400);
            path.then_at(COMPLETED, done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_merchant_is_named_after_its_domain_or_mailbox() {
        assert_eq!(merchant_name("ops@acme-games.com"), "Acme Games");
        assert_eq!(merchant_name("lucky_star@gmail.com"), "Lucky Star");
        assert_eq!(merchant_name("@"), "Merchant");
    }

    #[test]
    fn conversion_rounds_to_the_cent_or_to_whole_units() {
        assert_eq!(convert(1_000, 3_750_000, 0, false), 3_750);
        assert_eq!(convert(1_234, 3_950_000_000, 0, true), 4_874_300);
        assert_eq!(convert(1_000, 1_010_000, 0, false), 1_010);
        assert_eq!(convert(1_000, 1_000_000, 10_000, false), 1_000);
        assert_eq!(share(10_000, 250), 250);
        assert_eq!(share(1_999, 250), 50);
    }

    #[test]
    fn a_path_cut_before_its_end_stops_where_the_moment_finds_it() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let path = (Path::from(t0, COMPLETED).then(APPROVED, TimeDelta::seconds(60)))
            .then(COMPLETED, TimeDelta::seconds(600));

        let (lc, last) = path.snapshot(DEPOSIT, t0 + TimeDelta::seconds(100));

        assert_eq!(
            (lc.status.as_str(), lc.outcome.as_str()),
            (APPROVED, COMPLETED)
        );
        assert_eq!(last, t0 + TimeDelta::seconds(60));
        assert_eq!(lc.history.len(), 2);
    }

    #[test]
    fn documents_follow_the_countrys_shape() {
        let mut rng = Rand::seed_from_u64(1);
        let chile = crate::catalog::country("CL").unwrap();
        let doc = document(&mut rng, chile);
        assert_eq!(doc.len(), 10);
        assert_eq!(&doc[8..9], "-");
    }
}
