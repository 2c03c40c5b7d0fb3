//! Beyond one machine (docs/scaling.md): Debian's nginx, with the shipped `docs/nginx/payoutsim.conf`
//! and `payoutsim.js`, in front of two `payoutsim serve` processes. For every provider, tenants
//! driven through nginx (login where the provider has one, create, read) each reach one
//! instance with all their requests, the two instances' tenants are disjoint and together all of
//! them, both instances get some, and each instance's admin API sees only its own.
//!
//! Ignored by default (it needs `nginx` and `libnginx-mod-http-js`); `.ci/run` installs them and
//! runs it with `--ignored`.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{serve_manual, spawn_ready};
use serde_json::{Value, json};

/// Tenants driven per provider: enough that consistent hashing gives both instances some.
const TENANTS: usize = 20;

/// The shipped configuration and its njs module.
const CONF: &str = include_str!("../../../docs/nginx/payoutsim.conf");
const JS: &str = include_str!("../../../docs/nginx/payoutsim.js");

/// Where Debian's `libnginx-mod-http-js` puts the njs module.
const NJS_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_js_module.so";

/// The providers, as the shipped configuration's placeholders name them.
const PROVIDERS: [&str; 5] = ["onspot", "onepay", "kashpay", "tupay", "dots"];

/// How long nginx may take to listen on every port.
const START_UP: Duration = Duration::from_secs(10);

/// A child process, killed and reaped when dropped (a failing test's too).
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A simulator process and the URLs of its listeners (its ready file).
struct Instance {
    _process: Process,
    urls: Value,
}

impl Instance {
    fn url(&self, listener: &str) -> &str {
        self.urls[listener].as_str().unwrap()
    }

    /// `host:port` of a listener, as an upstream `server` names it.
    fn address(&self, listener: &str) -> &str {
        self.url(listener).trim_start_matches("http://")
    }
}

/// What was sent through nginx for one tenant.
#[derive(Default)]
struct Seen {
    requests: u64,
    /// Every instance an answer named (`X-Payoutsim-Instance`, the shipped config's header).
    answered_by: BTreeSet<String>,
}

/// Per tenant, what was sent for it.
type Driven = BTreeMap<String, Seen>;

/// Two instances behind nginx. Fields drop in order: nginx first, then the simulators, then the
/// directory holding their logs.
struct Cluster {
    _nginx: Process,
    instances: [Instance; 2],
    /// Where nginx serves each provider.
    front: BTreeMap<&'static str, String>,
    http: reqwest::Client,
    _dir: TempDir,
}

