//! Dots' own test helpers on the core's harness ([`testkit::Sim`]: a manual clock, Dots
//! registered, its router behind the journal exactly as its port serves it, requests through
//! `oneshot`): key pairs and their Basic header, calls as a key pair (or an app of its
//! organisation), request bodies, the error envelope, and the back office's views.

#![allow(dead_code)]
#![allow(async_fn_in_trait)] // a test crate's own trait: no Send bound is needed
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use payoutsim_core::testkit;
use payoutsim_dots::{DotsConfig, DotsSpec};
use serde_json::{Value, json};

pub use payoutsim_core::testkit::Resp;
/// Whether a string is a hyphenated UUID (the crate's own predicate, unit-tested there).
#[allow(unused_imports)] // not every test crate checks ids
pub use payoutsim_dots::validation::is_uuid;

/// Dots on a manual clock, webhook deliveries giving up after 2 s.
pub type Sim = testkit::Sim<DotsSpec>;

pub fn sim(seed: u64) -> Sim {
    Sim::new(seed, DotsConfig::default())
}

pub fn sim_with(seed: u64, config: DotsConfig) -> Sim {
    Sim::new(seed, config)
}

/// Cents a new sandbox app's wallet holds.
pub const SANDBOX_FUNDING: i64 = 10_000;

/// Who a request is made as: a key pair, and the app of its organisation it acts for
/// (`Api-App-Id`), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    pub client_id: String,
    pub api_key: String,
    pub app: Option<String>,
}

impl Keys {
    pub fn new(client_id: &str, api_key: &str) -> Self {
        Self {
            client_id: client_id.to_string(),
            api_key: api_key.to_string(),
            app: None,
        }
    }

    /// A sandbox pair (`pk_dev_<name>`, `sk_dev_<name>`).
    pub fn sandbox(name: &str) -> Self {
        Self::new(&format!("pk_dev_{name}"), &format!("sk_dev_{name}"))
    }

    /// A production pair (`pk_prod_<name>`, `sk_prod_<name>`).
    pub fn production(name: &str) -> Self {
        Self::new(&format!("pk_prod_{name}"), &format!("sk_prod_{name}"))
    }

    /// The same pair acting for its organisation's app `app_id`.
    pub fn for_app(&self, app_id: &str) -> Self {
        Self {
            app: Some(app_id.to_string()),
            ..self.clone()
        }
    }

    /// `Basic base64(client_id:api_key)`.
    pub fn authorization(&self) -> String {
        basic(&self.client_id, &self.api_key)
    }

    /// The tenant the requests land in: `dots:<client_id>` or `dots:<client_id>:<app id>`.
    pub fn tenant(&self) -> String {
        match &self.app {
            None => format!("dots:{}", self.client_id),
            Some(app) => format!("dots:{}:{app}", self.client_id),
        }
    }

    /// The headers of a request as these keys: `authorization` and `api-app-id`.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut all = vec![("authorization".to_string(), self.authorization())];
        if let Some(app) = &self.app {
            all.push(("api-app-id".to_string(), app.clone()));
        }
        all
    }
}

/// The sandbox pair most tests use.
pub fn sandbox() -> Keys {
    Keys::sandbox("alpha")
}

/// The production pair most tests use.
pub fn production() -> Keys {
    Keys::production("alpha")
}

/// `Basic base64(user:password)`, any two strings.
pub fn basic(user: &str, password: &str) -> String {
    basic_of(&format!("{user}:{password}"))
}

/// `Basic base64(decoded)`, whatever `decoded` holds.
pub fn basic_of(decoded: &str) -> String {
    format!("Basic {}", STANDARD.encode(decoded))
}

/// A create-user body, distinct per `n` (first name, e-mail and phone number).
pub fn user_body(n: u32) -> Value {
    json!({
        "first_name": format!("Bob{n}"),
        "last_name": "Loblaw",
        "email": format!("bob{n}@bobloblaw.com"),
        "country_code": "1",
        "phone_number": format!("41543{n:05}"),
        "metadata": {"internal_id": format!("user_{n}")},
    })
}

/// `body` (an object) with `field` set to `value`, or removed when `value` is `Null`.
pub fn with(mut body: Value, field: &str, value: Value) -> Value {
    let map = body.as_object_mut().unwrap();
    if value.is_null() {
        map.remove(field);
    } else {
        map.insert(field.to_string(), value);
    }
    body
}

