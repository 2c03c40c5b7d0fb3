//! Scenario files (YAML): a name, a description, `setup` and `rules`; read, checked, applied.
//!
//! - [`Scenario::parse`]: text -> scenario; errors carry the field path, line and column
//! - [`check`]: what needs the providers (names, tenant names, machines, outcome statuses),
//!   before anything moves
//! - [`apply`]: runs the setup (tenants, balances, timings, webhooks) and loads the rules, all
//!   checked first
//! - [`locate`]: the line and column of a field a message names, for `payoutsim scenario check`

use std::collections::BTreeMap;
use std::sync::Arc;

use payoutsim_core::Engine;
use payoutsim_core::clock::ClockMode;
use payoutsim_core::machine::Delay;
use payoutsim_core::webhooks::WebhookTarget;
use serde::{Deserialize, Serialize};

use crate::load::{check_rules, provider_of};
use crate::rule::Rule;
use crate::store::{Faults, Loaded};

/// A scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub setup: Setup,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// What is arranged before the rules apply.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// `manual` or `real`: the clock the scenario was written for. `serve --scenario` starts
    /// with it (unless `--clock` says otherwise); loaded into a running simulator with another
    /// clock it still loads, with a note saying so (see [`notes`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockName>,
    /// Tenants the scenario talks about (`<provider>:<credential>`), provisioned when it is
    /// applied (`Provider::provision`): each is listed and has its provider-side data (starting
    /// balance included) before any client request, and the first client to authenticate as it
    /// binds its secret. Each must be well formed for a provider being served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<String>,
    /// Tenant -> amount credited (in the provider's major unit) through its back office.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub balances: BTreeMap<String, serde_json::Number>,
    /// Changed delays of the providers' state machines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<Timing>,
    /// Webhook targets registered before the run (e.g. an endpoint that is down).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<WebhookSetup>,
}

/// A webhook target: `tenant`'s events (all when `events` is empty) go to `url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSetup {
    pub tenant: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockName {
    Manual,
    Real,
}

impl ClockName {
    pub fn mode(self) -> ClockMode {
        match self {
            ClockName::Manual => ClockMode::Manual,
            ClockName::Real => ClockMode::Real,
        }
    }
}

/// One delay: edge `from -> to` of machine `kind` (`variant`: one variant, absent: all) of
/// `provider` takes `seconds` or `business_days`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    pub provider: String,
    pub kind: String,
    #[serde(default)]
    pub variant: String,
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_days: Option<u32>,
}

impl Timing {
    /// The delay, within `Delay::MAX_SECONDS` or `Delay::MAX_BUSINESS_DAYS`.
    fn delay(&self) -> Result<Delay, String> {
        Delay::from_fields(self.seconds.map(i64::from), self.business_days)
    }
}

/// A scenario that could not be read or applied: the field and where it is, when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// 1-based line and column in the file.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            Some((line, col)) => write!(f, "{line}:{col}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ScenarioError {
    fn plain(message: String) -> Self {
        Self {
            location: None,
            message,
        }
    }
}

impl Scenario {
    /// Reads YAML (or JSON) text.
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        serde_yaml_ng::from_str(text).map_err(|e| {
            let location = e.location().map(|l| (l.line(), l.column()));
            // The message ends with " at line L column C" when it has a location: said once.
            let mut message = e.to_string();
            if let Some(i) = message.rfind(" at line ") {
                message.truncate(i);
            }
            ScenarioError { location, message }
        })
    }
}

/// What a user should know before relying on `scenario` in this simulator, though it loads:
/// today, a `setup.clock` other than the simulator's. The clock is the whole simulator's and is
/// not switched for one scenario; with a `real` clock simulated time also passes on its own, so a
/// window or a delay plays out in wall time (or at `--time-scale`) instead of waiting for
/// `POST /__admin/clock/advance`.
pub fn notes(engine: &Engine, scenario: &Scenario) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(clock) = scenario.setup.clock
        && clock.mode() != engine.clock().mode()
    {
        notes.push(format!(
            "setup.clock: the scenario was written for a `{}` clock and this simulator runs a \
             `{}` one: it is loaded, and its windows and delays follow this simulator's clock \
             (start with --clock {0} to match it)",
            name_of(clock.mode()),
            name_of(engine.clock().mode())
        ));
    }
    notes
}

