//! The World: one per scenario. It owns the simulator (in-process target), the client adapter,
//! the scenario's keys, the objects it created (by the names the scenario gave them), the last
//! response, and the webhook receiver.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cucumber::World;
use payoutsim_contract::placeholders::substitute;
use serde_json::{Value, json};

use crate::client::{Adapter, Request, ReqwestAdapter, Response};
use crate::receiver::Receiver;
use crate::target::{self, Target};

/// A bank account the scenario created, with the customer (by name) who owns it.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: Value,
    pub customer: String,
}

#[derive(World)]
#[world(init = Self::new)]
pub struct ContractWorld {
    pub target: &'static Target,
    /// The in-process simulator, when the target is one.
    sim: Option<payoutsim::Running>,
    pub onepay_url: String,
    /// Every provider's base URL by name (`onspot`, `kashpay`, …), where the target serves it.
    pub urls: BTreeMap<String, String>,
    pub admin_url: Option<String>,
    pub client: Arc<dyn Adapter>,
    /// Keys by name (`test`, `live`, or a name the scenario chose).
    pub keys: BTreeMap<String, String>,
    /// Tenants of other providers the scenario uses (`onspot:test:<publicKey>`, …): advancing
    /// time moves their clocks too.
    pub other_tenants: Vec<String>,
    /// The scenario's Kashpay entity and session.
    pub kashpay: crate::steps::kashpay::KashpayState,
    /// The key requests are sent with; `None` sends no `Authorization` header.
    pub key: Option<String>,
    pub customers: BTreeMap<String, Value>,
    pub accounts: BTreeMap<String, Account>,
    pub cashouts: BTreeMap<String, Value>,
    /// Cashout names in creation order.
    pub cashout_order: Vec<String>,
    /// The `external_id` each named cashout was created with.
    pub external_ids: BTreeMap<String, String>,
    pub bank_id: Option<Value>,
    pub last_request: Option<Request>,
    pub last: Option<Response>,
    pub previous: Option<Response>,
    /// The transport error of the last request sent with `try_exchange` (faults: reset, empty
    /// reply, truncated body), when it got no whole answer.
    pub transport_error: Option<String>,
    pub receiver: Option<Receiver>,
    /// The `data` of the webhook the scenario registered (`id`, `secret`, `header`, …).
    pub webhook: Option<Value>,
    pub noted_balance: Option<i64>,
    /// OnSpot's key pairs and token.
    pub onspot: crate::steps::onspot::OnSpotState,
    /// Appended to every idempotency key the scenario names, so `"k1"` is this scenario's
    /// `k1` even on a shared simulator or the real sandbox.
    pub scope: String,
}

