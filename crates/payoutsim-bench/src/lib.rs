//! payoutsim's hot paths side by side with its peers (the `peers` bench, `benches/peers.rs`).
//!
//! What a round measures is a [`Target`]: one request shape (method, URL, headers, body), sent
//! over keep-alive connections for a fixed window, with a fresh idempotency key (or reference)
//! in every request that creates something. The same targets go to two load generators: the
//! in-process one here ([`load`]: reqwest clients on the bench's runtime) and Debian's `wrk`
//! ([`wrk`]: a Lua script per target, whose `request()` hook writes the fresh key).
//!
//! [`provider_targets`] makes, over HTTP as a client would, what each provider's requests need
//! (a OnePay customer and account, an OnSpot token, a Kashpay session, a Tupay cookie, a funded
//! Dots app and user) and answers the create and read of each provider's main object.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// Where a fresh key goes in a creating request, and its shape.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    /// A header of that name: `b<round>-<conn>-<n>`.
    Header(&'static str),
    /// In the body, at [`KEY`], as a UUID (Dots' `idempotency_key`).
    BodyUuid,
    /// In the body, at [`KEY`], as an alphanumeric reference of at most 30 characters
    /// (Kashpay's `alphanumericReference`).
    BodyReference,
}

/// The placeholder of a fresh key in a body template.
pub const KEY: &str = "@KEY@";

/// One request shape a round sends again and again.
#[derive(Clone, Debug)]
pub struct Target {
    /// The row's name in the tables.
    pub name: String,
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body, with [`KEY`] where a [`Key::BodyUuid`] or [`Key::BodyReference`] goes.
    pub body: Option<String>,
    pub key: Option<Key>,
    /// The status every answer must have, or the round is void.
    pub expect: u16,
}

