//! The engine handle: everything a provider needs, behind one cheap clone, and nothing open.
//!
//! Its state is private; providers and the admin API use its verbs. The jobs are split by file:
//!
//! - `mod.rs` (here): settings, the handle, the registry of providers, tenants' subsystems
//!   (ids, tenants, clock, idempotency, journal), webhook targets, reset
//! - `lifecycles.rs`: starting, stepping and moving lifecycles, and the transitions log
//! - `time.rs`: applying what fell due, catching a tenant up, advancing and settling
//! - `delivery.rs`: the webhook outbox's sender: emit, fault decisions, attempts, retries
//! - `background.rs`: the background sender and real-clock ticker

mod background;
mod delivery;
mod durable;
mod lifecycles;
mod time;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::Notify;

use crate::clock::{Clock, ClockConfig};
use crate::idempotency::IdempotencyStore;
use crate::ids::Ids;
use crate::journal::Journal;
use crate::provider::Provider;
use crate::surface::AdminListener;
use crate::tenants::Tenants;
use crate::timeline::{Scheduled, Timeline};
use crate::webhooks::{Delivery, Outbox, RetryPolicy, WebhookFaults, WebhookTarget};

pub use delivery::{Settled, Unsent};
pub use durable::{MessageProgress, Recorder};

pub use lifecycles::{Cause, Transition, TransitionRecord};

/// The engine's settings. Every default is named here.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Seed of every id, token and random outcome.
    pub seed: u64,
    pub clock: ClockConfig,
    /// Journal entries kept (oldest dropped first). Default 1000.
    pub journal_cap: usize,
    /// Bytes the journal keeps in all, entries and what they hold (oldest dropped first).
    /// Default 32 MiB.
    pub journal_max_bytes: usize,
    /// Bytes kept of each journaled body. Default 16 KiB.
    pub journal_body_cap: usize,
    /// Bytes kept of each journaled request's headers (the rest left out, the entry marked
    /// `truncated`). Default 16 KiB.
    pub journal_header_cap: usize,
    /// Largest request body a provider accepts. Default 1 MiB.
    pub max_body_bytes: usize,
    /// How long idempotency keys are remembered, in simulated seconds. Default 24 h.
    pub idempotency_ttl_s: i64,
    /// Answered idempotency keys kept per tenant (its oldest forgotten past it). Default 10,000.
    pub idempotency_max_keys: usize,
    pub webhooks: RetryPolicy,
    /// Delivery attempts and transitions kept for the admin API. Default 1000 each.
    pub history_cap: usize,
    /// Wall-clock time `advance` (and `settle`) waits for the webhook attempts it caused before
    /// answering (`--advance-wait`; zero: it does not wait); attempts still under way then go on
    /// in the background sender. Default 2 s.
    pub settle_wait: Duration,
    /// Webhook messages pending in all (`--webhook-queue-cap`); past it the oldest pending one is
    /// dropped and counted. Default 10,000.
    pub webhook_queue_cap: usize,
    /// Wall-clock time one webhook attempt may take, for every provider (`--webhook-timeout`);
    /// `None`: each message's retry policy's own (5 s, Dots 15 s). Default `None`.
    pub webhook_timeout: Option<Duration>,
    /// Hosts webhook URLs may name (`--webhook-allow-hosts`); empty: any host but the admin
    /// listener (whose inboxes are always allowed). Default empty.
    pub webhook_allow_hosts: Vec<String>,
    /// Messages kept across the admin inboxes (oldest dropped first). Default 1000.
    pub inbox_max_messages: usize,
    /// Bytes (bodies and headers) kept across the admin inboxes (oldest dropped first; a larger
    /// message alone is refused with 413). Default 32 MiB.
    pub inbox_max_bytes: usize,
    /// Objects one tenant holds (`--max-objects-per-tenant`); past it its oldest settled ones
    /// are dropped, and a creation is refused when none is settled. Default 10,000.
    pub max_objects_per_tenant: usize,
    /// Webhook targets one tenant registers (`--max-webhook-targets`); past it a new one is
    /// refused with the provider's validation error. Default 100.
    pub max_webhook_targets: usize,
    /// Tenants of every provider (`--max-tenants`); past it the least recently used one other
    /// than the one being served is evicted whole. Default 1000.
    pub max_tenants: usize,
    /// Objects of every tenant of every provider (`--max-objects`); past it, as with
    /// `max_tenants`, least recently used tenants are evicted. Default 50,000.
    pub max_objects: usize,
    /// Show secrets (credential headers, passwords and keys in bodies, webhook signing secrets)
    /// in the journal and webhook listings instead of masking them. Default false.
    pub show_secrets: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            clock: ClockConfig::default(),
            journal_cap: 1000,
            journal_max_bytes: 32 << 20,
            journal_body_cap: 16 * 1024,
            journal_header_cap: 16 * 1024,
            max_body_bytes: 1024 * 1024,
            idempotency_ttl_s: 24 * 3600,
            idempotency_max_keys: crate::idempotency::DEFAULT_MAX_PER_TENANT,
            webhooks: RetryPolicy::default(),
            history_cap: 1000,
            settle_wait: Duration::from_secs(2),
            webhook_queue_cap: DEFAULT_WEBHOOK_QUEUE_CAP,
            webhook_timeout: None,
            webhook_allow_hosts: Vec::new(),
            inbox_max_messages: 1000,
            inbox_max_bytes: 32 << 20,
            max_objects_per_tenant: DEFAULT_MAX_OBJECTS_PER_TENANT,
            max_webhook_targets: DEFAULT_MAX_WEBHOOK_TARGETS,
            max_tenants: DEFAULT_MAX_TENANTS,
            max_objects: DEFAULT_MAX_OBJECTS,
            show_secrets: false,
        }
    }
}

