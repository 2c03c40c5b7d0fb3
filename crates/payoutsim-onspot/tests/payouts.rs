//! Create Payouts: the seed's example, per-item validation and the error log, whole-request
//! refusals, sessions (expiry, environment), unknown routes, and forced outcomes.

mod support;

use payoutsim_core::forced::{ForcedOutcome, OutcomeSlot};
use payoutsim_core::testkit::assert_reproducible;
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn the_seed_example_creates_the_first_item_and_reports_the_second_as_an_error() {
    let sim = sim(1);
    let token = sim.token_ok("live", PK).await;

    let r = sim.create(&token, "live", &seed_body()).await;

    let entries = r.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["action"], "success");
    assert_eq!(entries[0]["message"], "created successfully");
    assert_eq!(entries[0]["email"], "teststudio@yopmail.com");
    assert_eq!(entries[1]["action"], "error");
    assert_eq!(entries[1]["email"], "eduardmarbell193777@hotmail.com");
    assert!(entries[1]["message"].as_str().unwrap().contains("amount"));
    for e in &entries {
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{e}");
        assert_eq!(e["uuid"].as_str().unwrap().len(), 36);
    }
}

#[tokio::test]
async fn the_answer_keeps_the_field_order_uuid_email_action_message() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;

    let r = sim.create(&token, "test", &json!([individual("10")])).await;

    let text = String::from_utf8(r.bytes.to_vec()).unwrap();
    assert!(text.starts_with("[[{\"uuid\":\""), "{text}");
    let at = |k: &str| text.find(k).unwrap();
    assert!(at("\"email\"") < at("\"action\"") && at("\"action\"") < at("\"message\""));
}

#[tokio::test]
async fn failing_items_are_written_to_the_error_log_with_index_body_and_message() {
    let sim = sim(1);
    let token = sim.token_ok("live", PK).await;
    let r = sim.create(&token, "live", &seed_body()).await;
    let error_uuid = r.entries()[1]["uuid"].clone();

    let logs = sim
        .view(&format!("/error-logs?tenant={}", tenant("live", PK)))
        .await;

    let logs = logs["error_logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["uuid"], error_uuid);
    assert_eq!(logs[0]["index"], 1);
    assert_eq!(logs[0]["item"]["amount"], "98l00");
    assert_eq!(logs[0]["environment"], "live");
    assert!(logs[0]["message"].as_str().unwrap().contains("amount"));
    assert!(logs[0]["at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn entries_follow_request_order_and_every_failing_field_is_named() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    let mut business_without_name = individual("5");
    business_without_name["type"] = json!("BUSINESS");
    let mut bad_enum = individual("5");
    bad_enum["documentType"] = json!("SSN");
    bad_enum["customerEmail"] = json!("not-an-email");
    let body = json!([
        individual("1"),
        business_without_name,
        bad_enum,
        individual("2.50")
    ]);

    let entries = sim.create(&token, "test", &body).await.entries();

    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["success", "error", "error", "success"]);
    let msg = |i: usize| entries[i]["message"].as_str().unwrap().to_string();
    assert!(msg(1).contains("legalName") && msg(1).contains("businessRepresentative"));
    assert!(msg(2).contains("documentType") && msg(2).contains("customerEmail"));
}

#[tokio::test]
async fn a_body_that_is_not_a_non_empty_array_of_objects_is_refused_whole() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;

    let cases = [
        (
            json!({"type": "INDIVIDUAL"}),
            "body must be an array of payouts",
        ),
        (json!([]), "body should not be empty"),
        (json!([individual("1"), 7]), "body.1 must be an object"),
    ];
    for (body, message) in cases {
        let r = sim.create(&token, "test", &body).await;

        r.assert_nest(400, "Bad Request");
        assert_eq!(r.messages(), [message]);
    }
    assert_eq!(sim.statuses(&tenant("test", PK)).await.len(), 0);
}

#[tokio::test]
async fn malformed_json_and_other_content_types_are_bad_requests() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    let auth = format!("Bearer {token}");
    let headers = |ty: &'static str| {
        vec![
            ("authorization", auth.clone()),
            ("environment", "test".to_string()),
            ("content-type", ty.to_string()),
        ]
    };
    let send = |h: Vec<(&'static str, String)>, body: &'static [u8]| {
        let sim = &sim;
        async move {
            let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
            sim.call("POST", CREATE_PATH, &h, Some(body)).await
        }
    };

    let broken = send(headers("application/json"), b"[{\"type\": }]").await;
    let text = send(headers("text/plain"), b"[{}]").await;

    broken.assert_nest(400, "Bad Request");
    assert_eq!(
        broken.json["message"],
        "Unexpected token in JSON at position 10"
    );
    text.assert_nest(400, "Bad Request");
    assert_eq!(text.messages(), ["Content-Type must be application/json"]);
}

