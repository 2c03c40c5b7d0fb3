//! `/__admin/faults` and `/__admin/scenarios`: rules in, rules listed with their hits, rules out,
//! every bad rule refused with a 400 that names the field, and a scenario's tenants provisioned.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use common::Sim;
use serde_json::json;

#[tokio::test]
async fn a_rule_is_stored_with_a_generated_id_and_listed_with_its_hits() {
    let sim = Sim::start().await;

    let first = sim
        .rule(json!({"match": {"path": "/v1/banks"}, "fault": {"kind": "status", "status": 503}}))
        .await;
    let second = sim
        .rule(json!({"id": "slow", "fault": {"kind": "latency", "fixed_ms": 1}}))
        .await;
    sim.get("/v1/banks").send().await.unwrap();
    let (status, list) = sim.admin("GET", "/__admin/faults", None).await;

    assert_eq!(first["id"], "rule-1");
    assert_eq!(first["fault"], json!({"kind": "status", "status": 503}));
    assert_eq!(second["id"], "slow");
    assert_eq!(status, 200);
    let ids: Vec<_> = list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, [json!("rule-1"), json!("slow")]);
    assert_eq!(list["rules"][0]["hits"], 1);
    assert_eq!(
        list["rules"][1]["hits"], 0,
        "rules after the one that decided are not tried"
    );
    sim.stop().await;
}

#[tokio::test]
async fn rules_are_deleted_one_by_one_or_all_at_once() {
    let sim = Sim::start().await;
    sim.rule(json!({"fault": {"kind": "reset"}})).await;
    sim.rule(json!({"fault": {"kind": "empty"}})).await;

    let (one, _) = sim.admin("DELETE", "/__admin/faults/rule-1", None).await;
    let (unknown, err) = sim.admin("DELETE", "/__admin/faults/rule-9", None).await;
    let (_, left) = sim.admin("GET", "/__admin/faults", None).await;
    let (all, _) = sim.admin("DELETE", "/__admin/faults", None).await;
    let (_, none) = sim.admin("GET", "/__admin/faults", None).await;

    assert_eq!((one, unknown, all), (200, 404, 200));
    assert_eq!(err["error"], "no fault rule `rule-9`");
    assert_eq!(left["rules"][0]["id"], "rule-2");
    assert_eq!(none["rules"], json!([]));
    assert_eq!(sim.get("/v1/banks").send().await.unwrap().status(), 200);
    sim.stop().await;
}

#[tokio::test]
async fn bad_rules_are_refused_with_the_field_named() {
    let sim = Sim::start().await;
    let cases = [
        (
            json!({"fault": {"kind": "reset"}, "probabilty": 0.5}),
            "unknown field `probabilty`",
        ),
        (
            json!({"fault": {"kind": "status", "status": 200}}),
            "field `status`",
        ),
        (
            json!({"fault": {"kind": "explode"}}),
            "unknown variant `explode`",
        ),
        (
            json!({"match": {"provider": "nobody"}, "fault": {"kind": "reset"}}),
            "match.provider",
        ),
        (
            json!({"match": {"provider": "onepay"}, "fault": {"kind": "outcome", "status": "lost"}}),
            "fault.status",
        ),
        (
            json!({"match": {"path": "/x"}, "fault": {"kind": "webhook_drop"}}),
            "match.path",
        ),
        (
            json!({"match": {"hedaers": {}}, "fault": {"kind": "reset"}}),
            "unknown field `hedaers`",
        ),
        (json!({"fault": {"kind": "reset"}, "times": -1}), "times"),
    ];

    for (rule, field) in cases {
        let (status, body) = sim
            .admin("POST", "/__admin/faults", Some(rule.clone()))
            .await;
        assert_eq!(status, 400, "{rule} -> {body}");
        let msg = body["error"].as_str().unwrap();
        assert!(msg.contains(field), "{rule}: `{msg}` should name {field}");
    }
    let (_, list) = sim.admin("GET", "/__admin/faults", None).await;
    assert_eq!(list["rules"], json!([]), "nothing half-loaded");
    sim.stop().await;
}

#[tokio::test]
async fn a_list_of_rules_in_yaml_loads_whole_or_not_at_all() {
    let sim = Sim::start().await;

    let bad = sim
        .post_rules("- fault: {kind: reset}\n- fault: {kind: status, status: 99}\n")
        .await;
    let good = sim
        .post_rules("- fault: {kind: reset}\n- {id: two, fault: {kind: empty}}\n")
        .await;

    assert_eq!(bad.status(), 400);
    assert_eq!(good.status(), 201);
    let body: serde_json::Value = good.json().await.unwrap();
    assert_eq!(body["rules"][1]["id"], "two");
    let (_, list) = sim.admin("GET", "/__admin/faults", None).await;
    assert_eq!(list["rules"].as_array().unwrap().len(), 2);
    sim.stop().await;
}

