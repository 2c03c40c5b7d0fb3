//! Finding the operation of a request as sent.

mod support;

use payoutsim_openapi::ViolationKind;
use support::{ACCOUNT_ID, ledger};

fn operation_id(method: &str, path: &str) -> Option<String> {
    ledger()
        .operation(method, path)
        .and_then(|op| op.operation_id.clone())
}

#[test]
fn the_base_path_is_the_path_of_the_first_server_with_its_variables_at_their_defaults() {
    assert_eq!(ledger().base_path(), "/v1");
}

#[test]
fn a_concrete_path_with_base_path_and_query_finds_its_templated_operation() {
    let path = format!("/v1/accounts/{ACCOUNT_ID}?expand=owner&limit=2");
    let operation = ledger().operation("GET", &path);
    let operation = operation.map(|op| {
        (
            op.method.as_str(),
            op.template.as_str(),
            op.operation_id.as_deref(),
        )
    });
    assert_eq!(
        operation,
        Some(("GET", "/accounts/{account_id}", Some("get-account")))
    );
}

#[test]
fn a_literal_segment_wins_over_a_parameter() {
    assert_eq!(
        operation_id("GET", "/v1/accounts/export"),
        Some("export-accounts".into())
    );
    assert_eq!(
        operation_id("GET", "/v1/accounts/exports"),
        Some("get-account".into())
    );
}

#[test]
fn a_path_without_the_base_path_or_with_a_scheme_and_host_is_matched_too() {
    assert_eq!(
        operation_id("GET", "/accounts"),
        Some("list-accounts".into())
    );
    assert_eq!(
        operation_id("POST", "http://127.0.0.1:4705/v1/accounts/7/notes"),
        Some("add-note".into())
    );
}

#[test]
fn methods_match_in_any_case() {
    assert_eq!(
        operation_id("delete", "/v1/accounts/7"),
        Some("close-account".into())
    );
}

#[test]
fn segments_must_all_match_and_a_trailing_slash_is_a_segment() {
    assert_eq!(operation_id("GET", "/v1/accounts/7/notes/1"), None);
    assert_eq!(operation_id("GET", "/v1/accounts/"), None);
    assert_eq!(operation_id("GET", "/v1"), None);
}

#[test]
fn an_unknown_method_on_a_known_path_is_reported_with_the_methods_it_has() {
    assert_eq!(ledger().operation("PUT", "/v1/accounts/7"), None);
    let violations = ledger().check_response("PUT", "/v1/accounts/7", 200, None, b"");
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].kind, ViolationKind::UnknownOperation);
    assert_eq!(violations[0].operation, "PUT /v1/accounts/7");
    assert_eq!(
        violations[0].message,
        "/accounts/{account_id} has no PUT operation (it has GET, DELETE)"
    );
}

#[test]
fn an_unknown_path_is_reported_as_no_operation() {
    let violations = ledger().check_request("GET", "/v1/ledgers", None, b"");
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].kind, ViolationKind::UnknownOperation);
    assert_eq!(
        violations[0].message,
        "no path template of the document fits"
    );
}

#[test]
fn operations_lists_every_method_of_every_path() {
    let listed: Vec<String> = ledger().operations().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "GET /accounts (list-accounts)",
            "POST /accounts (create-account)",
            "GET /accounts/export (export-accounts)",
            "GET /accounts/{account_id} (get-account)",
            "DELETE /accounts/{account_id} (close-account)",
            "POST /accounts/{account_id}/notes (add-note)",
        ]
    );
}
