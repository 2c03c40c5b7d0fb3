//! The `payoutsim` command line: `payoutsim serve [flags]`, `payoutsim scenario check FILE…`,
//! `payoutsim health`, `payoutsim contract [flags]`, `payoutsim --version`.

mod contract;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use payoutsim::{ConnectionLimits, ProviderId, REGISTRY, RegistryFlags, ServeConfig};
use payoutsim_core::clock::ClockMode;
use payoutsim_faults::Scenario;

/// mimalloc rather than the system's malloc: on a create, glibc's malloc and free were about a
/// fifth of the server's CPU (BENCHMARKS.md, issue 14). Memory stays bounded by the simulator's
/// own bounds; mimalloc returns freed pages to the system as glibc does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The admin port when `--port-base` is not given; each provider's port is this plus its offset.
const DEFAULT_PORT_BASE: u16 = 4700;

/// What `--version` prints after `payoutsim `: the version, then each emulated provider (from the
/// registry) with its default port and summary. `-V` prints the first line only.
static LONG_VERSION: LazyLock<String> = LazyLock::new(long_version);

fn long_version() -> String {
    let width = REGISTRY.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let mut text = format!(
        "{}\nadmin API on port {DEFAULT_PORT_BASE}; emulated providers:",
        env!("CARGO_PKG_VERSION")
    );
    for entry in REGISTRY {
        let port = u32::from(DEFAULT_PORT_BASE) + u32::from(entry.port_offset);
        text.push_str(&format!(
            "\n  {:width$}  {port}  {}",
            entry.name, entry.summary
        ));
    }
    text
}

#[derive(Parser)]
#[command(
    name = "payoutsim",
    version,
    long_version = LONG_VERSION.as_str(),
    about = "A local, stateful simulator of payout providers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every provider on its own port, and the admin API.
    // Boxed: the flags are large, the other command small (parsed once, so no cost).
    Serve(Box<ServeArgs>),
    /// Work with scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Ask a running simulator's `GET /__admin/health` (exit 0 when it answers `"status":"ok"`):
    /// the container image's health check.
    Health(HealthArgs),
    /// Run the contract suite (its feature files are embedded) against an in-process
    /// simulator, a running one or the providers' sandboxes; JUnit and cucumber JSON reports.
    // Boxed like `serve`'s flags.
    Contract(Box<contract::ContractArgs>),
}

