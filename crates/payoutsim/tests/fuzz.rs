//! The fuzz harness: a bounded, seeded loop of requests to every endpoint of every provider and
//! of the admin API, in process (each listener's router through `oneshot`, as `serve` wires
//! them: journal, fault layer, provider), with valid requests and their mutations: fields
//! dropped, values of the wrong type, out of range, too precise, too long, invalid JSON and
//! UTF-8, wrong methods, content types and credentials, garbage ids and query strings, and
//! clock advances in between so objects move through their lifecycles.
//!
//! What must hold, checked on every answer and at the end:
//! - no panic, and no 5xx that is not an answer the provider documents (a fault rule the
//!   harness loaded through the admin API is cleared before the next request);
//! - every error answer has a body and a JSON content type (or the provider's own);
//! - money is conserved in every tenant of every provider (each back office's books);
//! - one object per idempotency key: every accepted retry of a OnePay cashout or a Dots
//!   transfer with the same key answers the same object.
//!
//! `cargo test -p payoutsim --test fuzz` sends [`DEFAULT_REQUESTS`]; set
//! `PAYOUTSIM_FUZZ_REQUESTS` for more (CI's long run sends 1,000,000) and
//! `PAYOUTSIM_FUZZ_SEED` for another sequence, `PAYOUTSIM_FUZZ_TRACE=<path part>` to print
//! the requests whose path contains it with their answers. A failure prints the seed, the request's number
//! and the request, so it can be replayed.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderName, HeaderValue, Method, Request};
use payoutsim::{App, ServeConfig};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Requests a plain `cargo test` sends.
const DEFAULT_REQUESTS: u64 = 10_000;
/// The largest answer body read back (the biggest honest answer is a Dots batch's results).
const MAX_ANSWER: usize = 64 << 20;

/// One request, kept printable for a failure's report.
#[derive(Clone, Debug)]
struct Req {
    listener: &'static str,
    method: Method,
    path: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Req {
    fn new(listener: &'static str, method: Method, path: impl Into<String>) -> Self {
        Self {
            listener,
            method,
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    fn json(mut self, body: &Value) -> Self {
        self.body = body.to_string().into_bytes();
        self.header("content-type", "application/json")
    }

    fn show(&self) -> String {
        let headers: Vec<String> = (self.headers.iter())
            .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(&v[..v.len().min(200)])))
            .collect();
        let body = String::from_utf8_lossy(&self.body[..self.body.len().min(600)]);
        format!(
            "{} {} {} [{}] {body}",
            self.listener,
            self.method,
            self.path,
            headers.join("; ")
        )
    }
}

/// An answer.
struct Answer {
    status: u16,
    content_type: String,
    set_cookie: Vec<String>,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

/// What the harness has learnt from answers: credentials and ids to put in later requests.
#[derive(Default)]
struct Known {
    onspot_tokens: HashMap<&'static str, String>,
    kashpay_tokens: HashMap<&'static str, String>,
    tupay_cookies: HashMap<&'static str, String>,
    /// Ids by credential, provider and kind (`Bearer sk_test_a|onepay/customers`), newest last
    /// (bounded).
    ids: BTreeMap<String, Vec<String>>,
    onepay_banks: Vec<String>,
    /// (tenant credential, idempotency key) -> the object id the first accepted answer gave.
    /// The simulated seconds of that answer are kept beside it: a key lasts 24 hours (OnePay's
    /// and Dots' documented window), and a reset forgets it.
    idempotent: HashMap<(String, String), (String, f64)>,
    /// Simulated seconds the harness's own advances moved the clock (the clock is manual).
    elapsed: f64,
    /// Accepted answers checked against an earlier one under the same key.
    replays: u64,
}

const ID_POOL: usize = 256;

/// How long an idempotency key holds its answer: 24 hours.
const KEY_WINDOW_S: f64 = 86_400.0;

impl Known {
    fn remember(&mut self, kind: String, id: &str) {
        let ids = self.ids.entry(kind).or_default();
        if ids.len() >= ID_POOL {
            ids.remove(0);
        }
        ids.push(id.to_string());
    }

    /// An id of `kind` (`Bearer sk_test_a|onepay/customers`) an answer gave; now and then one of
    /// another kind or tenant of the same provider, or one nobody gave.
    fn id(&self, kind: &str, rng: &mut ChaCha8Rng) -> String {
        let provider = kind.split('/').next().unwrap_or(kind);
        let provider = provider.rsplit('|').next().unwrap_or(provider);
        let pool = if rng.random_bool(0.85) {
            self.ids.get(kind)
        } else {
            let kinds: Vec<&String> = (self.ids.keys())
                .filter(|k| k.contains(&format!("|{provider}/")))
                .collect();
            kinds.choose(rng).and_then(|k| self.ids.get(*k))
        };
        match pool.and_then(|ids| ids.choose(rng)) {
            Some(id) => id.clone(),
            None => "does-not-exist".into(),
        }
    }
}

const ONEPAY_KEYS: [&str; 3] = ["sk_test_fuzz_a", "sk_test_fuzz_b", "sk_live_fuzz_c"];
const ONSPOT_KEYS: [(&str, &str); 2] = [("fuzz-public-a", "test"), ("fuzz-public-b", "live")];
const KASHPAY_ENTITIES: [&str; 2] = ["com.fuzz.a", "com.fuzz.b"];
const TUPAY_USERS: [&str; 2] = ["ops@fuzz-a.com", "ops@fuzz-b.com"];
const DOTS_APPS: [&str; 2] = ["fuzza", "fuzzb"];

fn dots_auth(app: &str) -> String {
    let pair = format!("pk_dev_{app}:sk_dev_{app}");
    format!("Basic {}", STANDARD.encode(pair))
}

struct Harness {
    routers: BTreeMap<&'static str, Router>,
    rng: ChaCha8Rng,
    known: Known,
    seed: u64,
    sent: u64,
    /// Answers by listener and status class, for the closing report.
    tally: BTreeMap<(&'static str, u16), u64>,
    /// `PAYOUTSIM_FUZZ_TRACE`: requests whose path contains it are printed with their answers.
    trace: Option<String>,
}

impl Harness {
    fn new(seed: u64) -> Self {
        let mut config = ServeConfig::for_tests();
        config.engine.seed = seed;
        let app = App::new(&config);
        let mut routers = BTreeMap::new();
        routers.insert("admin", app.admin_router());
        for (id, provider) in app.providers() {
            routers.insert(id.name(), app.provider_router(provider));
        }
        // The routers hold the app's providers alive.
        std::mem::forget(app);
        Self {
            routers,
            rng: ChaCha8Rng::seed_from_u64(seed),
            known: Known::default(),
            seed,
            sent: 0,
            tally: BTreeMap::new(),
            trace: std::env::var("PAYOUTSIM_FUZZ_TRACE").ok(),
        }
    }

