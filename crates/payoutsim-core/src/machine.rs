//! State machines as data: the statuses an asynchronous object moves through, the allowed edges and
//! their delays on the simulated clock.
//!
//! A provider declares one [`StateMachine`] per kind of object and variant (a `cashout` kind may
//! have `ACH` and `TURBO` variants, with different timings). An object carries a [`Lifecycle`]: its status, the
//! terminal outcome decided for it when it was created, and its history. The engine picks the next
//! edge (see [`StateMachine::next_edge`]) and schedules it on the timeline.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Datelike, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::clock::{MAX_SPAN_S, later};
use crate::name::Name;

/// How long after entering `from` an edge fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delay {
    /// A fixed number of simulated seconds.
    Seconds(i64),
    /// The same time of day, N business days (Monday to Friday) later; a start on a weekend counts
    /// from the next Monday. Public holidays are not modelled.
    BusinessDays(u32),
}

impl Delay {
    /// The longest delay in seconds: [`MAX_SPAN_S`], 100 years.
    pub const MAX_SECONDS: i64 = MAX_SPAN_S;
    /// The longest delay in business days: about 100 years of weekdays.
    pub const MAX_BUSINESS_DAYS: u32 = 26_000;

    /// The delay a caller gives as exactly one of `seconds` or `business_days` (the admin API,
    /// scenario files), range-checked: the message names the field and its limit.
    pub fn from_fields(seconds: Option<i64>, business_days: Option<u32>) -> Result<Self, String> {
        match (seconds, business_days) {
            (Some(s), None) => Delay::Seconds(s).checked(),
            (None, Some(d)) => Delay::BusinessDays(d).checked(),
            _ => Err("give exactly one of `seconds` (>= 0) or `business_days`".into()),
        }
    }

    /// This delay if it is within its limits ([`Delay::MAX_SECONDS`],
    /// [`Delay::MAX_BUSINESS_DAYS`]), else why not, naming the field and the limit.
    pub fn checked(self) -> Result<Self, String> {
        match self {
            Delay::Seconds(s) if !(0..=Self::MAX_SECONDS).contains(&s) => Err(format!(
                "`seconds` must be between 0 and {} (100 years), got {s}",
                Self::MAX_SECONDS
            )),
            Delay::BusinessDays(d) if d > Self::MAX_BUSINESS_DAYS => Err(format!(
                "`business_days` must be at most {} (about 100 years), got {d}",
                Self::MAX_BUSINESS_DAYS
            )),
            ok => Ok(ok),
        }
    }

    /// When an edge entered at `t` falls due. Any delay, checked or not, gives a time: past
    /// [`max_time`](crate::clock::max_time) it is that time. Constant time whatever the delay.
    pub fn due_from(self, t: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Delay::Seconds(s) => later(t, TimeDelta::try_seconds(s).unwrap_or(TimeDelta::MAX)),
            Delay::BusinessDays(n) => {
                let days = |n: i64| TimeDelta::try_days(n).unwrap_or(TimeDelta::MAX);
                // A start on a weekend counts from the next Monday, same time of day.
                let d = match t.weekday() {
                    Weekday::Sat => later(t, days(2)),
                    Weekday::Sun => later(t, days(1)),
                    _ => t,
                };
                // Five business days are a week; the rest steps over one weekend or none.
                let rest = i64::from(n % 5);
                let weekday = i64::from(d.weekday().num_days_from_monday());
                let over_weekend = if weekday + rest > 4 { 2 } else { 0 };
                let d = later(d, days(7 * i64::from(n / 5)));
                later(d, days(rest + over_weekend))
            }
        }
    }
}

/// One allowed move between statuses. Its statuses are interned when the machine is built or
/// read, so that stepping an object along it looks nothing up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: Name,
    pub to: Name,
    pub after: Delay,
}

