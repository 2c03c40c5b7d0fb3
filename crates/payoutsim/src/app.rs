//! Builds the engine and the providers the config asks for (each from its
//! [registry](crate::registry) entry), and their routers.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::journal::Journaled;
use payoutsim_core::surface::AdminListener;
use payoutsim_core::{Engine, Provider};
use payoutsim_faults::{FaultLayer, Faults};

use crate::config::ServeConfig;
use crate::persist::Store;
use crate::persist::record::{self, Recording};
use crate::registry::ProviderId;

/// A provider's API as its listener serves it: the journal around the fault layer around the
/// provider's router.
pub type ProviderService = Journaled<payoutsim_faults::layer::Fault<Router>>;

/// The engine and the providers it serves. Holding the `App` keeps the providers alive (the
/// engine only keeps weak references to them).
#[derive(Clone)]
pub struct App {
    pub engine: Engine,
    /// The fault rules every provider router (and the webhook sender) consults.
    pub faults: Faults,
    providers: Vec<(ProviderId, Arc<dyn Provider>)>,
    admin: AdminOptions,
    /// `--data-dir`'s store: every router records its inputs there.
    store: Option<Arc<Store>>,
}

impl App {
    pub fn new(config: &ServeConfig) -> Self {
        Self::with_store(config, None)
    }

    /// [`App::new`] whose routers record their inputs in `store` (`--data-dir`).
    pub fn with_store(config: &ServeConfig, store: Option<Arc<Store>>) -> Self {
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
            store,
        }
    }

    pub fn providers(&self) -> impl Iterator<Item = (ProviderId, &Arc<dyn Provider>)> {
        self.providers.iter().map(|(id, p)| (*id, p))
    }

    /// A provider's public API, wrapped in the fault layer, then the request journal (outermost).
    /// With a store, the requests the fault layer passes are recorded (see [`crate::persist`]).
    /// What a provider's listener serves: its connections call it with no router around it.
    pub fn provider_service(&self, provider: &Arc<dyn Provider>) -> ProviderService {
        let faults = FaultLayer::new(self.faults.clone(), self.engine.clone(), provider.clone());
        let mut inner = provider.router();
        if let Some(rec) = self.recording(provider.name()) {
            inner = inner.layer(from_fn_with_state(rec, record::provider));
        }
        // Around the whole router, not each route: see `journaled`.
        Journaled::new(tower::Layer::layer(&faults, inner), &self.engine, provider)
    }

    /// [`App::provider_service`] as a router, for `oneshot` calls in process.
    pub fn provider_router(&self, provider: &Arc<dyn Provider>) -> Router {
        Router::new().fallback_service(self.provider_service(provider))
    }

    /// The admin API; with a store, its state-changing calls are recorded.
    pub fn admin_router(&self) -> Router {
        let router = self.admin_routes();
        match self.recording("admin") {
            Some(rec) => router.layer(from_fn_with_state(rec, record::admin)),
            None => router,
        }
    }

    /// The admin API, never recorded (what a replay goes through).
    pub fn admin_routes(&self) -> Router {
        let faults = payoutsim_faults::admin::routes(self.engine.clone(), self.faults.clone());
        admin::router_with(self.engine.clone(), self.admin.clone(), faults)
    }

    fn recording(&self, listener: &'static str) -> Option<Recording> {
        self.store.as_ref().map(|store| Recording {
            store: store.clone(),
            engine: self.engine.clone(),
            listener,
        })
    }
}