#[derive(clap::Args)]
struct HealthArgs {
    /// The health URL [default: http://127.0.0.1:<port base>/__admin/health].
    #[arg(long, env = "PAYOUTSIM_HEALTH_URL")]
    url: Option<String>,
    /// The simulator's `--port-base`, read from the same variable as `serve` does.
    #[arg(long, env = "PAYOUTSIM_PORT_BASE", default_value_t = DEFAULT_PORT_BASE)]
    port_base: u16,
    /// The simulator's `--admin-token`, sent as `Authorization: Bearer <token>`.
    #[arg(long, env = "PAYOUTSIM_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, env = "PAYOUTSIM_HEALTH_TIMEOUT", default_value_t = 3.0)]
    timeout: f64,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Check scenario files against the providers (exit 0 when every file is valid).
    Check {
        /// Scenario files (YAML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address every listener binds.
    #[arg(long, env = "PAYOUTSIM_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Admin port; providers follow (+1 onspot, +2 onepay, +3 kashpay, +4 tupay, +5 dots). 0 picks free ports.
    #[arg(long, env = "PAYOUTSIM_PORT_BASE", default_value_t = DEFAULT_PORT_BASE)]
    port_base: u16,
    /// Comma-separated providers to serve [default: every emulated provider].
    #[arg(long, env = "PAYOUTSIM_PROVIDERS", value_delimiter = ',')]
    providers: Vec<ProviderId>,
    /// Write {"admin": url, "<provider>": url, ...} here once every listener is bound.
    #[arg(long, env = "PAYOUTSIM_READY_FILE")]
    ready_file: Option<PathBuf>,
    /// Seed for ids, tokens and random outcomes [default: random, printed at start; with
    /// --data-dir on a directory holding state, the seed it was written with].
    #[arg(long, env = "PAYOUTSIM_SEED")]
    seed: Option<u64>,
    /// Keep state in this directory across restarts and kill -9 (an empty or new directory, or
    /// one payoutsim wrote with the same settings) [default: nothing touches the disk].
    #[arg(long, env = "PAYOUTSIM_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Bytes the --data-dir log may hold: past it, what came before the last full
    /// `POST /__admin/reset` is dropped; when nothing can be, state-changing requests are
    /// refused with the provider's 503 until a full reset. At least 65536.
    #[arg(long, env = "PAYOUTSIM_DATA_DIR_MAX_BYTES",
        default_value_t = payoutsim::config::DEFAULT_DATA_DIR_MAX_BYTES,
        value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(65536..))]
    data_dir_max_bytes: u64,
    /// `real`: simulated time flows with wall time; `manual`: it moves only when advanced
    /// [default: the first scenario's `setup.clock`, else `real`].
    #[arg(long, env = "PAYOUTSIM_CLOCK")]
    clock: Option<ClockMode>,
    /// Simulated seconds per wall second with `--clock real`: above 0, at most 1000000.
    #[arg(long, env = "PAYOUTSIM_TIME_SCALE", default_value_t = 1.0, value_parser = time_scale)]
    time_scale: f64,
    /// Simulated start time, RFC 3339, from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z
    /// [default: now with `real`, 2026-01-05T14:00:00Z with `manual`].
    #[arg(long, env = "PAYOUTSIM_START_TIME", value_parser = start_time)]
    start_time: Option<DateTime<Utc>>,
    /// Require `Authorization: Bearer <token>` on the admin API.
    #[arg(long, env = "PAYOUTSIM_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// An origin (`http://localhost:3000`) whose web pages may call the admin API (repeatable;
    /// the environment variable takes a comma list) [default: none but the admin listener's own].
    #[arg(
        long = "admin-allow-origin",
        env = "PAYOUTSIM_ADMIN_ALLOW_ORIGIN",
        value_delimiter = ','
    )]
    admin_allow_origins: Vec<String>,
    /// A host name the admin API answers to besides loopback and the bound address, e.g. a
    /// container's service name (repeatable) [default: none].
    #[arg(
        long = "admin-allow-host",
        env = "PAYOUTSIM_ADMIN_ALLOW_HOST",
        value_delimiter = ','
    )]
    admin_allow_hosts: Vec<String>,
    /// Most fault rules loaded at once; loads past it are refused with a 400 naming this flag.
    #[arg(long, env = "PAYOUTSIM_MAX_FAULT_RULES", default_value_t = payoutsim_faults::store::DEFAULT_MAX_RULES)]
    max_fault_rules: usize,
    /// Comma-separated hosts webhook URLs may name [default: any host but the admin listener,
    /// whose inboxes are always allowed].
    #[arg(long, env = "PAYOUTSIM_WEBHOOK_ALLOW_HOSTS", value_delimiter = ',')]
    webhook_allow_hosts: Vec<String>,
    /// Show credentials, passwords and signing secrets in the journal and webhook listings
    /// instead of masking them.
    #[arg(long, env = "PAYOUTSIM_SHOW_SECRETS")]
    show_secrets: bool,
    /// Request journal entries kept (oldest dropped first).
    #[arg(long, env = "PAYOUTSIM_JOURNAL_CAP", default_value_t = 1000)]
    journal_cap: usize,
    /// Seconds a connection has to send a complete request head (from its opening, or from the
    /// first byte of a later request); past it the connection is closed. 0.1 to 3600.
    #[arg(long, env = "PAYOUTSIM_HEADER_TIMEOUT", default_value = "10", value_parser = timeout_secs)]
    header_timeout: Duration,
    /// Seconds a request body has to arrive whole, counted from its head; past it the
    /// connection is closed without an answer. 0.1 to 3600.
    #[arg(long, env = "PAYOUTSIM_BODY_TIMEOUT", default_value = "30", value_parser = timeout_secs)]
    body_timeout: Duration,
    /// Seconds a kept-alive connection may wait for its next request before it is closed.
    /// 0.1 to 3600.
    #[arg(long, env = "PAYOUTSIM_IDLE_TIMEOUT", default_value = "60", value_parser = timeout_secs)]
    idle_timeout: Duration,
    /// Connections each listener serves at once; past it a new one is answered 503 and closed.
    #[arg(
        long,
        env = "PAYOUTSIM_MAX_CONNECTIONS",
        default_value_t = 1024,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000)
    )]
    max_connections: usize,
    /// Seconds a SIGTERM or SIGINT waits for requests in flight before closing the connections
    /// left and exiting. 0 to 3600.
    #[arg(long, env = "PAYOUTSIM_SHUTDOWN_DEADLINE", default_value = "5", value_parser = deadline_secs)]
    shutdown_deadline: Duration,
    /// Threads that serve requests (the runtime's workers), 1 to 1024. Default: one per core
    /// the process may use (`available_parallelism`). On a box whose cores a load generator
    /// or a test suite shares, one worker serves creates for less CPU each (BENCHMARKS.md).
    #[arg(
        long,
        env = "PAYOUTSIM_WORKERS",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024)
    )]
    workers: Option<usize>,
    /// Webhook messages pending in all (due, waiting for a retry, or held); past it the oldest
    /// pending one is dropped, counted in `GET /__admin/webhooks` and health, and recorded.
    #[arg(
        long,
        env = "PAYOUTSIM_WEBHOOK_QUEUE_CAP",
        default_value_t = payoutsim_core::DEFAULT_WEBHOOK_QUEUE_CAP,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000)
    )]
    webhook_queue_cap: usize,
    /// Seconds one webhook attempt may take before it counts as failed, for every provider
    /// [default: 5, and 15 for Dots as Svix documents]. 0.1 to 3600.
    #[arg(long, env = "PAYOUTSIM_WEBHOOK_TIMEOUT", value_parser = timeout_secs)]
    webhook_timeout: Option<Duration>,
    /// Seconds `POST /__admin/clock/advance` waits for the webhook attempts that fell due before
    /// it answers (0: it does not wait). 0 to 3600.
    #[arg(long, env = "PAYOUTSIM_ADVANCE_WAIT", default_value = "2", value_parser = deadline_secs)]
    advance_wait: Duration,
    // The bounds of the engine's other stores (`--journal-max-bytes`, `--inbox-max-bytes`, …).
    #[command(flatten)]
    bounds: payoutsim::BoundsArgs,
    // Each registered provider's own flags (`--onepay-test-balance`, …), from the registry.
    #[command(flatten)]
    provider_flags: RegistryFlags,
    /// Load a scenario file at start (repeatable; the environment variable takes a comma list).
    #[arg(long = "scenario", env = "PAYOUTSIM_SCENARIO", value_delimiter = ',')]
    scenarios: Vec<PathBuf>,
    /// Log format.
    #[arg(long, env = "PAYOUTSIM_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `payoutsim_core=debug`.
    #[arg(long, env = "PAYOUTSIM_LOG", default_value = "info")]
    log: String,
}