    async fn send(&mut self, req: &Req) -> Answer {
        self.sent += 1;
        let router = (self.routers.get(req.listener).cloned())
            .unwrap_or_else(|| panic!("no listener {}", req.listener));
        let mut builder = Request::builder()
            .method(req.method.clone())
            .uri(req.path.as_str());
        for (name, value) in &req.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) {
                builder = builder.header(n, v);
            }
        }
        let Ok(mut request) = builder.body(Body::from(req.body.clone())) else {
            // A path `http` cannot carry never reaches a server either.
            return Answer {
                status: 0,
                content_type: String::new(),
                set_cookie: Vec::new(),
                bytes: Vec::new(),
            };
        };
        let peer: SocketAddr = ([127, 0, 0, 1], 50_000).into();
        request.extensions_mut().insert(ConnectInfo(peer));
        let call = tokio::spawn(async move {
            let resp = router
                .oneshot(request)
                .await
                .expect("routers are infallible");
            let status = resp.status().as_u16();
            let content_type = (resp.headers().get(http::header::CONTENT_TYPE))
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let set_cookie = (resp.headers().get_all(http::header::SET_COOKIE).iter())
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect();
            let bytes = to_bytes(resp.into_body(), MAX_ANSWER).await;
            (status, content_type, set_cookie, bytes.map(|b| b.to_vec()))
        });
        match call.await {
            Ok((status, content_type, set_cookie, Ok(bytes))) => {
                *self.tally.entry((req.listener, status / 100)).or_default() += 1;
                Answer {
                    status,
                    content_type,
                    set_cookie,
                    bytes,
                }
            }
            Ok((status, _, _, Err(e))) => panic!(
                "seed {} request {}: answer {status} whose body failed: {e}\n{}",
                self.seed,
                self.sent,
                req.show()
            ),
            Err(e) => panic!(
                "seed {} request {}: the handler panicked ({e})\n{}",
                self.seed,
                self.sent,
                req.show()
            ),
        }
    }

    /// Sends `req` and checks the answer's shape; learns credentials and ids from it.
    async fn exchange(&mut self, req: &Req) -> Answer {
        let a = self.send(req).await;
        if a.status == 0 {
            return a;
        }
        if let Some(trace) = &self.trace
            && req.path.contains(trace.as_str())
        {
            eprintln!(
                "fuzz trace {}: {} -> {} {}",
                self.sent,
                req.show(),
                a.status,
                String::from_utf8_lossy(&a.bytes[..a.bytes.len().min(300)])
            );
        }
        let documented_5xx = documented_5xx(req, &a);
        assert!(
            a.status < 500 || documented_5xx,
            "seed {} request {}: {} {}\n{}",
            self.seed,
            self.sent,
            a.status,
            String::from_utf8_lossy(&a.bytes[..a.bytes.len().min(400)]),
            req.show()
        );
        if a.status >= 400 {
            let head = req.method == Method::HEAD;
            assert!(
                head || !a.bytes.is_empty(),
                "seed {} request {}: an empty {} answer\n{}",
                self.seed,
                self.sent,
                a.status,
                req.show()
            );
            assert!(
                head || a.content_type.starts_with("application/json")
                    || a.content_type.starts_with("application/problem+json"),
                "seed {} request {}: a {} answered as `{}`: {}\n{}",
                self.seed,
                self.sent,
                a.status,
                a.content_type,
                String::from_utf8_lossy(&a.bytes[..a.bytes.len().min(200)]),
                req.show()
            );
        }
        a
    }

