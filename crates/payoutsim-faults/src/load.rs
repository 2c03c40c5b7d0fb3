//! Loading rules into a running simulator: what only the providers can tell (is the provider
//! served, is an outcome's status one of its terminal statuses) is checked for every rule before
//! any is loaded, so a batch loads whole or not at all.

use std::collections::BTreeSet;
use std::sync::Arc;

use payoutsim_core::{Engine, Provider};

use crate::rule::{Fault, Rule, check_shape};
use crate::store::{Faults, Loaded};

/// The served provider a tenant name (`<provider>:<credential>`) belongs to.
pub fn provider_of(engine: &Engine, tenant: &str) -> Result<Arc<dyn Provider>, String> {
    let name = tenant.split(':').next().unwrap_or_default();
    engine.provider(name).ok_or_else(|| {
        format!("`{tenant}` is not `<provider>:<credential>` of a provider being served")
    })
}

/// Checks `rules` (`field` names the list in messages, e.g. `rules`) against the providers.
pub fn check_rules(engine: &Engine, rules: &[Rule], field: &str) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("{field}[{i}].");
        check_rule(engine, rule, &at)?;
        if let Some(id) = &rule.id
            && !ids.insert(id.as_str())
        {
            return Err(format!("{at}id: `{id}` is given twice"));
        }
    }
    Ok(())
}

/// Checks one rule; `at` prefixes the field path in the message.
pub fn check_rule(engine: &Engine, rule: &Rule, at: &str) -> Result<(), String> {
    check_shape(rule, at)?;
    let provider = match &rule.matcher.provider {
        Some(name) => Some(engine.provider(name).ok_or_else(|| {
            let served: Vec<_> = engine.providers().iter().map(|p| p.name()).collect();
            format!(
                "{at}match.provider: `{name}` is not served (served: {})",
                served.join(", ")
            )
        })?),
        None => None,
    };
    if let Fault::Outcome { status, .. } = &rule.fault {
        let candidates = match &provider {
            Some(p) => vec![p.clone()],
            None => engine.providers(),
        };
        let terminal: BTreeSet<payoutsim_core::name::Name> = candidates
            .iter()
            .flat_map(|p| p.machines())
            .flat_map(|m| m.terminal.clone())
            .collect();
        if !terminal.contains(status.as_str()) {
            let list: Vec<_> = terminal.into_iter().collect();
            return Err(format!(
                "{at}fault.status: `{status}` is not a terminal status of {} (known: {})",
                provider
                    .as_ref()
                    .map_or("any provider served", |p| p.name()),
                list.join(", ")
            ));
        }
    }
    Ok(())
}

/// Loads rules already checked, in one change, at the simulated time now (a rule for one exact
/// tenant counts its window on that tenant's clock). Refused past `--max-fault-rules`.
pub fn load_checked(
    engine: &Engine,
    faults: &Faults,
    rules: Vec<Rule>,
) -> Result<Vec<Arc<Loaded>>, String> {
    let timed = rules
        .into_iter()
        .map(|rule| {
            let now = match rule.matcher.tenant.as_deref() {
                Some(t) if !t.contains(['*', '?']) => engine.now_for(t),
                _ => engine.clock().now(),
            };
            (rule, now)
        })
        .collect();
    faults.add(timed)
}

/// Checks, then loads, all or none.
pub fn load(
    engine: &Engine,
    faults: &Faults,
    rules: Vec<Rule>,
) -> Result<Vec<Arc<Loaded>>, String> {
    check_rules(engine, &rules, "rules")?;
    load_checked(engine, faults, rules)
}