impl Cluster {
    /// Starts two simulators (manual clock, seeds 1 and 2) and nginx in front of them, on free
    /// loopback ports, everything under a temporary directory named after `tag`.
    fn start(tag: &str) -> Self {
        require_nginx();
        let dir =
            std::env::temp_dir().join(format!("payoutsim-scaling-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dir = TempDir(dir);
        let instances = [instance(&dir.0, tag, "a", 1), instance(&dir.0, tag, "b", 2)];
        let front: BTreeMap<&'static str, String> = PROVIDERS
            .iter()
            .map(|p| (*p, format!("127.0.0.1:{}", free_port())))
            .collect();
        let nginx = nginx(&dir.0, &render(&instances, &front), &front);
        let front = (front.into_iter())
            .map(|(p, addr)| (p, format!("http://{addr}")))
            .collect();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self {
            _nginx: nginx,
            instances,
            front,
            http,
            _dir: dir,
        }
    }

    /// The URL of `path` at `provider`, through nginx.
    fn url(&self, provider: &str, path: &str) -> String {
        format!("{}{path}", self.front[provider])
    }

    /// An admin call to instance `i`, its JSON answer.
    async fn admin(&self, i: usize, path: &str, query: &[(&str, &str)]) -> Value {
        let url = format!("{}{path}", self.instances[i].url("admin"));
        let resp = self.http.get(url).query(query).send().await.unwrap();
        assert_eq!(resp.status(), 200, "admin {path} of instance {i}");
        resp.json().await.unwrap()
    }

    /// The tenants of `provider` instance `i`'s admin API lists.
    async fn tenants(&self, i: usize, provider: &str) -> BTreeSet<String> {
        let body = self
            .admin(i, "/__admin/tenants", &[("provider", provider)])
            .await;
        let listed = body["tenants"][provider].as_array().unwrap();
        listed
            .iter()
            .map(|t| t["tenant"].as_str().unwrap().to_string())
            .collect()
    }

    /// How many requests to `provider` instance `i`'s journal holds, of `tenant` or of anyone.
    async fn journaled(&self, i: usize, provider: &str, tenant: Option<&str>) -> u64 {
        let mut query = vec![("provider", provider), ("limit", "1")];
        query.extend(tenant.map(|t| ("tenant", t)));
        let body = self.admin(i, "/__admin/requests", &query).await;
        body["total"].as_u64().unwrap()
    }

    /// Sends `req` through nginx for `tenant`: its status and JSON body (`Null` when it has
    /// none) and its headers. `driven` notes the request and the instance nginx says answered.
    async fn send(
        &self,
        driven: &mut Driven,
        tenant: &str,
        req: reqwest::RequestBuilder,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let instance = headers.get("x-payoutsim-instance");
        let instance = instance.map_or("(none)", |v| v.to_str().unwrap());
        let entry = driven.entry(tenant.to_string()).or_default();
        entry.requests += 1;
        entry.answered_by.insert(instance.to_string());
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        )
    }

    /// The tenants `driven` names are split between the two instances and both get some; every
    /// answer to a tenant came from its instance; and each instance's admin API lists exactly
    /// its own tenants and journaled every request of theirs and none of the other's. Answers
    /// which instance holds each tenant.
    async fn assert_sharded(&self, provider: &str, driven: &Driven) -> BTreeMap<String, usize> {
        let listed = [
            self.tenants(0, provider).await,
            self.tenants(1, provider).await,
        ];
        let all: BTreeSet<String> = driven.keys().cloned().collect();
        assert!(
            listed[0].is_disjoint(&listed[1]),
            "{provider}: tenants on both instances: {:?}",
            listed[0].intersection(&listed[1]).collect::<Vec<_>>()
        );
        let union: BTreeSet<String> = listed[0].union(&listed[1]).cloned().collect();
        assert_eq!(union, all, "{provider}: the instances' tenants together");
        assert!(
            !listed[0].is_empty() && !listed[1].is_empty(),
            "{provider}: one instance got every tenant: {listed:?}"
        );
        let mut owners = BTreeMap::new();
        for (tenant, seen) in driven {
            let owner = usize::from(listed[1].contains(tenant));
            let address = self.instances[owner].address(provider);
            assert_eq!(
                seen.answered_by,
                BTreeSet::from([address.to_string()]),
                "{provider}: the instances that answered {tenant}, whose instance is {owner}"
            );
            let own = self.journaled(owner, provider, Some(tenant)).await;
            let other = self.journaled(1 - owner, provider, Some(tenant)).await;
            assert_eq!(
                (own, other),
                (seen.requests, 0),
                "{provider}: requests of {tenant} on its instance {owner} and on the other"
            );
            owners.insert(tenant.clone(), owner);
        }
        for (i, tenants) in listed.iter().enumerate() {
            let expected: u64 = tenants.iter().map(|t| driven[t].requests).sum();
            let total = self.journaled(i, provider, None).await;
            assert_eq!(
                total, expected,
                "{provider}: instance {i} journaled a request of no tenant of its own"
            );
        }
        owners
    }
}

/// Panics, saying what to install, when nginx or its njs module is missing.
fn require_nginx() {
    match Command::new("nginx")
        .arg("-v")
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => {}
        Err(e) => panic!(
            "nginx is not on PATH ({e}): install Debian's nginx and libnginx-mod-http-js \
             (apt-get install nginx libnginx-mod-http-js; .ci/run does) to run this test"
        ),
    }
    assert!(
        Path::new(NJS_MODULE).exists(),
        "nginx's njs module {NJS_MODULE} is missing: install Debian's libnginx-mod-http-js"
    );
}

/// A loopback port free at the time of asking.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `payoutsim serve` on free ports with a manual clock and `seed`, its log in `dir`.
fn instance(dir: &Path, tag: &str, name: &str, seed: u64) -> Instance {
    let log = File::create(dir.join(format!("sim-{name}.log"))).unwrap();
    let mut command = serve_manual(seed, &["--bind", "127.0.0.1"]);
    command.stdout(Stdio::null()).stderr(log);
    let ready = spawn_ready(command, &format!("scaling-{tag}-{name}"));
    Instance {
        _process: Process(ready.child),
        urls: ready.urls,
    }
}

