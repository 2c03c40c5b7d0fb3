//! Kashpay's test helpers on the core's harness ([`testkit::Sim`]: an engine with a manual
//! clock, Kashpay registered with it and its router behind the journal, requests through
//! `oneshot`): its credentials, its request bodies, its calls with a session, and its envelope.

#![allow(dead_code)]
#![allow(async_fn_in_trait)] // a test crate's own trait: no Send bound is needed
#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use http_body_util::BodyExt;
use payoutsim_core::testkit;
use payoutsim_kashpay::{KashpayConfig, KashpaySpec};
use serde_json::{Value, json};

pub use payoutsim_core::testkit::Resp;

pub const ENTITY: &str = "com.onsigna";
pub const USER: &str = "onsigna@gmail.com";
pub const PASSWORD: &str = "onsig1234qw";
pub const OTHER_ENTITY: &str = "com.cascade";
/// A valid Banamex (002) CLABE from Kashpay's own docs.
pub const CLABE: &str = "002028650641359744";
/// The default sandbox balance, in whole MXN.
pub const START: i64 = 1_000_000;
/// Where the core serves Kashpay's back office.
pub const BACK_OFFICE: &str = "/__admin/providers/kashpay";

pub type Sim = testkit::Sim<KashpaySpec>;

pub fn sim(seed: u64) -> Sim {
    sim_with(seed, KashpayConfig::default())
}

pub fn sim_with(seed: u64, config: KashpayConfig) -> Sim {
    Sim::new(seed, config)
}

/// A simulator and a session token for [`ENTITY`].
pub async fn signed_in(seed: u64) -> (Sim, String) {
    signed_in_with(seed, KashpayConfig::default()).await
}

/// A simulator with `config` and a session token for [`ENTITY`].
pub async fn signed_in_with(seed: u64, config: KashpayConfig) -> (Sim, String) {
    let sim = sim_with(seed, config);
    let token = sim.token(ENTITY).await;
    (sim, token)
}

/// Kashpay's settings with a sandbox entity starting at `mxn` whole pesos.
pub fn starting_with(mxn: i64) -> KashpayConfig {
    KashpayConfig {
        sandbox_starting_balance: mxn,
    }
}

/// Kashpay's reading of an answer.
pub trait KashpayResp {
    /// Asserts the body is Kashpay's error envelope with this status, name and code.
    fn assert_error(&self, status: u16, name: &str, code: u64);
    /// The error envelope's message.
    fn message(&self) -> String;
}

