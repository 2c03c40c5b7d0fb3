//! The built-in client: the adapter protocol's operations (`docs/adapter-protocol.md`) performed
//! in process over HTTP, with the policies a production payout client needs, so that the
//! scenarios a team's adapter runs are the ones the project's own CI runs through this client.
//!
//! Its policy, the same as the Python reference client's (`adapters/python/payout_client.py`):
//! - a create sends the caller's reference as the provider's idempotency key;
//! - 429 waits for `Retry-After` (through the [`Sleeper`], so the suite drives the clock);
//!   502, 503 and 504 and broken connections back off (0.5 s, doubling) and retry, 5 attempts;
//! - a timeout or a broken connection after a create reads back by reference first;
//! - OnePay's 409 `idempotency_key_in_use` waits 1 s for the first attempt's answer;
//! - Kashpay's expired session (1004) is renewed once and the call repeated; a duplicate
//!   reference (1023) is an earlier attempt that got through, read back by reference;
//! - OnePay webhooks: HMAC-SHA256 of the raw body (`x-signature`) verified, duplicates (the same
//!   body) not applied twice, a status applied only if it moves the payout forward.
//!
//! The other providers' operations are in a module each, with their policies:
//! - `dots`: Basic auth, the reference as `idempotency_key`, dollars sent as cents, a payout
//!   found by listing (Dots reads none by key), Svix-signed webhooks;
//! - `onspot`: a token renewed once when it has expired, and no blind retry after a lost
//!   answer (OnSpot has no idempotency and no read): `timeout` or `unknown` instead;
//! - `tupay`: read-only lists walked window by window and page by page, the sliding session
//!   renewed once.

mod dots;
mod onspot;
mod tupay;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::adapter::{ClientError, ErrorKind, Outcome, Sleeper};
use crate::client::{Adapter, Request, ReqwestAdapter, Response};

/// Attempts of one call before its last answer stands.
const ATTEMPTS: u32 = 5;
/// The first back-off; each next one doubles it.
const FIRST_BACKOFF_S: f64 = 0.5;

/// The operations the built-in client performs, per provider.
pub fn operations() -> BTreeMap<String, BTreeSet<String>> {
    let set = |ops: &[&str]| ops.iter().map(|s| s.to_string()).collect();
    BTreeMap::from([
        (
            "onepay".to_string(),
            set(&[
                "payout.create",
                "payout.get",
                "payout.find",
                "balance.get",
                "webhook.receive",
                "payout.known_status",
            ]),
        ),
        (
            "kashpay".to_string(),
            set(&["payout.create", "payout.find", "balance.get"]),
        ),
        ("onspot".to_string(), set(&["payout.create"])),
        (
            "tupay".to_string(),
            set(&["cashout.list", "balance.report"]),
        ),
        (
            "dots".to_string(),
            set(&[
                "payout.create",
                "payout.get",
                "payout.find",
                "webhook.receive",
                "payout.known_status",
            ]),
        ),
    ])
}

/// What the client was configured with for one provider.
#[derive(Clone, Debug)]
pub struct Configured {
    pub base_url: String,
    pub credentials: Value,
    pub webhook_secret: Option<String>,
}

/// The built-in client of one provider, with what it remembers (a session, seen webhooks, the
/// statuses webhooks told it).
pub struct BuiltIn {
    provider: String,
    config: Configured,
    transport: ReqwestAdapter,
    token: Option<String>,
    seen: BTreeSet<Vec<u8>>,
    known: BTreeMap<String, String>,
}

impl BuiltIn {
    pub fn new(provider: &str, config: Configured, timeout: Duration) -> Self {
        Self {
            provider: provider.to_string(),
            config,
            transport: ReqwestAdapter::with_timeout(timeout),
            token: None,
            seen: BTreeSet::new(),
            known: BTreeMap::new(),
        }
    }

