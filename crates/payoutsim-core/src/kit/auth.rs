//! The one way a request enters a tenant.
//!
//! A provider implements [`Authenticate`] for its caller type (its own credential checks, in
//! its own error envelope); handlers take [`Auth<T>`], whose extractor runs the check and then
//! [`Kit::enter`]s the tenant: the journal notes whose request it was, and with a `real` clock
//! the tenant's due transitions are applied before the handler reads anything. A caller type is
//! not an extractor by itself, so a handler cannot skip the entry.

use axum::extract::FromRequestParts;
use http::Extensions;
use http::request::Parts;

use super::{Kit, Spec};
use crate::journal::RequestNotes;

/// A provider's caller, as its credentials show it.
pub trait Authenticate<S: Spec>: Sized {
    /// Checks the request's credentials (provisioning the tenant on first use where the provider
    /// does), answering in the provider's own error envelope when they fail.
    fn authenticate(kit: &Kit<S>, parts: &Parts) -> Result<Self, S::Error>;

    /// The engine's name of the caller's tenant (`<provider>:<credential>`).
    fn tenant(&self) -> &str;
}

/// An authenticated caller whose tenant has been entered.
#[derive(Clone, Debug)]
pub struct Auth<T>(pub T);

impl<S: Spec, T: Authenticate<S>> FromRequestParts<Kit<S>> for Auth<T> {
    type Rejection = S::Error;

    async fn from_request_parts(parts: &mut Parts, kit: &Kit<S>) -> Result<Self, S::Error> {
        let caller = T::authenticate(kit, parts)?;
        kit.enter(caller.tenant(), &parts.extensions);
        Ok(Auth(caller))
    }
}

impl<S: Spec> Kit<S> {
    /// Enters `tenant` for the request whose extensions these are: notes it in the journal,
    /// marks it the most recently used tenant, evicts the least recently used others while
    /// `--max-tenants` or `--max-objects` is passed, and applies what fell due for it. [`Auth`]
    /// does this; a handler that authenticates in its body (a login endpoint) calls it itself.
    pub fn enter(&self, tenant: &str, extensions: &Extensions) {
        if let Some(notes) = extensions.get::<RequestNotes>() {
            notes.set_tenant(tenant);
        }
        self.engine().tenants().touch(tenant);
        self.engine().bound_tenants(tenant);
        self.engine().catch_up(tenant);
    }
}
