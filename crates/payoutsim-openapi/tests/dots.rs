//! The checker over the official Dots document (`../shared/provider-specs/dots-v2.openapi.yaml`),
//! when the build script found it; otherwise these tests are reported as ignored.

use std::sync::OnceLock;

use payoutsim_openapi::{Document, Violation, ViolationKind};
use serde_json::{Value, json};

const USER_ID: &str = "a169451c-8525-4352-b8ca-070dd449a1a5";
const TRANSFER_ID: &str = "6f1e2a9c-3d4b-4c5e-9f80-7a6b5c4d3e2f";
const JSON: Option<&str> = Some("application/json");

/// The operations payoutsim's Dots emulation implements.
const EMULATED: &[&str] = &[
    "get-users",
    "create-user",
    "get-user",
    "update-user",
    "delete-user",
    "send-verification-token",
    "verify",
    "get-payout-methods",
    "add-payout-method",
    "get-transfers",
    "create-transfer",
    "get-transfer",
    "create-payout",
    "send-payout",
    "get-payout-links",
    "create-payout-link",
    "get-payout-link",
    "delete-payout-link",
    "redeliver-payout-link",
    "create-payout-batch",
    "get-payout-batches",
    "get-payout-batch",
    "get-flows",
    "create-flow",
    "get-flow",
    "list-apps",
    "create-app",
    "get-app",
];

fn spec_path() -> &'static str {
    match option_env!("PAYOUTSIM_DOTS_SPEC") {
        Some(path) => path,
        None => panic!("built without the Dots document (cfg dots_spec)"),
    }
}

fn dots() -> &'static Document {
    static DOTS: OnceLock<Document> = OnceLock::new();
    DOTS.get_or_init(|| match Document::from_yaml_file(spec_path()) {
        Ok(document) => document,
        Err(error) => panic!("the Dots document must load: {error}"),
    })
}

/// The document as plain YAML, read independently of the checker.
fn raw() -> &'static serde_yaml_ng::Value {
    static RAW: OnceLock<serde_yaml_ng::Value> = OnceLock::new();
    RAW.get_or_init(|| {
        let text = std::fs::read_to_string(spec_path()).unwrap_or_default();
        serde_yaml_ng::from_str(&text).unwrap_or_default()
    })
}

fn answer(method: &str, path: &str, status: u16, body: &Value) -> Vec<Violation> {
    dots().check_response(method, path, status, JSON, body.to_string().as_bytes())
}

fn assert_clean(violations: &[Violation]) {
    let lines: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        violations.is_empty(),
        "unexpected violations:\n{}",
        lines.join("\n")
    );
}

fn schema_paths(violations: &[Violation]) -> Vec<&str> {
    violations.iter().map(|v| v.schema_path.as_str()).collect()
}

fn user() -> Value {
    json!({
        "id": USER_ID,
        "first_name": "Bob",
        "last_name": "Loblaw",
        "email": "bob@bobloblaw.com",
        "phone_number": {"country_code": "1", "phone_number": "4154332334"},
        "default_payout_method": "ach",
        "default_payout_method_details": {"id": "acc_dfsf983kkjdsf", "platform": "ach", "mask": "6789"},
        "wallet": {"amount": 1000, "withdrawable_amount": 1000, "credit_balance": 0},
        "status": "verified",
        "compliance": {
            "tax_id_verification": "unsubmitted",
            "1099_collected": false,
            "w9": null,
            "flags": {"ofac": false, "ofac_status": "unflagged"}
        },
        "metadata": {"internal_id": "user_121344"},
        "payout_options_exclude_list": ["crypto"]
    })
}