    fn roll(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }
}

/// A 5xx the provider documents as an answer (not a failure of the simulator).
fn documented_5xx(req: &Req, a: &Answer) -> bool {
    // Tupay: 503 code 105 when every merchant held in memory was changed by the back office.
    req.listener == "tupay" && a.status == 503 && a.json()["code"] == 105
}

// ---- valid requests, one family per provider -----------------------------------------------

fn onepay(h: &mut Harness) -> Req {
    let key = *ONEPAY_KEYS.choose(&mut h.rng).expect("keys");
    let auth = format!("Bearer {key}");
    let kind = |k: &str| format!("{auth}|onepay/{k}");
    let customer = h.known.id(&kind("customers"), &mut h.rng);
    let account = h.known.id(&kind("accounts"), &mut h.rng);
    let cashout = h.known.id(&kind("cashouts"), &mut h.rng);
    let webhook = h.known.id(&kind("webhooks"), &mut h.rng);
    let bank =
        (h.known.onepay_banks.choose(&mut h.rng).cloned()).unwrap_or_else(|| customer.clone());
    let n: u32 = h.rng.random_range(0..1_000_000);
    let req = match h.rng.random_range(0..16) {
        0 => Req::new("onepay", Method::GET, "/v1/banks"),
        1 => Req::new("onepay", Method::GET, "/v1/accounts/banks"),
        2 => Req::new("onepay", Method::POST, "/v1/customers").json(&json!({
            "user_type": "natural", "first_name": "Ana", "last_name": "Gómez",
            "email": format!("ana{n}@example.com"), "document_type": "CC",
            "document_number": format!("{}", 1_000_000_000u64 + u64::from(n)),
        })),
        3 => Req::new("onepay", Method::GET, "/v1/customers?per_page=5&page=1"),
        4 => Req::new("onepay", Method::GET, format!("/v1/customers/{customer}")),
        5 => Req::new(
            "onepay",
            Method::GET,
            format!("/v1/customers/{customer}/accounts"),
        ),
        6 => Req::new("onepay", Method::POST, "/v1/accounts").json(&json!({
            "subtype": "SAVINGS", "authorization": true,
            "account_number": format!("{:010}", n), "customer_id": customer, "bank_id": bank,
        })),
        7 => Req::new("onepay", Method::GET, format!("/v1/accounts/{account}")),
        8 => Req::new(
            "onepay",
            Method::POST,
            format!("/v1/accounts/{account}/validate"),
        ),
        9 | 10 => {
            let key = format!("fuzz-{}", h.rng.random_range(0..400));
            Req::new("onepay", Method::POST, "/v1/cashouts")
                .header("x-idempotency", key)
                .json(&json!({
                    "amount": h.rng.random_range(1..200_000), "currency": "COP",
                    "method": *["TURBO", "ACH"].choose(&mut h.rng).expect("methods"),
                    "customer_id": customer, "account_id": account, "description": "fuzz",
                    "external_id": format!("EXT-{n}"),
                }))
        }
        11 => Req::new("onepay", Method::GET, "/v1/cashouts?per_page=3"),
        12 => Req::new("onepay", Method::GET, format!("/v1/cashouts/{cashout}")),
        13 => Req::new("onepay", Method::GET, "/v1/balances"),
        14 => Req::new("onepay", Method::POST, "/v1/webhooks").json(&json!({
            "name": "fuzz", "url": "http://127.0.0.1:9/hook", "events": ["cashout.created"],
        })),
        _ => match h.rng.random_range(0..4) {
            0 => Req::new("onepay", Method::GET, "/v1/webhooks"),
            1 => Req::new("onepay", Method::GET, format!("/v1/webhooks/{webhook}")),
            2 => Req::new("onepay", Method::PATCH, format!("/v1/webhooks/{webhook}"))
                .json(&json!({"name": "renamed"})),
            _ => Req::new("onepay", Method::DELETE, format!("/v1/webhooks/{webhook}")),
        },
    };
    req.header("authorization", auth)
}

fn onspot(h: &mut Harness) -> Req {
    let (pk, env) = *ONSPOT_KEYS.choose(&mut h.rng).expect("keys");
    if h.roll(8) || !h.known.onspot_tokens.contains_key(pk) {
        let path = *["/platform/generate-token-api", "/auth/generate-token"]
            .choose(&mut h.rng)
            .expect("paths");
        return Req::new("onspot", Method::POST, path)
            .header("publickey", pk)
            .header("secretkey", "fuzz-secret")
            .header("environment", env);
    }
    let token = h.known.onspot_tokens.get(pk).cloned().unwrap_or_default();
    let n: u32 = h.rng.random_range(0..1_000_000);
    let item = json!({
        "type": "INDIVIDUAL", "documentType": "CC", "documentNumber": format!("{}", 1_000_000 + n),
        "legalName": "", "firstName": "Aries", "lastName": "Studio",
        "customerEmail": format!("a{n}@example.com"),
        "amount": format!("{}", h.rng.random_range(1..5000)), "currency": "USD",
        "description": "fuzz",
    });
    let count = h.rng.random_range(0..4);
    let items: Vec<Value> = (0..count).map(|_| item.clone()).collect();
    Req::new("onspot", Method::POST, "/accreditation/payouts/create")
        .header("authorization", format!("Bearer {token}"))
        .header("environment", env)
        .json(&Value::Array(items))
}

fn kashpay(h: &mut Harness) -> Req {
    let entity = *KASHPAY_ENTITIES.choose(&mut h.rng).expect("entities");
    if h.roll(6) || !h.known.kashpay_tokens.contains_key(entity) {
        return Req::new(
            "kashpay",
            Method::POST,
            "/AuthenticationService/authenticate",
        )
        .json(&json!({"entity": entity, "password": "s3cret", "user": "ops@example.com"}));
    }
    let token = h
        .known
        .kashpay_tokens
        .get(entity)
        .cloned()
        .unwrap_or_default();
    let reference = format!("FUZZ{:011}", h.rng.random_range(0..2_000u32));
    let req = match h.rng.random_range(0..5) {
        0 => Req::new("kashpay", Method::GET, "/EntitiesServices/getBalance"),
        1 => Req::new("kashpay", Method::GET, "/EntitiesServices/getOperations")
            .header("page", "0")
            .header("size", "10")
            .header("type", "2"),
        2 => Req::new("kashpay", Method::POST, "/OKPay/searchReference")
            .json(&json!({"alphanumericReference": reference})),
        _ => {
            let clabe = *["002028650641359744", "646180000000000012"]
                .choose(&mut h.rng)
                .expect("clabes");
            Req::new("kashpay", Method::POST, "/OKPay/createOrder").json(&json!({
                "alphanumericReference": reference, "amount": h.rng.random_range(1..500),
                "beneficiaryAcount": clabe, "beneficiaryName": "Florentino Eter",
                "beneficiaryTypeAcount": "40", "codeInstituteBank": &clabe[..3],
                "concept": "Deposito", "currency": 484,
                "numericReference": h.rng.random_range(1..9_999_999), "typeTransaction": 1,
            }))
        }
    };
    req.header("authorization", format!("Bearer {token}"))
        .header("entity-i", entity)
}

fn tupay(h: &mut Harness) -> Req {
    let user = *TUPAY_USERS.choose(&mut h.rng).expect("users");
    if h.roll(5) || !h.known.tupay_cookies.contains_key(user) {
        return Req::new("tupay", Method::POST, "/v1/auth/login")
            .json(&json!({"accessKey": user, "secretKey": "s3cret"}));
    }
    let cookie = h.known.tupay_cookies.get(user).cloned().unwrap_or_default();
    // The simulated clock starts 2026-01-05T14:00:00Z (manual clock).
    let to = 1_767_621_600i64 + h.rng.random_range(-86_400..86_400);
    let from = to - h.rng.random_range(0..61) * 86_400;
    let page = h.rng.random_range(0..5);
    let path = match h.rng.random_range(0..6) {
        0 => format!("/v1/deposits?from={from}&to={to}&page={page}"),
        1 => format!("/v1/deposits?from={from}&to={to}&country=PE&status=COMPLETED&page={page}"),
        2 => format!("/v1/cashout?from={from}&to={to}&page={page}"),
        3 => format!("/v1/cashouts?from={from}&to={to}"),
        4 => format!("/v1/balance/report?from={from}&to={to}&page={page}"),
        _ => "/v1/balance".to_string(),
    };
    let req = if h.roll(2) {
        Req::new("tupay", Method::DELETE, "/v1/auth/session/destroy")
    } else {
        Req::new("tupay", Method::GET, path)
    };
    req.header("cookie", cookie)
}

fn dots(h: &mut Harness) -> Req {
    let app = *DOTS_APPS.choose(&mut h.rng).expect("apps");
    let auth = dots_auth(app);
    let kind = |k: &str| format!("{auth}|dots/{k}");
    let id = h.known.id(&kind("users"), &mut h.rng);
    let other = h.known.id(&kind("users"), &mut h.rng);
    let transfer = h.known.id(&kind("transfers"), &mut h.rng);
    let link = h.known.id(&kind("payout-links"), &mut h.rng);
    let batch = h.known.id(&kind("payout-batches"), &mut h.rng);
    let flow = h.known.id(&kind("flows"), &mut h.rng);
    let n: u32 = h.rng.random_range(0..10_000_000);
    let key = format!("5ee0b000-0000-4000-8000-{:012}", h.rng.random_range(0..400));
    let platform = *["paypal", "venmo", "cash_app", "ach"]
        .choose(&mut h.rng)
        .expect("platforms");
    let req = match h.rng.random_range(0..22) {
        0 => Req::new("dots", Method::POST, "/api/v2/users").json(&json!({
            "first_name": "Bob", "last_name": "Loblaw", "email": format!("bob{n}@example.com"),
            "country_code": "1", "phone_number": format!("415{n:07}"),
        })),
        1 => Req::new("dots", Method::GET, "/api/v2/users?limit=5"),
        2 => Req::new("dots", Method::GET, format!("/api/v2/users/{id}")),
        3 => Req::new("dots", Method::PATCH, format!("/api/v2/users/{id}"))
            .json(&json!({"first_name": "Robert"})),
        4 => Req::new(
            "dots",
            Method::POST,
            format!("/api/v2/users/{id}/send-verification-token"),
        ),
        5 => Req::new("dots", Method::POST, format!("/api/v2/users/{id}/verify"))
            .json(&json!({"token": format!("{:06}", n % 1_000_000)})),
        6 => Req::new(
            "dots",
            Method::PUT,
            format!("/api/v2/users/{id}/payout-methods"),
        )
        .json(&json!({"platform": "paypal", "email": "bob@example.com"})),
        7 | 8 => Req::new("dots", Method::POST, "/api/v2/payouts").json(&json!({
            "user_id": id, "amount": h.rng.random_range(1..3000), "platform": platform,
            "fund": h.rng.random_bool(0.7), "idempotency_key": key,
        })),
        9 => Req::new("dots", Method::POST, "/api/v2/transfers").json(&json!({
            "user_id": id, "amount": h.rng.random_range(-3000..3000), "idempotency_key": key,
        })),
        10 => Req::new("dots", Method::GET, "/api/v2/transfers?limit=10"),
        11 => Req::new("dots", Method::GET, format!("/api/v2/transfers/{transfer}")),
        12 => Req::new(
            "dots",
            Method::POST,
            format!("/api/v2/users/{id}/send-payout"),
        )
        .json(&json!({"amount": h.rng.random_range(1..3000), "idempotency_key": key})),
        13 => Req::new("dots", Method::POST, "/api/v2/payout-links").json(&json!({
            "amount": h.rng.random_range(1..3000),
            "payee": {"country_code": "1", "phone_number": format!("415{n:07}")},
            "idempotency_key": key,
        })),
        14 => Req::new("dots", Method::GET, "/api/v2/payout-links?limit=3"),
        15 => Req::new("dots", Method::GET, format!("/api/v2/payout-links/{link}")),
        16 => {
            let method = if h.rng.random_bool(0.5) {
                Method::DELETE
            } else {
                Method::POST
            };
            let path = if method == Method::POST {
                format!("/api/v2/payout-links/{link}/redeliver")
            } else {
                format!("/api/v2/payout-links/{link}")
            };
            Req::new("dots", method, path)
        }
        17 => {
            let items: Vec<Value> = (0..h.rng.random_range(1..6))
                .map(|i| {
                    json!({"user_id": if i % 2 == 0 { &id } else { &other }, "amount": 100,
                           "platform": "paypal", "fund": true,
                           "idempotency_key": format!("5ee0b000-0000-4000-9{i:03}-{n:012}")})
                })
                .collect();
            Req::new("dots", Method::POST, "/api/v2/payout-batches").json(&json!({"items": items}))
        }
        18 => Req::new(
            "dots",
            Method::GET,
            format!("/api/v2/payout-batches/{batch}/results"),
        ),
        19 => Req::new("dots", Method::POST, "/api/v2/flows")
            .json(&json!({"steps": ["compliance", "payout"], "user_id": id})),
        20 => Req::new("dots", Method::GET, format!("/api/v2/flows/{flow}")),
        _ => match h.rng.random_range(0..3) {
            0 => Req::new("dots", Method::GET, "/api/v2/apps"),
            1 => Req::new("dots", Method::GET, "/api/v2/payout-batches?limit=2"),
            _ => Req::new("dots", Method::DELETE, format!("/api/v2/users/{id}")),
        },
    };
    req.header("authorization", auth)
}

fn admin(h: &mut Harness) -> Req {
    let provider = *["onspot", "onepay", "kashpay", "tupay", "dots"]
        .choose(&mut h.rng)
        .expect("providers");
    let object = match provider {
        "onepay" => "Bearer sk_test_fuzz_a|onepay/cashouts".to_string(),
        "dots" => format!("{}|dots/transfers", dots_auth(DOTS_APPS[0])),
        other => other.to_string(),
    };
    let id = h.known.id(&object, &mut h.rng);
    let seconds = *[0.5, 1.0, 61.0, 360.0, 1860.0, 86_400.0, 345_600.0]
        .choose(&mut h.rng)
        .expect("seconds");
    match h.rng.random_range(0..18) {
        0..=2 => Req::new("admin", Method::POST, "/__admin/clock/advance")
            .json(&json!({"seconds": seconds})),
        3 => Req::new("admin", Method::GET, "/__admin/health"),
        4 => Req::new("admin", Method::GET, "/__admin/clock"),
        5 => Req::new("admin", Method::GET, "/__admin/requests?limit=5"),
        6 => Req::new("admin", Method::GET, "/__admin/tenants"),
        7 => Req::new(
            "admin",
            Method::GET,
            format!("/__admin/providers/{provider}/objects?limit=5"),
        ),
        8 => Req::new("admin", Method::GET, "/__admin/webhooks"),
        9 => Req::new("admin", Method::POST, "/__admin/inbox/fuzz")
            .json(&json!({"event": "fuzz", "n": h.rng.random_range(0..100)})),
        10 => Req::new("admin", Method::GET, "/__admin/inbox/fuzz"),
        11 => Req::new("admin", Method::POST, "/__admin/faults").json(&json!({
            "provider": provider, "fault": {"type": "status", "status": 503},
            "match": {"path": "/does-not-exist"},
        })),
        12 => Req::new("admin", Method::GET, "/__admin/faults"),
        13 => Req::new("admin", Method::POST, "/__admin/webhooks").json(&json!({
            "provider": provider, "tenant": format!("{provider}:fuzz"),
            "url": "http://127.0.0.1:9/hook",
        })),
        14 => Req::new(
            "admin",
            Method::GET,
            format!("/__admin/providers/{provider}/machines"),
        ),
        15 => {
            let tenant = match provider {
                "onepay" => "onepay:sk_test_fuzz_a".to_string(),
                "kashpay" => "kashpay:com.fuzz.a".to_string(),
                "dots" => "dots:pk_dev_fuzza".to_string(),
                "onspot" => "onspot:live:fuzz-public-b".to_string(),
                _ => "tupay:ops@fuzz-a.com".to_string(),
            };
            let path = if provider == "onspot" {
                "/__admin/providers/onspot/transfers".to_string()
            } else if provider == "tupay" {
                "/__admin/providers/tupay/deposits".to_string()
            } else {
                format!("/__admin/providers/{provider}/fund")
            };
            let amount = [json!(100), json!("250.00"), json!(5000)]
                .choose(&mut h.rng)
                .expect("amounts")
                .clone();
            Req::new("admin", Method::POST, path).json(&json!({
                "tenant": tenant, "amount": amount, "status": "COMPLETED", "country": "PE",
            }))
        }
        16 => {
            let path = match provider {
                "onepay" => format!("/__admin/providers/onepay/cashouts/{id}/status"),
                "kashpay" => format!("/__admin/providers/kashpay/orders/{id}/status"),
                "dots" => format!("/__admin/providers/dots/transfers/{id}/status"),
                "onspot" => format!("/__admin/providers/onspot/payouts/{id}/status"),
                _ => format!("/__admin/providers/tupay/cashouts/{id}/status"),
            };
            let status = *[
                "failed",
                "processed",
                "completed",
                "rejected",
                "FAILED",
                "27",
            ]
            .choose(&mut h.rng)
            .expect("statuses");
            Req::new("admin", Method::POST, path).json(&json!({"status": status}))
        }
        _ => {
            if h.roll(3) {
                Req::new(
                    "admin",
                    Method::POST,
                    format!("/__admin/reset?provider={provider}"),
                )
            } else {
                Req::new("admin", Method::GET, "/__admin/timeline?limit=5")
            }
        }
    }
}

// ---- mutations -------------------------------------------------------------------------------

/// A value of another type, size or range than a field expects.
fn odd_value(rng: &mut ChaCha8Rng) -> Value {
    match rng.random_range(0..22) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(""),
        3 => json!("x".repeat(rng.random_range(100..20_000))),
        4 => json!(i64::MAX),
        5 => json!(u64::MAX),
        6 => json!(-1),
        7 => json!(0),
        8 => json!(1e308),
        9 => json!(-1e308),
        10 => json!(0.1),
        11 => serde_json::from_str("1000.0000000000001").expect("a number"),
        12 => serde_json::from_str("999.99999999999999999").expect("a number"),
        13 => json!("1e309"),
        14 => json!([1, "two", null]),
        15 => json!({"nested": {"deeper": [1, 2, 3]}}),
        16 => json!("Ñandú 🚀 \u{0} \u{202e}"),
        17 => json!("9223372036854775808"),
        18 => json!(-0.0),
        19 => json!("2026-13-45T99:99:99Z"),
        20 => json!(9_007_199_254_740_993u64),
        _ => json!("../../etc/passwd"),
    }
}

