//! Part B's helpers for Dots' router tests, on the core's harness ([`testkit::Sim`]: a manual
//! clock, Dots registered, its router behind the journal, requests through `oneshot`):
//!
//! - [`Keys`]: a key pair, its Basic header and its tenant ([`SANDBOX`], [`PRODUCTION`], …)
//! - [`sim`], and [`faulty_sim`] with the fault layer and `/__admin/faults` in front, as
//!   `payoutsim serve` composes them
//! - [`DotsSim`]: calls under `/api` with a key pair, the fixtures most tests need (a user, a
//!   payout method, money in a user wallet) and the wallets as HTTP shows them
//! - [`assert_error`]: the `{success, message, error_code}` envelope
//! - [`key`]: a UUID idempotency key
#![allow(dead_code)] // each test file uses a part
#![allow(async_fn_in_trait)] // a test crate's own trait: no Send bound is needed
#![allow(clippy::unwrap_used)] // test support: a broken fixture should fail loudly

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::journal::journaled;
use payoutsim_core::kit::Kit;
use payoutsim_core::{Engine, Provider, testkit};
use payoutsim_dots::{DotsConfig, DotsSpec};
use payoutsim_faults::FaultLayer;
use serde_json::{Value, json};

pub use payoutsim_core::testkit::Resp;

pub type Sim = testkit::Sim<DotsSpec>;

/// A key pair.
#[derive(Clone, Copy, Debug)]
pub struct Keys {
    pub client_id: &'static str,
    pub api_key: &'static str,
}

/// A sandbox pair: its app starts with $100.
pub const SANDBOX: Keys = Keys {
    client_id: "pk_dev_partbsandbox",
    api_key: "sk_dev_partbsecret",
};
/// Another sandbox organisation.
pub const OTHER: Keys = Keys {
    client_id: "pk_dev_partbother",
    api_key: "sk_dev_partbothersecret",
};
/// A production pair: its app starts empty.
pub const PRODUCTION: Keys = Keys {
    client_id: "pk_prod_partbproduction",
    api_key: "sk_prod_partbsecret",
};

/// A new sandbox app's wallet, cents.
pub const SANDBOX_FUNDING: i64 = 10_000;

impl Keys {
    /// `Basic base64(client_id:api_key)`.
    pub fn basic(&self) -> String {
        let pair = format!("{}:{}", self.client_id, self.api_key);
        format!("Basic {}", STANDARD.encode(pair))
    }

    /// The tenant of the pair's own app.
    pub fn tenant(&self) -> String {
        format!("dots:{}", self.client_id)
    }
}

pub fn sim(seed: u64) -> Sim {
    Sim::new(seed, DotsConfig::default())
}

/// A simulator whose Dots router sits behind the fault layer and whose admin API serves
/// `/__admin/faults`, as `payoutsim serve` builds them.
pub fn faulty_sim(seed: u64) -> Sim {
    let engine = Engine::new(testkit::sim_config(seed));
    let faults = payoutsim_faults::install(&engine);
    let kit = Kit::<DotsSpec>::new(engine.clone(), DotsConfig::default());
    let provider: Arc<dyn Provider> = Arc::new(kit.clone());
    engine.register(&provider);
    let layer = FaultLayer::new(faults.clone(), engine.clone(), provider.clone());
    let app = journaled(provider.router().layer(layer), &engine, &provider);
    let rules = payoutsim_faults::admin::routes(engine.clone(), faults);
    let admin = admin::router_with(engine.clone(), AdminOptions::default(), rules);
    Sim::from_parts(engine, kit, provider, app, admin)
}

/// A UUID idempotency key, `n` in its last group.
pub fn key(n: u64) -> String {
    format!("7d1f0000-0000-4000-8000-{n:012}")
}

/// A UUID no object has.
pub const NOBODY: &str = "00000000-0000-4000-8000-00000000dead";

/// Asserts `resp` is Dots' envelope with `status` and `code`; answers its message.
pub fn assert_error(resp: &Resp, status: u16, code: &str) -> String {
    assert_eq!(resp.status, status, "body: {}", resp.json);
    assert_eq!(
        resp.keys(),
        ["error_code", "message", "success"],
        "{}",
        resp.json
    );
    assert_eq!(resp.json["success"], false, "{}", resp.json);
    assert_eq!(resp.json["error_code"], code, "{}", resp.json);
    let message = resp.json["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{}", resp.json);
    message.to_string()
}

/// A 10-digit phone number drawn from `name` (distinct names, distinct numbers).
fn phone_of(name: &str) -> String {
    let h = name.bytes().fold(1_469_598_103_934_665_603_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
    });
    format!("555{:07}", h % 10_000_000)
}

/// Dots' calls and fixtures on the harness.
pub trait DotsSim {
    /// `method /api{path}` with `keys`' credentials and a JSON body when given.
    async fn dots(&self, keys: Keys, method: &str, path: &str, body: Option<&Value>) -> Resp;

