//! The `@client` scenarios through adapter processes (python3, standard library only): the
//! reference adapters (`adapters/python/`) pass every scenario of their provider, and each
//! deliberately broken one (`tests/adapters/`) fails exactly the scenarios of the capability it
//! breaks and passes every other one, as the summary's capability table shows.
//!
//! Each test is one run of the suite; runs share the process's run client, so they take turns.

use std::collections::BTreeMap;
use std::sync::Arc;

use cucumber::cli::Parser as _;
use payoutsim_contract::capabilities::Tally;
use payoutsim_contract::{CucumberCli, Features, Options, Summary, Target};
use tokio::sync::Mutex;

static ONE_RUN_AT_A_TIME: Mutex<()> = Mutex::const_new(());

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

async fn run(adapter: &str, provider: &str) -> Summary {
    let _turn = ONE_RUN_AT_A_TIME.lock().await;
    let options = Options {
        target: Target::InProcess,
        features: Features::checkout(),
        providers: vec![provider.to_string()],
        starter: Some(Arc::new(payoutsim::suite::InProcess)),
        junit: None,
        json: None,
        client: Some(format!("python3 {ROOT}/{adapter}")),
    };
    let cli = CucumberCli::parse_from(["contract"]);
    payoutsim_contract::run(options, cli)
        .await
        .expect("the run starts")
}

/// The provider's column of the capability table.
fn column(summary: &Summary, provider: &str) -> BTreeMap<String, Tally> {
    (summary.capabilities.iter())
        .filter_map(|(capability, row)| Some((capability.clone(), row.get(provider)?.clone())))
        .collect()
}

/// Asserts the capabilities in `failing` failed at `provider` (every scenario of theirs), and
/// every other capability there passed.
fn assert_only_failing(summary: &Summary, provider: &str, failing: &[&str]) {
    let column = column(summary, provider);
    assert!(!column.is_empty(), "no client scenario ran: {summary:?}");
    for (capability, tally) in &column {
        if failing.contains(&capability.as_str()) {
            assert!(
                tally.failed > 0 && tally.passed == 0,
                "{capability} should fail: {tally:?}"
            );
        } else {
            assert!(
                tally.failed == 0 && tally.passed > 0,
                "{capability} should pass: {tally:?}"
            );
        }
    }
    for capability in failing {
        assert!(
            column.contains_key(*capability),
            "no {capability} scenario ran"
        );
    }
    let failed: usize = (column.iter())
        .filter(|(c, _)| failing.contains(&c.as_str()))
        .map(|(_, t)| t.failed)
        .sum();
    assert_eq!(
        summary.failed, failed,
        "only the broken capability's scenarios fail"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_onepay_adapter_passes_every_onepay_client_scenario() {
    let summary = run("adapters/python/onepay_adapter.py", "onepay").await;
    assert!(summary.succeeded(), "{summary:?}");
    assert_eq!(summary.passed, summary.scenarios);
    assert!(summary.not_applicable.is_empty(), "{summary:?}");
    assert_only_failing(&summary, "onepay", &[]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_kashpay_adapter_passes_every_kashpay_client_scenario() {
    let summary = run("adapters/python/kashpay_adapter.py", "kashpay").await;
    assert!(summary.succeeded(), "{summary:?}");
    assert_eq!(summary.passed, summary.scenarios);
    assert_only_failing(&summary, "kashpay", &[]);
    let column = column(&summary, "kashpay");
    for webhooks in ["webhook-signature", "webhook-duplicate", "webhook-order"] {
        assert!(!column.contains_key(webhooks), "Kashpay has no webhooks");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adapter_that_retries_without_its_idempotency_key_fails_only_the_lost_answer_scenarios()
{
    let summary = run(
        "crates/payoutsim-contract/tests/adapters/keyless_retry.py",
        "onepay",
    )
    .await;
    assert_only_failing(&summary, "onepay", &["lost-answer"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adapter_that_ignores_retry_after_fails_only_the_retry_after_scenarios() {
    let summary = run(
        "crates/payoutsim-contract/tests/adapters/ignores_retry_after.py",
        "onepay",
    )
    .await;
    assert_only_failing(&summary, "onepay", &["retry-after"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adapter_that_skips_signature_checks_fails_only_the_webhook_signature_scenarios() {
    let summary = run(
        "crates/payoutsim-contract/tests/adapters/skips_signatures.py",
        "onepay",
    )
    .await;
    assert_only_failing(&summary, "onepay", &["webhook-signature"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_adapter_is_a_setup_error_naming_it() {
    let _turn = ONE_RUN_AT_A_TIME.lock().await;
    let options = Options {
        target: Target::InProcess,
        features: Features::checkout(),
        providers: vec!["onepay".to_string()],
        starter: Some(Arc::new(payoutsim::suite::InProcess)),
        junit: None,
        json: None,
        client: Some("python3 /nonexistent/adapter.py".to_string()),
    };
    let error = payoutsim_contract::run(options, CucumberCli::parse_from(["contract"]))
        .await
        .expect_err("no adapter");
    assert!(
        error.0.contains("exited before answering its hello"),
        "{error}"
    );
}
