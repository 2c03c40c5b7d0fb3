//! Recording which operations were exercised.

mod support;

use std::collections::BTreeSet;

use payoutsim_openapi::{Coverage, Gap};
use support::{account, ledger};

const JSON: Option<&str> = Some("application/json");

fn gaps(coverage: &Coverage<'_>, selectors: &[&str]) -> Vec<String> {
    coverage
        .unchecked(selectors.iter().copied())
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn coverage_records_each_operation_and_status_checked() {
    let mut coverage = Coverage::new(ledger());
    let body = account().to_string();
    coverage.check_response("GET", "/v1/accounts/7", 200, JSON, body.as_bytes());
    coverage.check_response("GET", "/v1/accounts/8", 404, None, b"");
    coverage.check_response("GET", "/v1/accounts/8", 500, None, b"");
    assert_eq!(
        coverage.statuses("get-account"),
        BTreeSet::from([200, 404, 500])
    );
    let checked: Vec<String> = coverage.checked().map(|(op, _)| op.to_string()).collect();
    assert_eq!(checked, ["GET /accounts/{account_id} (get-account)"]);
}

#[test]
fn the_checks_through_coverage_report_what_the_document_reports() {
    let mut coverage = Coverage::new(ledger());
    let violations = coverage.check_response("GET", "/v1/accounts/7", 200, JSON, b"{}");
    assert_eq!(
        violations,
        ledger().check_response("GET", "/v1/accounts/7", 200, JSON, b"{}")
    );
    assert_eq!(violations.len(), 3);
}

#[test]
fn operations_never_checked_are_listed_by_id_template_or_method_and_template() {
    let mut coverage = Coverage::new(ledger());
    coverage.check_response("GET", "/v1/accounts", 200, JSON, br#"{"data":[]}"#);
    coverage.check_response("DELETE", "/v1/accounts/7", 204, None, b"");
    assert_eq!(
        gaps(
            &coverage,
            &[
                "list-accounts",
                "create-account",
                "/accounts/{account_id}",
                "DELETE /accounts/{account_id}"
            ]
        ),
        [
            "POST /accounts (create-account) was never checked",
            "GET /accounts/{account_id} (get-account) was never checked",
        ]
    );
    assert_eq!(
        gaps(&coverage, &["list-accounts", "close-account"]),
        Vec::<String>::new()
    );
}

#[test]
fn a_selector_naming_no_operation_is_reported() {
    let coverage = Coverage::new(ledger());
    let found = coverage.unchecked(["get-acount"]);
    assert_eq!(found, [Gap::NoSuchOperation("get-acount".into())]);
}

#[test]
fn an_answer_to_an_unknown_path_records_nothing() {
    let mut coverage = Coverage::new(ledger());
    let violations = coverage.check_response("GET", "/v1/nothing", 200, None, b"");
    assert_eq!(violations.len(), 1);
    assert_eq!(coverage.checked().count(), 0);
}