impl KashpayResp for Resp {
    fn assert_error(&self, status: u16, name: &str, code: u64) {
        assert_eq!(self.status, status, "body: {}", self.json);
        assert_eq!(self.json["success"], false, "body: {}", self.json);
        assert_eq!(self.json["error"]["name"], name, "body: {}", self.json);
        assert_eq!(self.json["error"]["code"], code, "body: {}", self.json);
        assert!(
            self.json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        for k in ["totalItems", "totalPages", "currentPage"] {
            assert_eq!(self.json[k], 0, "{k} of {}", self.json);
        }
    }

    fn message(&self) -> String {
        self.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// The headers of a later call: bearer token and `Entity-i`.
pub struct Auth<'a> {
    pub token: &'a str,
    pub entity: &'a str,
}

/// Kashpay's calls: authenticate, and the later calls with a session.
pub trait KashpayCalls {
    async fn authenticate(&self, entity: &str, user: &str, password: &str) -> Resp;
    /// A session token for `entity` (user `<entity>@example.com`).
    async fn token(&self, entity: &str) -> String;
    /// `method path` with the session's headers, `extra` headers and an optional JSON body.
    async fn call_as(
        &self,
        method: &str,
        path: &str,
        auth: &Auth<'_>,
        extra: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp;
    async fn order(&self, auth: &Auth<'_>, body: Value) -> Resp;
    async fn balance(&self, auth: &Auth<'_>) -> Resp;
    /// The entity's balance, in centavos.
    async fn balance_cents(&self, auth: &Auth<'_>) -> i64;
    async fn operations(&self, auth: &Auth<'_>, headers: &[(&str, &str)]) -> Resp;
    async fn search(&self, auth: &Auth<'_>, body: Value) -> Resp;
    /// The current wire status of the order with `reference`.
    async fn status_of(&self, auth: &Auth<'_>, reference: &str) -> u64;
    /// What the `token_expired` fault sends: `Provider::expired_token_response`'s body.
    async fn expired_body(&self) -> Bytes;
}

impl KashpayCalls for Sim {
    async fn authenticate(&self, entity: &str, user: &str, password: &str) -> Resp {
        let body = json!({"entity": entity, "password": password, "user": user}).to_string();
        let path = "/AuthenticationService/authenticate";
        self.call("POST", path, &[], Some(body.as_bytes())).await
    }

    async fn token(&self, entity: &str) -> String {
        let r = self
            .authenticate(entity, &format!("{entity}@example.com"), PASSWORD)
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json["authenticationResponse"]["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn call_as(
        &self,
        method: &str,
        path: &str,
        auth: &Auth<'_>,
        extra: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let bearer = format!("Bearer {}", auth.token);
        let mut headers = vec![
            ("authorization", bearer.as_str()),
            ("entity-i", auth.entity),
        ];
        headers.extend_from_slice(extra);
        let body = body.map(|b| b.to_string());
        self.call(method, path, &headers, body.as_deref().map(str::as_bytes))
            .await
    }

    async fn order(&self, auth: &Auth<'_>, body: Value) -> Resp {
        self.call_as("POST", "/OKPay/createOrder", auth, &[], Some(body))
            .await
    }

    async fn balance(&self, auth: &Auth<'_>) -> Resp {
        self.call_as("GET", "/EntitiesServices/getBalance", auth, &[], None)
            .await
    }

    async fn balance_cents(&self, auth: &Auth<'_>) -> i64 {
        let r = self.balance(auth).await;
        (r.json["onsignaEntity"]["balance"].as_f64().unwrap() * 100.0).round() as i64
    }

    async fn operations(&self, auth: &Auth<'_>, headers: &[(&str, &str)]) -> Resp {
        let path = "/EntitiesServices/getOperations";
        self.call_as("GET", path, auth, headers, None).await
    }

    async fn search(&self, auth: &Auth<'_>, body: Value) -> Resp {
        self.call_as("POST", "/OKPay/searchReference", auth, &[], Some(body))
            .await
    }

    async fn status_of(&self, auth: &Auth<'_>, reference: &str) -> u64 {
        let r = self
            .search(auth, json!({"alphanumericReference": reference}))
            .await;
        r.json["orderEntityResponse"]["status"].as_u64().unwrap()
    }

    async fn expired_body(&self) -> Bytes {
        let resp = self.provider.expired_token_response();
        assert_eq!(resp.status(), 401);
        resp.into_body().collect().await.unwrap().to_bytes()
    }
}

/// A createOrder body of the newer docs' full field set, to `account` (a CLABE of bank `002`
/// unless `codeInstituteBank` is overridden).
pub fn order_body(reference: &str, amount: Value, account: &str) -> Value {
    let bank = &account[..3.min(account.len())];
    json!({
        "alphanumericReference": reference,
        "amount": amount,
        "beneficiaryAcount": account,
        "beneficiaryAcountSPEI": account,
        "beneficiaryAddress1": "Vicente G 132 Mz5 Lt14",
        "beneficiaryAddress2": "Vicente G 132 Mz5 Lt14",
        "beneficiaryCity": "CDMX",
        "beneficiaryName": "Florentino Eter",
        "beneficiaryTypeAcount": "40",
        "codeInstituteBank": bank,
        "concept": "Deposito Maria",
        "currency": 484,
        "dataAccreditationBeneficiary": 99,
        "dateTransaction": "030421",
        "description": "prueba",
        "email": "testrest@gmail.com",
        "idBank": 4177,
        "idEntity": 4177,
        "numericReference": 4322312,
        "observation": "test@gmail.com",
        "orderingAccount": 111,
        "orderingTypeAcount": "string",
        "postalCode": 57800,
        "referenceCreatedPayment": 811111112,
        "rfc": "ROPL951201091",
        "typeTransaction": 1
    })
}

/// `body` with `changes` merged in (a `null` removes the field).
pub fn with(mut body: Value, changes: Value) -> Value {
    if let (Some(map), Value::Object(changes)) = (body.as_object_mut(), changes) {
        for (k, v) in changes {
            if v.is_null() {
                map.remove(&k);
            } else {
                map.insert(k, v);
            }
        }
    }
    body
}
