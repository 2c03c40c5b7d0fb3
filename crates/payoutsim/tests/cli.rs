//! The `payoutsim` binary as a user runs it: flags, ready file, logs, SIGTERM.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::process::{Command, Stdio};

use common::get_json;
use common::process::{Ready, bin, serve, serve_manual, spawn_ready};

/// The outage scenario from `scenarios/`: one rule, `outage`, and a manual clock.
const OUTAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../scenarios/onepay-outage-503.yaml"
);

#[tokio::test]
async fn serve_writes_the_ready_file_logs_json_and_stops_cleanly_on_sigterm() {
    let mut command = serve_manual(3, &["--log-format", "json"]);
    command.stderr(Stdio::piped());
    let Ready { child, urls, .. } = spawn_ready(command, "cli");

    let admin = urls["admin"].as_str().unwrap();
    let health = get_json(&format!("{admin}/__admin/health")).await;
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();

    assert!(kill.success());
    assert!(out.status.success(), "exit: {:?}", out.status);
    assert_eq!(health["seed"], 3);
    assert_eq!(health["clock"]["mode"], "manual");
    let logs = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let listening = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "listening")
        .count();
    let served = urls.as_object().map_or(0, |o| o.len());
    assert!(
        served >= 2,
        "the ready file names admin and the providers: {urls}"
    );
    assert_eq!(
        listening, served,
        "one log line per listener in the ready file: {logs}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "SIGTERM: shutting down")
    );
}

#[tokio::test]
async fn serve_runs_as_many_workers_as_the_flag_says_and_health_shows_them() {
    for workers in [1, 3] {
        let n = workers.to_string();
        let command = serve_manual(1, &["--workers", &n]);
        let Ready {
            mut child, urls, ..
        } = spawn_ready(command, &format!("workers-{n}"));

        let admin = urls["admin"].as_str().unwrap();
        let health = get_json(&format!("{admin}/__admin/health")).await;
        child.kill().unwrap();
        child.wait().unwrap();

        assert_eq!(health["workers"], workers, "--workers {n}: {health}");
    }
}

#[test]
fn a_workers_count_of_zero_is_refused_naming_its_range() {
    let err = refusal(&["serve", "--workers", "0"]);

    assert!(err.contains("--workers"), "{err}");
    assert!(err.contains("1..=1024"), "{err}");
}

/// Runs `payoutsim` with `args`, checks that it fails, and returns what it printed on stderr.
fn refusal(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should be refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_unknown_provider_is_refused_with_a_message_listing_the_known_ones() {
    let err = refusal(&["serve", "--providers", "onepay,nope"]);

    assert!(err.contains("unknown provider `nope`"), "{err}");
    assert!(
        err.contains("onspot, onepay, kashpay, tupay, dots"),
        "{err}"
    );
}

#[test]
fn an_invalid_clock_mode_is_refused() {
    let err = refusal(&["serve", "--clock", "sometimes"]);

    assert!(err.contains("unknown clock mode `sometimes`"), "{err}");
}

#[test]
fn a_time_scale_of_1e12_is_refused_naming_its_limit() {
    let huge = refusal(&["serve", "--clock", "real", "--time-scale", "1e12"]);
    let zero = refusal(&["serve", "--time-scale", "0"]);

    assert!(huge.contains("--time-scale"), "{huge}");
    assert!(huge.contains("at most 1000000"), "{huge}");
    assert!(zero.contains("above 0"), "{zero}");
}

#[test]
fn a_start_time_past_year_9999_is_refused_naming_its_limit() {
    let err = refusal(&["serve", "--start-time", "+10000-01-01T00:00:00Z"]);

    assert!(err.contains("--start-time"), "{err}");
    assert!(err.contains("9999-12-31T23:59:59.999999Z"), "{err}");
}

#[test]
fn scenario_check_refuses_a_timing_of_4294967295_business_days_naming_its_limit() {
    let days = scenario_file(
        "days.yaml",
        "name: days\nsetup:\n  timings:\n    - {provider: onepay, kind: cashout, variant: ACH, from: processing, to: processed, business_days: 4294967295}\n",
    );

    let err = refusal(&["scenario", "check", &days]);

    assert!(
        err.contains("setup.timings[0]: `business_days` must be at most 26000"),
        "{err}"
    );
}

/// Writes `text` to a temporary file named after `name`; answers its path.
fn scenario_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("payoutsim-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn scenario_check_accepts_a_valid_file_with_a_one_line_summary() {
    let out = bin().args(["scenario", "check", OUTAGE]).output().unwrap();

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ok: scenario `onepay-outage-503`, 1 rule(s) (status)"),
        "{stdout}"
    );
}

#[test]
fn scenario_check_names_the_file_line_and_field_of_an_error() {
    let typo = scenario_file(
        "typo.yaml",
        "name: typo\nrules:\n  - fault: {kind: status, status: 503}\n    tims: 2\n",
    );
    let unknown = scenario_file(
        "provider.yaml",
        "name: p\nrules:\n  - fault: {kind: reset}\n  - match: {provider: nobody}\n    fault: {kind: reset}\n",
    );

    let typo_err = refusal(&["scenario", "check", &typo]);
    let unknown_err = refusal(&["scenario", "check", &unknown]);

    let expected = format!("{typo}:4:5: rules[0]: unknown field `tims`");
    assert!(typo_err.contains(&expected), "{typo_err}");
    let expected = format!("{unknown}:4:5: rules[1].match.provider: `nobody` is not served");
    assert!(unknown_err.contains(&expected), "{unknown_err}");
    std::fs::remove_file(typo).ok();
    std::fs::remove_file(unknown).ok();
}

#[tokio::test]
async fn serve_loads_scenarios_given_with_the_flag() {
    let command = serve(&["--scenario", OUTAGE, "--log", "warn"]);
    let Ready {
        mut child, urls, ..
    } = spawn_ready(command, "cli-scn");

    let admin = urls["admin"].as_str().unwrap();
    let rules = get_json(&format!("{admin}/__admin/faults")).await;
    let health = get_json(&format!("{admin}/__admin/health")).await;
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(rules["rules"][0]["id"], "outage");
    assert_eq!(
        health["clock"]["mode"], "manual",
        "the scenario's setup.clock"
    );
}

#[test]
fn serve_refuses_a_scenario_that_does_not_fit_and_names_the_file_and_field() {
    let file = scenario_file(
        "misfit.yaml",
        "name: misfit\nrules:\n  - match: {provider: onepay}\n    fault: {kind: outcome, status: processing}\n",
    );

    let err = refusal(&["serve", "--port-base", "0", "--scenario", &file]);
    std::fs::remove_file(&file).ok();

    assert!(
        err.contains(&file) && err.contains(":4:") && err.contains("fault.status"),
        "{err}"
    );
    assert!(err.contains("not a terminal status"), "{err}");
}

#[tokio::test]
async fn serve_with_a_real_clock_loads_a_manual_clock_scenario_and_warns() {
    let mut command = serve(&["--clock", "real", "--scenario", OUTAGE]);
    command
        .args(["--log-format", "json"])
        .stderr(Stdio::piped());
    let Ready {
        mut child, urls, ..
    } = spawn_ready(command, "cli-real");

    let admin = urls["admin"].as_str().unwrap();
    let health = get_json(&format!("{admin}/__admin/health")).await;
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();

    assert_eq!(
        health["clock"]["mode"], "real",
        "--clock wins over setup.clock"
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.lines()
            .any(|l| l.contains("\"WARN\"") && l.contains("setup.clock")),
        "{logs}"
    );
}
