//! A small OpenAPI 3.1 document (a ledger of accounts) for the checker's own tests, and helpers.
#![allow(dead_code)] // each test file uses a part

use std::sync::OnceLock;

use payoutsim_openapi::{Document, Violation, ViolationKind};
use serde_json::Value;

pub const LEDGER: &str = r##"
openapi: 3.1.0
info: {title: ledger, version: "1"}
servers:
  - url: "{scheme}://ledger.example/{base}/"
    variables:
      scheme: {default: https}
      base: {default: v1}
paths:
  /accounts:
    get:
      operationId: list-accounts
      responses:
        200:
          description: OK
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/account"}}
                  has_more: {type: boolean}
        4XX:
          $ref: "#/components/responses/error"
    post:
      operationId: create-account
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/new-account"}
      responses:
        "201":
          description: Created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/account"}
        default:
          $ref: "#/components/responses/error"
  /accounts/{account_id}:
    get:
      operationId: get-account
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/account"}
        "404":
          description: Not found, with no body declared
    delete:
      operationId: close-account
      responses:
        "204": {description: Closed}
  /accounts/export:
    get:
      operationId: export-accounts
      responses:
        "200":
          description: CSV
          content:
            text/csv:
              schema: {type: string}
  /accounts/{account_id}/notes:
    post:
      operationId: add-note
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [text]
              properties:
                text: {type: string, minLength: 1}
      responses:
        "200": {description: OK}
components:
  responses:
    error:
      description: An error
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/error"}
  schemas:
    account:
      type: object
      required: [id, status, opened]
      properties:
        id: {type: string, format: uuid}
        status: {type: string, enum: [open, frozen, closed]}
        opened: {type: string, format: date-time}
        balance: {type: integer}
        nickname: {type: string, nullable: true}
        owner: {$ref: "#/components/schemas/owner"}
    owner:
      type: object
      required: [email]
      properties:
        email: {type: string, format: email}
    new-account:
      type: object
      additionalProperties: false
      required: [owner]
      properties:
        owner: {$ref: "#/components/schemas/owner"}
        nickname: {type: string}
    error:
      type: object
      required: [code, message]
      properties:
        code: {type: string}
        message: {type: string}
"##;

pub const ACCOUNT_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

pub fn ledger() -> &'static Document {
    static LEDGER_DOCUMENT: OnceLock<Document> = OnceLock::new();
    LEDGER_DOCUMENT.get_or_init(|| match Document::from_yaml_str(LEDGER) {
        Ok(document) => document,
        Err(error) => panic!("the ledger document must load: {error}"),
    })
}

/// An account the ledger's schema accepts.
pub fn account() -> Value {
    serde_json::json!({
        "id": ACCOUNT_ID,
        "status": "open",
        "opened": "2026-01-05T14:00:00Z",
        "balance": 1200,
        "nickname": "savings",
        "owner": {"email": "ana@example.com"}
    })
}

/// Checks a JSON answer (`application/json`) against the ledger.
pub fn answer(method: &str, path: &str, status: u16, body: &Value) -> Vec<Violation> {
    let bytes = body.to_string();
    ledger().check_response(
        method,
        path,
        status,
        Some("application/json"),
        bytes.as_bytes(),
    )
}

pub fn kinds(violations: &[Violation]) -> Vec<ViolationKind> {
    violations.iter().map(|v| v.kind).collect()
}

/// Fails with every violation, one per line.
pub fn assert_clean(violations: &[Violation]) {
    let lines: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        violations.is_empty(),
        "unexpected violations:\n{}",
        lines.join("\n")
    );
}