/// Replaces, drops or adds one field somewhere in `v`.
fn mutate_json(v: &mut Value, rng: &mut ChaCha8Rng, depth: u32) {
    match v {
        Value::Object(map) if !map.is_empty() && depth < 4 => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys.choose(rng).expect("a key").clone();
            match rng.random_range(0..6) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(
                        format!("unknown_{}", rng.random_range(0..9)),
                        odd_value(rng),
                    );
                }
                2 | 3 => {
                    if let Some(inner) = map.get_mut(&key) {
                        mutate_json(inner, rng, depth + 1);
                    }
                }
                _ => {
                    map.insert(key, odd_value(rng));
                }
            }
        }
        Value::Array(items) if !items.is_empty() && depth < 4 => {
            let i = rng.random_range(0..items.len());
            if rng.random_bool(0.3) {
                items.remove(i);
            } else {
                mutate_json(&mut items[i], rng, depth + 1);
            }
        }
        other => *other = odd_value(rng),
    }
}

/// A body that is not the JSON it claims to be.
fn odd_body(rng: &mut ChaCha8Rng) -> Vec<u8> {
    match rng.random_range(0..9) {
        0 => Vec::new(),
        1 => b"{\"amount\": ".to_vec(),
        2 => b"not json at all".to_vec(),
        3 => vec![0xff, 0xfe, b'{', 0xc3, 0x28, b'}'],
        4 => b"{\"name\": \"\xc3\x28\"}".to_vec(),
        5 => "[".repeat(200).into_bytes(),
        6 => format!(
            "{{\"a\": \"{}\"}}",
            "y".repeat(rng.random_range(1 << 10..1 << 16))
        )
        .into_bytes(),
        7 => b"null".to_vec(),
        // Past every provider's body limit (2 MiB and more), sent rarely.
        _ => vec![b' '; (2 << 20) + rng.random_range(1..4096)],
    }
}