/// Objects one tenant holds, by default.
pub const DEFAULT_MAX_OBJECTS_PER_TENANT: usize = 10_000;

/// Tenants of every provider, by default.
pub const DEFAULT_MAX_TENANTS: usize = 1000;

/// Objects of every tenant of every provider, by default.
pub const DEFAULT_MAX_OBJECTS: usize = 25_000;

impl EngineConfig {
    /// Whether the bounds agree: each at least 1, and one tenant's objects within the budget of
    /// all tenants' (`Err` names the flags).
    pub fn check_bounds(&self) -> Result<(), String> {
        let named = [
            ("--max-objects-per-tenant", self.max_objects_per_tenant),
            ("--max-objects", self.max_objects),
            ("--max-tenants", self.max_tenants),
            ("--max-webhook-targets", self.max_webhook_targets),
        ];
        if let Some((flag, _)) = named.iter().find(|(_, n)| *n == 0) {
            return Err(format!("{flag} must be at least 1"));
        }
        if self.max_objects_per_tenant > self.max_objects {
            return Err(format!(
                "--max-objects-per-tenant ({}) must not exceed --max-objects ({})",
                self.max_objects_per_tenant, self.max_objects
            ));
        }
        Ok(())
    }
}

/// Webhook targets one tenant registers, by default.
pub const DEFAULT_MAX_WEBHOOK_TARGETS: usize = 100;

/// Webhook messages pending in all, by default.
pub const DEFAULT_WEBHOOK_QUEUE_CAP: usize = 10_000;

/// Lanes (receivers) sent to at once; more wait for a free sender.
const SENDERS_AT_ONCE: usize = 64;

/// Called with the `?provider=` of `POST /__admin/reset` (e.g. to clear fault rules).
pub type ResetHook = Arc<dyn Fn(Option<&str>) + Send + Sync>;

struct Shared {
    config: EngineConfig,
    clock: Clock,
    ids: Ids,
    tenants: Tenants,
    timeline: Timeline,
    idempotency: IdempotencyStore,
    journal: Journal,
    outbox: Outbox,
    transitions: Mutex<VecDeque<TransitionRecord>>,
    providers: RwLock<BTreeMap<&'static str, Weak<dyn Provider>>>,
    /// The webhook sender's HTTP client, built on the first delivery ([`Engine::http`]): its TLS
    /// set-up is code and memory a simulator that sends no webhook never needs.
    http: std::sync::OnceLock<reqwest::Client>,
    /// Permits for lane senders: at most [`SENDERS_AT_ONCE`] lanes are sent to at once.
    senders: Arc<tokio::sync::Semaphore>,
    /// Bumped each time a sender finishes an attempt (what `settle` waits on).
    progress: tokio::sync::watch::Sender<u64>,
    /// Set once the webhook sender is stopped ([`Engine::stop_webhooks`]).
    stop: tokio::sync::watch::Sender<bool>,
    wake: Notify,
    webhook_faults: RwLock<Option<Arc<dyn WebhookFaults>>>,
    reset_hooks: RwLock<Vec<ResetHook>>,
    admin_listener: RwLock<Option<AdminListener>>,
    /// `--data-dir`'s recorder, once installed.
    recorder: RwLock<Option<Arc<dyn Recorder>>>,
    /// Held while a state-changing input is handled, when a recorder is installed.
    inputs: tokio::sync::Mutex<()>,
    /// Replaying an earlier run's inputs (see `durable.rs`).
    replaying: std::sync::atomic::AtomicBool,
    /// Objects held by every tenant of every provider, as the providers' kits count them
    /// ([`Engine::object_count`]): what `--max-objects` is checked against on every request.
    objects: std::sync::atomic::AtomicUsize,
    /// Bumped each time a lifecycle enters a status, of any object of any provider
    /// ([`Engine::status_changes`]).
    status_changes: std::sync::atomic::AtomicU64,
}

