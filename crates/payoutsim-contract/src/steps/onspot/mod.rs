//! OnSpot steps: key pairs and tokens (`auth`), Create Payouts (`payouts`), and the back office
//! standing in for OnSpot's platform (`backoffice`, `@sim`). Fault rules use the shared step
//! (`Given a fault rule for OnSpot:`, `{tenant}` being the current pair's).
//! Every phrase names OnSpot, so none is ambiguous with another provider's; the generic `Then`
//! steps of `http.rs` check answers.

mod auth;
mod backoffice;
mod payouts;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::client::Request;
use crate::params::ProviderName;
use crate::world::{ContractWorld, ProviderState, unique};

/// An OnSpot key pair and the environment it belongs to.
#[derive(Clone, Debug)]
pub struct KeyPair {
    pub public_key: String,
    pub secret_key: String,
    pub environment: String,
}

impl KeyPair {
    /// The simulator's tenant: `onspot:<environment>:<publicKey>`.
    pub fn tenant(&self) -> String {
        format!("onspot:{}:{}", self.environment, self.public_key)
    }
}

/// What an OnSpot scenario holds: its key pairs by name, the one in use, the last token.
#[derive(Debug, Default)]
pub struct OnSpotState {
    pub pairs: BTreeMap<String, KeyPair>,
    pub current: Option<String>,
    pub token: Option<String>,
}

impl OnSpotState {
    pub fn pair(&self) -> &KeyPair {
        self.current
            .as_ref()
            .and_then(|name| self.pairs.get(name))
            .unwrap_or_else(|| {
                panic!("no OnSpot key pair yet: start with `Given an OnSpot live key pair`")
            })
    }

    pub fn token(&self) -> &str {
        self.token
            .as_deref()
            .unwrap_or_else(|| panic!("no OnSpot token yet: `Given I have an OnSpot token`"))
    }
}

impl ProviderState for OnSpotState {
    fn tenants(&self) -> Vec<String> {
        self.pairs.values().map(KeyPair::tenant).collect()
    }

    /// The current key pair's.
    fn tenant(&self) -> String {
        self.pair().tenant()
    }

    /// `{tenant}`.
    fn placeholder(&self, kind: &str, _name: &str) -> Option<String> {
        (kind == "tenant").then(|| self.tenant())
    }
}

/// The variables holding the sandbox's key pair and its environment (see
/// `target::SANDBOX_CREDENTIALS`).
pub const PUBLIC_KEY: &str = "ONSPOT_PUBLIC_KEY";
pub const SECRET_KEY: &str = "ONSPOT_SECRET_KEY";
pub const ENVIRONMENT: &str = "ONSPOT_ENVIRONMENT";

/// A key pair in `environment`, named `name`, made current: a fresh one on a simulator; on the
/// real sandbox the one pair we were given (in `ONSPOT_ENVIRONMENT`, `test` by default), once
/// per scenario. A scenario that needs a second pair, or a pair of the other environment, needs
/// fresh credentials: it is tagged `@sim`.
pub fn add_pair(w: &mut ContractWorld, environment: &str, name: &str) {
    let pair = if w.target.is_simulator() {
        KeyPair {
            public_key: format!("{}{}", unique(32), unique(32)),
            secret_key: format!("sk-{}", unique(24)),
            environment: environment.to_string(),
        }
    } else {
        sandbox_pair(w, environment)
    };
    w.onspot.pairs.insert(name.to_string(), pair);
    w.onspot.current = Some(name.to_string());
}

/// The environment of the sandbox's key pair (`ONSPOT_ENVIRONMENT`, `test` by default), or
/// `None` on a simulator.
pub fn sandbox_environment(w: &ContractWorld) -> Option<&str> {
    (!w.target.is_simulator()).then(|| w.target.credential(ENVIRONMENT).unwrap_or("test"))
}

/// The sandbox's key pair, which must be of `environment` and the scenario's first.
fn sandbox_pair(w: &ContractWorld, environment: &str) -> KeyPair {
    let var = |name: &str| {
        let value = w.target.credential(name).unwrap_or_else(|| {
            panic!("the sandbox target has no OnSpot key pair: set {PUBLIC_KEY} and {SECRET_KEY}")
        });
        value.to_string()
    };
    let given = sandbox_environment(w).unwrap_or("test");
    assert!(
        given == environment && w.onspot.pairs.is_empty(),
        "this scenario needs a fresh OnSpot {environment} key pair; the sandbox target has one \
         {given} pair ({ENVIRONMENT}): tag it @sim"
    );
    KeyPair {
        public_key: var(PUBLIC_KEY),
        secret_key: var(SECRET_KEY),
        environment: given.to_string(),
    }
}

/// A request to OnSpot at `path` with `headers` (names lower-case) and an optional body.
pub fn request(
    w: &ContractWorld,
    path: &str,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
) -> Request {
    Request {
        method: "POST".into(),
        url: format!("{}{path}", w.url(ProviderName::OnSpot)),
        headers,
        body,
    }
}

/// `(name, value)` with an owned name.
pub fn header(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// `headers` with `name` (lower-case) set to `value` alone, whether it was there or not.
pub fn replace(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| k != name);
    headers.push(header(name, value));
}

/// The entries of the last Create Payouts answer (its inner array).
pub fn entries(w: &ContractWorld) -> Vec<Value> {
    let body = w.last_json();
    body.get(0)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| panic!("not a Create Payouts answer: {:?}", w.last()))
}