/// Dots' reading of an answer.
pub trait DotsResp {
    /// Asserts the body is exactly `{"success": false, "message", "error_code"}` with this
    /// status and code, a non-empty message, and a JSON content type.
    fn assert_envelope(&self, status: u16, code: &str);
    /// The envelope's `message`.
    fn message(&self) -> String;
    /// `id` of the body.
    fn id(&self) -> String;
    /// The `id`s of a page's `data` (or of a bare array), in order.
    fn ids(&self) -> Vec<String>;
    /// Asserts a 2xx with a JSON content type and answers the body.
    fn ok(&self, status: u16) -> &Value;
}

impl DotsResp for Resp {
    fn assert_envelope(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.json);
        assert_json(self);
        assert_eq!(
            self.keys(),
            ["error_code", "message", "success"],
            "{}",
            self.json
        );
        assert_eq!(self.json["success"], false, "{}", self.json);
        assert_eq!(self.json["error_code"], code, "{}", self.json);
        assert!(!self.message().is_empty(), "{}", self.json);
    }

    fn message(&self) -> String {
        self.json["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn id(&self) -> String {
        let id = self.json["id"].as_str();
        id.unwrap_or_else(|| panic!("no id in {}", self.json))
            .to_string()
    }

    fn ids(&self) -> Vec<String> {
        let list = self.json.get("data").unwrap_or(&self.json);
        let list = list
            .as_array()
            .unwrap_or_else(|| panic!("no list: {}", self.json));
        list.iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.json);
        assert_json(self);
        &self.json
    }
}

/// Asserts the answer is JSON: the content type says so and the body parses.
pub fn assert_json(r: &Resp) {
    let ct = r.headers.get("content-type").map(|v| v.to_str().unwrap());
    assert_eq!(ct, Some("application/json"), "{:?}", r.bytes);
    let parsed: Result<Value, _> = serde_json::from_slice(&r.bytes);
    assert!(parsed.is_ok(), "not JSON: {:?}", r.bytes);
}

/// Calls as a Dots client makes them: Basic keys, JSON bodies, paths under `/api`.
pub trait DotsCalls {
    fn sim(&self) -> &Sim;