    async fn get(&self, keys: Keys, path: &str) -> Resp {
        self.dots(keys, "GET", path, None).await
    }

    async fn post(&self, keys: Keys, path: &str, body: &Value) -> Resp {
        self.dots(keys, "POST", path, Some(body)).await
    }

    /// A new user named `name` (e-mail `<name>@example.com`); its id.
    async fn user(&self, keys: Keys, name: &str) -> String {
        let body = json!({
            "first_name": name, "last_name": "Payee", "email": format!("{name}@example.com"),
            "country_code": "1", "phone_number": phone_of(name),
        });
        let r = self.post(keys, "/v2/users", &body).await;
        assert_eq!(r.status, 201, "user {name}: {}", r.json);
        r.json["id"].as_str().unwrap().to_string()
    }

    /// Adds a payout method to `user` (`body` holds `platform` and its fields); its id.
    async fn method(&self, keys: Keys, user: &str, body: Value) -> String {
        let path = format!("/v2/users/{user}/payout-methods");
        let r = self.dots(keys, "PUT", &path, Some(&body)).await;
        assert_eq!(r.status, 200, "payout method: {}", r.json);
        r.json["id"].as_str().unwrap().to_string()
    }

    /// An ACH method for `user`; its id (the payout's `account_id`).
    async fn ach(&self, keys: Keys, user: &str) -> String {
        let body = json!({"platform": "ach", "routing_number": "011000015", "account_number": "000123456789"});
        self.method(keys, user, body).await
    }

    /// Moves `cents` from the app wallet into `user`'s (a negative transfer).
    async fn give(&self, keys: Keys, user: &str, cents: i64) {
        let body = json!({"amount": -cents, "user_id": user});
        let r = self.post(keys, "/v2/transfers", &body).await;
        assert_eq!(r.status, 200, "transfer to {user}: {}", r.json);
    }

    /// `POST /v2/payouts` for `user`: `amount` cents on `platform`, `extra` fields merged in.
    async fn payout(
        &self,
        keys: Keys,
        user: &str,
        amount: i64,
        platform: &str,
        extra: Value,
    ) -> Resp {
        let mut body = json!({"user_id": user, "amount": amount, "platform": platform});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.post(keys, "/v2/payouts", &body).await
    }

    /// A transfer's status, read with `GET /v2/transfers/{id}`.
    async fn status_of(&self, keys: Keys, transfer: &str) -> String {
        let r = self.get(keys, &format!("/v2/transfers/{transfer}")).await;
        assert_eq!(r.status, 200, "transfer {transfer}: {}", r.json);
        r.json["status"].as_str().unwrap().to_string()
    }

    /// A payout link's status, read with `GET /v2/payout-links/{id}`.
    async fn link_status(&self, keys: Keys, link: &str) -> String {
        let r = self.get(keys, &format!("/v2/payout-links/{link}")).await;
        assert_eq!(r.status, 200, "payout link {link}: {}", r.json);
        r.json["status"].as_str().unwrap().to_string()
    }

    /// `user`'s wallet, cents, as `GET /v2/users/{id}` shows it.
    async fn user_wallet(&self, keys: Keys, user: &str) -> i64 {
        let r = self.get(keys, &format!("/v2/users/{user}")).await;
        assert_eq!(r.status, 200, "user {user}: {}", r.json);
        r.json["wallet"]["amount"].as_i64().unwrap()
    }

    /// The app of `keys` as the back office's objects view shows it (`wallet`, `funded`,
    /// `money_out`, cents).
    async fn app_view(&self, keys: Keys) -> Value;

    /// The app wallet of `keys`, cents.
    async fn app_wallet(&self, keys: Keys) -> i64 {
        self.app_view(keys).await["wallet"].as_i64().unwrap()
    }

    /// `POST /__admin/providers/dots/fund`: credits `tenant` with `dollars`.
    async fn fund(&self, tenant: &str, dollars: Value) -> Resp;
}

impl DotsSim for Sim {
    async fn dots(&self, keys: Keys, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let auth = keys.basic();
        let headers = [("authorization", auth.as_str())];
        let path = format!("/api{path}");
        match body {
            Some(b) => self.call_json(method, &path, &headers, b).await,
            None => self.call(method, &path, &headers, None).await,
        }
    }

    async fn app_view(&self, keys: Keys) -> Value {
        let tenant = keys.tenant();
        let path = format!("/__admin/providers/dots/objects?kind=app&tenant={tenant}");
        let r = self.admin("GET", &path, None).await;
        assert_eq!(r.status, 200, "objects: {}", r.json);
        let objects = r.json["objects"].as_array().unwrap();
        assert_eq!(objects.len(), 1, "one app for {tenant}: {}", r.json);
        objects[0]["object"].clone()
    }

    async fn fund(&self, tenant: &str, dollars: Value) -> Resp {
        let body = json!({"tenant": tenant, "amount": dollars});
        self.back_office("POST", "/fund", Some(body)).await
    }
}
