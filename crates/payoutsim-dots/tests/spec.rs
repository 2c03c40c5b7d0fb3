//! Every operation the simulator serves, driven through its happy path and its refusals, each
//! answer validated against the official Dots OpenAPI document (`dots-v2.openapi.yaml` among the
//! shared documents) by a JSON-Schema validator, and each request body sent on a happy path
//! checked against the document's request schema, so the requests are the document's own.
//!
//! The document declares almost no error responses (only `verify`'s 400 and `get-app`'s 404,
//! both without a body). An error answer whose status the document does not declare is checked
//! against the decided envelope instead (`{"success": false, "message", "error_code"}` with a
//! documented code), and counted apart, so the report says what the document could not judge.
//!
//! Without the document the test is reported as ignored, with the reason, never as passed.

mod served;

use payoutsim_core::testkit::Sim;
use payoutsim_dots::{DotsConfig, DotsSpec};
use payoutsim_openapi::{Coverage, Document, Violation, ViolationKind};
use serde::Deserialize;
use serde_json::{Value, json};

use served::SERVED;

/// The codes an error answer may carry: the documented ones the simulator uses, and its own
/// `unauthorized` and `not-found`.
const CODES: &[&str] = &[
    "unauthorized",
    "not-found",
    "invalid-input",
    "invalid-email",
    "invalid-phone-number",
    "auth-email-already-exists",
    "auth-username-already-exists",
    "transaction-insufficient-funds",
    "user-info-missing",
    "resource-busy",
    "service-unavailable",
];

/// The decided error envelope, exactly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    success: bool,
    message: String,
    error_code: String,
}

struct Tour<'d> {
    sim: Sim<DotsSpec>,
    auth: String,
    coverage: Coverage<'d>,
    violations: Vec<Violation>,
    /// Error answers the document does not declare, checked against the decided envelope.
    undeclared_errors: usize,
    /// `funds_pending` answers (see `known_inconsistency`).
    funds_pending: usize,
    answers: usize,
}

/// The one departure the document itself causes: its 202 of create-payout-link is described as
/// "pending funding (status `funds_pending`)" while `funds_pending` is not in the link's status
/// enum. The simulator gives a link waiting for funds the described status (the decided
/// behaviour), in the 202 and wherever the link is read; nothing else is excused.
fn known_inconsistency(v: &Violation, body: &Value) -> bool {
    v.kind == ViolationKind::Schema
        && v.schema_path
            .ends_with("/payout-link/properties/status/enum")
        && body.pointer(&v.instance_path) == Some(&json!("funds_pending"))
}

impl<'d> Tour<'d> {
    fn new(doc: &'d Document) -> Self {
        Self {
            sim: Sim::<DotsSpec>::new(7, DotsConfig::default()),
            auth: basic("pk_dev_spectour", "sk_dev_spectour"),
            coverage: Coverage::new(doc),
            violations: Vec::new(),
            undeclared_errors: 0,
            funds_pending: 0,
            answers: 0,
        }
    }

