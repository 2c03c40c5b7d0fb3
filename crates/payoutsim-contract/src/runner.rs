//! The contract suite's runner, shared by `cargo test -p payoutsim-contract` (the test target
//! `tests/contract/main.rs`) and `payoutsim contract`: runs the chosen features with the steps
//! under `steps/`, a fresh World per scenario, skipped steps counted as failures, `@sim`
//! scenarios left out on the real sandbox, and a provider's folder left out, with a note, where
//! the target does not serve it. It prints cucumber's report and then the `contract summary:`
//! line (which `.ci/run` reads), and writes the JUnit and cucumber JSON reports if asked.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use cucumber::World as _;
use cucumber::cli::{self, Args};
use cucumber::codegen::{WorldInventory, inventory};
use cucumber::tag::Ext as _;
use cucumber::writer::{self, Stats as _};
use cucumber::{Runner, Writer, WriterExt as _, runner};

use crate::features::{FeatureParser, Features, STEP_ATTRIBUTES};
use crate::simulator::{self, Starter};
use crate::target::{self, PROVIDERS, Target};
use crate::world::ContractWorld;

/// Scenarios run at once. Each in-process scenario has its own simulator, so they never share
/// state; against a shared target the random keys keep them apart.
const CONCURRENCY: usize = 4;

/// A report file: where it goes, boxed so an absent one is a sink.
type Report = Box<dyn Write>;

/// The writer of every run: cucumber's console report on stdout, teed to the JUnit and the
/// cucumber JSON reports, normalized (scenarios reported in order though they run 4 at a time),
/// summarized, and failing on skipped steps.
type SuiteWriter = writer::FailOnSkipped<
    writer::Summarize<
        writer::Normalize<
            ContractWorld,
            writer::Tee<
                writer::Tee<
                    writer::Basic,
                    writer::discard::Arbitrary<writer::discard::Stats<JUnitReport>>,
                >,
                writer::discard::Arbitrary<writer::discard::Stats<writer::Json<Report>>>,
            >,
        >,
    >,
>;

/// cucumber's JUnit writer with no options of its own (`--junit-v` stays at 0): its options do
/// not say how to colour, which the summary's writer needs of every option it is given.
pub struct JUnitReport(writer::JUnit<ContractWorld, Report>);

impl Writer<ContractWorld> for JUnitReport {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: cucumber::parser::Result<cucumber::Event<cucumber::event::Cucumber<ContractWorld>>>,
        _cli: &cli::Empty,
    ) {
        let options =
            <writer::JUnit<ContractWorld, Report> as Writer<ContractWorld>>::Cli::default();
        self.0.handle_event(event, &options).await;
    }
}

impl writer::NonTransforming for JUnitReport {}

/// Cucumber's own command line for a run (`--name`, `--tags`, `--color`, `-v`, …): parsed from
/// the process's arguments by the test target, built by `payoutsim contract`.
pub type CucumberCli = cli::Opts<
    cli::Empty,
    <runner::Basic<ContractWorld> as Runner<ContractWorld>>::Cli,
    <SuiteWriter as Writer<ContractWorld>>::Cli,
    cli::Empty,
>;

/// What to run and where.
pub struct Options {
    pub target: Target,
    pub features: Features,
    /// The providers whose folders run; empty: every provider the target serves. Features
    /// outside a provider's folder run whatever this says.
    pub providers: Vec<String>,
    /// Starts the simulator of each scenario; the in-process target needs one.
    pub starter: Option<Arc<dyn Starter>>,
    /// Where to write the JUnit XML report.
    pub junit: Option<PathBuf>,
    /// Where to write the cucumber JSON report.
    pub json: Option<PathBuf>,
}

/// Why a run could not start: a bad option, a report file that cannot be created, or a build
/// that lost some of the suite's steps.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// How a run went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Whether the run failed: a failed or skipped step, a parsing or hook error, or no scenario
    /// selected at all.
    pub failed_run: bool,
    /// What the target left out and why, as printed before the summary line
    /// (`left out features/kashpay/ (40 scenarios): …`, `left out 12 @sim scenarios: …`).
    pub notes: Vec<String>,
}

impl Summary {
    pub fn succeeded(&self) -> bool {
        !self.failed_run
    }
}

