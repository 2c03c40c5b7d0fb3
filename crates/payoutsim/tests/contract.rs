//! `payoutsim contract` as a team runs it: the built binary, from a directory that is not the
//! checkout, with its embedded features or the team's own, and the JUnit and cucumber JSON
//! reports it writes, read with an XML parser and serde_json.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A fresh, empty directory outside the checkout, removed when the test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir =
        std::env::temp_dir().join(format!("payoutsim-contract-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// `payoutsim contract ARGS` run in `dir`, with none of the suite's target variables set.
fn contract(dir: &Path, args: &[&str]) -> Output {
    contract_of(Path::new(env!("CARGO_BIN_EXE_payoutsim")), dir, args)
}

/// [`contract`] with the binary at `program`.
fn contract_of(program: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(program);
    command.arg("contract").args(args).current_dir(dir);
    for var in [
        "PAYOUTSIM_ADMIN_URL",
        "PAYOUTSIM_ADMIN_TOKEN",
        "PAYOUTSIM_ONEPAY_URL",
    ] {
        command.env_remove(var);
    }
    command.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `contract summary:` line's scenario counts: (total, passed, failed).
fn summary(out: &Output) -> (usize, usize, usize) {
    let text = stdout(out);
    let line = text
        .lines()
        .find(|l| l.starts_with("contract summary:"))
        .unwrap_or_else(|| panic!("no summary line in {text}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

/// What a JUnit report says: the `tests` and `failures` of every `<testsuite>` summed, the
/// `<testcase>`s and the `<failure>`s counted, and the test cases' names.
#[derive(Debug)]
struct JUnit {
    tests: usize,
    failures: usize,
    testcases: usize,
    failure_elements: usize,
    names: Vec<String>,
}

fn junit(path: &Path) -> JUnit {
    let text = fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites", "{text}");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.is_element())
        .inspect(|s| assert_eq!(s.tag_name().name(), "testsuite", "{text}"))
        .collect();
    let number = |node: roxmltree::Node, name: &str| -> usize {
        node.attribute(name).unwrap().parse().unwrap()
    };
    let cases: Vec<_> = suites
        .iter()
        .flat_map(|s| s.children().filter(|n| n.has_tag_name("testcase")))
        .collect();
    JUnit {
        tests: suites.iter().map(|s| number(*s, "tests")).sum(),
        failures: suites.iter().map(|s| number(*s, "failures")).sum(),
        testcases: cases.len(),
        failure_elements: cases
            .iter()
            .flat_map(|c| c.children().filter(|n| n.has_tag_name("failure")))
            .count(),
        names: cases
            .iter()
            .map(|c| c.attribute("name").unwrap().to_string())
            .collect(),
    }
}

/// Every scenario of a cucumber JSON report (not the background elements it writes beside
/// them): its feature's `uri` and its steps' statuses.
fn json_scenarios(path: &Path) -> Vec<(String, Vec<String>)> {
    let report: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let mut scenarios = Vec::new();
    for feature in report.as_array().unwrap() {
        let uri = feature["uri"].as_str().unwrap_or_default().to_string();
        let elements = feature["elements"].as_array().unwrap();
        for element in elements.iter().filter(|e| e["type"] == "scenario") {
            let statuses = element["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["result"]["status"].as_str().unwrap().to_string())
                .collect();
            scenarios.push((uri.clone(), statuses));
        }
    }
    scenarios
}

/// Two tiny OnePay features: one scenario that passes, one that cannot.
fn team_features(dir: &Path) -> PathBuf {
    let features = dir.join("team-features");
    fs::create_dir_all(features.join("onepay")).unwrap();
    fs::write(
        features.join("onepay/balance.feature"),
        "Feature: Our balance check\n\n  @ours\n  Scenario: A test key reads its balance\n    \
         Given a OnePay test key\n    When I GET \"/v1/balances\"\n    \
         Then the response status is 200\n",
    )
    .unwrap();
    fs::write(
        features.join("onepay/teapot.feature"),
        "Feature: Our wrong expectation\n\n  @wrong\n  Scenario: The balance is a teapot\n    \
         Given a OnePay test key\n    When I GET \"/v1/balances\"\n    \
         Then the response status is 418\n",
    )
    .unwrap();
    features
}

#[test]
fn the_embedded_suite_runs_onepays_tagged_scenarios_outside_the_checkout_with_valid_reports() {
    let dir = scratch("embedded");
    let out = contract(
        &dir,
        &[
            "--provider",
            "onepay",
            "--tags",
            "@serial",
            "--junit",
            "out.xml",
            "--json",
            "out.json",
        ],
    );

    assert!(out.status.success(), "{out:?}");
    let (total, passed, failed) = summary(&out);
    assert!(total > 0);
    assert_eq!((passed, failed), (total, 0));
    let report = junit(&dir.join("out.xml"));
    assert_eq!(report.testcases, total, "{report:?}");
    assert_eq!(report.tests, total, "{report:?}");
    assert_eq!((report.failures, report.failure_elements), (0, 0));
    let scenarios = json_scenarios(&dir.join("out.json"));
    assert_eq!(scenarios.len(), total);
    for (uri, statuses) in &scenarios {
        assert!(uri.starts_with("features/onepay/"), "only OnePay's: {uri}");
        assert!(!statuses.is_empty() && statuses.iter().all(|s| s == "passed"));
    }
}

#[test]
fn a_failing_scenario_exits_1_and_is_a_failure_in_the_junit_report() {
    let dir = scratch("failing");
    let features = team_features(&dir);
    let out = contract(
        &dir,
        &[
            "--features",
            features.to_str().unwrap(),
            "--junit",
            "out.xml",
            "--json",
            "out.json",
        ],
    );

    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(summary(&out), (2, 1, 1));
    let report = junit(&dir.join("out.xml"));
    assert_eq!((report.tests, report.testcases), (2, 2), "{report:?}");
    assert_eq!(
        (report.failures, report.failure_elements),
        (1, 1),
        "{report:?}"
    );
    let mut statuses: Vec<Vec<String>> = json_scenarios(&dir.join("out.json"))
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ["passed", "passed", "failed"].map(String::from).to_vec(),
            ["passed", "passed", "passed"].map(String::from).to_vec(),
        ]
    );
}

#[test]
fn features_dir_runs_the_teams_own_files_and_tags_narrow_them() {
    let dir = scratch("team");
    let features = team_features(&dir);
    let out = contract(
        &dir,
        &[
            "--features",
            features.to_str().unwrap(),
            "--provider",
            "onepay",
            "--tags",
            "@ours",
            "--junit",
            "out.xml",
        ],
    );

    assert!(out.status.success(), "{out:?}");
    assert_eq!(summary(&out), (1, 1, 0));
    let report = junit(&dir.join("out.xml"));
    assert_eq!(report.testcases, 1, "{report:?}");
    assert!(
        report.names[0].contains("A test key reads its balance"),
        "{report:?}"
    );
}

#[test]
fn an_unknown_provider_or_a_bad_target_is_a_usage_error_with_exit_2() {
    let dir = scratch("usage");
    let cases: [(&[&str], &str); 4] = [
        (&["--provider", "nopay"], "nopay"),
        (&["--target", "nowhere"], "nowhere"),
        (
            &["--target", "url", "--onepay-url", "http://127.0.0.1:9"],
            "--admin-url",
        ),
        (&["--tags", "@a and and"], "tag expression"),
    ];
    for (args, named) in cases {
        let out = contract(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(
            !stdout(&out).contains("contract summary:"),
            "{args:?} ran scenarios"
        );
    }
}

#[test]
fn a_provider_the_url_target_does_not_serve_is_a_usage_error() {
    let dir = scratch("unserved");
    let out = contract(
        &dir,
        &[
            "--target",
            "url",
            "--admin-url",
            "http://127.0.0.1:9",
            "--onepay-url",
            "http://127.0.0.1:9",
            "--provider",
            "kashpay",
        ],
    );

    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("kashpay") && stderr.contains("PAYOUTSIM_KASHPAY_URL"),
        "{stderr}"
    );
}

#[test]
fn contract_help_documents_every_option_with_its_default() {
    let out = Command::new(env!("CARGO_BIN_EXE_payoutsim"))
        .args(["contract", "--help"])
        .output()
        .unwrap();
    let help = stdout(&out);

    assert!(out.status.success(), "{out:?}");
    for option in [
        "--target",
        "--provider",
        "--features",
        "--tags",
        "--junit",
        "--json",
        "--admin-url",
        "--admin-token",
        "--onspot-url",
        "--onepay-url",
        "--kashpay-url",
        "--tupay-url",
        "--dots-url",
    ] {
        let at = help
            .find(&format!("{option} "))
            .unwrap_or_else(|| panic!("{option} missing from {help}"));
        // The option's entry: up to the next option's line (`      --x` or `  -h, --help`).
        let rest = &help[at..];
        let end = ["\n      --", "\n  -"]
            .iter()
            .filter_map(|next| rest.find(next))
            .min()
            .unwrap_or(rest.len());
        let entry = &rest[..end];
        assert!(
            entry.contains("[default:"),
            "{option} has no default: {entry}"
        );
    }
    assert!(
        help.contains("--client"),
        "says custom clients are not there yet"
    );
}

/// `dir` with a copy of the built binary and of `adapters/python/`, as a team would have them:
/// the binary's path.
fn binary_and_python_adapters(dir: &Path) -> PathBuf {
    let binary = dir.join("payoutsim");
    fs::copy(env!("CARGO_BIN_EXE_payoutsim"), &binary).unwrap();
    let adapters = dir.join("adapters/python");
    fs::create_dir_all(&adapters).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../adapters/python");
    for file in fs::read_dir(source).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            fs::copy(&path, adapters.join(path.file_name().unwrap())).unwrap();
        }
    }
    binary
}

/// `payoutsim contract --provider PROVIDERS --client "python3 adapters/python/ADAPTER" --junit
/// out.xml`, run by a copy of the binary in a fresh directory beside a copy of the adapters.
fn through_python_adapter(name: &str, adapter: &str, providers: &str) -> (Scratch, Output) {
    let dir = scratch(name);
    let binary = binary_and_python_adapters(&dir);
    let client = format!("python3 adapters/python/{adapter}");
    let args = [
        "--provider",
        providers,
        "--client",
        &client,
        "--junit",
        "out.xml",
    ];
    let out = contract_of(&binary, &dir, &args);
    (dir, out)
}

#[test]
fn a_copied_binary_runs_onepays_client_scenarios_through_the_python_adapter_with_a_valid_junit_report()
 {
    let (dir, out) = through_python_adapter("python-onepay", "onepay_adapter.py", "onepay");

    assert!(out.status.success(), "{out:?}");
    let (total, passed, failed) = summary(&out);
    assert_eq!((passed, failed), (total, 0));
    // OnePay's client scenarios: features/onepay/client/ (6 about creating, 3 about webhooks).
    assert_eq!(total, 9, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("scenarios that involve no client: with --client only the @client"),
        "the wire scenarios are left out with a note: {text}"
    );
    assert!(text.contains("lost-answer       | 1 passed"), "{text}");
    let report = junit(&dir.join("out.xml"));
    assert_eq!(report.testcases, total, "{report:?}");
    assert_eq!(report.tests, total, "{report:?}");
    assert_eq!((report.failures, report.failure_elements), (0, 0));
}

#[test]
fn client_scenarios_the_adapter_cannot_run_are_skipped_in_the_junit_report_with_the_missing_operation()
 {
    let (dir, out) =
        through_python_adapter("python-kashpay", "kashpay_adapter.py", "onepay,kashpay");

    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("the client does not support payout.create for onepay"),
        "{text}"
    );
    let xml = fs::read_to_string(dir.join("out.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .filter_map(|n| n.attribute("message"))
        .collect();
    assert_eq!(skipped.len(), 9, "{xml}");
    assert!(
        skipped
            .iter()
            .all(|m| m.starts_with("the client does not support "))
    );
}

#[test]
fn a_client_adapter_that_cannot_start_exits_2_with_its_error() {
    let dir = scratch("no-adapter");
    let args = [
        "--provider",
        "onepay",
        "--client",
        "python3 missing_adapter.py",
    ];
    let out = contract(&dir, &args);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("client adapter: it exited before answering its hello"),
        "{stderr}"
    );
    assert!(
        stderr.contains("missing_adapter.py"),
        "its stderr is shown: {stderr}"
    );
}
