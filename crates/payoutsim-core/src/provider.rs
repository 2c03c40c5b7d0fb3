//! What the engine needs of an emulated provider: the object-safe face the engine, the admin
//! API and the fault layer see. Provider crates implement [`crate::kit::Spec`] and get this
//! trait from [`crate::kit::Kit`]; implement it by hand only for a provider off the kit.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::error::AdminError;
use crate::machine::{Delay, Machines, StateMachine};
use crate::timeline::Scheduled;
use crate::webhooks::{Attempt, RetryPolicy};

/// One emulated provider. Implementations are cheap handles over their own state and an
/// [`crate::Engine`]; the engine keeps only a weak reference to each.
pub trait Provider: Send + Sync + 'static {
    /// Its name in ports, tenants and the admin API: lower case, e.g. `acme`
    fn name(&self) -> &'static str;

    /// The provider's public API, on its own paths.
    fn router(&self) -> Router;

    /// Back-office actions, served under `/__admin/providers/{name}/`.
    fn admin_router(&self) -> Router {
        Router::new()
    }

    /// Its OpenAPI 3.1 document (YAML text): every path, method, auth scheme, request body and
    /// status its router answers, each with its JSON schema. Served as JSON at
    /// `GET /__admin/providers/{name}/openapi.json`. Default: none, that endpoint answers 404.
    fn openapi(&self) -> Option<&'static str> {
        None
    }

    /// The table of its state machines: the data its asynchronous objects move by.
    fn machine_table(&self) -> &Machines;

    /// The state machines of its asynchronous objects, as currently configured.
    fn machines(&self) -> Vec<StateMachine> {
        self.machine_table().list()
    }

    /// Changes the delay of edge `from -> to` of machine `kind`/`variant` (`variant` empty: every
    /// variant of the kind). False when no such edge exists. Objects already scheduled keep the
    /// delay they were scheduled with.
    fn set_delay(&self, kind: &str, variant: &str, from: &str, to: &str, after: Delay) -> bool {
        self.machine_table()
            .set_delay(kind, variant, from, to, after)
    }

    /// A scheduled transition fell due: apply it (the object may have moved on; then ignore it).
    fn apply(&self, due: &Scheduled);

    /// Its objects for `GET /__admin/providers/{name}/objects`, optionally one tenant or kind.
    fn objects(&self, tenant: Option<&str>, kind: Option<&str>) -> Value;

    /// Forgets every object of every tenant.
    fn reset(&self);

    /// The provider's own error answer for `status`, with `message` where its format has one.
    /// The journal (oversized bodies) and the fault layer render errors through it.
    fn error_response(&self, status: StatusCode, message: &str) -> Response;

    /// What a client gets when a fault cuts an answer off before the provider gave one: a 200
    /// with the start of a plausible JSON body. Default: a neutral object.
    fn placeholder(&self) -> Response {
        let body = r#"{"id":"00000000-0000-4000-8000-000000000000","status":"pending"}"#;
        let json = [(http::header::CONTENT_TYPE, "application/json")];
        axum::response::IntoResponse::into_response((StatusCode::OK, json, body))
    }

    /// The event names it emits (admin API validation and documentation). Default: none, the
    /// provider sends no webhooks, and the admin API refuses targets for it.
    fn webhook_events(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// A fresh signing secret (and provider-specific extras) for a target made via the admin API.
    /// Only asked of providers that emit events.
    fn new_webhook_secret(&self, _tenant: &str) -> (String, BTreeMap<String, String>) {
        (String::new(), BTreeMap::new())
    }

    /// Why `secret`, given for a new target through the admin API, cannot sign this provider's
    /// webhooks (not in its format). Default: any secret will do.
    fn check_webhook_secret(&self, _secret: &str) -> Result<(), String> {
        Ok(())
    }

    /// The stable id of the messages of one `event` of `tenant`, made once when they are
    /// queued (every target's message, every attempt and every duplicate carries it). Default:
    /// none.
    fn webhook_message_id(&self, _tenant: &str, _event: &str) -> Option<String> {
        None
    }

    /// Its own retry schedule for its webhooks, replacing the engine's
    /// ([`crate::kit::Spec::webhook_retry`] says how). Default: none, the engine's.
    fn webhook_retry(&self) -> Option<Arc<RetryPolicy>> {
        None
    }

    /// The headers that sign one attempt of a message (the target, the body, the message's id,
    /// the attempt's number and times). Asked at every attempt, so the headers recorded and sent
    /// are that attempt's own. Only asked of providers that emit events.
    fn sign_webhook(&self, _attempt: &Attempt<'_>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The tenant a request is for (`<provider>:<public credential>`), read from its headers and
    /// body without authenticating it, so that fault rules can match on `tenant` before the
    /// provider has seen the request. `None` when the request does not say.
    fn tenant_hint(&self, _headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        None
    }

    /// Forgets tenant `tenant` whole, evicted past `--max-tenants` or `--max-objects`: its
    /// objects, sessions and bindings, so that its tokens are refused as a reset's are and its
    /// credentials start afresh. `false` when it cannot be forgotten (the provider could not
    /// give it back as it was): the engine then evicts another. Default: it cannot.
    fn forget_tenant(&self, _tenant: &str) -> bool {
        false
    }

    /// How many objects all its tenants hold, counted against `--max-objects`. Default: none.
    fn object_total(&self) -> usize {
        0
    }

    /// Credits `amount` (in the provider's major unit, e.g. whole COP with up to 2 decimals) to
    /// tenant `tenant` (`<provider>:<credential>`), provisioning it if new: the back office's
    /// `fund` action and scenario files' `setup.balances`. `amount` is the number's digits as
    /// the client wrote them, in plain decimal (an exponent shifted exactly,
    /// [`crate::money::plain_decimal`]), never through `f64`: read it with
    /// [`crate::money::minor_units`], which refuses more precision than the provider allows.
    /// Answers what the back office shows, e.g. `{"tenant", "available"}`. Default: the provider
    /// keeps no balance.
    fn fund(&self, tenant: &str, _amount: &str) -> Result<Value, AdminError> {
        Err(AdminError::bad_request(format!(
            "{} keeps no balance to fund (tenant `{tenant}`)",
            self.name()
        )))
    }

    /// Whether [`Provider::provision`] would accept `tenant` now, changing nothing: the name is
    /// in the provider's own credential format and does not clash with what it already knows.
    /// Scenario files check the tenants of `setup.tenants` and `setup.balances` with it before
    /// anything is provisioned or funded, so a provider that implements [`Provider::fund`] or
    /// [`Provider::provision`] implements it too. Default: the provider cannot provision tenants
    /// ahead of use.
    fn check_tenant(&self, tenant: &str) -> Result<(), AdminError> {
        Err(cannot_provision(self.name(), tenant))
    }

    /// Makes tenant `tenant` (`<provider>:<public credential>`) exist before any client uses it,
    /// as a scenario file's `setup.tenants` asks: validates the name in the provider's own
    /// credential format (as [`Provider::check_tenant`]), declares it in the engine's tenants
    /// with no secret (the first client to authenticate binds its secret, and a different one
    /// is refused after that), and creates the provider's data for it exactly as first use
    /// would (the same starting balance). Idempotent: provisioning a known tenant changes
    /// nothing. Answers what the back office shows of the tenant, e.g. `{"tenant", "balance"}`.
    /// Default: the provider cannot provision tenants ahead of use.
    fn provision(&self, tenant: &str) -> Result<Value, AdminError> {
        Err(cannot_provision(self.name(), tenant))
    }

    /// The provider's own answer to a request whose session token has expired: what the
    /// `token_expired` fault sends. Providers with sessions answer exactly as for a token past its
    /// `exp`; the default is the provider's 401.
    fn expired_token_response(&self) -> Response {
        self.error_response(StatusCode::UNAUTHORIZED, "Token expired")
    }
}

pub(crate) fn cannot_provision(provider: &str, tenant: &str) -> AdminError {
    AdminError::bad_request(format!(
        "{provider} cannot provision tenants ahead of use (tenant `{tenant}`)"
    ))
}