#[tokio::test]
async fn a_token_expires_after_one_hour_of_simulated_time() {
    let sim = sim(1);
    let token = sim.token_ok("live", PK).await;
    sim.engine.advance(3599.0, None).await;
    let before = sim.create(&token, "live", &json!([individual("1")])).await;

    sim.engine.advance(1.0, None).await;
    let after = sim.create(&token, "live", &json!([individual("1")])).await;

    assert_eq!(before.status, 201);
    after.assert_nest(401, "Unauthorized");
    assert_eq!(after.bytes, sim.expired_token().await.bytes);
}

#[tokio::test]
async fn a_test_token_is_refused_in_live_and_a_live_token_in_test() {
    let sim = sim(1);
    let test_token = sim.token_ok("test", PK).await;
    let live_token = sim.token_ok("live", "another-public-key").await;

    let test_in_live = sim
        .create(&test_token, "live", &json!([individual("1")]))
        .await;
    let live_in_test = sim
        .create(&live_token, "test", &json!([individual("1")]))
        .await;

    test_in_live.assert_nest(401, "Unauthorized");
    live_in_test.assert_nest(401, "Unauthorized");
}

#[tokio::test]
async fn forged_garbled_or_missing_tokens_are_unauthorized() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, _) = rest.split_once('.').unwrap();
    let forged = format!("{head}.{payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let other_sim_token = self::sim(2).token_ok("test", PK).await;

    for bad in [forged.as_str(), "not-a-jwt", other_sim_token.as_str()] {
        let r = sim.create(bad, "test", &json!([individual("1")])).await;
        r.assert_nest(401, "Unauthorized");
    }
    let none = sim
        .call("POST", CREATE_PATH, &[("environment", "test")], Some(b"[]"))
        .await;
    none.assert_nest(401, "Unauthorized");
}

#[tokio::test]
async fn create_payouts_needs_the_environment_header_before_anything_else() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    let auth = format!("Bearer {token}");

    let r = sim
        .call(
            "POST",
            CREATE_PATH,
            &[("authorization", auth.as_str())],
            Some(b"[]"),
        )
        .await;

    r.assert_nest(400, "Bad Request");
}

#[tokio::test]
async fn unknown_routes_and_other_methods_answer_like_express() {
    let sim = sim(1);

    let unknown = sim.call("POST", "/x", &[], None).await;
    let get = sim.call("GET", CREATE_PATH, &[], None).await;
    let staged_get = sim
        .call("GET", "/v1/accreditation/payouts/create", &[], None)
        .await;
    let staged_unknown = sim.call("POST", "/v1/x", &[], None).await;

    unknown.assert_nest(404, "Not Found");
    assert_eq!(unknown.json["message"], "Cannot POST /x");
    get.assert_nest(404, "Not Found");
    assert_eq!(get.json["message"], format!("Cannot GET {CREATE_PATH}"));
    staged_get.assert_nest(404, "Not Found");
    assert_eq!(
        staged_get.json["message"],
        "Cannot GET /v1/accreditation/payouts/create"
    );
    assert_eq!(staged_unknown.json["message"], "Cannot POST /v1/x");
}

#[tokio::test]
async fn an_oversized_body_is_a_nestjs_413() {
    let sim = sim(1);
    let big = vec![b' '; 1024 * 1024 + 1];

    let r = sim
        .call("POST", CREATE_PATH, &[("environment", "test")], Some(&big))
        .await;

    r.assert_nest(413, "Payload Too Large");
}

