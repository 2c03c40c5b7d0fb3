//! Placeholders in step text: `{tenant}`, `{customer:ana}`, `{receiver}`. A step's path, body or
//! fault rule names the scenario's objects this way and [`substitute`] writes their values in.
//!
//! A pure helper with unit tests of its own (the suite's test target has no test harness,
//! `harness = false`, so tests of the suite's code live in the library).

/// `text` with each placeholder `lookup` knows replaced by its value. A placeholder is `{kind}` or
/// `{kind:name}` with no brace inside, so one within a JSON body (`{"tenant": "{tenant}"}`) is
/// found too; every other brace, and a placeholder `lookup` does not know, stays as written.
pub fn substitute(text: &str, lookup: impl Fn(&str, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(['{', '}']) else {
            break;
        };
        if after[close..].starts_with('{') {
            // A nearer `{` follows: this one opens a JSON object, not a placeholder.
            out.push_str(&rest[..=open]);
            rest = after;
            continue;
        }
        let inner = &after[..close];
        let (kind, name) = inner.split_once(':').unwrap_or((inner, ""));
        out.push_str(&rest[..open]);
        match lookup(kind, name) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::substitute;

    fn lookup(kind: &str, name: &str) -> Option<String> {
        match (kind, name) {
            ("tenant", "") => Some("onepay:sk_test_1".into()),
            ("customer", name) => Some(format!("id-{name}")),
            _ => None,
        }
    }

    #[test]
    fn replaces_a_bare_placeholder_and_a_named_one() {
        let text = substitute("/v1/customers/{customer:ana}?t={tenant}", lookup);
        assert_eq!(text, "/v1/customers/id-ana?t=onepay:sk_test_1");
    }

    #[test]
    fn finds_placeholders_inside_json_objects() {
        let body =
            "{\n  \"match\": {\"tenant\": \"{tenant}\"},\n  \"customer_id\": \"{customer:ana}\"\n}";
        let expected =
            "{\n  \"match\": {\"tenant\": \"onepay:sk_test_1\"},\n  \"customer_id\": \"id-ana\"\n}";
        assert_eq!(substitute(body, lookup), expected);
    }

    #[test]
    fn keeps_unknown_placeholders_and_plain_braces_as_written() {
        let text = "{} {\"a\": 1} {unknown:x} {tenant";
        assert_eq!(substitute(text, lookup), text);
    }

    #[test]
    fn leaves_text_without_braces_alone() {
        assert_eq!(substitute("/v1/banks", lookup), "/v1/banks");
    }
}
