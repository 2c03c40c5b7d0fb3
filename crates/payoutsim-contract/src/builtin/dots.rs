//! The built-in client's Dots operations (`docs/adapter-protocol.md`; Dots' contract in
//! `crates/payoutsim-dots/README.md`).
//!
//! - Credentials `client_id` and `api_key`, sent as `Authorization: Basic base64(id:key)`. The
//!   base URL may end in the `/api` of Dots' documented base URLs or not; paths are `/api/v2/…`.
//! - `payout.create` posts `/v2/payouts` with `fund: true` (the app wallet pays), the amount in
//!   cents (the protocol's dollars, read from their digits, never through a float), the
//!   reference as the body's `idempotency_key` and in `metadata.reference`. 429 waits for
//!   `Retry-After`, 502 to 504 back off, both under the same key. An attempt without an answer
//!   is read back by reference before the next one; a 409 `invalid-input` (Dots rejects a seen
//!   key) is an earlier attempt that got through, read back too; 409 `resource-busy` (the first
//!   request with the key is still running) waits 1 s and asks again.
//! - `payout.find`: Dots reads no payout by idempotency key, so the client lists its payouts
//!   (`GET /v2/transfers?type=payout`, newest first, 100 a page, every page if need be) and
//!   takes the one whose `metadata.reference` is the reference it created it under.
//! - `payout.get`: `GET /v2/transfers/{id}` (a payout is a transfer), the amount in dollars.
//! - `webhook.receive`: the Svix scheme Dots' deliveries are signed with: `svix-signature`
//!   holds `v1,<base64 HMAC-SHA256>` entries over `{svix-id}.{svix-timestamp}.{raw body}`, keyed
//!   by the base64 of the `whsec_` secret; one matching entry verifies, and `svix-timestamp`
//!   must be within 5 minutes of the receiver's wall clock, as Svix's libraries require (the
//!   simulator stamps wall time by default for that reason). A `svix-id` seen before is a
//!   duplicate. `transfer.completed`/`transfer.failed` carry the transfer and its status;
//!   `transfer.updated` carries only the id, so the client reads the transfer for its status.
//!   A status is kept only if it moves the payout forward (created, then pending or flagged,
//!   then completed, failed or canceled, then reversed), so late deliveries change nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{ATTEMPTS, BuiltIn, failure, rejected, text, urlencode};
use crate::adapter::{ClientError, ErrorKind, Outcome, Sleeper};
use crate::client::{Request, Response};

/// How far `svix-timestamp` may be from the receiver's clock (Svix's libraries: 5 minutes).
const TOLERANCE_S: i64 = 5 * 60;

/// A page of the payout listing `payout.find` walks (Dots' largest).
const PAGE: u32 = 100;

impl BuiltIn {
    pub(super) async fn dots(&mut self, op: &str, params: &Value, sleeper: Sleeper<'_>) -> Outcome {
        match op {
            "payout.create" => self.dots_create(params, sleeper).await,
            "payout.get" => {
                let id = text(params, "id")?;
                let path = format!("/v2/transfers/{}", urlencode(&id));
                let t = self.dots_call("GET", &path, None, sleeper).await?;
                let amount = t["amount"].as_i64().map(dollars).unwrap_or_default();
                Ok(
                    json!({"id": t["id"], "status": t["status"], "amount": amount, "currency": "USD"}),
                )
            }
            "payout.find" => {
                let reference = text(params, "reference")?;
                Ok(match self.dots_find(&reference, sleeper).await? {
                    Some(t) => json!({"id": t["id"], "status": t["status"]}),
                    None => json!({"found": false}),
                })
            }
            "webhook.receive" => {
                let verdict = self.dots_webhook(params, sleeper).await;
                Ok(json!({ "verdict": verdict }))
            }
            "payout.known_status" => {
                let id = text(params, "id")?;
                Ok(json!({"status": self.known.get(&id)}))
            }
            _ => Err(failure(ErrorKind::Unsupported, format!("{op} for dots"))),
        }
    }

