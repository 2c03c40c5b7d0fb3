//! A document that drifts from the simulator fails the contract suite's scenario that meets the
//! drift, with the violation named. The test runs itself again as a child (one suite run per
//! process: the target and starter are fixed for its life) with `PAYOUTSIM_CONTRACT_OPENAPI`
//! naming a directory that holds OnSpot's document with an item result's `message` said to be
//! an integer, runs one OnSpot scenario there, and reads what the child printed.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;

use payoutsim_contract::{CucumberCli, DOCUMENTS_ENV, Features, Options, Target};

/// Set in the child: run the suite instead of checking a child's run.
const CHILD: &str = "PAYOUTSIM_DRIFT_CHILD";
const SCENARIO: &str =
    r#"The seed's example creates the first payout and reports the "98l00" amount"#;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return run_suite().await;
    }
    match check_a_drifted_document_fails_the_scenario() {
        Ok(()) => {
            println!("test a_document_that_drifted_fails_the_scenario_naming_the_violation ... ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("a_document_that_drifted_fails_the_scenario_naming_the_violation: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_suite() -> ExitCode {
    let options = Options {
        target: Target::InProcess,
        features: Features::checkout(),
        providers: vec!["onspot".to_string()],
        starter: Some(Arc::new(payoutsim::suite::InProcess)),
        junit: None,
        json: None,
        client: None,
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

fn check_a_drifted_document_fails_the_scenario() -> Result<(), String> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let original = manifest.join("../payoutsim-onspot/openapi.yaml");
    let text = std::fs::read_to_string(&original).map_err(|e| format!("{original:?}: {e}"))?;
    let line = "        message: {type: string, minLength: 1}\n";
    if text.matches(line).count() != 1 {
        return Err(format!(
            "{original:?} no longer has ItemResult's message line"
        ));
    }
    let drifted = text.replace(line, "        message: {type: integer}\n");
    let dir = std::env::temp_dir().join(format!("payoutsim-drift-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("onspot.yaml"), drifted).map_err(|e| e.to_string())?;

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .env(CHILD, "1")
        .env(DOCUMENTS_ENV, &dir)
        .args(["--name", SCENARIO])
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shown = || {
        format!(
            "the child's output:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    };
    if out.status.success() {
        return Err(format!(
            "the scenario passed against the drifted document; {}",
            shown()
        ));
    }
    let expected = [
        "1 scenarios (0 passed, 1 failed",
        "departs from onspot's OpenAPI document (2 violations)",
        "POST /accreditation/payouts/create (create-payouts) answer 201",
        "at /0/0/message",
        "at /0/1/message",
    ];
    for want in expected {
        if !stdout.contains(want) {
            return Err(format!("no `{want}` in {}", shown()));
        }
    }
    Ok(())
}