impl Target {
    fn new(name: &str, method: &'static str, url: String, expect: u16) -> Self {
        Self {
            name: name.to_string(),
            method,
            url,
            headers: Vec::new(),
            body: None,
            key: None,
            expect,
        }
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn json(mut self, body: &Value) -> Self {
        self.body = Some(body.to_string());
        self.header("content-type", "application/json")
    }

    fn keyed(mut self, key: Key) -> Self {
        self.key = Some(key);
        self
    }

    /// The key of request `n` of connection `conn` in round `round` (unique across all three).
    pub fn key_of(&self, round: usize, conn: usize, n: u64) -> Option<String> {
        Some(match self.key? {
            Key::Header(_) => format!("b{round}-{conn}-{n}"),
            Key::BodyUuid => format!("5ee0b000-{round:04}-4{conn:03}-8000-{n:012}"),
            Key::BodyReference => format!("B{round}C{conn}N{n}"),
        })
    }

    /// The request as reqwest builds it, with `key` in its place.
    pub fn request(&self, client: &reqwest::Client, key: Option<&str>) -> reqwest::RequestBuilder {
        let method =
            reqwest::Method::from_bytes(self.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = client.request(method, &self.url);
        for (name, value) in &self.headers {
            req = req.header(name, value);
        }
        if let (Some(Key::Header(name)), Some(key)) = (self.key, key) {
            req = req.header(name, key);
        }
        if let Some(body) = &self.body {
            req = req.body(match key {
                Some(key) => body.replace(KEY, key),
                None => body.clone(),
            });
        }
        req
    }

    /// A `wrk` script sending this request; creating requests get a fresh key from the
    /// `request()` hook, numbered per thread and marked with `round`.
    pub fn lua(&self, round: usize) -> String {
        let mut s = String::from("-- written by payoutsim-bench's peers bench\n");
        s += &format!("wrk.method = \"{}\"\n", self.method);
        for (name, value) in &self.headers {
            s += &format!("wrk.headers[ {} ] = {}\n", lua_str(name), lua_str(value));
        }
        let body = self.body.clone().unwrap_or_default();
        match self.key {
            None => {
                if self.body.is_some() {
                    s += &format!("wrk.body = {}\n", lua_str(&body));
                }
            }
            Some(key) => {
                let (before, after) = body.split_once(KEY).unwrap_or((&body, ""));
                let format = match key {
                    Key::Header(_) => "b%d-%d-%d",
                    Key::BodyUuid => "5ee0b000-%04d-4%03d-8000-%012d",
                    Key::BodyReference => "B%dC%dN%d",
                };
                s += &format!(
                    "local threads = 0\n\
                     function setup(thread)\n  thread:set(\"conn\", threads)\n  threads = threads + 1\nend\n\
                     local n = 0\n\
                     local before, after = {}, {}\n\
                     function request()\n  n = n + 1\n  local key = string.format(\"{format}\", {round}, conn, n)\n",
                    lua_str(before),
                    lua_str(after)
                );
                s += &match key {
                    Key::Header(name) => format!(
                        "  wrk.headers[ {} ] = key\n  return wrk.format(nil, nil, nil, {})\nend\n",
                        lua_str(name),
                        if self.body.is_some() { "before" } else { "nil" }
                    ),
                    _ => "  return wrk.format(nil, nil, nil, before .. key .. after)\nend\n".into(),
                };
            }
        }
        s
    }
}

/// A Lua long string holding `s` as it is.
fn lua_str(s: &str) -> String {
    let mut eq = String::new();
    // The closing bracket must not appear in the string, nor start at its last `]` (a JSON
    // array's body ends in one: `[[[…]]]` would close a character early).
    let closed = format!("{s}]");
    while closed.contains(&format!("]{eq}]")) {
        eq.push('=');
    }
    format!("[{eq}[{s}]{eq}]")
}

/// What one window of one target gave.
#[derive(Clone, Debug)]
pub struct Stats {
    pub requests: u64,
    pub per_s: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

/// `conns` keep-alive loops sending `target` for `window`, each waiting for its answer before
/// the next request; every answer must have the target's status.
pub async fn load(target: &Target, round: usize, conns: usize, window: Duration) -> Result<Stats> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conns)
        .build()?;
    let target = Arc::new(target.clone());
    let start = Instant::now();
    let tasks: Vec<_> = (0..conns)
        .map(|conn| {
            let (client, target) = (client.clone(), target.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut n = 0u64;
                while start.elapsed() < window {
                    n += 1;
                    let key = target.key_of(round, conn, n);
                    let t = Instant::now();
                    let resp = target.request(&client, key.as_deref()).send().await?;
                    let status = resp.status().as_u16();
                    let body = resp.bytes().await?;
                    if status != target.expect {
                        bail!(
                            "{}: {status} where {} was expected: {}",
                            target.name,
                            target.expect,
                            String::from_utf8_lossy(&body)
                        );
                    }
                    lat.push(t.elapsed().as_secs_f64() * 1e6);
                }
                Ok(lat)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable_by(f64::total_cmp);
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))];
    if all.is_empty() {
        bail!("{}: no request answered in {window:?}", target.name);
    }
    Ok(Stats {
        requests: all.len() as u64,
        per_s: all.len() as f64 / secs,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    })
}

/// `wrk -t<threads> -c<conns> -d<secs>s --latency` on `target`, its script in `dir`; fails if
/// any answer was not 2xx/3xx or a socket failed.
pub fn wrk(
    target: &Target,
    round: usize,
    (threads, conns): (usize, usize),
    window: Duration,
    dir: &Path,
) -> Result<Stats> {
    let script = dir.join(format!("round{round}.lua"));
    std::fs::write(&script, target.lua(round))?;
    let out = Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{conns}"))
        .arg(format!("-d{}s", window.as_secs()))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(&target.url)
        .output()
        .context("running wrk (Debian: apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("wrk failed on {}: {text}", target.name);
    }
    parse_wrk(&text).with_context(|| format!("{}: {text}", target.name))
}

/// Reads wrk's `--latency` report.
pub fn parse_wrk(text: &str) -> Result<Stats> {
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::trim))
    };
    if let Some(n) = field("Non-2xx or 3xx responses:") {
        bail!("{n} answers were not 2xx or 3xx");
    }
    if let Some(e) = field("Socket errors:") {
        bail!("socket errors: {e}");
    }
    let per_s: f64 = field("Requests/sec:")
        .ok_or_else(|| anyhow!("no Requests/sec"))?
        .parse()?;
    let requests: u64 = (text.lines())
        .find_map(|l| l.trim().split_once(" requests in "))
        .ok_or_else(|| anyhow!("no request count"))?
        .0
        .trim()
        .parse()?;
    let pct = |p: &str| field(p).map(duration_us).transpose();
    Ok(Stats {
        requests,
        per_s,
        p50_us: pct("50%")?.unwrap_or(f64::NAN),
        p99_us: pct("99%")?.unwrap_or(f64::NAN),
    })
}