#[tokio::test]
async fn a_forced_outcome_goes_to_the_first_payout_created_only() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    let slot = OutcomeSlot::new(ForcedOutcome {
        status: "failed".into(),
        reason: Some("BANK_REJECTED".into()),
        rule: "r1".into(),
    });
    let body = json!([{"type": "INDIVIDUAL"}, individual("1"), individual("2")]).to_string();
    let mut req = http::Request::builder()
        .method("POST")
        .uri(CREATE_PATH)
        .header("authorization", format!("Bearer {token}"))
        .header("environment", "test")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .unwrap();
    req.extensions_mut().insert(slot.clone());

    let r = sim.send(req).await;
    sim.engine.advance(300.0, None).await;

    assert_eq!(r.entries()[1]["action"], "success");
    assert!(slot.is_taken());
    let view = sim.payouts(&tenant("test", PK)).await;
    let payouts = view["payouts"].as_array().unwrap();
    assert_eq!(payouts[0]["status"], "failed");
    assert_eq!(payouts[0]["reason"], "BANK_REJECTED");
    assert_eq!(payouts[0]["forced_by"], "r1");
    assert_eq!(payouts[1]["status"], "paid");
    let created = sim.engine.transitions(Some("onspot"), None);
    assert_eq!(created[0].forced_by.as_deref(), Some("r1"));
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_answers() {
    async fn script(seed: u64) -> Vec<bytes::Bytes> {
        let sim = sim(seed);
        let mut out = Vec::new();
        let t = sim.token("live", PK, SK).await;
        let token = t.json.as_str().unwrap().to_string();
        out.push(t.bytes);
        out.push(sim.create(&token, "live", &seed_body()).await.bytes);
        out.push(sim.transfer(&tenant("live", PK), "10000").await.bytes);
        sim.engine.advance(200_000.0, None).await;
        out.push(
            sim.create(&token, "live", &json!([individual("3")]))
                .await
                .bytes,
        );
        let view = sim.payouts(&tenant("live", PK)).await;
        out.push(bytes::Bytes::from(view.to_string()));
        out
    }

    assert_reproducible(script).await;
}

#[tokio::test]
async fn the_journal_records_the_tenant_of_a_payout_request() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    sim.create(&token, "test", &seed_body()).await;

    let (entries, _) = sim.engine.journal().query(&Default::default());

    let last = entries.last().unwrap();
    assert_eq!(last.tenant.as_deref(), Some(tenant("test", PK).as_str()));
    assert_eq!(last.status, 201);
    assert!(matches!(last.response_body, Value::Array(_)));
}

#[tokio::test]
async fn an_error_log_entry_keeps_a_bounded_excerpt_of_a_huge_refused_item() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    // Fields are kept in name order: `amount` comes before the `extra…` ones.
    let mut item = individual("1");
    item["amount"] = json!("9".repeat(600_000));
    for i in 0..2000 {
        item[format!("extra{i}")] = json!(i);
    }

    let r = sim.create(&token, "test", &json!([item])).await;
    assert_eq!(r.entries()[0]["action"], "error", "{}", r.json);

    let logs = sim
        .view(&format!("/error-logs?tenant={}", tenant("test", PK)))
        .await;
    let entry = &logs["error_logs"][0];
    assert_eq!(entry["truncated"], true);
    let kept = entry["item"].as_object().unwrap();
    assert!(kept.len() <= payoutsim_onspot::state::EXCERPT_FIELDS);
    let amount = kept["amount"].as_str().unwrap();
    assert!(
        amount.ends_with("…[600000 characters in all]"),
        "{amount:.40}"
    );
    assert!(
        entry.to_string().len() < 32 * 1024,
        "the entry stays a few KiB"
    );
}

#[tokio::test]
async fn past_the_cap_the_oldest_error_log_entries_are_dropped() {
    let config = payoutsim_onspot::OnSpotConfig {
        error_log_cap: 3,
        ..Default::default()
    };
    let sim = Sim::new(1, config);
    let token = sim.token_ok("test", PK).await;
    let bad: Vec<Value> = (0..5).map(|_| individual("bad")).collect();

    let r = sim.create(&token, "test", &json!(bad)).await;
    let uuids: Vec<Value> = r.entries().iter().map(|e| e["uuid"].clone()).collect();

    let logs = sim
        .view(&format!("/error-logs?tenant={}", tenant("test", PK)))
        .await;
    let kept: Vec<Value> = (logs["error_logs"].as_array().unwrap().iter())
        .map(|e| e["uuid"].clone())
        .collect();
    assert_eq!(kept, uuids[2..]);
}
