//! What the providers' back offices share, so each `admin.rs` keeps only its own actions:
//!
//! - [`Kit::declare`]: a tenant listed in the engine's registry before its first request (a
//!   scenario's `setup`, funding an unknown tenant)
//! - [`fund`]: `POST /fund` {tenant, amount}, done by the provider's [`Spec::fund`]
//! - [`objects_view`] and [`entry`]: the `{"objects": [{kind, tenant, id, object, lifecycle?}]}`
//!   of `GET /__admin/providers/{name}/objects`, for one tenant and/or kind

use axum::Json;
use axum::extract::State;
use axum::routing::{MethodRouter, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Kit, Spec};
use crate::error::AdminJson;
use crate::machine::Lifecycle;

impl<S: Spec> Kit<S> {
    /// Lists `tenant` (in `mode`, for a provider whose tenants have one: `test`, `live`) in the
    /// engine's registry with no secret yet, ahead of its first request; the first request binds
    /// its secret. A known tenant is left as it is. Answers the tenant's simulated now, the time
    /// the declaration was made at.
    pub fn declare(&self, tenant: &str, mode: Option<&str>) -> DateTime<Utc> {
        let now = self.now_for(tenant);
        (self.engine().tenants()).declare(S::NAME, tenant, mode, now);
        now
    }
}

/// The body of `POST /fund`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fund {
    tenant: String,
    amount: serde_json::Number,
}

/// `POST /fund` {tenant, amount}: credits a tenant as the provider's [`Spec::fund`] does, and
/// answers what it answers. For a provider's `admin_routes()`: `.route("/fund", kit::fund())`.
pub fn fund<S: Spec>() -> MethodRouter<Kit<S>> {
    post(
        |State(kit): State<Kit<S>>, AdminJson(body): AdminJson<Fund>| async move {
            S::fund(&kit, &body.tenant, &body.amount).map(Json)
        },
    )
}

/// One entry of the objects view: `{kind, tenant, id, object}`, and the object's `lifecycle`
/// where it has one.
pub fn entry(
    kind: &str,
    tenant: &str,
    id: &str,
    object: Value,
    lifecycle: Option<&Lifecycle>,
) -> Value {
    let mut e = json!({ "kind": kind, "tenant": tenant, "id": id, "object": object });
    let lifecycle = lifecycle.and_then(|lc| serde_json::to_value(lc).ok());
    if let (Some(lc), Some(map)) = (lifecycle, e.as_object_mut()) {
        map.insert("lifecycle".into(), lc);
    }
    e
}

/// `{"objects": [...]}`: for each of `tenants` that `tenant` selects (all when `None`), and each
/// of `kinds` that `kind` selects, the entries `each(records, tenant, kind, out)` pushes.
pub fn objects_view<'a, R: 'a>(
    tenants: impl IntoIterator<Item = (&'a String, &'a R)>,
    kinds: &[&str],
    tenant: Option<&str>,
    kind: Option<&str>,
    mut each: impl FnMut(&'a R, &'a str, &str, &mut Vec<Value>),
) -> Value {
    let mut out = Vec::new();
    let selected = tenants
        .into_iter()
        .filter(|(name, _)| tenant.is_none_or(|want| want == name.as_str()));
    for (name, records) in selected {
        for k in kinds.iter().filter(|k| kind.is_none_or(|want| want == **k)) {
            each(records, name, k, &mut out);
        }
    }
    json!({ "objects": out })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn the_view_lists_the_selected_tenants_and_kinds_in_order() {
        let tenants = BTreeMap::from([("a".to_string(), 1), ("b".to_string(), 2)]);
        let view = |tenant, kind| {
            objects_view(&tenants, &["one", "two"], tenant, kind, |n, t, k, out| {
                out.push(entry(k, t, &n.to_string(), json!(n), None));
            })
        };

        let ids = |v: Value| -> Vec<String> {
            let list = v["objects"].as_array().cloned().unwrap_or_default();
            (list.iter())
                .map(|e| format!("{}/{}", e["tenant"], e["kind"]))
                .collect()
        };
        let all = ids(view(None, None));
        assert_eq!(
            all,
            [
                r#""a"/"one""#,
                r#""a"/"two""#,
                r#""b"/"one""#,
                r#""b"/"two""#
            ]
        );
        assert_eq!(ids(view(Some("b"), Some("two"))), [r#""b"/"two""#]);
        assert!(ids(view(Some("c"), None)).is_empty());
    }

    #[test]
    fn an_entry_carries_its_lifecycle_only_when_it_has_one() {
        let plain = entry("customer", "t", "c1", json!({"id": "c1"}), None);

        assert_eq!(
            plain,
            json!({"kind": "customer", "tenant": "t", "id": "c1", "object": {"id": "c1"}})
        );
        let lc = crate::kit::records::sample("order", "new");
        let moving = entry("order", "t", "o1", json!({}), Some(&lc));
        assert_eq!(moving["lifecycle"]["status"], "new");
    }
}
