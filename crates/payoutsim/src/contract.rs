//! `payoutsim contract`: the contract suite (the `payoutsim-contract` library), its feature
//! files embedded in the binary, against an in-process simulator, a running one or the
//! providers' sandboxes. Exit 0 when every selected scenario passed, 1 when one failed (or none
//! was selected), 2 when the options are wrong.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Arg, ArgMatches, FromArgMatches, ValueEnum, builder::PossibleValuesParser};
use cucumber::gherkin::tagexpr::TagOperation;
use payoutsim_contract::{CucumberCli, Features, Options, PROVIDERS, Target};

/// Exit code of a run that could not start: wrong options, as clap's own usage errors.
const USAGE: u8 = 2;

#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ContractArgs {
    /// What to run against: `sim`, a fresh in-process simulator per scenario; `url`, a running
    /// simulator (`--admin-url` and a `--<provider>-url` for each provider to run); `sandbox`,
    /// the providers' real sandboxes, from the environment (`<PROVIDER>_BASE_URL` and that
    /// provider's credentials), leaving out `@sim` scenarios.
    #[arg(long, value_enum, default_value_t = TargetKind::Sim)]
    target: TargetKind,
    /// The providers whose scenarios run (repeatable, or a comma list) [default: every provider
    /// the target serves].
    #[arg(
        long = "provider",
        value_name = "PROVIDER",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(PROVIDERS)
    )]
    providers: Vec<String>,
    /// Run the `*.feature` files under DIR (a provider's in DIR/<provider>/) instead of the
    /// suite's own [default: the suite's features, embedded in this binary].
    #[arg(long = "features", value_name = "DIR")]
    features: Option<PathBuf>,
    /// Run only the scenarios whose tags match this cucumber tag expression, e.g.
    /// `@idempotency and not @sim` [default: every scenario].
    #[arg(long, value_name = "EXPR", value_parser = tag_expression)]
    tags: Option<TagOperation>,
    /// Run the `@client` scenarios through a team's own client: CMD starts its adapter (run with
    /// `sh -c`, e.g. "python3 adapters/python/onepay_adapter.py"), which speaks the adapter
    /// protocol (docs/adapter-protocol.md) on stdin/stdout. Scenarios that involve no client are
    /// left out; those needing an operation the adapter does not list are not applicable
    /// [default: every scenario, the `@client` ones through the built-in client].
    #[arg(long, value_name = "CMD")]
    client: Option<String>,
    /// Write a JUnit XML report of the run to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a cucumber JSON report of the run to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// With `--target url`: the simulator's admin API, e.g. http://127.0.0.1:4700 [default:
    /// none; required there].
    #[arg(long, env = "PAYOUTSIM_ADMIN_URL", value_name = "URL")]
    admin_url: Option<String>,
    /// With `--target url`: the simulator's `--admin-token`, sent as a bearer token [default:
    /// none].
    #[arg(long, env = "PAYOUTSIM_ADMIN_TOKEN", value_name = "TOKEN")]
    admin_token: Option<String>,
    #[command(flatten)]
    urls: ProviderUrls,
}

const AFTER_HELP: &str = "\
The summary line is `contract summary: target …, N scenarios (P passed, F failed, S \
skipped), …`. A provider's folder the target does not serve is left out with a `contract note:` \
line. After it, the `@client` scenarios' table: capability x provider, passed, failed, n.a. (the \
client lacks an operation the scenario needs) or — (no scenario checks it there).

Exit status: 0 when every selected scenario passed; 1 when one failed or none was selected; 2 \
when the options are wrong or the --client adapter cannot be started or breaks its hello.";

#[derive(Clone, Copy, ValueEnum)]
enum TargetKind {
    /// A fresh in-process simulator per scenario.
    Sim,
    /// A running simulator.
    Url,
    /// The providers' real sandboxes.
    Sandbox,
}

/// `--<provider>-url` for each provider the suite knows (from `PAYOUTSIM_<PROVIDER>_URL`), the
/// base URLs of a running simulator for `--target url`. Built from the suite's provider list,
/// so a provider that joins the suite gets its flag.
#[derive(Clone, Debug, Default)]
struct ProviderUrls(BTreeMap<String, String>);

fn url_flag(provider: &str) -> String {
    format!("{provider}-url")
}

impl FromArgMatches for ProviderUrls {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let urls = PROVIDERS
            .iter()
            .filter_map(|p| {
                let url = matches.get_one::<String>(&url_flag(p))?;
                Some((p.to_string(), url.clone()))
            })
            .collect();
        Ok(Self(urls))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for ProviderUrls {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        PROVIDERS.iter().fold(cmd, |cmd, provider| {
            cmd.arg(
                Arg::new(url_flag(provider))
                    .long(url_flag(provider))
                    .env(format!("PAYOUTSIM_{}_URL", provider.to_ascii_uppercase()))
                    .value_name("URL")
                    .help(format!(
                        "With `--target url`: where the simulator serves {provider} \
                         [default: none; its scenarios are left out]"
                    )),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

fn tag_expression(text: &str) -> Result<TagOperation, String> {
    text.parse()
        .map_err(|e| format!("not a cucumber tag expression: {e}"))
}

/// Runs `payoutsim contract`, printing cucumber's report and the summary; the exit code.
pub fn run(args: ContractArgs) -> ExitCode {
    match try_run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("payoutsim contract: {e}");
            ExitCode::from(USAGE)
        }
    }
}

fn try_run(args: ContractArgs) -> Result<ExitCode, String> {
    let target = match args.target {
        TargetKind::Sim => Target::InProcess,
        TargetKind::Url => {
            let admin = args
                .admin_url
                .ok_or("--target url needs --admin-url (or PAYOUTSIM_ADMIN_URL)")?;
            Target::url(&admin, args.urls.0, args.admin_token)?
        }
        TargetKind::Sandbox => Target::sandbox_from_env("--target sandbox")?,
    };
    let features = match args.features {
        Some(dir) if !dir.exists() => {
            return Err(format!("--features {}: no such directory", dir.display()));
        }
        Some(dir) => Features::Dir(dir),
        None => Features::Embedded,
    };
    let options = Options {
        target,
        features,
        providers: args.providers,
        starter: Some(Arc::new(payoutsim::suite::InProcess)),
        junit: args.junit,
        json: args.json,
        client: args.client,
    };
    // cucumber's own options at their defaults (as `cargo test` gives them with none), and the
    // tag expression.
    let mut cli = <CucumberCli as clap::Parser>::parse_from(["payoutsim contract"]);
    cli.tags_filter = args.tags;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let summary = runtime
        .block_on(payoutsim_contract::run(options, cli))
        .map_err(|e| e.to_string())?;
    Ok(if summary.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
