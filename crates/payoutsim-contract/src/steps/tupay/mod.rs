//! Tupay steps: one API user per scenario (a fresh `ops-<unique>@contract.test` on a simulator;
//! on the real sandbox `TUPAY_ACCESS_KEY` and `TUPAY_SECRET_KEY`), its `BEARER_TOKEN`, and
//! requests carrying it.
//!
//! - `sessions`: login, the three token carriers, logout, and Tupay's `{code, description}`
//! - `lists`: pages of deposits and cashouts, filters, the 60-day rule, reading every page
//! - `report`: the balance report and the balance, checked against the lists
//! - `backoffice`: insertions, moves, notes and settlements (`@sim`)
//!
//! Fault rules use the shared step (`Given a fault rule for Tupay:`, with `{tenant}`,
//! `{access_key}`). Ranges are "the last N days" of the tenant's simulated clock (the admin
//! API's) on a simulator, of the wall clock on the real sandbox.

mod backoffice;
mod lists;
mod report;
mod sessions;

use serde_json::Value;

use crate::client::Request;
use crate::params::ProviderName;
use crate::world::{ContractWorld, ProviderState, unique};

/// The variables holding the sandbox's API user (see `target::SANDBOX_CREDENTIALS`).
pub const ACCESS_KEY: &str = "TUPAY_ACCESS_KEY";
pub const SECRET_KEY: &str = "TUPAY_SECRET_KEY";

/// An API user and its session.
#[derive(Clone, Debug, Default)]
pub struct User {
    pub access_key: String,
    pub secret: String,
    pub token: Option<String>,
}

/// What a Tupay scenario holds: its API users (the first is the one in use), and what it read.
#[derive(Debug, Default)]
pub struct TupayState {
    pub users: Vec<User>,
    /// The items of the last list read (every page, or one page).
    pub items: Vec<Value>,
    /// The `rows` of each page of the last read of every page.
    pub rows: Vec<u64>,
    /// Every page read of each list, by path: what the report is checked against.
    pub read: std::collections::BTreeMap<String, Vec<Value>>,
    /// A reconciliation noted earlier, to compare a later one with.
    pub noted: Option<std::collections::BTreeMap<String, Vec<Value>>>,
    /// Pages answered 401 during the last read of every page (each followed by a new login).
    pub expired_pages: usize,
    /// The last transaction the back office inserted.
    pub inserted: Option<Value>,
    /// A balance noted earlier, minor units.
    pub noted_balance: Option<i64>,
    /// A range fixed by the scenario, `from=…&to=…`.
    pub range: Option<String>,
}

impl TupayState {
    /// A fresh API user, or the sandbox's.
    pub fn new_user(w: &ContractWorld) -> User {
        if w.target.is_simulator() {
            let id = unique(10);
            return User {
                access_key: format!("ops-{id}@contract.test"),
                secret: format!("pw-{id}"),
                token: None,
            };
        }
        let var =
            |name: &str| {
                w.target.credential(name).map(str::to_string).unwrap_or_else(|| {
                panic!("the sandbox target has no Tupay user: set {ACCESS_KEY} and {SECRET_KEY}")
            })
            };
        User {
            access_key: var(ACCESS_KEY),
            secret: var(SECRET_KEY),
            token: None,
        }
    }

    pub fn user(&self) -> &User {
        self.users
            .first()
            .unwrap_or_else(|| panic!("no Tupay user yet: start with `Given a Tupay API user`"))
    }

    pub fn user_mut(&mut self) -> &mut User {
        self.users
            .first_mut()
            .unwrap_or_else(|| panic!("no Tupay user yet: start with `Given a Tupay API user`"))
    }

    pub fn token(&self) -> &str {
        self.user()
            .token
            .as_deref()
            .unwrap_or_else(|| panic!("not logged in: add `Given I am logged in to Tupay`"))
    }

    pub fn tenant_of(access_key: &str) -> String {
        format!("tupay:{access_key}")
    }
}

impl ProviderState for TupayState {
    fn tenants(&self) -> Vec<String> {
        self.users
            .iter()
            .map(|u| Self::tenant_of(&u.access_key))
            .collect()
    }

    /// `tupay:<accessKey>` of the user in use.
    fn tenant(&self) -> String {
        Self::tenant_of(&self.user().access_key)
    }

    /// `{tenant}`, `{access_key}`, `{secret}`, `{token}`.
    fn placeholder(&self, kind: &str, _name: &str) -> Option<String> {
        match kind {
            "tenant" => Some(self.tenant()),
            "access_key" => Some(self.user().access_key.clone()),
            "secret" => Some(self.user().secret.clone()),
            "token" => Some(self.token().to_string()),
            _ => None,
        }
    }
}

/// How a request carries the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// `Cookie: BEARER_TOKEN=…`, as a cookie jar sends it back.
    Cookie,
    /// `Authorization: Bearer …`.
    Bearer,
    /// The seed's `Authorization: BEARER_TOKEN=…`.
    SeedHeader,
    /// No token.
    None,
}

impl Carrier {
    pub fn named(name: &str) -> Self {
        match name {
            "a cookie" => Self::Cookie,
            "a Bearer token" => Self::Bearer,
            "the seed's BEARER_TOKEN header" => Self::SeedHeader,
            other => panic!("unknown Tupay token carrier {other:?}"),
        }
    }
}

/// A request to Tupay: JSON content type with a body, then `token` as `carrier` says.
pub fn build(
    w: &ContractWorld,
    method: &str,
    path: &str,
    body: Option<String>,
    carrier: Carrier,
    token: Option<&str>,
) -> Request {
    let mut headers = vec![("accept".to_string(), "application/json".to_string())];
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    if let Some(token) = token {
        match carrier {
            Carrier::Cookie => headers.push(("cookie".into(), format!("BEARER_TOKEN={token}"))),
            Carrier::Bearer => headers.push(("authorization".into(), format!("Bearer {token}"))),
            Carrier::SeedHeader => {
                headers.push(("authorization".into(), format!("BEARER_TOKEN={token}")))
            }
            Carrier::None => {}
        }
    }
    Request {
        method: method.to_string(),
        url: format!("{}{path}", w.url(ProviderName::Tupay)),
        headers,
        body: body.map(String::into_bytes),
    }
}

/// A request with the scenario's session, as a cookie.
pub fn signed(w: &ContractWorld, method: &str, path: &str) -> Request {
    let token = w.tupay.token().to_string();
    build(w, method, path, None, Carrier::Cookie, Some(&token))
}

/// The current Unix time of the user in use: its simulated clock on a simulator, the wall clock
/// on the real sandbox (which lives on it).
pub async fn now(w: &ContractWorld) -> i64 {
    if !w.target.is_simulator() {
        #[allow(clippy::disallowed_methods)] // the real sandbox runs on wall time
        let wall = std::time::SystemTime::now();
        let since = wall
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return since.as_secs() as i64;
    }
    let tenant = w.tupay.tenant();
    let clock = w
        .admin("GET", &format!("/__admin/clock?tenant={tenant}"), None)
        .await;
    let text = clock["now"].as_str().unwrap_or_default();
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("clock `now` {text:?}: {e}"))
        .timestamp()
}

/// `from=…&to=…` for the last `days` days.
pub async fn last_days(w: &ContractWorld, days: i64) -> String {
    let to = now(w).await;
    format!("from={}&to={to}", to - days * 86_400)
}
