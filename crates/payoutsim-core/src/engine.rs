//! The engine handle: everything a provider needs, behind one cheap clone.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock, Weak};

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Notify;

use crate::clock::{Clock, ClockConfig, ClockMode, rfc3339};
use crate::idempotency::IdempotencyStore;
use crate::ids::Ids;
use crate::journal::Journal;
use crate::machine::{Lifecycle, StateMachine, StatusChange};
use crate::provider::Provider;
use crate::tenants::Tenants;
use crate::timeline::{Action, Scheduled, Timeline};
use crate::webhooks::{Delivery, Message, Outbox, Queue, RetryPolicy, WebhookFault, WebhookFaults};

/// The engine's settings. Every default is named here.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Seed of every id, token and random outcome.
    pub seed: u64,
    pub clock: ClockConfig,
    /// Journal entries kept (oldest dropped first). Default 1000.
    pub journal_cap: usize,
    /// Bytes kept of each journaled body. Default 16 KiB.
    pub journal_body_cap: usize,
    /// Largest request body a provider accepts. Default 1 MiB.
    pub max_body_bytes: usize,
    /// How long idempotency keys are remembered, in simulated seconds. Default 24 h.
    pub idempotency_ttl_s: i64,
    pub webhooks: RetryPolicy,
    /// Delivery attempts and transitions kept for the admin API. Default 1000 each.
    pub history_cap: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            clock: ClockConfig::default(),
            journal_cap: 1000,
            journal_body_cap: 16 * 1024,
            max_body_bytes: 1024 * 1024,
            idempotency_ttl_s: 24 * 3600,
            webhooks: RetryPolicy::default(),
            history_cap: 1000,
        }
    }
}

/// A status change, as `GET /__admin/transitions` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TransitionRecord {
    #[serde(serialize_with = "crate::clock::serialize_rfc3339")]
    pub at: DateTime<Utc>,
    pub provider: String,
    pub tenant: String,
    pub kind: String,
    pub object_id: String,
    pub from: Option<String>,
    pub to: String,
    /// `created`, `timeline` or `admin`.
    pub cause: &'static str,
    /// The fault rule that forced the object's terminal outcome (on its `created` record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced_by: Option<String>,
}

/// Called with the `?provider=` of `POST /__admin/reset` (e.g. to clear fault rules).
pub type ResetHook = Arc<dyn Fn(Option<&str>) + Send + Sync>;

pub struct Shared {
    config: EngineConfig,
    pub clock: Clock,
    pub ids: Ids,
    pub tenants: Tenants,
    pub timeline: Timeline,
    pub idempotency: IdempotencyStore,
    pub journal: Journal,
    pub outbox: Outbox,
    pub inboxes: crate::admin::inbox::Inboxes,
    transitions: Mutex<VecDeque<TransitionRecord>>,
    providers: RwLock<BTreeMap<&'static str, Weak<dyn Provider>>>,
    http: reqwest::Client,
    /// Held while sending webhooks, so messages go out one at a time and in order.
    lane: tokio::sync::Mutex<()>,
    wake: Notify,
    webhook_faults: RwLock<Option<Arc<dyn WebhookFaults>>>,
    reset_hooks: RwLock<Vec<ResetHook>>,
}

/// The engine: a cheap, clonable handle (`Arc<Shared>`).
#[derive(Clone)]
pub struct Engine(Arc<Shared>);

