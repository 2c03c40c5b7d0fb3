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
    pub fn due_from(self, t: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Delay::Seconds(s) => t + TimeDelta::seconds(s),
            Delay::BusinessDays(n) => {
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
        }
    }
}

fn is_weekend(t: DateTime<Utc>) -> bool {
    matches!(t.weekday(), Weekday::Sat | Weekday::Sun)
}

/// One allowed move between statuses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub after: Delay,
}

/// A provider's state machine for one kind (and variant) of object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMachine {
    /// The kind of object, e.g. `cashout`.
    pub kind: String,
    /// The variant, e.g. `ACH`; empty when the kind has one machine.
    pub variant: String,
    pub initial: String,
    pub edges: Vec<Edge>,
    /// Terminal statuses; the first is the default (success) outcome.
    pub terminal: Vec<String>,
}

impl StateMachine {
    pub fn new(kind: &str, variant: &str, initial: &str, terminal: &[&str]) -> Self {
        Self {
            kind: kind.into(),
            variant: variant.into(),
            initial: initial.into(),
            edges: Vec::new(),
            terminal: terminal.iter().map(|s| s.to_string()).collect(),
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
    pub fn success(&self) -> &str {
        self.terminal.first().map(String::as_str).unwrap_or("")
    }

    pub fn is_terminal(&self, status: &str) -> bool {
        self.terminal.iter().any(|t| t == status)
    }

    pub fn knows(&self, status: &str) -> bool {
        self.initial == status
            || self
                .edges
                .iter()
                .any(|e| e.from == status || e.to == status)
            || self.is_terminal(status)
    }

    /// Every status it knows, the initial one first, then in edge order.
    pub fn statuses(&self) -> Vec<String> {
        let mut all = vec![self.initial.clone()];
        let terminal = self.terminal.iter();
        for s in self
            .edges
            .iter()
            .flat_map(|e| [&e.from, &e.to])
            .chain(terminal)
        {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
        all
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
    pub status: String,
    pub at: DateTime<Utc>,
}

/// Where an object is in its state machine. Providers embed it in their objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub kind: String,
    pub variant: String,
    pub status: String,
    /// The terminal status this object is destined to reach.
    pub outcome: String,
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
}
