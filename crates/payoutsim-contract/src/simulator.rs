//! The in-process simulator, as the suite sees it: something that starts one and the running
//! one's URLs. The suite cannot depend on the `payoutsim` crate (whose binary runs the suite), so
//! whoever runs it hands in a [`Starter`]: the `payoutsim` crate implements it over
//! `payoutsim::start(ServeConfig::for_tests())`, and both the binary and this crate's test target
//! pass that one.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, OnceLock};

use futures::future::BoxFuture;

/// A simulator started for one scenario.
pub trait Simulator: Send + Sync {
    /// `admin` and each provider's name -> its base URL, e.g. `http://127.0.0.1:4702`.
    fn urls(&self) -> &BTreeMap<String, String>;

    /// Stops every listener and waits for them to close.
    fn shutdown(self: Box<Self>) -> BoxFuture<'static, io::Result<()>>;
}

/// Starts a fresh simulator for one scenario: every provider and the admin API on free loopback
/// ports, a manual clock and a fixed seed (what `ServeConfig::for_tests()` gives).
pub trait Starter: Send + Sync {
    fn start(&self) -> BoxFuture<'_, io::Result<Box<dyn Simulator>>>;
}

static STARTER: OnceLock<Arc<dyn Starter>> = OnceLock::new();

/// Fixes the starter for the run (called once by the runner, for the in-process target).
pub(crate) fn set(starter: Arc<dyn Starter>) {
    let _ = STARTER.set(starter);
}

/// Starts a simulator with the run's starter.
pub(crate) async fn start() -> io::Result<Box<dyn Simulator>> {
    let starter = STARTER.get().ok_or_else(|| {
        io::Error::other("the in-process target needs a simulator starter; none was given")
    })?;
    starter.start().await
}
