//! The checked values of the rule format: latency shapes, HTTP error statuses, probabilities,
//! windows, and the serde helpers that refuse out-of-range numbers with the field's name.

use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer, Serialize};

/// Latency: exactly one of `fixed_ms`, `uniform_ms: [lo, hi]`, `lognormal: {median_ms, sigma}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LatencyFields", into = "LatencyFields")]
pub enum Latency {
    Fixed(u64),
    Uniform(u64, u64),
    LogNormal { median_ms: f64, sigma: f64 },
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LatencyFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixed_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uniform_ms: Option<[u64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lognormal: Option<LogNormalFields>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogNormalFields {
    median_ms: f64,
    sigma: f64,
}

impl TryFrom<LatencyFields> for Latency {
    type Error = String;
    fn try_from(f: LatencyFields) -> Result<Self, String> {
        match (f.fixed_ms, f.uniform_ms, f.lognormal) {
            (Some(ms), None, None) => Ok(Latency::Fixed(ms)),
            (None, Some([lo, hi]), None) if lo <= hi => Ok(Latency::Uniform(lo, hi)),
            (None, Some([lo, hi]), None) => Err(format!(
                "uniform_ms: [{lo}, {hi}] must be [low, high] with low <= high"
            )),
            (None, None, Some(l)) if l.median_ms >= 0.0 && l.sigma >= 0.0 && l.sigma <= 10.0 => {
                Ok(Latency::LogNormal {
                    median_ms: l.median_ms,
                    sigma: l.sigma,
                })
            }
            (None, None, Some(_)) => {
                Err("lognormal: median_ms must be >= 0 and sigma between 0 and 10".to_string())
            }
            _ => Err(
                "a latency fault takes exactly one of fixed_ms, uniform_ms, lognormal".to_string(),
            ),
        }
    }
}

impl From<Latency> for LatencyFields {
    fn from(l: Latency) -> Self {
        match l {
            Latency::Fixed(ms) => LatencyFields {
                fixed_ms: Some(ms),
                ..Default::default()
            },
            Latency::Uniform(lo, hi) => LatencyFields {
                uniform_ms: Some([lo, hi]),
                ..Default::default()
            },
            Latency::LogNormal { median_ms, sigma } => LatencyFields {
                lognormal: Some(LogNormalFields { median_ms, sigma }),
                ..Default::default()
            },
        }
    }
}

/// An HTTP error status, 400 to 599.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorStatus(pub u16);

impl<'de> Deserialize<'de> for ErrorStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let status = within(d, 400..=599, |n: &u16| {
            format!("field `status`: {n} is not an HTTP error status (400 to 599)")
        });
        status.map(ErrorStatus)
    }
}

/// A probability, 0 to 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Probability(pub f64);

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = within(d, 0.0..=1.0, |p: &f64| {
            format!("field `probability`: {p} is not between 0 and 1")
        });
        p.map(Probability)
    }
}

/// Active from `from_s` for `for_s` simulated seconds after the rule was loaded (`for_s`
/// absent: from `from_s` on).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    #[serde(default, deserialize_with = "non_negative")]
    pub from_s: f64,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_negative_opt"
    )]
    pub for_s: Option<f64>,
}

impl Window {
    /// Whether `elapsed_s` seconds after loading falls inside.
    pub fn contains(&self, elapsed_s: f64) -> bool {
        elapsed_s >= self.from_s && self.for_s.is_none_or(|f| elapsed_s < self.from_s + f)
    }
}

pub(crate) fn one() -> u64 {
    1
}
pub(crate) fn sixteen() -> usize {
    16
}
pub(crate) fn hundred() -> u64 {
    100
}
pub(crate) fn thirty() -> f64 {
    30.0
}

/// A `T` read from `d`, refused with `message(&value)` when it falls outside `range`.
fn within<'de, D, T>(
    d: D,
    range: RangeInclusive<T>,
    message: impl FnOnce(&T) -> String,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + PartialOrd,
{
    let v = T::deserialize(d)?;
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(message(&v)))
    }
}

/// Seconds: finite and `>= 0` (an upper bound of `f64::MAX` leaves out infinity, and no range
/// holds NaN).
pub(crate) fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, 0.0..=f64::MAX, |v| {
        format!("{v} must be a number >= 0 (seconds)")
    })
}

/// A webhook's delay in seconds: finite, `>= 0` and at most `clock::MAX_SPAN_S` (100 years),
/// so its due time is one the clock reaches.
pub(crate) fn webhook_delay<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let max = payoutsim_core::clock::MAX_SPAN_S as f64;
    within(d, 0.0..=max, |_| {
        format!("field `delay_s` must be a number of seconds from 0 to {max} (100 years)")
    })
}

/// How long a `hang` holds a connection: finite, `>= 0` and at most [`MAX_HANG_S`].
pub(crate) fn hang_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    within(d, 0.0..=MAX_HANG_S, |_| {
        format!("field `max_s` must be a number of seconds from 0 to {MAX_HANG_S}")
    })
}

/// The longest a `hang` fault holds a connection, in seconds: one hour.
pub const MAX_HANG_S: f64 = 3600.0;

fn non_negative_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    non_negative(d).map(Some)
}

pub(crate) fn positive_usize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    within(d, 1..=usize::MAX, |_| "must be at least 1".to_string())
}