    /// `method path` (under `/api`) with `body`, expecting `status`; a 2xx request body is
    /// checked against the document too.
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        self.call_as(&self.auth.clone(), None, (method, path), body, status)
            .await
    }

    async fn call_as(
        &mut self,
        auth: &str,
        app: Option<&str>,
        (method, path): (&str, &str),
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let path = format!("/api{path}");
        let bytes = body.as_ref().map(Value::to_string);
        if let Some(b) = &bytes
            && (200..300).contains(&status)
        {
            let doc = self.coverage.document();
            let problems = doc.check_request(method, &path, Some("application/json"), b.as_bytes());
            self.violations.extend(problems);
        }
        let mut headers = vec![("authorization", auth)];
        if let Some(app) = app {
            headers.push(("api-app-id", app));
        }
        let resp = (self.sim)
            .call(method, &path, &headers, bytes.as_deref().map(str::as_bytes))
            .await;
        assert_eq!(resp.status, status, "{method} {path}: {}", resp.json);
        let content_type = (resp.headers.get("content-type")).and_then(|v| v.to_str().ok());
        assert_eq!(
            content_type,
            Some("application/json"),
            "{method} {path} answers JSON"
        );
        self.answers += 1;
        let doc = self.coverage.document();
        let declared = doc
            .check_response(method, &path, status, content_type, &resp.bytes)
            .iter()
            .all(|v| v.kind != ViolationKind::UndeclaredStatus);
        if status >= 400 && !declared {
            self.undeclared_errors += 1;
            let envelope: Envelope = serde_json::from_slice(&resp.bytes).unwrap_or_else(|e| {
                panic!("{method} {path}: not the envelope ({e}): {}", resp.json)
            });
            assert!(!envelope.success && !envelope.message.is_empty());
            assert!(
                CODES.contains(&envelope.error_code.as_str()),
                "{}",
                envelope.error_code
            );
            // Recorded as exercised all the same.
            self.coverage
                .check_response(method, &path, status, content_type, &resp.bytes);
            return resp.json;
        }
        let found = self
            .coverage
            .check_response(method, &path, status, content_type, &resp.bytes);
        for v in found {
            if known_inconsistency(&v, &resp.json) {
                self.funds_pending += 1;
            } else {
                self.violations.push(v);
            }
        }
        resp.json
    }
}

