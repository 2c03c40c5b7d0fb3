//! The contract suite's in-process simulator: [`InProcess`] starts one per scenario for
//! `payoutsim contract --target sim` and for `cargo test -p payoutsim-contract` (the suite
//! cannot depend on this crate, whose binary runs it, so it takes this [`Starter`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::pin::Pin;

use payoutsim_contract::{Simulator, Starter};

use crate::{Running, ServeConfig, start};

/// Starts [`ServeConfig::for_tests`]: every provider and the admin API on free loopback ports,
/// a manual clock, seed 1.
#[derive(Clone, Copy, Debug, Default)]
pub struct InProcess;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Starter for InProcess {
    fn start(&self) -> Boxed<'_, io::Result<Box<dyn Simulator>>> {
        Box::pin(async {
            let running = start(ServeConfig::for_tests()).await?;
            Ok(Box::new(running) as Box<dyn Simulator>)
        })
    }
}

impl Simulator for Running {
    fn urls(&self) -> &BTreeMap<String, String> {
        &self.urls
    }

    fn shutdown(self: Box<Self>) -> Boxed<'static, io::Result<()>> {
        Box::pin(Running::shutdown(*self))
    }
}