    /// Performs `op`; an operation it does not know is `unsupported`, as an adapter answers.
    pub async fn perform(&mut self, op: &str, params: &Value, sleeper: Sleeper<'_>) -> Outcome {
        match (self.provider.as_str(), op) {
            ("onepay", "payout.create") => self.onepay_create(params, sleeper).await,
            ("onepay", "payout.get") => {
                let id = text(params, "id")?;
                let c = self
                    .onepay_call("GET", &format!("/v1/cashouts/{id}"), None, sleeper)
                    .await?;
                Ok(
                    json!({"id": c["id"], "status": c["status"], "amount": c["amount"].to_string(),
                    "currency": "COP"}),
                )
            }
            ("onepay", "payout.find") => {
                let reference = text(params, "reference")?;
                Ok(match self.onepay_find(&reference, sleeper).await? {
                    Some(c) => json!({"id": c["id"], "status": c["status"]}),
                    None => json!({"found": false}),
                })
            }
            ("onepay", "balance.get") => {
                let b = self
                    .onepay_call("GET", "/v1/balances", None, sleeper)
                    .await?;
                Ok(json!({"amount": b["data"]["available"].to_string(), "currency": "COP"}))
            }
            ("onepay", "webhook.receive") => Ok(json!({"verdict": self.onepay_webhook(params)})),
            ("onepay", "payout.known_status") => {
                let id = text(params, "id")?;
                Ok(json!({"status": self.known.get(&id)}))
            }
            ("kashpay", "payout.create") => self.kashpay_create(params, sleeper).await,
            ("kashpay", "payout.find") => {
                let reference = text(params, "reference")?;
                match self.kashpay_find(&reference, sleeper).await {
                    Ok(o) => {
                        Ok(json!({"id": o["id"].to_string(), "status": o["status"].to_string()}))
                    }
                    Err(e) if e.code == Some(json!(1030)) => Ok(json!({"found": false})),
                    Err(e) => Err(e),
                }
            }
            ("kashpay", "balance.get") => {
                let b = self
                    .kashpay_call("GET", "/EntitiesServices/getBalance", None, sleeper, false)
                    .await?;
                Ok(json!({"amount": b["onsignaEntity"]["balance"].to_string(), "currency": "MXN"}))
            }
            ("dots", op) => self.dots(op, params, sleeper).await,
            ("onspot", op) => self.onspot(op, params, sleeper).await,
            ("tupay", op) => self.tupay(op, params, sleeper).await,
            _ => Err(failure(
                ErrorKind::Unsupported,
                format!("{op} for {}", self.provider),
            )),
        }
    }

    // ---- transport with the retry policy ------------------------------------------------------

    /// One call with retries; `None` when an attempt ended without an answer and `read_back`
    /// is set (the caller reads back), else the last answer or transport error.
    async fn call(
        &self,
        request: &Request,
        sleeper: Sleeper<'_>,
        read_back: bool,
    ) -> Result<Option<Response>, ClientError> {
        Ok(self.attempt(request, sleeper, read_back).await?.ok())
    }

    /// [`call`](Self::call), with what the transport said when an attempt got no answer and
    /// `stop_when_lost` is set: `Ok(Err(why))`, for a caller that must not repeat the request.
    async fn attempt(
        &self,
        request: &Request,
        sleeper: Sleeper<'_>,
        stop_when_lost: bool,
    ) -> Result<Result<Response, String>, ClientError> {
        let mut backoff = FIRST_BACKOFF_S;
        for attempt in 1..=ATTEMPTS {
            let last = attempt == ATTEMPTS;
            match self.transport.send(request.clone()).await {
                Err(e) => {
                    if stop_when_lost {
                        return Ok(Err(e));
                    }
                    if last {
                        return Err(lost(e, ErrorKind::Connection));
                    }
                    sleeper(backoff).await;
                    backoff *= 2.0;
                }
                Ok(r) if (r.status == 429 || matches!(r.status, 502..=504)) && !last => {
                    let wait = retry_after(&r).unwrap_or(backoff);
                    sleeper(wait).await;
                    if r.status != 429 {
                        backoff *= 2.0;
                    }
                }
                Ok(r) => return Ok(Ok(r)),
            }
        }
        Err(failure(ErrorKind::Unknown, "no attempt was made".into()))
    }

    /// [`call`](Self::call) without reading back: the answer, or why there was none.
    async fn answer(
        &self,
        request: &Request,
        sleeper: Sleeper<'_>,
    ) -> Result<Response, ClientError> {
        let answer = self.call(request, sleeper, false).await?;
        answer.ok_or_else(|| failure(ErrorKind::Unknown, "no answer".into()))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    // ---- OnePay -------------------------------------------------------------------------------

    fn onepay_request(&self, method: &str, path: &str, body: Option<&Value>) -> Request {
        let key = self.config.credentials["api_key"]
            .as_str()
            .unwrap_or_default();
        Request::json_api(method, self.url(path))
            .header("authorization", format!("Bearer {key}"))
            .json_body(body.map(|b| b.to_string().into_bytes()))
    }

    async fn onepay_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        sleeper: Sleeper<'_>,
    ) -> Outcome {
        let request = self.onepay_request(method, path, body);
        onepay_answer(&self.answer(&request, sleeper).await?)
    }

