//! Binds the listeners and serves the app until shut down.
//!
//! Each listener runs its own accept loop over hyper (HTTP/1.1): every connection is served by
//! `payoutsim_faults::wire::connection`, which enacts the connection-level faults (reset, empty
//! reply, hang, truncated and slow bodies) that a response cannot express. Shutting down stops
//! accepting, ends hangs, and lets requests in flight finish.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::App;
use crate::config::ServeConfig;

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
pub async fn start(config: ServeConfig) -> io::Result<Running> {
    let app = App::new(&config);
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

    let mut bound: Vec<(String, TcpListener, Router)> = Vec::new();
    let admin = bind(SocketAddr::new(config.bind, port(0)), "admin").await?;
    let listener = payoutsim_core::surface::AdminListener {
        addr: admin.local_addr()?,
        token: config.admin_token.clone(),
    };
    app.engine.set_admin_listener(listener);
    bound.push(("admin".into(), admin, app.admin_router()));
    for (id, provider) in app.providers() {
        let listener = bind(
            SocketAddr::new(config.bind, port(id.port_offset())),
            id.name(),
        )
        .await?;
        bound.push((id.name().into(), listener, app.provider_router(provider)));
    }

    let (stop, stopped) = watch::channel(false);
    let mut urls = BTreeMap::new();
    let mut tasks = JoinSet::new();
    for (name, listener, router) in bound {
        let url = format!("http://{}", listener.local_addr()?);
        tracing::info!(listener = %name, %url, "listening");
        urls.insert(name, url);
        tasks.spawn(serve_listener(listener, router, stopped.clone()));
    }
    let background = app.engine.spawn_background();
    let mut stopped_bg = stopped.clone();
    tasks.spawn(async move {
        let _ = stopped_bg.wait_for(|s| *s).await;
        background.abort();
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

/// Accepts connections until `stopped`, then waits for those open to finish their requests.
async fn serve_listener(
    listener: TcpListener,
    router: Router,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    let for_connections = stopped.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let conn = payoutsim_faults::wire::connection(stream, router.clone(), for_connections.clone());
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            },
            _ = async { let _ = stopped.wait_for(|s| *s).await; } => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
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
