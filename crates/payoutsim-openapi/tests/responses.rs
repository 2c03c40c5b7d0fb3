//! Checking answers: statuses, content types and bodies against their schemas.

mod support;

use payoutsim_openapi::ViolationKind;
use serde_json::json;
use support::{ACCOUNT_ID, account, answer, assert_clean, kinds, ledger};

fn account_path() -> String {
    format!("/v1/accounts/{ACCOUNT_ID}")
}

#[test]
fn a_valid_answer_has_no_violations() {
    assert_clean(&answer("GET", &account_path(), 200, &account()));
    let list = json!({"data": [account(), account()], "has_more": false});
    assert_clean(&answer("GET", "/v1/accounts?limit=2", 200, &list));
}

#[test]
fn an_undeclared_status_is_a_violation_naming_the_declared_ones() {
    let violations = answer("GET", &account_path(), 500, &json!({}));
    assert_eq!(kinds(&violations), [ViolationKind::UndeclaredStatus]);
    assert_eq!(
        violations[0].message,
        "status 500 is not declared (declared: 200, 404)"
    );
    assert_eq!(
        violations[0].schema_path,
        "#/paths/~1accounts~1{account_id}/get/responses"
    );
}

#[test]
fn a_range_status_covers_every_code_of_its_hundred_through_a_referenced_response() {
    let error = br#"{"code":"limit","message":"limit must be at most 100"}"#;
    let document = ledger();
    assert_clean(&document.check_response(
        "GET",
        "/v1/accounts",
        422,
        Some("application/problem+json"),
        error,
    ));
    let violations = document.check_response(
        "GET",
        "/v1/accounts",
        404,
        Some("application/problem+json"),
        br#"{"code":"x"}"#,
    );
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert_eq!(
        violations[0].schema_path,
        "#/components/schemas/error/required"
    );
    assert_eq!(
        kinds(&answer("GET", "/v1/accounts", 503, &json!({}))),
        [ViolationKind::UndeclaredStatus]
    );
}

#[test]
fn default_covers_any_status_not_declared_otherwise() {
    let error = br#"{"code":"down","message":"try later"}"#;
    let violations = ledger().check_response(
        "POST",
        "/v1/accounts",
        503,
        Some("application/problem+json"),
        error,
    );
    assert_clean(&violations);
}