/// Runs the suite: prints cucumber's report, the notes on what the target left out and the
/// `contract summary:` line, and writes the reports asked for.
pub async fn run(options: Options, mut cli: CucumberCli) -> Result<Summary, SetupError> {
    check_steps()?;
    let Options {
        target,
        features,
        providers,
        starter,
        junit,
        json,
    } = options;
    for provider in &providers {
        if !PROVIDERS.contains(&provider.as_str()) {
            return Err(SetupError(format!(
                "unknown provider `{provider}` (one of {})",
                PROVIDERS.join(", ")
            )));
        }
        if let Some(reason) = target.left_out(provider) {
            return Err(SetupError(format!("cannot run {provider}: {reason}")));
        }
    }
    if matches!(target, Target::InProcess) {
        let starter = starter.ok_or_else(|| {
            SetupError("the in-process target needs a simulator starter".to_string())
        })?;
        simulator::set(starter);
    }
    let junit = report(junit.as_deref())?;
    let json = report(json.as_deref())?;

    let simulator = target.is_simulator();
    let name = target.name();
    target::set(target);

    // Folders the target leaves out (no URL for their provider, or not covered), with the
    // reason and how many scenarios: reported before the summary, never silently dropped.
    let left_out = Arc::new(Mutex::new(BTreeMap::<String, (String, usize)>::new()));
    let noted = Arc::clone(&left_out);
    // `@sim` scenarios the sandbox leaves out, counted for their note.
    let sim_only = Arc::new(Mutex::new(0usize));
    let counted = Arc::clone(&sim_only);

    let asked_for = take_name_and_tags(&mut cli);

    let console = writer::Basic::raw(
        io::stdout(),
        writer::Coloring::Auto,
        writer::Verbosity::Default,
    );
    let suite_writer = console
        .tee::<ContractWorld, _>(
            JUnitReport(writer::JUnit::raw(junit, 0))
                .discard_stats_writes()
                .discard_arbitrary_writes(),
        )
        .tee::<ContractWorld, _>(writer::Json::for_tee(json))
        .normalized()
        .summarized();

    let writer = ContractWorld::cucumber::<&str>()
        .with_parser(FeatureParser)
        .with_writer(suite_writer)
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
            if !providers.is_empty()
                && PROVIDERS.contains(&folder)
                && !providers.iter().any(|p| p == folder)
            {
                return false;
            }
            if let Some(reason) = target::get().left_out(folder) {
                let mut notes = noted.lock().unwrap_or_else(PoisonError::into_inner);
                notes.entry(folder.to_string()).or_insert((reason, 0)).1 += 1;
                return false;
            }
            if !simulator && tags.iter().any(|t| *t == "sim") {
                *counted.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                return false;
            }
            true
        })
        .await;

    let mut notes: Vec<String> = (left_out.lock().unwrap_or_else(PoisonError::into_inner))
        .iter()
        .map(|(folder, (reason, n))| {
            format!("left out features/{folder}/ ({n} scenarios): {reason}")
        })
        .collect();
    let sim = *sim_only.lock().unwrap_or_else(PoisonError::into_inner);
    if sim > 0 {
        notes.push(format!(
            "left out {sim} @sim scenarios: the {name} target has no admin API (clock, back \
             office, journal, fault rules) and one set of credentials, and they need the \
             simulator's or fresh credentials"
        ));
    }
    for note in &notes {
        println!("contract note: {note}");
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
    Ok(Summary {
        scenarios: scenarios.total(),
        passed: scenarios.passed,
        failed: scenarios.failed,
        skipped: scenarios.skipped,
        failed_run: writer.execution_has_failed() || scenarios.total() == 0,
        notes,
    })
}

/// The file a report goes to (created now, so a bad path fails before the run), or a sink.
fn report(path: Option<&Path>) -> Result<Report, SetupError> {
    let Some(path) = path else {
        return Ok(Box::new(io::sink()));
    };
    let file = File::create(path)
        .map_err(|e| SetupError(format!("cannot create {}: {e}", path.display())))?;
    Ok(Box::new(BufWriter::new(file)))
}

/// Fails when the build lost some of the suite's steps. cucumber collects steps with
/// `inventory`; its registrations come with any build that links this crate (rustc keeps the
/// `#[used]` statics of a linked library; a build with 256 codegen units registered them all),
/// but a crate nothing uses is not linked at all (cucumber issue #271). If a build ever loses
/// some, this says so before the run instead of failing scenarios with "step doesn't match".
fn check_steps() -> Result<(), SetupError> {
    type Given = <ContractWorld as WorldInventory>::Given;
    type When = <ContractWorld as WorldInventory>::When;
    type Then = <ContractWorld as WorldInventory>::Then;
    let registered = inventory::iter::<Given>.into_iter().count()
        + inventory::iter::<When>.into_iter().count()
        + inventory::iter::<Then>.into_iter().count();
    if registered == STEP_ATTRIBUTES {
        return Ok(());
    }
    Err(SetupError(format!(
        "this build registered {registered} of the suite's {STEP_ATTRIBUTES} steps: the linker \
         dropped some"
    )))
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