/// `--time-scale`: a number within `clock::check_time_scale`'s limits.
fn time_scale(text: &str) -> Result<f64, String> {
    let scale: f64 = text.parse().map_err(|e| format!("{e}"))?;
    payoutsim_core::clock::check_time_scale(scale).map(|()| scale)
}

/// A number of seconds from `min` to `max` (fractions allowed), as a duration.
fn seconds_within(text: &str, min: f64, max: f64) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if !(min..=max).contains(&secs) {
        return Err(format!("must be from {min} to {max} seconds"));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{e}"))
}

/// `--header-timeout`, `--body-timeout`, `--idle-timeout`: 0.1 to 3600 seconds.
fn timeout_secs(text: &str) -> Result<Duration, String> {
    seconds_within(text, 0.1, 3600.0)
}

/// `--shutdown-deadline`, `--advance-wait`: 0 to 3600 seconds.
fn deadline_secs(text: &str) -> Result<Duration, String> {
    seconds_within(text, 0.0, 3600.0)
}

/// `--start-time`: RFC 3339, from the Unix epoch to the latest simulated time.
fn start_time(text: &str) -> Result<DateTime<Utc>, String> {
    let t: DateTime<Utc> = text.parse().map_err(|e| format!("{e}"))?;
    let latest = payoutsim_core::clock::max_time();
    if t < DateTime::UNIX_EPOCH || t > latest {
        return Err(format!(
            "must be from 1970-01-01T00:00:00Z to {}",
            payoutsim_core::clock::rfc3339(latest)
        ));
    }
    Ok(t)
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(*args).map(|()| ExitCode::SUCCESS),
        Command::Scenario(ScenarioCommand::Check { files }) => {
            check_scenarios(&files).map(|()| ExitCode::SUCCESS)
        }
        Command::Health(args) => health(args).map(|()| ExitCode::SUCCESS),
        Command::Contract(args) => Ok(contract::run(*args)),
    }
}