#[test]
fn a_wrong_type_names_the_instance_path_and_the_schema_path() {
    let mut wrong = account();
    wrong["balance"] = json!("1200");
    let list = json!({"data": [account(), wrong]});
    let violations = answer("GET", "/v1/accounts", 200, &list);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert_eq!(violations[0].instance_path, "/data/1/balance");
    assert_eq!(
        violations[0].schema_path,
        "#/components/schemas/account/properties/balance/type"
    );
    assert_eq!(violations[0].message, r#""1200" is not of type "integer""#);
}

#[test]
fn a_missing_required_field_is_a_violation() {
    let mut incomplete = account();
    incomplete
        .as_object_mut()
        .map(|fields| fields.remove("status"));
    let violations = answer("GET", &account_path(), 200, &incomplete);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert_eq!(violations[0].message, r#""status" is a required property"#);
    assert_eq!(
        violations[0].schema_path,
        "#/components/schemas/account/required"
    );
}

#[test]
fn a_wrong_enum_value_is_a_violation() {
    let mut wrong = account();
    wrong["status"] = json!("suspended");
    let violations = answer("GET", &account_path(), 200, &wrong);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert_eq!(violations[0].instance_path, "/status");
}

#[test]
fn a_date_time_without_an_offset_fails_format_validation() {
    for opened in ["2026-01-05T14:00:00", "2026-01-05 14:00:00Z", "yesterday"] {
        let mut wrong = account();
        wrong["opened"] = json!(opened);
        let violations = answer("GET", &account_path(), 200, &wrong);
        assert_eq!(kinds(&violations), [ViolationKind::Schema], "{opened}");
        assert_eq!(
            violations[0].schema_path,
            "#/components/schemas/account/properties/opened/format"
        );
    }
    let mut offset = account();
    offset["opened"] = json!("2026-01-05T09:00:00.250-05:00");
    assert_clean(&answer("GET", &account_path(), 200, &offset));
}

#[test]
fn a_uuid_format_refuses_an_id_that_is_not_a_uuid() {
    let mut wrong = account();
    wrong["id"] = json!("acct_123");
    let violations = answer("GET", &account_path(), 200, &wrong);
    assert_eq!(
        violations
            .iter()
            .map(|v| v.instance_path.as_str())
            .collect::<Vec<_>>(),
        ["/id"]
    );
}

#[test]
fn a_bad_email_in_a_referenced_schema_is_found_through_the_reference() {
    let mut wrong = account();
    wrong["owner"] = json!({"email": "ana at example.com"});
    let violations = answer("GET", &account_path(), 200, &wrong);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert_eq!(violations[0].instance_path, "/owner/email");
    assert_eq!(
        violations[0].schema_path,
        "#/components/schemas/owner/properties/email/format"
    );
}

#[test]
fn a_nullable_field_accepts_null_and_its_type_but_nothing_else() {
    let mut null = account();
    null["nickname"] = json!(null);
    assert_clean(&answer("GET", &account_path(), 200, &null));
    let mut number = account();
    number["nickname"] = json!(7);
    assert_eq!(
        kinds(&answer("GET", &account_path(), 200, &number)),
        [ViolationKind::Schema]
    );
}

#[test]
fn every_schema_error_of_a_body_is_reported() {
    let wrong = json!({"id": "x", "status": "gone", "opened": "now"});
    assert_eq!(answer("GET", &account_path(), 200, &wrong).len(), 3);
}

#[test]
fn a_declared_json_response_answered_with_another_content_type_is_a_violation() {
    let body = account().to_string();
    let violations = ledger().check_response(
        "GET",
        &account_path(),
        200,
        Some("text/plain"),
        body.as_bytes(),
    );
    assert_eq!(kinds(&violations), [ViolationKind::UndeclaredContentType]);
    assert_eq!(
        violations[0].message,
        "Content-Type text/plain is not declared (declared: application/json)"
    );
}

#[test]
fn an_answer_without_a_content_type_is_a_violation_when_content_is_declared() {
    let body = account().to_string();
    let violations = ledger().check_response("GET", &account_path(), 200, None, body.as_bytes());
    assert_eq!(kinds(&violations), [ViolationKind::UndeclaredContentType]);
}

#[test]
fn a_body_that_is_not_json_is_a_violation() {
    let document = ledger();
    let violations = document.check_response(
        "GET",
        &account_path(),
        200,
        Some("application/json"),
        b"{\"id\":",
    );
    assert_eq!(kinds(&violations), [ViolationKind::NotJson]);
    let empty = document.check_response("GET", &account_path(), 200, Some("application/json"), b"");
    assert_eq!(
        empty[0].message,
        "application/json declared, but the body is empty"
    );
}

#[test]
fn charset_and_case_do_not_change_the_content_type() {
    let body = account().to_string();
    let content_type = Some("Application/JSON; charset=utf-8");
    assert_clean(&ledger().check_response(
        "GET",
        &account_path(),
        200,
        content_type,
        body.as_bytes(),
    ));
}

#[test]
fn a_response_declaring_no_content_accepts_any_body() {
    let document = ledger();
    assert_clean(&document.check_response(
        "GET",
        &account_path(),
        404,
        Some("text/html"),
        b"<h1>gone</h1>",
    ));
    assert_clean(&document.check_response("DELETE", &account_path(), 204, None, b""));
}

#[test]
fn a_media_type_that_is_not_json_is_checked_for_being_declared_only() {
    let document = ledger();
    let csv = b"id,status\n7,open\n";
    assert_clean(&document.check_response(
        "GET",
        "/v1/accounts/export",
        200,
        Some("text/csv"),
        csv,
    ));
    let violations = document.check_response(
        "GET",
        "/v1/accounts/export",
        200,
        Some("application/json"),
        b"[]",
    );
    assert_eq!(kinds(&violations), [ViolationKind::UndeclaredContentType]);
}

#[test]
fn a_violation_displays_as_one_line_naming_operation_status_paths_and_message() {
    let mut wrong = account();
    wrong["owner"] = json!({"email": "nobody"});
    let violations = answer("GET", &account_path(), 200, &wrong);
    assert_eq!(
        violations[0].to_string(),
        "GET /accounts/{account_id} (get-account) answer 200: \"nobody\" is not a \"email\" \
         at /owner/email [#/components/schemas/owner/properties/email/format]"
    );
}

#[test]
fn a_very_long_message_is_cut_to_stay_readable() {
    let huge = json!({"data": "x".repeat(5000)});
    let violations = answer("GET", "/v1/accounts", 200, &huge);
    assert_eq!(kinds(&violations), [ViolationKind::Schema]);
    assert!(violations[0].message.chars().count() <= 301);
    assert!(violations[0].message.ends_with('…'));
}
