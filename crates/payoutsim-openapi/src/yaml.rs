//! YAML to JSON. OpenAPI documents in YAML often write status codes unquoted (`200:`), which a
//! JSON object cannot hold as keys, so the YAML value is converted by hand: scalar keys become
//! their text, tags are dropped, merge keys (`<<`) are applied.

use serde_json::{Map, Number, Value};
use serde_yaml_ng::Value as Yaml;

use crate::LoadError;

pub(crate) fn parse(text: &str) -> Result<Value, LoadError> {
    let mut yaml: Yaml = serde_yaml_ng::from_str(text)?;
    yaml.apply_merge()?;
    to_json(yaml, &mut String::new())
}

fn to_json(yaml: Yaml, at: &mut String) -> Result<Value, LoadError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number(&n, at)?,
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                out.push(to_json(item, at)?);
                at.truncate(len);
            }
            Value::Array(out)
        }
        Yaml::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = key_text(key, at)?;
                let len = at.len();
                at.push('/');
                at.push_str(&key);
                let value = to_json(value, at)?;
                at.truncate(len);
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => to_json(tagged.value, at)?,
    })
}

fn number(n: &serde_yaml_ng::Number, at: &str) -> Result<Value, LoadError> {
    let json = if let Some(u) = n.as_u64() {
        Some(Number::from(u))
    } else if let Some(i) = n.as_i64() {
        Some(Number::from(i))
    } else {
        n.as_f64().and_then(Number::from_f64)
    };
    json.map(Value::Number).ok_or_else(|| LoadError::NotJson {
        at: at.to_owned(),
        what: format!("the number {n} is not finite"),
    })
}

fn key_text(key: Yaml, at: &str) -> Result<String, LoadError> {
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Null => Ok("null".to_owned()),
        Yaml::Tagged(tagged) => key_text(tagged.value, at),
        Yaml::Sequence(_) | Yaml::Mapping(_) => Err(LoadError::NotJson {
            at: at.to_owned(),
            what: "a sequence or mapping used as a key".to_owned(),
        }),
    }
}