/// `payoutsim health`: one `GET` of the admin API's health, bounded by `--timeout`; prints
/// `ok: URL: providers a, b` or fails saying what was wrong.
fn health(args: HealthArgs) -> anyhow::Result<()> {
    let url = match args.url {
        Some(url) => url,
        None if args.port_base == 0 => {
            anyhow::bail!("--port-base 0 picks free ports: give the health URL with --url")
        }
        None => format!("http://127.0.0.1:{}/__admin/health", args.port_base),
    };
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .with_context(|| format!("--timeout must be a positive number, got {}", args.timeout))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let body = runtime.block_on(async {
        // A proxy from the environment has no business between a probe and the loopback.
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .no_proxy()
            .build()?;
        let mut request = client.get(&url);
        if let Some(token) = &args.admin_token {
            request = request.bearer_auth(token);
        }
        let answer = request
            .send()
            .await
            .with_context(|| format!("{url}: no answer"))?;
        let status = answer.status();
        let text = answer
            .text()
            .await
            .with_context(|| format!("{url}: {status}, and the body could not be read"))?;
        anyhow::ensure!(status.is_success(), "{url}: {status}: {text}");
        serde_json::from_str::<serde_json::Value>(&text)
            .with_context(|| format!("{url}: {status}, but not JSON: {text}"))
    })?;
    anyhow::ensure!(
        body["status"] == "ok",
        "{url}: not healthy: \"status\" is {}",
        body["status"]
    );
    let providers: Vec<&str> = body["providers"]
        .as_array()
        .map(|all| all.iter().filter_map(|p| p.as_str()).collect())
        .unwrap_or_default();
    println!("ok: {url}: providers {}", providers.join(", "));
    Ok(())
}

/// Reads and parses a scenario file; the error is `FILE:LINE:COL: message`.
fn read_scenario(path: &std::path::Path) -> anyhow::Result<(String, Scenario)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario file {}", path.display()))?;
    let scenario = Scenario::parse(&text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?;
    Ok((text, scenario))
}

/// Applies `scenario` to a throwaway simulator built from `config`: every check the providers
/// make, with the error as `FILE:LINE:COL: field: message`.
fn check_against(
    path: &std::path::Path,
    text: &str,
    scenario: &Scenario,
    config: &ServeConfig,
) -> anyhow::Result<()> {
    let app = payoutsim::App::new(config);
    payoutsim_faults::scenario::apply(&app.engine, &app.faults, scenario).map_err(|e| {
        let at = payoutsim_faults::scenario::locate(text, &e.message)
            .map(|(line, col)| format!("{line}:{col}:"))
            .unwrap_or_default();
        anyhow::anyhow!("{}:{at} {}", path.display(), e.message)
    })?;
    Ok(())
}

/// `payoutsim scenario check`: every file parsed, then applied to a throwaway simulator with
/// every provider, so that what the providers decide (names, statuses, edges) is checked too.
fn check_scenarios(files: &[PathBuf]) -> anyhow::Result<()> {
    for path in files {
        let (text, scenario) = read_scenario(path)?;
        let mut config = ServeConfig::for_tests();
        if let Some(clock) = scenario.setup.clock {
            config.engine.clock.mode = clock.mode();
        }
        check_against(path, &text, &scenario, &config)?;
        let kinds: Vec<&str> = scenario.rules.iter().map(|r| r.fault.kind()).collect();
        println!(
            "{}: ok: scenario `{}`, {} rule(s){}",
            path.display(),
            scenario.name,
            kinds.len(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        );
    }
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format, &args.log)?;
    let mut config = ServeConfig {
        bind: args.bind,
        port_base: args.port_base,
        admin_token: args.admin_token,
        admin_allow_origins: args.admin_allow_origins,
        admin_allow_hosts: args.admin_allow_hosts,
        ready_file: args.ready_file,
        max_fault_rules: args.max_fault_rules,
        provider_settings: args.provider_flags.into_settings(),
        connections: ConnectionLimits {
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            idle_timeout: args.idle_timeout,
            max_connections: args.max_connections,
            shutdown_deadline: args.shutdown_deadline,
        },
        ..ServeConfig::default()
    };
    if !args.providers.is_empty() {
        config.providers = args.providers;
    }
    config.engine.seed = args.seed.unwrap_or_else(random_seed);
    config.seed_from_data_dir = args.seed.is_none();
    config.data_dir = args.data_dir;
    config.data_dir_max_bytes = args.data_dir_max_bytes;
    let mut files = Vec::new();
    for path in &args.scenarios {
        files.push((path, read_scenario(path)?));
    }
    let scenario_clock = files.first().and_then(|(_, (_, s))| s.setup.clock);
    config.engine.clock.mode = args
        .clock
        .or(scenario_clock.map(|c| c.mode()))
        .unwrap_or(ClockMode::Real);
    config.engine.clock.time_scale = args.time_scale;
    config.engine.clock.start = args.start_time;
    config.engine.journal_cap = args.journal_cap;
    args.bounds.apply(&mut config.engine);
    if let Err(e) = config.engine.check_bounds() {
        anyhow::bail!("the bounds do not agree: {e}");
    }
    config.engine.webhook_allow_hosts = args.webhook_allow_hosts;
    config.engine.show_secrets = args.show_secrets;
    config.engine.webhook_queue_cap = args.webhook_queue_cap;
    config.engine.webhook_timeout = args.webhook_timeout;
    config.engine.settle_wait = args.advance_wait;
    // Checked first against a throwaway copy, so an error names the file, line and field.
    for (path, (text, scenario)) in files {
        check_against(path, &text, &scenario, &config)?;
        config.scenarios.push(scenario);
    }
    tracing::info!(
        seed = config.engine.seed,
        "pass --seed {} to reproduce this run",
        config.engine.seed
    );

    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.workers {
        runtime.worker_threads(workers);
    }
    let runtime = runtime.enable_all().build()?;
    runtime.block_on(async move {
        // The handlers first: a SIGTERM sent as soon as the ready file is there (a container
        // stopped right after its health check passed) still shuts down gracefully.
        let shutdown =
            shutdown_signal().context("cannot install the SIGINT and SIGTERM handlers")?;
        let running = payoutsim::start(config)
            .await
            .context("payoutsim could not start")?;
        running
            .serve_until(shutdown)
            .await
            .context("payoutsim stopped with an error")?;
        tracing::info!("payoutsim stopped");
        Ok(())
    })
}