/// `812.00us`, `1.20ms`, `2.01s` in microseconds.
fn duration_us(s: &str) -> Result<f64> {
    let (n, scale) = if let Some(n) = s.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1e6)
    } else {
        bail!("not a duration: {s}")
    };
    Ok(n.trim().parse::<f64>()? * scale)
}

/// The simulated clock's start under `--clock manual` (2026-01-05T14:00:00Z), in Unix seconds.
const CLOCK_START: i64 = 1_767_621_600;

async fn send(req: reqwest::RequestBuilder, what: &str) -> Result<reqwest::Response> {
    let resp = req.send().await.with_context(|| what.to_string())?;
    if !resp.status().is_success() {
        let status = resp.status();
        bail!(
            "{what}: {status}: {}",
            resp.text().await.unwrap_or_default()
        );
    }
    Ok(resp)
}

async fn send_json(req: reqwest::RequestBuilder, what: &str) -> Result<Value> {
    Ok(send(req, what).await?.json().await?)
}

fn id_of(v: &Value, what: &str) -> Result<String> {
    v["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("{what}: no id in {v}"))
}

/// Every provider's create and read, through its real auth, on a simulator whose listeners
/// are `urls` (`{"admin": url, "onepay": url, …}`, as the ready file names them).
pub async fn provider_targets(urls: &Value) -> Result<Vec<Target>> {
    let url = |name: &str| {
        urls[name]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("no {name} listener in {urls}"))
    };
    let http = reqwest::Client::new();
    let mut targets = onepay(&http, &url("onepay")?).await?;
    targets.extend(onspot(&http, &url("onspot")?).await?);
    targets.extend(kashpay(&http, &url("kashpay")?).await?);
    targets.extend(tupay(&http, &url("tupay")?).await?);
    targets.extend(dots(&http, &url("dots")?, &url("admin")?).await?);
    Ok(targets)
}

async fn onepay(http: &reqwest::Client, base: &str) -> Result<Vec<Target>> {
    const KEY: &str = "sk_test_bench";
    let banks = send_json(
        http.get(format!("{base}/v1/banks")).bearer_auth(KEY),
        "banks",
    )
    .await?;
    let bank = banks["data"][0]["id"].clone();
    let customer = json!({"user_type": "natural", "first_name": "Ana", "last_name": "Gómez",
        "email": "ana@example.com", "document_type": "CC", "document_number": "1020304050"});
    let post = |path: &str, key: &str, body: &Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(KEY)
            .header("x-idempotency", key)
            .json(body)
    };
    let customer = send_json(post("/v1/customers", "c", &customer), "customer").await?;
    let account = json!({"subtype": "SAVINGS", "authorization": true,
        "account_number": "1234567890", "customer_id": customer["id"], "bank_id": bank});
    let account = send_json(post("/v1/accounts", "a", &account), "account").await?;
    let body = json!({"amount": 1, "currency": "COP", "method": "TURBO", "description": "bench",
        "customer_id": customer["id"], "account_id": account["id"]});
    let cashout = send_json(post("/v1/cashouts", "first", &body), "cashout").await?;
    let id = id_of(&cashout, "cashout")?;
    let auth = format!("Bearer {KEY}");
    Ok(vec![
        Target::new(
            "OnePay `POST /v1/cashouts`",
            "POST",
            format!("{base}/v1/cashouts"),
            201,
        )
        .header("authorization", &auth)
        .json(&body)
        .keyed(Key::Header("x-idempotency")),
        Target::new(
            "OnePay `GET /v1/cashouts/{id}`",
            "GET",
            format!("{base}/v1/cashouts/{id}"),
            200,
        )
        .header("authorization", auth),
    ])
}