#[tokio::test]
async fn an_admin_reset_clears_the_rules() {
    let sim = Sim::start().await;
    sim.rule(json!({"fault": {"kind": "status", "status": 500}}))
        .await;

    let (status, _) = sim.admin("POST", "/__admin/reset", None).await;

    assert_eq!(status, 200);
    let (_, list) = sim.admin("GET", "/__admin/faults", None).await;
    assert_eq!(list["rules"], json!([]));
    assert_eq!(sim.get("/v1/banks").send().await.unwrap().status(), 200);
    sim.stop().await;
}

/// A scenario for a manual clock with one rule, `down`: every request answers 503.
const OUTAGE: &str = "name: outage\nsetup: {clock: manual}\nrules:\n  - {id: down, fault: {kind: status, status: 503}}\n";

#[tokio::test]
async fn a_scenario_posted_as_yaml_loads_its_rules_and_a_bad_one_names_the_field() {
    let sim = Sim::start().await;

    let ok = sim.post_scenario(OUTAGE).await;
    let bad = sim
        .post_scenario("name: typo\nrules:\n  - fault: {kind: status, status: 503}\n    tims: 2\n")
        .await;

    assert_eq!(ok.status(), 201);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(body["rules"][0]["id"], "down");
    assert_eq!(bad.status(), 400);
    let err: serde_json::Value = bad.json().await.unwrap();
    let msg = err["error"].as_str().unwrap();
    assert!(
        msg.contains("unknown field `tims`") && msg.contains("4:"),
        "{msg}"
    );
    assert_eq!(sim.get("/v1/banks").send().await.unwrap().status(), 503);
    sim.stop().await;
}

/// A scenario that declares one tenant of each provider and funds two of them.
const TENANTS_SCENARIO: &str = "name: declared-tenants
setup:
  clock: manual
  tenants:
    - onepay:sk_test_declared
    - onspot:live:pk-declared
    - kashpay:com.declared
  balances:
    onspot:live:pk-declared: 100
    kashpay:com.declared: 500
";

/// The first object of `kind` that `GET /__admin/providers/{provider}/objects` lists.
async fn first_object(sim: &Sim, provider: &str, kind: &str) -> serde_json::Value {
    let path = format!("/__admin/providers/{provider}/objects?kind={kind}");
    sim.admin("GET", &path, None).await.1["objects"][0].clone()
}

#[tokio::test]
async fn a_scenarios_tenants_of_every_provider_exist_with_their_balances_before_any_request() {
    let sim = Sim::start().await;

    let loaded = sim.post_scenario(TENANTS_SCENARIO).await;
    let (_, tenants) = sim.admin("GET", "/__admin/tenants", None).await;
    let (onepay, onspot, kashpay) = (
        first_object(&sim, "onepay", "balance").await,
        first_object(&sim, "onspot", "balance").await,
        first_object(&sim, "kashpay", "entity").await,
    );

    assert_eq!(loaded.status(), 201);
    let names: Vec<_> = ["onepay", "onspot", "kashpay"]
        .iter()
        .map(|p| tenants["tenants"][p][0]["tenant"].clone())
        .collect();
    assert_eq!(
        names,
        [
            json!("onepay:sk_test_declared"),
            json!("onspot:live:pk-declared"),
            json!("kashpay:com.declared")
        ]
    );
    assert_eq!(tenants["tenants"]["onspot"][0]["environment"], "live");
    assert_eq!(onepay["tenant"], "onepay:sk_test_declared");
    assert_eq!(onepay["object"]["available"], 1_000_000_000);
    assert_eq!(onspot["object"]["available"], "100.00");
    assert_eq!(kashpay["money"]["balance"], 1_000_500);
    sim.stop().await;
}