/// An id or path segment no provider ever gave.
fn odd_segment(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..8) {
        0 => "%FF%FE".into(),
        1 => "..".into(),
        2 => "a".repeat(rng.random_range(200..5000)),
        3 => "%00".into(),
        4 => "-1".into(),
        5 => "99999999999999999999999999".into(),
        6 => "%C3%28".into(),
        _ => "%F0%9F%9A%80".into(),
    }
}

impl Harness {
    /// `req`, made wrong in one or two ways (or left valid).
    fn mutate(&mut self, mut req: Req) -> Req {
        let ways = self.rng.random_range(0..3);
        for _ in 0..ways {
            match self.rng.random_range(0..12) {
                0..=3 if !req.body.is_empty() => {
                    if let Ok(mut v) = serde_json::from_slice::<Value>(&req.body) {
                        mutate_json(&mut v, &mut self.rng, 0);
                        req.body = v.to_string().into_bytes();
                    }
                }
                4 => {
                    // Large bodies are rare: they are the slowest requests.
                    req.body = if self.roll(4) {
                        odd_body(&mut self.rng)
                    } else {
                        let mut b = odd_body(&mut self.rng);
                        b.truncate(1 << 16);
                        b
                    };
                }
                5 => {
                    let segments: Vec<&str> = req.path.split('/').collect();
                    let keep = self.rng.random_range(1..segments.len().max(2));
                    let mut path = segments[..keep.min(segments.len())].join("/");
                    path.push('/');
                    path.push_str(&odd_segment(&mut self.rng));
                    req.path = path;
                }
                6 => {
                    let q = *[
                        "?limit=0",
                        "?limit=101",
                        "?limit=-5",
                        "?page=-1",
                        "?per_page=999999",
                        "?from=abc&to=def",
                        "?starting_after=nope",
                        "?limit=1e3",
                        "?tenant=%FF",
                        "?provider=nope",
                        "?x=%",
                    ]
                    .choose(&mut self.rng)
                    .expect("queries");
                    req.path = match req.path.split_once('?') {
                        Some((p, _)) => format!("{p}{q}"),
                        None => format!("{}{q}", req.path),
                    };
                }
                7 => {
                    req.method = [
                        Method::GET,
                        Method::POST,
                        Method::PUT,
                        Method::PATCH,
                        Method::DELETE,
                        Method::HEAD,
                        Method::OPTIONS,
                    ]
                    .choose(&mut self.rng)
                    .expect("methods")
                    .clone();
                }
                8 => {
                    req.headers.retain(|(n, _)| n != "content-type");
                    let t = *[
                        "text/plain",
                        "application/xml",
                        "application/json; charset=latin1",
                        "multipart/form-data",
                        "",
                    ]
                    .choose(&mut self.rng)
                    .expect("types");
                    if !t.is_empty() {
                        req = req.header("content-type", t);
                    }
                }
                9 => {
                    let odd: &[u8] = [
                        b"Bearer ".as_slice(),
                        b"Basic !!!!",
                        b"Bearer \xff\xfe",
                        b"",
                        b"Basic cGtfZGV2X2E6",
                        b"Bearer eyJhbGciOiJub25lIn0.e30.",
                    ]
                    .choose(&mut self.rng)
                    .expect("credentials");
                    req.headers
                        .retain(|(n, _)| n != "authorization" && n != "cookie");
                    if !odd.is_empty() {
                        req = req.header("authorization", odd.to_vec());
                    }
                }
                10 => {
                    let name = *[
                        "x-idempotency",
                        "entity-i",
                        "environment",
                        "api-app-id",
                        "publickey",
                        "page",
                        "size",
                        "origin",
                        "host",
                    ]
                    .choose(&mut self.rng)
                    .expect("headers");
                    req.headers.retain(|(n, _)| n != name);
                    let value = match self.rng.random_range(0..4) {
                        0 => b"\xff\xfe".to_vec(),
                        1 => "z".repeat(self.rng.random_range(1..9000)).into_bytes(),
                        2 => b"-1".to_vec(),
                        _ => b"http://evil.example".to_vec(),
                    };
                    req = req.header(name, value);
                }
                _ => {}
            }
        }
        req
    }

