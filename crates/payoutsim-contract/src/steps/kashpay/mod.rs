//! Kashpay steps: one entity per scenario (`com.kash<unique>`, tenant `kashpay:<entity>`), its
//! session token, and requests with `Authorization: Bearer` and `Entity-i`.
//!
//! - `auth`: the entity, authenticate, sessions, and Kashpay's error envelope
//! - `orders`: createOrder, searchReference, balance, operations, lifecycle and back office
//!
//! Fault rules use the shared step (`Given a fault rule for Kashpay:`, with `{tenant}`,
//! `{entity}`, `{user}`, `{password}`).

mod auth;
mod orders;

use serde_json::Value;

use crate::client::Request;
use crate::params::ProviderName;
use crate::world::{ContractWorld, ProviderState, unique};

/// The variables holding the sandbox's entity and its user (see `target::SANDBOX_CREDENTIALS`).
pub const ENTITY: &str = "KASHPAY_ENTITY";
pub const USER: &str = "KASHPAY_USER";
pub const PASSWORD: &str = "KASHPAY_PASSWORD";

/// The scenario's Kashpay entity and session.
#[derive(Debug, Default)]
pub struct KashpayState {
    pub entity: Option<String>,
    pub user: String,
    pub password: String,
    pub token: Option<String>,
}

/// How a request authenticates.
pub enum Session<'a> {
    /// The scenario's token and entity.
    Signed,
    /// The scenario's token, no `Entity-i`.
    NoEntity,
    /// The scenario's token, this `Entity-i`.
    Entity(&'a str),
    /// This `Authorization` value and the scenario's entity.
    Authorization(&'a str),
    /// No `Authorization`, the scenario's entity.
    Anonymous,
}

impl KashpayState {
    /// A fresh entity with its own user and password on a simulator; on the real sandbox the
    /// entity, user and password we were given.
    pub fn new_entity(w: &ContractWorld) -> Self {
        if !w.target.is_simulator() {
            let var = |name: &str| {
                let value = w.target.credential(name).unwrap_or_else(|| {
                    panic!(
                        "the sandbox target has no Kashpay user: set {ENTITY}, {USER} and \
                         {PASSWORD}"
                    )
                });
                value.to_string()
            };
            return Self {
                entity: Some(var(ENTITY)),
                user: var(USER),
                password: var(PASSWORD),
                token: None,
            };
        }
        let id = unique(10);
        Self {
            entity: Some(format!("com.kash{id}")),
            user: format!("ops-{id}@example.com"),
            password: format!("pw-{id}"),
            token: None,
        }
    }

    pub fn entity(&self) -> &str {
        self.entity
            .as_deref()
            .unwrap_or_else(|| panic!("no Kashpay entity yet: start with `Given a Kashpay entity`"))
    }

    pub fn token(&self) -> &str {
        self.token
            .as_deref()
            .unwrap_or_else(|| panic!("not signed in: add `Given I am signed in to Kashpay`"))
    }
}

impl ProviderState for KashpayState {
    fn tenants(&self) -> Vec<String> {
        match self.entity {
            Some(_) => vec![self.tenant()],
            None => Vec::new(),
        }
    }

    /// `kashpay:<entity>`.
    fn tenant(&self) -> String {
        format!("kashpay:{}", self.entity())
    }

    /// `{entity}`, `{user}`, `{password}`, `{tenant}`.
    fn placeholder(&self, kind: &str, _name: &str) -> Option<String> {
        match kind {
            "entity" => Some(self.entity().to_string()),
            "user" => Some(self.user.clone()),
            "password" => Some(self.password.clone()),
            "tenant" => Some(self.tenant()),
            _ => None,
        }
    }
}

/// A request to Kashpay: the session's headers, then `extra`, and a JSON body if any.
pub fn build(
    w: &ContractWorld,
    method: &str,
    path: &str,
    body: Option<&Value>,
    session: Session<'_>,
    extra: &[(String, String)],
) -> Request {
    let k = &w.kashpay;
    let bearer = || format!("Bearer {}", k.token());
    let (authorization, entity) = match session {
        Session::Signed => (Some(bearer()), Some(k.entity().to_string())),
        Session::NoEntity => (Some(bearer()), None),
        Session::Entity(e) => (Some(bearer()), Some(e.to_string())),
        Session::Authorization(a) => (Some(a.to_string()), Some(k.entity().to_string())),
        Session::Anonymous => (None, Some(k.entity().to_string())),
    };
    let url = format!("{}{path}", w.url(ProviderName::Kashpay));
    let mut request = Request::json_api(method, url);
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    if let Some(e) = entity {
        request = request.header("entity-i", e);
    }
    let extra = extra.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    request
        .headers(extra)
        .json_body(body.map(|b| b.to_string().into_bytes()))
}

/// [`build`]s a request and sends it as the scenario's last exchange.
pub async fn send(
    w: &mut ContractWorld,
    method: &str,
    path: &str,
    body: Option<&Value>,
    session: Session<'_>,
    extra: &[(String, String)],
) {
    let request = build(w, method, path, body, session, extra);
    w.exchange(request).await;
}

/// Sends a request without touching the scenario's last exchange; its JSON.
pub async fn call(w: &ContractWorld, method: &str, path: &str, body: Option<&Value>) -> Value {
    let request = build(w, method, path, body, Session::Signed, &[]);
    let response = w.send(request).await;
    assert_eq!(response.status, 200, "{method} {path}: {response:?}");
    response.json()
}
