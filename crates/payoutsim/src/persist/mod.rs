//! `--data-dir DIR`: the simulator's state kept in a SQLite file, so that it survives a restart
//! and `kill -9`.
//!
//! The simulator is deterministic under its seed, so what is kept is an **input log**, not a
//! copy of every provider's store: each state-changing input (a provider request as the provider
//! saw it, a state-changing admin call that succeeded, a real-clock tick that applied something)
//! is written, with its simulated instant and its answer's status and body hash, before the
//! answer leaves. At start on a directory holding a log, the inputs are replayed through the
//! same handlers at their instants with webhook sending off, and each answer must match the one
//! recorded (else the start fails, naming the input): nothing is lost in silence. Webhook
//! delivery records and where each message stands (attempts made, next retry, done) are kept in
//! tables of their own, written by the sender, and put back after the replay, so a message is
//! never queued twice and a pending one resumes.
//!
//! - `store.rs`: the file, its meta table and the checks at open
//! - `record.rs`: the middlewares that log inputs, and the engine's recorder
//! - `replay.rs`: replay and restore at start
//!
//! Not kept: the request journal, fault rules' hit counts (rules are kept; their counts start
//! again), inbox messages, and what a `real` clock would have moved while the simulator was
//! stopped (time resumes at the last input's instant).

pub mod record;
pub mod replay;
pub mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::config::ServeConfig;
pub use replay::Replayed;
pub use store::Store;

/// A data directory opened and checked against this start's flags.
pub struct DataDir {
    pub dir: PathBuf,
    pub store: Arc<Store>,
    /// The meta rows to write when the directory is new (`None`: it holds a log to replay).
    fresh: Option<BTreeMap<String, String>>,
}

impl DataDir {
    /// Whether the directory held nothing yet.
    pub fn is_fresh(&self) -> bool {
        self.fresh.is_some()
    }

    /// Writes the meta rows of a new directory, with `origin`, where simulated time started.
    pub fn initialise(&self, origin: DateTime<Utc>) -> Result<(), String> {
        let Some(meta) = &self.fresh else {
            return Ok(());
        };
        let mut meta = meta.clone();
        meta.insert("origin".into(), payoutsim_core::clock::rfc3339(origin));
        (self.store.initialise(&meta))
            .map_err(|e| format!("cannot write {}: {e}", self.store.file().display()))
    }
}

/// Opens `config.data_dir`, if set, and checks it: a directory that holds a log must have been
/// written with the same seed and behaviour flags (each difference is named). On such a
/// directory the seed is taken from it when none was given, and simulated time starts where it
/// started the first time.
pub fn open(config: &mut ServeConfig) -> Result<Option<DataDir>, String> {
    let Some(dir) = config.data_dir.clone() else {
        return Ok(None);
    };
    let (store, recorded) = Store::open(&dir)?;
    let store = store.with_max_bytes(config.data_dir_max_bytes);
    let Some(recorded) = recorded else {
        return Ok(Some(DataDir {
            dir,
            store: Arc::new(store),
            fresh: Some(meta_of(config)),
        }));
    };
    let shown = dir.display();
    if config.seed_from_data_dir
        && let Some(seed) = recorded.get("seed").and_then(|s| s.parse().ok())
    {
        config.engine.seed = seed;
    }
    let expected = meta_of(config);
    let differences: Vec<String> = (expected.iter())
        .filter(|(k, v)| recorded.get(*k) != Some(v))
        .map(|(k, v)| {
            let was = recorded.get(k).map_or("nothing", String::as_str);
            format!("{k}: recorded {was}, now {v}")
        })
        .collect();
    if !differences.is_empty() {
        return Err(format!(
            "--data-dir {shown} was written by another version or with other settings ({}): \
             start with the same ones, or give another directory",
            differences.join("; ")
        ));
    }
    let origin = (recorded.get("origin"))
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or_else(|| format!("--data-dir {shown} has no readable origin time"))?;
    config.engine.clock.start = Some(origin.with_timezone(&Utc));
    Ok(Some(DataDir {
        dir,
        store: Arc::new(store),
        fresh: None,
    }))
}

/// What a directory records of the start that wrote it: the format, the binary's version, and
/// every setting that changes what an input is answered (a difference at restart is refused).
fn meta_of(config: &ServeConfig) -> BTreeMap<String, String> {
    let e = &config.engine;
    let providers: Vec<&str> = config.providers.iter().map(|p| p.name()).collect();
    let mut providers = providers;
    providers.sort_unstable();
    providers.dedup();
    let scenarios = serde_json::to_vec(&config.scenarios).unwrap_or_default();
    let names: Vec<&str> = config.scenarios.iter().map(|s| s.name.as_str()).collect();
    let start = e
        .clock
        .start
        .map_or_else(|| "none".to_string(), payoutsim_core::clock::rfc3339);
    [
        ("format", store::FORMAT.to_string()),
        ("version", env!("CARGO_PKG_VERSION").to_string()),
        ("seed", e.seed.to_string()),
        ("clock", format!("{:?}", e.clock.mode).to_lowercase()),
        ("time_scale", e.clock.time_scale.to_string()),
        ("start_time", start),
        ("providers", providers.join(",")),
        (
            "idempotency",
            format!(
                "ttl {}s, {} keys",
                e.idempotency_ttl_s, e.idempotency_max_keys
            ),
        ),
        (
            "webhooks",
            format!("{:?}, queue cap {}", e.webhooks, e.webhook_queue_cap),
        ),
        (
            "scenarios",
            format!(
                "[{}] sha256 {}",
                names.join(", "),
                hex::encode(Sha256::digest(&scenarios))
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}