    /// Learns from an answer to `req` what later requests can use, and checks idempotency.
    fn learn(&mut self, req: &Req, a: &Answer) {
        if !(200..300).contains(&a.status) {
            return;
        }
        let v = a.json();
        match req.listener {
            "onspot" if req.path.contains("generate-token") => {
                if let (Some(token), Some((_, pk))) = (
                    v.as_str(),
                    req.headers.iter().find(|(n, _)| n == "publickey"),
                ) && let Some((key, _)) = ONSPOT_KEYS
                    .iter()
                    .find(|(k, _)| k.as_bytes() == pk.as_slice())
                {
                    self.known.onspot_tokens.insert(key, token.to_string());
                }
            }
            "kashpay" if req.path.contains("authenticate") => {
                let entity = serde_json::from_slice::<Value>(&req.body)
                    .ok()
                    .and_then(|b| b["entity"].as_str().map(str::to_string));
                if let (Some(token), Some(entity)) = (v["token"].as_str(), entity)
                    && let Some(e) = KASHPAY_ENTITIES.iter().find(|e| **e == entity)
                {
                    self.known.kashpay_tokens.insert(e, token.to_string());
                }
            }
            "tupay" if req.path.contains("login") => {
                let user = serde_json::from_slice::<Value>(&req.body)
                    .ok()
                    .and_then(|b| b["accessKey"].as_str().map(str::to_string));
                let cookie = (a.set_cookie.iter()).find_map(|c| {
                    c.split(';')
                        .next()
                        .filter(|c| c.starts_with("BEARER_TOKEN="))
                });
                if let (Some(user), Some(cookie)) = (user, cookie)
                    && let Some(u) = TUPAY_USERS.iter().find(|u| **u == user)
                {
                    self.known.tupay_cookies.insert(u, cookie.to_string());
                }
            }
            _ => {}
        }
        let provider = match req.listener {
            "admin" => {
                self.learn_admin(req);
                return;
            }
            p => p,
        };
        if req.path == "/v1/banks" {
            let banks = v.as_array().or_else(|| v["data"].as_array());
            if let Some(banks) = banks {
                self.known.onepay_banks = (banks
                    .iter()
                    .filter_map(|b| b["id"].as_str().map(str::to_string)))
                .collect();
            }
            return;
        }
        if let Some(id) = v["id"].as_str() {
            let owner = (req.headers.iter())
                .find(|(n, _)| n == "authorization")
                .map(|(_, v)| String::from_utf8_lossy(v).to_string())
                .unwrap_or_default();
            let kind = format!("{owner}|{}", kind_of(provider, &req.path));
            self.known.remember(kind, id);
        }
        self.check_idempotency(req, &v);
    }

