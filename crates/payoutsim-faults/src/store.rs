//! [`Faults`]: the loaded rules, in order, with their counters, and the decision of which rule
//! hits a request or a webhook message.
//!
//! Readers take a snapshot (an `Arc` of the rule list and its index by provider and path) and an
//! atomic count tells the layer, with one load, that there is nothing to do. Changes build the
//! next snapshot in time linear in the rules, outside the lock readers take, and swap it in. Each rule's counters sit behind their own short lock,
//! taken only when its matcher holds; nothing here is held across an `.await`.

use std::collections::HashMap;
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

/// The default of `--max-fault-rules`.
pub const DEFAULT_MAX_RULES: usize = 10_000;

/// One published set of rules: the list in order, its ids, and an index of the list by what a
/// request offers first (provider and path), so a request looks only at the rules that can match
/// it. Built once per change, outside any lock a request takes, then swapped in.
#[derive(Debug, Default)]
pub struct Snapshot {
    rules: Vec<Arc<Loaded>>,
    by_id: HashMap<String, usize>,
    /// Request rules for any provider, by path key (see [`path_key`]).
    any: HashMap<String, Vec<u32>>,
    /// Request rules for one provider, by provider then path key.
    by_provider: HashMap<String, HashMap<String, Vec<u32>>>,
    /// Webhook rules for any provider, and by provider.
    webhook_any: Vec<u32>,
    webhook_by_provider: HashMap<String, Vec<u32>>,
    /// Whether some rule matches on the body.
    needs_body: bool,
}

impl std::ops::Deref for Snapshot {
    type Target = [Arc<Loaded>];
    fn deref(&self) -> &[Arc<Loaded>] {
        &self.rules
    }
}

/// The key of a request rule in its path index: no path, `""`; a path without `*` or `?`, the
/// path itself; a glob, its literal prefix up to and including the last `/` (what every path it
/// matches starts with).
fn path_key(head: &Head) -> &str {
    match head.path() {
        None => "",
        Some(p) if p.is_literal() => p.text(),
        Some(p) => {
            let literal = p.literal();
            literal.rfind('/').map_or("", |i| &literal[..=i])
        }
    }
}

/// The keys a request path can be found under: `""`, the path, and each prefix ending in `/`.
fn path_keys(path: Option<&str>) -> impl Iterator<Item = &str> {
    let path = path.unwrap_or_default();
    let dirs = path.match_indices('/').map(move |(i, _)| &path[..=i]);
    ["", path].into_iter().chain(dirs)
}

impl Snapshot {
    fn build(rules: Vec<Arc<Loaded>>) -> Self {
        let mut s = Snapshot {
            by_id: HashMap::with_capacity(rules.len()),
            ..Snapshot::default()
        };
        for (i, r) in rules.iter().enumerate() {
            let i = i as u32;
            s.by_id.insert(r.id.clone(), i as usize);
            s.needs_body |= r.needs_body();
            let provider = r.rule.matcher.provider.as_deref();
            if r.rule.fault.is_webhook() {
                match provider {
                    None => s.webhook_any.push(i),
                    Some(p) => s.webhook_by_provider.entry(p.into()).or_default().push(i),
                }
                continue;
            }
            let paths = match provider {
                None => &mut s.any,
                Some(p) => s.by_provider.entry(p.into()).or_default(),
            };
            paths.entry(path_key(&r.head).into()).or_default().push(i);
        }
        s.rules = rules;
        s
    }

    /// The indices, in load order, of the rules whose provider and path could match `head`.
    fn candidates(&self, head: &Subject<'_>, webhook: bool) -> Vec<u32> {
        let mut out = Vec::new();
        self.each_bucket(head, webhook, |ids| out.extend_from_slice(ids));
        out.sort_unstable();
        out
    }

    fn each_bucket(&self, head: &Subject<'_>, webhook: bool, mut f: impl FnMut(&[u32])) {
        if webhook {
            f(&self.webhook_any);
            if let Some(ids) = self.webhook_by_provider.get(head.provider) {
                f(ids);
            }
            return;
        }
        let own = self.by_provider.get(head.provider);
        for key in path_keys(head.path) {
            for paths in std::iter::once(&self.any).chain(own) {
                if let Some(ids) = paths.get(key) {
                    f(ids);
                }
            }
        }
    }

