//! The client under test: the built-in client ([`BuiltIn`]) or a team's adapter process
//! ([`AdapterProcess`]), behind one interface the client steps use: [`ClientUnderTest::supports`],
//! [`configure`](ClientUnderTest::configure), [`perform`](ClientUnderTest::perform) and
//! [`reset`](ClientUnderTest::reset).
//!
//! The run's choice is a [`RunClient`], fixed by the runner before the scenarios start
//! ([`set_run_client`]). The built-in client is made afresh for each scenario. An adapter is one
//! process for the whole run: a scenario takes it (waiting while another one holds it, so the
//! scenarios that use it run one at a time), resets it, and gives it back when it ends.
//!
//! Waiting goes through a [`Clock`]: on a simulator it advances the scenario's tenants' clocks
//! through the admin API (no real sleep), on a sandbox it sleeps.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::adapter::{AdapterError, AdapterProcess, Outcome, SleepMode};
use crate::builtin::{self, BuiltIn, Configured};
use crate::client::{Adapter as _, Request, ReqwestAdapter};

/// The request timeout the suite asks every client to apply (`configure.timeout_s`); the
/// timeout scenarios hold an answer back for longer than this.
pub const CLIENT_TIMEOUT_S: f64 = 2.0;

/// The client a run drives the `@client` scenarios with.
pub enum RunClient {
    /// The built-in client, one per scenario.
    BuiltIn,
    /// A team's adapter process, shared by the run's scenarios one at a time.
    Adapter {
        command: String,
        hello: crate::adapter::Hello,
        process: Arc<AsyncMutex<AdapterProcess>>,
    },
}

impl RunClient {
    /// Starts `command` as the run's adapter (its hello read).
    pub async fn adapter(command: &str) -> Result<Self, AdapterError> {
        let process = AdapterProcess::start(command).await?;
        Ok(Self::Adapter {
            command: command.to_string(),
            hello: process.hello().clone(),
            process: Arc::new(AsyncMutex::new(process)),
        })
    }

    /// Whether the client performs `op` for `provider`.
    pub fn supports(&self, provider: &str, op: &str) -> bool {
        match self {
            Self::BuiltIn => builtin::operations()
                .get(provider)
                .is_some_and(|ops| ops.contains(op)),
            Self::Adapter { hello, .. } => hello
                .operations
                .get(provider)
                .is_some_and(|ops| ops.contains(op)),
        }
    }

    /// The providers the client serves at all.
    pub fn providers(&self) -> BTreeSet<String> {
        match self {
            Self::BuiltIn => builtin::operations().into_keys().collect(),
            Self::Adapter { hello, .. } => hello.operations.keys().cloned().collect(),
        }
    }

    /// How the client waits.
    pub fn sleep_mode(&self) -> SleepMode {
        match self {
            Self::BuiltIn => SleepMode::Suite,
            Self::Adapter { hello, .. } => hello.sleep,
        }
    }

    pub fn is_adapter(&self) -> bool {
        matches!(self, Self::Adapter { .. })
    }

    /// What the report calls it: `built-in` or the adapter's name and command.
    pub fn describe(&self) -> String {
        match self {
            Self::BuiltIn => "built-in".to_string(),
            Self::Adapter { command, hello, .. } => {
                format!("{} {} (`{command}`)", hello.name, hello.version)
            }
        }
    }

    /// Asks the adapter, if any, to exit (the run is over).
    pub async fn shutdown(&self) {
        if let Self::Adapter { process, .. } = self {
            // The scenarios are over, so nothing holds it; take it out from behind the lock.
            let mut guard = process.lock().await;
            let _ = guard.shutdown_in_place().await;
        }
    }
}

static RUN_CLIENT: Mutex<Option<Arc<RunClient>>> = Mutex::new(None);

/// Fixes the client of the run that starts now.
pub fn set_run_client(client: Arc<RunClient>) {
    *RUN_CLIENT.lock().unwrap_or_else(PoisonError::into_inner) = Some(client);
}

/// The client of the run in progress (the built-in one if none was set).
pub fn run_client() -> Arc<RunClient> {
    let mut slot = RUN_CLIENT.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(slot.get_or_insert_with(|| Arc::new(RunClient::BuiltIn)))
}

/// The scenario's client, once a step configured it.
pub enum ClientUnderTest {
    /// One built-in client per provider the scenario configured.
    BuiltIn(BTreeMap<String, BuiltIn>),
    /// The run's adapter, held by this scenario until it ends.
    Adapter(OwnedMutexGuard<AdapterProcess>),
}