/// The engine: a cheap, clonable handle over private state.
#[derive(Clone)]
pub struct Engine(Arc<Shared>);

/// A handle that does not keep the engine alive (for hooks the engine itself holds).
#[derive(Clone)]
pub struct WeakEngine(Weak<Shared>);

impl WeakEngine {
    pub fn upgrade(&self) -> Option<Engine> {
        self.0.upgrade().map(Engine)
    }
}

impl std::fmt::Debug for WeakEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WeakEngine")
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("seed", &self.0.ids.seed())
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Self(Arc::new(Shared {
            clock: Clock::new(&config.clock),
            ids: Ids::new(config.seed),
            tenants: Tenants::default(),
            timeline: Timeline::default(),
            idempotency: IdempotencyStore::new(TimeDelta::seconds(config.idempotency_ttl_s))
                .max_per_tenant(config.idempotency_max_keys),
            journal: Journal::new(config.journal_cap, config.journal_body_cap)
                .max_bytes(config.journal_max_bytes)
                .header_cap(config.journal_header_cap)
                .show_secrets(config.show_secrets),
            outbox: Outbox::new(
                config.webhooks.clone(),
                config.history_cap,
                config.webhook_queue_cap,
            ),
            transitions: Mutex::new(VecDeque::new()),
            providers: RwLock::new(BTreeMap::new()),
            http: std::sync::OnceLock::new(),
            senders: Arc::new(tokio::sync::Semaphore::new(SENDERS_AT_ONCE)),
            progress: tokio::sync::watch::channel(0).0,
            stop: tokio::sync::watch::channel(false).0,
            wake: Notify::new(),
            webhook_faults: RwLock::new(None),
            reset_hooks: RwLock::new(Vec::new()),
            admin_listener: RwLock::new(None),
            recorder: RwLock::new(None),
            inputs: tokio::sync::Mutex::new(()),
            replaying: std::sync::atomic::AtomicBool::new(false),
            objects: std::sync::atomic::AtomicUsize::new(0),
            status_changes: std::sync::atomic::AtomicU64::new(0),
            config,
        }))
    }

    /// The webhook sender's HTTP client, built the first time it is needed. A receiver that is
    /// down refuses or times out its connection quickly; one that accepts and never answers is
    /// cut off by the attempt's own timeout.
    pub(crate) fn http(&self) -> &reqwest::Client {
        self.0.http.get_or_init(|| {
            let config = &self.0.config;
            let timeout = config.webhook_timeout.unwrap_or(config.webhooks.timeout);
            let connect = timeout.min(Duration::from_secs(1));
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(connect)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default()
        })
    }

    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine(Arc::downgrade(&self.0))
    }

    pub fn config(&self) -> &EngineConfig {
        &self.0.config
    }

    // ---- the subsystems a provider uses ------------------------------------------------------

    /// Seeded ids, tokens and random draws.
    pub fn ids(&self) -> &Ids {
        &self.0.ids
    }

    /// Credentials as tenants.
    pub fn tenants(&self) -> &Tenants {
        &self.0.tenants
    }

    /// Simulated time (read it with [`Engine::now_for`]; move it with [`Engine::advance`]).
    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    /// Idempotency keys and their stored answers.
    pub fn idempotency(&self) -> &IdempotencyStore {
        &self.0.idempotency
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.0.journal
    }

    /// A tenant's simulated time.
    pub fn now_for(&self, tenant: &str) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now_for(tenant)
    }

    // ---- providers ----------------------------------------------------------------------------

    /// Registers a provider so that its transitions run and the admin API reaches it.
    pub fn register(&self, provider: &Arc<dyn Provider>) {
        let mut map = self.0.providers.write().unwrap_or_else(|e| e.into_inner());
        map.insert(provider.name(), Arc::downgrade(provider));
    }

    pub fn provider(&self, name: &str) -> Option<Arc<dyn Provider>> {
        let map = self.0.providers.read().unwrap_or_else(|e| e.into_inner());
        map.get(name).and_then(Weak::upgrade)
    }

    pub fn providers(&self) -> Vec<Arc<dyn Provider>> {
        let map = self.0.providers.read().unwrap_or_else(|e| e.into_inner());
        map.values().filter_map(Weak::upgrade).collect()
    }

    // ---- the admin listener ---------------------------------------------------------------

    /// Tells the engine where the admin listener is bound (and its token), once it is: webhook
    /// URLs naming it are refused from then on, and deliveries to its inboxes carry the token.
    pub fn set_admin_listener(&self, listener: AdminListener) {
        let mut slot = (self.0.admin_listener.write()).unwrap_or_else(|e| e.into_inner());
        *slot = Some(listener);
    }

    /// The admin listener, once bound.
    pub fn admin_listener(&self) -> Option<AdminListener> {
        (self
            .0
            .admin_listener
            .read()
            .unwrap_or_else(|e| e.into_inner()))
        .clone()
    }

    /// Whether a webhook URL may be registered: `Err` with the reason, worded to follow "the url
    /// field" (see [`crate::surface::check_webhook_url`]).
    pub fn check_webhook_url(&self, url: &str) -> Result<(), String> {
        let listener = self.admin_listener();
        let allow = &self.0.config.webhook_allow_hosts;
        crate::surface::check_webhook_url(url, listener.as_ref(), allow)
    }

    /// While there are more tenants than `max_tenants`, or their objects pass `max_objects`,
    /// evicts the least recently used tenant other than `serving` ([`Engine::evict_tenant`]);
    /// one its provider cannot forget is passed over.
    pub fn bound_tenants(&self, serving: &str) {
        let config = &self.0.config;
        let mut kept = std::collections::HashSet::new();
        loop {
            let over = self.0.tenants.len() > config.max_tenants
                || self.object_count() > config.max_objects;
            if !over {
                return;
            }
            let skip = |t: &str| t == serving || kept.contains(t);
            let Some((victim, _)) = self.0.tenants.least_recent(skip) else {
                return;
            };
            if !self.evict_tenant(&victim) {
                kept.insert(victim);
            }
        }
    }

    /// Objects held by every tenant of every provider, as counted on the way (a read of one
    /// number): the kits add a tenant's creations and take away what it drops, what an eviction
    /// forgets and what a reset clears ([`Kit::make_room`](crate::kit::Kit::make_room)). Equal
    /// to [`Engine::object_total`] whenever every object was made through `make_room`, and set
    /// right again at a tenant's next creation when one was not.
    pub fn object_count(&self) -> usize {
        self.0.objects.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many times a lifecycle has entered a status so far, of any object of any provider: a
    /// number that has not moved means no object became settled in between
    /// ([`Kit::make_room`](crate::kit::Kit::make_room) skips a pass it knows would find none).
    pub fn status_changes(&self) -> u64 {
        self.0
            .status_changes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn count_status_change(&self) {
        (self.0.status_changes).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// A tenant's objects, counted [`Engine::object_count`]'s way, went from `before` to `after`.
    pub(crate) fn recount_objects(&self, before: usize, after: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        if after >= before {
            self.0.objects.fetch_add(after - before, Relaxed);
        } else {
            // Never below zero, even if a kit took away more than it added.
            let less = before - after;
            let _ =
                (self.0.objects).fetch_update(Relaxed, Relaxed, |n| Some(n.saturating_sub(less)));
        }
    }

    /// Objects held by every tenant of every provider, counted now: every provider's store
    /// locked and every tenant's tables counted in turn.
    pub fn object_total(&self) -> usize {
        self.providers().iter().map(|p| p.object_total()).sum()
    }

    /// Evicts `tenant` whole: its provider forgets it (`false`, and nothing changes, when it
    /// cannot), then the engine forgets its registry entry, schedule, idempotency keys,
    /// webhook targets and pending messages, id streams and clock. Its tokens are refused from
    /// then on, as after a reset, and its credentials start a new tenant.
    pub fn evict_tenant(&self, tenant: &str) -> bool {
        let provider = tenant.split(':').next().and_then(|p| self.provider(p));
        if provider.is_some_and(|p| !p.forget_tenant(tenant)) {
            return false;
        }
        let s = &self.0;
        s.tenants.remove(tenant);
        s.timeline.forget_tenant(tenant);
        s.idempotency.forget_tenant(tenant);
        s.outbox.forget_tenant(tenant);
        s.ids.forget_tenant(tenant);
        s.clock.forget_tenant(tenant);
        tracing::info!(tenant, "tenant evicted (--max-tenants, --max-objects)");
        true
    }

    /// Forgets what the engine keeps for one dropped object of `tenant` (its scheduled
    /// transitions).
    pub(crate) fn forget_object(&self, tenant: &str, object_id: &str) {
        self.0.timeline.cancel_object(tenant, object_id);
    }

    // ---- webhook targets and deliveries -------------------------------------------------------

    /// Stores a webhook target; its `id` is `wh_<n>` unless one is given. A target with a known
    /// id replaces it; a new one past the tenant's `max_webhook_targets` is refused.
    pub fn add_webhook_target(
        &self,
        target: WebhookTarget,
    ) -> Result<WebhookTarget, crate::webhooks::TooManyTargets> {
        (self.0.outbox).add_target(target, self.0.config.max_webhook_targets)
    }

    pub fn remove_webhook_target(&self, id: &str) -> Option<WebhookTarget> {
        self.0.outbox.remove_target(id)
    }

    pub fn webhook_targets(
        &self,
        provider: Option<&str>,
        tenant: Option<&str>,
    ) -> Vec<WebhookTarget> {
        self.0.outbox.targets(provider, tenant)
    }

    /// [`Engine::webhook_targets`] as admin listings show them: secrets masked
    /// ([`crate::secrets::mask_target`]) unless `show_secrets` is set.
    pub fn webhook_listing(
        &self,
        provider: Option<&str>,
        tenant: Option<&str>,
    ) -> Vec<WebhookTarget> {
        let mut targets = self.webhook_targets(provider, tenant);
        if !self.0.config.show_secrets {
            targets.iter_mut().for_each(crate::secrets::mask_target);
        }
        targets
    }

    /// Delivery attempts, newest last (bounded by `history_cap`).
    pub fn deliveries(&self, provider: Option<&str>, tenant: Option<&str>) -> Vec<Delivery> {
        self.0.outbox.deliveries(provider, tenant)
    }

    /// How the webhook queue stands: pending, ready, retrying, in flight, cap, dropped.
    pub fn webhook_queue(&self) -> crate::webhooks::QueueStats {
        self.0.outbox.stats()
    }

    /// What is scheduled (for one provider, or all), in due order.
    pub fn pending(&self, provider: Option<&str>) -> Vec<Scheduled> {
        self.0.timeline.pending(provider)
    }

    /// Installs the fault rules consulted for every webhook message.
    pub fn set_webhook_faults(&self, faults: Arc<dyn WebhookFaults>) {
        *self
            .0
            .webhook_faults
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(faults);
    }

    // ---- reset --------------------------------------------------------------------------------

    /// Adds a hook that [`reset`](Self::reset) calls first (fault rules are cleared this way).
    pub fn on_reset(&self, hook: ResetHook) {
        let mut hooks = self
            .0
            .reset_hooks
            .write()
            .unwrap_or_else(|e| e.into_inner());
        hooks.push(hook);
    }

    /// Clears state, for one provider or all: objects, tenants, timeline, idempotency keys,
    /// webhook targets and deliveries, journal, transitions, id streams. Time does not go back.
    pub fn reset(&self, provider: Option<&str>) {
        let hooks = (self.0.reset_hooks.read().unwrap_or_else(|e| e.into_inner())).clone();
        for hook in hooks {
            hook(provider);
        }
        for p in self.providers() {
            if provider.is_none_or(|want| want == p.name()) {
                p.reset();
            }
        }
        let prefix = provider.map(|p| format!("{p}:"));
        let s = &self.0;
        s.tenants.reset(provider);
        s.timeline.reset(provider);
        s.idempotency.reset(prefix.as_deref());
        s.outbox.reset(provider);
        s.journal.clear(provider);
        s.ids.reset(prefix.as_deref());
        s.clock.forget_tenants(prefix.as_deref());
        let mut log = s.transitions.lock().unwrap_or_else(|e| e.into_inner());
        log.retain(|t| provider.is_some_and(|p| t.provider != p));
        log.shrink_to_fit();
    }
}