    /// Whether the head of some request rule matches `head`, without allocating.
    pub fn any_head_matches(&self, head: &Subject<'_>) -> bool {
        let mut found = false;
        self.each_bucket(head, false, |ids| {
            found = found
                || ids
                    .iter()
                    .any(|&i| self.rules[i as usize].head.matches(head));
        });
        found
    }
}

#[derive(Debug)]
struct Inner {
    rules: RwLock<Arc<Snapshot>>,
    /// Taken by whoever changes the rules (never by a request): changes build the next snapshot
    /// one at a time, and take `rules` only to swap it in.
    writer: Mutex<()>,
    /// `rules.len()`, readable without a lock.
    count: AtomicUsize,
    next_id: AtomicU64,
    max: AtomicUsize,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            rules: RwLock::default(),
            writer: Mutex::new(()),
            count: AtomicUsize::new(0),
            next_id: AtomicU64::new(0),
            max: AtomicUsize::new(DEFAULT_MAX_RULES),
        }
    }
}

/// The fault rules: a cheap, clonable handle.
#[derive(Clone, Debug, Default)]
pub struct Faults(Arc<Inner>);

impl Faults {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the most rules that can be loaded at once (`--max-fault-rules`).
    pub fn set_max_rules(&self, max: usize) {
        self.0.max.store(max, Ordering::Relaxed);
    }

    pub fn max_rules(&self) -> usize {
        self.0.max.load(Ordering::Relaxed)
    }

    /// True when no rule is loaded: one atomic load.
    pub fn is_empty(&self) -> bool {
        self.0.count.load(Ordering::Acquire) == 0
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.0
            .rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs `f` on the current rules to build the next ones, one change at a time, and swaps
    /// them in. Requests keep reading the old snapshot meanwhile.
    fn change<T>(
        &self,
        f: impl FnOnce(&Snapshot) -> Result<(Vec<Arc<Loaded>>, T), String>,
    ) -> Result<T, String> {
        let _writing = self.0.writer.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.snapshot();
        let (rules, out) = f(&current)?;
        let next = Arc::new(Snapshot::build(rules));
        let count = next.len();
        *self.0.rules.write().unwrap_or_else(|e| e.into_inner()) = next;
        self.0.count.store(count, Ordering::Release);
        Ok(out)
    }

    /// The next generated id in use by neither `taken` nor `batch`: `rule-1`, `rule-2`, …
    fn fresh_id(&self, taken: &Snapshot, batch: &HashMap<String, usize>) -> String {
        loop {
            let n = self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let id = format!("rule-{n}");
            if !taken.by_id.contains_key(&id) && !batch.contains_key(&id) {
                return id;
            }
        }
    }

    /// How many rules there would be once `ids` (given ids; `None` for a new one) are added.
    fn count_after<'a>(current: &Snapshot, ids: impl Iterator<Item = Option<&'a str>>) -> usize {
        let mut fresh = std::collections::HashSet::new();
        let mut added = 0;
        for id in ids {
            match id {
                Some(id) if current.by_id.contains_key(id) => {}
                Some(id) => added += usize::from(fresh.insert(id)),
                None => added += 1,
            }
        }
        current.len() + added
    }

    /// Refuses rules that would take the store past `--max-fault-rules`.
    pub fn check_room(&self, rules: &[Rule]) -> Result<(), String> {
        let current = self.snapshot();
        self.room(&current, rules.iter().map(|r| r.id.as_deref()))
    }

