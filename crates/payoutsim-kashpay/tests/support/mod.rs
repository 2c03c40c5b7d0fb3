//! Test harness: an engine with a manual clock, Kashpay registered with it, and its router wrapped
//! in the journal layer exactly as payoutsim serves it; requests go through `oneshot`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use payoutsim_core::{Engine, Provider, testkit};
use payoutsim_kashpay::{Kashpay, KashpayConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const ENTITY: &str = "com.onsigna";
pub const USER: &str = "onsigna@gmail.com";
pub const PASSWORD: &str = "onsig1234qw";
pub const OTHER_ENTITY: &str = "com.cascade";
/// A valid Banamex (002) CLABE from Kashpay's own docs.
pub const CLABE: &str = "002028650641359744";
/// The default sandbox balance, in whole MXN.
pub const START: i64 = 1_000_000;

pub struct Sim {
    pub engine: Engine,
    pub kashpay: Kashpay,
    pub provider: Arc<dyn Provider>,
    pub app: Router,
}

pub use payoutsim_core::testkit::{Resp, manual_config};

/// A simulator and a session token for [`ENTITY`].
pub async fn signed_in(seed: u64) -> (Sim, String) {
    let sim = sim(seed);
    let token = sim.token(ENTITY).await;
    (sim, token)
}

pub fn sim(seed: u64) -> Sim {
    sim_with(seed, KashpayConfig::default())
}

pub fn sim_with(seed: u64, config: KashpayConfig) -> Sim {
    let engine = Engine::new(manual_config(seed));
    let kashpay = Kashpay::new(engine.clone(), config);
    let provider: Arc<dyn Provider> = Arc::new(kashpay.clone());
    let app = testkit::mount(&engine, &provider);
    Sim {
        engine,
        kashpay,
        provider,
        app,
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

impl Sim {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        testkit::send(&self.app, req).await
    }

    /// A request with any headers and an optional raw body (JSON content type when there is one).
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let mut all = headers.to_vec();
        if body.is_some() {
            all.insert(0, ("content-type", "application/json"));
        }
        self.send(testkit::request(method, path, &all, body)).await
    }

    pub async fn authenticate(&self, entity: &str, user: &str, password: &str) -> Resp {
        let body = json!({"entity": entity, "password": password, "user": user}).to_string();
        self.raw(
            "POST",
            "/AuthenticationService/authenticate",
            &[],
            Some(body.as_bytes()),
        )
        .await
    }

    /// A session token for `entity` (user `<entity>@example.com`).
    pub async fn token(&self, entity: &str) -> String {
        let r = self
            .authenticate(entity, &format!("{entity}@example.com"), PASSWORD)
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json["authenticationResponse"]["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn call(
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
        self.raw(method, path, &headers, body.as_deref().map(str::as_bytes))
            .await
    }

    pub async fn order(&self, auth: &Auth<'_>, body: Value) -> Resp {
        self.call("POST", "/OKPay/createOrder", auth, &[], Some(body))
            .await
    }

    pub async fn balance(&self, auth: &Auth<'_>) -> Resp {
        self.call("GET", "/EntitiesServices/getBalance", auth, &[], None)
            .await
    }

    /// The entity's balance, in centavos.
    pub async fn balance_cents(&self, auth: &Auth<'_>) -> i64 {
        let r = self.balance(auth).await;
        (r.json["onsignaEntity"]["balance"].as_f64().unwrap() * 100.0).round() as i64
    }

    pub async fn operations(&self, auth: &Auth<'_>, headers: &[(&str, &str)]) -> Resp {
        self.call(
            "GET",
            "/EntitiesServices/getOperations",
            auth,
            headers,
            None,
        )
        .await
    }

    pub async fn search(&self, auth: &Auth<'_>, body: Value) -> Resp {
        self.call("POST", "/OKPay/searchReference", auth, &[], Some(body))
            .await
    }

    /// The current wire status of the order with `reference`.
    pub async fn status_of(&self, auth: &Auth<'_>, reference: &str) -> u64 {
        let r = self
            .search(auth, json!({"alphanumericReference": reference}))
            .await;
        r.json["orderEntityResponse"]["status"].as_u64().unwrap()
    }

    /// What the `token_expired` fault sends: `Provider::expired_token_response`'s body.
    pub async fn expired_body(&self) -> Bytes {
        let resp = self.provider.expired_token_response();
        assert_eq!(resp.status(), 401);
        resp.into_body().collect().await.unwrap().to_bytes()
    }

    /// A call to the back office (`/__admin/providers/kashpay/…` without its prefix):
    /// `(status, json)`.
    pub async fn admin(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let resp = self.provider.admin_router().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Serves the journaled router on a free port of 127.0.0.1; its base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = self.app.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    pub async fn advance(&self, seconds: f64) {
        self.engine.advance(seconds, None).await;
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