/// Checks everything against the running providers without changing anything.
pub fn check(engine: &Engine, scenario: &Scenario) -> Result<(), ScenarioError> {
    let setup = &scenario.setup;
    for (i, tenant) in setup.tenants.iter().enumerate() {
        let at = |e: String| ScenarioError::plain(format!("setup.tenants[{i}]: {e}"));
        let p = provider_of(engine, tenant).map_err(at)?;
        p.check_tenant(tenant).map_err(|e| at(e.1))?;
    }
    for tenant in setup.balances.keys() {
        let at = |e: String| ScenarioError::plain(format!("setup.balances.{tenant}: {e}"));
        let p = provider_of(engine, tenant).map_err(at)?;
        p.check_tenant(tenant).map_err(|e| at(e.1))?;
    }
    for (i, t) in setup.timings.iter().enumerate() {
        let at = format!("setup.timings[{i}]");
        let p = engine.provider(&t.provider).ok_or_else(|| {
            ScenarioError::plain(format!("{at}.provider: `{}` is not served", t.provider))
        })?;
        if let Err(e) = t.delay() {
            return Err(ScenarioError::plain(format!("{at}: {e}")));
        }
        let known = p.machines().iter().any(|m| {
            m.kind == t.kind
                && (t.variant.is_empty() || m.variant == t.variant)
                && m.edges.iter().any(|e| e.from == t.from && e.to == t.to)
        });
        if !known {
            return Err(ScenarioError::plain(format!(
                "{at}: {} has no edge {} -> {} for `{}` {}",
                t.provider, t.from, t.to, t.kind, t.variant
            )));
        }
    }
    for (i, w) in setup.webhooks.iter().enumerate() {
        let at = format!("setup.webhooks[{i}]");
        let p = provider_of(engine, &w.tenant)
            .map_err(|e| ScenarioError::plain(format!("{at}.tenant: {e}")))?;
        if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
            return Err(ScenarioError::plain(format!(
                "{at}.url: `{}` must be an http:// or https:// URL",
                w.url
            )));
        }
        if let Err(reason) = engine.check_webhook_url(&w.url) {
            return Err(ScenarioError::plain(format!(
                "{at}.url: `{}` {reason}",
                w.url
            )));
        }
        let known = p.webhook_events();
        if known.is_empty() {
            return Err(ScenarioError::plain(format!(
                "{at}.tenant: {} sends no webhooks",
                p.name()
            )));
        }
        if let Some(e) = w.events.iter().find(|e| !known.contains(&e.as_str())) {
            return Err(ScenarioError::plain(format!(
                "{at}.events: `{e}` is not an event of {} (known: {})",
                p.name(),
                known.join(", ")
            )));
        }
    }
    check_rules(engine, &scenario.rules, "rules").map_err(ScenarioError::plain)
}

/// Checks the whole scenario, then provisions tenants, funds balances (on top of a tenant's
/// starting balance), changes delays, registers webhook targets and loads the rules.
pub fn apply(
    engine: &Engine,
    faults: &Faults,
    scenario: &Scenario,
) -> Result<Vec<Arc<Loaded>>, ScenarioError> {
    check(engine, scenario)?;
    faults
        .check_room(&scenario.rules)
        .map_err(|e| ScenarioError::plain(format!("rules: {e}")))?;
    let setup = &scenario.setup;
    for (i, tenant) in setup.tenants.iter().enumerate() {
        let at = |e: String| ScenarioError::plain(format!("setup.tenants[{i}]: {e}"));
        let provider = provider_of(engine, tenant).map_err(at)?;
        provider.provision(tenant).map_err(|e| at(e.1))?;
    }
    for (tenant, amount) in &setup.balances {
        let provider = provider_of(engine, tenant).map_err(ScenarioError::plain)?;
        // A YAML or JSON number as parsed (scenario files are read through serde): its
        // shortest form, shifted to plain digits.
        let amount = payoutsim_core::money::plain_decimal(&amount.to_string())
            .map_or_else(|| amount.to_string(), String::from);
        provider
            .fund(tenant, &amount)
            .map_err(|e| ScenarioError::plain(format!("setup.balances.{tenant}: {}", e.1)))?;
    }
    for t in &setup.timings {
        if let (Some(p), Ok(delay)) = (engine.provider(&t.provider), t.delay()) {
            p.set_delay(&t.kind, &t.variant, &t.from, &t.to, delay);
        }
    }
    for (i, w) in setup.webhooks.iter().enumerate() {
        if let Ok(p) = provider_of(engine, &w.tenant) {
            let (secret, extra) = p.new_webhook_secret(&w.tenant);
            engine
                .add_webhook_target(WebhookTarget {
                    id: String::new(),
                    provider: p.name().to_string(),
                    tenant: w.tenant.clone(),
                    url: w.url.clone(),
                    events: w.events.clone(),
                    secret,
                    extra,
                    created_at: payoutsim_core::clock::rfc3339(engine.now_for(&w.tenant)),
                })
                .map_err(|e| ScenarioError::plain(format!("setup.webhooks[{i}]: {e}")))?;
        }
    }
    let rules = scenario.rules.clone();
    crate::load::load_checked(engine, faults, rules)
        .map_err(|e| ScenarioError::plain(format!("rules: {e}")))
}

