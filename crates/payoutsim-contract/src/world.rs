//! The World: one per scenario. It holds what every provider shares (the target, the simulator
//! on the in-process target, each provider's base URL by name, the admin API, the client
//! adapter, the last exchange, the webhook receiver) and one state per provider (`onepay`,
//! `onspot`, `kashpay`, `tupay`, `dots`: the scenario's credentials and the objects it named),
//! each behind [`ProviderState`] for what the shared steps ask of a provider: its tenants and
//! placeholders.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::placeholders::substitute;
use cucumber::World;
use serde_json::{Value, json};

use crate::client::{Adapter, Request, Response};
use crate::conformance;
use crate::params::ProviderName;
use crate::receiver::Receiver;
use crate::simulator::{self, Simulator};
use crate::steps::client::ClientState;
use crate::steps::dots::DotsState;
use crate::steps::kashpay::KashpayState;
use crate::steps::onepay::OnePayState;
use crate::steps::onspot::OnSpotState;
use crate::steps::tupay::TupayState;
use crate::target::{self, Target};

/// What the provider-neutral steps need from a provider's scenario state.
pub trait ProviderState {
    /// Every tenant the scenario made at this provider: advancing time moves their clocks.
    fn tenants(&self) -> Vec<String>;

    /// The tenant in use: `{tenant}`, and the clock and journal a `{provider}'s …` step reads.
    fn tenant(&self) -> String;

    /// The value of the placeholder `{kind:name}` (or `{kind}`, with `name` empty) if this
    /// provider has one by that kind, e.g. OnePay's `{customer:ana}` or Kashpay's `{entity}`.
    fn placeholder(&self, kind: &str, name: &str) -> Option<String>;
}

#[derive(World)]
#[world(init = Self::new)]
pub struct ContractWorld {
    pub target: &'static Target,
    /// The in-process simulator, when the target is one.
    sim: Option<Box<dyn Simulator>>,
    /// Every provider's base URL by name (`onepay`, `onspot`, …), where the target serves it.
    urls: BTreeMap<String, String>,
    pub admin_url: Option<String>,
    pub client: Arc<dyn Adapter>,
    pub last_request: Option<Request>,
    pub last: Option<Response>,
    pub previous: Option<Response>,
    /// The transport error of the last request sent with `try_exchange` (faults: reset, empty
    /// reply, truncated body), when it got no whole answer.
    pub transport_error: Option<String>,
    pub receiver: Option<Receiver>,
    /// Appended to every idempotency key the scenario names, so `"k1"` is this scenario's
    /// `k1` even on a shared simulator or the real sandbox.
    pub scope: String,
    pub onepay: OnePayState,
    pub onspot: OnSpotState,
    pub kashpay: KashpayState,
    pub tupay: TupayState,
    pub dots: DotsState,
    /// The `@client` scenarios' client under test and what it answered.
    pub under_test: ClientState,
}