/// The shipped configuration with its placeholders filled: each provider's two instances and
/// where nginx listens for it.
fn render(instances: &[Instance; 2], front: &BTreeMap<&str, String>) -> String {
    let mut conf = CONF.to_string();
    for provider in PROVIDERS {
        let upper = provider.to_uppercase();
        for (name, instance) in ["A", "B"].iter().zip(instances) {
            let placeholder = format!("${{SIM_{name}_{upper}}}");
            conf = conf.replace(&placeholder, instance.address(provider));
        }
        conf = conf.replace(&format!("${{LISTEN_{upper}}}"), &front[provider]);
    }
    let unfilled =
        (conf.lines()).find(|line| !line.trim_start().starts_with('#') && line.contains("${"));
    assert_eq!(unfilled, None, "a placeholder left unfilled");
    conf
}

/// nginx as the current user in the foreground, one process, everything under `dir`, with
/// `conf` included in its `http` block and payoutsim.js beside its nginx.conf (where the shipped
/// `js_import` finds it, as in /etc/nginx/); once it listens on every `front` address.
fn nginx(dir: &Path, conf: &str, front: &BTreeMap<&str, String>) -> Process {
    std::fs::write(dir.join("payoutsim.conf"), conf).unwrap();
    std::fs::write(dir.join("payoutsim.js"), JS).unwrap();
    let d = dir.display();
    let main = format!(
        "load_module {NJS_MODULE};\n\
         daemon off;\n\
         master_process off;\n\
         pid {d}/nginx.pid;\n\
         error_log {d}/error.log info;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
         \x20   access_log {d}/access.log;\n\
         \x20   client_body_temp_path {d}/client_body;\n\
         \x20   proxy_temp_path {d}/proxy;\n\
         \x20   fastcgi_temp_path {d}/fastcgi;\n\
         \x20   uwsgi_temp_path {d}/uwsgi;\n\
         \x20   scgi_temp_path {d}/scgi;\n\
         \x20   include {d}/payoutsim.conf;\n\
         }}\n"
    );
    let main_path = dir.join("nginx.conf");
    std::fs::write(&main_path, main).unwrap();
    let error_log = dir.join("error.log");
    let child = Command::new("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&main_path)
        .arg("-e")
        .arg(&error_log)
        .stdout(Stdio::null())
        .stderr(File::create(dir.join("nginx.stderr")).unwrap())
        .spawn()
        .unwrap();
    let mut nginx = Process(child);
    let started = Instant::now();
    // Process start-up, not simulated time: poll until every port accepts a connection.
    while !front.values().all(|a| TcpStream::connect(a).is_ok()) {
        let exited = nginx.0.try_wait().unwrap();
        if exited.is_some() || started.elapsed() > START_UP {
            let log = std::fs::read_to_string(&error_log).unwrap_or_default();
            let stderr = std::fs::read_to_string(dir.join("nginx.stderr")).unwrap_or_default();
            panic!("nginx did not start ({exited:?}):\n{stderr}\n{log}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    nginx
}

#[tokio::test]
#[ignore = "needs Debian's nginx and libnginx-mod-http-js: run by .ci/run"]
async fn every_onspot_key_pair_and_its_session_tokens_reach_one_instance_through_nginx() {
    let cluster = Cluster::start("onspot");
    let mut driven = Driven::new();
    for i in 0..TENANTS {
        let public_key = format!("pk-shard-{i:02}");
        let tenant = format!("onspot:test:{public_key}");
        let login = (cluster.http)
            .post(cluster.url("onspot", "/platform/generate-token-api"))
            .header("publicKey", &public_key)
            .header("secretKey", "shard-secret")
            .header("environment", "test");
        let (status, token, _) = cluster.send(&mut driven, &tenant, login).await;
        assert_eq!(status, 201, "token of {public_key}: {token}");
        let item = json!({"type": "INDIVIDUAL", "documentType": "CC",
            "documentNumber": "1017209836", "legalName": "", "firstName": "Aries",
            "lastName": "Studio", "customerEmail": "aries@example.com", "amount": "6700",
            "currency": "USD", "description": "sharded"});
        let create = (cluster.http)
            .post(cluster.url("onspot", "/accreditation/payouts/create"))
            .bearer_auth(token.as_str().unwrap())
            .header("environment", "test")
            .json(&json!([item]));
        let (status, body, _) = cluster.send(&mut driven, &tenant, create).await;
        assert_eq!(status, 201, "payout of {public_key}: {body}");
    }

    let owners = cluster.assert_sharded("onspot", &driven).await;

    // OnSpot has no read call: its back office, on the tenant's instance, shows the payout.
    for (tenant, owner) in owners {
        let query = [("tenant", tenant.as_str())];
        let path = "/__admin/providers/onspot/payouts";
        let payouts = cluster.admin(owner, path, &query).await;
        let listed = payouts["payouts"].as_array().map_or(0, Vec::len);
        assert_eq!(
            listed, 1,
            "{tenant}'s payouts on instance {owner}: {payouts}"
        );
    }
}

#[tokio::test]
#[ignore = "needs Debian's nginx and libnginx-mod-http-js: run by .ci/run"]
async fn every_onepay_api_key_reaches_one_instance_through_nginx() {
    let cluster = Cluster::start("onepay");
    let mut driven = Driven::new();
    for i in 0..TENANTS {
        let key = format!("sk_test_shard_{i:02}");
        let tenant = format!("onepay:{key}");
        let customer = json!({"user_type": "natural", "first_name": "Ana",
            "last_name": "Gómez", "email": format!("ana{i:02}@example.com"),
            "document_type": "CC", "document_number": format!("10203040{i:02}")});
        let create = (cluster.http)
            .post(cluster.url("onepay", "/v1/customers"))
            .bearer_auth(&key)
            .header("x-idempotency", format!("shard-customer-{i:02}"))
            .json(&customer);
        let (status, body, _) = cluster.send(&mut driven, &tenant, create).await;
        assert_eq!(status, 201, "customer of {key}: {body}");
        let id = body["id"].as_str().unwrap();
        let read = (cluster.http)
            .get(cluster.url("onepay", &format!("/v1/customers/{id}")))
            .bearer_auth(&key);
        let (status, body, _) = cluster.send(&mut driven, &tenant, read).await;
        assert_eq!((status, body["id"].as_str()), (200, Some(id)), "{body}");
    }

    cluster.assert_sharded("onepay", &driven).await;
}

#[tokio::test]
#[ignore = "needs Debian's nginx and libnginx-mod-http-js: run by .ci/run"]
async fn every_kashpay_entity_and_its_session_tokens_reach_one_instance_through_nginx() {
    let cluster = Cluster::start("kashpay");
    let mut driven = Driven::new();
    for i in 0..TENANTS {
        let entity = format!("com.shard{i:02}");
        let tenant = format!("kashpay:{entity}");
        let login = json!({"entity": entity, "user": format!("ops@shard{i:02}.example"),
            "password": "shard-password"});
        let auth = (cluster.http)
            .post(cluster.url("kashpay", "/AuthenticationService/authenticate"))
            .json(&login);
        let (status, body, _) = cluster.send(&mut driven, &tenant, auth).await;
        assert_eq!(status, 200, "authenticate {entity}: {body}");
        let token = body["authenticationResponse"]["token"].as_str().unwrap();
        let reference = format!("SHARD{i:02}");
        let call = |path: &str, body: Value| {
            (cluster.http)
                .post(cluster.url("kashpay", path))
                .bearer_auth(token)
                .header("Entity-i", &entity)
                .json(&body)
        };
        let create = call("/OKPay/createOrder", order(&reference));
        let (status, body, _) = cluster.send(&mut driven, &tenant, create).await;
        assert_eq!(status, 200, "order of {entity}: {body}");
        let search = call(
            "/OKPay/searchReference",
            json!({"alphanumericReference": reference}),
        );
        let (status, body, _) = cluster.send(&mut driven, &tenant, search).await;
        assert_eq!(status, 200, "search of {entity}: {body}");
    }

    cluster.assert_sharded("kashpay", &driven).await;
}

/// A createOrder body of the documented fields, to a CLABE of bank 002.
fn order(reference: &str) -> Value {
    json!({
        "alphanumericReference": reference, "amount": 150.5,
        "beneficiaryAcount": "002028650641359744", "beneficiaryAcountSPEI": "002028650641359744",
        "beneficiaryAddress1": "Vicente G 132", "beneficiaryAddress2": "Mz5 Lt14",
        "beneficiaryCity": "CDMX", "beneficiaryName": "Florentino Eter",
        "beneficiaryTypeAcount": "40", "codeInstituteBank": "002", "concept": "Pago",
        "currency": 484, "dataAccreditationBeneficiary": 99, "dateTransaction": "030421",
        "description": "sharded", "email": "ops@example.com", "idBank": 4177, "idEntity": 4177,
        "numericReference": 4322312, "observation": "sharded", "orderingAccount": 111,
        "orderingTypeAcount": "string", "postalCode": 57800,
        "referenceCreatedPayment": 811111112, "rfc": "ROPL951201091", "typeTransaction": 1
    })
}

#[tokio::test]
#[ignore = "needs Debian's nginx and libnginx-mod-http-js: run by .ci/run"]
async fn every_tupay_api_user_and_its_cookie_session_reach_one_instance_through_nginx() {
    let cluster = Cluster::start("tupay");
    let mut driven = Driven::new();
    for i in 0..TENANTS {
        let access_key = format!("api{i:02}@shard.example");
        let tenant = format!("tupay:{access_key}");
        let login = json!({"accessKey": access_key, "secretKey": "shard-secret"});
        let req = (cluster.http)
            .post(cluster.url("tupay", "/v1/auth/login"))
            .json(&login);
        let (status, body, headers) = cluster.send(&mut driven, &tenant, req).await;
        assert_eq!(status, 200, "login of {access_key}: {body}");
        // What a cookie jar sends back: BEARER_TOKEN, and the shard cookie nginx added.
        let cookies: Vec<&str> = (headers.get_all("set-cookie").iter())
            .map(|v| v.to_str().unwrap().split(';').next().unwrap())
            .collect();
        assert!(
            cookies.iter().any(|c| c.starts_with("BEARER_TOKEN="))
                && cookies
                    .iter()
                    .any(|c| c.starts_with("payoutsim_tupay_shard=")),
            "login of {access_key} set {cookies:?}"
        );
        let cookie = cookies.join("; ");
        // The last 30 days of the seeded history (the manual clock starts 2026-01-05 14:00 UTC).
        for path in ["/v1/balance", "/v1/deposits?from=1765029600&to=1767621600"] {
            let read = (cluster.http)
                .get(cluster.url("tupay", path))
                .header("cookie", &cookie);
            let (status, body, _) = cluster.send(&mut driven, &tenant, read).await;
            assert_eq!(status, 200, "{path} of {access_key}: {body}");
        }
    }

    cluster.assert_sharded("tupay", &driven).await;
}

#[tokio::test]
#[ignore = "needs Debian's nginx and libnginx-mod-http-js: run by .ci/run"]
async fn every_dots_client_id_and_its_apps_reach_one_instance_through_nginx() {
    let cluster = Cluster::start("dots");
    let mut driven = Driven::new();
    let mut apps = Vec::new();
    for i in 0..TENANTS {
        let keys = (format!("pk_dev_shard{i:02}"), format!("sk_dev_shard{i:02}"));
        let org = format!("dots:{}", keys.0);
        user_round_trip(&cluster, &mut driven, &keys, None, i).await;
        // An app of the organisation (Api-App-Id), a tenant of its own: the same instance.
        let create = (cluster.http)
            .post(cluster.url("dots", "/api/v2/apps"))
            .basic_auth(&keys.0, Some(&keys.1))
            .json(&json!({"name": format!("shard app {i:02}")}));
        let (status, body, _) = cluster.send(&mut driven, &org, create).await;
        assert_eq!(status, 201, "app of {org}: {body}");
        let app = body["id"].as_str().unwrap().to_string();
        user_round_trip(&cluster, &mut driven, &keys, Some(&app), i).await;
        apps.push((org.clone(), format!("{org}:{app}")));
    }

    let owners = cluster.assert_sharded("dots", &driven).await;

    for (org, app) in apps {
        assert_eq!(
            owners[&org], owners[&app],
            "{app} is not on {org}'s instance"
        );
    }
}

/// Creates a user with `keys` (for `app` when given, through `Api-App-Id`) and reads it back,
/// through nginx.
async fn user_round_trip(
    cluster: &Cluster,
    driven: &mut Driven,
    (client_id, api_key): &(String, String),
    app: Option<&str>,
    i: usize,
) {
    let tenant = match app {
        Some(app) => format!("dots:{client_id}:{app}"),
        None => format!("dots:{client_id}"),
    };
    let request = |req: reqwest::RequestBuilder| {
        let req = req.basic_auth(client_id, Some(api_key));
        match app {
            Some(app) => req.header("Api-App-Id", app),
            None => req,
        }
    };
    let phone = format!("555{}{i:05}", u8::from(app.is_some()));
    let user = json!({"first_name": "Ana", "last_name": "Payee",
        "email": format!("ana{i:02}@example.com"), "country_code": "1", "phone_number": phone});
    let create = request(cluster.http.post(cluster.url("dots", "/api/v2/users"))).json(&user);
    let (status, body, _) = cluster.send(driven, &tenant, create).await;
    assert_eq!(status, 201, "user of {tenant}: {body}");
    let id = body["id"].as_str().unwrap();
    let read = request(
        cluster
            .http
            .get(cluster.url("dots", &format!("/api/v2/users/{id}"))),
    );
    let (status, body, _) = cluster.send(driven, &tenant, read).await;
    assert_eq!((status, body["id"].as_str()), (200, Some(id)), "{body}");
}
