//! The `/__admin` API through its router: shapes, validation errors, token, reset.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::testkit::Receiver;
use serde_json::{Value, json};
use support::{ToyExt, manual_config, public_app, toy};
use tower::ServiceExt;

async fn call(app: &Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = body.map_or(Body::empty(), |b| Body::from(b.to_string()));
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn order(app: &Router, tenant: &str) -> Value {
    let req = Request::post("/orders")
        .header("x-tenant", tenant)
        .body(Body::from("{}"))
        .unwrap();
    let bytes = app
        .clone()
        .oneshot(req)
        .await
        .unwrap()
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn health_names_the_providers_served_and_the_clock() {
    let (toy, _p) = toy(manual_config(42));
    let admin = admin::router(toy.engine().clone(), AdminOptions::default());

    let (status, body) = call(&admin, "GET", "/__admin/health", None).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["providers"], json!(["toy"]));
    assert_eq!(body["seed"], 42);
    assert_eq!(body["clock"]["mode"], "manual");
}

#[tokio::test]
async fn advancing_the_clock_answers_the_new_time_and_applies_transitions() {
    let (toy, p) = toy(manual_config(1));
    let (admin, public) = (
        admin::router(toy.engine().clone(), AdminOptions::default()),
        public_app(&toy, &p),
    );
    let id = order(&public, "a").await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, clock) = call(
        &admin,
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 3600})),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock["now"], "2026-01-05T15:00:00.000000Z");
    assert_eq!(toy.status("toy:a", &id).as_deref(), Some("done"));
    let (_, got) = call(&admin, "GET", "/__admin/clock", None).await;
    assert_eq!(
        got,
        json!({"now": "2026-01-05T15:00:00.000000Z", "mode": "manual", "time_scale": 1.0})
    );
}

#[tokio::test]
async fn a_tenant_advance_shows_in_that_tenants_clock_only() {
    let (toy, _p) = toy(manual_config(1));
    let admin = admin::router(toy.engine().clone(), AdminOptions::default());

    let (_, clock) = call(
        &admin,
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 60, "tenant": "toy:a"})),
    )
    .await;

    assert_eq!(clock["now"], "2026-01-05T14:01:00.000000Z");
    assert_eq!(clock["tenant"], "toy:a");
    let (_, global) = call(&admin, "GET", "/__admin/clock", None).await;
    assert_eq!(global["now"], "2026-01-05T14:00:00.000000Z");
}

