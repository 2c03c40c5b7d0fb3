//! The `/__admin` API through its router: shapes, validation errors, token, reset.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::surface::AdminListener;
use payoutsim_core::testkit::{self, Receiver, Resp, Sim, request};
use serde_json::{Value, json};
use support::{ToyExt, ToySpec, order, target};

/// `GET path` on the admin API: its JSON answer.
async fn get(sim: &Sim<ToySpec>, path: &str) -> Value {
    sim.admin("GET", path, None).await.json
}

/// `POST /__admin/clock/advance` with `body`.
async fn advance(sim: &Sim<ToySpec>, body: Value) -> Resp {
    sim.admin("POST", "/__admin/clock/advance", Some(body))
        .await
}

/// The toy with its admin API behind `token`.
fn guarded(token: &str) -> Sim<ToySpec> {
    let mut sim = Sim::new(1, ());
    let options = AdminOptions {
        token: Some(token.into()),
        ..AdminOptions::default()
    };
    sim.admin = admin::router(sim.engine.clone(), options);
    sim
}

/// `GET path` on the admin API with `Authorization: Bearer <token>`.
async fn get_with_token(sim: &Sim<ToySpec>, path: &str, token: &str) -> Resp {
    let bearer = format!("Bearer {token}");
    let req = request("GET", path, &[("authorization", &bearer)], None);
    testkit::send(&sim.admin, req).await
}

#[tokio::test]
async fn health_names_the_providers_served_and_the_clock() {
    let sim = Sim::<ToySpec>::new(42, ());

    let health = sim.admin("GET", "/__admin/health", None).await;

    assert_eq!(health.status, 200);
    let body = health.json;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["providers"], json!(["toy"]));
    assert_eq!(body["seed"], 42);
    assert_eq!(body["clock"]["mode"], "manual");
}

#[tokio::test]
async fn advancing_the_clock_answers_the_new_time_and_applies_transitions() {
    let sim = Sim::<ToySpec>::new(1, ());
    let id = order(&sim, "a").await;

    let r = advance(&sim, json!({"seconds": 3600})).await;

    assert_eq!(r.status, 200);
    assert_eq!(r.json["now"], "2026-01-05T15:00:00.000000Z");
    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("done"));
    assert_eq!(
        get(&sim, "/__admin/clock").await,
        json!({"now": "2026-01-05T15:00:00.000000Z", "mode": "manual", "time_scale": 1.0})
    );
}

#[tokio::test]
async fn a_tenant_advance_shows_in_that_tenants_clock_only() {
    let sim = Sim::<ToySpec>::new(1, ());

    let clock = advance(&sim, json!({"seconds": 60, "tenant": "toy:a"}))
        .await
        .json;

    assert_eq!(clock["now"], "2026-01-05T14:01:00.000000Z");
    assert_eq!(clock["tenant"], "toy:a");
    let global = get(&sim, "/__admin/clock").await;
    assert_eq!(global["now"], "2026-01-05T14:00:00.000000Z");
}