async fn onspot(http: &reqwest::Client, base: &str) -> Result<Vec<Target>> {
    let token = send_json(
        http.post(format!("{base}/platform/generate-token-api"))
            .header("publickey", "bench-public")
            .header("secretkey", "bench-secret")
            .header("environment", "test"),
        "onspot token",
    )
    .await?;
    let token = token
        .as_str()
        .ok_or_else(|| anyhow!("onspot token: {token}"))?;
    let item = json!([{
        "type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1020304050",
        "legalName": "", "firstName": "Aries", "lastName": "Studio",
        "customerEmail": "aries@example.com", "amount": "1", "currency": "USD",
        "description": "bench",
    }]);
    let create = Target::new(
        "OnSpot `POST /accreditation/payouts/create` (one payout)",
        "POST",
        format!("{base}/accreditation/payouts/create"),
        200,
    )
    .header("authorization", format!("Bearer {token}"))
    .header("environment", "test")
    .json(&item);
    let first = create.request(http, None).send().await?;
    let status = first.status().as_u16();
    if status != 200 && status != 201 {
        bail!("onspot create: {status}: {}", first.text().await?);
    }
    Ok(vec![Target {
        expect: status,
        ..create
    }])
}

async fn kashpay(http: &reqwest::Client, base: &str) -> Result<Vec<Target>> {
    const ENTITY: &str = "com.bench";
    let session = send_json(
        http.post(format!("{base}/AuthenticationService/authenticate"))
            .json(&json!({"entity": ENTITY, "password": "s3cret", "user": "ops@example.com"})),
        "kashpay session",
    )
    .await?;
    let token = session["authenticationResponse"]["token"]
        .as_str()
        .ok_or_else(|| anyhow!("kashpay session: {session}"))?;
    let clabe = "002028650641359744";
    let order = |reference: &str| {
        json!({
            "alphanumericReference": reference, "amount": 1,
            "beneficiaryAcount": clabe, "beneficiaryName": "Florentino Eter",
            "beneficiaryTypeAcount": "40", "codeInstituteBank": &clabe[..3],
            "concept": "Deposito", "currency": 484, "numericReference": 1234567,
            "typeTransaction": 1,
        })
    };
    let auth = format!("Bearer {token}");
    let create = Target::new(
        "Kashpay `POST /OKPay/createOrder`",
        "POST",
        format!("{base}/OKPay/createOrder"),
        200,
    )
    .header("authorization", &auth)
    .header("entity-i", ENTITY);
    let read = Target::new(
        "Kashpay `POST /OKPay/searchReference`",
        "POST",
        format!("{base}/OKPay/searchReference"),
        200,
    )
    .header("authorization", &auth)
    .header("entity-i", ENTITY)
    .json(&json!({"alphanumericReference": "FIRST"}));
    let first = create.clone().json(&order("FIRST"));
    send(first.request(http, None), "kashpay order").await?;
    Ok(vec![
        create.json(&order(KEY)).keyed(Key::BodyReference),
        read,
    ])
}