    fn room<'a>(
        &self,
        current: &Snapshot,
        ids: impl Iterator<Item = Option<&'a str>>,
    ) -> Result<(), String> {
        let max = self.max_rules();
        let after = Self::count_after(current, ids);
        if after > max {
            return Err(format!(
                "at most {max} fault rules can be loaded (--max-fault-rules); {} are loaded and \
                 this would make {after}",
                current.len()
            ));
        }
        Ok(())
    }

    /// Appends already validated rules, all or none, each with when it was loaded; a rule with
    /// an id already loaded replaces it in place. Linear in the rules loaded plus those given.
    /// Refused (nothing loaded) past `--max-fault-rules`. Returns the loaded rules.
    pub fn add(&self, rules: Vec<(Rule, DateTime<Utc>)>) -> Result<Vec<Arc<Loaded>>, String> {
        self.change(|current| {
            self.room(current, rules.iter().map(|(r, _)| r.id.as_deref()))?;
            let mut all: Vec<Arc<Loaded>> = current.rules.clone();
            let mut batch: HashMap<String, usize> = HashMap::new();
            let mut added = Vec::with_capacity(rules.len());
            for (mut rule, loaded_at) in rules {
                let id = match rule.id.take() {
                    Some(id) => id,
                    None => self.fresh_id(current, &batch),
                };
                rule.id = Some(id.clone());
                let loaded = Arc::new(Loaded {
                    head: Head::new(&rule.matcher),
                    rule,
                    id: id.clone(),
                    loaded_at,
                    counters: Mutex::new(Counters::default()),
                });
                match current.by_id.get(&id).or(batch.get(&id)) {
                    Some(&i) => all[i] = loaded.clone(),
                    None => {
                        batch.insert(id, all.len());
                        all.push(loaded.clone());
                    }
                }
                added.push(loaded);
            }
            Ok((all, added))
        })
    }

    /// Removes rule `id`; false when there is none.
    pub fn remove(&self, id: &str) -> bool {
        self.change(|current| match current.by_id.get(id) {
            None => Err(String::new()),
            Some(&i) => {
                let mut all = current.rules.clone();
                all.remove(i);
                Ok((all, ()))
            }
        })
        .is_ok()
    }

    /// Removes every rule (`provider`: only the rules that match that provider alone).
    pub fn clear(&self, provider: Option<&str>) {
        let _ = self.change(|current| {
            let kept = match provider {
                None => Vec::new(),
                Some(p) => current
                    .rules
                    .iter()
                    .filter(|r| r.rule.matcher.provider.as_deref() != Some(p))
                    .cloned()
                    .collect(),
            };
            if provider.is_none() {
                self.0.next_id.store(0, Ordering::Relaxed);
            }
            Ok((kept, ()))
        });
    }

    /// Which rules hit a request: latency rules add up, the first other rule that hits decides.
    /// Only the rules the index finds for the subject's provider and path are looked at.
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
        for i in rules.candidates(head, webhook) {
            let loaded = &rules.rules[i as usize];
            if loaded.rule.fault.is_webhook() != webhook || !loaded.head.matches(head) {
                continue;
            }
            if loaded.needs_tail()
                && let Some(f) = tail.take()
            {
                known = f(rules.needs_body);
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
        let rules: Vec<Rule> = texts.iter().map(|t| parse_rule(t).unwrap()).collect();
        let at = payoutsim_core::clock::manual_epoch();
        faults
            .add(rules.into_iter().map(|r| (r, at)).collect())
            .unwrap();
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

    /// `n` request rules for other paths, parsed before any timing starts.
    fn many(n: usize) -> Vec<(Rule, DateTime<Utc>)> {
        let template = parse_rule("{match: {path: /v1/x}, fault: {kind: reset}}").unwrap();
        let at = payoutsim_core::clock::manual_epoch();
        (0..n)
            .map(|i| {
                let mut rule = template.clone();
                rule.matcher.path = Some(format!("/v1/x/{i}/*"));
                (rule, at)
            })
            .collect()
    }

    /// The shortest of three runs of loading `n` rules on top of `n` loaded, in seconds.
    fn load_time(n: usize) -> f64 {
        (0..3)
            .map(|_| {
                let faults = Faults::new();
                faults.set_max_rules(usize::MAX);
                faults.add(many(n)).unwrap();
                let batch = many(n);
                let start = std::time::Instant::now();
                faults.add(batch).unwrap();
                let took = start.elapsed().as_secs_f64();
                assert_eq!(faults.snapshot().len(), 2 * n);
                took
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn loading_eight_times_the_rules_takes_about_eight_times_as_long_not_sixty_four() {
        let small = load_time(2_000);
        let big = load_time(16_000);

        let ratio = big / small.max(1e-6);
        assert!(
            ratio < 24.0,
            "16k rules on 16k took {big:.4}s, 2k on 2k {small:.4}s: ratio {ratio:.1} (linear: 8, quadratic: 64)"
        );
    }

    #[test]
    fn a_load_past_the_cap_is_refused_whole_naming_the_flag() {
        let faults = Faults::new();
        faults.set_max_rules(3);
        add(
            &faults,
            &["{id: a, fault: {kind: reset}}", "fault: {kind: reset}"],
        );

        let err = faults.add(many(2)).unwrap_err();
        let replacing = faults.add(vec![(
            parse_rule("{id: a, fault: {kind: empty}}").unwrap(),
            payoutsim_core::clock::manual_epoch(),
        )]);

        assert!(err.contains("--max-fault-rules"), "{err}");
        assert!(err.contains("at most 3"), "{err}");
        assert_eq!(
            ids(&faults),
            ["a", "rule-1"],
            "nothing of the refused load stays"
        );
        assert!(replacing.is_ok(), "replacing a rule by id adds none");
        assert!(faults.add(many(1)).is_ok());
        assert_eq!(Faults::new().max_rules(), DEFAULT_MAX_RULES);
    }

    fn request<'a>(provider: &'a str, path: &'a str) -> Subject<'a> {
        Subject {
            provider,
            method: Some(&http::Method::GET),
            path: Some(path),
            ..Subject::default()
        }
    }

    #[test]
    fn the_index_finds_every_rule_that_can_match_in_load_order_and_no_other() {
        let faults = Faults::new();
        add(
            &faults,
            &[
                "{id: any, fault: {kind: reset}}",
                "{id: kash, match: {provider: kashpay}, fault: {kind: reset}}",
                "{id: exact, match: {provider: onepay, path: /v1/banks}, fault: {kind: reset}}",
                "{id: glob, match: {path: /v1/cashouts/*}, fault: {kind: reset}}",
                "{id: deep, match: {path: '/v1/**'}, fault: {kind: reset}}",
                "{id: star, match: {path: '*'}, fault: {kind: reset}}",
                "{id: hook, fault: {kind: webhook_drop}}",
            ],
        );
        let snapshot = faults.snapshot();
        let found = |provider, path| -> Vec<String> {
            let head = request(provider, path);
            snapshot
                .candidates(&head, false)
                .into_iter()
                .map(|i| snapshot[i as usize].id.clone())
                .collect()
        };
        let hooks: Vec<_> = snapshot
            .candidates(&request("onepay", ""), true)
            .into_iter()
            .map(|i| snapshot[i as usize].id.clone())
            .collect();

        assert_eq!(
            found("onepay", "/v1/banks"),
            ["any", "exact", "deep", "star"]
        );
        assert_eq!(
            found("onepay", "/v1/cashouts/c1"),
            ["any", "glob", "deep", "star"]
        );
        assert_eq!(
            found("kashpay", "/v1/banks"),
            ["any", "kash", "deep", "star"]
        );
        assert_eq!(found("tupay", "/other"), ["any", "star"]);
        assert_eq!(hooks, ["hook"]);
        assert!(snapshot.any_head_matches(&request("tupay", "/v1/x")));
    }

    #[test]
    fn a_request_no_rule_can_match_finds_no_candidate_among_many() {
        let faults = Faults::new();
        faults.set_max_rules(usize::MAX);
        faults.add(many(1_000)).unwrap();
        let snapshot = faults.snapshot();

        let head = request("onepay", "/v1/cashouts/c1");

        assert!(snapshot.candidates(&head, false).is_empty());
        assert!(!snapshot.any_head_matches(&head));
        assert_eq!(
            snapshot.candidates(&request("onepay", "/v1/x/7/a"), false),
            [7]
        );
    }
}
