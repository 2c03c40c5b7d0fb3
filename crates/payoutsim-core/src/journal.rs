//! The request journal: every request a provider port received, with its answer.
//!
//! Bounded: at most `cap` entries (oldest dropped first) and at most `body_cap` bytes kept of each
//! body, so memory stays flat under any load. [`journal_middleware`] is the outermost layer of every
//! provider router: it reads the body (refusing more than the body limit in the provider's own error
//! format), hands the handlers a [`RequestNotes`] slot where auth writes the tenant, and records the
//! exchange once the response body is complete.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::Value;

use crate::Engine;

/// One exchange, as `GET /__admin/requests` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct JournalEntry {
    pub id: u64,
    pub at: String,
    pub provider: String,
    pub tenant: Option<String>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
    pub status: u16,
    pub response_body: Value,
    pub fault: Option<String>,
}

/// Filters of `GET /__admin/requests`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct JournalQuery {
    pub provider: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub tenant: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Default)]
struct Entries {
    next_id: u64,
    entries: VecDeque<JournalEntry>,
}

#[derive(Debug)]
pub struct Journal {
    cap: usize,
    body_cap: usize,
    inner: Mutex<Entries>,
}

impl Journal {
    pub fn new(cap: usize, body_cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            body_cap,
            inner: Mutex::new(Entries::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Records an entry (its `id` is assigned here) and drops the oldest past the cap.
    pub fn record(&self, mut entry: JournalEntry) {
        let mut inner = self.lock();
        inner.next_id += 1;
        entry.id = inner.next_id;
        if inner.entries.len() >= self.cap {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    /// Matching entries, newest last; `limit` keeps the newest N. Also the number that matched.
    pub fn query(&self, q: &JournalQuery) -> (Vec<JournalEntry>, usize) {
        let inner = self.lock();
        let hits: Vec<&JournalEntry> = inner
            .entries
            .iter()
            .filter(|e| q.provider.as_deref().is_none_or(|p| e.provider == p))
            .filter(|e| {
                q.method
                    .as_deref()
                    .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            })
            .filter(|e| q.path.as_deref().is_none_or(|p| path_matches(p, &e.path)))
            .filter(|e| {
                q.tenant
                    .as_deref()
                    .is_none_or(|t| e.tenant.as_deref() == Some(t))
            })
            .collect();
        let total = hits.len();
        let skip = q.limit.map_or(0, |l| total.saturating_sub(l));
        (hits.into_iter().skip(skip).cloned().collect(), total)
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self, provider: Option<&str>) {
        let mut inner = self.lock();
        inner
            .entries
            .retain(|e| provider.is_some_and(|p| e.provider != p));
    }

    /// A body as the journal keeps it: JSON when it parses, else text; cut at `body_cap` bytes.
    pub fn body_value(&self, bytes: &[u8]) -> Value {
        if bytes.is_empty() {
            return Value::Null;
        }
        if bytes.len() <= self.body_cap {
            if let Ok(v) = serde_json::from_slice(bytes) {
                return v;
            }
        }
        let cut = &bytes[..bytes.len().min(self.body_cap)];
        let mut text = String::from_utf8_lossy(cut).into_owned();
        if bytes.len() > self.body_cap {
            text.push_str(&format!("…[{} bytes in all]", bytes.len()));
        }
        Value::String(text)
    }
}

/// `path` filter: exact, or a trailing `*` for a prefix.
fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

#[derive(Debug, Default)]
struct Notes {
    tenant: Option<String>,
    fault: Option<String>,
}

/// A per-request slot the layers below the journal write into: auth names the tenant, the fault
/// layer names the fault it injected.
#[derive(Clone, Debug, Default)]
pub struct RequestNotes(Arc<Mutex<Notes>>);

impl RequestNotes {
    pub fn set_tenant(&self, tenant: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).tenant = Some(tenant.to_string());
    }
    pub fn set_fault(&self, fault: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).fault = Some(fault.to_string());
    }
    pub fn tenant(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tenant
            .clone()
    }
    fn take(&self) -> Notes {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// What the journal layer needs to know of the provider it wraps.
#[derive(Clone)]
pub struct JournalContext {
    pub engine: Engine,
    pub provider: Arc<dyn crate::Provider>,
}

/// The outermost layer of a provider router: body limit, tenant slot, journal entry.
pub async fn journal_middleware(
    State(ctx): State<JournalContext>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let limit = ctx.engine.config().max_body_bytes;
    let method = parts.method.to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let headers = header_map(&parts.headers);
    let notes = RequestNotes::default();
    parts.extensions.insert(notes.clone());

    let (body_bytes, response) = match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let req = Request::from_parts(parts, Body::from(bytes.clone()));
            (bytes, next.run(req).await)
        }
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            let msg = format!("The request body is larger than {limit} bytes.");
            (
                Bytes::new(),
                ctx.provider
                    .error_response(StatusCode::PAYLOAD_TOO_LARGE, &msg),
            )
        }
        Err(_) => {
            let msg = "The request body could not be read.";
            (
                Bytes::new(),
                ctx.provider.error_response(StatusCode::BAD_REQUEST, msg),
            )
        }
    };

    let (resp_parts, resp_body) = response.into_parts();
    let resp_bytes = match resp_body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let notes = notes.take();
    let journal = &ctx.engine.journal;
    let at = match &notes.tenant {
        Some(t) => ctx.engine.clock.now_for(t),
        None => ctx.engine.clock.now(),
    };
    journal.record(JournalEntry {
        id: 0,
        at: crate::clock::rfc3339(at),
        provider: ctx.provider.name().to_string(),
        tenant: notes.tenant,
        method,
        path,
        query,
        headers,
        body: journal.body_value(&body_bytes),
        status: resp_parts.status.as_u16(),
        response_body: journal.body_value(&resp_bytes),
        fault: notes.fault,
    });
    Response::from_parts(resp_parts, Body::from(resp_bytes)).into_response()
}

fn header_map(headers: &http::HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(provider: &str, path: &str) -> JournalEntry {
        JournalEntry {
            id: 0,
            at: String::new(),
            provider: provider.into(),
            tenant: None,
            method: "GET".into(),
            path: path.into(),
            query: None,
            headers: BTreeMap::new(),
            body: Value::Null,
            status: 200,
            response_body: Value::Null,
            fault: None,
        }
    }

    #[test]
    fn the_oldest_entry_is_dropped_once_the_cap_is_reached() {
        let j = Journal::new(2, 1024);
        for p in ["/1", "/2", "/3"] {
            j.record(entry("p", p));
        }
        let (entries, total) = j.query(&JournalQuery::default());
        assert_eq!(total, 2);
        assert_eq!(
            entries.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            ["/2", "/3"]
        );
        assert_eq!(entries[1].id, 3);
    }

    #[test]
    fn filters_and_limit_keep_the_newest_matches() {
        let j = Journal::new(10, 1024);
        j.record(entry("a", "/v1/cashouts"));
        j.record(entry("b", "/v1/cashouts"));
        j.record(entry("a", "/v1/cashouts/1"));
        let q = JournalQuery {
            provider: Some("a".into()),
            path: Some("/v1/cashouts*".into()),
            limit: Some(1),
            ..Default::default()
        };
        let (entries, total) = j.query(&q);
        assert_eq!(total, 2);
        assert_eq!(entries[0].path, "/v1/cashouts/1");
    }

    #[test]
    fn long_bodies_are_cut_at_the_body_cap() {
        let j = Journal::new(10, 8);
        assert_eq!(j.body_value(b"{\"a\":1}"), serde_json::json!({"a": 1}));
        let cut = j.body_value(b"0123456789abcdef");
        assert_eq!(cut, Value::String("01234567…[16 bytes in all]".into()));
    }
}
