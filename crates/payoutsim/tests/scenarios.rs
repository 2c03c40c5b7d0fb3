//! Every scenario in `scenarios/`, loaded as `serve --scenario` loads it, and its main effect as
//! a client sees it.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::time::Duration;

use common::{KEY, Sim, chain};
use payoutsim::ServeConfig;
use payoutsim_core::testkit::request;
use payoutsim_faults::Scenario;
use serde_json::{Value, json};
use tower::ServiceExt;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");

fn scenario(name: &str) -> Scenario {
    let text = std::fs::read_to_string(format!("{DIR}/{name}.yaml")).unwrap();
    Scenario::parse(&text).unwrap()
}

async fn sim_with(name: &str) -> Sim {
    let mut config = ServeConfig::for_tests();
    config.scenarios.push(scenario(name));
    Sim::with(config).await
}

/// `provider`'s router with scenario `name` applied, as its port serves it (fault layer and
/// journal), for `oneshot` requests on a paused clock.
fn router_with(name: &str, provider: &str) -> axum::Router {
    let mut config = ServeConfig::for_tests();
    config.scenarios.push(scenario(name));
    let app = payoutsim::App::new(&config);
    payoutsim_faults::scenario::apply(&app.engine, &app.faults, &config.scenarios[0]).unwrap();
    let (_, found) = app
        .providers()
        .find(|(id, _)| id.name() == provider)
        .unwrap();
    app.provider_router(found)
}

#[test]
fn every_scenario_file_parses_and_is_tested_here() {
    let this = include_str!("scenarios.rs");
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let s = Scenario::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(s.name, name, "a scenario is named after its file");
            assert!(s.description.is_some(), "{name} has a description");
            assert!(this.contains(&format!("\"{name}\"")), "{name} has no test");
        }
    }
}

#[tokio::test]
async fn outage_answers_503_for_60_seconds_then_recovers() {
    let sim = sim_with("onepay-outage-503").await;

    let during = sim.get("/v1/banks").send().await.unwrap().status();
    sim.advance(61).await;
    let after = sim.get("/v1/banks").send().await.unwrap().status();

    assert_eq!((during.as_u16(), after.as_u16()), (503, 200));
    sim.stop().await;
}

#[tokio::test(start_paused = true)]
async fn latency_tail_slows_creates_heavily_and_polls_a_little() {
    let router = router_with("onepay-latency-tail", "onepay");
    let auth = format!("Bearer {KEY}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("x-idempotency", "k"),
    ];
    let timed = |method: &str, path: &str| {
        let req = request(method, path, &headers, Some(b"{}"));
        let router = router.clone();
        async move {
            let started = tokio::time::Instant::now();
            router.oneshot(req).await.unwrap();
            started.elapsed()
        }
    };

    let mut creates = Vec::new();
    let mut polls = Vec::new();
    for _ in 0..20 {
        creates.push(timed("POST", "/v1/cashouts").await);
        polls.push(timed("GET", "/v1/cashouts/x").await);
    }

    creates.sort();
    let median = creates[10];
    assert!(
        median > Duration::from_millis(100) && median < Duration::from_millis(900),
        "{median:?}"
    );
    assert!(creates[19] > median * 2, "a heavy tail: {creates:?}");
    assert!(
        polls
            .iter()
            .all(|p| *p >= Duration::from_millis(50) && *p <= Duration::from_millis(251))
    );
}

