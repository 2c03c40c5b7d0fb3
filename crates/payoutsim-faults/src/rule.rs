//! The rule format (DESIGN.md "Rule format"), the same in scenario files and in
//! `POST /__admin/faults`: a matcher, a fault and how often.
//!
//! - [`Rule`]: `id`, `match`, `fault`, `probability`, `times`, `after`, `window`
//! - [`Match`]: provider, method, path, headers, body fields, tenant, event
//! - [`Fault`]: one variant per fault kind, tagged by `kind`; its values (latency shapes, error
//!   statuses, probabilities, windows) are in `values.rs`
//!
//! Unknown fields are refused and every value is checked while it is read, so an error comes back
//! with the path of the field (and, from YAML, its line and column). What needs the running
//! providers (a provider's name, an outcome's status) is checked when the rule is loaded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::values::{ErrorStatus, Latency, Probability, Window};
use crate::values::{hang_seconds, hundred, one, positive_usize, sixteen, thirty, webhook_delay};

/// One fault rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Generated (`rule-1`, `rule-2`, …) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "match", default)]
    pub matcher: Match,
    pub fault: Fault,
    /// Chance that a match is hit, drawn from the run's seed. Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<Probability>,
    /// Hits before the rule is spent. Default: never spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Matches skipped before the rule starts hitting. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
}

/// What a request (or a webhook message) must look like; every field given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Exact, or a glob: `*` within one path segment, `**` across segments, `?` one character.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Header name (any case) -> value glob.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Dotted JSON path (`beneficiary.account`, `items.0.amount`) -> value (a string is a glob).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub body: BTreeMap<String, Value>,
    /// `<provider>:<credential>`, a glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Webhook faults: the event name, a glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// `before`: the provider never saw the request; `after`: it handled it and the answer was lost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[default]
    Before,
    After,
}

impl Stage {
    fn is_before(&self) -> bool {
        *self == Stage::Before
    }
}

/// A fault, tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    Latency(Latency),
    Status {
        status: ErrorStatus,
        /// Sent as is (JSON) instead of the provider's own error body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
    },
    RateLimit {
        #[serde(default = "one")]
        retry_after_s: u64,
    },
    Hang {
        /// Seconds before the connection is closed without an answer, at most 3600. Default 30.
        #[serde(default = "thirty", deserialize_with = "hang_seconds")]
        max_s: f64,
        #[serde(default, skip_serializing_if = "Stage::is_before")]
        stage: Stage,
    },
    Reset {
        #[serde(default, skip_serializing_if = "Stage::is_before")]
        stage: Stage,
    },
    Empty {
        #[serde(default, skip_serializing_if = "Stage::is_before")]
        stage: Stage,
    },
    Truncate {
        #[serde(default, skip_serializing_if = "Stage::is_before")]
        stage: Stage,
    },
    Malformed {
        #[serde(default, skip_serializing_if = "Stage::is_before")]
        stage: Stage,
    },
    SlowBody {
        #[serde(default = "sixteen", deserialize_with = "positive_usize")]
        chunk_bytes: usize,
        #[serde(default = "hundred")]
        delay_ms: u64,
    },
    TokenExpired,
    Outcome {
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    WebhookDrop,
    WebhookDuplicate,
    WebhookDelay {
        /// At most `clock::MAX_SPAN_S` (100 years).
        #[serde(deserialize_with = "webhook_delay")]
        delay_s: f64,
    },
    WebhookReorder,
}

