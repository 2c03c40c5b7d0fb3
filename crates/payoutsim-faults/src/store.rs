//! [`Faults`]: the loaded rules, in order, with their counters, and the decision of which rule
//! hits a request or a webhook message.
//!
//! Readers take a snapshot (an `Arc` of the rule list) and an atomic count tells the layer, with
//! one load, that there is nothing to do. Each rule's counters sit behind their own short lock,
//! taken only when its matcher holds; nothing here is held across an `.await`.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use payoutsim_core::Engine;
use serde::Serialize;

use crate::matcher::{Head, Subject, matches_tail};
use crate::rule::{Fault, Rule};

/// A loaded rule: the rule as given (with its id), when it was loaded, and its counters.
#[derive(Debug)]
pub struct Loaded {
    pub rule: Rule,
    /// Its matcher's head, compiled.
    pub head: Head,
    pub id: String,
    /// Simulated time it was loaded (its `window` counts from here).
    pub loaded_at: DateTime<Utc>,
    counters: Mutex<Counters>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    /// Matches seen (inside the window).
    matches: u64,
    /// Matches the fault was applied to.
    hits: u64,
}

impl Loaded {
    pub fn hits(&self) -> u64 {
        self.counters().hits
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether it needs the request body or its tenant to decide.
    pub fn needs_tail(&self) -> bool {
        let m = &self.rule.matcher;
        m.tenant.is_some() || !m.body.is_empty() || self.rule.window.is_some()
    }

    pub fn needs_body(&self) -> bool {
        !self.rule.matcher.body.is_empty()
    }

    /// A match was seen at `now`: counts it and says whether the fault applies (`after`, then the
    /// seeded `probability`, then `times`).
    fn strike(&self, engine: &Engine, now: DateTime<Utc>) -> bool {
        if let Some(w) = self.rule.window {
            let elapsed = (now - self.loaded_at)
                .num_microseconds()
                .unwrap_or(i64::MAX) as f64;
            if !w.contains(elapsed / 1e6) {
                return false;
            }
        }
        let mut c = self.counters();
        if self.rule.times.is_some_and(|t| c.hits >= t) {
            return false;
        }
        c.matches += 1;
        if c.matches <= self.rule.after.unwrap_or(0) {
            return false;
        }
        if let Some(p) = self.rule.probability
            && p.0 < 1.0
            && engine.ids().unit(&format!("faults:{}", self.id)) >= p.0
        {
            return false;
        }
        c.hits += 1;
        true
    }

    /// Gives a hit back (an `outcome` rule whose request created nothing).
    pub fn refund(&self) {
        let mut c = self.counters();
        c.hits = c.hits.saturating_sub(1);
    }

    /// The rule as `GET /__admin/faults` shows it: its fields, `id`, `hits`, `loaded_at`.
    pub fn view(&self) -> RuleView<'_> {
        let c = *self.counters();
        RuleView {
            id: &self.id,
            rule: &self.rule,
            hits: c.hits,
            matches: c.matches,
            loaded_at: payoutsim_core::clock::rfc3339(self.loaded_at),
        }
    }
}

#[derive(Serialize)]
pub struct RuleView<'a> {
    pub id: &'a str,
    #[serde(flatten)]
    pub rule: &'a Rule,
    pub hits: u64,
    pub matches: u64,
    pub loaded_at: String,
}

/// Latency to wait, and the fault that decides the answer (if any).
#[derive(Debug, Default)]
pub struct Decision {
    pub latency: Vec<Arc<Loaded>>,
    pub fault: Option<Arc<Loaded>>,
}

impl Decision {
    pub fn is_empty(&self) -> bool {
        self.latency.is_empty() && self.fault.is_none()
    }
}

#[derive(Debug, Default)]
struct Inner {
    rules: RwLock<Arc<Vec<Arc<Loaded>>>>,
    /// `rules.len()`, readable without a lock.
    count: AtomicUsize,
    next_id: AtomicU64,
}

/// The fault rules: a cheap, clonable handle.
#[derive(Clone, Debug, Default)]
pub struct Faults(Arc<Inner>);

impl Faults {
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no rule is loaded: one atomic load.
    pub fn is_empty(&self) -> bool {
        self.0.count.load(Ordering::Acquire) == 0
    }

