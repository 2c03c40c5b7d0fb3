//! Dots steps: the scenario's key pairs (a fresh `pk_dev_…`/`sk_dev_…` or `pk_prod_…`/`sk_prod_…`
//! pair on a simulator, each its own app and tenant `dots:<client_id>`; on the real sandbox
//! `DOTS_CLIENT_ID` and `DOTS_API_KEY`), the apps it made and acts for (`Api-App-Id`, tenant
//! `dots:<client_id>:<app id>`), the objects it created by name, and requests with
//! `Authorization: Basic base64(client_id:api_key)`.
//!
//! - `auth`: key pairs, apps, raw requests (any method and path, placeholders resolved)
//! - `answers`: Dots' error envelope `{"success": false, "message", "error_code"}`
//! - `users`: users, payout methods, the verification flow through the SMS outbox
//! - `money`: transfers between wallets, payouts, their statuses, the wallets
//! - `lists`: cursor pages (`limit`, `starting_after`, `ending_before`, `has_more`)
//! - `links`: payout links, their lifecycle, cancel and redelivery
//! - `batches`: payout batches built by a step (up to 5000 items), their results
//! - `webhooks`: the target (admin API), Svix signatures checked here, events in order
//! - `backoffice`: funding, forced statuses, the SMS outbox (`@sim`)
//!
//! Every phrase names Dots, so none is ambiguous with another provider's. Paths are written as
//! the simulator serves them, `/api/v2/…`; `DOTS_BASE_URL` may be given with or without the
//! `/api` Dots documents as part of its base URL. Idempotency keys are UUIDs (`{key:k1}` is the
//! scenario's own key `k1`). Fault rules use the shared step (`Given a fault rule for Dots:`,
//! with `{tenant}` and the others of `DotsState::placeholder`).

mod answers;
mod auth;
mod backoffice;
mod batches;
mod links;
mod lists;
mod money;
mod users;
mod webhooks;

pub use auth::add_pair;
pub use webhooks::register;

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::client::{Request, Response};
use crate::params::{ProviderName, WithKey};
use crate::world::{ContractWorld, ProviderState, unique};

/// The variables holding the sandbox's key pair (see `target::SANDBOX_CREDENTIALS`).
pub const CLIENT_ID: &str = "DOTS_CLIENT_ID";
pub const API_KEY: &str = "DOTS_API_KEY";

/// The back office's routes for Dots.
pub const BACK_OFFICE: &str = "/__admin/providers/dots";

/// A key pair: an organisation and its own app.
#[derive(Clone, Debug)]
pub struct KeyPair {
    pub client_id: String,
    pub api_key: String,
}

impl KeyPair {
    /// The tenant of the pair's own app: `dots:<client_id>`.
    pub fn tenant(&self) -> String {
        format!("dots:{}", self.client_id)
    }
}

/// An app made with `POST /v2/apps`, acted for with `Api-App-Id`.
#[derive(Clone, Debug)]
pub struct App {
    pub id: String,
    /// The `client_id` of the organisation that made it.
    pub client_id: String,
}

/// The kinds of objects a scenario names: `{user:ana}`, `{payout:p1}`, …
pub const KINDS: &[&str] = &[
    "user", "payout", "transfer", "link", "batch", "method", "phone",
];

/// What a Dots scenario holds.
#[derive(Debug)]
pub struct DotsState {
    /// Key pairs by name (`sandbox`, `production`, or a name the scenario chose).
    pub pairs: BTreeMap<String, KeyPair>,
    /// The name of the pair requests are sent with.
    pub current: Option<String>,
    /// Apps the scenario made, by name.
    pub apps: BTreeMap<String, App>,
    /// The name of the app acted for (`Api-App-Id`), if any.
    pub acting_for: Option<String>,
    /// Object ids by kind and the name the scenario gave them.
    pub objects: BTreeMap<(String, String), String>,
    /// Mixed into `{key:…}` so each scenario's idempotency keys are its own.
    salt: String,
    /// The webhook target registered (`secret`, `id`, …).
    pub webhook: Option<Value>,
    /// A wallet balance noted earlier, cents.
    pub noted: Option<i64>,
    /// The statuses of a run of requests (redeliveries).
    pub statuses: Vec<u16>,
    /// The items each named batch was sent with, in order.
    pub batch_items: BTreeMap<String, Vec<Value>>,
}