/// A provider's state machine for one kind (and variant) of object. Its names are interned
/// ([`Name`]) once, when it is built or read: starting an object on it and stepping the object
/// take them as they are. They read and write as their text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMachine {
    /// The kind of object, e.g. `cashout`.
    pub kind: Name,
    /// The variant, e.g. `ACH`; empty when the kind has one machine.
    pub variant: Name,
    pub initial: Name,
    pub edges: Vec<Edge>,
    /// Terminal statuses; the first is the default (success) outcome.
    pub terminal: Vec<Name>,
}

impl StateMachine {
    pub fn new(kind: &str, variant: &str, initial: &str, terminal: &[&str]) -> Self {
        Self {
            kind: kind.into(),
            variant: variant.into(),
            initial: initial.into(),
            edges: Vec::new(),
            terminal: terminal.iter().map(|s| Name::new(s)).collect(),
        }
    }

    /// Adds an edge (builder style, so a provider's table reads as data).
    pub fn edge(mut self, from: &str, to: &str, after: Delay) -> Self {
        self.edges.push(Edge {
            from: from.into(),
            to: to.into(),
            after,
        });
        self
    }

    /// The success outcome: the first terminal status.
    pub fn success(&self) -> Name {
        self.terminal.first().copied().unwrap_or_default()
    }

    pub fn is_terminal(&self, status: &str) -> bool {
        self.terminal.iter().any(|t| t == status)
    }

    /// The machine's own interned name of `status`, found without the interner (`None` when
    /// the machine does not know it).
    pub fn status(&self, status: &str) -> Option<Name> {
        std::iter::once(&self.initial)
            .chain(self.edges.iter().flat_map(|e| [&e.from, &e.to]))
            .chain(&self.terminal)
            .find(|s| **s == status)
            .copied()
    }

    /// `status` as a name: the machine's own when it knows it (no lookup), else interned.
    pub fn interned(&self, status: &str) -> Name {
        self.status(status).unwrap_or_else(|| Name::new(status))
    }

    pub fn knows(&self, status: &str) -> bool {
        self.status(status).is_some()
    }

    /// Every status it knows, the initial one first, then in edge order.
    pub fn statuses(&self) -> Vec<String> {
        let mut all: Vec<Name> = vec![self.initial];
        let terminal = self.terminal.iter();
        for s in self
            .edges
            .iter()
            .flat_map(|e| [&e.from, &e.to])
            .chain(terminal)
        {
            if !all.contains(s) {
                all.push(*s);
            }
        }
        all.into_iter().map(String::from).collect()
    }

    /// The edge an object in `from`, destined for `outcome`, takes next: the edge straight to
    /// `outcome` if there is one, else the first edge to a non-terminal status (a step on the way).
    pub fn next_edge(&self, from: &str, outcome: &str) -> Option<&Edge> {
        let out = || self.edges.iter().filter(move |e| e.from == from);
        out()
            .find(|e| e.to == outcome)
            .or_else(|| out().find(|e| !self.is_terminal(&e.to)))
    }

    /// Changes the delay of the edge `from -> to`; false when there is no such edge.
    pub fn set_delay(&mut self, from: &str, to: &str, after: Delay) -> bool {
        match self.edges.iter_mut().find(|e| e.from == from && e.to == to) {
            Some(e) => {
                e.after = after;
                true
            }
            None => false,
        }
    }
}

/// One status an object entered, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: Name,
    pub at: DateTime<Utc>,
}

/// Where an object is in its state machine. Providers embed it in their objects. Its names are
/// interned ([`Name`]); its history holds exactly the changes it made (no spare room).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub kind: Name,
    pub variant: Name,
    pub status: Name,
    /// The terminal status this object is destined to reach.
    pub outcome: Name,
    /// Why it reaches that outcome when it is not success (a magic value, a forced outcome).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub history: Vec<StatusChange>,
}

impl Lifecycle {
    pub fn entered(&self, status: &str) -> Option<DateTime<Utc>> {
        self.history
            .iter()
            .rev()
            .find(|c| c.status == status)
            .map(|c| c.at)
    }
}

