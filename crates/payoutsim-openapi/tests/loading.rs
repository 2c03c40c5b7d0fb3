//! Loading documents: what is refused, as a typed error, and what is read generously.

mod support;

use payoutsim_openapi::{Document, LoadError, ViolationKind};
use serde_json::json;
use support::{assert_clean, kinds};

fn minimal(paths: serde_json::Value) -> serde_json::Value {
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths})
}

#[test]
fn text_that_is_not_yaml_is_a_yaml_error() {
    let error = Document::from_yaml_str("openapi: [3.1.0").err();
    assert!(matches!(error, Some(LoadError::Yaml(_))), "{error:?}");
}

#[test]
fn a_document_without_an_openapi_version_is_refused() {
    let error = Document::from_json(json!({"swagger": "2.0", "paths": {}})).err();
    assert!(matches!(error, Some(LoadError::NotOpenApi(_))), "{error:?}");
    let error = Document::from_json(json!(["not", "an", "object"])).err();
    assert!(matches!(error, Some(LoadError::NotOpenApi(_))), "{error:?}");
}

#[test]
fn a_version_other_than_3_0_or_3_1_is_refused() {
    let error = Document::from_yaml_str("openapi: 4.0.0\npaths: {}\n").err();
    assert_eq!(
        error.map(|e| e.to_string()),
        Some("not an OpenAPI 3.0/3.1 document: version \"4.0.0\"".into())
    );
}

#[test]
fn a_missing_file_is_a_read_error_naming_the_file() {
    let error = Document::from_yaml_file("/nonexistent/openapi.yaml").err();
    assert!(
        matches!(&error, Some(LoadError::Read { path, .. }) if path.ends_with("openapi.yaml")),
        "{error:?}"
    );
}

#[test]
fn a_response_reference_to_nothing_is_a_malformed_document() {
    let paths =
        json!({"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/none"}}}}});
    let error = Document::from_json(minimal(paths)).err();
    assert!(
        matches!(&error, Some(LoadError::Malformed { at, .. }) if at == "/paths/~1a/get/responses/200"),
        "{error:?}"
    );
}

#[test]
fn an_external_reference_of_a_response_is_refused() {
    let paths = json!({"/a": {"get": {"responses": {"200": {"$ref": "other.yaml#/x"}}}}});
    assert!(matches!(
        Document::from_json(minimal(paths)),
        Err(LoadError::Malformed { .. })
    ));
}

#[test]
fn paths_that_are_not_an_object_are_a_malformed_document() {
    assert!(matches!(
        Document::from_json(minimal(json!([]))),
        Err(LoadError::Malformed { .. })
    ));
}

#[test]
fn a_schema_the_validator_cannot_compile_is_listed_and_reported_where_it_is_needed() {
    let broken = json!({"schema": {"type": "integer", "minimum": "zero"}});
    let paths = json!({"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": broken}}}}}});
    let document =
        Document::from_json(minimal(paths)).expect("one broken schema does not stop the load");
    let problems = document.schema_problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].location,
        "/paths/~1a/get/responses/200/content/application~1json/schema"
    );
    let violations = document.check_response("GET", "/a", 200, Some("application/json"), b"1");
    assert_eq!(kinds(&violations), [ViolationKind::UnusableSchema]);
}

#[test]
fn unquoted_status_codes_and_yaml_merge_keys_are_read() {
    let yaml = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
x-shared: &shared
  description: OK
  content:
    application/json:
      schema: {type: object, required: [ok]}
paths:
  /a:
    get:
      responses:
        200:
          <<: *shared
"#;
    let document = Document::from_yaml_str(yaml).expect("loads");
    assert_clean(&document.check_response(
        "GET",
        "/a",
        200,
        Some("application/json"),
        br#"{"ok":1}"#,
    ));
    assert_eq!(
        kinds(&document.check_response("GET", "/a", 200, Some("application/json"), b"{}")),
        [ViolationKind::Schema]
    );
}

#[test]
fn an_openapi_3_0_document_reads_nullable_and_boolean_exclusive_bounds() {
    let schema = json!({
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": true},
            "owner": {"$ref": "#/components/schemas/owner", "nullable": true}
        }
    });
    let document = Document::from_json(json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": schema}}}}}}},
        "components": {"schemas": {"owner": {"type": "object", "required": ["name"]}}}
    }))
    .expect("loads");
    let check = |body: &str| {
        kinds(&document.check_response("GET", "/a", 200, Some("application/json"), body.as_bytes()))
    };
    assert_eq!(check(r#"{"n": 1, "owner": null}"#), []);
    assert_eq!(check(r#"{"n": 1, "owner": {"name": "ana"}}"#), []);
    assert_eq!(check(r#"{"n": 0}"#), [ViolationKind::Schema]);
    assert_eq!(check(r#"{"owner": {}}"#), [ViolationKind::Schema]);
}

#[test]
fn a_document_without_servers_has_an_empty_base_path() {
    let document = Document::from_json(minimal(json!({}))).expect("loads");
    assert_eq!(document.base_path(), "");
    assert_eq!(document.operations().count(), 0);
}

#[test]
fn a_relative_server_url_is_the_base_path() {
    let mut value = minimal(json!({"/a": {"get": {"responses": {"204": {"description": "x"}}}}}));
    value["servers"] = json!([{"url": "/api/"}]);
    let document = Document::from_json(value).expect("loads");
    assert_eq!(document.base_path(), "/api");
    assert!(document.operation("GET", "/api/a").is_some());
    assert!(document.operation("GET", "/api").is_none());
}