impl Default for DotsState {
    fn default() -> Self {
        Self {
            pairs: BTreeMap::new(),
            current: None,
            apps: BTreeMap::new(),
            acting_for: None,
            objects: BTreeMap::new(),
            salt: unique(16),
            webhook: None,
            noted: None,
            statuses: Vec::new(),
            batch_items: BTreeMap::new(),
        }
    }
}

impl DotsState {
    pub fn pair(&self) -> &KeyPair {
        self.current
            .as_ref()
            .and_then(|name| self.pairs.get(name))
            .unwrap_or_else(|| {
                panic!("no Dots key pair yet: start with `Given a Dots sandbox key pair`")
            })
    }

    /// The app acted for, if any.
    pub fn app(&self) -> Option<&App> {
        let name = self.acting_for.as_ref()?;
        let app = self.apps.get(name);
        Some(app.unwrap_or_else(|| panic!("no Dots app named {name:?} in this scenario")))
    }

    /// The id of the object of `kind` the scenario named `name`.
    pub fn id(&self, kind: &str, name: &str) -> String {
        let key = (kind.to_string(), name.to_string());
        self.objects
            .get(&key)
            .cloned()
            .unwrap_or_else(|| panic!("no Dots {kind} named {name:?} in this scenario"))
    }

    /// Names the object of `kind` with id `id` `name`.
    pub fn name(&mut self, kind: &str, name: &str, id: String) {
        assert!(KINDS.contains(&kind), "a scenario names no Dots {kind}");
        self.objects
            .insert((kind.to_string(), name.to_string()), id);
    }

    /// The name the scenario gave the object of `kind` with id `id`, if any.
    pub fn name_of(&self, kind: &str, id: &str) -> Option<String> {
        (self.objects.iter())
            .find(|((k, _), v)| k == kind && v.as_str() == id)
            .map(|((_, n), _)| n.clone())
    }

    /// The UUID this scenario sends for the idempotency key it calls `name`: the same all
    /// through the scenario, another in every other scenario.
    pub fn idempotency_key(&self, name: &str) -> String {
        let half = |part: &str| {
            let mut h = std::hash::DefaultHasher::new();
            (&self.salt, name, part).hash(&mut h);
            h.finish()
        };
        uuid_of(half("high"), half("low"))
    }
}

impl WithKey {
    /// `body` with `idempotency_key` set to the UUID of the scenario's key, if the step named one.
    pub fn on(&self, dots: &DotsState, mut body: Value) -> Value {
        if let Some(name) = &self.0 {
            body["idempotency_key"] = Value::String(dots.idempotency_key(name));
        }
        body
    }
}

/// A version-4-shaped UUID of 128 bits.
pub fn uuid_of(high: u64, low: u64) -> String {
    let hex = format!("{high:016x}{low:016x}");
    let (a, rest) = hex.split_at(8);
    let (b, rest) = rest.split_at(4);
    let (c, rest) = rest.split_at(4);
    let (d, e) = rest.split_at(4);
    format!("{a}-{b}-4{}-a{}-{e}", &c[1..], &d[1..])
}

/// A fresh random UUID.
pub fn random_uuid() -> String {
    let half = || {
        let mut h = std::hash::DefaultHasher::new();
        unique(16).hash(&mut h);
        h.finish()
    };
    uuid_of(half(), half())
}

impl ProviderState for DotsState {
    fn tenants(&self) -> Vec<String> {
        let pairs = self.pairs.values().map(KeyPair::tenant);
        let apps = (self.apps.values()).map(|a| format!("dots:{}:{}", a.client_id, a.id));
        pairs.chain(apps).collect()
    }

    /// The app requests act for: `dots:<client_id>`, or `dots:<client_id>:<app id>`.
    fn tenant(&self) -> String {
        match self.app() {
            Some(app) => format!("dots:{}:{}", app.client_id, app.id),
            None => self.pair().tenant(),
        }
    }

    /// `{tenant}`, `{client_id}`, `{app:name}`, `{key:name}` (an idempotency key's UUID), and
    /// the ids of named objects: `{user:ana}`, `{payout:p1}`, `{transfer:t1}`, `{link:l1}`,
    /// `{batch:b1}`, `{method:ana-ach}`, `{phone:shared}` (a phone number, not an id).
    fn placeholder(&self, kind: &str, name: &str) -> Option<String> {
        Some(match kind {
            "tenant" => self.tenant(),
            "client_id" => self.pair().client_id.clone(),
            "key" => self.idempotency_key(name),
            "app" => (self.apps.get(name))
                .unwrap_or_else(|| panic!("no Dots app named {name:?} in this scenario"))
                .id
                .clone(),
            k if KINDS.contains(&k) => self.id(k, name),
            _ => return None,
        })
    }
}

