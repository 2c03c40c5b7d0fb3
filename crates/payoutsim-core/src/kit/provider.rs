//! `impl Provider for Kit<S>`: the engine's view of a provider on the kit, in one place.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};
use serde_json::Value;

use super::{Kit, Spec};
use crate::error::AdminError;
use crate::machine::Machines;
use crate::provider::Provider;
use crate::timeline::Scheduled;
use crate::webhooks::{Attempt, RetryPolicy};

impl<S: Spec> Provider for Kit<S> {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn router(&self) -> Router {
        Kit::router(self)
    }

    fn admin_router(&self) -> Router {
        S::admin_routes().with_state(self.clone())
    }

    fn openapi(&self) -> Option<&'static str> {
        S::OPENAPI
    }

    fn machine_table(&self) -> &Machines {
        &self.0.machines
    }

    fn apply(&self, due: &Scheduled) {
        self.apply_due(due);
    }

    fn objects(&self, tenant: Option<&str>, kind: Option<&str>) -> Value {
        S::objects_in(self, tenant, kind)
    }

    fn reset(&self) {
        let mut store = self.store();
        *store = S::Store::default();
        self.uncount(None);
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        S::error_response(status, message)
    }

    fn placeholder(&self) -> Response {
        let body = S::placeholder_body();
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }

    fn webhook_events(&self) -> Vec<&'static str> {
        S::webhook_events().to_vec()
    }

    fn new_webhook_secret(&self, tenant: &str) -> (String, BTreeMap<String, String>) {
        S::new_webhook_secret(self, tenant)
    }

    fn check_webhook_secret(&self, secret: &str) -> Result<(), String> {
        S::check_webhook_secret(secret)
    }

    fn webhook_message_id(&self, tenant: &str, event: &str) -> Option<String> {
        S::webhook_message_id(self, tenant, event)
    }

    fn webhook_retry(&self) -> Option<Arc<RetryPolicy>> {
        self.0.retry.clone()
    }

    fn sign_webhook(&self, attempt: &Attempt<'_>) -> Vec<(String, String)> {
        S::sign_webhook(self, attempt)
    }

    fn tenant_hint(&self, headers: &HeaderMap, body: &[u8]) -> Option<String> {
        S::tenant_hint_in(self, headers, body)
    }

    fn forget_tenant(&self, tenant: &str) -> bool {
        let mut store = self.store();
        let forgot = S::forget_tenant(self, &mut store, tenant);
        if forgot {
            self.uncount(Some(tenant));
        }
        forgot
    }

    fn object_total(&self) -> usize {
        S::object_total(&self.store())
    }

    fn fund(&self, tenant: &str, amount: &str) -> Result<Value, AdminError> {
        S::fund(self, tenant, amount)
    }

    fn check_tenant(&self, tenant: &str) -> Result<(), AdminError> {
        S::check_tenant(self, tenant)
    }

    fn provision(&self, tenant: &str) -> Result<Value, AdminError> {
        S::provision(self, tenant)
    }

    fn expired_token_response(&self) -> Response {
        S::expired_token_response(self)
    }
}