/// Where in `text` the field a message starts with (`rules[2].fault.status: …`,
/// `setup.timings[0]: …`) is written, best effort: the line and column of the list item or key.
pub fn locate(text: &str, message: &str) -> Option<(usize, usize)> {
    let path = message.split([':', ' ']).next()?;
    let mut parts = path.split('.');
    let top = parts.next()?;
    let (key, index) = match top.split_once('[') {
        Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
        None => (top, None),
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("{key}:")))?;
    let mut found = (start, 0);
    if let Some(n) = index {
        let items: Vec<(usize, usize)> = lines
            .iter()
            .enumerate()
            .skip(start + 1)
            .take_while(|(_, l)| l.is_empty() || l.starts_with([' ', '-', '#']))
            .filter_map(|(i, l)| {
                let indent = l.len() - l.trim_start().len();
                l.trim_start().starts_with("- ").then_some((i, indent))
            })
            .collect();
        let indent = items.first()?.1;
        found = *items.iter().filter(|(_, d)| *d == indent).nth(n)?;
    }
    // A nested key (`setup.balances`): its first line after the item or key found.
    if let Some(next) = parts.next().map(|p| p.split('[').next().unwrap_or(p)) {
        let nested = lines.iter().enumerate().skip(found.0).find(|(_, l)| {
            l.trim_start()
                .trim_start_matches("- ")
                .starts_with(&format!("{next}:"))
        });
        if let Some((i, l)) = nested {
            found = (i, l.find(&format!("{next}:")).unwrap_or(0));
        }
    }
    Some((found.0 + 1, found.1 + 1))
}

fn name_of(mode: ClockMode) -> &'static str {
    match mode {
        ClockMode::Manual => "manual",
        ClockMode::Real => "real",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_scenario_reads_name_setup_and_rules() {
        let s = Scenario::parse(
            "name: outage\ndescription: d\nsetup:\n  clock: manual\n  balances:\n    onepay:sk_test_a: 5000\nrules:\n  - fault: {kind: reset}\n",
        )
        .unwrap();
        assert_eq!(s.name, "outage");
        assert_eq!(s.setup.clock, Some(ClockName::Manual));
        assert_eq!(s.rules.len(), 1);
    }

    #[test]
    fn an_error_gives_the_field_line_and_column() {
        let err = Scenario::parse(
            "name: x\nrules:\n  - fault: {kind: status, status: 503}\n    probability: 3\n",
        )
        .unwrap_err();
        assert_eq!(err.location.map(|l| l.0), Some(3), "{err}");
        assert!(err.message.starts_with("rules[0]"), "{err}");
        assert!(err.message.contains("field `probability`"), "{err}");
    }

    #[test]
    fn a_field_path_is_located_in_the_text() {
        let text = "name: x\nsetup:\n  timings:\n    - provider: nope\nrules:\n  - fault: {kind: reset}\n  - match:\n      provider: p\n    fault: {kind: reset}\n";

        assert_eq!(
            locate(text, "rules[1].match.provider: `p` is not served"),
            Some((7, 5))
        );
        assert_eq!(locate(text, "rules[0]: x"), Some((6, 3)));
        assert_eq!(locate(text, "setup.timings[0].provider: no"), Some((3, 3)));
        assert_eq!(locate(text, "nothing: here"), None);
    }

    #[test]
    fn an_unknown_setup_field_is_named() {
        let err = Scenario::parse("name: x\nsetup:\n  clok: manual\n").unwrap_err();
        assert!(err.message.contains("unknown field `clok`"), "{err}");
        assert_eq!(err.location.map(|l| l.0), Some(3));
    }
}