impl fmt::Debug for ContractWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContractWorld")
            .field("target", &self.target.name())
            .field("urls", &self.urls)
            .field("admin_url", &self.admin_url)
            .field("onepay", &self.onepay)
            .field("onspot", &self.onspot)
            .field("kashpay", &self.kashpay)
            .field("tupay", &self.tupay)
            .field("dots", &self.dots)
            .field("under_test", &self.under_test)
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
        let target = target::get();
        let (sim, urls, admin_url) = match target {
            Target::InProcess => {
                let running = simulator::start().await?;
                let mut urls = running.urls().clone();
                let admin = urls.remove("admin").ok_or_else(|| {
                    std::io::Error::other("the in-process simulator serves no admin API")
                })?;
                (Some(running), urls, Some(admin))
            }
            Target::Url { admin, urls, .. } => (None, urls.clone(), Some(admin.clone())),
            Target::Sandbox { urls, .. } => (None, urls.clone(), None),
        };
        let client = conformance::client(target, &urls, admin_url.as_deref());
        Ok(Self {
            target,
            sim,
            urls,
            admin_url,
            client,
            last_request: None,
            last: None,
            previous: None,
            transport_error: None,
            receiver: None,
            scope: unique(10),
            onepay: OnePayState::default(),
            onspot: OnSpotState::default(),
            kashpay: KashpayState::default(),
            tupay: TupayState::default(),
            dots: DotsState::default(),
            under_test: ClientState::default(),
        })
    }

    /// Stops what the scenario started (called by the runner's `after` hook).
    pub async fn shutdown(&mut self) {
        self.under_test.release();
        self.receiver = None;
        if let Some(sim) = self.sim.take() {
            let _ = sim.shutdown().await;
        }
    }

    // ---- providers -------------------------------------------------------------------------

    /// `provider`'s scenario state, as the shared steps see it.
    pub fn state(&self, provider: ProviderName) -> &dyn ProviderState {
        match provider {
            ProviderName::OnePay => &self.onepay,
            ProviderName::OnSpot => &self.onspot,
            ProviderName::Kashpay => &self.kashpay,
            ProviderName::Tupay => &self.tupay,
            ProviderName::Dots => &self.dots,
        }
    }

    /// The base URL of `provider` on the target; panics naming the variable to set when the
    /// target does not serve it.
    pub fn url(&self, provider: ProviderName) -> &str {
        let Some(url) = self.urls.get(provider.id()) else {
            match self.target.url_var(provider.id()) {
                Some(var) => panic!(
                    "the {} target has no {provider} URL: set {var}",
                    self.target.name()
                ),
                None => panic!("the in-process simulator serves no {provider}"),
            }
        };
        url
    }

    // ---- placeholders ----------------------------------------------------------------------

    /// `text` with the placeholders every step knows replaced: `{receiver}` (the webhook
    /// receiver's URL) and `{unique}` (a fresh random string).
    pub fn resolve(&self, text: &str) -> String {
        substitute(text, |kind, _| self.shared_placeholder(kind))
    }

    /// [`resolve`](Self::resolve), and `provider`'s own placeholders (its `{tenant}`, …).
    pub fn resolve_for(&self, provider: ProviderName, text: &str) -> String {
        let state = self.state(provider);
        substitute(text, |kind, name| {
            state
                .placeholder(kind, name)
                .or_else(|| self.shared_placeholder(kind))
        })
    }

    fn shared_placeholder(&self, kind: &str) -> Option<String> {
        match kind {
            "receiver" => Some(
                self.receiver
                    .as_ref()
                    .map(|r| r.url.clone())
                    .unwrap_or_default(),
            ),
            "unique" => Some(unique(12)),
            _ => None,
        }
    }

    /// The idempotency key sent for the key the scenario calls `name`.
    pub fn idempotency_key(&self, name: &str) -> String {
        format!("{name}-{}", self.scope)
    }

    // ---- HTTP ------------------------------------------------------------------------------

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

    /// Like [`exchange`](Self::exchange), but a transport error (a reset, an empty reply, a cut
    /// body) is the outcome, kept in `transport_error` with no last response, not a failure.
    pub async fn try_exchange(&mut self, request: Request) {
        let outcome = self.client.send(request.clone()).await;
        self.last_request = Some(request);
        self.previous = self.last.take();
        match outcome {
            Ok(response) => {
                self.last = Some(response);
                self.transport_error = None;
            }
            Err(e) => self.transport_error = Some(e),
        }
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
        let mut request = Request::json_api(method, format!("{base}{path_and_query}"));
        if let Some(token) = self.target.admin_token() {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.json_body(body.map(|b| b.to_string().into_bytes()));
        let resp = self.send(request).await;
        assert!(
            (200..300).contains(&resp.status),
            "admin {method} {path_and_query} answered {resp:?}"
        );
        resp.json()
    }

    /// Moves simulated time for every tenant the scenario made, at every provider (never the
    /// global clock, so a shared simulator's other users are not disturbed).
    pub async fn advance(&self, seconds: u64) {
        let tenants: Vec<String> = ProviderName::ALL
            .into_iter()
            .flat_map(|p| self.state(p).tenants())
            .collect();
        assert!(
            !tenants.is_empty(),
            "advance time once the scenario has a tenant (a key, a key pair, an entity): \
             it moves the scenario's tenants' clocks"
        );
        for tenant in tenants {
            let body = json!({ "seconds": seconds, "tenant": tenant });
            self.admin("POST", "/__admin/clock/advance", Some(body))
                .await;
        }
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