impl Fault {
    /// The `kind` as written in rules.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Latency(_) => "latency",
            Fault::Status { .. } => "status",
            Fault::RateLimit { .. } => "rate_limit",
            Fault::Hang { .. } => "hang",
            Fault::Reset { .. } => "reset",
            Fault::Empty { .. } => "empty",
            Fault::Truncate { .. } => "truncate",
            Fault::Malformed { .. } => "malformed",
            Fault::SlowBody { .. } => "slow_body",
            Fault::TokenExpired => "token_expired",
            Fault::Outcome { .. } => "outcome",
            Fault::WebhookDrop => "webhook_drop",
            Fault::WebhookDuplicate => "webhook_duplicate",
            Fault::WebhookDelay { .. } => "webhook_delay",
            Fault::WebhookReorder => "webhook_reorder",
        }
    }

    /// Whether it acts on webhook messages (else on provider requests).
    pub fn is_webhook(&self) -> bool {
        self.kind().starts_with("webhook_")
    }

    /// The stage of the kinds that have one.
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Fault::Hang { stage, .. }
            | Fault::Reset { stage }
            | Fault::Empty { stage }
            | Fault::Truncate { stage }
            | Fault::Malformed { stage } => Some(*stage),
            _ => None,
        }
    }

    /// How the journal and the delivery records name it: `reset (after)`, `status 503`, …
    pub fn describe(&self) -> String {
        match (self, self.stage()) {
            (Fault::Status { status, .. }, _) => format!("status {}", status.0),
            (_, Some(Stage::After)) => format!("{} (after)", self.kind()),
            (_, Some(Stage::Before)) => format!("{} (before)", self.kind()),
            _ => self.kind().to_string(),
        }
    }
}

/// Reads one rule from JSON or YAML text; the error names the field (`fault.status: …`).
pub fn parse_rule(text: &str) -> Result<Rule, String> {
    serde_yaml_ng::from_str(text).map_err(|e| e.to_string())
}