    async fn onepay_find(
        &self,
        reference: &str,
        sleeper: Sleeper<'_>,
    ) -> Result<Option<Value>, ClientError> {
        let query = format!(
            "/v1/cashouts?filter%5Bexternal_id%5D={}",
            urlencode(reference)
        );
        let page = self.onepay_call("GET", &query, None, sleeper).await?;
        Ok(page["data"]
            .as_array()
            .and_then(|rows| rows.first())
            .cloned())
    }

    async fn onepay_create(&self, params: &Value, sleeper: Sleeper<'_>) -> Outcome {
        let reference = text(params, "reference")?;
        let amount: Value = serde_json::from_str(&text(params, "amount")?)
            .map_err(|e| failure(ErrorKind::Unknown, format!("amount: {e}")))?;
        let b = &params["beneficiary"];
        let body = json!({"amount": amount, "currency": "COP", "customer_id": b["customer_id"],
            "account_id": b["account_id"], "method": b["method"].as_str().unwrap_or("TURBO"),
            "external_id": reference, "description": format!("payout {reference}")});
        let request = self
            .onepay_request("POST", "/v1/cashouts", Some(&body))
            .header("x-idempotency", reference.clone());
        for _ in 0..ATTEMPTS {
            let Some(answer) = self.call(&request, sleeper, true).await? else {
                // The outcome is unknown: read back before creating again.
                if let Some(found) = self.onepay_find(&reference, sleeper).await? {
                    return Ok(json!({"id": found["id"], "status": found["status"]}));
                }
                continue;
            };
            let parsed = answer.json();
            if answer.status == 409 && parsed["code_name"] == "idempotency_key_in_use" {
                sleeper(1.0).await;
                continue;
            }
            let c = onepay_answer(&answer)?;
            return Ok(json!({"id": c["id"], "status": c["status"]}));
        }
        Err(failure(
            ErrorKind::Unknown,
            format!("{ATTEMPTS} attempts without an answer"),
        ))
    }