    pub fn snapshot(&self) -> Arc<Vec<Arc<Loaded>>> {
        self.0
            .rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether some rule satisfies `f`, read in place under the (shared, short) read lock.
    pub fn any(&self, f: impl FnMut(&Arc<Loaded>) -> bool) -> bool {
        let rules = self.0.rules.read().unwrap_or_else(|e| e.into_inner());
        rules.iter().any(f)
    }

    fn replace(&self, f: impl FnOnce(&mut Vec<Arc<Loaded>>)) {
        let mut guard = self.0.rules.write().unwrap_or_else(|e| e.into_inner());
        let mut rules: Vec<Arc<Loaded>> = guard.as_ref().clone();
        f(&mut rules);
        self.0.count.store(rules.len(), Ordering::Release);
        *guard = Arc::new(rules);
    }

    /// The next generated id not in use: `rule-1`, `rule-2`, …
    fn fresh_id(&self, taken: &[Arc<Loaded>]) -> String {
        loop {
            let n = self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let id = format!("rule-{n}");
            if !taken.iter().any(|r| r.id == id) {
                return id;
            }
        }
    }

    /// Appends already validated rules, all or none; a rule with an id already loaded replaces it
    /// in place. Returns the loaded rules.
    pub fn add(&self, rules: Vec<Rule>, loaded_at: DateTime<Utc>) -> Vec<Arc<Loaded>> {
        let mut added = Vec::with_capacity(rules.len());
        self.replace(|all| {
            for mut rule in rules {
                let id = match rule.id.take() {
                    Some(id) => id,
                    None => self.fresh_id(all),
                };
                rule.id = Some(id.clone());
                let loaded = Arc::new(Loaded {
                    head: Head::new(&rule.matcher),
                    rule,
                    id: id.clone(),
                    loaded_at,
                    counters: Mutex::new(Counters::default()),
                });
                match all.iter().position(|r| r.id == id) {
                    Some(i) => all[i] = loaded.clone(),
                    None => all.push(loaded.clone()),
                }
                added.push(loaded);
            }
        });
        added
    }

    /// Removes rule `id`; false when there is none.
    pub fn remove(&self, id: &str) -> bool {
        let mut found = false;
        self.replace(|all| {
            let before = all.len();
            all.retain(|r| r.id != id);
            found = all.len() != before;
        });
        found
    }

    /// Removes every rule (`provider`: only the rules that match that provider alone).
    pub fn clear(&self, provider: Option<&str>) {
        self.replace(|all| match provider {
            None => all.clear(),
            Some(p) => all.retain(|r| r.rule.matcher.provider.as_deref() != Some(p)),
        });
        if provider.is_none() {
            self.0.next_id.store(0, Ordering::Relaxed);
        }
    }

    /// Which rules hit a request: latency rules add up, the first other rule that hits decides.
    /// `tail` computes the tenant (and body) only if some rule whose head matched needs them;
    /// `now` reads the simulated clock (for the request's tenant when known).
    pub fn decide<'a>(
        &self,
        engine: &Engine,
        head: &Subject<'a>,
        tail: impl FnOnce(bool) -> (Option<String>, Option<serde_json::Value>),
        webhook: bool,
    ) -> Decision {
        let rules = self.snapshot();
        let mut decision = Decision::default();
        let mut tail = Some(tail);
        let mut known: (Option<String>, Option<serde_json::Value>) = (None, None);
        for loaded in rules.iter() {
            if loaded.rule.fault.is_webhook() != webhook || !loaded.head.matches(head) {
                continue;
            }
            if loaded.needs_tail()
                && let Some(f) = tail.take()
            {
                let needs_body = rules.iter().any(|r| r.needs_body());
                known = f(needs_body);
            }
            let subject = Subject {
                tenant: known.0.as_deref().or(head.tenant),
                body: known.1.as_ref().or(head.body),
                ..*head
            };
            if !matches_tail(&loaded.rule.matcher, &subject) {
                continue;
            }
            let now = match subject.tenant {
                Some(t) => engine.now_for(t),
                None => engine.clock().now(),
            };
            if !loaded.strike(engine, now) {
                continue;
            }
            if matches!(loaded.rule.fault, Fault::Latency(_)) {
                decision.latency.push(loaded.clone());
            } else {
                decision.fault = Some(loaded.clone());
                break;
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::rule::parse_rule;

    /// Parses `texts` and loads them into `faults`, all at the manual clock's epoch.
    fn add(faults: &Faults, texts: &[&str]) {
        let rules = texts.iter().map(|t| parse_rule(t).unwrap()).collect();
        faults.add(rules, payoutsim_core::clock::manual_epoch());
    }

    fn ids(faults: &Faults) -> Vec<String> {
        faults.snapshot().iter().map(|r| r.id.clone()).collect()
    }

    #[test]
    fn ids_are_generated_in_order_and_skip_those_taken() {
        let faults = Faults::new();

        add(&faults, &["{id: rule-2, fault: {kind: reset}}"]);
        add(&faults, &["fault: {kind: reset}", "fault: {kind: empty}"]);

        assert_eq!(ids(&faults), ["rule-2", "rule-1", "rule-3"]);
    }

    #[test]
    fn a_rule_with_a_loaded_id_replaces_it_in_place() {
        let faults = Faults::new();
        add(
            &faults,
            &[
                "{id: a, fault: {kind: reset}}",
                "{id: b, fault: {kind: reset}}",
            ],
        );

        add(&faults, &["{id: a, fault: {kind: empty}}"]);

        assert_eq!(ids(&faults), ["a", "b"]);
        assert_eq!(faults.snapshot()[0].rule.fault.kind(), "empty");
    }

    #[test]
    fn clearing_one_provider_keeps_the_other_rules_and_clearing_all_restarts_ids() {
        let faults = Faults::new();
        add(
            &faults,
            &[
                "{match: {provider: onepay}, fault: {kind: reset}}",
                "fault: {kind: reset}",
            ],
        );

        faults.clear(Some("onepay"));
        let left = ids(&faults);
        faults.clear(None);
        add(&faults, &["fault: {kind: reset}"]);

        assert_eq!(left, ["rule-2"]);
        assert_eq!(ids(&faults), ["rule-1"]);
        assert!(!faults.remove("nope"));
        assert!(faults.remove("rule-1") && faults.is_empty());
    }
}
