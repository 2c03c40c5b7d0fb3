//! Checking request bodies against `requestBody`.

mod support;

use payoutsim_openapi::ViolationKind;
use support::{assert_clean, kinds, ledger};

const JSON: Option<&str> = Some("application/json");

#[test]
fn a_request_body_the_schema_accepts_has_no_violations() {
    let body = br#"{"owner":{"email":"ana@example.com"},"nickname":"savings"}"#;
    assert_clean(&ledger().check_request("POST", "/v1/accounts", JSON, body));
}

#[test]
fn a_request_with_a_field_the_schema_does_not_allow_is_a_violation() {
    let body = br#"{"owner":{"email":"ana@example.com"},"balance":10}"#;
    let violations = ledger().check_request("POST", "/v1/accounts", JSON, body);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert_eq!(violations[0].status, None);
    assert_eq!(
        violations[0].schema_path,
        "#/components/schemas/new-account/additionalProperties"
    );
    assert!(
        violations[0]
            .to_string()
            .starts_with("POST /accounts (create-account) request: ")
    );
}

#[test]
fn a_request_with_a_bad_referenced_field_is_a_violation() {
    let body = br#"{"owner":{"email":"not-an-email"}}"#;
    let violations = ledger().check_request("POST", "/v1/accounts", JSON, body);
    assert_eq!(
        violations
            .iter()
            .map(|v| v.instance_path.as_str())
            .collect::<Vec<_>>(),
        ["/owner/email"]
    );
}

#[test]
fn an_empty_body_is_refused_when_the_request_body_is_required() {
    let violations = ledger().check_request("POST", "/v1/accounts", None, b"");
    assert_eq!(kinds(&violations), [ViolationKind::MissingBody]);
}

#[test]
fn an_empty_body_passes_when_the_request_body_is_optional() {
    assert_clean(&ledger().check_request("POST", "/v1/accounts/7/notes", None, b""));
    let violations =
        ledger().check_request("POST", "/v1/accounts/7/notes", JSON, br#"{"text":""}"#);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
}

#[test]
fn a_body_sent_to_an_operation_without_a_request_body_is_a_violation() {
    let violations = ledger().check_request("DELETE", "/v1/accounts/7", JSON, b"{}");
    assert_eq!(kinds(&violations), [ViolationKind::UndeclaredBody]);
    assert_clean(&ledger().check_request("DELETE", "/v1/accounts/7", None, b""));
}

#[test]
fn a_request_body_in_an_undeclared_content_type_is_a_violation() {
    let body = b"owner=ana";
    let violations = ledger().check_request(
        "POST",
        "/v1/accounts",
        Some("application/x-www-form-urlencoded"),
        body,
    );
    assert_eq!(kinds(&violations), [ViolationKind::UndeclaredContentType]);
}
