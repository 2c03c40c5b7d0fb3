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

use crate::capabilities::{self, NotApplicable, Table};
use crate::client_under_test::{self, RunClient};
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
    /// The adapter command of a team's client (`--client`, `PAYOUTSIM_CLIENT`): only the
    /// `@client` scenarios run, through it. `None`: every scenario runs, the `@client` ones
    /// through the built-in client.
    pub client: Option<String>,
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
    /// Capability -> provider -> how its `@client` scenarios went (the summary's table).
    pub capabilities: Table,
    /// The `@client` scenarios left out because the client lacks an operation they need.
    pub not_applicable: Vec<NotApplicable>,
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
        client,
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
    let junit_path = junit;
    let junit = report(junit_path.as_deref())?;
    let json = report(json.as_deref())?;
    let run_client = Arc::new(match &client {
        Some(command) => RunClient::adapter(command)
            .await
            .map_err(|e| SetupError(e.to_string()))?,
        None => RunClient::BuiltIn,
    });
    client_under_test::set_run_client(Arc::clone(&run_client));
    if run_client.is_adapter() {
        println!(
            "contract note: client under test: {}",
            run_client.describe()
        );
    }

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

    // The client scenarios' table, and those the client cannot run; the scenarios that involve
    // no client, left out when a team's client is under test.
    let table = Arc::new(Mutex::new(Table::new()));
    let not_applicable = Arc::new(Mutex::new(Vec::<NotApplicable>::new()));
    let without_client = Arc::new(Mutex::new(0usize));
    let (tallied, skipped_na, skipped_plain) = (
        Arc::clone(&table),
        Arc::clone(&not_applicable),
        Arc::clone(&without_client),
    );
    let filter_client = Arc::clone(&run_client);
    let tallied_na = Arc::clone(&table);

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
        .retry_options(retry_options)
        .fail_on_skipped()
        .after(move |feature, rule, scenario, finished, world| {
            let tags = all_tags(feature, rule, scenario);
            if let Some(capability) = capabilities::capability(&tags) {
                let passed = matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
                let mut table = tallied.lock().unwrap_or_else(PoisonError::into_inner);
                let how: fn(&mut capabilities::Tally) = if passed {
                    |t| t.passed += 1
                } else {
                    |t| t.failed += 1
                };
                capabilities::count(&mut table, capability, folder_of(feature), how);
            }
            Box::pin(async move {
                if let Some(world) = world {
                    world.shutdown().await;
                }
            })
        })
        .filter_run(features, move |feature, rule, scenario| {
            let tags = all_tags(feature, rule, scenario);
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
            if !capabilities::is_client(&tags) {
                if filter_client.is_adapter() {
                    *skipped_plain.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                    return false;
                }
                return true;
            }
            let Some(missing) = capabilities::missing_operation(&filter_client, folder, &tags)
            else {
                return true;
            };
            if let Some(capability) = capabilities::capability(&tags) {
                let mut table = tallied_na.lock().unwrap_or_else(PoisonError::into_inner);
                capabilities::count(&mut table, capability, folder, |t| t.not_applicable += 1);
            }
            skipped_na
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(NotApplicable {
                    provider: folder.to_string(),
                    feature: feature.name.clone(),
                    scenario: scenario.name.clone(),
                    missing,
                });
            false
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
    run_client.shutdown().await;
    let plain = *without_client
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if plain > 0 {
        println!(
            "contract note: left out {plain} scenarios that involve no client: with --client \
             only the @client scenarios run"
        );
    }
    let not_applicable = std::mem::take(
        &mut *not_applicable
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    for n in &not_applicable {
        println!(
            "contract note: not applicable: features/{}/ \"{}\": the client does not support {} \
             for {}",
            n.provider, n.scenario, n.missing, n.provider
        );
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
    let failed_run = writer.execution_has_failed() || scenarios.total() == 0;
    let (total, passed, failed, skipped) = (
        scenarios.total(),
        scenarios.passed,
        scenarios.failed,
        scenarios.skipped,
    );
    // The JUnit report is complete once its writer is dropped (its buffer flushed).
    drop(writer);
    if let Some(path) = &junit_path {
        add_not_applicable_to_junit(path, &not_applicable)?;
    }
    let capabilities = std::mem::take(&mut *table.lock().unwrap_or_else(PoisonError::into_inner));
    let rendered = capabilities::render(&capabilities);
    if !rendered.is_empty() {
        println!("contract client capabilities ({}):", run_client.describe());
        print!("{rendered}");
        if !not_applicable.is_empty() {
            println!("({} client scenarios not applicable)", not_applicable.len());
        }
    }
    Ok(Summary {
        scenarios: total,
        passed,
        failed,
        skipped,
        failed_run,
        capabilities,
        not_applicable,
        notes,
    })
}

/// cucumber's retries of a scenario, from its tags and options, except that the capability tag
/// `@retry-after` is not cucumber's `@retry` (which any tag starting with `retry` would be).
fn retry_options(
    feature: &cucumber::gherkin::Feature,
    rule: Option<&cucumber::gherkin::Rule>,
    scenario: &cucumber::gherkin::Scenario,
    cli: &runner::basic::Cli,
) -> Option<runner::basic::RetryOptions> {
    let capability = |t: &String| t == "retry-after";
    if !scenario.tags.iter().any(capability) {
        return runner::basic::RetryOptions::parse_from_tags(feature, rule, scenario, cli);
    }
    let mut plain = scenario.clone();
    plain.tags.retain(|t| !capability(t));
    runner::basic::RetryOptions::parse_from_tags(feature, rule, &plain, cli)
}

/// Every tag of a scenario: its feature's, its rule's and its own.
fn all_tags<'a>(
    feature: &'a cucumber::gherkin::Feature,
    rule: Option<&'a cucumber::gherkin::Rule>,
    scenario: &'a cucumber::gherkin::Scenario,
) -> Vec<&'a String> {
    (feature.tags.iter())
        .chain(rule.iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter())
        .collect()
}

/// Adds the scenarios that were not applicable to the JUnit report, as skipped test cases
/// with the missing operation as the reason, in a test suite of their own.
fn add_not_applicable_to_junit(path: &Path, left_out: &[NotApplicable]) -> Result<(), SetupError> {
    if left_out.is_empty() {
        return Ok(());
    }
    let failed = |e: io::Error| SetupError(format!("cannot complete {}: {e}", path.display()));
    let xml = std::fs::read_to_string(path).map_err(failed)?;
    let Some(end) = xml.rfind("</testsuites>") else {
        return Err(SetupError(format!(
            "{} has no </testsuites>",
            path.display()
        )));
    };
    let mut suite = format!(
        "<testsuite name=\"not applicable to the client\" tests=\"{0}\" skipped=\"{0}\" \
         failures=\"0\" errors=\"0\">",
        left_out.len()
    );
    for n in left_out {
        suite.push_str(&format!(
            "<testcase name=\"{}\" classname=\"{}\"><skipped message=\"{}\"/></testcase>",
            xml_escape(&n.scenario),
            xml_escape(&format!("features/{}/ {}", n.provider, n.feature)),
            xml_escape(&format!("the client does not support {}", n.missing)),
        ));
    }
    suite.push_str("</testsuite>");
    let completed = format!("{}{suite}{}", &xml[..end], &xml[end..]);
    std::fs::write(path, completed).map_err(failed)
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