/// `text` with Dots' placeholders and the shared ones replaced.
pub fn resolve(w: &ContractWorld, text: &str) -> String {
    w.resolve_for(ProviderName::Dots, text)
}

/// The `Authorization` value of `client_id:api_key`.
pub fn basic(client_id: &str, api_key: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{client_id}:{api_key}"))
    )
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// The current key pair (and `Api-App-Id` of the app acted for).
    Pair,
    /// No `Authorization` header.
    None,
    /// This `Authorization` value.
    Header(String),
}

/// Dots' base URL on the target, without the `/api` of Dots' documented base URLs (paths are
/// written `/api/v2/…`, as the journal and fault rules see them).
fn base(w: &ContractWorld) -> String {
    let url = w.url(ProviderName::Dots);
    url.strip_suffix("/api").unwrap_or(url).to_string()
}

/// A request to Dots at `path` with `credentials` and, with a body, a JSON content type.
pub fn build(
    w: &ContractWorld,
    method: &str,
    path: &str,
    body: Option<&Value>,
    credentials: Credentials,
) -> Request {
    let mut request = Request::json_api(method, format!("{}{path}", base(w)));
    let authorization = match credentials {
        Credentials::Pair => {
            let pair = w.dots.pair();
            Some(basic(&pair.client_id, &pair.api_key))
        }
        Credentials::None => None,
        Credentials::Header(value) => Some(value),
    };
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    if let Some(app) = w.dots.app() {
        request = request.header("api-app-id", app.id.clone());
    }
    request.json_body(body.map(|b| b.to_string().into_bytes()))
}

/// Sends a request with the current key pair; does not touch the last exchange.
pub async fn call(w: &ContractWorld, method: &str, path: &str, body: Option<&Value>) -> Response {
    w.send(build(w, method, path, body, Credentials::Pair))
        .await
}

/// Like [`call`], but the exchange becomes the scenario's last one.
pub async fn request<'w>(
    w: &'w mut ContractWorld,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> &'w Response {
    let request = build(w, method, path, body, Credentials::Pair);
    w.exchange(request).await
}

/// `GET path` with the current key pair, asserting 200; its JSON.
pub async fn read(w: &ContractWorld, path: &str) -> Value {
    let resp = call(w, "GET", path, None).await;
    assert_eq!(resp.status, 200, "GET {path}: {resp:?}");
    resp.json()
}

/// `method path` with `body` as the scenario's last exchange; when the answer's status is one of
/// `made`, the object it is (its `id`) becomes the scenario's `kind` `name`. A `Given` asserts
/// the first of `made`: what it arranges exists.
pub async fn make(
    w: &mut ContractWorld,
    step: &cucumber::gherkin::Step,
    (method, path): (&str, &str),
    body: &Value,
    (kind, name): (&str, &str),
    made: &[u16],
) {
    request(w, method, path, Some(body)).await;
    crate::steps::arranged(w, step, made[0], &format!("{method} {path}"));
    keep(w, made, kind, name, "id");
}

/// The path of the object of `kind` the scenario named `name`: a user, a payout or transfer
/// (`/v2/transfers/{id}`), a payout link or a payout batch.
pub fn path_of(w: &ContractWorld, kind: &str, name: &str) -> String {
    let id = w.dots.id(kind, name);
    match kind {
        "user" => format!("/api/v2/users/{id}"),
        "payout" | "transfer" => format!("/api/v2/transfers/{id}"),
        "link" => format!("/api/v2/payout-links/{id}"),
        "batch" => format!("/api/v2/payout-batches/{id}"),
        other => panic!("a Dots {other} has no path of its own"),
    }
}

/// When the last answer has one of `statuses`, names the `id` it holds (at `path`, dotted) the
/// scenario's `kind` `name`.
pub fn keep(w: &mut ContractWorld, statuses: &[u16], kind: &str, name: &str, path: &str) {
    if !statuses.contains(&w.last().status) {
        return;
    }
    let body = w.last_json();
    let id = crate::steps::field(&body, path).and_then(Value::as_str);
    let id = id.unwrap_or_else(|| panic!("no {path} in {:?}", w.last()));
    let id = id.to_string();
    w.dots.name(kind, name, id);
}