    /// What an accepted admin call changes for the harness: an advance moves its clock, a
    /// reset forgets the provider's keys.
    fn learn_admin(&mut self, req: &Req) {
        let path = req.path.split('?').next().unwrap_or("");
        let body = serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null);
        if path == "/__admin/clock/advance" {
            self.known.elapsed += body["seconds"].as_f64().unwrap_or(0.0);
        }
        if path == "/__admin/reset" {
            let provider = (req.path.split_once("provider="))
                .map(|(_, p)| p.split('&').next().unwrap_or(p).to_string());
            (self.known.idempotent).retain(|(owner, _), _| {
                provider
                    .as_deref()
                    .is_some_and(|p| !owner.starts_with(&format!("{p}:")))
            });
        }
    }

    /// Every accepted answer to a request with the same tenant and key names the same object.
    fn check_idempotency(&mut self, req: &Req, v: &Value) {
        let header = |name: &str| {
            (req.headers.iter().find(|(n, _)| n == name))
                .map(|(_, v)| String::from_utf8_lossy(v).to_string())
        };
        let key = match (req.listener, req.path.as_str()) {
            ("onepay", "/v1/cashouts") if req.method == Method::POST => header("x-idempotency"),
            ("dots", "/api/v2/transfers" | "/api/v2/payouts") if req.method == Method::POST => {
                serde_json::from_slice::<Value>(&req.body)
                    .ok()
                    .and_then(|b| b["idempotency_key"].as_str().map(str::to_string))
            }
            _ => None,
        };
        let (Some(key), Some(id), Some(auth)) = (key, v["id"].as_str(), header("authorization"))
        else {
            return;
        };
        let now = self.known.elapsed;
        let slot = (self.known.idempotent)
            .entry((format!("{}:{auth}", req.listener), key.clone()))
            .or_insert_with(|| (id.to_string(), now));
        if now - slot.1 >= KEY_WINDOW_S {
            // The key expired: a new object under it is what the provider documents.
            *slot = (id.to_string(), now);
        } else if slot.0 == id && slot.1 != now {
            self.known.replays += 1;
        }
        assert_eq!(
            slot.0,
            id,
            "seed {}: two objects for idempotency key {key}\n{}",
            self.seed,
            req.show()
        );
    }

    /// One step: a request of a random family, maybe mutated, checked and learnt from. A fault
    /// rule the step loaded is removed before the next step.
    async fn step(&mut self) {
        let family = self.rng.random_range(0..100);
        let req = match family {
            0..=17 => onepay(self),
            18..=31 => onspot(self),
            32..=45 => kashpay(self),
            46..=57 => tupay(self),
            58..=81 => dots(self),
            _ => admin(self),
        };
        let req = if self.roll(55) { self.mutate(req) } else { req };
        let a = self.exchange(&req).await;
        self.learn(&req, &a);
        if req.listener == "admin" && req.path.starts_with("/__admin/faults") {
            let clear = Req::new("admin", Method::DELETE, "/__admin/faults");
            let cleared = self.send(&clear).await;
            assert!(cleared.status < 300, "faults cleared: {}", cleared.status);
        }
    }

    async fn objects(&mut self, provider: &str, kind: &str) -> Vec<Value> {
        let req = Req::new(
            "admin",
            Method::GET,
            format!("/__admin/providers/{provider}/objects?kind={kind}"),
        );
        let a = self.send(&req).await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.bytes));
        (a.json()["objects"].as_array().cloned()).unwrap_or_default()
    }

    /// Every tenant's books balance, on every provider with money.
    async fn check_money(&mut self) {
        let cents = |v: &Value| -> i64 {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let (whole, frac) = text.split_once('.').unwrap_or((&text, "0"));
            let frac = format!("{frac:0<2}");
            let sign = if whole.starts_with('-') { -1 } else { 1 };
            let whole: i64 = whole.trim_start_matches('-').parse().expect("whole units");
            sign * (whole * 100 + frac[..2].parse::<i64>().expect("cents"))
        };
        for o in self.objects("kashpay", "entity").await {
            let m = &o["money"];
            let (balance, flight, paid, funded) = (
                cents(&m["balance"]),
                cents(&m["in_flight"]),
                cents(&m["paid_out"]),
                cents(&m["funded"]),
            );
            assert!(balance >= 0, "{o}");
            assert_eq!(balance + flight + paid, funded, "kashpay books: {o}");
        }
        for o in self.objects("onspot", "balance").await {
            let b = &o["object"];
            let available = cents(&b["available"]);
            assert!(available >= 0, "{o}");
            if o["tenant"]
                .as_str()
                .is_some_and(|t| t.starts_with("onspot:live:"))
            {
                assert_eq!(
                    available + cents(&b["in_flight"]) + cents(&b["paid"]),
                    cents(&b["funded"]),
                    "onspot books: {o}"
                );
            }
        }
        for o in self.objects("dots", "app").await {
            let app = &o["object"];
            let cents = |f: &str| app[f].as_i64().unwrap_or_else(|| panic!("{f} in {o}"));
            assert!(cents("wallet") >= 0, "{o}");
            assert_eq!(
                cents("wallet") + cents("user_wallets") + cents("in_flight") + cents("money_out"),
                cents("funded"),
                "dots books: {o}"
            );
        }
    }
}

