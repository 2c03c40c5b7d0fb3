//! Builds the engine and the providers the config asks for (each from its
//! [registry](crate::registry) entry), and their routers.

use std::sync::Arc;

use axum::Router;
use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::journal::journaled;
use payoutsim_core::surface::AdminListener;
use payoutsim_core::{Engine, Provider};
use payoutsim_faults::{FaultLayer, Faults};

use crate::config::ServeConfig;
use crate::registry::ProviderId;

/// The engine and the providers it serves. Holding the `App` keeps the providers alive (the
/// engine only keeps weak references to them).
#[derive(Clone)]
pub struct App {
    pub engine: Engine,
    /// The fault rules every provider router (and the webhook sender) consults.
    pub faults: Faults,
    providers: Vec<(ProviderId, Arc<dyn Provider>)>,
    admin: AdminOptions,
}

impl App {
    pub fn new(config: &ServeConfig) -> Self {
        let engine = Engine::new(config.engine.clone());
        // Where the admin listener will be, so webhook URLs naming it are refused from the
        // start (scenarios load before binding); `serve` sets the bound address again.
        if config.port_base != 0 {
            let addr = std::net::SocketAddr::new(config.bind, config.port_base);
            let token = config.admin_token.clone();
            engine.set_admin_listener(AdminListener { addr, token });
        }
        let faults = payoutsim_faults::install(&engine);
        faults.set_max_rules(config.max_fault_rules);
        let mut ids = config.providers.clone();
        ids.sort();
        ids.dedup();
        let providers = ids
            .into_iter()
            .map(|id| {
                let provider = id.build(&engine, &config.provider_settings);
                engine.register(&provider);
                (id, provider)
            })
            .collect();
        Self {
            engine,
            faults,
            providers,
            admin: AdminOptions {
                token: config.admin_token.clone(),
                allow_origins: config.admin_allow_origins.clone(),
                allow_hosts: config.admin_allow_hosts.clone(),
            },
        }
    }

    pub fn providers(&self) -> impl Iterator<Item = (ProviderId, &Arc<dyn Provider>)> {
        self.providers.iter().map(|(id, p)| (*id, p))
    }

    /// A provider's public API, wrapped in the fault layer, then the request journal (outermost).
    pub fn provider_router(&self, provider: &Arc<dyn Provider>) -> Router {
        let faults = FaultLayer::new(self.faults.clone(), self.engine.clone(), provider.clone());
        journaled(provider.router().layer(faults), &self.engine, provider)
    }

    pub fn admin_router(&self) -> Router {
        let faults = payoutsim_faults::admin::routes(self.engine.clone(), self.faults.clone());
        admin::router_with(self.engine.clone(), self.admin.clone(), faults)
    }
}
