//! `/__admin/faults` and `/__admin/scenarios`: rules in, rules listed with their hits, rules out,
//! and every bad rule refused with a 400 that names the field.
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
    let post = |body: &'static str| {
        sim.http
            .post(sim.admin_url("/__admin/faults"))
            .header("content-type", "application/yaml")
            .body(body)
            .send()
    };

    let bad = post("- fault: {kind: reset}\n- fault: {kind: status, status: 99}\n")
        .await
        .unwrap();
    let good = post("- fault: {kind: reset}\n- {id: two, fault: {kind: empty}}\n")
        .await
        .unwrap();

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

#[tokio::test]
async fn a_scenario_posted_as_yaml_loads_its_rules_and_a_bad_one_names_the_field() {
    let sim = Sim::start().await;
    let post = |body: &'static str| {
        sim.http
            .post(sim.admin_url("/__admin/scenarios"))
            .body(body)
            .send()
    };

    let ok = post("name: outage\nsetup: {clock: manual}\nrules:\n  - {id: down, fault: {kind: status, status: 503}}\n")
        .await
        .unwrap();
    let bad = post("name: typo\nrules:\n  - fault: {kind: status, status: 503}\n    tims: 2\n")
        .await
        .unwrap();

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
