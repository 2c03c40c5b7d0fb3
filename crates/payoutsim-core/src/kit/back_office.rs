//! What the providers' back offices share, so each `admin.rs` keeps only its own actions:
//!
//! - [`Kit::declare`]: a tenant listed in the engine's registry before its first request (a
//!   scenario's `setup`, funding an unknown tenant)
//! - [`fund`]: `POST /fund` {tenant, amount}, done by the provider's [`Spec::fund`]
//! - [`objects_view`] and [`entry`]: the `{"objects": [{kind, tenant, id, object, lifecycle?}]}`
//!   of `GET /__admin/providers/{name}/objects`, for one tenant and/or kind, and a page of it
//!   ([`with_page`], [`Objects`]): the entries outside the page are dropped as they are made,
//!   so the view costs a page's entries, never the whole store's

use std::cell::Cell;
use std::collections::VecDeque;

use axum::Json;
use axum::extract::State;
use axum::routing::{MethodRouter, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::{Kit, Spec};
use crate::error::{AdminError, AdminJson};
use crate::machine::Lifecycle;
use crate::money::plain_decimal;

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

/// The body of `POST /fund`: the amount kept as written, so that its digits, not a float's,
/// are what the provider reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fund {
    tenant: String,
    amount: Box<RawValue>,
}

/// `POST /fund` {tenant, amount}: credits a tenant as the provider's [`Spec::fund`] does, and
/// answers what it answers. For a provider's `admin_routes()`: `.route("/fund", kit::fund())`.
/// `amount` must be a JSON number; the provider gets its digits exactly as written (an
/// exponent shifted, never through `f64`), so `1000.0000000000001` is refused as too precise
/// rather than rounded.
pub fn fund<S: Spec>() -> MethodRouter<Kit<S>> {
    post(
        |State(kit): State<Kit<S>>, AdminJson(body): AdminJson<Fund>| async move {
            let amount = written_amount(body.amount.get())?;
            S::fund(&kit, &body.tenant, &amount).map(Json)
        },
    )
}

/// A JSON number's text as plain decimal digits, exactly; anything else refused naming the
/// field.
fn written_amount(raw: &str) -> Result<String, AdminError> {
    let number = raw.starts_with(|c: char| c == '-' || c.is_ascii_digit());
    (number
        .then(|| plain_decimal(raw).map(String::from))
        .flatten())
    .ok_or_else(|| AdminError::bad_request("`amount` must be a number"))
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

thread_local! {
    /// The page the objects view being made on this thread keeps ([`with_page`]).
    static PAGE: Cell<Option<Page>> = const { Cell::new(None) };
}

/// A page of the objects view: `limit` entries from `offset`, or the last `limit` without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub offset: Option<usize>,
    pub limit: usize,
}

/// Runs `view` (a provider's objects view, made synchronously on this thread) keeping only
/// `page` of its entries: [`objects_view`] then answers that page, its `total` and, with an
/// offset, the `next_offset` when entries follow. The admin API's objects route calls it, so
/// providers' views page without passing the page through their own code.
pub fn with_page<R>(page: Page, view: impl FnOnce() -> R) -> R {
    struct Restore(Option<Page>);
    impl Drop for Restore {
        fn drop(&mut self) {
            PAGE.with(|p| p.set(self.0));
        }
    }
    let _restore = Restore(PAGE.with(|p| p.replace(Some(page))));
    view()
}

/// Where a provider's objects view puts its entries: it keeps those of the page being made
/// (all of them outside [`with_page`]) and counts the rest.
#[derive(Debug)]
pub struct Objects {
    page: Option<Page>,
    seen: usize,
    kept: VecDeque<Value>,
}

impl Objects {
    /// A sink for the view being made on this thread (the page of [`with_page`], if any), for a
    /// provider whose view is not laid out for [`objects_view`]; finish it with
    /// [`Objects::into_view`].
    pub fn current() -> Self {
        Self::new(PAGE.with(Cell::get))
    }

    fn new(page: Option<Page>) -> Self {
        Self {
            page,
            seen: 0,
            kept: VecDeque::new(),
        }
    }

    /// Adds one entry (kept if it falls in the page).
    pub fn push(&mut self, entry: Value) {
        let at = self.seen;
        self.seen += 1;
        match self.page {
            None => self.kept.push_back(entry),
            Some(Page {
                offset: Some(offset),
                limit,
            }) => {
                if at >= offset && at - offset < limit {
                    self.kept.push_back(entry);
                }
            }
            Some(Page {
                offset: None,
                limit,
            }) => {
                if self.kept.len() == limit {
                    self.kept.pop_front();
                }
                self.kept.push_back(entry);
            }
        }
    }

    /// Adds entries in order.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Value>) {
        entries.into_iter().for_each(|e| self.push(e));
    }

    /// `{"objects": [...]}`, with `total` and `next_offset` when paged.
    pub fn into_view(self) -> Value {
        let objects: Vec<Value> = self.kept.into();
        match self.page {
            None => json!({ "objects": objects }),
            Some(page) => {
                let end = page.offset.map(|o| o.saturating_add(page.limit));
                let next = end.filter(|end| *end < self.seen);
                json!({ "objects": objects, "total": self.seen, "next_offset": next })
            }
        }
    }
}

/// `{"objects": [...]}`: for each of `tenants` that `tenant` selects (all when `None`), and each
/// of `kinds` that `kind` selects, the entries `each(records, tenant, kind, out)` pushes; within
/// [`with_page`], a page of them.
pub fn objects_view<'a, R: 'a>(
    tenants: impl IntoIterator<Item = (&'a String, &'a R)>,
    kinds: &[&str],
    tenant: Option<&str>,
    kind: Option<&str>,
    mut each: impl FnMut(&'a R, &'a str, &str, &mut Objects),
) -> Value {
    let mut out = Objects::new(PAGE.with(Cell::get));
    let selected = tenants
        .into_iter()
        .filter(|(name, _)| tenant.is_none_or(|want| want == name.as_str()));
    for (name, records) in selected {
        for k in kinds.iter().filter(|k| kind.is_none_or(|want| want == **k)) {
            each(records, name, k, &mut out);
        }
    }
    out.into_view()
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
    fn a_page_of_the_view_keeps_its_window_and_counts_the_rest() {
        let tenants = BTreeMap::from([("a".to_string(), 10)]);
        let view = || {
            objects_view(&tenants, &["n"], None, None, |n, t, k, out| {
                out.extend((0..*n).map(|i| entry(k, t, &i.to_string(), json!(i), None)));
            })
        };
        let ids = |v: &Value| -> Vec<Value> {
            let list = v["objects"].as_array().cloned().unwrap_or_default();
            list.iter().map(|e| e["object"].clone()).collect()
        };

        let from = with_page(
            Page {
                offset: Some(4),
                limit: 3,
            },
            view,
        );
        let newest = with_page(
            Page {
                offset: None,
                limit: 2,
            },
            view,
        );
        let last = with_page(
            Page {
                offset: Some(8),
                limit: 3,
            },
            view,
        );

        assert_eq!(ids(&from), [json!(4), json!(5), json!(6)]);
        assert_eq!(
            (from["total"].clone(), from["next_offset"].clone()),
            (json!(10), json!(7))
        );
        assert_eq!(ids(&newest), [json!(8), json!(9)]);
        assert_eq!(ids(&last), [json!(8), json!(9)]);
        assert_eq!(last["next_offset"], Value::Null);
        assert_eq!(ids(&view()).len(), 10, "outside a page: every entry");
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