impl Deref for Engine {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

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
            .field("seed", &self.ids.seed())
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.webhooks.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self(Arc::new(Shared {
            clock: Clock::new(&config.clock),
            ids: Ids::new(config.seed),
            tenants: Tenants::default(),
            timeline: Timeline::default(),
            idempotency: IdempotencyStore::new(TimeDelta::seconds(config.idempotency_ttl_s)),
            journal: Journal::new(config.journal_cap, config.journal_body_cap),
            outbox: Outbox::new(config.webhooks.clone(), config.history_cap),
            inboxes: Default::default(),
            transitions: Mutex::new(VecDeque::new()),
            providers: RwLock::new(BTreeMap::new()),
            http,
            lane: tokio::sync::Mutex::new(()),
            wake: Notify::new(),
            webhook_faults: RwLock::new(None),
            reset_hooks: RwLock::new(Vec::new()),
            config,
        }))
    }

    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine(Arc::downgrade(&self.0))
    }

    pub fn config(&self) -> &EngineConfig {
        &self.0.config
    }

    /// Registers a provider so that its transitions run and the admin API reaches it.
    pub fn register(&self, provider: &Arc<dyn Provider>) {
        let mut map = self.providers.write().unwrap_or_else(|e| e.into_inner());
        map.insert(provider.name(), Arc::downgrade(provider));
    }

    pub fn provider(&self, name: &str) -> Option<Arc<dyn Provider>> {
        let map = self.providers.read().unwrap_or_else(|e| e.into_inner());
        map.get(name).and_then(Weak::upgrade)
    }

    pub fn providers(&self) -> Vec<Arc<dyn Provider>> {
        let map = self.providers.read().unwrap_or_else(|e| e.into_inner());
        map.values().filter_map(Weak::upgrade).collect()
    }

    /// A tenant's simulated time.
    pub fn now_for(&self, tenant: &str) -> DateTime<Utc> {
        self.clock.now_for(tenant)
    }

    // ---- lifecycles -------------------------------------------------------------------------

    /// Starts an object's lifecycle in the machine's initial status, destined for `outcome`
    /// (`None`: the machine's success), and schedules its first timed edge.
    #[allow(clippy::too_many_arguments)]
    pub fn start_lifecycle(
        &self,
        provider: &str,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        outcome: Option<(String, Option<String>)>,
        at: DateTime<Utc>,
    ) -> Lifecycle {
        self.start_lifecycle_forced(provider, tenant, machine, object_id, outcome, None, at)
    }

    /// [`start_lifecycle`](Self::start_lifecycle), noting in the transitions log the fault rule
    /// (`forced_by`) that decided the outcome.
    #[allow(clippy::too_many_arguments)]
    pub fn start_lifecycle_forced(
        &self,
        provider: &str,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        outcome: Option<(String, Option<String>)>,
        forced_by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Lifecycle {
        let (outcome, reason) = outcome.unwrap_or_else(|| (machine.success().to_string(), None));
        let lc = Lifecycle {
            kind: machine.kind.clone(),
            variant: machine.variant.clone(),
            status: machine.initial.clone(),
            outcome,
            reason,
            history: vec![StatusChange {
                status: machine.initial.clone(),
                at,
            }],
        };
        self.log_transition(
            provider, tenant, &lc.kind, object_id, None, &lc.status, at, "created",
        );
        if let Some(rule) = forced_by {
            let mut log = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(last) = log.back_mut().filter(|t| t.object_id == object_id) {
                last.forced_by = Some(rule.to_string());
            }
        }
        self.schedule_next(provider, tenant, machine, object_id, &lc, at);
        lc
    }

    /// Applies a due transition to `lc` if it still stands in the edge's `from` status, and
    /// schedules the next edge. Returns `(from, to, at)` when the object moved.
    pub fn step_lifecycle(
        &self,
        lc: &mut Lifecycle,
        machine: &StateMachine,
        due: &Scheduled,
    ) -> Option<(String, String, DateTime<Utc>)> {
        let Action::Transition {
            object_id,
            from,
            to,
            ..
        } = &due.action
        else {
            return None;
        };
        if lc.status != *from {
            return None;
        }
        lc.status = to.clone();
        lc.history.push(StatusChange {
            status: to.clone(),
            at: due.due,
        });
        self.log_transition(
            &due.provider,
            &due.tenant,
            &lc.kind,
            object_id,
            Some(from),
            to,
            due.due,
            "timeline",
        );
        self.schedule_next(&due.provider, &due.tenant, machine, object_id, lc, due.due);
        Some((from.clone(), to.clone(), due.due))
    }

    /// A back-office status change: any status the machine knows, now. Pending transitions of
    /// the object are dropped; from a non-terminal status the object goes on towards `outcome`.
    #[allow(clippy::too_many_arguments)]
    pub fn force_lifecycle(
        &self,
        provider: &str,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        lc: &mut Lifecycle,
        to: &str,
        at: DateTime<Utc>,
    ) -> Result<String, String> {
        if !machine.knows(to) {
            return Err(format!(
                "`{to}` is not a status of {} (known: {})",
                machine.kind,
                statuses(machine)
            ));
        }
        self.timeline.cancel_object(tenant, object_id);
        let from = std::mem::replace(&mut lc.status, to.to_string());
        if machine.is_terminal(to) {
            lc.outcome = to.to_string();
        }
        lc.history.push(StatusChange {
            status: to.to_string(),
            at,
        });
        self.log_transition(
            provider,
            tenant,
            &lc.kind,
            object_id,
            Some(&from),
            to,
            at,
            "admin",
        );
        self.schedule_next(provider, tenant, machine, object_id, lc, at);
        Ok(from)
    }

    fn schedule_next(
        &self,
        provider: &str,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        lc: &Lifecycle,
        since: DateTime<Utc>,
    ) {
        if let Some(edge) = machine.next_edge(&lc.status, &lc.outcome) {
            let action = Action::Transition {
                kind: lc.kind.clone(),
                object_id: object_id.to_string(),
                from: edge.from.clone(),
                to: edge.to.clone(),
            };
            self.timeline
                .schedule(provider, tenant, edge.after.due_from(since), action);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn log_transition(
        &self,
        provider: &str,
        tenant: &str,
        kind: &str,
        object_id: &str,
        from: Option<&str>,
        to: &str,
        at: DateTime<Utc>,
        cause: &'static str,
    ) {
        tracing::debug!(
            provider,
            tenant,
            kind,
            object_id,
            from,
            to,
            cause,
            "transition"
        );
        let mut log = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= self.config().history_cap {
            log.pop_front();
        }
        log.push_back(TransitionRecord {
            at,
            provider: provider.into(),
            tenant: tenant.into(),
            kind: kind.into(),
            object_id: object_id.into(),
            from: from.map(str::to_string),
            to: to.into(),
            cause,
            forced_by: None,
        });
    }

    pub fn transitions(
        &self,
        provider: Option<&str>,
        object_id: Option<&str>,
    ) -> Vec<TransitionRecord> {
        let log = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
        log.iter()
            .filter(|t| provider.is_none_or(|p| t.provider == p))
            .filter(|t| object_id.is_none_or(|o| t.object_id == o))
            .cloned()
            .collect()
    }

    // ---- time ------------------------------------------------------------------------------

    /// Applies every entry that is due (for one tenant, or all), in time order. Returns how many.
    pub fn run_due(&self, tenant: Option<&str>) -> usize {
        let mut applied = 0;
        while let Some(due) = self.timeline.pop_due(tenant, |t| self.clock.now_for(t)) {
            applied += 1;
            match &due.action {
                Action::Transition { .. } => match self.provider(&due.provider) {
                    Some(p) => p.apply(&due),
                    None => {
                        tracing::warn!(provider = %due.provider, "transition for a provider not served")
                    }
                },
                Action::WebhookRetry { message } => {
                    if self.outbox.unpark(*message, due.due) {
                        self.wake.notify_one();
                    }
                }
            }
        }
        if applied > 0 {
            self.idempotency.sweep(|t| self.clock.now_for(t));
        }
        applied
    }

    /// Brings one tenant up to date before a request is handled: with a `real` clock, applies the
    /// transitions that fell due since the last tick, so a poll never sees a status that should
    /// already have moved. (With a `manual` clock nothing falls due between advances.)
    pub fn catch_up(&self, tenant: &str) {
        if self.clock.mode() == ClockMode::Real {
            self.run_due(Some(tenant));
        }
    }

    /// Moves simulated time (for everyone, or one tenant) and applies what fell due.
    pub async fn advance(&self, seconds: f64, tenant: Option<&str>) {
        self.clock.advance(seconds, tenant);
        self.settle(tenant).await;
    }

    /// Applies due transitions and sends every webhook that is ready, until nothing more is due:
    /// when it returns, every delivery attempt due by now has been made and recorded.
    pub async fn settle(&self, tenant: Option<&str>) {
        loop {
            self.run_due(tenant);
            self.deliver_ready().await;
            let due = self.timeline.has_due(tenant, |t| self.clock.now_for(t));
            if !due && !self.outbox.has_ready() {
                break;
            }
        }
    }

    // ---- webhooks --------------------------------------------------------------------------

    /// Emits `event` of `tenant` with `payload`: one signed message per subscribed target. The
    /// payload is serialised only when some target wants the event, in its own field order.
    pub fn emit_webhook<T: Serialize + ?Sized>(
        &self,
        provider: &dyn Provider,
        tenant: &str,
        event: &str,
        payload: &T,
        at: DateTime<Utc>,
    ) {
        let targets: Vec<_> = self
            .outbox
            .targets(Some(provider.name()), Some(tenant))
            .into_iter()
            .filter(|t| t.wants(event))
            .collect();
        if targets.is_empty() {
            return;
        }
        let body = match serde_json::to_vec(payload) {
            Ok(b) => Bytes::from(b),
            Err(e) => {
                tracing::error!(provider = provider.name(), event, error = %e, "webhook payload did not serialise");
                return;
            }
        };
        for target in &targets {
            let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
            headers.extend(provider.sign_webhook(target, &body));
            let decision = self.webhook_faults().map_or(WebhookFault::Deliver, |f| {
                f.decide(provider.name(), tenant, event)
            });
            self.queue_message(target, event, (headers, body.clone()), at, decision);
        }
        self.wake.notify_one();
    }

    /// Installs the fault rules consulted for every webhook message.
    pub fn set_webhook_faults(&self, faults: Arc<dyn WebhookFaults>) {
        *self
            .webhook_faults
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(faults);
    }

    fn webhook_faults(&self) -> Option<Arc<dyn WebhookFaults>> {
        self.webhook_faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Queues one message as the fault decision says; a drop is recorded as a failed delivery.
    fn queue_message(
        &self,
        target: &crate::webhooks::WebhookTarget,
        event: &str,
        message: (Vec<(String, String)>, Bytes),
        at: DateTime<Utc>,
        decision: WebhookFault,
    ) {
        let outbox = &self.outbox;
        match decision {
            WebhookFault::Deliver => {
                outbox.enqueue_to(target, event, message, at, None, Queue::Ready);
            }
            WebhookFault::Duplicate { rule } => {
                let note = Some(format!("{rule}: webhook_duplicate"));
                outbox.enqueue_to(
                    target,
                    event,
                    message.clone(),
                    at,
                    note.clone(),
                    Queue::Ready,
                );
                outbox.enqueue_to(target, event, message, at, note, Queue::Ready);
            }
            WebhookFault::Reorder { rule } => {
                let note = Some(format!("{rule}: webhook_reorder"));
                outbox.enqueue_to(target, event, message, at, note, Queue::HeldForNext);
            }
            WebhookFault::Delay { rule, seconds } => {
                let note = Some(format!("{rule}: webhook_delay {seconds}s"));
                let due = at + TimeDelta::milliseconds((seconds * 1000.0).round() as i64);
                let id = outbox.enqueue_to(target, event, message, due, note, Queue::Parked);
                let action = Action::WebhookRetry { message: id };
                self.timeline
                    .schedule(&target.provider, &target.tenant, due, action);
            }
            WebhookFault::Drop { rule } => {
                let (headers, body) = message;
                outbox.record(Delivery {
                    id: 0,
                    message: 0,
                    provider: target.provider.clone(),
                    tenant: target.tenant.clone(),
                    event: event.to_string(),
                    target: target.id.clone(),
                    url: target.url.clone(),
                    attempt: 0,
                    at: rfc3339(at),
                    status: None,
                    error: Some(format!("dropped by fault rule {rule}")),
                    fault: Some(format!("{rule}: webhook_drop")),
                    headers: headers.into_iter().collect(),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                });
            }
        }
    }

    /// Sends every ready message, one at a time, recording each attempt and parking failures
    /// for a retry on the simulated clock.
    pub async fn deliver_ready(&self) {
        let _lane = self.lane.lock().await;
        while let Some(message) = self.outbox.pop_ready() {
            self.attempt(message).await;
        }
    }

    async fn attempt(&self, mut m: Message) {
        m.attempts += 1;
        let mut req = self.http.post(&m.url).body(m.body.clone());
        for (k, v) in &m.headers {
            req = req.header(k, v);
        }
        let (status, error) = match req.send().await {
            Ok(resp) => (Some(resp.status().as_u16()), None),
            Err(e) => (None, Some(describe_reqwest_error(&e))),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        let body = serde_json::from_slice(&m.body).unwrap_or(Value::Null);
        self.outbox.record(Delivery {
            id: 0,
            message: m.id,
            provider: m.provider.clone(),
            tenant: m.tenant.clone(),
            event: m.event.clone(),
            target: m.target.clone(),
            url: m.url.clone(),
            attempt: m.attempts,
            at: rfc3339(m.due),
            status,
            error,
            fault: m.fault.clone(),
            headers: m.headers.iter().cloned().collect(),
            body,
        });
        if ok {
            return;
        }
        if let Some(wait) = self.outbox.policy.backoff_after(m.attempts) {
            let due = m.due + TimeDelta::seconds(wait);
            let action = Action::WebhookRetry { message: m.id };
            self.timeline.schedule(&m.provider, &m.tenant, due, action);
            self.outbox.park(m);
        }
    }

    /// Starts the background work: the webhook sender and, with a `real` clock, a ticker that
    /// applies due transitions every 50 ms of wall time. Ends when the engine is dropped.
    pub fn spawn_background(&self) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let Some(shared) = weak.upgrade() else { return };
                let engine = Engine(shared);
                let real = engine.clock.mode() == ClockMode::Real;
                tokio::select! {
                    _ = engine.wake.notified() => engine.deliver_ready().await,
                    _ = tick.tick(), if real => {
                        engine.run_due(None);
                        engine.deliver_ready().await;
                    }
                }
                // Drop the strong handle before waiting again, so the engine can be freed.
                drop(engine);
            }
        })
    }

    /// Adds a hook that [`reset`](Self::reset) calls first (fault rules are cleared this way).
    pub fn on_reset(&self, hook: ResetHook) {
        let mut hooks = self.reset_hooks.write().unwrap_or_else(|e| e.into_inner());
        hooks.push(hook);
    }

    /// Clears state, for one provider or all: objects, tenants, timeline, idempotency keys,
    /// webhook targets and deliveries, journal, transitions, id streams. Time does not go back.
    pub fn reset(&self, provider: Option<&str>) {
        let hooks = self
            .reset_hooks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for hook in hooks {
            hook(provider);
        }
        for p in self.providers() {
            if provider.is_none_or(|want| want == p.name()) {
                p.reset();
            }
        }
        let prefix = provider.map(|p| format!("{p}:"));
        self.tenants.reset(provider);
        self.timeline.reset(provider);
        self.idempotency.reset(prefix.as_deref());
        self.outbox.reset(provider);
        if provider.is_none() {
            self.inboxes.clear(None);
        }
        self.journal.clear(provider);
        self.ids.reset(prefix.as_deref());
        self.clock.forget_tenants(prefix.as_deref());
        let mut log = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
        log.retain(|t| provider.is_some_and(|p| t.provider != p));
    }
}

fn statuses(machine: &StateMachine) -> String {
    let mut all = vec![machine.initial.clone()];
    for e in &machine.edges {
        for s in [&e.from, &e.to] {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
    }
    all.join(", ")
}

fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection refused".into()
    } else {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            msg = format!("{msg}: {s}");
            source = s.source();
        }
        msg
    }
}
