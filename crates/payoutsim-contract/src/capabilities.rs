//! The `@client` scenarios' bookkeeping: which of them apply to the run's client (every
//! `@needs:<op>` supported for the scenario's provider), and the capability × provider table the
//! summary prints (passed, failed, not applicable, or `—` where no scenario checks it).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::client_under_test::RunClient;

/// The capabilities a client scenario checks, each its tag, in the table's order.
pub const CAPABILITIES: &[&str] = &[
    "lost-answer",
    "retry-after",
    "timeout-reconcile",
    "session-expiry",
    "outage",
    "webhook-signature",
    "webhook-duplicate",
    "webhook-order",
];

/// How the scenarios of one capability at one provider went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
}

/// A client scenario left out because the client does not support an operation it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotApplicable {
    pub provider: String,
    pub feature: String,
    pub scenario: String,
    /// The first operation of its `@needs` the client lacks.
    pub missing: String,
}

/// Capability -> provider -> tally; a capability with no scenario at a provider has no entry
/// there (`—` in the table).
pub type Table = BTreeMap<String, BTreeMap<String, Tally>>;

/// Whether the scenario is a client scenario (tagged `@client`).
pub fn is_client(tags: &[&String]) -> bool {
    tags.iter().any(|t| *t == "client")
}

/// The capability a scenario checks, if it is tagged with one.
pub fn capability(tags: &[&String]) -> Option<&'static str> {
    CAPABILITIES
        .iter()
        .copied()
        .find(|c| tags.iter().any(|t| t.as_str() == *c))
}

/// The first operation of the scenario's `@needs:<op>` tags that `client` does not perform for
/// `provider`.
pub fn missing_operation(client: &RunClient, provider: &str, tags: &[&String]) -> Option<String> {
    tags.iter()
        .filter_map(|t| t.strip_prefix("needs:"))
        .find(|op| !client.supports(provider, op))
        .map(str::to_string)
}

/// Counts one finished (or not applicable) scenario of `capability` at `provider`.
pub fn count(table: &mut Table, capability: &str, provider: &str, how: fn(&mut Tally)) {
    let tally = table
        .entry(capability.to_string())
        .or_default()
        .entry(provider.to_string())
        .or_default();
    how(tally);
}

/// The table as the summary prints it: a row per capability, a column per provider that has
/// client scenarios; a cell `1 passed`, `1 failed, 1 n.a.`, … or `—`.
pub fn render(table: &Table) -> String {
    let mut providers: Vec<&String> = table.values().flat_map(BTreeMap::keys).collect();
    providers.sort();
    providers.dedup();
    if providers.is_empty() {
        return String::new();
    }
    let cell = |capability: &str, provider: &str| {
        let Some(t) = table.get(capability).and_then(|row| row.get(provider)) else {
            return "—".to_string();
        };
        let parts = [
            (t.passed, "passed"),
            (t.failed, "failed"),
            (t.not_applicable, "n.a."),
        ];
        let said: Vec<String> = (parts.iter())
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        said.join(", ")
    };
    let width = CAPABILITIES.iter().map(|c| c.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (providers.iter())
        .map(|p| {
            let cells = CAPABILITIES.iter().map(|c| cell(c, p).chars().count());
            cells.chain([p.len()]).max().unwrap_or(0)
        })
        .collect();
    let mut out = format!("{:width$}", "capability");
    for (p, w) in providers.iter().zip(&widths) {
        let _ = write!(out, " | {p:w$}");
    }
    out.push('\n');
    for c in CAPABILITIES {
        let _ = write!(out, "{c:width$}");
        for (p, w) in providers.iter().zip(&widths) {
            let text = cell(c, p);
            let pad = w.saturating_sub(text.chars().count());
            let _ = write!(out, " | {text}{}", " ".repeat(pad));
        }
        out.push('\n');
    }
    out
}