async fn tupay(http: &reqwest::Client, base: &str) -> Result<Vec<Target>> {
    let login = send(
        http.post(format!("{base}/v1/auth/login"))
            .json(&json!({"accessKey": "ops@bench.example", "secretKey": "s3cret"})),
        "tupay login",
    )
    .await?;
    let cookie = (login.headers().get_all("set-cookie").iter())
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.split(';')
                .next()
                .filter(|c| c.starts_with("BEARER_TOKEN="))
        })
        .ok_or_else(|| anyhow!("tupay login: no BEARER_TOKEN cookie"))?
        .to_string();
    let (from, to) = (CLOCK_START - 60 * 86_400, CLOCK_START);
    Ok(vec![
        Target::new(
            "Tupay `GET /v1/deposits` (a 50-row page of 60 days)",
            "GET",
            format!("{base}/v1/deposits?from={from}&to={to}&page=1"),
            200,
        )
        .header("cookie", &cookie),
        Target::new(
            "Tupay `GET /v1/balance`",
            "GET",
            format!("{base}/v1/balance"),
            200,
        )
        .header("cookie", cookie),
    ])
}

async fn dots(http: &reqwest::Client, base: &str, admin: &str) -> Result<Vec<Target>> {
    const APP: &str = "bench";
    let auth = format!(
        "Basic {}",
        STANDARD.encode(format!("pk_dev_{APP}:sk_dev_{APP}"))
    );
    let user = send_json(
        http.post(format!("{base}/api/v2/users"))
            .header("authorization", &auth)
            .json(
                &json!({"first_name": "Bench", "last_name": "User", "email": "bench@example.com",
                          "country_code": "1", "phone_number": "4155550100"}),
            ),
        "dots user",
    )
    .await?;
    let user = id_of(&user, "dots user")?;
    send(
        http.post(format!("{admin}/__admin/providers/dots/fund"))
            .json(&json!({"tenant": format!("dots:pk_dev_{APP}"), "amount": 10_000_000})),
        "dots fund",
    )
    .await?;
    let payout = |key: &str| {
        json!({"user_id": user, "amount": 1, "platform": "paypal", "fund": true,
               "idempotency_key": key})
    };
    let create = Target::new(
        "Dots `POST /api/v2/payouts`",
        "POST",
        format!("{base}/api/v2/payouts"),
        201,
    )
    .header("authorization", &auth);
    let first = create
        .clone()
        .json(&payout("5ee0b000-9999-4000-8000-000000000000"));
    let first = send_json(first.request(http, None), "dots payout").await?;
    let id = id_of(&first, "dots payout")?;
    Ok(vec![
        create.json(&payout(KEY)).keyed(Key::BodyUuid),
        Target::new(
            "Dots `GET /api/v2/transfers/{id}` (the payout)",
            "GET",
            format!("{base}/api/v2/transfers/{id}"),
            200,
        )
        .header("authorization", auth),
    ])
}

/// The static answer both peers give: a cashout of OnePay's shape.
pub const STATIC_CASHOUT: &str = r#"{"id":"9d44ce43-a227-4566-b107-5a6bc01cbcdf","customer_id":"9b7c5f38-b2b5-4b0d-8e4c-458192e88eae","account_id":"9d0ac58c-2226-4f1c-b305-15e6dc3b47f6","is_test":true,"amount":1,"status":"pending","scheduled_at":null,"created_at":"2026-01-05T14:00:00.000000Z","external_id":null,"method":"TURBO"}"#;