    fn dots_request(&self, method: &str, path: &str, body: Option<&Value>) -> Request {
        let c = &self.config.credentials;
        let id = c["client_id"].as_str().unwrap_or_default();
        let key = c["api_key"].as_str().unwrap_or_default();
        let base = self.config.base_url.trim_end_matches('/');
        let base = base.strip_suffix("/api").unwrap_or(base);
        let basic = STANDARD.encode(format!("{id}:{key}"));
        Request::json_api(method, format!("{base}/api{path}"))
            .header("authorization", format!("Basic {basic}"))
            .json_body(body.map(|b| b.to_string().into_bytes()))
    }

    async fn dots_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        sleeper: Sleeper<'_>,
    ) -> Outcome {
        let request = self.dots_request(method, path, body);
        dots_answer(&self.answer(&request, sleeper).await?)
    }

    async fn dots_create(&self, params: &Value, sleeper: Sleeper<'_>) -> Outcome {
        let reference = text(params, "reference")?;
        let cents = cents(&text(params, "amount")?)
            .ok_or_else(|| failure(ErrorKind::Unknown, "amount: not dollars and cents".into()))?;
        let b = &params["beneficiary"];
        let body = json!({"user_id": b["user_id"], "amount": cents,
            "platform": b["platform"].as_str().unwrap_or("default"), "fund": true,
            "idempotency_key": reference, "metadata": {"reference": reference}});
        let request = self.dots_request("POST", "/v2/payouts", Some(&body));
        for _ in 0..ATTEMPTS {
            let Some(answer) = self.call(&request, sleeper, true).await? else {
                // The outcome is unknown: read back before creating again, under the same key.
                if let Some(found) = self.dots_find(&reference, sleeper).await? {
                    return Ok(json!({"id": found["id"], "status": found["status"]}));
                }
                continue;
            };
            let code = answer.json()["error_code"].clone();
            if answer.status == 409 && code == "resource-busy" {
                sleeper(1.0).await;
                continue;
            }
            if answer.status == 409 && code == "invalid-input" {
                // Dots rejects a key it has seen: an earlier attempt got through.
                if let Some(found) = self.dots_find(&reference, sleeper).await? {
                    return Ok(json!({"id": found["id"], "status": found["status"]}));
                }
            }
            let t = dots_answer(&answer)?;
            return Ok(json!({"id": t["id"], "status": t["status"]}));
        }
        Err(failure(
            ErrorKind::Unknown,
            format!("{ATTEMPTS} attempts without an answer"),
        ))
    }

    /// The payout created under `reference`, walking the payout listing newest first.
    async fn dots_find(
        &self,
        reference: &str,
        sleeper: Sleeper<'_>,
    ) -> Result<Option<Value>, ClientError> {
        let mut after: Option<String> = None;
        loop {
            let mut path = format!("/v2/transfers?type=payout&limit={PAGE}");
            if let Some(id) = &after {
                path.push_str(&format!("&starting_after={}", urlencode(id)));
            }
            let page = self.dots_call("GET", &path, None, sleeper).await?;
            let rows = page["data"].as_array().cloned().unwrap_or_default();
            if let Some(t) = rows
                .iter()
                .find(|t| t["metadata"]["reference"] == reference)
            {
                return Ok(Some(t.clone()));
            }
            let last = rows.last().and_then(|t| t["id"].as_str());
            match (page["has_more"] == true, last) {
                (true, Some(id)) => after = Some(id.to_string()),
                _ => return Ok(None),
            }
        }
    }

    async fn dots_webhook(&mut self, params: &Value, sleeper: Sleeper<'_>) -> &'static str {
        let body = params["body"].as_str().unwrap_or_default();
        let header = |name: &str| {
            (params["headers"].as_object().into_iter().flatten())
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or_default()
        };
        let (id, timestamp) = (header("svix-id"), header("svix-timestamp"));
        let Some(secret) = &self.config.webhook_secret else {
            return "rejected";
        };
        if id.is_empty() || !svix_verified(secret, (id, timestamp), body, header("svix-signature"))
        {
            return "rejected";
        }
        if !self.seen.insert(format!("svix:{id}").into_bytes()) {
            return "duplicate";
        }
        let event: Value = serde_json::from_str(body).unwrap_or_default();
        let (transfer_id, status) = match (&event["transfer"], event["transfer_id"].as_str()) {
            (t, Some(id)) if t["status"].is_string() => (id.to_string(), t["status"].clone()),
            (_, Some(id)) => {
                // `transfer.updated` names the payout only: read its status.
                let path = format!("/v2/transfers/{}", urlencode(id));
                match self.dots_call("GET", &path, None, sleeper).await {
                    Ok(t) => (id.to_string(), t["status"].clone()),
                    Err(_) => return "accepted",
                }
            }
            _ => return "accepted",
        };
        if let Some(status) = status.as_str() {
            let forward = match (self.known.get(&transfer_id), rank(status)) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(current), Some(new)) => rank(current).is_none_or(|c| new > c),
            };
            if forward {
                self.known.insert(transfer_id, status.to_string());
            }
        }
        "accepted"
    }
}