    /// `method path` (the whole path: `/api/v2/…`) as `keys` (none: no credentials), with
    /// `body` as it is (JSON content type unless `extra` names one) and `extra` headers.
    async fn call_as(
        &self,
        keys: Option<&Keys>,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let owned = keys.map(Keys::headers).unwrap_or_default();
        let mut headers: Vec<(&str, &str)> = (owned.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        headers.extend_from_slice(extra);
        self.sim().call(method, path, &headers, body).await
    }

    /// `GET /api<path>`; the verbs below take paths under `/api` too.
    async fn get(&self, keys: &Keys, path: &str) -> Resp {
        let path = format!("/api{path}");
        self.call_as(Some(keys), "GET", &path, &[], None).await
    }

    async fn delete(&self, keys: &Keys, path: &str) -> Resp {
        let path = format!("/api{path}");
        self.call_as(Some(keys), "DELETE", &path, &[], None).await
    }

    /// `method path` with `body` as JSON.
    async fn send_json(&self, keys: &Keys, method: &str, path: &str, body: &Value) -> Resp {
        let (path, bytes) = (format!("/api{path}"), body.to_string());
        (self.call_as(Some(keys), method, &path, &[], Some(bytes.as_bytes()))).await
    }

    async fn post(&self, keys: &Keys, path: &str, body: Value) -> Resp {
        self.send_json(keys, "POST", path, &body).await
    }

    async fn patch(&self, keys: &Keys, path: &str, body: Value) -> Resp {
        self.send_json(keys, "PATCH", path, &body).await
    }

    async fn put(&self, keys: &Keys, path: &str, body: Value) -> Resp {
        self.send_json(keys, "PUT", path, &body).await
    }

    /// `POST /v2/users` of `body`.
    async fn create_user(&self, keys: &Keys, body: Value) -> Resp {
        self.post(keys, "/v2/users", body).await
    }

    /// A user of [`user_body`]`(n)`, which must be created: its id.
    async fn user(&self, keys: &Keys, n: u32) -> String {
        let r = self.create_user(keys, user_body(n)).await;
        r.ok(201);
        r.id()
    }

    /// `count` users, numbered from `first`: their ids, oldest first.
    async fn users(&self, keys: &Keys, first: u32, count: u32) -> Vec<String> {
        let mut ids = Vec::new();
        for n in first..first + count {
            ids.push(self.user(keys, n).await);
        }
        ids
    }

    /// `POST /v2/apps {name}`, which must be created: the app's id.
    async fn app(&self, keys: &Keys, name: &str) -> String {
        let r = self.post(keys, "/v2/apps", json!({ "name": name })).await;
        r.ok(201);
        r.id()
    }

    /// `POST /v2/users/{id}/send-verification-token` with `{}`: the answer.
    async fn send_token(&self, keys: &Keys, user_id: &str) -> Resp {
        let path = format!("/v2/users/{user_id}/send-verification-token");
        self.post(keys, &path, json!({})).await
    }

    /// `POST /v2/users/{id}/verify {token}`.
    async fn verify(&self, keys: &Keys, user_id: &str, token: &str) -> Resp {
        let path = format!("/v2/users/{user_id}/verify");
        self.post(keys, &path, json!({ "token": token })).await
    }

    /// The back office's SMS outbox of `keys`' app for `user_id`, oldest first.
    async fn sms(&self, keys: &Keys, user_id: &str) -> Vec<Value> {
        let path = format!("/sms?tenant={}&user_id={user_id}", keys.tenant());
        let r = self.sim().back_office("GET", &path, None).await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json["messages"].as_array().unwrap().clone()
    }

    /// A code sent to `user_id`, read from the outbox: the newest one.
    async fn token_sent(&self, keys: &Keys, user_id: &str) -> String {
        let r = self.send_token(keys, user_id).await;
        r.ok(202);
        let messages = self.sms(keys, user_id).await;
        let last = messages.last().unwrap();
        last["token"].as_str().unwrap().to_string()
    }

    /// A user verified through the outbox.
    async fn verified_user(&self, keys: &Keys, n: u32) -> String {
        let id = self.user(keys, n).await;
        let token = self.token_sent(keys, &id).await;
        self.verify(keys, &id, &token).await.ok(200);
        id
    }

    /// `keys`' app as the back office sees it (`objects?kind=app`): `{name, environment,
    /// wallet, money_out, funded}`, `Null` when it does not exist.
    fn app_record(&self, keys: &Keys) -> Value {
        let tenant = keys.tenant();
        let list = self.sim().object_list(Some(&tenant), Some("app"));
        list.first().map_or(Value::Null, |e| e["object"].clone())
    }

    /// `keys`' app wallet in cents, from the back office.
    fn app_wallet(&self, keys: &Keys) -> i64 {
        let app = self.app_record(keys);
        app["wallet"]
            .as_i64()
            .unwrap_or_else(|| panic!("no app: {app}"))
    }

    /// `POST /__admin/providers/dots/fund {tenant, amount}` (dollars), which must succeed.
    async fn fund(&self, keys: &Keys, dollars: Value) -> Value {
        let body = json!({"tenant": keys.tenant(), "amount": dollars});
        let r = self.sim().back_office("POST", "/fund", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json
    }

    /// A transfer of `amount` cents (negative: app to user), which must succeed.
    async fn transfer(&self, keys: &Keys, user_id: &str, amount: i64) -> Value {
        let body = json!({"amount": amount, "user_id": user_id});
        let r = self.post(keys, "/v2/transfers", body).await;
        r.ok(200).clone()
    }

    /// Every page of `list` (`/v2/users`, …, with its own query) walked with `starting_after`
    /// and `limit`: each page's ids and `has_more`.
    async fn walk(&self, keys: &Keys, list: &str, limit: usize) -> Vec<(Vec<String>, bool)> {
        let sep = if list.contains('?') { '&' } else { '?' };
        let mut pages = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let cursor = after.as_ref().map(|a| format!("&starting_after={a}"));
            let path = format!("{list}{sep}limit={limit}{}", cursor.unwrap_or_default());
            let r = self.get(keys, &path).await;
            r.ok(200);
            let (ids, more) = (r.ids(), r.json["has_more"].as_bool().unwrap());
            after = ids.last().cloned();
            pages.push((ids, more));
            if !more || pages.len() > 100 {
                return pages;
            }
        }
    }
}

impl DotsCalls for Sim {
    fn sim(&self) -> &Sim {
        self
    }
}