#[tokio::test]
async fn bad_admin_input_gets_an_error_object_with_a_4xx() {
    let sim = Sim::<ToySpec>::new(1, ());
    let cases = [
        (
            "POST",
            "/__admin/clock/advance",
            Some(json!({"seconds": -5})),
            400,
        ),
        (
            "POST",
            "/__admin/clock/advance",
            Some(json!({"seconds": "soon"})),
            400,
        ),
        (
            "POST",
            "/__admin/clock/advance",
            Some(json!({"secs": 5})),
            400,
        ),
        (
            "POST",
            "/__admin/webhooks",
            Some(json!({"provider": "nope", "tenant": "x", "url": "http://a/"})),
            400,
        ),
        (
            "POST",
            "/__admin/webhooks",
            Some(json!({"provider": "toy", "tenant": "toy:a", "url": "ftp://a/"})),
            400,
        ),
        (
            "POST",
            "/__admin/webhooks",
            Some(
                json!({"provider": "toy", "tenant": "toy:a", "url": "http://a/", "events": ["nope"]}),
            ),
            400,
        ),
        ("POST", "/__admin/reset?provider=nope", None, 404),
        ("GET", "/__admin/requests?limit=many", None, 400),
        ("GET", "/__admin/nothing-here", None, 404),
        ("DELETE", "/__admin/webhooks/wh_404", None, 404),
        (
            "POST",
            "/__admin/providers/toy/machines",
            Some(json!({"kind": "order", "from": "new", "to": "done", "seconds": 1})),
            404,
        ),
    ];
    for (method, uri, body, want) in cases {
        let Resp {
            status, json: got, ..
        } = sim.admin(method, uri, body.clone()).await;
        assert_eq!(status, want, "{method} {uri} {body:?}: {got}");
        assert!(
            got["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{method} {uri}: {got}"
        );
    }
    let json = [("content-type", "application/json")];
    let oops = request("POST", "/__admin/clock/advance", &json, Some(b"{oops"));
    assert_eq!(testkit::send(&sim.admin, oops).await.status, 400);
}

#[tokio::test]
async fn the_journal_is_listed_filtered_and_cleared() {
    let sim = Sim::<ToySpec>::new(1, ());
    order(&sim, "a").await;
    order(&sim, "b").await;

    let all = get(&sim, "/__admin/requests").await;
    let query = "/__admin/requests?tenant=toy:b&method=post";
    let only_b = get(&sim, query).await;

    assert_eq!(all["total"], 2);
    assert_eq!(only_b["total"], 1);
    let entry = &only_b["requests"][0];
    for field in [
        "id",
        "at",
        "provider",
        "tenant",
        "method",
        "path",
        "query",
        "headers",
        "body",
        "status",
        "response_body",
        "fault",
    ] {
        assert!(
            entry.get(field).is_some(),
            "journal entry lacks `{field}`: {entry}"
        );
    }
    let cleared = sim.admin("DELETE", "/__admin/requests", None).await;
    assert_eq!(cleared.status, 204);
    let left = get(&sim, "/__admin/requests").await;
    assert_eq!(left["total"], 0);
}

#[tokio::test]
async fn webhook_targets_are_registered_and_deliveries_listed() {
    let sim = Sim::<ToySpec>::new(1, ());
    let rx = Receiver::start().await;

    let new_target =
        json!({"provider": "toy", "tenant": "toy:a", "url": rx.url, "events": ["order.new"]});
    let created = sim
        .admin("POST", "/__admin/webhooks", Some(new_target))
        .await;
    order(&sim, "a").await;
    advance(&sim, json!({"seconds": 0})).await;

    let (status, target) = (created.status, created.json);
    assert_eq!(status, 201);
    assert!(target["secret"].as_str().unwrap().starts_with("toy_"));
    let list = get(&sim, "/__admin/webhooks?provider=toy").await;
    assert_eq!(list["webhooks"][0]["id"], target["id"]);
    let query = "/__admin/webhooks/deliveries?event=order.new";
    let deliveries = get(&sim, query).await;
    let d = &deliveries["deliveries"][0];
    assert_eq!(
        (
            d["event"].as_str(),
            d["status"].as_u64(),
            d["attempt"].as_u64()
        ),
        (Some("order.new"), Some(200), Some(1))
    );
    assert_eq!(d["headers"]["x-toy-secret"], target["secret"]);
}

#[tokio::test]
async fn provider_objects_machines_and_tenants_are_inspectable() {
    let sim = Sim::<ToySpec>::new(1, ());
    let now = sim.engine.clock().now();
    (sim.engine.tenants())
        .authenticate("toy", "toy:a", "k", None, now)
        .unwrap();
    order(&sim, "a").await;

    let objects = get(&sim, "/__admin/providers/toy/objects").await;
    let machines = get(&sim, "/__admin/providers/toy/machines").await;
    let tenants = get(&sim, "/__admin/tenants").await;
    let delay = json!({"kind": "order", "from": "new", "to": "working", "seconds": 5});
    let changed = sim
        .admin("POST", "/__admin/providers/toy/machines", Some(delay))
        .await;
    let timeline = get(&sim, "/__admin/timeline").await;

    assert_eq!(objects["objects"].as_array().unwrap().len(), 1);
    assert_eq!(
        machines["machines"][0]["edges"][0]["after"],
        json!({"seconds": 10})
    );
    assert_eq!(tenants["tenants"]["toy"][0]["tenant"], "toy:a");
    assert_eq!(changed.status, 200);
    assert_eq!(
        changed.json["machines"][0]["edges"][0]["after"],
        json!({"seconds": 5})
    );
    assert_eq!(
        timeline["scheduled"][0]["due"], "2026-01-05T14:00:10.000000Z",
        "already scheduled keeps its delay"
    );
}

#[tokio::test]
async fn reset_of_one_provider_clears_its_state_and_journal() {
    let sim = Sim::<ToySpec>::new(1, ());
    order(&sim, "a").await;

    let r = sim.admin("POST", "/__admin/reset?provider=toy", None).await;

    assert_eq!((r.status, r.json), (200, json!({"reset": "toy"})));
    let requests = get(&sim, "/__admin/requests").await;
    assert_eq!(requests["total"], 0);
    let objects = get(&sim, "/__admin/providers/toy/objects").await;
    assert!(objects["objects"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_admin_token_is_required_when_configured() {
    let sim = guarded("t0k");

    let refused = sim.admin("GET", "/__admin/health", None).await;
    let ok = get_with_token(&sim, "/__admin/health", "t0k").await;

    assert_eq!(refused.status, 401);
    assert!(refused.json["error"].as_str().unwrap().contains("token"));
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn the_inbox_keeps_what_a_provider_delivered_byte_for_byte() {
    let sim = guarded("t0k");
    let base = testkit::spawn(sim.admin.clone()).await;
    // As `payoutsim serve` does once the admin listener is bound: its inboxes get the token.
    let addr = base.trim_start_matches("http://").parse().unwrap();
    let listener = AdminListener {
        addr,
        token: Some("t0k".into()),
    };
    sim.engine.set_admin_listener(listener);
    let mut inbox = target("toy:a", &format!("{base}/__admin/inbox/my-app"));
    inbox.events = vec!["order.new".into()];
    let inbox = sim.engine.add_webhook_target(inbox).unwrap();

    order(&sim, "a").await;
    sim.engine.settle(None).await;

    let got = get_with_token(&sim, "/__admin/inbox/my-app", "t0k")
        .await
        .json;
    let m = &got["messages"][0];
    assert_eq!(m["body"]["status"], "new");
    assert_eq!(m["raw_body"].as_str().unwrap(), m["body"].to_string());
    assert_eq!(m["headers"]["x-toy-secret"], inbox.secret);
    assert_eq!(sim.engine.deliveries(None, None)[0].status, Some(200));
}

#[tokio::test]
async fn machine_delays_the_engine_cannot_schedule_are_refused_with_400_naming_the_limit() {
    let sim = Sim::<ToySpec>::new(1, ());
    let edge = json!({"kind": "order", "from": "new", "to": "working"});
    let with = |field: &str, value: Value| {
        let mut body = edge.clone();
        body[field] = value;
        body
    };
    let cases = [
        (
            with("seconds", json!(9_223_372_036_854_775_807_i64)),
            "`seconds` must be between 0 and 3153600000",
        ),
        (
            with("seconds", json!(8_000_000_000_000_000_i64)),
            "`seconds` must be between 0 and 3153600000",
        ),
        (
            with("business_days", json!(4_294_967_295_u32)),
            "`business_days` must be at most 26000",
        ),
    ];

    for (body, want) in cases {
        let r = sim
            .admin(
                "POST",
                "/__admin/providers/toy/machines",
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
        let error = r.json["error"].as_str().unwrap();
        assert!(error.starts_with(want), "{body}: {error}");
    }
    let machines = get(&sim, "/__admin/providers/toy/machines").await;
    assert_eq!(
        machines["machines"][0]["edges"][0]["after"],
        json!({"seconds": 10})
    );
}

#[tokio::test]
async fn repeated_100_year_advances_are_refused_with_400_before_year_9999_and_the_clock_still_answers()
 {
    let sim = Sim::<ToySpec>::new(1, ());
    let century = json!({"seconds": 3_153_600_000_i64});
    let tenant_century = json!({"seconds": 3_153_600_000_i64, "tenant": "toy:a"});

    let mut statuses = Vec::new();
    for _ in 0..2_603 {
        let r = advance(&sim, century.clone()).await;
        statuses.push(r.status);
        if r.status != 200 {
            assert!(
                r.json["error"]
                    .as_str()
                    .unwrap()
                    .contains("9999-12-31T23:59:59.999999Z"),
                "{}",
                r.json
            );
            break;
        }
    }
    let mut tenant_statuses = Vec::new();
    let sim_b = Sim::<ToySpec>::new(2, ());
    for _ in 0..2_603 {
        let r = sim_b
            .admin(
                "POST",
                "/__admin/clock/advance",
                Some(tenant_century.clone()),
            )
            .await;
        tenant_statuses.push(r.status);
        if r.status != 200 {
            break;
        }
    }
    let too_long = advance(&sim, json!({"seconds": 3_153_600_001_i64})).await;
    let clock = get(&sim, "/__admin/clock").await;
    order(&sim_b, "a").await;

    assert_eq!(statuses.len(), 80);
    assert_eq!(statuses.last(), Some(&400));
    assert_eq!(tenant_statuses.len(), 80);
    assert_eq!(tenant_statuses.last(), Some(&400));
    assert!(clock["now"].as_str().unwrap().starts_with("99"), "{clock}");
    assert_eq!(too_long.status, 400);
    assert_eq!(
        too_long.json["error"],
        "`seconds` must be at most 3153600000 (100 years)"
    );
}

#[tokio::test]
async fn admin_dumps_answer_pages_with_a_default_size_and_a_cursor() {
    let sim = Sim::<ToySpec>::new(1, ());
    for _ in 0..5 {
        order(&sim, "a").await;
    }

    let objects = get(&sim, "/__admin/providers/toy/objects?limit=2&offset=2").await;
    assert_eq!(objects["objects"].as_array().unwrap().len(), 2);
    assert_eq!(
        (objects["total"].clone(), objects["next_offset"].clone()),
        (json!(5), json!(4))
    );
    let rest = get(&sim, "/__admin/providers/toy/objects?limit=2&offset=4").await;
    assert_eq!(rest["objects"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_offset"], Value::Null);

    let newest = get(&sim, "/__admin/requests?limit=2").await;
    assert_eq!(newest["requests"].as_array().unwrap().len(), 2);
    assert_eq!(newest["total"], 5);
    let first = get(&sim, "/__admin/requests?limit=3&after=0").await;
    let next = first["next_after"].as_u64().unwrap();
    let second = get(&sim, &format!("/__admin/requests?limit=3&after={next}")).await;
    assert_eq!(second["requests"].as_array().unwrap().len(), 2);
    assert!(second.get("next_after").is_none());

    let tenants = get(&sim, "/__admin/tenants?limit=1").await;
    assert_eq!(
        tenants["totals"]["toy"],
        tenants["tenants"]["toy"].as_array().unwrap().len()
    );

    let too_many = sim.admin("GET", "/__admin/requests?limit=1001", None).await;
    assert_eq!(too_many.status, 400);
    assert_eq!(too_many.json["error"], "`limit` must be between 1 and 1000");
}