/// Where a Dots payout status lies on its way: a later one never gives way to an earlier one.
fn rank(status: &str) -> Option<u8> {
    Some(match status {
        "created" => 0,
        "pending" | "flagged" => 1,
        "completed" | "failed" | "canceled" => 2,
        "reversed" => 3,
        _ => return None,
    })
}

/// Whether `signatures` (space-separated `v1,<base64>`) holds the Svix signature of
/// `{id}.{timestamp}.{body}` under `secret`, with `timestamp` fresh on the wall clock.
fn svix_verified(
    secret: &str,
    (id, timestamp): (&str, &str),
    body: &str,
    signatures: &str,
) -> bool {
    let Ok(sent_at) = timestamp.parse::<i64>() else {
        return false;
    };
    // The receiver's own clock, as Svix's libraries judge freshness: deliveries are stamped
    // with wall time (the simulator's default), whatever the simulated clock says.
    #[allow(clippy::disallowed_methods)]
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if (now - sent_at).abs() > TOLERANCE_S {
        return false;
    }
    let Ok(key) = STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)) else {
        return false;
    };
    signatures.split(' ').any(|entry| {
        let Some(Ok(sent)) = entry.strip_prefix("v1,").map(|s| STANDARD.decode(s)) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            return false;
        };
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body.as_bytes());
        mac.verify_slice(&sent).is_ok()
    })
}

/// `"12.5"` or `"12.50"` dollars as 1250 cents; `None` for anything but digits with at most
/// two decimals.
pub(super) fn cents(dollars: &str) -> Option<i64> {
    let (whole, fraction) = dollars.split_once('.').unwrap_or((dollars, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// 1250 cents as `"12.50"`.
fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

fn dots_answer(r: &Response) -> Outcome {
    let v = r.json();
    if r.status >= 300 {
        return Err(rejected(r, &v["error_code"], &v["message"]));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::{cents, dollars};

    #[test]
    fn dollars_become_cents_from_their_digits_and_back() {
        assert_eq!(cents("12.50"), Some(1250));
        assert_eq!(cents("12.5"), Some(1250));
        assert_eq!(cents("7"), Some(700));
        assert_eq!(cents("0.07"), Some(7));
        for refused in ["", ".5", "1.234", "1e3", "-1", "12,50", "1.2.3"] {
            assert_eq!(cents(refused), None, "{refused:?}");
        }
        assert_eq!(dollars(1250), "12.50");
        assert_eq!(dollars(7), "0.07");
    }
}
