//! Binds the listeners and serves the app until shut down.
//!
//! Each listener runs its own accept loop over hyper (HTTP/1.1): every connection is served by
//! `payoutsim_faults::wire::connection`, which enacts the connection-level faults (reset, empty
//! reply, hang, truncated and slow bodies) that a response cannot express, under the
//! [`ConnectionLimits`] (head, body and idle timeouts, a connection limit). Shutting down stops
//! accepting, ends hangs, lets requests in flight finish within the shutdown deadline, and
//! closes what is left.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;
use payoutsim_core::Unsent;
use payoutsim_faults::wire::{self, ReadCounter};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::app::{App, ProviderService};
use crate::config::ServeConfig;
use crate::connections::{self, ConnectionLimits};
use crate::persist;

/// A running simulator.
pub struct Running {
    pub app: App,
    /// `admin` and each provider's name -> its base URL, e.g. `http://127.0.0.1:4702`.
    pub urls: BTreeMap<String, String>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<io::Result<()>>,
    /// Written once ready, removed once stopped.
    ready_file: Option<std::path::PathBuf>,
}

impl Running {
    /// The base URL of `name` (`admin`, `onepay`, …).
    pub fn url(&self, name: &str) -> Option<&str> {
        self.urls.get(name).map(String::as_str)
    }

    /// Stops accepting, lets requests in flight finish, waits for every listener to close, and
    /// removes the ready file: a watcher never finds it for a simulator that is gone.
    pub async fn shutdown(mut self) -> io::Result<()> {
        let _ = self.stop.send(true);
        let joined = self.join().await;
        if let Some(path) = &self.ready_file
            && let Err(e) = tokio::fs::remove_file(path).await
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, path = %path.display(), "cannot remove the ready file");
        }
        joined
    }

    /// Waits until every listener has stopped (after `stop_on` fired, or an error).
    pub async fn join(&mut self) -> io::Result<()> {
        while let Some(done) = self.tasks.join_next().await {
            done.map_err(io::Error::other)??;
        }
        Ok(())
    }

    /// Shuts down when `signal` completes.
    pub async fn serve_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> io::Result<()> {
        tokio::select! {
            _ = signal => self.shutdown().await,
            done = self.join() => done,
        }
    }
}

/// Binds the admin listener and one listener per provider, starts serving, writes the ready file.
/// Returns once every listener is bound.
pub async fn start(mut config: ServeConfig) -> io::Result<Running> {
    let data = persist::open(&mut config).map_err(invalid)?;
    let app = App::with_store(&config, data.as_ref().map(|d| d.store.clone()));
    if let Some(data) = &data {
        // Held still from here until the log is replayed: the scenarios and the replay see the
        // instant simulated time started at, as the first start did.
        let origin = app.engine.clock().hold();
        app.engine.clock().pin(origin);
        data.initialise(origin).map_err(invalid)?;
    }
    for scenario in &config.scenarios {
        for note in payoutsim_faults::scenario::notes(&app.engine, scenario) {
            tracing::warn!(scenario = %scenario.name, "{note}");
        }
        payoutsim_faults::scenario::apply(&app.engine, &app.faults, scenario).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("scenario `{}`: {e}", scenario.name),
            )
        })?;
        tracing::info!(scenario = %scenario.name, rules = scenario.rules.len(), "scenario loaded");
    }
    let port = |offset: u16| {
        if config.port_base == 0 {
            0
        } else {
            config.port_base.saturating_add(offset)
        }
    };

    let mut bound: Vec<(String, TcpListener, ProviderService)> = Vec::new();
    let admin = bind(SocketAddr::new(config.bind, port(0)), "admin").await?;
    let listener = payoutsim_core::surface::AdminListener {
        addr: admin.local_addr()?,
        token: config.admin_token.clone(),
    };
    app.engine.set_admin_listener(listener);
    let admin = ("admin".to_string(), admin, app.admin_router());
    if let Some(data) = &data {
        resume(&app, data).await?;
    }
    for (id, provider) in app.providers() {
        let listener = bind(
            SocketAddr::new(config.bind, port(id.port_offset())),
            id.name(),
        )
        .await?;
        bound.push((id.name().into(), listener, app.provider_service(provider)));
    }

    let (stop, stopped) = watch::channel(false);
    let mut urls = BTreeMap::new();
    let mut tasks = JoinSet::new();
    let limits = config.connections;
    let (name, listener, router) = admin;
    urls.insert(name.clone(), listening(&name, &listener)?);
    tasks.spawn(serve_listener(
        name,
        listener,
        router,
        limits,
        stopped.clone(),
    ));
    for (name, listener, service) in bound {
        urls.insert(name.clone(), listening(&name, &listener)?);
        tasks.spawn(serve_listener(
            name,
            listener,
            service,
            limits,
            stopped.clone(),
        ));
    }
    let background = app.engine.spawn_background();
    // Messages an earlier run left ready are sent now.
    app.engine.dispatch();
    let mut stopped_bg = stopped.clone();
    let engine = app.engine.clone();
    tasks.spawn(async move {
        let _ = stopped_bg.wait_for(|s| *s).await;
        background.abort();
        log_unsent(&engine.stop_webhooks());
        Ok(())
    });

    if let Some(path) = &config.ready_file {
        write_ready_file(path, &urls).await?;
    }
    tracing::info!(seed = app.engine.ids().seed(), clock = ?app.engine.clock().mode(), "payoutsim ready");
    Ok(Running {
        app,
        urls,
        stop,
        tasks,
        ready_file: config.ready_file.clone(),
    })
}

