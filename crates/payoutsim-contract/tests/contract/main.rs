//! `cargo test -p payoutsim-contract`: the whole contract suite, run in process by the library's
//! runner (see the crate doc for the targets). The target comes from the environment
//! (`PAYOUTSIM_TARGET`, …), the features from `PAYOUTSIM_FEATURES` or the checkout's
//! `features/`, and cucumber's own options follow `--` (`-- --name balance`, `-- --tags @sim`).
//! `PAYOUTSIM_CLIENT="python3 adapters/python/onepay_adapter.py"` runs the `@client` scenarios
//! through that adapter instead of the built-in client (and only them).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use payoutsim_contract::{CucumberCli, Features, Options, Target};

#[tokio::main]
async fn main() -> ExitCode {
    let target = match Target::from_env() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("contract: {e}");
            return ExitCode::FAILURE;
        }
    };
    let features = std::env::var_os("PAYOUTSIM_FEATURES")
        .map(|dir| Features::Dir(PathBuf::from(dir)))
        .unwrap_or_else(Features::checkout);
    let options = Options {
        target,
        features,
        providers: Vec::new(),
        starter: Some(Arc::new(payoutsim::suite::InProcess)),
        junit: None,
        json: None,
        client: std::env::var("PAYOUTSIM_CLIENT")
            .ok()
            .filter(|c| !c.is_empty()),
    };
    match payoutsim_contract::run(options, CucumberCli::parsed()).await {
        Ok(summary) if summary.succeeded() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("contract: {e}");
            ExitCode::FAILURE
        }
    }
}
