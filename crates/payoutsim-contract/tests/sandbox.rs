//! The sandbox target for OnSpot and Kashpay, with an in-process simulator standing in for
//! their sandboxes: the suite is given one OnSpot key pair and one Kashpay entity and user, as a
//! sandbox account has, runs every scenario of their folders that does not need the simulator,
//! and says in a note how many `@sim` scenarios it left out and why. (One run per process: the
//! target is fixed for the process, so this file holds one test.)

use std::collections::BTreeMap;
use std::path::Path;

use cucumber::gherkin::{Feature, GherkinEnv};
use payoutsim::suite::InProcess;
use payoutsim_contract::{CucumberCli, Features, Options, Starter, Target, run};

/// The scenarios of the feature files under `dir` (subfolders included) once outlines are
/// expanded, and how many of them are tagged `@sim` (on the feature, its rule, the scenario or
/// its examples).
fn scenarios_under(dir: &Path) -> (usize, usize) {
    let (mut all, mut sim) = (0, 0);
    for entry in std::fs::read_dir(dir).expect("a features folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            let (a, s) = scenarios_under(&path);
            (all, sim) = (all + a, sim + s);
            continue;
        }
        if path.extension().is_none_or(|e| e != "feature") {
            continue;
        }
        let feature = Feature::parse_path(&path, GherkinEnv::default()).expect("a feature");
        let tagged = |tags: &[String]| tags.iter().any(|t| t == "sim");
        let scenarios = (feature.scenarios.iter().map(|s| (s, false))).chain(
            feature.rules.iter().flat_map(|r| {
                let rule_sim = tagged(&r.tags);
                r.scenarios.iter().map(move |s| (s, rule_sim))
            }),
        );
        for (scenario, rule_sim) in scenarios {
            let inherited = tagged(&feature.tags) || rule_sim || tagged(&scenario.tags);
            if scenario.examples.is_empty() {
                all += 1;
                sim += usize::from(inherited);
            }
            for examples in &scenario.examples {
                let rows = examples
                    .table
                    .as_ref()
                    .map_or(0, |t| t.rows.len().saturating_sub(1));
                all += rows;
                if inherited || tagged(&examples.tags) {
                    sim += rows;
                }
            }
        }
    }
    (all, sim)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onspot_and_kashpay_run_on_a_sandbox_with_its_one_set_of_credentials_leaving_out_sim() {
    let stand_in = InProcess.start().await.expect("a simulator");
    let urls = stand_in.urls();
    let target = Target::Sandbox {
        urls: BTreeMap::from([
            ("onspot".to_string(), urls["onspot"].clone()),
            ("kashpay".to_string(), urls["kashpay"].clone()),
        ]),
        credentials: BTreeMap::from([
            (
                "ONSPOT_PUBLIC_KEY".to_string(),
                "2903d3d5sandboxpublickey".to_string(),
            ),
            (
                "ONSPOT_SECRET_KEY".to_string(),
                "sandbox-secret-key".to_string(),
            ),
            ("KASHPAY_ENTITY".to_string(), "com.sandboxteam".to_string()),
            (
                "KASHPAY_USER".to_string(),
                "team@sandbox.example".to_string(),
            ),
            (
                "KASHPAY_PASSWORD".to_string(),
                "sandbox-password".to_string(),
            ),
        ]),
    };
    let options = Options {
        target,
        features: Features::checkout(),
        providers: vec!["onspot".to_string(), "kashpay".to_string()],
        starter: None,
        client: None,
        junit: None,
        json: None,
    };
    let summary = run(options, CucumberCli::default()).await.expect("a run");
    let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../features");
    let (onspot, onspot_sim) = scenarios_under(&features.join("onspot"));
    let (kashpay, kashpay_sim) = scenarios_under(&features.join("kashpay"));
    assert!(summary.succeeded(), "{summary:?}");
    assert_eq!(summary.failed, 0, "{summary:?}");
    let sim = onspot_sim + kashpay_sim;
    assert!(sim < onspot + kashpay, "some scenarios run on the sandbox");
    assert_eq!(summary.scenarios, onspot + kashpay - sim, "{summary:?}");
    assert_eq!(summary.passed, summary.scenarios);
    let note = (summary.notes.iter().find(|n| n.contains("@sim")))
        .unwrap_or_else(|| panic!("no @sim note: {:?}", summary.notes));
    assert!(
        note.starts_with(&format!("left out {sim} @sim scenarios: ")),
        "{note}"
    );
    assert!(
        note.contains("admin API") && note.contains("fresh credentials"),
        "{note}"
    );
}