impl ClientUnderTest {
    /// The scenario's client: a new built-in one, or the run's adapter once it is free, reset.
    pub async fn take(run: &RunClient) -> Result<Self, AdapterError> {
        match run {
            RunClient::BuiltIn => Ok(Self::BuiltIn(BTreeMap::new())),
            RunClient::Adapter { process, .. } => {
                let mut guard = Arc::clone(process).lock_owned().await;
                guard.reset().await?;
                Ok(Self::Adapter(guard))
            }
        }
    }

    /// Points the client at `provider`: where it is, who the client is, the webhook secret.
    pub async fn configure(
        &mut self,
        provider: &str,
        base_url: &str,
        credentials: Value,
        webhook_secret: Option<&str>,
    ) -> Result<(), AdapterError> {
        match self {
            Self::BuiltIn(clients) => {
                let config = Configured {
                    base_url: base_url.to_string(),
                    credentials,
                    webhook_secret: webhook_secret.map(str::to_string),
                };
                let timeout = Duration::from_secs_f64(CLIENT_TIMEOUT_S);
                clients.insert(
                    provider.to_string(),
                    BuiltIn::new(provider, config, timeout),
                );
                Ok(())
            }
            Self::Adapter(process) => {
                (process.configure(
                    provider,
                    base_url,
                    credentials,
                    webhook_secret,
                    CLIENT_TIMEOUT_S,
                ))
                .await
            }
        }
    }

    /// Performs `op` for `provider`, waiting through `clock` when the client waits.
    pub async fn perform(
        &mut self,
        provider: &str,
        op: &str,
        params: Value,
        clock: &Clock,
    ) -> Result<Outcome, AdapterError> {
        let mut sleeper = clock.sleeper();
        match self {
            Self::BuiltIn(clients) => {
                let client = clients.get_mut(provider).ok_or_else(|| AdapterError {
                    what: format!("the built-in client was not configured for {provider}"),
                    stderr: String::new(),
                })?;
                Ok(client.perform(op, &params, &mut sleeper).await)
            }
            Self::Adapter(process) => process.perform(provider, op, params, &mut sleeper).await,
        }
    }

    /// The client forgets what it remembered (a new built-in client; the adapter's `reset`).
    pub async fn reset(&mut self) -> Result<(), AdapterError> {
        match self {
            Self::BuiltIn(clients) => {
                clients.clear();
                Ok(())
            }
            Self::Adapter(process) => process.reset().await,
        }
    }
}

/// How the client's waiting passes: the scenario's tenants' simulated clocks through the admin
/// API, or real time where there is none. Every wait asked for is recorded.
#[derive(Clone)]
pub struct Clock {
    pub admin: Option<String>,
    pub admin_token: Option<String>,
    pub tenants: Vec<String>,
    pub waits: Arc<Mutex<Vec<f64>>>,
}

impl Clock {
    /// The waits the client asked for so far, in seconds.
    pub fn waits(&self) -> Vec<f64> {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits `seconds`; answers the time after it (RFC 3339; the simulated time on a simulator).
    pub fn sleeper(&self) -> impl FnMut(f64) -> BoxFuture<'static, String> + Send + use<> {
        let clock = self.clone();
        move |seconds| {
            clock
                .waits
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(seconds);
            let clock = clock.clone();
            async move { clock.wait(seconds).await }.boxed()
        }
    }

    async fn wait(&self, seconds: f64) -> String {
        let Some(admin) = &self.admin else {
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            return wall_now();
        };
        let transport = ReqwestAdapter::new();
        let mut now = String::new();
        for tenant in &self.tenants {
            let body = json!({"seconds": seconds, "tenant": tenant});
            let mut request = Request::json_api("POST", format!("{admin}/__admin/clock/advance"));
            if let Some(token) = &self.admin_token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let request = request.json_body(Some(body.to_string().into_bytes()));
            match transport.send(request).await {
                Ok(answer) if (200..300).contains(&answer.status) => {
                    now = answer.json()["now"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                }
                Ok(answer) => panic!("advancing {tenant}'s clock answered {answer:?}"),
                Err(e) => panic!("advancing {tenant}'s clock: {e}"),
            }
        }
        now
    }
}

/// The wall time, for the real sandboxes: they have no simulated clock to report.
#[allow(clippy::disallowed_methods)]
fn wall_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
