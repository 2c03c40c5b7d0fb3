//! The contract suite's runner: `cargo test -p payoutsim-contract` (see the crate doc for the
//! targets). Runs every `features/**/*.feature` with the steps under `steps/`, a fresh World per
//! scenario, skipped steps counted as failures, `@sim` scenarios left out on the real sandbox.

mod client;
mod params;
mod receiver;
mod steps;
mod target;
mod world;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cucumber::World as _;
use cucumber::writer::Stats as _;

use crate::target::Target;
use crate::world::ContractWorld;

/// Scenarios run at once. Each in-process scenario has its own simulator, so they never share
/// state; against a shared target the random keys keep them apart.
const CONCURRENCY: usize = 4;

#[tokio::main]
async fn main() -> ExitCode {
    let target = match Target::from_env() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("contract: {e}");
            return ExitCode::FAILURE;
        }
    };
    let simulator = target.is_simulator();
    let name = target.name();
    target::set(target);

    let features = std::env::var_os("PAYOUTSIM_FEATURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../features")));

    let writer = ContractWorld::cucumber()
        .max_concurrent_scenarios(CONCURRENCY)
        .fail_on_skipped()
        .after(|_feature, _rule, _scenario, _finished, world| {
            Box::pin(async move {
                if let Some(world) = world {
                    world.shutdown().await;
                }
            })
        })
        .filter_run(features, move |feature, rule, scenario| {
            if !target::get().covers(folder_of(feature)) {
                return false;
            }
            let sim_only = feature
                .tags
                .iter()
                .chain(rule.iter().flat_map(|r| r.tags.iter()))
                .chain(scenario.tags.iter())
                .any(|t| t == "sim");
            simulator || !sim_only
        })
        .await;

    let scenarios = writer.scenarios_stats();
    let steps = writer.steps_stats();
    println!(
        "contract summary: target {name}, {} scenarios ({} passed, {} failed, {} skipped), \
         {} steps ({} passed, {} failed, {} skipped), {} parsing errors, {} hook errors",
        scenarios.total(),
        scenarios.passed,
        scenarios.failed,
        scenarios.skipped,
        steps.total(),
        steps.passed,
        steps.failed,
        steps.skipped,
        writer.parsing_errors(),
        writer.hook_errors(),
    );
    if writer.execution_has_failed() || scenarios.total() == 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The folder a feature belongs to: the nearest one above it named after a provider
/// (`features/onepay/faults/outage.feature` is OnePay's), else the folder it sits in.
fn folder_of(feature: &cucumber::gherkin::Feature) -> &str {
    let dirs = || {
        let parent = feature.path.as_deref().and_then(Path::parent);
        parent
            .into_iter()
            .flat_map(Path::ancestors)
            .filter_map(|d| d.file_name()?.to_str())
    };
    dirs()
        .find(|name| target::PROVIDERS.contains(name))
        .or_else(|| dirs().next())
        .unwrap_or_default()
}