fn basic(client: &str, key: &str) -> String {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{client}:{key}"));
    format!("Basic {token}")
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

fn user(email: &str, phone: &str) -> Value {
    json!({
        "first_name": "Bob", "last_name": "Loblaw", "email": email,
        "country_code": "1", "phone_number": phone, "metadata": {"internal_id": "u-1"}
    })
}

#[cfg(dots_spec)]
fn document() -> Document {
    Document::from_yaml_file(env!("PAYOUTSIM_DOTS_SPEC")).expect("the Dots document loads")
}

#[cfg(not(dots_spec))]
fn document() -> Document {
    unreachable!("the test is ignored without the Dots document")
}

#[tokio::test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent (set PAYOUTSIM_SHARED)"
)]
async fn every_served_operation_answers_as_the_official_openapi_document_declares() {
    let doc = document();
    let mut t = Tour::new(&doc);
    let missing = "00000000-0000-4000-8000-000000000000";

    // Apps.
    let app = t
        .call(
            "POST",
            "/v2/apps",
            Some(json!({"name": "Payroll", "metadata": {"team": "ops"}})),
            201,
        )
        .await;
    t.call("GET", "/v2/apps", None, 200).await;
    t.call("GET", &format!("/v2/apps/{}", id(&app)), None, 200)
        .await;
    t.call("GET", &format!("/v2/apps/{missing}"), None, 404)
        .await;
    let auth = t.auth.clone();
    t.call_as(&auth, Some(&id(&app)), ("GET", "/v2/users"), None, 200)
        .await;
    t.call_as(&auth, Some(missing), ("GET", "/v2/users"), None, 403)
        .await;
    t.call("POST", "/v2/apps", Some(json!({"name": "ab"})), 400)
        .await;

    // Users and verification.
    let bob = t
        .call(
            "POST",
            "/v2/users",
            Some(user("bob@example.com", "4155550100")),
            201,
        )
        .await;
    let bob_id = id(&bob);
    let ann = t
        .call(
            "POST",
            "/v2/users",
            Some(user("ann@example.com", "4155550100")),
            201,
        )
        .await;
    t.call(
        "POST",
        "/v2/users",
        Some(user("bob@example.com", "4155550101")),
        400,
    )
    .await;
    t.call("POST", "/v2/users", Some(json!({"first_name": "x"})), 400)
        .await;
    t.call("GET", "/v2/users?limit=1", None, 200).await;
    t.call("GET", "/v2/users?status=unverified", None, 200)
        .await;
    t.call("GET", "/v2/users?limit=101", None, 400).await;
    t.call("GET", &format!("/v2/users/{bob_id}"), None, 200)
        .await;
    t.call("GET", &format!("/v2/users/{missing}"), None, 404)
        .await;
    t.call(
        "PATCH",
        &format!("/v2/users/{bob_id}"),
        Some(json!({"metadata": {"tier": "gold"}})),
        200,
    )
    .await;
    let token_path = format!("/v2/users/{bob_id}/send-verification-token");
    t.call("POST", &token_path, Some(json!({"use_voice": false})), 202)
        .await;
    let verify = format!("/v2/users/{bob_id}/verify");
    t.call("POST", &verify, Some(json!({"token": "000000"})), 400)
        .await;
    let sms = t
        .sim
        .back_office("GET", &format!("/sms?user_id={bob_id}"), None)
        .await;
    let code = sms.json["messages"][0]["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    t.call("POST", &verify, Some(json!({"token": code})), 200)
        .await;
    let methods = format!("/v2/users/{bob_id}/payout-methods");
    t.call(
        "PUT",
        &methods,
        Some(json!({"platform": "paypal", "email": "bob@example.com"})),
        200,
    )
    .await;
    let ach = t
        .call("PUT", &methods, Some(json!({"platform": "ach", "routing_number": "011000015", "account_number": "000123456789", "account_type": "checking"})), 200)
        .await;
    t.call("PUT", &methods, Some(json!({"platform": "zelle"})), 400)
        .await;
    t.call("GET", &methods, None, 200).await;
    t.call("DELETE", &format!("/v2/users/{}", id(&ann)), None, 200)
        .await;
    t.call("DELETE", &format!("/v2/users/{}", id(&ann)), None, 404)
        .await;

    // Transfers and payouts.
    let fund_user = json!({"amount": -3000, "user_id": bob_id, "idempotency_key": "6f1e1c0e-6a55-4d3b-9a1e-0c3c8f3f1a01", "metadata": {"why": "bonus"}});
    let transfer = t
        .call("POST", "/v2/transfers", Some(fund_user.clone()), 200)
        .await;
    t.call("POST", "/v2/transfers", Some(fund_user), 409).await;
    t.call(
        "POST",
        "/v2/transfers",
        Some(json!({"amount": 1_000_000, "user_id": bob_id})),
        400,
    )
    .await;
    t.call(
        "GET",
        &format!("/v2/transfers/{}", id(&transfer)),
        None,
        200,
    )
    .await;
    t.call(
        "GET",
        &format!("/v2/transfers?user_id={bob_id}&type=balance&limit=5"),
        None,
        200,
    )
    .await;
    t.call(
        "GET",
        "/v2/transfers?reverse_order=true&status=completed",
        None,
        200,
    )
    .await;
    let paypal = t
        .call("POST", "/v2/payouts", Some(json!({"user_id": bob_id, "amount": 1000, "platform": "paypal", "fund": true, "idempotency_key": "6f1e1c0e-6a55-4d3b-9a1e-0c3c8f3f1a02"})), 201)
        .await;
    t.call(
        "POST",
        "/v2/payouts",
        Some(json!({"user_id": bob_id, "amount": 500, "platform": "ach", "account_id": id(&ach)})),
        201,
    )
    .await;
    t.call(
        "POST",
        "/v2/payouts",
        Some(json!({"user_id": bob_id, "amount": 666, "platform": "venmo"})),
        201,
    )
    .await;
    t.call(
        "POST",
        "/v2/payouts",
        Some(json!({"user_id": bob_id, "amount": 0, "platform": "paypal"})),
        400,
    )
    .await;
    t.call(
        "POST",
        "/v2/payouts/send-payout",
        Some(json!({"amount": 700, "user_id": bob_id, "delivery": {"message": "Thanks"}})),
        201,
    )
    .await;
    t.call(
        "POST",
        "/v2/payouts/send-payout",
        Some(json!({"amount": 700, "payee": {"country_code": "1", "phone_number": "4155550199"}})),
        201,
    )
    .await;

    // Payout links.
    let link = t
        .call("POST", "/v2/payout-links", Some(json!({"amount": 800, "user_id": bob_id, "memo": "June", "delivery": {"method": "link"}})), 201)
        .await;
    t.call(
        "POST",
        "/v2/payout-links",
        Some(json!({"amount": 90_000_000})),
        202,
    )
    .await;
    t.call("GET", &format!("/v2/payout-links/{}", id(&link)), None, 200)
        .await;
    t.call("GET", "/v2/payout-links?limit=2", None, 200).await;
    t.call("GET", &format!("/v2/payout-links/{missing}"), None, 404)
        .await;
    let redeliver = format!("/v2/payout-links/{}/redeliver", id(&link));

    // Batches.
    let items = json!([
        {"user_id": bob_id, "amount": 100, "platform": "paypal", "fund": true, "idempotency_key": "6f1e1c0e-6a55-4d3b-9a1e-0c3c8f3f1a03"},
        {"user_id": missing, "amount": 100, "platform": "paypal", "fund": true, "idempotency_key": "6f1e1c0e-6a55-4d3b-9a1e-0c3c8f3f1a04"}
    ]);
    let batch = t
        .call("POST", "/v2/payout-batches", Some(json!({"items": items, "idempotency_key": "6f1e1c0e-6a55-4d3b-9a1e-0c3c8f3f1a05", "metadata": {"week": "2026-49"}})), 200)
        .await;
    t.call(
        "POST",
        "/v2/payout-batches",
        Some(json!({"items": []})),
        400,
    )
    .await;
    t.call("GET", "/v2/payout-batches?limit=10", None, 200)
        .await;
    let batch_path = format!("/v2/payout-batches/{}", id(&batch));
    t.call("GET", &batch_path, None, 200).await;

    // Flows.
    let flow = t
        .call(
            "POST",
            "/v2/flows",
            Some(json!({"steps": ["compliance", {"name": "manage-payouts"}], "user_id": bob_id})),
            200,
        )
        .await;
    t.call(
        "POST",
        "/v2/flows",
        Some(json!({"steps": ["teleport"]})),
        400,
    )
    .await;
    t.call("GET", &format!("/v2/flows/{}", id(&flow)), None, 200)
        .await;
    t.call("GET", "/v2/flows", None, 200).await;

    // Time passes: payouts settle, the link is delivered, the batch completes.
    t.sim.advance(400.0).await;
    t.call("GET", &format!("/v2/transfers/{}", id(&paypal)), None, 200)
        .await;
    t.call("GET", "/v2/transfers?type=payout", None, 200).await;
    t.call("POST", &redeliver, None, 200).await;
    t.call(
        "GET",
        &format!("{batch_path}/results?include_request=true"),
        None,
        200,
    )
    .await;
    t.call("GET", &format!("{batch_path}/results"), None, 200)
        .await;
    t.call(
        "DELETE",
        &format!("/v2/payout-links/{}", id(&link)),
        None,
        200,
    )
    .await;
    t.call(
        "DELETE",
        &format!("/v2/payout-links/{}", id(&link)),
        None,
        400,
    )
    .await;

    // Credentials.
    t.call_as("Basic bm9wZQ==", None, ("GET", "/v2/users"), None, 401)
        .await;
    t.call_as(
        &basic("pk_dev_spectour", "sk_dev_other"),
        None,
        ("GET", "/v2/users"),
        None,
        401,
    )
    .await;

    let gaps: Vec<String> = t
        .coverage
        .unchecked(SERVED.iter().copied())
        .iter()
        .map(ToString::to_string)
        .collect();
    let violations: Vec<String> = t.violations.iter().map(ToString::to_string).collect();
    println!(
        "spec tour: {} answers over {} operations; {} violations; {} undeclared error answers checked against the decided envelope; {} funds_pending answers (the document's own inconsistency)",
        t.answers,
        SERVED.len(),
        violations.len(),
        t.undeclared_errors,
        t.funds_pending
    );
    assert!(gaps.is_empty(), "operations never exercised: {gaps:#?}");
    assert!(
        violations.is_empty(),
        "violations of the document:\n{}",
        violations.join("\n")
    );
    assert!(t.funds_pending >= 1, "the 202 answered funds_pending");
}
