//! Tupay's test helpers on the core's harness ([`testkit::Sim`]: a manual clock, Tupay
//! registered, its router behind the journal, requests through `oneshot`): its credentials, its
//! calls with a session, reading every page, and its envelope.

#![allow(dead_code)]
#![allow(async_fn_in_trait)] // a test crate's own trait: no Send bound is needed
#![allow(clippy::unwrap_used)]

use payoutsim_core::testkit;
use payoutsim_tupay::{TupayConfig, TupaySpec};
use serde_json::{Value, json};

pub use payoutsim_core::testkit::Resp;

pub const KEY: &str = "ops@acme-games.com";
pub const SECRET: &str = "s3cret";
pub const OTHER_KEY: &str = "finance@lucky-star.pe";
pub const TENANT: &str = "tupay:ops@acme-games.com";
/// Where the core serves Tupay's back office.
pub const BACK_OFFICE: &str = "/__admin/providers/tupay";
pub const DAY: i64 = 86_400;

pub type Sim = testkit::Sim<TupaySpec>;

pub fn sim(seed: u64) -> Sim {
    Sim::new(seed, TupayConfig::default())
}

pub fn sim_with(seed: u64, config: TupayConfig) -> Sim {
    Sim::new(seed, config)
}

/// How the token is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    Cookie,
    Bearer,
    /// The seed's `Authorization: BEARER_TOKEN=…`.
    Seed,
}

impl Carrier {
    pub fn header(self, token: &str) -> (&'static str, String) {
        match self {
            Self::Cookie => ("cookie", format!("BEARER_TOKEN={token}")),
            Self::Bearer => ("authorization", format!("Bearer {token}")),
            Self::Seed => ("authorization", format!("BEARER_TOKEN={token}")),
        }
    }
}

/// Tupay's reading of an answer.
pub trait TupayResp {
    /// Asserts the body is `{code, description}` with this status and code.
    fn assert_error(&self, status: u16, code: u64);
    fn description(&self) -> String;
}

impl TupayResp for Resp {
    fn assert_error(&self, status: u16, code: u64) {
        assert_eq!(self.status, status, "body: {}", self.json);
        assert_eq!(self.json["code"], code, "body: {}", self.json);
        let object = self.json.as_object().unwrap();
        assert_eq!(object.len(), 2, "only code and description: {}", self.json);
        assert!(!self.description().is_empty(), "{}", self.json);
    }

    fn description(&self) -> String {
        self.json["description"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// The simulated now, in Unix seconds.
pub fn now(sim: &Sim) -> i64 {
    sim.engine.clock().now().timestamp()
}

/// Tupay's calls.
pub trait TupayCalls {
    async fn login_as(&self, key: &str, secret: &str) -> Resp;
    /// A session token for `key` (secret [`SECRET`]).
    async fn token_for(&self, key: &str) -> String;
    /// A session token for [`KEY`].
    async fn token(&self) -> String;
    /// `GET path` with the token in a cookie.
    async fn get(&self, path: &str, token: &str) -> Resp;
    async fn get_with(&self, path: &str, carrier: Carrier, token: &str) -> Resp;
    /// Every page of `list` (`/v1/deposits`, …) for `(from, to)` and `filters`, in order.
    async fn all_pages(&self, list: &str, token: &str, range: (i64, i64), q: &str) -> Vec<Value>;
    /// A back-office call that must succeed.
    async fn office(&self, path: &str, body: Value) -> Value;
    /// The back office's view of [`TENANT`]'s merchant (`GET …/merchant`).
    async fn merchant(&self) -> Value;
}

impl TupayCalls for Sim {
    async fn login_as(&self, key: &str, secret: &str) -> Resp {
        let body = json!({"accessKey": key, "secretKey": secret}).to_string();
        self.call("POST", "/v1/auth/login", &[], Some(body.as_bytes()))
            .await
    }

    async fn token_for(&self, key: &str) -> String {
        let r = self.login_as(key, SECRET).await;
        assert_eq!(r.status, 200, "{}", r.json);
        let cookie = r.headers["set-cookie"].to_str().unwrap();
        let value = cookie.split(';').next().unwrap();
        value.strip_prefix("BEARER_TOKEN=").unwrap().to_string()
    }

    async fn token(&self) -> String {
        self.token_for(KEY).await
    }

    async fn get(&self, path: &str, token: &str) -> Resp {
        self.get_with(path, Carrier::Cookie, token).await
    }

    async fn get_with(&self, path: &str, carrier: Carrier, token: &str) -> Resp {
        let (name, value) = carrier.header(token);
        self.call("GET", path, &[(name, value.as_str())], None)
            .await
    }

    async fn all_pages(&self, list: &str, token: &str, range: (i64, i64), q: &str) -> Vec<Value> {
        let (from, to) = range;
        let mut all = Vec::new();
        for page in 0.. {
            let path = format!("{list}?from={from}&to={to}&page={page}{q}");
            let r = self.get(&path, token).await;
            assert_eq!(r.status, 200, "{path}: {}", r.json);
            assert_eq!(r.json["page"], page);
            assert_eq!(r.json["maxRows"], 50);
            let data = r.json["data"].as_array().unwrap().clone();
            assert_eq!(r.json["rows"], data.len());
            let last = data.len() < 50;
            all.extend(data);
            if last {
                break;
            }
        }
        all
    }

    async fn merchant(&self) -> Value {
        let path = format!("{BACK_OFFICE}/merchant?tenant={TENANT}");
        let r = self.admin("GET", &path, None).await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json
    }

    async fn office(&self, path: &str, body: Value) -> Value {
        let r = self.back_office("POST", path, Some(body)).await;
        assert!(
            (200..300).contains(&r.status),
            "{path}: {} {}",
            r.status,
            r.json
        );
        r.json
    }
}

/// An amount of the wire (a JSON number with at most two decimals) in minor units.
pub fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap() * 100.0).round() as i64
}