/// A provider's machines, as the `Provider` trait serves them: a request takes one without
/// copying the table, and the admin API changes delays at run time (objects already scheduled keep
/// theirs).
#[derive(Debug, Default)]
pub struct Machines(RwLock<Vec<Arc<StateMachine>>>);

impl Machines {
    pub fn new(machines: Vec<StateMachine>) -> Self {
        Self(RwLock::new(machines.into_iter().map(Arc::new).collect()))
    }

    /// The machine of `kind` and `variant`.
    pub fn get(&self, kind: &str, variant: &str) -> Option<Arc<StateMachine>> {
        let machines = self.0.read().unwrap_or_else(|e| e.into_inner());
        machines
            .iter()
            .find(|m| m.kind == kind && m.variant == variant)
            .cloned()
    }

    /// Every machine, as currently configured (`Provider::machines`).
    pub fn list(&self) -> Vec<StateMachine> {
        let machines = self.0.read().unwrap_or_else(|e| e.into_inner());
        machines.iter().map(|m| StateMachine::clone(m)).collect()
    }

    /// `Provider::set_delay`: edge `from -> to` of `kind`, of one `variant` or (empty) of all.
    pub fn set_delay(&self, kind: &str, variant: &str, from: &str, to: &str, after: Delay) -> bool {
        let mut machines = self.0.write().unwrap_or_else(|e| e.into_inner());
        let mut changed = false;
        for m in machines
            .iter_mut()
            .filter(|m| m.kind == kind && (variant.is_empty() || m.variant == variant))
        {
            changed |= Arc::make_mut(m).set_delay(from, to, after);
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cashout() -> StateMachine {
        StateMachine::new("cashout", "TURBO", "pending", &["processed", "failed"])
            .edge("pending", "processing", Delay::Seconds(60))
            .edge("processing", "processed", Delay::Seconds(1800))
            .edge("processing", "failed", Delay::Seconds(1800))
    }

    #[test]
    fn next_edge_steps_towards_the_decided_outcome() {
        let m = cashout();
        assert_eq!(
            m.next_edge("pending", "failed").map(|e| e.to.as_str()),
            Some("processing")
        );
        assert_eq!(
            m.next_edge("processing", "failed").map(|e| e.to.as_str()),
            Some("failed")
        );
        assert_eq!(
            m.next_edge("processing", "processed")
                .map(|e| e.to.as_str()),
            Some("processed")
        );
        assert!(m.next_edge("processed", "processed").is_none());
    }

    #[test]
    fn a_machine_holds_its_statuses_as_names_and_reads_and_writes_them_as_text() {
        let m = cashout();
        let json = serde_json::to_value(&m).unwrap();
        let back: StateMachine = serde_json::from_value(json.clone()).unwrap();

        assert_eq!(m.status("processing"), Some(Name::new("processing")));
        assert_eq!(m.status("settled"), None);
        assert_eq!(m.interned("settled"), Name::new("settled"));
        assert_eq!(m.success(), "processed");
        assert_eq!(json["kind"], "cashout");
        assert_eq!(json["edges"][0]["to"], "processing");
        assert_eq!(json["terminal"], serde_json::json!(["processed", "failed"]));
        assert_eq!(back, m);
        assert_eq!(
            m.statuses(),
            ["pending", "processing", "processed", "failed"]
        );
    }

    #[test]
    fn one_business_day_from_friday_is_monday() {
        let fri = Utc.with_ymd_and_hms(2026, 1, 9, 15, 0, 0).unwrap();
        let mon = Utc.with_ymd_and_hms(2026, 1, 12, 15, 0, 0).unwrap();
        assert_eq!(Delay::BusinessDays(1).due_from(fri), mon);
    }

    #[test]
    fn one_business_day_from_saturday_is_tuesday() {
        let sat = Utc.with_ymd_and_hms(2026, 1, 10, 15, 0, 0).unwrap();
        let tue = Utc.with_ymd_and_hms(2026, 1, 13, 15, 0, 0).unwrap();
        assert_eq!(Delay::BusinessDays(1).due_from(sat), tue);
    }

    #[test]
    fn delays_can_be_reconfigured() {
        let mut m = cashout();
        assert!(m.set_delay("pending", "processing", Delay::Seconds(5)));
        assert!(!m.set_delay("pending", "processed", Delay::Seconds(5)));
        assert_eq!(m.edges[0].after, Delay::Seconds(5));
    }

    #[test]
    fn a_machine_table_changes_delays_of_one_variant_or_all() {
        let ach = StateMachine::new("cashout", "ACH", "pending", &["processed"]).edge(
            "pending",
            "processed",
            Delay::Seconds(10),
        );
        let table = Machines::new(vec![cashout(), ach]);
        let held = table.get("cashout", "TURBO").unwrap();
        assert!(table.set_delay(
            "cashout",
            "TURBO",
            "pending",
            "processing",
            Delay::Seconds(5)
        ));
        assert!(!table.set_delay("cashout", "ACH", "pending", "processing", Delay::Seconds(5)));
        assert!(table.set_delay("cashout", "", "pending", "processed", Delay::Seconds(7)));
        assert_eq!(
            held.edges[0].after,
            Delay::Seconds(60),
            "a held machine keeps its delays"
        );
        let now = table.list();
        assert_eq!(now[0].edges[0].after, Delay::Seconds(5));
        assert_eq!(now[1].edges[0].after, Delay::Seconds(7));
        assert!(table.get("cashout", "INSTANT").is_none());
    }

    fn is_weekend(t: DateTime<Utc>) -> bool {
        matches!(t.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The loop the O(1) sum replaced, day by day: the definition of a business day delay.
    fn business_days_by_steps(t: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let mut d = t;
        while is_weekend(d) {
            d += TimeDelta::days(1);
        }
        let mut left = n;
        while left > 0 {
            d += TimeDelta::days(1);
            if !is_weekend(d) {
                left -= 1;
            }
        }
        d
    }

    #[test]
    fn business_days_agree_with_counting_them_one_by_one() {
        let monday = Utc.with_ymd_and_hms(2026, 1, 5, 15, 30, 0).unwrap();
        for start in 0..14 {
            let t = monday + TimeDelta::days(start);
            for n in 0..40 {
                assert_eq!(
                    Delay::BusinessDays(n).due_from(t),
                    business_days_by_steps(t, n),
                    "{n} business days from {t}"
                );
            }
        }
    }

    #[test]
    fn delays_of_i64_max_8e15_seconds_or_u32_max_business_days_end_at_the_latest_time() {
        let t = crate::clock::manual_epoch();
        let started = std::time::Instant::now();

        let huge = [
            Delay::Seconds(i64::MAX),
            Delay::Seconds(8_000_000_000_000_000),
            Delay::BusinessDays(u32::MAX),
        ];

        for d in huge {
            assert_eq!(d.due_from(t), crate::clock::max_time(), "{d:?}");
        }
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn a_delay_out_of_range_is_refused_naming_its_field_and_limit() {
        let seconds = Delay::from_fields(Some(9_223_372_036_854_775_807), None).unwrap_err();
        let days = Delay::from_fields(None, Some(4_294_967_295)).unwrap_err();
        let negative = Delay::from_fields(Some(-1), None).unwrap_err();
        let both = Delay::from_fields(Some(1), Some(1)).unwrap_err();

        assert!(
            seconds.starts_with("`seconds` must be between 0 and 3153600000"),
            "{seconds}"
        );
        assert!(
            days.starts_with("`business_days` must be at most 26000"),
            "{days}"
        );
        assert!(
            negative.starts_with("`seconds` must be between 0"),
            "{negative}"
        );
        assert!(both.contains("exactly one"), "{both}");
        assert_eq!(
            Delay::from_fields(Some(Delay::MAX_SECONDS), None),
            Ok(Delay::Seconds(Delay::MAX_SECONDS))
        );
        assert_eq!(
            Delay::from_fields(None, Some(26_000)),
            Ok(Delay::BusinessDays(26_000))
        );
    }
}
