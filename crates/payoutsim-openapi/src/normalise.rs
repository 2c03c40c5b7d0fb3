//! What a document means, said in JSON Schema 2020-12 before the validator reads it. Three
//! things that documents commonly write and that 2020-12 reads otherwise:
//!
//! - OpenAPI 3.0's `nullable: true` means "or null": the `type` (and an `enum`/`const`) is widened
//!   with null, or, where the schema is a composition (`$ref`, `allOf`, ...), the schema becomes
//!   `anyOf: [{type: null}, <schema>]`. `nullable: false` is dropped.
//! - A YAML null inside a `type` list (`type: [object, null]`, unquoted) means the type "null".
//! - In a 3.0 document, boolean `exclusiveMinimum`/`exclusiveMaximum` qualify `minimum`/`maximum`.
//!
//! Example and default values (`example`, `examples`, `default`, `const`, `enum`) are data, not
//! schemas, and are left alone.

use serde_json::{Map, Value, json};

/// Keys whose value maps names to schemas: their keys are never keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "schemas",
];
/// Keys whose value is data.
const DATA: &[&str] = &["example", "examples", "default", "const", "enum"];
/// Keywords that make a schema a composition, which widening `type` cannot make nullable.
const COMPOSITIONS: &[&str] = &["$ref", "allOf", "anyOf", "oneOf", "not", "if"];

pub(crate) fn normalise(document: &mut Value, openapi_30: bool) {
    walk(document, false, openapi_30);
}

fn walk(node: &mut Value, name_map: bool, openapi_30: bool) {
    match node {
        Value::Object(_) => {
            if !name_map {
                fix(node, openapi_30);
            }
            if let Value::Object(map) = node {
                for (key, child) in map.iter_mut() {
                    let key = key.as_str();
                    if !name_map && DATA.contains(&key) {
                        continue;
                    }
                    walk(child, !name_map && NAME_MAPS.contains(&key), openapi_30);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| walk(item, false, openapi_30)),
        _ => {}
    }
}

fn fix(node: &mut Value, openapi_30: bool) {
    let Value::Object(map) = node else { return };
    yaml_null_types(map);
    if openapi_30 {
        boolean_bound(map, "exclusiveMinimum", "minimum");
        boolean_bound(map, "exclusiveMaximum", "maximum");
    }
    if map.remove("nullable") != Some(Value::Bool(true)) {
        return;
    }
    if COMPOSITIONS.iter().any(|k| map.contains_key(*k)) {
        let rest = std::mem::take(node);
        *node = json!({"anyOf": [{"type": "null"}, rest]});
        return;
    }
    match map.get_mut("type") {
        Some(Value::String(single)) => {
            let single = std::mem::take(single);
            map.insert("type".into(), json!([single, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), json!([value, null]));
    }
}

fn yaml_null_types(map: &mut Map<String, Value>) {
    match map.get_mut("type") {
        Some(Value::Array(types)) => types
            .iter_mut()
            .filter(|t| t.is_null())
            .for_each(|t| *t = json!("null")),
        Some(t @ Value::Null) => *t = json!("null"),
        _ => {}
    }
}

fn boolean_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    match map.get(exclusive) {
        Some(Value::Bool(true)) => match map.remove(inclusive) {
            Some(bound @ Value::Number(_)) => {
                map.insert(exclusive.into(), bound);
            }
            other => {
                map.remove(exclusive);
                if let Some(other) = other {
                    map.insert(inclusive.into(), other);
                }
            }
        },
        Some(Value::Bool(false)) => {
            map.remove(exclusive);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_widens_a_type_and_its_enum() {
        let mut schema = json!({"type": "string", "enum": ["a"], "nullable": true});
        normalise(&mut schema, false);
        assert_eq!(
            schema,
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn a_nullable_reference_becomes_any_of_null_or_the_reference() {
        let mut schema = json!({"$ref": "#/components/schemas/x", "nullable": true});
        normalise(&mut schema, false);
        assert_eq!(
            schema,
            json!({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/x"}]})
        );
    }

    #[test]
    fn nullable_false_is_dropped_and_changes_nothing_else() {
        let mut schema = json!({"type": "integer", "nullable": false});
        normalise(&mut schema, false);
        assert_eq!(schema, json!({"type": "integer"}));
    }

    #[test]
    fn a_yaml_null_in_a_type_list_is_the_null_type() {
        let mut schema = json!({"properties": {"w9": {"type": ["object", null]}}});
        normalise(&mut schema, false);
        assert_eq!(
            schema,
            json!({"properties": {"w9": {"type": ["object", "null"]}}})
        );
    }

    #[test]
    fn examples_and_defaults_are_left_as_written() {
        let data = json!({"nullable": true, "type": ["x", null]});
        let mut schema = json!({"example": data, "default": data, "enum": [data]});
        let before = schema.clone();
        normalise(&mut schema, false);
        assert_eq!(schema, before);
    }

    #[test]
    fn a_property_named_like_a_data_keyword_is_still_a_schema() {
        let mut schema = json!({"properties": {"default": {"type": "string", "nullable": true}}});
        normalise(&mut schema, false);
        assert_eq!(
            schema,
            json!({"properties": {"default": {"type": ["string", "null"]}}})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_of_openapi_3_0_become_numbers() {
        let mut schema = json!({"minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false});
        normalise(&mut schema, true);
        assert_eq!(schema, json!({"exclusiveMinimum": 0, "maximum": 9}));
    }
}