    fn onepay_webhook(&mut self, params: &Value) -> &'static str {
        let body = params["body"]
            .as_str()
            .unwrap_or_default()
            .as_bytes()
            .to_vec();
        let signature = (params["headers"].as_object().into_iter().flatten())
            .find(|(k, _)| k.eq_ignore_ascii_case("x-signature"))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default();
        let Some(secret) = &self.config.webhook_secret else {
            return "rejected";
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return "rejected";
        };
        mac.update(&body);
        let Ok(sent) = hex::decode(signature) else {
            return "rejected";
        };
        if mac.verify_slice(&sent).is_err() {
            return "rejected";
        }
        if !self.seen.insert(Sha256::digest(&body).to_vec()) {
            return "duplicate";
        }
        let event: Value = serde_json::from_slice(&body).unwrap_or_default();
        let (Some(id), Some(status)) = (
            event["data"]["id"].as_str(),
            event["data"]["status"].as_str(),
        ) else {
            return "accepted";
        };
        let rank = |s: &str| match s {
            "pending" => Some(0),
            "processing" => Some(1),
            "processed" | "failed" => Some(2),
            _ => None,
        };
        let forward = match (self.known.get(id), rank(status)) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(current), Some(new)) => rank(current).is_none_or(|c| new > c),
        };
        if forward {
            self.known.insert(id.to_string(), status.to_string());
        }
        "accepted"
    }

    // ---- Kashpay ------------------------------------------------------------------------------

    async fn kashpay_login(&mut self, sleeper: Sleeper<'_>) -> Result<(), ClientError> {
        let c = &self.config.credentials;
        let body = json!({"entity": c["entity"], "user": c["user"], "password": c["password"]});
        let request = Request::json_api("POST", self.url("/AuthenticationService/authenticate"))
            .json_body(Some(body.to_string().into_bytes()));
        let answer = self.answer(&request, sleeper).await?;
        let v = kashpay_answer(&answer)?;
        self.token = v["authenticationResponse"]["token"]
            .as_str()
            .map(str::to_string);
        Ok(())
    }

    async fn kashpay_call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        sleeper: Sleeper<'_>,
        stop_when_lost: bool,
    ) -> Outcome {
        if self.token.is_none() {
            self.kashpay_login(sleeper).await?;
        }
        for renewed in [false, true] {
            let entity = self.config.credentials["entity"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let token = self.token.clone().unwrap_or_default();
            let request = Request::json_api(method, self.url(path))
                .header("authorization", format!("Bearer {token}"))
                .header("entity-i", entity)
                .json_body(body.map(|b| b.to_string().into_bytes()));
            let answer = match self.attempt(&request, sleeper, stop_when_lost).await? {
                Ok(answer) => answer,
                Err(why) => return Err(lost(why, ErrorKind::Connection)),
            };
            match kashpay_answer(&answer) {
                Err(e) if e.code == Some(json!(1004)) && !renewed => {
                    self.kashpay_login(sleeper).await?
                }
                other => return other,
            }
        }
        Err(failure(
            ErrorKind::Unknown,
            "the renewed session was refused".into(),
        ))
    }

    async fn kashpay_find(&mut self, reference: &str, sleeper: Sleeper<'_>) -> Outcome {
        let body = json!({"alphanumericReference": reference});
        let v = self
            .kashpay_call(
                "POST",
                "/OKPay/searchReference",
                Some(&body),
                sleeper,
                false,
            )
            .await?;
        Ok(v["orderEntityResponse"].clone())
    }

    async fn kashpay_create(&mut self, params: &Value, sleeper: Sleeper<'_>) -> Outcome {
        let reference = text(params, "reference")?;
        let b = &params["beneficiary"];
        let clabe = b["clabe"].as_str().unwrap_or_default();
        let concept: String = format!("payout {reference}").chars().take(39).collect();
        let body = json!({"alphanumericReference": reference, "amount": text(params, "amount")?,
            "beneficiaryAcount": clabe, "beneficiaryName": b["name"],
            "beneficiaryTypeAcount": "40", "codeInstituteBank": clabe.get(..3).unwrap_or_default(),
            "concept": concept, "numericReference": 1, "typeTransaction": 1, "currency": 484});
        // A create whose answer was lost is never sent again blind: the reference is searched
        // for first, and the order is created again only if Kashpay holds none under it.
        let mut order = None;
        for _ in 0..ATTEMPTS {
            let created = self
                .kashpay_call("POST", "/OKPay/createOrder", Some(&body), sleeper, true)
                .await;
            match created {
                Ok(v) => order = Some(v["orderEntityResponse"].clone()),
                // A duplicate reference: an earlier attempt got through.
                Err(e) if e.code == Some(json!(1023)) => {
                    order = Some(self.kashpay_find(&reference, sleeper).await?)
                }
                Err(e) if matches!(e.kind, ErrorKind::Timeout | ErrorKind::Connection) => {
                    match self.kashpay_find(&reference, sleeper).await {
                        Ok(found) => order = Some(found),
                        // Not found (1030): the create never got through; send it again.
                        Err(e) if e.code == Some(json!(1030)) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
            break;
        }
        let Some(order) = order else {
            return Err(failure(
                ErrorKind::Unknown,
                format!("{ATTEMPTS} attempts without an answer"),
            ));
        };
        Ok(
            json!({"id": order["id"].to_string().trim_matches('"'), "status": order["status"].to_string()}),
        )
    }
}

fn failure(kind: ErrorKind, message: String) -> ClientError {
    ClientError {
        kind,
        status: None,
        code: None,
        message,
    }
}

/// A request that got no answer: `timeout` if the transport timed out, else `otherwise`.
fn lost(why: String, otherwise: ErrorKind) -> ClientError {
    let kind = if why.contains("timed out") {
        ErrorKind::Timeout
    } else {
        otherwise
    };
    failure(kind, why)
}

/// A refusal the provider answered: its status, its own error `code` (if any) and `message`.
fn rejected(r: &Response, code: &Value, message: &Value) -> ClientError {
    ClientError {
        kind: ErrorKind::Rejected,
        status: Some(r.status),
        code: Some(code.clone()).filter(|c| !c.is_null()),
        message: message.as_str().unwrap_or_default().to_string(),
    }
}

fn text(params: &Value, field: &str) -> Result<String, ClientError> {
    match &params[field] {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(failure(
            ErrorKind::Unknown,
            format!("params.{field} is missing"),
        )),
    }
}

fn retry_after(r: &Response) -> Option<f64> {
    r.header("retry-after")?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s >= 0.0)
}

fn onepay_answer(r: &Response) -> Outcome {
    let v = r.json();
    if r.status >= 300 {
        let code = v.get("code_name").or_else(|| v.get("code")).cloned();
        return Err(ClientError {
            kind: ErrorKind::Rejected,
            status: Some(r.status),
            code,
            message: v["message"].as_str().unwrap_or_default().to_string(),
        });
    }
    Ok(v)
}

fn kashpay_answer(r: &Response) -> Outcome {
    let v = r.json();
    if r.status != 200 || v["success"] != true {
        return Err(rejected(r, &v["error"]["code"], &v["error"]["message"]));
    }
    Ok(v)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
