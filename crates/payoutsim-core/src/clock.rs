//! The simulated clock: business time for every provider.
//!
//! `real` mode lets simulated time flow with wall time (times `time_scale`); `manual` mode freezes
//! it until advanced. Both allow advancing, globally or for one tenant (a per-tenant offset), so two
//! tests with different credentials can live at different simulated times.
//!
//! Elapsed wall time is read from `tokio::time::Instant`, so tests that pause tokio's clock control
//! it too. The wall clock itself is read once, when the clock is made (see `clippy.toml`);
//! [`Clock::wall`] moves on from there by elapsed time, for what a receiver compares with its own
//! clock (Svix's signed timestamps), never for business time.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// How simulated time moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Simulated time flows with wall time, `time_scale` times faster.
    Real,
    /// Simulated time stands still until `advance` moves it.
    Manual,
}

impl std::str::FromStr for ClockMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "real" => Ok(Self::Real),
            "manual" => Ok(Self::Manual),
            other => Err(format!(
                "unknown clock mode `{other}` (expected `real` or `manual`)"
            )),
        }
    }
}

/// The clock's settings.
#[derive(Clone, Debug)]
pub struct ClockConfig {
    pub mode: ClockMode,
    /// Simulated seconds per wall second in `real` mode. Default 1.0.
    pub time_scale: f64,
    /// Where simulated time starts. Default: the wall time at start in `real` mode,
    /// [`MANUAL_EPOCH`] in `manual` mode (so manual runs are reproducible byte for byte).
    pub start: Option<DateTime<Utc>>,
}

impl Default for ClockConfig {
    fn default() -> Self {
        Self {
            mode: ClockMode::Real,
            time_scale: 1.0,
            start: None,
        }
    }
}

/// Where a `manual` clock starts unless told otherwise: Monday 2026-01-05 09:00 in Bogotá.
pub fn manual_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 14, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// What `GET /__admin/clock` shows.
#[derive(Clone, Debug, Serialize)]
pub struct ClockSnapshot {
    pub now: String,
    pub mode: ClockMode,
    pub time_scale: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

#[derive(Debug)]
struct State {
    mode: ClockMode,
    time_scale: f64,
    /// Simulated time at `anchor`.
    base: DateTime<Utc>,
    anchor: Instant,
    tenant_offsets: HashMap<String, TimeDelta>,
}

/// The simulator's clock. Cheap to read; shared behind the engine handle.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
    /// The wall-clock time when the clock was made, and the instant it was read at.
    wall_start: DateTime<Utc>,
    wall_anchor: Instant,
}