impl fmt::Debug for ContractWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContractWorld")
            .field("target", &self.target.name())
            .field("onepay_url", &self.onepay_url)
            .field("admin_url", &self.admin_url)
            .field("keys", &self.keys)
            .field("customers", &self.customers)
            .field("accounts", &self.accounts)
            .field("cashouts", &self.cashouts)
            .field(
                "last_request",
                &self.last_request.as_ref().map(|r| (&r.method, &r.url)),
            )
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl ContractWorld {
    async fn new() -> std::io::Result<Self> {
        let missing = |what: &str| std::io::Error::other(format!("the simulator serves no {what}"));
        let target = target::get();
        let (sim, onepay_url, admin_url, urls) = match target {
            Target::InProcess => {
                let running = payoutsim::start(payoutsim::ServeConfig::for_tests()).await?;
                let onepay = running.url("onepay").ok_or_else(|| missing("onepay"))?;
                let admin = running.url("admin").ok_or_else(|| missing("admin API"))?;
                let (onepay, admin) = (onepay.to_string(), admin.to_string());
                let urls = running.urls.clone();
                (Some(running), onepay, Some(admin), urls)
            }
            Target::Url { admin, onepay, .. } => (
                None,
                onepay.clone(),
                Some(admin.clone()),
                target.provider_urls(),
            ),
            Target::Sandbox { onepay, .. } => (None, onepay.clone(), None, target.provider_urls()),
        };
        Ok(Self {
            target,
            sim,
            onepay_url,
            urls,
            admin_url,
            client: Arc::new(ReqwestAdapter::new()),
            keys: BTreeMap::new(),
            other_tenants: Vec::new(),
            kashpay: Default::default(),
            key: None,
            customers: BTreeMap::new(),
            accounts: BTreeMap::new(),
            cashouts: BTreeMap::new(),
            cashout_order: Vec::new(),
            external_ids: BTreeMap::new(),
            bank_id: None,
            last_request: None,
            last: None,
            previous: None,
            transport_error: None,
            receiver: None,
            webhook: None,
            noted_balance: None,
            onspot: Default::default(),
            scope: unique(10),
        })
    }

    /// Stops what the scenario started (called by the runner's `after` hook).
    pub async fn shutdown(&mut self) {
        self.receiver = None;
        if let Some(sim) = self.sim.take() {
            let _ = sim.shutdown().await;
        }
    }

    // ---- keys and tenants ----------------------------------------------------------------

    /// A key of `kind` (`test` or `live`): a fresh random one on a simulator; on the sandbox,
    /// the key we were given (a fresh tenant is not ours to make there).
    pub fn new_key(&self, kind: &str) -> String {
        match self.target {
            Target::Sandbox { key, .. } => {
                assert!(
                    key.starts_with(&format!("sk_{kind}_")),
                    "this scenario needs a {kind} key but ONEPAY_API_KEY is not one; tag it @sim"
                );
                key.clone()
            }
            _ => format!("sk_{kind}_{}", unique(24)),
        }
    }

    pub fn current_key(&self) -> &str {
        self.key.as_deref().unwrap_or_else(|| {
            panic!("no OnePay key yet: start the scenario with `Given a OnePay test key`")
        })
    }

    /// The simulator's name for a key's tenant.
    pub fn tenant_of(key: &str) -> String {
        format!("onepay:{key}")
    }

    pub fn tenant(&self) -> String {
        Self::tenant_of(self.current_key())
    }

    // ---- named objects ---------------------------------------------------------------------

    pub fn customer_id(&self, name: &str) -> Value {
        self.customers
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no customer named {name:?} in this scenario"))
    }

    pub fn account(&self, name: &str) -> Account {
        self.accounts
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no account named {name:?} in this scenario"))
    }

    pub fn cashout_id(&self, name: &str) -> Value {
        self.cashouts
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no cashout named {name:?} in this scenario"))
    }

    /// The `x-idempotency` value sent for the key the scenario calls `name`.
    pub fn idempotency_key(&self, name: &str) -> String {
        format!("{name}-{}", self.scope)
    }

    /// The id of the first bank OnePay lists (fetched once per scenario).
    pub async fn bank_id(&mut self) -> Value {
        if let Some(id) = &self.bank_id {
            return id.clone();
        }
        let resp = self.call("GET", "/v1/banks", None, &[]).await;
        assert_eq!(resp.status, 200, "GET /v1/banks: {resp:?}");
        let id = resp.json()["data"][0]["id"].clone();
        assert!(!id.is_null(), "GET /v1/banks listed no bank: {resp:?}");
        self.bank_id = Some(id.clone());
        id
    }

    /// Replaces `{customer:ana}`, `{account:ana-savings}`, `{cashout:c1}`, `{external_id:c1}`, `{bank}`,
    /// `{webhook:id}`, `{receiver}`, `{tenant}`, `{key}` and `{unique}` in `text`.
    /// Ids are written bare (a string id needs quotes around the placeholder in JSON).
    pub fn resolve(&self, text: &str) -> String {
        substitute(text, |kind, name| self.placeholder(kind, name))
    }

    /// [`resolve`](Self::resolve), after fetching what a placeholder needs from OnePay.
    pub async fn resolve_all(&mut self, text: &str) -> String {
        if text.contains("{bank}") {
            self.bank_id().await;
        }
        self.resolve(text)
    }

    fn placeholder(&self, kind: &str, name: &str) -> Option<String> {
        let bare = |v: Value| match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        Some(match kind {
            "customer" => bare(self.customer_id(name)),
            "account" => bare(self.account(name).id),
            "cashout" => bare(self.cashout_id(name)),
            "external_id" => self.external_ids.get(name).cloned().unwrap_or_else(|| {
                panic!("no cashout named {name:?} with an external_id in this scenario")
            }),
            "bank" => bare(self.bank_id.clone().unwrap_or(Value::Null)),
            "webhook" => bare(
                self.webhook
                    .as_ref()
                    .map(|w| w[name].clone())
                    .unwrap_or_default(),
            ),
            "receiver" => self
                .receiver
                .as_ref()
                .map(|r| r.url.clone())
                .unwrap_or_default(),
            "tenant" => self.tenant(),
            "key" => self.current_key().to_string(),
            "unique" => unique(12),
            _ => return None,
        })
    }

    // ---- HTTP ------------------------------------------------------------------------------

    /// A request to OnePay with the current key (if any) and, with a body, a JSON content type.
    pub fn build(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        extra: &[(&str, &str)],
    ) -> Request {
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        if let Some(key) = &self.key {
            headers.push(("authorization".into(), format!("Bearer {key}")));
        }
        let overrides_type = extra
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !overrides_type {
            headers.push(("content-type".into(), "application/json".into()));
        }
        headers.extend(
            extra
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())),
        );
        Request {
            method: method.to_string(),
            url: format!("{}{path}", self.onepay_url),
            headers,
            body,
        }
    }

    /// Sends a request to OnePay with the current key; does not touch `last`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Response {
        let body = body.map(|b| b.to_string().into_bytes());
        self.send(self.build(method, path, body, extra)).await
    }

    pub async fn send(&self, request: Request) -> Response {
        self.client
            .send(request)
            .await
            .unwrap_or_else(|e| panic!("transport error: {e}"))
    }

    /// Sends `request` and keeps it and its answer as the scenario's last exchange.
    pub async fn exchange(&mut self, request: Request) -> &Response {
        let response = self.send(request.clone()).await;
        self.last_request = Some(request);
        self.previous = self.last.replace(response);
        self.last()
    }

    /// Like [`call`](Self::call), but the exchange becomes the scenario's last one.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> &Response {
        let body = body.map(|b| b.to_string().into_bytes());
        let request = self.build(method, path, body, extra);
        self.exchange(request).await
    }

    pub fn last(&self) -> &Response {
        self.last
            .as_ref()
            .unwrap_or_else(|| panic!("no request was sent yet"))
    }

    pub fn last_json(&self) -> Value {
        self.last().json()
    }

    // ---- admin API -------------------------------------------------------------------------

    /// Calls payoutsim's admin API and asserts a 2xx answer.
    pub async fn admin(&self, method: &str, path_and_query: &str, body: Option<Value>) -> Value {
        let base = self.admin_url.as_deref().unwrap_or_else(|| {
            panic!("this step needs payoutsim's admin API: tag the scenario @sim")
        });
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        if let Some(token) = self.target.admin_token() {
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        let request = Request {
            method: method.to_string(),
            url: format!("{base}{path_and_query}"),
            headers,
            body: body.map(|b| b.to_string().into_bytes()),
        };
        let resp = self.send(request).await;
        assert!(
            (200..300).contains(&resp.status),
            "admin {method} {path_and_query} answered {resp:?}"
        );
        resp.json()
    }

    /// Moves simulated time for every tenant of the scenario (never the global clock, so a
    /// shared simulator's other users are not disturbed).
    pub async fn advance(&self, seconds: u64) {
        let mut tenants: Vec<String> = self.keys.values().map(|k| Self::tenant_of(k)).collect();
        tenants.extend(self.other_tenants.iter().cloned());
        assert!(
            !tenants.is_empty(),
            "advance time after a key exists: it moves the key's tenant clock"
        );
        for tenant in tenants {
            let body = json!({ "seconds": seconds, "tenant": tenant });
            self.admin("POST", "/__admin/clock/advance", Some(body))
                .await;
        }
    }

    /// The base URL of `provider` on the target; panics with the variable to set when unknown.
    pub fn provider_url(&self, provider: &str) -> String {
        self.urls.get(provider).cloned().unwrap_or_else(|| {
            panic!(
                "no URL for {provider}: set PAYOUTSIM_{}_URL",
                provider.to_ascii_uppercase()
            )
        })
    }
}

/// A random `[a-z0-9]` string of `len` characters (std only: `RandomState` is randomly keyed).
pub fn unique(len: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut n = hasher.finish();
        for _ in 0..8 {
            out.push(ALPHABET[(n % 36) as usize] as char);
            n /= 36;
        }
    }
    out.truncate(len);
    out
}
