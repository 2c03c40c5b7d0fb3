//! Kashpay's test helpers on the core's harness ([`testkit::Sim`]: an engine with a manual
//! clock, Kashpay registered with it and its router behind the journal, requests through
//! `oneshot`): its credentials, its request bodies, its calls with a session, and its envelope.

#![allow(dead_code)]
#![allow(async_fn_in_trait)] // a test crate's own trait: no Send bound is needed
#![allow(clippy::unwrap_used)]

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

pub type Sim = testkit::Sim<KashpaySpec>;

pub fn sim(seed: u64) -> Sim {
    sim_with(seed, KashpayConfig::default())
}

pub fn sim_with(seed: u64, config: KashpayConfig) -> Sim {
    Sim::new(seed, config)
}

/// A simulator and a session of [`ENTITY`].
pub async fn signed_in(seed: u64) -> (Sim, Auth) {
    signed_in_with(seed, KashpayConfig::default()).await
}

/// A simulator with `config` and a session of [`ENTITY`].
pub async fn signed_in_with(seed: u64, config: KashpayConfig) -> (Sim, Auth) {
    let sim = sim_with(seed, config);
    let auth = sim.session(ENTITY).await;
    (sim, auth)
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
#[derive(Clone, Debug)]
pub struct Auth {
    pub token: String,
    pub entity: String,
}

impl Auth {
    pub fn new(token: &str, entity: &str) -> Self {
        Self {
            token: token.to_string(),
            entity: entity.to_string(),
        }
    }

    /// `token` sent for [`ENTITY`].
    pub fn of(token: &str) -> Self {
        Self::new(token, ENTITY)
    }
}

/// Kashpay's calls: authenticate, and the later calls with a session.
pub trait KashpayCalls {
    fn sim(&self) -> &Sim;

    async fn authenticate(&self, entity: &str, user: &str, password: &str) -> Resp {
        let body = json!({"entity": entity, "password": password, "user": user});
        self.authenticate_raw(&[], body.to_string().as_bytes())
            .await
    }

    /// `POST /AuthenticationService/authenticate` of `body` as it is, with `headers`.
    async fn authenticate_raw(&self, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let path = "/AuthenticationService/authenticate";
        self.sim().call("POST", path, headers, Some(body)).await
    }

    /// A session token for `entity` (user `<entity>@example.com`).
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

    /// A session of `entity`: its token, sent for it.
    async fn session(&self, entity: &str) -> Auth {
        Auth::new(&self.token(entity).await, entity)
    }

    /// `method path` with the session's headers, `extra` headers and an optional JSON body.
    async fn call_as(
        &self,
        method: &str,
        path: &str,
        auth: &Auth,
        extra: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let bearer = format!("Bearer {}", auth.token);
        let mut headers = vec![
            ("authorization", bearer.as_str()),
            ("entity-i", auth.entity.as_str()),
        ];
        headers.extend_from_slice(extra);
        let body = body.map(|b| b.to_string());
        (self.sim())
            .call(method, path, &headers, body.as_deref().map(str::as_bytes))
            .await
    }

    async fn order(&self, auth: &Auth, body: Value) -> Resp {
        self.call_as("POST", "/OKPay/createOrder", auth, &[], Some(body))
            .await
    }

    async fn balance(&self, auth: &Auth) -> Resp {
        self.call_as("GET", "/EntitiesServices/getBalance", auth, &[], None)
            .await
    }

    /// The entity's balance, in centavos.
    async fn balance_cents(&self, auth: &Auth) -> i64 {
        let r = self.balance(auth).await;
        (r.json["onsignaEntity"]["balance"].as_f64().unwrap() * 100.0).round() as i64
    }

    async fn operations(&self, auth: &Auth, headers: &[(&str, &str)]) -> Resp {
        let path = "/EntitiesServices/getOperations";
        self.call_as("GET", path, auth, headers, None).await
    }

    async fn search(&self, auth: &Auth, body: Value) -> Resp {
        self.call_as("POST", "/OKPay/searchReference", auth, &[], Some(body))
            .await
    }

    /// The current wire status of the order with `reference`.
    async fn status_of(&self, auth: &Auth, reference: &str) -> u64 {
        let r = self
            .search(auth, json!({"alphanumericReference": reference}))
            .await;
        r.json["orderEntityResponse"]["status"].as_u64().unwrap()
    }

    /// Forces order `id`'s status through the back office.
    async fn force(&self, id: &str, status: &str) -> Resp {
        let path = format!("/orders/{id}/status");
        let body = json!({ "status": status });
        self.sim().back_office("POST", &path, Some(body)).await
    }
}

impl KashpayCalls for Sim {
    fn sim(&self) -> &Sim {
        self
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