fn transfer() -> Value {
    json!({
        "id": TRANSFER_ID,
        "created": "2026-01-05T14:00:00Z",
        "user_id": USER_ID,
        "status": "completed",
        "type": "balance",
        "amount": -1000,
        "external_data": {"platform": "ach"},
        "transactions": [{"id": 1, "amount": 1000, "created": "2026-01-05T14:00:00Z", "type": "balance"}],
        "metadata": null
    })
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn the_dots_document_loads_with_its_base_path() {
    assert_eq!(dots().base_path(), "/api");
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn every_path_and_method_of_the_dots_document_is_found_by_operation() {
    let paths = raw()
        .get("paths")
        .and_then(serde_yaml_ng::Value::as_mapping);
    let paths = paths
        .map(|m| m.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    let mut seen = 0;
    for (template, item) in paths {
        let template = template.as_str().unwrap_or_default();
        let concrete = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    USER_ID
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let methods = item
            .as_mapping()
            .map(|m| m.keys().filter_map(|k| k.as_str()).collect::<Vec<_>>());
        for method in methods.unwrap_or_default() {
            if !["get", "put", "post", "delete", "patch"].contains(&method) {
                continue;
            }
            let path = format!("/api{concrete}?limit=2");
            let found = dots()
                .operation(method, &path)
                .map(|op| op.template.as_str());
            assert_eq!(found, Some(template), "{method} {path}");
            seen += 1;
        }
    }
    assert_eq!(seen, dots().operations().count());
    assert!(seen > 80, "{seen} operations");
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn every_schema_of_the_emulated_operations_compiles() {
    let emulated: Vec<String> = dots()
        .operations()
        .filter(|op| {
            op.operation_id
                .as_deref()
                .is_some_and(|id| EMULATED.contains(&id))
        })
        .map(|op| {
            format!(
                "/paths/{}/{}/",
                op.template.replace('~', "~0").replace('/', "~1"),
                op.method.to_lowercase()
            )
        })
        .collect();
    let problems: Vec<String> = dots()
        .schema_problems()
        .iter()
        .filter(|problem| emulated.iter().any(|at| problem.location.starts_with(at)))
        .map(|problem| format!("{}: {}", problem.location, problem.message))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        emulated.len(),
        EMULATED.len() + 1,
        "get-payout-batch names two operations"
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_valid_user_answer_passes_with_w9_null_written_as_a_yaml_null_type() {
    let path = format!("/api/v2/users/{USER_ID}");
    assert_clean(&answer("GET", &path, 200, &user()));
    assert_clean(&answer("POST", "/api/v2/users", 201, &user()));
    assert_clean(&answer(
        "GET",
        "/api/v2/users",
        200,
        &json!({"data": [user()], "has_more": false}),
    ));
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_user_with_a_wrong_enum_or_a_string_phone_number_fails() {
    let mut wrong = user();
    wrong["status"] = json!("active");
    wrong["phone_number"] = json!("4154332334");
    let violations = answer("GET", &format!("/api/v2/users/{USER_ID}"), 200, &wrong);
    assert_eq!(
        schema_paths(&violations),
        [
            "#/components/schemas/user/properties/phone_number/type",
            "#/components/schemas/user/properties/status/enum",
        ]
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_user_whose_payout_method_details_lack_the_required_platform_fails() {
    let mut wrong = user();
    wrong["default_payout_method_details"] = json!({"id": "acc_1", "mask": "6789"});
    let violations = answer("GET", &format!("/api/v2/users/{USER_ID}"), 200, &wrong);
    assert_eq!(
        schema_paths(&violations),
        ["#/components/schemas/payment-method/required"]
    );
    assert_eq!(
        violations[0].instance_path,
        "/default_payout_method_details"
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_valid_transfer_answer_passes() {
    assert_clean(&answer("POST", "/api/v2/transfers", 200, &transfer()));
    assert_clean(&answer(
        "GET",
        &format!("/api/v2/transfers/{TRANSFER_ID}"),
        200,
        &transfer(),
    ));
    assert_clean(&answer("POST", "/api/v2/payouts", 201, &transfer()));
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_transfer_with_a_wrong_status_a_null_user_or_a_bad_created_fails() {
    let mut wrong = transfer();
    wrong["status"] = json!("settled");
    wrong["user_id"] = json!(null);
    wrong["created"] = json!("2026-01-05 14:00:00");
    let violations = answer(
        "GET",
        &format!("/api/v2/transfers/{TRANSFER_ID}"),
        200,
        &wrong,
    );
    let mut paths = schema_paths(&violations);
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "#/components/schemas/transfer/properties/created/format",
            "#/components/schemas/transfer/properties/status/enum",
            "#/components/schemas/transfer/properties/user_id/type",
        ]
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn an_error_answer_to_create_transfer_is_an_undeclared_status() {
    let violations = answer("POST", "/api/v2/transfers", 400, &json!({"message": "bad"}));
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].kind, ViolationKind::UndeclaredStatus);
    assert_eq!(
        violations[0].message,
        "status 400 is not declared (declared: 200)"
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn send_payout_is_its_own_operation_and_answers_a_payout_link() {
    let operation = dots().operation("POST", "/api/v2/payouts/send-payout");
    assert_eq!(
        operation.and_then(|op| op.operation_id.as_deref()),
        Some("send-payout")
    );
    let link = json!({"id": TRANSFER_ID, "link": "https://dots.dev/payout/abc", "amount": 500, "status": "created"});
    assert_clean(&answer("POST", "/api/v2/payouts/send-payout", 201, &link));
    let relative = json!({"link": "/payout/abc"});
    let violations = answer("POST", "/api/v2/payouts/send-payout", 201, &relative);
    assert_eq!(
        schema_paths(&violations),
        ["#/components/schemas/payout-link/properties/link/format"]
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn the_batch_results_are_told_apart_from_the_batch_despite_the_shared_operation_id() {
    let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let batch = json!({"id": id, "created": "2026-01-05T14:00:00Z", "status": "completed"});
    let batch_path = format!("/api/v2/payout-batches/{id}");
    let results_path = format!("{batch_path}/results?include_request=true");
    assert_eq!(
        dots()
            .operation("GET", &batch_path)
            .map(|op| op.template.as_str()),
        Some("/v2/payout-batches/{payout_batch_id}")
    );
    assert_clean(&answer("GET", &batch_path, 200, &batch));
    let violations = answer("GET", &results_path, 200, &batch);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].message, r#""items" is a required property"#);
    let mut with_items = batch.clone();
    with_items["items"] = json!([{"user_id": USER_ID, "idempotency_key": id, "transfer": {"id": TRANSFER_ID, "status": "pending"}}]);
    assert_clean(&answer("GET", &results_path, 200, &with_items));
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_payout_batch_without_its_required_status_fails() {
    let batch = json!({"id": USER_ID, "created": "2026-01-05T14:00:00Z", "metadata": null});
    let violations = answer("POST", "/api/v2/payout-batches", 200, &batch);
    let mut messages: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
    messages.sort_unstable();
    assert_eq!(
        messages,
        [
            r#""status" is a required property"#,
            r#"null is not of types "string", "object""#
        ]
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn apps_are_listed_as_a_bare_array_and_need_their_metrics() {
    let app = json!({"id": USER_ID, "name": "payroll", "status": "approved",
                     "metrics": {"wallet_balance": "0.00", "money_out": "0.00", "connected_users": 0}});
    assert_clean(&answer("GET", "/api/v2/apps", 200, &json!([app])));
    let wrapped = answer(
        "GET",
        "/api/v2/apps",
        200,
        &json!({"data": [app], "has_more": false}),
    );
    assert_eq!(wrapped.len(), 1);
    let violations = answer(
        "POST",
        "/api/v2/apps",
        201,
        &json!({"id": USER_ID, "name": "payroll"}),
    );
    assert_eq!(violations[0].message, r#""metrics" is a required property"#);
    assert_clean(&dots().check_response("GET", &format!("/api/v2/apps/{USER_ID}"), 404, None, b""));
}

/// The first example value of an operation's JSON request body, as JSON text.
fn request_example(template: &str, method: &str) -> String {
    let examples = raw()
        .get("paths")
        .and_then(|p| p.get(template))
        .and_then(|i| i.get(method))
        .and_then(|o| o.get("requestBody"))
        .and_then(|b| b.get("content"))
        .and_then(|c| c.get("application/json"))
        .and_then(|m| m.get("examples"))
        .and_then(serde_yaml_ng::Value::as_mapping);
    let value = examples
        .and_then(|e| e.values().next())
        .and_then(|e| e.get("value"));
    value
        .and_then(|v| serde_json::to_string(v).ok())
        .unwrap_or_default()
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn the_documents_own_create_user_and_create_transfer_examples_are_valid_requests() {
    let user = request_example("/v2/users", "post");
    assert!(user.contains("Loblaw"), "{user}");
    assert_clean(&dots().check_request("POST", "/api/v2/users", JSON, user.as_bytes()));
    let transfer = request_example("/v2/transfers", "post");
    assert_clean(&dots().check_request("POST", "/api/v2/transfers", JSON, transfer.as_bytes()));
    let missing = dots().check_request("POST", "/api/v2/users", JSON, br#"{"first_name":"Bob"}"#);
    assert_eq!(missing.len(), 4, "{missing:?}");
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn the_documents_own_payout_batch_example_fails_on_an_idempotency_key_that_is_not_a_uuid() {
    let batch = request_example("/v2/payout-batches", "post");
    let violations = dots().check_request("POST", "/api/v2/payout-batches", JSON, batch.as_bytes());
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(
        violations
            .iter()
            .all(|v| v.message.ends_with(r#"is not a "uuid""#)),
        "{violations:?}"
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn send_payout_accepts_no_payout_fee_party_value_at_all() {
    let check =
        |body: &[u8]| dots().check_request("POST", "/api/v2/payouts/send-payout", JSON, body);
    // "user" and "platform" are its enum but not UUIDs (its format); null is its type but not in its enum.
    for value in [r#""user""#, r#""platform""#, "null"] {
        let body =
            format!(r#"{{"amount": 500, "user_id": "{USER_ID}", "payout_fee_party": {value}}}"#);
        let violations = check(body.as_bytes());
        assert_eq!(violations.len(), 1, "{value}: {violations:?}");
        assert_eq!(violations[0].instance_path, "/payout_fee_party");
    }
    assert_clean(&check(br#"{"amount": 500}"#));
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_flow_answer_lists_step_names_only_though_the_request_may_send_step_objects() {
    let request =
        br#"{"steps": [{"name": "redirect", "redirect_url": "https://example.com"}, "payout"]}"#;
    assert_clean(&dots().check_request("POST", "/api/v2/flows", JSON, request));
    let flow = json!({"id": TRANSFER_ID, "created": "2026-01-05T14:00:00Z", "user_id": null,
                      "steps": ["redirect", "payout"], "completed_steps": [],
                      "link": "https://dots.dev/flow/abc", "metadata": null});
    assert_clean(&answer("POST", "/api/v2/flows", 200, &flow));
    let mut objects = flow.clone();
    objects["steps"] = json!([{"name": "redirect"}]);
    let violations = answer("POST", "/api/v2/flows", 200, &objects);
    assert_eq!(
        schema_paths(&violations),
        [
            "#/components/schemas/flow/properties/steps/items/type",
            "#/components/schemas/flow/properties/steps/items/enum",
        ]
    );
}

#[test]
#[cfg_attr(
    not(dots_spec),
    ignore = "../shared/provider-specs/dots-v2.openapi.yaml is absent"
)]
fn a_payout_link_may_be_answered_202_but_not_with_the_status_funds_pending() {
    let link =
        json!({"id": TRANSFER_ID, "amount": 500, "status": "created", "funding_source": "ach"});
    assert_clean(&answer("POST", "/api/v2/payout-links", 202, &link));
    let mut pending = link.clone();
    pending["status"] = json!("funds_pending");
    let violations = answer("POST", "/api/v2/payout-links", 202, &pending);
    assert_eq!(
        schema_paths(&violations),
        ["#/components/schemas/payout-link/properties/status/enum"]
    );
}
