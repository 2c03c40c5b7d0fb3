//! The contract suite's runner: `cargo test -p payoutsim-contract` (see the crate doc for the
//! targets). Runs every `features/**/*.feature` with the steps under `steps/`, a fresh World per
//! scenario, skipped steps counted as failures, `@sim` scenarios left out on the real sandbox,
//! and a provider's folder left out, with a note, where the target does not serve it.

mod client;
mod params;
mod receiver;
mod steps;
mod target;
mod world;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use cucumber::World as _;
use cucumber::cli::{self, Args};
use cucumber::tag::Ext as _;
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

    // Folders the target leaves out (no URL for their provider, or not covered), with the
    // reason and how many scenarios: reported before the summary, never silently dropped.
    let left_out = Arc::new(Mutex::new(BTreeMap::<String, (String, usize)>::new()));
    let noted = Arc::clone(&left_out);

    let mut cli = cli::Opts::<_, _, _, cli::Empty>::parsed();
    let asked_for = take_name_and_tags(&mut cli);

    let writer = ContractWorld::cucumber()
        .with_cli(cli)
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
            let tags: Vec<&String> = (feature.tags.iter())
                .chain(rule.iter().flat_map(|r| r.tags.iter()))
                .chain(scenario.tags.iter())
                .collect();
            if !asked_for(&scenario.name, &tags) {
                return false;
            }
            let folder = folder_of(feature);
            if let Some(reason) = target::get().left_out(folder) {
                let mut notes = noted.lock().unwrap_or_else(PoisonError::into_inner);
                notes.entry(folder.to_string()).or_insert((reason, 0)).1 += 1;
                return false;
            }
            simulator || !tags.iter().any(|t| *t == "sim")
        })
        .await;

    for (folder, (reason, n)) in left_out
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        println!("contract note: left out features/{folder}/ ({n} scenarios): {reason}");
    }
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

/// Takes cucumber's `--name` and `--tags` out of `cli` and returns them as one test of a
/// scenario's name and tags. Left in, cucumber would apply them *instead of* the runner's own
/// filter, letting a left-out folder or an `@sim` scenario on the sandbox back in.
fn take_name_and_tags<P: Args, R: Args, W: Args, C: Args>(
    cli: &mut cli::Opts<P, R, W, C>,
) -> impl Fn(&str, &[&String]) -> bool + 'static {
    let (name, tags) = (cli.re_filter.take(), cli.tags_filter.take());
    move |scenario, scenario_tags| {
        name.as_ref().is_none_or(|re| re.is_match(scenario))
            && tags.as_ref().is_none_or(|t| t.eval(scenario_tags))
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