fn init_logging(format: LogFormat, filter: &str) -> anyhow::Result<()> {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).context("--log is not a valid filter")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

/// A seed from the process's hash randomness (no wall clock involved).
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish() % 1_000_000_000
}

/// Installs the SIGINT and SIGTERM handlers now, and answers a future that ends at the first of
/// them (logging which).
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT: shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM: shutting down"),
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("SIGINT: shutting down");
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use payoutsim::REGISTRY;

    use super::Cli;

    #[test]
    fn the_command_line_and_every_providers_flags_fit_together() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_connection_and_webhook_flags_take_their_documented_defaults() {
        use clap::Parser;
        let Ok(Cli {
            command: super::Command::Serve(args),
        }) = Cli::try_parse_from(["payoutsim", "serve"])
        else {
            panic!("serve without flags parses");
        };
        let secs = std::time::Duration::from_secs;

        assert_eq!(
            (args.header_timeout, args.body_timeout, args.idle_timeout),
            (secs(10), secs(30), secs(60))
        );
        assert_eq!(
            (args.max_connections, args.shutdown_deadline),
            (1024, secs(5))
        );
        assert_eq!(
            (args.webhook_queue_cap, args.advance_wait),
            (10_000, secs(2))
        );
        assert_eq!(args.webhook_timeout, None);
        assert_eq!(args.workers, None, "one worker per core unless told");
    }

    #[test]
    fn connection_and_webhook_flags_out_of_range_are_refused() {
        use clap::Parser;
        for (flag, value) in [
            ("--header-timeout", "0"),
            ("--body-timeout", "3601"),
            ("--idle-timeout", "soon"),
            ("--max-connections", "0"),
            ("--shutdown-deadline", "-1"),
            ("--webhook-queue-cap", "0"),
            ("--webhook-timeout", "0.01"),
            ("--advance-wait", "1e9"),
            ("--workers", "0"),
            ("--workers", "1025"),
        ] {
            let parsed = Cli::try_parse_from(["payoutsim", "serve", flag, value]);
            assert!(parsed.is_err(), "{flag} {value} should be refused");
        }
        let fine = Cli::try_parse_from([
            "payoutsim",
            "serve",
            "--advance-wait",
            "0",
            "--header-timeout",
            "0.5",
        ]);
        assert!(fine.is_ok());
    }

    #[test]
    fn serve_help_lists_every_registered_provider_with_its_summary() {
        let mut cli = Cli::command();

        let help = cli
            .find_subcommand_mut("serve")
            .map(|serve| serve.render_long_help().to_string())
            .unwrap_or_default();

        for entry in REGISTRY {
            let listed = help.lines().map(str::trim).any(|line| {
                line.starts_with(&format!("- {}:", entry.name)) && line.ends_with(entry.summary)
            });
            assert!(
                listed,
                "no `- {}: {}` in:\n{help}",
                entry.name, entry.summary
            );
        }
    }

    #[test]
    fn every_serve_flag_reads_a_payoutsim_variable_named_after_it() {
        let cli = Cli::command();
        let serve = cli.find_subcommand("serve").expect("a serve command");

        let mut checked = 0;
        for arg in serve.get_arguments() {
            let Some(long) = arg.get_long().filter(|l| *l != "help") else {
                continue;
            };
            let expected = format!("PAYOUTSIM_{}", long.to_ascii_uppercase().replace('-', "_"));
            let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
            assert_eq!(env.as_deref(), Some(expected.as_str()), "--{long}");
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} flags seen");
    }
}