#[tokio::test]
async fn bad_admin_input_gets_an_error_object_with_a_4xx() {
    let (toy, _p) = toy(manual_config(1));
    let admin = admin::router(toy.engine().clone(), AdminOptions::default());
    let cases = [
        (
            "POST",
            "/__admin/clock/advance",
            Some(json!({"seconds": -5})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/__admin/clock/advance",
            Some(json!({"seconds": "soon"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/__admin/clock/advance",
            Some(json!({"secs": 5})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/__admin/webhooks",
            Some(json!({"provider": "nope", "tenant": "x", "url": "http://a/"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/__admin/webhooks",
            Some(json!({"provider": "toy", "tenant": "toy:a", "url": "ftp://a/"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/__admin/webhooks",
            Some(
                json!({"provider": "toy", "tenant": "toy:a", "url": "http://a/", "events": ["nope"]}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/__admin/reset?provider=nope",
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/__admin/requests?limit=many",
            None,
            StatusCode::BAD_REQUEST,
        ),
        ("GET", "/__admin/nothing-here", None, StatusCode::NOT_FOUND),
        (
            "DELETE",
            "/__admin/webhooks/wh_404",
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/__admin/providers/toy/machines",
            Some(json!({"kind": "order", "from": "new", "to": "done", "seconds": 1})),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (method, uri, body, want) in cases {
        let (status, got) = call(&admin, method, uri, body.clone()).await;
        assert_eq!(status, want, "{method} {uri} {body:?}: {got}");
        assert!(
            got["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{method} {uri}: {got}"
        );
    }
    let req = Request::post("/__admin/clock/advance")
        .header("content-type", "application/json")
        .body(Body::from("{oops"))
        .unwrap();
    let resp = admin.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_journal_is_listed_filtered_and_cleared() {
    let (toy, p) = toy(manual_config(1));
    let (admin, public) = (
        admin::router(toy.engine().clone(), AdminOptions::default()),
        public_app(&toy, &p),
    );
    order(&public, "a").await;
    order(&public, "b").await;

    let (_, all) = call(&admin, "GET", "/__admin/requests", None).await;
    let (_, only_b) = call(
        &admin,
        "GET",
        "/__admin/requests?tenant=toy:b&method=post",
        None,
    )
    .await;

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
    let (status, _) = call(&admin, "DELETE", "/__admin/requests", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&admin, "GET", "/__admin/requests", None).await.1["total"],
        0
    );
}

#[tokio::test]
async fn webhook_targets_are_registered_and_deliveries_listed() {
    let (toy, p) = toy(manual_config(1));
    let (admin, public) = (
        admin::router(toy.engine().clone(), AdminOptions::default()),
        public_app(&toy, &p),
    );
    let rx = Receiver::start().await;

    let (status, target) = call(
        &admin,
        "POST",
        "/__admin/webhooks",
        Some(json!({"provider": "toy", "tenant": "toy:a", "url": rx.url, "events": ["order.new"]})),
    )
    .await;
    order(&public, "a").await;
    call(
        &admin,
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 0})),
    )
    .await;

    assert_eq!(status, StatusCode::CREATED);
    assert!(target["secret"].as_str().unwrap().starts_with("toy_"));
    let (_, list) = call(&admin, "GET", "/__admin/webhooks?provider=toy", None).await;
    assert_eq!(list["webhooks"][0]["id"], target["id"]);
    let (_, deliveries) = call(
        &admin,
        "GET",
        "/__admin/webhooks/deliveries?event=order.new",
        None,
    )
    .await;
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
    let (toy, p) = toy(manual_config(1));
    let (admin, public) = (
        admin::router(toy.engine().clone(), AdminOptions::default()),
        public_app(&toy, &p),
    );
    toy.engine()
        .tenants()
        .authenticate("toy", "toy:a", "k", None, toy.engine().clock().now())
        .unwrap();
    order(&public, "a").await;

    let (_, objects) = call(&admin, "GET", "/__admin/providers/toy/objects", None).await;
    let (_, machines) = call(&admin, "GET", "/__admin/providers/toy/machines", None).await;
    let (_, tenants) = call(&admin, "GET", "/__admin/tenants", None).await;
    let (status, changed) = call(
        &admin,
        "POST",
        "/__admin/providers/toy/machines",
        Some(json!({"kind": "order", "from": "new", "to": "working", "seconds": 5})),
    )
    .await;
    let (_, timeline) = call(&admin, "GET", "/__admin/timeline", None).await;

    assert_eq!(objects["objects"].as_array().unwrap().len(), 1);
    assert_eq!(
        machines["machines"][0]["edges"][0]["after"],
        json!({"seconds": 10})
    );
    assert_eq!(tenants["tenants"]["toy"][0]["tenant"], "toy:a");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        changed["machines"][0]["edges"][0]["after"],
        json!({"seconds": 5})
    );
    assert_eq!(
        timeline["scheduled"][0]["due"], "2026-01-05T14:00:10.000000Z",
        "already scheduled keeps its delay"
    );
}

#[tokio::test]
async fn reset_of_one_provider_clears_its_state_and_journal() {
    let (toy, p) = toy(manual_config(1));
    let (admin, public) = (
        admin::router(toy.engine().clone(), AdminOptions::default()),
        public_app(&toy, &p),
    );
    order(&public, "a").await;

    let (status, body) = call(&admin, "POST", "/__admin/reset?provider=toy", None).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"reset": "toy"})));
    assert_eq!(
        call(&admin, "GET", "/__admin/requests", None).await.1["total"],
        0
    );
    assert!(
        call(&admin, "GET", "/__admin/providers/toy/objects", None)
            .await
            .1["objects"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_admin_token_is_required_when_configured() {
    let (toy, _p) = toy(manual_config(1));
    let admin = admin::router(
        toy.engine().clone(),
        AdminOptions {
            token: Some("t0k".into()),
        },
    );

    let (status, body) = call(&admin, "GET", "/__admin/health", None).await;
    let ok = Request::get("/__admin/health")
        .header("authorization", "Bearer t0k")
        .body(Body::empty())
        .unwrap();

    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("token"));
    assert_eq!(admin.oneshot(ok).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn the_inbox_keeps_what_a_provider_delivered_byte_for_byte() {
    let (toy, p) = toy(manual_config(1));
    let admin = admin::router(
        toy.engine().clone(),
        AdminOptions {
            token: Some("t0k".into()),
        },
    );
    let public = public_app(&toy, &p);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/__admin/inbox/my-app",
        listener.local_addr().unwrap()
    );
    let served = admin.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    let mut target = payoutsim_core::webhooks::WebhookTarget {
        id: String::new(),
        provider: "toy".into(),
        tenant: "toy:a".into(),
        url,
        events: vec!["order.new".into()],
        secret: "s".into(),
        extra: Default::default(),
        created_at: String::new(),
    };
    target = toy.engine().add_webhook_target(target);

    order(&public, "a").await;
    toy.engine().settle(None).await;

    let req = Request::get("/__admin/inbox/my-app")
        .header("authorization", "Bearer t0k")
        .body(Body::empty())
        .unwrap();
    let bytes = admin
        .oneshot(req)
        .await
        .unwrap()
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes();
    let got: Value = serde_json::from_slice(&bytes).unwrap();
    let m = &got["messages"][0];
    assert_eq!(m["body"]["status"], "new");
    assert_eq!(m["raw_body"].as_str().unwrap(), m["body"].to_string());
    assert_eq!(m["headers"]["x-toy-secret"], target.secret);
    assert_eq!(toy.engine().deliveries(None, None)[0].status, Some(200));
}
