//! The built-in client's OnSpot operation (`docs/adapter-protocol.md`; OnSpot's contract in
//! `crates/payoutsim-onspot/README.md`). OnSpot documents two endpoints, a token and Create
//! Payouts: no read, no balance, no idempotency, no webhooks. So the client has
//! `payout.create` alone.
//!
//! - Credentials `public_key`, `secret_key` and `environment` (`test`, the default, or
//!   `live`), sent as OnSpot's `publicKey`, `secretKey` and `environment` headers to
//!   `POST /platform/generate-token-api`, whose answer is the token, a bare JSON string. A
//!   token request makes nothing, so it is retried like any read.
//! - `payout.create` posts a one-item array to `/accreditation/payouts/create` with
//!   `Authorization: Bearer <token>`. A 401 (the token expired: it lasts an hour) gets a new
//!   token once and the request is sent again: a 401 made nothing. 429 (`Retry-After`) and
//!   502 to 504 are answers that made nothing too, retried as elsewhere. But an attempt that got
//!   **no answer** is not repeated: OnSpot would make the payout again and the client cannot
//!   read it back, so the operation ends `timeout` (the client's timeout passed) or `unknown`
//!   (the connection broke), for a person to reconcile in OnSpot's "Payouts" section.
//! - The answer `[[{uuid, email, action, message}]]`: `action: "success"` is the payout (`id`
//!   its `uuid`, `status` the `action`); `action: "error"` is `rejected` with code `error`
//!   and OnSpot's message naming the fields.

use serde_json::{Value, json};

use super::{BuiltIn, failure, lost, rejected, text};
use crate::adapter::{ClientError, ErrorKind, Outcome, Sleeper};
use crate::client::{Request, Response};

impl BuiltIn {
    pub(super) async fn onspot(
        &mut self,
        op: &str,
        params: &Value,
        sleeper: Sleeper<'_>,
    ) -> Outcome {
        match op {
            "payout.create" => self.onspot_create(params, sleeper).await,
            _ => Err(failure(
                ErrorKind::Unsupported,
                format!("{op} for onspot: OnSpot documents only Create Payouts"),
            )),
        }
    }

    fn onspot_environment(&self) -> String {
        let env = self.config.credentials["environment"].as_str();
        env.unwrap_or("test").to_string()
    }

    async fn onspot_login(&mut self, sleeper: Sleeper<'_>) -> Result<(), ClientError> {
        let c = &self.config.credentials;
        let request = Request::json_api("POST", self.url("/platform/generate-token-api"))
            .header("publickey", c["public_key"].as_str().unwrap_or_default())
            .header("secretkey", c["secret_key"].as_str().unwrap_or_default())
            .header("environment", self.onspot_environment());
        let answer = self.answer(&request, sleeper).await?;
        let token = onspot_answer(&answer)?;
        let token = token.as_str().ok_or_else(|| {
            failure(
                ErrorKind::Unknown,
                format!("the token answer is not a string: {token}"),
            )
        })?;
        self.token = Some(token.to_string());
        Ok(())
    }

    async fn onspot_create(&mut self, params: &Value, sleeper: Sleeper<'_>) -> Outcome {
        let reference = text(params, "reference")?;
        let b = &params["beneficiary"];
        let field = |name: &str| b[name].as_str().unwrap_or_default();
        let kind = b["type"].as_str().unwrap_or("INDIVIDUAL");
        let mut item = json!({"type": kind, "documentType": field("document_type"),
            "documentNumber": field("document_number"), "customerEmail": field("email"),
            "amount": text(params, "amount")?, "currency": text(params, "currency")?,
            "description": format!("payout {reference}")});
        let (first, last) = (field("first_name"), field("last_name"));
        if kind == "BUSINESS" {
            item["legalName"] = json!(
                b["legal_name"]
                    .as_str()
                    .unwrap_or(&format!("{first} {last}"))
            );
            item["businessRepresentative"] = json!({"firstName": first, "lastName": last});
        } else {
            item["firstName"] = json!(first);
            item["lastName"] = json!(last);
        }
        let body = json!([item]).to_string().into_bytes();
        if self.token.is_none() {
            self.onspot_login(sleeper).await?;
        }
        for renewed in [false, true] {
            let token = self.token.clone().unwrap_or_default();
            let request = Request::json_api("POST", self.url("/accreditation/payouts/create"))
                .header("authorization", format!("Bearer {token}"))
                .header("environment", self.onspot_environment())
                .json_body(Some(body.clone()));
            let answer = match self.attempt(&request, sleeper, true).await? {
                Ok(answer) => answer,
                // No answer: the payout may exist, and a second request would make another.
                Err(why) => return Err(lost(why, ErrorKind::Unknown)),
            };
            if answer.status == 401 && !renewed {
                self.onspot_login(sleeper).await?;
                continue;
            }
            let created = onspot_answer(&answer)?;
            let entry = &created[0][0];
            if entry["action"] != "success" {
                return Err(rejected(&answer, &entry["action"], &entry["message"]));
            }
            return Ok(json!({"id": entry["uuid"], "status": entry["action"]}));
        }
        Err(failure(
            ErrorKind::Unknown,
            "the renewed token was refused".into(),
        ))
    }
}

/// An OnSpot answer: its JSON, or `rejected` with NestJS's `statusCode`, `error` and `message`.
fn onspot_answer(r: &Response) -> Outcome {
    let v = r.json();
    if r.status >= 300 {
        let message = match &v["message"] {
            Value::Array(parts) => (parts.iter().filter_map(Value::as_str))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        return Err(rejected(r, &v["error"], &json!(message)));
    }
    Ok(v)
}
