//! The adapter protocol's written form stays coherent: every message schema in
//! `docs/adapter-protocol/` compiles as JSON Schema 2020-12, every JSON example in
//! `docs/adapter-protocol.md` is valid against the schema of its `type`, and the schemas refuse
//! what the text says is wrong.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

/// Every schema, by the message type it describes.
fn schemas() -> BTreeMap<String, Validator> {
    let dir = docs().join("adapter-protocol");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("docs/adapter-protocol/ exists") {
        let path = entry.expect("a readable directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(kind) = name.strip_suffix(".schema.json") else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("a readable schema");
        let schema: Value = serde_json::from_str(&text).expect("a schema is JSON");
        assert_eq!(
            schema["properties"]["type"]["const"], kind,
            "{name} describes the message type its file is named after"
        );
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{name} compiles: {e}"));
        out.insert(kind.to_string(), validator);
    }
    out
}

/// The JSON objects of the text's ```json blocks, one per line of a block or one per block.
fn examples() -> Vec<Value> {
    let text = std::fs::read_to_string(docs().join("adapter-protocol.md")).expect("the text");
    let mut out = Vec::new();
    for block in text.split("```json\n").skip(1) {
        let body = block.split("```").next().unwrap_or_default();
        match serde_json::from_str::<Value>(body) {
            Ok(v) => out.push(v),
            Err(_) => out.extend(body.lines().filter(|l| !l.trim().is_empty()).map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("an example is JSON: {l}: {e}"))
            })),
        }
    }
    out
}

fn errors(schemas: &BTreeMap<String, Validator>, message: &Value) -> Vec<String> {
    let kind = message["type"].as_str().expect("every message has a type");
    let validator = schemas
        .get(kind)
        .unwrap_or_else(|| panic!("a schema for {kind}"));
    validator
        .iter_errors(message)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn there_is_a_schema_for_every_message_of_the_protocol() {
    let kinds: Vec<String> = schemas().into_keys().collect();
    let expected = [
        "configure",
        "error",
        "hello",
        "request",
        "reset",
        "result",
        "shutdown",
        "sleep",
        "slept",
    ];
    assert_eq!(kinds, expected);
}

#[test]
fn every_example_in_the_text_is_valid_against_its_schema() {
    let schemas = schemas();
    let examples = examples();
    assert!(
        examples.len() >= 5,
        "the text shows its messages: {examples:?}"
    );
    for example in &examples {
        let problems = errors(&schemas, example);
        assert!(problems.is_empty(), "{example}: {problems:?}");
    }
}

#[test]
fn a_rejected_error_without_its_http_status_is_invalid() {
    let message = json!({"type": "error", "id": "7", "error": {"kind": "rejected", "code": "x"}});
    assert!(!errors(&schemas(), &message).is_empty());
    let timeout = json!({"type": "error", "id": "7", "error": {"kind": "timeout"}});
    assert!(errors(&schemas(), &timeout).is_empty());
}

#[test]
fn a_hello_of_another_major_version_or_an_unknown_provider_is_invalid() {
    let schemas = schemas();
    let hello = |protocol: u64, provider: &str| {
        json!({"type": "hello", "protocol": protocol,
               "adapter": {"name": "a", "version": "1"},
               "operations": {provider: ["payout.create"]}})
    };
    assert!(errors(&schemas, &hello(1, "onepay")).is_empty());
    assert!(!errors(&schemas, &hello(2, "onepay")).is_empty());
    assert!(!errors(&schemas, &hello(1, "paypal")).is_empty());
}

#[test]
fn a_slept_answer_carries_a_date_time() {
    let schemas = schemas();
    let ok = json!({"type": "slept", "id": "a1", "at": "2026-12-01T10:00:30Z"});
    let bad = json!({"type": "slept", "id": "a1", "at": "half past ten"});
    assert!(errors(&schemas, &ok).is_empty());
    assert!(!errors(&schemas, &bad).is_empty());
}