impl Clock {
    pub fn new(config: &ClockConfig) -> Self {
        let wall_start = wall_now();
        let base = config.start.unwrap_or(match config.mode {
            ClockMode::Manual => manual_epoch(),
            ClockMode::Real => wall_start,
        });
        let time_scale = if config.time_scale.is_finite() && config.time_scale > 0.0 {
            config.time_scale
        } else {
            1.0
        };
        Self {
            state: Mutex::new(State {
                mode: config.mode,
                time_scale,
                base,
                anchor: Instant::now(),
                tenant_offsets: HashMap::new(),
            }),
            wall_start,
            wall_anchor: Instant::now(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Global simulated time, truncated to microseconds (the finest unit providers show).
    pub fn now(&self) -> DateTime<Utc> {
        let s = self.lock();
        global_now(&s)
    }

    /// A tenant's simulated time: global time plus that tenant's offset.
    pub fn now_for(&self, tenant: &str) -> DateTime<Utc> {
        let s = self.lock();
        let offset = s.tenant_offsets.get(tenant).copied().unwrap_or_default();
        global_now(&s) + offset
    }

    /// Moves time forward by `seconds` (fractions allowed), for everyone or for one tenant.
    pub fn advance(&self, seconds: f64, tenant: Option<&str>) {
        let delta = TimeDelta::microseconds((seconds * 1_000_000.0).round() as i64);
        let mut s = self.lock();
        match tenant {
            Some(t) => *s.tenant_offsets.entry(t.to_string()).or_default() += delta,
            None => s.base += delta,
        }
    }

    /// Wall-clock time, whatever the mode: the time the clock was made plus the (monotonic)
    /// time elapsed since. Not business time: only for what a receiver compares with its own
    /// clock (a signed webhook timestamp), truncated to microseconds.
    pub fn wall(&self) -> DateTime<Utc> {
        let elapsed = TimeDelta::from_std(self.wall_anchor.elapsed()).unwrap_or_default();
        truncate_micros(self.wall_start + elapsed)
    }

    pub fn mode(&self) -> ClockMode {
        self.lock().mode
    }

    pub fn snapshot(&self, tenant: Option<&str>) -> ClockSnapshot {
        let (mode, time_scale) = {
            let s = self.lock();
            (s.mode, s.time_scale)
        };
        let now = match tenant {
            Some(t) => self.now_for(t),
            None => self.now(),
        };
        ClockSnapshot {
            now: rfc3339(now),
            mode,
            time_scale,
            tenant: tenant.map(str::to_string),
        }
    }

    /// Forgets per-tenant offsets (on reset). Global time never goes backwards.
    pub fn forget_tenants(&self, prefix: Option<&str>) {
        let mut s = self.lock();
        match prefix {
            Some(p) => s.tenant_offsets.retain(|k, _| !k.starts_with(p)),
            None => s.tenant_offsets.clear(),
        }
    }
}

fn global_now(s: &State) -> DateTime<Utc> {
    let t = match s.mode {
        ClockMode::Manual => s.base,
        ClockMode::Real => {
            let wall = s.anchor.elapsed().as_secs_f64() * s.time_scale;
            s.base + TimeDelta::microseconds((wall * 1_000_000.0) as i64)
        }
    };
    truncate_micros(t)
}

fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(t)
}

/// The one place the wall clock is read: when a clock is made (where a `real` one starts, and
/// what [`Clock::wall`] moves on from).
#[allow(clippy::disallowed_methods)]
fn wall_now() -> DateTime<Utc> {
    truncate_micros(Utc::now())
}

/// RFC 3339 with microseconds and `Z`, as the admin API shows times.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// `serialize_with` for times shown in RFC 3339 with microseconds.
pub fn serialize_rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manual() -> Clock {
        Clock::new(&ClockConfig {
            mode: ClockMode::Manual,
            ..Default::default()
        })
    }

    #[test]
    fn manual_clock_stands_still_until_advanced() {
        let clock = manual();
        let t0 = clock.now();
        assert_eq!(t0, manual_epoch());
        clock.advance(90.5, None);
        assert_eq!(clock.now() - t0, TimeDelta::milliseconds(90_500));
    }

    #[test]
    fn tenant_advance_moves_only_that_tenant() {
        let clock = manual();
        clock.advance(3600.0, Some("onepay:sk_test_a"));
        assert_eq!(
            clock.now_for("onepay:sk_test_a") - clock.now(),
            TimeDelta::hours(1)
        );
        assert_eq!(clock.now_for("onepay:sk_test_b"), clock.now());
    }

    #[tokio::test(start_paused = true)]
    async fn wall_time_moves_with_elapsed_time_while_a_manual_clock_stands_still() {
        let clock = manual();
        let before = clock.wall();

        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        clock.advance(3600.0, None);

        assert_eq!(clock.wall() - before, TimeDelta::seconds(90));
        assert_eq!(clock.now() - manual_epoch(), TimeDelta::hours(1));
    }

    #[tokio::test(start_paused = true)]
    async fn real_clock_flows_time_scale_times_faster() {
        let clock = Clock::new(&ClockConfig {
            mode: ClockMode::Real,
            time_scale: 1000.0,
            start: Some(manual_epoch()),
        });
        tokio::time::advance(std::time::Duration::from_secs(2)).await;
        assert_eq!(clock.now() - manual_epoch(), TimeDelta::seconds(2000));
    }
}