#[tokio::test]
async fn a_malformed_scenario_tenant_is_refused_by_index_and_nothing_is_provisioned() {
    let sim = Sim::start().await;
    let bad = TENANTS_SCENARIO.replace("kashpay:com.declared\n", "kashpay:com declared\n");

    let resp = sim.post_scenario(bad).await;
    let status = resp.status();
    let err: serde_json::Value = resp.json().await.unwrap();
    let (_, tenants) = sim.admin("GET", "/__admin/tenants", None).await;

    assert_eq!(status, 400);
    let msg = err["error"].as_str().unwrap();
    assert!(
        msg.contains("setup.tenants[2]: `tenant` must be `kashpay:<entity>`"),
        "{msg}"
    );
    assert_eq!(
        tenants["tenants"],
        json!({"dots": [], "kashpay": [], "onepay": [], "onspot": [], "tupay": []})
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_manual_clock_scenario_loads_into_a_real_clock_simulator_with_a_note() {
    let mut config = payoutsim::ServeConfig::for_tests();
    config.engine.clock.mode = payoutsim_core::clock::ClockMode::Real;
    let sim = Sim::with(config).await;

    let resp = sim.post_scenario(OUTAGE).await;

    assert_eq!(resp.status(), 201);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["rules"][0]["id"], "down");
    let note = body["notes"][0].as_str().unwrap_or_default();
    assert!(
        note.starts_with("setup.clock:") && note.contains("`manual`") && note.contains("`real`"),
        "{body}"
    );
    assert_eq!(sim.get("/v1/banks").send().await.unwrap().status(), 503);
    sim.stop().await;
}

#[tokio::test]
async fn a_scenario_for_the_simulators_own_clock_has_no_notes() {
    let sim = Sim::start().await;

    let resp = sim
        .post_scenario("name: quiet\nsetup: {clock: manual}\n")
        .await;

    assert_eq!(resp.status(), 201);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body.get("notes").is_none(), "{body}");
    sim.stop().await;
}

#[tokio::test]
async fn a_scenario_webhook_for_a_provider_without_webhooks_names_the_field() {
    let sim = Sim::start().await;
    let yaml = "name: hooks\nsetup:\n  webhooks:\n    - {tenant: 'kashpay:com.x', url: 'http://127.0.0.1:9/h'}\n";

    let resp = sim.post_scenario(yaml).await;

    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    let msg = body["error"].as_str().unwrap_or_default();
    assert!(
        msg.contains("setup.webhooks[0].tenant: kashpay sends no webhooks"),
        "{msg}"
    );
    sim.stop().await;
}

/// `n` rules for other paths, as a JSON list.
fn rules_for_other_paths(n: usize) -> String {
    let rules: Vec<_> = (0..n)
        .map(|i| json!({"match": {"path": format!("/v1/other/{i}")}, "fault": {"kind": "reset"}}))
        .collect();
    serde_json::to_string(&rules).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn health_answers_while_a_big_load_of_rules_is_being_built() {
    let sim = Sim::start().await;
    let slow = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    let load = slow
        .post(sim.admin_url("/__admin/faults"))
        .header("content-type", "application/json")
        .body(rules_for_other_paths(10_000))
        .send();
    let load = tokio::spawn(async move {
        let started = std::time::Instant::now();
        let status = load.await.unwrap().status().as_u16();
        (status, started.elapsed())
    });

    // Health, again and again, until the load is answered: the slowest answer is measured.
    let mut slowest = std::time::Duration::ZERO;
    let mut answered = 0;
    while !load.is_finished() {
        let asked = std::time::Instant::now();
        let (status, _) = sim.admin("GET", "/__admin/health", None).await;
        assert_eq!(status, 200);
        slowest = slowest.max(asked.elapsed());
        answered += 1;
    }
    let (status, took) = load.await.unwrap();

    assert_eq!(status, 201);
    assert!(
        answered >= 2,
        "health was asked {answered} times during a {took:?} load"
    );
    assert!(
        slowest < took / 3,
        "health took up to {slowest:?} during a load of {took:?}"
    );
    assert_eq!(sim.running.app.faults.snapshot().len(), 10_000);
    sim.stop().await;
}

#[tokio::test]
async fn rules_past_the_cap_are_refused_with_a_400_naming_the_flag() {
    let mut config = payoutsim::ServeConfig::for_tests();
    config.max_fault_rules = 2;
    let sim = Sim::with(config).await;
    sim.rule(json!({"fault": {"kind": "reset"}})).await;

    let (status, err) = sim
        .admin(
            "POST",
            "/__admin/faults",
            Some(json!([{"fault": {"kind": "reset"}}, {"fault": {"kind": "empty"}}])),
        )
        .await;
    let (_, list) = sim.admin("GET", "/__admin/faults", None).await;

    assert_eq!(status, 400);
    let message = err["error"].as_str().unwrap();
    assert!(message.contains("--max-fault-rules"), "{message}");
    assert_eq!(list["rules"].as_array().unwrap().len(), 1);
    sim.stop().await;
}