/// Checks what serde cannot: webhook kinds match on provider, tenant and event only, and request
/// kinds never on event. `at` prefixes the field path (`rules[2].`).
pub fn check_shape(rule: &Rule, at: &str) -> Result<(), String> {
    let m = &rule.matcher;
    if rule.fault.is_webhook() {
        let request_fields = [
            ("method", m.method.is_some()),
            ("path", m.path.is_some()),
            ("headers", !m.headers.is_empty()),
            ("body", !m.body.is_empty()),
        ];
        if let Some((field, _)) = request_fields.iter().find(|(_, set)| *set) {
            return Err(format!(
                "{at}match.{field}: a {} fault matches webhook messages on provider, tenant \
                 and event only",
                rule.fault.kind()
            ));
        }
    } else if m.event.is_some() {
        return Err(format!(
            "{at}match.event: only webhook_* faults match on event (this one is `{}`)",
            rule.fault.kind()
        ));
    }
    if let Some(id) = &rule.id
        && (id.is_empty() || id.len() > 100 || id.contains('/'))
    {
        return Err(format!(
            "{at}id: `{id}` must be 1 to 100 characters without `/`"
        ));
    }
    if let Some(method) = &m.method
        && http::Method::from_bytes(method.as_bytes()).is_err()
    {
        return Err(format!(
            "{at}match.method: `{method}` is not an HTTP method"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_design_example_reads_back_as_written() {
        let rule = parse_rule(
            r#"
            id: outage
            match:
              provider: onepay
              method: POST
              path: /v1/cashouts
              headers: { x-idempotency: "k-*" }
              body: { method: TURBO }
              tenant: onepay:sk_test_abc
            fault: { kind: status, status: 503 }
            probability: 1.0
            times: 2
            after: 0
            window: { from_s: 0, for_s: 60 }
            "#,
        )
        .unwrap();
        assert_eq!(rule.id.as_deref(), Some("outage"));
        assert_eq!(
            rule.fault,
            Fault::Status {
                status: ErrorStatus(503),
                body: None
            }
        );
        assert_eq!(rule.matcher.body["method"], Value::from("TURBO"));
        assert!(rule.window.unwrap().contains(59.9));
        assert!(!rule.window.unwrap().contains(60.0));
    }

    #[test]
    fn an_unknown_field_is_refused_by_name() {
        let err = parse_rule(r#"{"fault": {"kind": "reset"}, "probabilty": 0.5}"#).unwrap_err();
        assert!(err.contains("unknown field `probabilty`"), "{err}");
    }

    #[test]
    fn a_bad_value_names_its_field() {
        let err = parse_rule(r#"{"fault": {"kind": "status", "status": 200}}"#).unwrap_err();
        assert!(
            err.contains("field `status`: 200 is not an HTTP error status"),
            "{err}"
        );
        let err = parse_rule(r#"{"fault": {"kind": "reset"}, "probability": 2}"#).unwrap_err();
        assert!(
            err.contains("field `probability`: 2 is not between 0 and 1"),
            "{err}"
        );
    }

    #[test]
    fn a_webhook_delay_of_1e308_seconds_is_refused_naming_delay_s_and_its_limit() {
        let err = parse_rule("fault: {kind: webhook_delay, delay_s: 1e308}").unwrap_err();
        let longest = parse_rule("fault: {kind: webhook_delay, delay_s: 3153600000}").unwrap();

        assert!(
            err.contains("field `delay_s` must be a number of seconds from 0 to 3153600000"),
            "{err}"
        );
        assert_eq!(
            longest.fault,
            Fault::WebhookDelay {
                delay_s: 3_153_600_000.0
            }
        );
    }

    #[test]
    fn a_hang_longer_than_an_hour_is_refused_naming_max_s_and_its_limit() {
        let err = parse_rule("fault: {kind: hang, max_s: 3601}").unwrap_err();

        assert!(
            err.contains("field `max_s` must be a number of seconds from 0 to 3600"),
            "{err}"
        );
        assert!(parse_rule("fault: {kind: hang, max_s: 3600}").is_ok());
    }

    #[test]
    fn latency_takes_exactly_one_shape() {
        let err =
            parse_rule("fault: {kind: latency, fixed_ms: 5, uniform_ms: [1, 2]}").unwrap_err();
        assert!(err.contains("exactly one"), "{err}");
        let ok =
            parse_rule("fault: {kind: latency, lognormal: {median_ms: 20, sigma: 1}}").unwrap();
        assert_eq!(
            ok.fault,
            Fault::Latency(Latency::LogNormal {
                median_ms: 20.0,
                sigma: 1.0
            })
        );
    }

    #[test]
    fn a_webhook_fault_refuses_request_matchers() {
        let rule = parse_rule("{match: {path: /x}, fault: {kind: webhook_drop}}").unwrap();
        let err = check_shape(&rule, "rules[0].").unwrap_err();
        assert!(err.starts_with("rules[0].match.path"), "{err}");
        let rule = parse_rule("{match: {event: a}, fault: {kind: reset}}").unwrap();
        assert!(
            check_shape(&rule, "")
                .unwrap_err()
                .starts_with("match.event")
        );
    }

    #[test]
    fn stages_default_to_before_and_are_described() {
        let rule = parse_rule("fault: {kind: reset}").unwrap();
        assert_eq!(rule.fault.stage(), Some(Stage::Before));
        let rule = parse_rule("fault: {kind: truncate, stage: after}").unwrap();
        assert_eq!(rule.fault.describe(), "truncate (after)");
    }

    fn any_fault() -> impl Strategy<Value = Fault> {
        let stage = prop_oneof![Just(Stage::Before), Just(Stage::After)];
        prop_oneof![
            (0u64..10_000).prop_map(|ms| Fault::Latency(Latency::Fixed(ms))),
            (0u64..100, 0u64..100)
                .prop_map(|(a, b)| Fault::Latency(Latency::Uniform(a.min(b), a.max(b)))),
            (400u16..600).prop_map(|s| Fault::Status {
                status: ErrorStatus(s),
                body: None
            }),
            (0u64..600).prop_map(|s| Fault::RateLimit { retry_after_s: s }),
            (0u32..100, stage.clone()).prop_map(|(s, stage)| Fault::Hang {
                max_s: f64::from(s),
                stage
            }),
            stage.clone().prop_map(|stage| Fault::Reset { stage }),
            stage.clone().prop_map(|stage| Fault::Truncate { stage }),
            (1usize..64, 0u64..50).prop_map(|(c, d)| Fault::SlowBody {
                chunk_bytes: c,
                delay_ms: d
            }),
            Just(Fault::TokenExpired),
            Just(Fault::WebhookReorder),
            (0u32..100).prop_map(|s| Fault::WebhookDelay {
                delay_s: f64::from(s)
            }),
        ]
    }

    proptest! {
        #[test]
        fn every_rule_survives_a_json_round_trip(
            fault in any_fault(),
            times in proptest::option::of(0u64..10),
            after in proptest::option::of(0u64..10),
            p in proptest::option::of(0.0f64..=1.0),
        ) {
            let rule = Rule {
                id: Some("r".into()),
                matcher: Match::default(),
                fault,
                probability: p.map(Probability),
                times,
                after,
                window: None,
            };
            let json = serde_json::to_string(&rule).unwrap();
            prop_assert_eq!(parse_rule(&json).unwrap(), rule);
        }
    }
}