/// The floor: a bare axum server answering [`STATIC_CASHOUT`] to `POST /v1/cashouts` (201) and
/// `GET /v1/cashouts/{id}`, on a loopback port of the current runtime; answers its base URL.
pub async fn bare_server() -> Result<String> {
    use axum::http::{StatusCode, header};
    use axum::routing::{get, post};
    const JSON: [(header::HeaderName, &str); 1] = [(header::CONTENT_TYPE, "application/json")];
    let app = axum::Router::new()
        .route(
            "/v1/cashouts",
            post(move || async move { (StatusCode::CREATED, JSON, STATIC_CASHOUT) }),
        )
        .route(
            "/v1/cashouts/{id}",
            get(move || async move { (JSON, STATIC_CASHOUT) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}

/// The static peers' targets at `base`: a POST with a body to echo nothing of, and a GET.
pub fn static_targets(peer: &str, base: &str) -> Vec<Target> {
    let body = json!({"amount": 1, "currency": "COP", "method": "TURBO", "description": "bench"});
    vec![
        Target::new(
            &format!("{peer} `POST /v1/cashouts`"),
            "POST",
            format!("{base}/v1/cashouts"),
            201,
        )
        .header("authorization", "Bearer sk_test_bench")
        .json(&body)
        .keyed(Key::Header("x-idempotency")),
        Target::new(
            &format!("{peer} `GET /v1/cashouts/{{id}}`"),
            "GET",
            format!("{base}/v1/cashouts/9d44ce43-a227-4566-b107-5a6bc01cbcdf"),
            200,
        )
        .header("authorization", "Bearer sk_test_bench"),
    ]
}

/// The objects a bench's simulator holds, per tenant and in all: above what one run creates
/// (about 30,000 a second per target on this box, for a few seconds a round), so the run
/// measures creations rather than the default bounds' refusals (`--max-objects-per-tenant`
/// 10,000 answers 429 once a tenant holds that many unsettled objects).
pub const HELD: &str = "5000000";

/// The release binary `payoutsim serve` on free ports with a manual clock and the bounds
/// raised to [`HELD`], until dropped.
pub struct Binary {
    child: Child,
    /// The ready file: `{"admin": url, "<provider>": url, …}`.
    pub urls: Value,
    /// From spawn to its ready file.
    pub took: Duration,
}

impl Binary {
    /// Spawns `bin` and waits up to 20 s for its ready file (polling the file system).
    pub fn start(bin: &Path, tag: &str) -> Result<Self> {
        let ready =
            std::env::temp_dir().join(format!("payoutsim-bench-{tag}-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&ready);
        let started = Instant::now();
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--port-base",
                "0",
                "--clock",
                "manual",
                "--seed",
                "1",
            ])
            .args(["--max-objects-per-tenant", HELD, "--max-objects", HELD])
            .args(["--log", "warn", "--ready-file"])
            .arg(&ready)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(bytes) = std::fs::read(&ready) {
                let took = started.elapsed();
                let _ = std::fs::remove_file(&ready);
                let urls = serde_json::from_slice(&bytes)?;
                return Ok(Self { child, urls, took });
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill();
        let _ = child.wait();
        bail!("{} wrote no ready file within 20 s", bin.display())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release binary beside a bench executable (`target/release/deps/peers-…` →
/// `target/release/payoutsim`).
pub fn release_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = (exe.parent().and_then(Path::parent))
        .ok_or_else(|| anyhow!("no target directory above {}", exe.display()))?;
    let bin = dir.join("payoutsim");
    if !bin.exists() {
        bail!(
            "{} does not exist: build it with `cargo build --release -p payoutsim` first",
            bin.display()
        );
    }
    Ok(bin)
}

/// The listeners of a simulator started in process, named as the ready file names them.
pub fn urls_of(sim: &payoutsim::serve::Running) -> Value {
    let mut urls = serde_json::Map::new();
    for name in ["admin", "onepay", "onspot", "kashpay", "tupay", "dots"] {
        if let Some(u) = sim.url(name) {
            urls.insert(name.to_string(), u.into());
        }
    }
    Value::Object(urls)
}

/// VmRSS of `pid` in KiB (Linux).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time the process `pid` (`None`: this one) has run so far, in nanoseconds: the sum of
/// its live threads' time on a CPU (`/proc/<pid>/task/*/schedstat`, user and kernel alike).
/// Read before and after a window, it gives what the server spent per request, whatever the
/// load generator beside it spent: on a box the generator shares, a steadier figure than the
/// rate.
pub fn cpu_ns(pid: Option<u32>) -> Option<u64> {
    let dir = match pid {
        Some(pid) => format!("/proc/{pid}/task"),
        None => "/proc/self/task".to_string(),
    };
    let mut total = 0u64;
    for task in std::fs::read_dir(dir).ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread that ended since the listing has no file left: it counts for nothing.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Server CPU per request by target name, in µs, one per round.
pub type CpuRounds = BTreeMap<String, Vec<f64>>;

/// The Markdown table of `cpu`: each target's server CPU per request in every round, its
/// median, and the median over rounds of its ratio to `bare` and `peer` in the same round
/// (reads against the peers' GET, the rest against their POST, as in [`table`]).
pub fn cpu_table(
    order: &[String],
    cpu: &CpuRounds,
    bare: (&str, &str),
    peer: (&str, &str),
) -> String {
    let mut s = String::from(
        "| what | server CPU µs per request (each round) | median | × bare | × httpmock |\n|---|---|---|---|---|\n",
    );
    for name in order {
        let Some(runs) = cpu.get(name) else { continue };
        let (b, p) = against(name, bare, peer);
        let ratio = |other: &str| -> String {
            (cpu.get(other)).map_or("-".into(), |o| format!("{:.2}", median_ratio(runs, o)))
        };
        let each: Vec<String> = runs.iter().map(|c| format!("{c:.1}")).collect();
        s += &format!(
            "| {name} | {} | {:.1} | {} | {} |\n",
            each.join(", "),
            median(runs),
            ratio(b),
            ratio(p)
        );
    }
    s
}

/// What a target is read against: the peers' GET for one that reads (a GET, or Kashpay's
/// searchReference, a POST that only reads), their POST for every other.
fn against<'a>(
    name: &str,
    bare: (&'a str, &'a str),
    peer: (&'a str, &'a str),
) -> (&'a str, &'a str) {
    if name.contains("`GET ") || name.contains("searchReference") {
        (bare.1, peer.1)
    } else {
        (bare.0, peer.0)
    }
}

/// The median over rounds of `a`'s ratio to `b` in the same round.
fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    let r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
    median(&r)
}

/// Rates by target name, one per round, in the order the rounds ran.
pub type Rounds = BTreeMap<String, Vec<Stats>>;

/// The Markdown table of `rounds`: each target's rate in every round, its median, and the
/// median over rounds of its ratio to `bare` and `peer` in the same round.
pub fn table(order: &[String], rounds: &Rounds, bare: (&str, &str), peer: (&str, &str)) -> String {
    let mut s = String::from(
        "| what | req/s (each round) | median req/s | p50 / p99 µs (median round) | of bare | of httpmock |\n|---|---|---|---|---|---|\n",
    );
    for name in order {
        let Some(runs) = rounds.get(name) else {
            continue;
        };
        let (b, p) = against(name, bare, peer);
        let rates_of = |runs: &[Stats]| -> Vec<f64> { runs.iter().map(|r| r.per_s).collect() };
        let ratio = |other: &str| -> String {
            (rounds.get(other)).map_or(String::new(), |o| {
                format!("{:.2}", median_ratio(&rates_of(runs), &rates_of(o)))
            })
        };
        let rates: Vec<String> = runs.iter().map(|r| format!("{:.0}", r.per_s)).collect();
        let per_s: Vec<f64> = runs.iter().map(|r| r.per_s).collect();
        let mid = median_index(&per_s);
        s += &format!(
            "| {name} | {} | {:.0} | {:.0} / {:.0} | {} | {} |\n",
            rates.join(", "),
            median(&per_s),
            runs[mid].p50_us,
            runs[mid].p99_us,
            ratio(b),
            ratio(p)
        );
    }
    s
}

fn median_index(v: &[f64]) -> usize {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
    idx[idx.len() / 2]
}

/// The median (the upper one of an even count).
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v[median_index(v)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_cpu_time_grows_with_the_work_it_does() {
        let before = cpu_ns(None).unwrap();
        let mut x = 1u64;
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let after = cpu_ns(None).unwrap();
        assert!(after - before >= 10_000_000, "{before} to {after}");
        assert_eq!(cpu_ns(Some(u32::MAX)), None);
    }

    #[test]
    fn the_cpu_table_reads_creates_against_the_peers_post_and_reads_against_their_get() {
        let names = [
            "bare `POST /a`",
            "bare `GET /a`",
            "mock `POST /a`",
            "mock `GET /a`",
        ];
        let mut cpu = CpuRounds::new();
        for (name, us) in names.iter().zip([2.0, 1.0, 4.0, 2.0]) {
            cpu.insert(name.to_string(), vec![us, us]);
        }
        cpu.insert("sim `POST /c`".into(), vec![8.0, 12.0]);
        cpu.insert("sim `GET /c`".into(), vec![3.0, 3.0]);
        let order: Vec<String> = ["sim `POST /c`", "sim `GET /c`", "absent `GET /x`"]
            .map(String::from)
            .to_vec();
        let text = cpu_table(&order, &cpu, (names[0], names[1]), (names[2], names[3]));
        // Median of 8/4 and 12/4 (the upper one): 3.00 of httpmock's POST, 6.00 of bare's.
        assert!(
            text.contains("| sim `POST /c` | 8.0, 12.0 | 12.0 | 6.00 | 3.00 |"),
            "{text}"
        );
        assert!(
            text.contains("| sim `GET /c` | 3.0, 3.0 | 3.0 | 3.00 | 1.50 |"),
            "{text}"
        );
        assert!(!text.contains("absent"), "{text}");
    }

    #[test]
    fn a_wrk_report_is_read_into_its_rate_count_and_percentiles() {
        let report = "Running 3s test @ http://127.0.0.1:1/v1/cashouts\n  2 threads and 32 connections\n\
            \x20 Latency Distribution\n     50%  312.00us\n     75%  400.00us\n     90%    1.20ms\n     99%    2.50ms\n\
            \x20 150000 requests in 3.00s, 40.00MB read\nRequests/sec:  49990.12\nTransfer/sec:     13.33MB\n";
        let s = parse_wrk(report).unwrap();
        assert_eq!(s.requests, 150_000);
        assert!((s.per_s - 49_990.12).abs() < 1e-6);
        assert!((s.p50_us - 312.0).abs() < 1e-9);
        assert!((s.p99_us - 2500.0).abs() < 1e-9);
    }

    #[test]
    fn a_wrk_report_with_failed_answers_is_refused() {
        let report =
            "  10 requests in 1.00s, 1KB read\n  Non-2xx or 3xx responses: 3\nRequests/sec: 10.0\n";
        let err = parse_wrk(report).unwrap_err().to_string();
        assert!(err.contains("3 answers"), "{err}");
    }

    #[test]
    fn keys_differ_by_round_connection_and_count_and_fit_their_fields() {
        let t = Target::new("t", "POST", "http://x/".into(), 201).keyed(Key::BodyUuid);
        let a = t.key_of(1, 2, 3).unwrap();
        assert_eq!(a, "5ee0b000-0001-4002-8000-000000000003");
        assert_ne!(a, t.key_of(2, 2, 3).unwrap());
        assert_ne!(a, t.key_of(1, 3, 3).unwrap());
        let r = t.clone().keyed(Key::BodyReference);
        assert!(r.key_of(99, 31, 9_999_999).unwrap().len() <= 30);
    }

    #[test]
    fn a_keyed_script_writes_the_key_where_the_template_holds_it() {
        let t = Target::new("t", "POST", "http://x/".into(), 201)
            .json(&json!({"k": KEY, "a": 1}))
            .keyed(Key::BodyReference);
        let lua = t.lua(4);
        assert!(
            lua.contains(r#"string.format("B%dC%dN%d", 4, conn, n)"#),
            "{lua}"
        );
        assert!(
            lua.contains(r#"local before, after = [[{"a":1,"k":"]], [["}]]"#),
            "{lua}"
        );
        assert!(lua.contains("before .. key .. after"), "{lua}");
        // `headers[[[` would read as a call with a long string: the index keeps a space.
        assert!(
            lua.contains("wrk.headers[ [[content-type]] ] = [[application/json]]"),
            "{lua}"
        );
    }

    #[test]
    fn a_lua_long_string_survives_a_closing_bracket_in_its_text() {
        assert_eq!(lua_str("a]]b"), "[=[a]]b]=]");
        assert_eq!(lua_str("[{\"a\":1}]"), "[=[[{\"a\":1}]]=]");
    }
}
