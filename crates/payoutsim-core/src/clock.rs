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
//!
//! Limits: simulated time stays within [`max_time`] (the last microsecond of year 9999). One
//! advance moves at most [`MAX_SPAN_S`] (100 years) and never past [`max_time`]
//! ([`Clock::check_advance`] says why not); a `real` clock runs at most [`MAX_TIME_SCALE`] times
//! faster than the wall and stops at [`max_time`]. Every sum of a time and a delay saturates
//! there ([`later`], [`seconds_after`]), so no value makes the clock's arithmetic overflow.

use std::sync::RwLock;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::fastmap::FastMap;
use crate::inline::InlineStr;

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

/// The latest simulated time: 9999-12-31T23:59:59.999999Z. Simulated time never passes it, and
/// a time computed beyond it (a delay's due time) is this one.
pub fn max_time() -> DateTime<Utc> {
    // Read on every move of a clock: worked out once.
    static MAX: std::sync::LazyLock<DateTime<Utc>> = std::sync::LazyLock::new(|| {
        Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .single()
            .and_then(|t| t.checked_add_signed(TimeDelta::microseconds(999_999)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    });
    *MAX
}

/// The longest span one value may give, in seconds: an advance of the clock, a state machine's
/// delay, a delayed webhook. 100 years of 365 days.
pub const MAX_SPAN_S: i64 = 100 * 365 * 86_400;

/// The fastest a `real` clock runs: simulated seconds per wall second.
pub const MAX_TIME_SCALE: f64 = 1_000_000.0;

/// Why `time_scale` cannot drive a clock: it must be a number above 0 and at most
/// [`MAX_TIME_SCALE`]. The message names the limit.
pub fn check_time_scale(time_scale: f64) -> Result<(), String> {
    if time_scale.is_finite() && time_scale > 0.0 && time_scale <= MAX_TIME_SCALE {
        Ok(())
    } else {
        Err(format!(
            "time scale must be a number above 0 and at most {MAX_TIME_SCALE} (got {time_scale})"
        ))
    }
}

/// `t + delta`, or [`max_time`] when that would pass it (or leave chrono's range).
pub fn later(t: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(delta)
        .map_or_else(max_time, |later| later.min(max_time()))
}

/// `t` plus `seconds` (fractions allowed, to the microsecond), saturating at [`max_time`]; a
/// negative or NaN `seconds` is 0.
pub fn seconds_after(t: DateTime<Utc>, seconds: f64) -> DateTime<Utc> {
    let micros = seconds * 1_000_000.0;
    if micros.is_nan() || micros <= 0.0 {
        return t.min(max_time());
    }
    // `as` saturates at i64::MAX, which chrono's TimeDelta holds.
    later(t, TimeDelta::microseconds(micros.round() as i64))
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
    tenant_offsets: FastMap<String, TimeDelta>,
    /// Held still at `base` ([`Clock::hold`], [`Clock::pin`]), whatever the mode.
    held: bool,
}

/// The simulator's clock. Cheap to read; shared behind the engine handle.
#[derive(Debug)]
pub struct Clock {
    /// Read by every request (often several times), written only when time is moved or held:
    /// readers share the lock.
    state: RwLock<State>,
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
        // The entry points refuse a scale out of range (`check_time_scale`); one that reaches
        // here anyway runs at the nearest one allowed.
        let time_scale = if config.time_scale.is_finite() && config.time_scale > 0.0 {
            config.time_scale.min(MAX_TIME_SCALE)
        } else {
            1.0
        };
        // Truncated once here (and wherever it is set): a stopped clock reads it as it is.
        let base = truncate_micros(base.min(max_time()));
        Self {
            state: RwLock::new(State {
                mode: config.mode,
                time_scale,
                base,
                anchor: Instant::now(),
                tenant_offsets: FastMap::default(),
                held: false,
            }),
            wall_start,
            wall_anchor: Instant::now(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lock(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Global simulated time, truncated to microseconds (the finest unit providers show).
    pub fn now(&self) -> DateTime<Utc> {
        let s = self.read();
        global_now(&s)
    }

    /// A tenant's simulated time: global time plus that tenant's offset.
    pub fn now_for(&self, tenant: &str) -> DateTime<Utc> {
        let s = self.read();
        tenant_now(&s, tenant)
    }

    /// Why moving time forward by `seconds` (for everyone, or for `tenant`) is refused: not a
    /// number >= 0, more than [`MAX_SPAN_S`], or past [`max_time`] for the time it moves (the
    /// global time, or the tenant's). The message names the field and its limit.
    pub fn check_advance(&self, seconds: f64, tenant: Option<&str>) -> Result<(), String> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err("`seconds` must be a number >= 0: time only moves forward".into());
        }
        if seconds > MAX_SPAN_S as f64 {
            return Err(format!(
                "`seconds` must be at most {MAX_SPAN_S} (100 years)"
            ));
        }
        let now = match tenant {
            Some(t) => self.now_for(t),
            None => self.now(),
        };
        let left = (max_time() - now).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6;
        if seconds > left {
            return Err(format!(
                "`seconds` would take simulated time past {} (the latest it reaches): at most \
                 {left:.6} seconds are left",
                rfc3339(max_time())
            ));
        }
        Ok(())
    }

    /// Moves time forward by `seconds` (fractions allowed), for everyone or for one tenant; it
    /// stops at [`max_time`] (see [`Clock::check_advance`] for a refusal instead).
    pub fn advance(&self, seconds: f64, tenant: Option<&str>) {
        let mut s = self.lock();
        match tenant {
            Some(t) => {
                let global = global_now(&s);
                let to = seconds_after(tenant_now(&s, t), seconds);
                s.tenant_offsets.insert(t.to_string(), to - global);
            }
            None => s.base = seconds_after(s.base, seconds),
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
        self.read().mode
    }

    pub fn snapshot(&self, tenant: Option<&str>) -> ClockSnapshot {
        let (mode, time_scale) = {
            let s = self.read();
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

    /// Holds simulated time still at its current value until [`Clock::release`] (advances still
    /// move it), and answers that value: one input handled under `--data-dir` sees one instant,
    /// the one recorded with it. Released, a `real` clock goes on as if it had flowed meanwhile.
    pub fn hold(&self) -> DateTime<Utc> {
        let mut s = self.lock();
        if !s.held {
            s.base = global_now(&s);
            s.anchor = Instant::now();
            s.held = true;
        }
        s.base
    }

    /// Lets held time flow again (a `manual` clock stays where it is).
    pub fn release(&self) {
        let mut s = self.lock();
        s.held = false;
    }

    /// Sets global simulated time to `t` and holds it there (replaying an input at its recorded
    /// instant, or restoring the clock before [`Clock::release`]). Tenants keep their offsets.
    pub fn pin(&self, t: DateTime<Utc>) {
        let mut s = self.lock();
        s.base = truncate_micros(t.min(max_time()));
        s.anchor = Instant::now();
        s.held = true;
    }

    /// Forgets per-tenant offsets (on reset). Global time never goes backwards.
    /// Forgets one tenant's own time (it follows the global clock again).
    pub fn forget_tenant(&self, tenant: &str) {
        self.lock().tenant_offsets.remove(tenant);
    }

    pub fn forget_tenants(&self, prefix: Option<&str>) {
        let mut s = self.lock();
        match prefix {
            Some(p) => s.tenant_offsets.retain(|k, _| !k.starts_with(p)),
            None => s.tenant_offsets.clear(),
        }
    }
}

fn global_now(s: &State) -> DateTime<Utc> {
    // `base` is kept truncated to the microsecond (every write of it is), so a stopped clock
    // answers it as it is.
    match s.mode {
        _ if s.held => s.base,
        ClockMode::Manual => s.base,
        ClockMode::Real => truncate_micros(seconds_after(
            s.base,
            s.anchor.elapsed().as_secs_f64() * s.time_scale,
        )),
    }
}

/// A tenant's time: global time plus its offset, within [`max_time`].
fn tenant_now(s: &State, tenant: &str) -> DateTime<Utc> {
    let now = global_now(s);
    match s.tenant_offsets.get(tenant) {
        Some(offset) if !offset.is_zero() => later(now, *offset),
        _ => now,
    }
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

/// [`rfc3339`]'s text written on the stack (a wire view serialises it with no allocation):
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` written digit by digit; a year outside 0..=9999 or a leap
/// second is written as chrono writes it (at most 30 bytes).
pub fn rfc3339_text(t: DateTime<Utc>) -> InlineStr<32> {
    use chrono::{Datelike, Timelike};
    let mut text = InlineStr::new();
    let nanos = t.nanosecond();
    if (0..=9999).contains(&t.year()) && nanos < 1_000_000_000 {
        push_date_time(&mut text, t);
        text.push_str(".");
        text.push_digits(nanos / 1000, 6);
        text.push_str("Z");
    } else {
        text.push_str(&rfc3339(t));
    }
    text
}

/// Appends `YYYY-MM-DDTHH:MM:SS` of `t` to `text`, digit by digit (no strftime parsing, which
/// showed in the request profile); a year outside 0..=9999 is written as `{:04}` writes it, sign
/// and all. At most 26 bytes; `false` when `text` had no room for them all.
pub fn push_date_time<const N: usize>(text: &mut InlineStr<N>, t: DateTime<Utc>) -> bool {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let mut fits = match u32::try_from(t.year()) {
        Ok(year) if year <= 9999 => text.push_digits(year, 4),
        _ => write!(text, "{:04}", t.year()).is_ok(),
    };
    for (sep, n) in [("-", t.month()), ("-", t.day()), ("T", t.hour())] {
        fits &= text.push_str(sep) && text.push_digits(n, 2);
    }
    for n in [t.minute(), t.second()] {
        fits &= text.push_str(":") && text.push_digits(n, 2);
    }
    fits
}

/// `YYYY-MM-DDTHH:MM:SS`, then `.mmm` when `millis`, then `suffix` (an offset as a provider
/// writes it: `Z`, `+0000`), written digit by digit as [`push_date_time`] writes; what strftime's
/// `%Y-%m-%dT%H:%M:%S%.3f` (or without `%.3f`) and the suffix give. `None` for a year outside
/// 0..=9999, a leap second or a suffix past the room ([`date_time_string`] has chrono write
/// those).
fn date_time_text(t: DateTime<Utc>, millis: bool, suffix: &str) -> Option<InlineStr<40>> {
    use chrono::{Datelike, Timelike};
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&t.year()) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut text = InlineStr::new();
    let mut fits = push_date_time(&mut text, t);
    if millis {
        fits &= text.push_str(".") && text.push_digits(nanos / 1_000_000, 3);
    }
    (fits && text.push_str(suffix)).then_some(text)
}

/// [`date_time_text`] as a `String`, whatever the time: a year outside 0..=9999 or a leap
/// second is written by chrono's strftime (`%Y-%m-%dT%H:%M:%S`, `%.3f` when `millis`) instead.
/// Kashpay's `2022-12-20T17:11:46.794+0000` and Tupay's `2024-01-10T13:41:57Z` are written so.
pub fn date_time_string(t: DateTime<Utc>, millis: bool, suffix: &str) -> String {
    match date_time_text(t, millis, suffix) {
        Some(text) => text.as_str().to_string(),
        None if millis => format!("{}{suffix}", t.format("%Y-%m-%dT%H:%M:%S%.3f")),
        None => format!("{}{suffix}", t.format("%Y-%m-%dT%H:%M:%S")),
    }
}

/// `serialize_with` for times shown in RFC 3339 with microseconds.
pub fn serialize_rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digit_by_digit_date_time_is_what_strftime_writes() {
        use chrono::{TimeZone, Timelike};
        for year in [0, 7, 999, 1970, 2024, 9999] {
            for (mo, d, h, mi, s) in [(1, 1, 0, 0, 0), (12, 31, 23, 59, 59), (2, 9, 7, 5, 3)] {
                let t = Utc.with_ymd_and_hms(year, mo, d, h, mi, s).unwrap();
                for nanos in [0, 999, 1_000_000, 123_456_789, 999_999_999] {
                    let t = t.with_nanosecond(nanos).unwrap();
                    let millis = date_time_text(t, true, "+0000").unwrap();
                    let whole = date_time_text(t, false, "Z").unwrap();
                    let f = |fmt: &str| t.format(fmt).to_string();
                    assert_eq!(millis.as_str(), f("%Y-%m-%dT%H:%M:%S%.3f+0000"), "{t:?}");
                    assert_eq!(whole.as_str(), f("%Y-%m-%dT%H:%M:%SZ"), "{t:?}");
                }
            }
        }
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert!(date_time_text(far, false, "Z").is_none());
        let far_text = far.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
        assert_eq!(date_time_string(far, true, "+0000"), far_text);
        assert_eq!(date_time_string(far, false, "Z"), "+10000-01-01T00:00:00Z");
        assert!(date_time_text(manual_epoch(), false, &"x".repeat(40)).is_none());
    }

    #[test]
    fn a_stack_written_rfc3339_time_is_chronos_text() {
        use chrono::{TimeZone, Timelike};
        let years = [-262_143, -1, 0, 7, 999, 1970, 2024, 9999, 10_000, 262_142];
        for year in years {
            for (mo, d, h, mi, s) in [(1, 1, 0, 0, 0), (12, 31, 23, 59, 59), (2, 9, 7, 5, 3)] {
                let t = Utc.with_ymd_and_hms(year, mo, d, h, mi, s).unwrap();
                for nanos in [0, 1_000, 999, 123_456_789, 999_999_999] {
                    let t = t.with_nanosecond(nanos).unwrap();
                    assert_eq!(rfc3339_text(t).as_str(), rfc3339(t), "{t:?}");
                }
            }
        }
        let leap = Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap();
        let leap = leap.with_nanosecond(1_500_000_000).unwrap();
        assert_eq!(rfc3339_text(leap).as_str(), rfc3339(leap));
    }

    fn manual() -> Clock {
        Clock::new(&ClockConfig {
            mode: ClockMode::Manual,
            ..Default::default()
        })
    }

    #[test]
    fn a_held_real_clock_stands_still_then_goes_on_as_if_it_had_flowed() {
        let clock = Clock::new(&ClockConfig {
            mode: ClockMode::Real,
            time_scale: 1000.0,
            ..Default::default()
        });
        let held = clock.hold();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now(), held);
        clock.release();
        assert!(clock.now() >= held + TimeDelta::seconds(5));
    }

    #[test]
    fn a_pinned_clock_shows_the_pinned_time_and_keeps_tenant_offsets() {
        let clock = manual();
        clock.advance(60.0, Some("onepay:k"));
        let t = manual_epoch() + TimeDelta::days(3);
        clock.pin(t);
        assert_eq!(clock.now(), t);
        assert_eq!(clock.now_for("onepay:k"), t + TimeDelta::seconds(60));
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

    #[tokio::test(start_paused = true)]
    async fn a_real_clock_at_a_time_scale_of_1e12_stops_at_the_latest_time_instead_of_panicking() {
        let clock = Clock::new(&ClockConfig {
            mode: ClockMode::Real,
            time_scale: 1e12,
            start: Some(manual_epoch()),
        });
        tokio::time::advance(std::time::Duration::from_secs(8)).await;
        let at_8_s = clock.now();
        tokio::time::advance(std::time::Duration::from_secs(3600 * 24 * 365 * 10)).await;

        assert!(at_8_s <= max_time());
        assert_eq!(clock.now(), max_time());
        assert_eq!(clock.now_for("onepay:sk_test_a"), max_time());
        assert_eq!(clock.snapshot(None).time_scale, MAX_TIME_SCALE);
    }

    #[test]
    fn repeated_100_year_advances_are_refused_before_year_9999_is_passed() {
        let clock = manual();
        let century = MAX_SPAN_S as f64;
        let mut accepted = 0;
        for _ in 0..2_603 {
            if clock.check_advance(century, None).is_err() {
                break;
            }
            clock.advance(century, None);
            accepted += 1;
        }

        assert_eq!(
            accepted, 79,
            "2026 + 79 centuries (of 365 days) is the last one before 9999"
        );
        let err = clock.check_advance(century, None).unwrap_err();
        assert!(err.contains("9999-12-31T23:59:59.999999Z"), "{err}");
        assert!(clock.now() < max_time());
        clock.advance(century, None);
        assert_eq!(
            clock.now(),
            max_time(),
            "an unchecked advance stops at the latest time"
        );
    }

    #[test]
    fn a_tenant_is_refused_an_advance_past_year_9999_and_stops_there_unchecked() {
        let clock = manual();
        let tenant = Some("onepay:sk_test_a");
        for _ in 0..2_603 {
            clock.advance(MAX_SPAN_S as f64, tenant);
        }

        assert_eq!(clock.now_for("onepay:sk_test_a"), max_time());
        assert_eq!(clock.now(), manual_epoch());
        assert!(clock.check_advance(1.0, tenant).is_err());
        assert!(clock.check_advance(MAX_SPAN_S as f64, None).is_ok());
    }

    #[test]
    fn an_advance_names_its_field_and_limit_when_refused() {
        let clock = manual();
        let too_long = clock
            .check_advance(MAX_SPAN_S as f64 + 1.0, None)
            .unwrap_err();
        let backwards = clock.check_advance(-1.0, None).unwrap_err();
        let nan = clock.check_advance(f64::NAN, None).unwrap_err();

        assert_eq!(too_long, "`seconds` must be at most 3153600000 (100 years)");
        assert!(
            backwards.starts_with("`seconds` must be a number >= 0"),
            "{backwards}"
        );
        assert!(nan.starts_with("`seconds` must be a number >= 0"), "{nan}");
        assert!(clock.check_advance(MAX_SPAN_S as f64, None).is_ok());
    }

    #[test]
    fn a_time_scale_above_a_million_or_not_positive_is_refused_by_its_limit() {
        for bad in [1e12, 0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = check_time_scale(bad).unwrap_err();
            assert!(err.contains("at most 1000000"), "{bad}: {err}");
        }
        assert!(check_time_scale(MAX_TIME_SCALE).is_ok());
        assert!(check_time_scale(0.001).is_ok());
    }

    #[test]
    fn sums_of_a_time_and_a_huge_delay_saturate_at_the_latest_time() {
        let t = manual_epoch();

        assert_eq!(seconds_after(t, 1e308), max_time());
        assert_eq!(seconds_after(t, f64::INFINITY), max_time());
        assert_eq!(seconds_after(t, f64::NAN), t);
        assert_eq!(later(t, TimeDelta::MAX), max_time());
        assert_eq!(seconds_after(t, 1.5), t + TimeDelta::milliseconds(1500));
        assert_eq!(rfc3339(max_time()), "9999-12-31T23:59:59.999999Z");
    }
}