/// `onepay/customers` for `/v1/customers/...`, `dots/transfers` for a Dots payout (a payout is
/// a transfer), the provider alone where the path names no collection.
fn kind_of(provider: &str, path: &str) -> String {
    let mut segments = path.split('?').next().unwrap_or("").split('/');
    let collection = segments
        .find(|s| *s == "v1" || *s == "v2")
        .and(segments.next());
    match collection {
        Some("payouts") if provider == "dots" => "dots/transfers".into(),
        Some(c) => format!("{provider}/{c}"),
        None => provider.to_string(),
    }
}

fn requests() -> u64 {
    (std::env::var("PAYOUTSIM_FUZZ_REQUESTS").ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS)
}

fn seed() -> u64 {
    (std::env::var("PAYOUTSIM_FUZZ_SEED").ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_261_201)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_requests_to_every_endpoint_never_panic_never_5xx_and_keep_the_books() {
    let (n, seed) = (requests(), seed());
    let mut h = Harness::new(seed);
    for i in 0..n {
        h.step().await;
        if i % 20_000 == 19_999 {
            h.check_money().await;
        }
    }
    h.check_money().await;
    let tally: Vec<String> = (h.tally.iter())
        .map(|((l, c), k)| format!("{l} {c}xx: {k}"))
        .collect();
    println!(
        "fuzz: seed {seed}, {} requests ({} steps), {} accepted retries under an idempotency key \
         checked; {}",
        h.sent,
        n,
        h.known.replays,
        tally.join(", ")
    );
    // The harness reached every provider's authenticated paths, not just its refusals.
    for p in ["onepay", "onspot", "kashpay", "tupay", "dots"] {
        let ok = h.tally.get(&(p, 2)).copied().unwrap_or(0);
        assert!(ok > n / 200, "{p}: only {ok} accepted requests of {n}");
    }
}