/// The URL `listener` answers on, logged.
fn listening(name: &str, listener: &TcpListener) -> io::Result<String> {
    let url = format!("http://{}", listener.local_addr()?);
    tracing::info!(listener = %name, %url, "listening");
    Ok(url)
}

/// Accepts connections until `stopped`, then waits at most the shutdown deadline for those open
/// to finish their requests, and closes what is left.
///
/// At most `max_connections` are served at once; past it a new connection gets the 503 refusal
/// (from a task of its own, at most [`REFUSALS_AT_ONCE`] of them, else it is simply closed), so
/// the loop never stalls. An accept error (out of file descriptors, say) is logged once per burst
/// and retried after [`ACCEPT_BACKOFF`].
async fn serve_listener<S>(
    name: String,
    listener: TcpListener,
    router: S,
    limits: ConnectionLimits,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()>
where
    S: wire::Served,
{
    let graceful = GracefulShutdown::new();
    let for_connections = stopped.clone();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let mut open: JoinSet<()> = JoinSet::new();
    let mut failures = 0u64;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    if failures > 0 {
                        tracing::info!(listener = %name, failures, "accepting connections again");
                        failures = 0;
                    }
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        if let Ok(refusing) = refusals.clone().try_acquire_owned() {
                            open.spawn(async move {
                                connections::refuse(stream, limits).await;
                                drop(refusing);
                            });
                        }
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let reads = ReadCounter::default();
                    let http1 = limits.http1(&reads);
                    let conn = wire::connection_with(stream, router.clone(), for_connections.clone(), &http1, Some(reads), Some(limits.body_timeout));
                    let conn = graceful.watch(conn);
                    open.spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                        drop(slot);
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off rather than spin.
                    if failures == 0 {
                        tracing::warn!(listener = %name, error = %e, "accept failed; retrying every {ACCEPT_BACKOFF:?} until it succeeds");
                    }
                    failures += 1;
                    tokio::select! {
                        _ = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                        _ = stopped.wait_for(|s| *s) => break,
                    }
                }
            },
            Some(_) = open.join_next(), if !open.is_empty() => {}
            _ = async { let _ = stopped.wait_for(|s| *s).await; } => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            listener = %name,
            left = open.len(),
            deadline = ?limits.shutdown_deadline,
            "shutdown deadline passed: closing the connections left"
        );
    }
    open.shutdown().await;
    Ok(())
}

/// Refusals past `--max-connections` under way at once on one listener; past it a connection
/// is closed without the 503.
const REFUSALS_AT_ONCE: usize = 64;

/// How long the accept loop waits after an accept error before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Targets named one by one in the shutdown log; the rest are summed up in one line.
const UNSENT_TARGETS_LOGGED: usize = 20;

/// Logs (on stderr, with the other logs) the webhook messages left unsent at shutdown: their
/// count, then each target's, the most first. They are not kept past the process.
fn log_unsent(unsent: &Unsent) {
    let q = &unsent.queue;
    let total = q.pending + q.in_flight;
    if total == 0 {
        tracing::info!("no webhook message left unsent");
        return;
    }
    tracing::warn!(
        unsent = total,
        ready = q.ready,
        retrying = q.retrying,
        held = q.held,
        in_flight = q.in_flight,
        "webhook messages left unsent at shutdown (they are not kept)"
    );
    for t in unsent.targets.iter().take(UNSENT_TARGETS_LOGGED) {
        tracing::warn!(target_id = %t.target, url = %t.url, unsent = t.pending, "unsent webhook messages of a target");
    }
    let rest = unsent
        .targets
        .get(UNSENT_TARGETS_LOGGED..)
        .unwrap_or_default();
    if !rest.is_empty() {
        let messages: usize = rest.iter().map(|t| t.pending).sum();
        tracing::warn!(
            targets = rest.len(),
            unsent = messages,
            "unsent webhook messages of other targets"
        );
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Replays the log of a data directory that holds one, puts back the webhook deliveries, lets
/// the clock go, and installs the recorder; before any listener serves.
async fn resume(app: &App, data: &persist::DataDir) -> io::Result<()> {
    if !data.is_fresh() {
        let began = std::time::Instant::now();
        let done = persist::replay::replay(app, &data.store)
            .await
            .map_err(|e| invalid(format!("--data-dir {}: {e}", data.dir.display())))?;
        tracing::info!(
            dir = %data.dir.display(),
            inputs = done.inputs,
            deliveries = done.deliveries,
            messages = done.messages,
            took = ?began.elapsed(),
            "state replayed from the data directory"
        );
    }
    app.engine.clock().release();
    let recorder = Arc::new(persist::record::Persister(data.store.clone()));
    app.engine.set_recorder(recorder);
    Ok(())
}

async fn bind(addr: SocketAddr, name: &str) -> io::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot bind the {name} listener on {addr}: {e}"),
        )
    })
}

/// Writes the ready file atomically (a temporary file renamed), so a watcher never reads half.
async fn write_ready_file(
    path: &std::path::Path,
    urls: &BTreeMap<String, String>,
) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(urls).map_err(io::Error::other)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    tokio::fs::write(&tmp, json).await?;
    tokio::fs::rename(&tmp, path).await
}