#[tokio::test]
async fn rate_limit_burst_refuses_three_creates_with_retry_after() {
    let sim = sim_with("onepay-rate-limit-burst").await;
    let fixture = sim.fixture().await;

    let mut answers = Vec::new();
    for _ in 0..4 {
        let resp = sim.cashout(&fixture, "k-burst").send().await.unwrap();
        answers.push((
            resp.status().as_u16(),
            resp.headers().get("retry-after").cloned(),
        ));
    }

    assert_eq!(
        answers[..3].iter().map(|a| a.0).collect::<Vec<_>>(),
        [429, 429, 429]
    );
    assert!(
        answers[..3]
            .iter()
            .all(|a| a.1.as_ref().is_some_and(|v| v == "2"))
    );
    assert_eq!(answers[3].0, 201);
    assert_eq!(sim.cashouts().await.len(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn resets_on_two_attempts_then_the_same_key_replays_the_one_cashout() {
    let sim = sim_with("onepay-reset-first-two-attempts").await;
    let fixture = sim.fixture().await;

    let first = sim.cashout(&fixture, "k-retry").send().await;
    let second = sim.cashout(&fixture, "k-retry").send().await;
    let third = sim.cashout(&fixture, "k-retry").send().await.unwrap();

    assert!(first.is_err() && second.is_err());
    assert_eq!(third.status(), 201);
    assert_eq!(third.headers()["idempotent-replayed"], "true");
    assert_eq!(sim.cashouts().await.len(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn cashout_accepted_then_failed_settles_as_failed_with_the_reason() {
    let sim = sim_with("onepay-cashout-accepted-then-failed").await;
    let fixture = sim.fixture().await;

    let created: Value = sim.create_cashout(&fixture, "k1").await;
    sim.advance(1860).await;

    assert_eq!(created["status"], "pending");
    let settled = sim.cashout_by_id(&created["id"]).await;
    assert_eq!(
        (
            settled["status"].clone(),
            settled["remarks"]["code"].clone()
        ),
        (json!("failed"), json!("BANK_REJECTED"))
    );
    sim.stop().await;
}

#[tokio::test]
async fn webhooks_arrive_duplicated_and_out_of_order() {
    let sim = sim_with("onepay-webhooks-duplicated-out-of-order").await;
    sim.subscribe_inbox("merchant").await;
    let fixture = sim.fixture().await;

    sim.cashout(&fixture, "k1").send().await.unwrap();
    sim.advance(1860).await;

    assert_eq!(
        sim.inbox("merchant").await,
        [
            "cashout.approved",
            "cashout.created",
            "cashout.processed",
            "cashout.processed"
        ]
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_webhook_endpoint_that_is_down_gets_retried_on_schedule() {
    let sim = sim_with("onepay-webhook-endpoint-down").await;
    let key = "sk_test_endpoint_down";
    let list = sim.get_as(key, "/v1/cashouts").send().await.unwrap();
    assert_eq!(list.status(), 200);
    let (_, targets) = sim.admin("GET", "/__admin/webhooks", None).await;
    assert_eq!(
        targets["webhooks"].as_array().map(Vec::len),
        Some(1),
        "{targets}"
    );

    // A cashout of this tenant, so that cashout.created is emitted to the dead endpoint.
    let fixture = sim.fixture_of(key).await;
    let created = sim.cashout_as(key, &fixture, "k1").send().await.unwrap();
    assert_eq!(created.status(), 201);
    sim.advance(0).await;
    sim.advance(30).await;

    let (_, body) = sim
        .admin(
            "GET",
            "/__admin/webhooks/deliveries?event=cashout.created",
            None,
        )
        .await;
    let attempts: Vec<_> = body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event"] == "cashout.created")
        .collect();
    assert_eq!(
        attempts.len(),
        2,
        "the first attempt and its retry 30 s later: {body}"
    );
    assert!(attempts.iter().all(|d| d["error"].is_string()));
    assert_eq!(attempts[1]["attempt"], 2);
    sim.stop().await;
}

#[tokio::test]
async fn a_token_expires_after_five_requests_for_two_requests() {
    let sim = sim_with("onepay-token-expiring-mid-run").await;

    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(sim.get("/v1/banks").send().await.unwrap().status().as_u16());
    }

    assert_eq!(statuses, [200, 200, 200, 200, 200, 401, 401, 200]);
    sim.stop().await;
}

#[tokio::test]
async fn truncated_status_polls_fail_twice_then_read_whole() {
    let sim = sim_with("onepay-truncated-status-polls").await;
    let fixture = sim.fixture().await;
    let created: Value = sim.create_cashout(&fixture, "k1").await;
    let path = format!("/v1/cashouts/{}", created["id"].as_str().unwrap());

    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let resp = sim.get(&path).send().await.unwrap();
        outcomes.push(resp.json::<Value>().await.map_err(|e| chain(&e)));
    }

    assert!(outcomes[0].is_err() && outcomes[1].is_err(), "{outcomes:?}");
    assert_eq!(outcomes[2].as_ref().unwrap()["id"], created["id"]);
    sim.stop().await;
}

#[tokio::test]
async fn a_create_that_times_out_was_still_created_and_the_retry_replays_it() {
    let sim = sim_with("onepay-create-times-out").await;
    let fixture = sim.fixture().await;

    let timed_out = sim
        .cashout(&fixture, "k1")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    let retry = sim.cashout(&fixture, "k1").send().await.unwrap();

    assert!(timed_out.is_timeout());
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(sim.cashouts().await.len(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn a_garbled_balance_is_not_json_once() {
    let sim = sim_with("onepay-garbled-balance").await;

    let first = sim.get("/v1/balances").send().await.unwrap();
    let kind = first.headers()["content-type"].clone();
    let garbled = first.json::<Value>().await;
    let second = sim.get_json("/v1/balances").await;

    assert_eq!(kind, "application/json");
    assert!(garbled.is_err());
    assert!(second["data"]["available"].is_number(), "{second}");
    sim.stop().await;
}

#[tokio::test]
async fn a_flaky_network_loses_some_creates_and_never_corrupts_state() {
    async fn run() -> (Vec<&'static str>, usize) {
        let sim = sim_with("onepay-flaky-network").await;
        let fixture = sim.fixture().await;
        let mut outcomes = Vec::new();
        for i in 0..8 {
            let outcome = match sim.cashout(&fixture, &format!("k{i}")).send().await {
                Ok(r) if r.status() == 201 => "created",
                Ok(_) => "refused",
                Err(_) => "transport error",
            };
            outcomes.push(outcome);
        }
        let journal = sim.journal("/v1/cashouts").await;
        let lost = journal
            .iter()
            .filter(|e| {
                e["fault"]
                    .as_str()
                    .is_some_and(|f| f.contains("lost: empty (after)"))
            })
            .count();
        let created = outcomes.iter().filter(|o| **o == "created").count();
        assert_eq!(
            sim.cashouts().await.len(),
            created + lost,
            "a lost answer still created its cashout"
        );
        sim.stop().await;
        (outcomes, lost)
    }

    let (first, _) = run().await;
    let (second, _) = run().await;

    assert_eq!(first, second, "the same seed, the same faults");
    assert!(first.contains(&"transport error"), "{first:?}");
}

// ---- Tupay --------------------------------------------------------------------------------

/// Tupay's API user in these tests, and its login.
const TUPAY_USER: &str = "ops@scenarios.test";

async fn tupay_login(sim: &Sim) -> (u16, Option<String>) {
    let url = format!("{}/v1/auth/login", sim.running.url("tupay").unwrap());
    let body = json!({"accessKey": TUPAY_USER, "secretKey": "pw"});
    let resp = sim.http.post(url).json(&body).send().await.unwrap();
    let cookie = resp.headers().get("set-cookie").map(|c| {
        let pair = c.to_str().unwrap().split(';').next().unwrap();
        pair.to_string()
    });
    (resp.status().as_u16(), cookie)
}

/// `GET path` on Tupay with the session cookie, not yet sent.
fn tupay_get(sim: &Sim, path: &str, cookie: &str) -> reqwest::RequestBuilder {
    let url = format!("{}{path}", sim.running.url("tupay").unwrap());
    sim.http.get(url).header("cookie", cookie)
}

/// A request's JSON answer.
async fn tupay_json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The last 60 days of the simulator's (manual) clock, as `from=…&to=…`.
async fn tupay_range(sim: &Sim) -> String {
    let (_, clock) = sim.admin("GET", "/__admin/clock", None).await;
    let now = chrono::DateTime::parse_from_rfc3339(clock["now"].as_str().unwrap()).unwrap();
    let to = now.timestamp();
    format!("from={}&to={to}", to - 60 * 86_400)
}

#[tokio::test]
async fn a_tupay_session_expires_once_mid_reconciliation_and_a_new_login_reads_on() {
    let sim = sim_with("tupay-session-expiring-mid-run").await;
    let (_, cookie) = tupay_login(&sim).await;
    let mut cookie = cookie.unwrap();
    let range = tupay_range(&sim).await;

    let (mut statuses, mut codes, mut page) = (Vec::new(), Vec::new(), 0);
    while page < 6 {
        let path = format!("/v1/deposits?{range}&page={page}");
        let resp = tupay_get(&sim, &path, &cookie).send().await.unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        statuses.push(status);
        codes.push(body["code"].clone());
        if status == 401 {
            cookie = tupay_login(&sim).await.1.unwrap();
            continue;
        }
        page += 1;
    }

    assert_eq!(statuses, [200, 200, 200, 401, 200, 200, 200]);
    assert_eq!(codes[3], 22);
    sim.stop().await;
}

#[tokio::test]
async fn a_tupay_outage_answers_503_in_its_envelope_for_two_minutes_then_the_same_data() {
    let sim = sim_with("tupay-outage-during-reconciliation").await;

    let (during, _) = tupay_login(&sim).await;
    sim.advance(121).await;
    let (after, cookie) = tupay_login(&sim).await;
    let range = tupay_range(&sim).await;
    let page = tupay_get(&sim, &format!("/v1/deposits?{range}"), &cookie.unwrap());
    let body = tupay_json(page).await;

    assert_eq!((during, after), (503, 200));
    assert_eq!(body["maxRows"], 50, "{body}");
    sim.stop().await;
}

#[tokio::test]
async fn the_first_tupay_report_page_is_cut_short_and_the_next_read_is_whole() {
    let sim = sim_with("tupay-truncated-report-page").await;
    let (_, cookie) = tupay_login(&sim).await;
    let (cookie, range) = (cookie.unwrap(), tupay_range(&sim).await);
    let path = format!("/v1/balance/report?{range}");

    let first = tupay_get(&sim, &path, &cookie).send().await.unwrap();
    let cut = first.json::<Value>().await.map_err(|e| chain(&e));
    let whole = tupay_json(tupay_get(&sim, &path, &cookie)).await;

    assert!(cut.is_err(), "{cut:?}");
    assert_eq!(whole["maxRows"], 50, "{whole}");
    sim.stop().await;
}

// ---- Dots ---------------------------------------------------------------------------------

/// The Dots sandbox key pair of these tests, `pk_dev_scenarios:sk_dev_scenarios`, its tenant
/// and its `Authorization` value (Basic, the pair in base64).
const DOTS_TENANT: &str = "dots:pk_dev_scenarios";
const DOTS_AUTH: &str = "Basic cGtfZGV2X3NjZW5hcmlvczpza19kZXZfc2NlbmFyaW9z";

/// `method path` on Dots with the pair's credentials and, if any, a JSON body; not yet sent.
fn dots(sim: &Sim, method: &str, path: &str, body: Option<&Value>) -> reqwest::RequestBuilder {
    let url = format!("{}{path}", sim.running.url("dots").unwrap());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let request = sim.http.request(method, url);
    let request = request.header("authorization", DOTS_AUTH);
    match body {
        Some(body) => request.json(body),
        None => request,
    }
}

/// Sends a Dots request: its status and JSON answer.
async fn dots_json(request: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The body of a new user.
fn dots_user_body() -> Value {
    json!({"first_name": "Ana", "last_name": "Scenario", "email": "ana@scenarios.test",
        "country_code": "1", "phone_number": "4155550100"})
}

/// `POST /v2/users` of one user, not yet sent.
fn dots_new_user(sim: &Sim) -> reqwest::RequestBuilder {
    dots(sim, "POST", "/api/v2/users", Some(&dots_user_body()))
}

/// A user of the pair's app; its id.
async fn dots_user(sim: &Sim) -> String {
    let (status, user) = dots_json(dots_new_user(sim)).await;
    assert_eq!(status, 201, "{user}");
    user["id"].as_str().unwrap().to_string()
}

/// The body of a PayPal payout of `cents` to `user`, from the app wallet.
fn dots_payout(user: &str, cents: i64) -> Value {
    json!({"user_id": user, "amount": cents, "platform": "paypal", "fund": true})
}

/// `POST /v2/payouts` of `body`, not yet sent.
fn dots_pay(sim: &Sim, body: &Value) -> reqwest::RequestBuilder {
    dots(sim, "POST", "/api/v2/payouts", Some(body))
}

/// The status of transfer `t` (an answer holding its `id`), as Dots reads it now.
async fn dots_status(sim: &Sim, t: &Value) -> Value {
    let path = format!("/api/v2/transfers/{}", t["id"].as_str().unwrap());
    dots_json(dots(sim, "GET", &path, None)).await.1["status"].clone()
}

/// The app wallet, cents, as the back office shows it.
async fn dots_wallet(sim: &Sim) -> i64 {
    let path = format!("/__admin/providers/dots/objects?kind=app&tenant={DOTS_TENANT}");
    let (_, body) = sim.admin("GET", &path, None).await;
    body["objects"][0]["object"]["wallet"].as_i64().unwrap()
}

#[tokio::test]
async fn a_dots_payout_is_accepted_then_fails_and_its_money_goes_back() {
    let sim = sim_with("dots-payout-accepted-then-failed").await;
    let user = dots_user(&sim).await;

    let (s1, first) = dots_json(dots_pay(&sim, &dots_payout(&user, 500))).await;
    let (s2, second) = dots_json(dots_pay(&sim, &dots_payout(&user, 700))).await;
    sim.advance(305).await;

    assert_eq!((s1, s2, &first["status"]), (201, 201, &json!("created")));
    assert_eq!(dots_status(&sim, &first).await, "failed");
    assert_eq!(dots_status(&sim, &second).await, "completed");
    let wallet = dots_wallet(&sim).await;
    assert_eq!(wallet, 10_000 - 700, "the failed payout's 500 came back");
    sim.stop().await;
}

#[tokio::test]
async fn dots_loses_every_transfer_update_and_delivers_completed_twice() {
    let sim = sim_with("dots-webhooks-dropped-and-duplicated").await;
    let url = sim.admin_url("/__admin/inbox/dots");
    let target = json!({"provider": "dots", "tenant": DOTS_TENANT, "url": url});
    let (status, _) = sim.admin("POST", "/__admin/webhooks", Some(target)).await;
    assert_eq!(status, 201);
    let user = dots_user(&sim).await;

    dots_pay(&sim, &dots_payout(&user, 500))
        .send()
        .await
        .unwrap();
    sim.advance(305).await;

    let (_, inbox) = sim.admin("GET", "/__admin/inbox/dots", None).await;
    let arrived: Vec<(Value, Value)> = (inbox["messages"].as_array().unwrap().iter())
        .map(|m| {
            let id = m["headers"]["svix-id"].clone();
            (id, m["body"]["transfer"]["status"].clone())
        })
        .collect();
    assert_eq!(arrived.len(), 2, "{inbox}");
    assert_eq!(arrived[0], arrived[1], "the same message twice: {inbox}");
    assert_eq!(arrived[0].1, "completed");
    let updates = "/__admin/webhooks/deliveries?provider=dots&event=transfer.updated";
    let (_, log) = sim.admin("GET", updates, None).await;
    let dropped = log["deliveries"].as_array().unwrap();
    assert_eq!(dropped.len(), 2, "to pending and to completed: {log}");
    let unsent = |d: &Value| d["error"].is_string() && d["status"].is_null();
    assert!(dropped.iter().all(unsent), "{log}");
    sim.stop().await;
}

#[tokio::test]
async fn dots_answers_503_in_its_envelope_for_60_seconds_then_takes_the_user() {
    let sim = sim_with("dots-outage-503").await;

    let (during, refused) = dots_json(dots_new_user(&sim)).await;
    sim.advance(61).await;
    let (after, user) = dots_json(dots_new_user(&sim)).await;

    assert_eq!((during, after), (503, 201), "{refused} {user}");
    let envelope = (&refused["success"], &refused["error_code"]);
    let expected = (&json!(false), &json!("service-unavailable"));
    assert_eq!(envelope, expected, "{refused}");
    sim.stop().await;
}

#[tokio::test]
async fn a_dots_payout_whose_answer_was_lost_exists_and_its_retry_is_refused() {
    let sim = sim_with("dots-payout-answer-lost").await;
    let user = dots_user(&sim).await;
    let mut body = dots_payout(&user, 500);
    body["idempotency_key"] = json!("3c90c3cc-0d44-4b50-8888-8dd25736052a");

    let lost = dots_pay(&sim, &body).send().await;
    let (retry, refused) = dots_json(dots_pay(&sim, &body)).await;
    let list = format!("/api/v2/transfers?user_id={user}&type=payout");
    let (_, payouts) = dots_json(dots(&sim, "GET", &list, None)).await;

    assert!(lost.is_err(), "the answer was cut off: {lost:?}");
    let code = (retry, &refused["error_code"]);
    assert_eq!(code, (409, &json!("invalid-input")), "{refused}");
    let found = payouts["data"].as_array().map(Vec::len);
    assert_eq!(
        found,
        Some(1),
        "the payout the lost answer was about: {payouts}"
    );
    sim.stop().await;
}

#[tokio::test(start_paused = true)]
async fn slow_dots_payouts_take_two_to_six_seconds_and_transfer_reads_200_ms() {
    let router = router_with("dots-slow-payouts", "dots");
    let timed = |method: &'static str, path: String, body: Option<Value>| {
        let router = router.clone();
        async move {
            let json = [
                ("authorization", DOTS_AUTH),
                ("content-type", "application/json"),
            ];
            let headers = if body.is_some() {
                &json[..]
            } else {
                &json[..1]
            };
            let body = body.map(|b| b.to_string());
            let req = request(method, &path, headers, body.as_deref().map(str::as_bytes));
            let started = tokio::time::Instant::now();
            let resp = router.oneshot(req).await.unwrap();
            let bytes = http_body_util::BodyExt::collect(resp.into_body()).await;
            let answer = serde_json::from_slice(&bytes.unwrap().to_bytes()).unwrap();
            (started.elapsed(), answer)
        }
    };
    let (quick, user): (_, Value) =
        timed("POST", "/api/v2/users".into(), Some(dots_user_body())).await;
    let user = user["id"].as_str().unwrap().to_string();

    let mut creates = Vec::new();
    let mut reads = Vec::new();
    for _ in 0..10 {
        let body = Some(dots_payout(&user, 10));
        let (took, payout) = timed("POST", "/api/v2/payouts".into(), body).await;
        creates.push(took);
        let path = format!("/api/v2/transfers/{}", payout["id"].as_str().unwrap());
        reads.push(timed("GET", path, None).await.0);
    }

    assert!(
        quick < Duration::from_millis(50),
        "a user is not slowed: {quick:?}"
    );
    let (two, six) = (Duration::from_secs(2), Duration::from_millis(6001));
    assert!(
        creates.iter().all(|c| *c >= two && *c <= six),
        "{creates:?}"
    );
    assert!(
        creates.iter().any(|c| *c != creates[0]),
        "uniform, not fixed: {creates:?}"
    );
    let (at_least, at_most) = (Duration::from_millis(200), Duration::from_millis(201));
    let about_200_ms = |r: &Duration| *r >= at_least && *r <= at_most;
    assert!(reads.iter().all(about_200_ms), "{reads:?}");
}
