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

/// An exchange as the journal keeps it: raw bytes and headers, rendered only when asked for, so
/// recording costs the request path no parsing or formatting.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub at: chrono::DateTime<chrono::Utc>,
    pub provider: &'static str,
    pub tenant: Option<String>,
    pub method: http::Method,
    pub uri: http::Uri,
    pub headers: http::HeaderMap,
    /// At most `body_cap` bytes of the request body, and its full length.
    pub body: (Bytes, usize),
    pub status: u16,
    pub response_body: (Bytes, usize),
    pub fault: Option<String>,
}

#[derive(Debug, Default)]
struct Entries {
    next_id: u64,
    entries: VecDeque<(u64, Recorded)>,
}

#[derive(Debug)]
pub struct Journal {
    cap: usize,
    body_cap: usize,
    /// Render secrets as sent instead of masking them ([`crate::secrets`]).
    show_secrets: bool,
    inner: Mutex<Entries>,
}

impl Journal {
    pub fn new(cap: usize, body_cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            body_cap,
            show_secrets: false,
            inner: Mutex::new(Entries::default()),
        }
    }

    /// This journal, rendering secrets as sent (`true`) or masked (`false`, the default).
    #[must_use]
    pub fn show_secrets(mut self, show: bool) -> Self {
        self.show_secrets = show;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Keeps at most `body_cap` bytes of a body (a copy when cut, so a large body is not held).
    pub fn clip(&self, body: Bytes) -> (Bytes, usize) {
        let len = body.len();
        if len > self.body_cap {
            (Bytes::copy_from_slice(&body[..self.body_cap]), len)
        } else {
            (body, len)
        }
    }

    /// Records an exchange and drops the oldest past the cap.
    pub fn record(&self, entry: Recorded) {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        if inner.entries.len() >= self.cap {
            inner.entries.pop_front();
        }
        inner.entries.push_back((id, entry));
    }

    /// Matching entries, newest last; `limit` keeps the newest N. Also the number that matched.
    pub fn query(&self, q: &JournalQuery) -> (Vec<JournalEntry>, usize) {
        let hits: Vec<(u64, Recorded)> = {
            let inner = self.lock();
            inner
                .entries
                .iter()
                .filter(|(_, e)| q.provider.as_deref().is_none_or(|p| e.provider == p))
                .filter(|(_, e)| {
                    q.method
                        .as_deref()
                        .is_none_or(|m| e.method.as_str().eq_ignore_ascii_case(m))
                })
                .filter(|(_, e)| {
                    q.path
                        .as_deref()
                        .is_none_or(|p| path_matches(p, e.uri.path()))
                })
                .filter(|(_, e)| {
                    q.tenant
                        .as_deref()
                        .is_none_or(|t| e.tenant.as_deref() == Some(t))
                })
                .cloned()
                .collect()
        };
        let total = hits.len();
        let skip = q.limit.map_or(0, |l| total.saturating_sub(l));
        (
            hits.into_iter()
                .skip(skip)
                .map(|(id, e)| self.render(id, e))
                .collect(),
            total,
        )
    }

    /// An entry as the admin API shows it, its secrets masked unless they are to be shown.
    fn render(&self, id: u64, e: Recorded) -> JournalEntry {
        let mut entry = self.render_as_sent(id, e);
        if !self.show_secrets {
            crate::secrets::mask_headers(&mut entry.headers);
            crate::secrets::mask_body(&mut entry.body);
            crate::secrets::mask_body(&mut entry.response_body);
        }
        entry
    }

    fn render_as_sent(&self, id: u64, e: Recorded) -> JournalEntry {
        JournalEntry {
            id,
            at: crate::clock::rfc3339(e.at),
            provider: e.provider.to_string(),
            tenant: e.tenant,
            method: e.method.to_string(),
            path: e.uri.path().to_string(),
            query: e.uri.query().map(str::to_string),
            headers: header_map(&e.headers),
            body: body_value(&e.body.0, e.body.1),
            status: e.status,
            response_body: body_value(&e.response_body.0, e.response_body.1),
            fault: e.fault,
        }
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
            .retain(|(_, e)| provider.is_some_and(|p| e.provider != p));
        inner.entries.shrink_to_fit();
    }
}

/// A body as the admin API shows it: JSON when it parses, else text, with a note when it was cut.
fn body_value(kept: &[u8], len: usize) -> Value {
    if len == 0 {
        return Value::Null;
    }
    if kept.len() == len
        && let Ok(v) = serde_json::from_slice(kept)
    {
        return v;
    }
    let mut text = String::from_utf8_lossy(kept).into_owned();
    if kept.len() < len {
        text.push_str(&format!("…[{len} bytes in all]"));
    }
    Value::String(text)
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

/// A response extension: no HTTP answer reaches the client (a connection-level fault decided
/// before the provider saw the request). The journal records status 0 and no response body.
#[derive(Clone, Copy, Debug)]
pub struct Unanswered;

/// What the journal layer needs to know of the provider it wraps.
#[derive(Clone)]
pub struct JournalContext {
    pub engine: Engine,
    pub provider: Arc<dyn crate::Provider>,
}

/// `router` (a provider's API, possibly already wrapped in inner layers) with the journal as its
/// outermost layer, as every provider port serves it.
pub fn journaled(
    router: axum::Router,
    engine: &Engine,
    provider: &Arc<dyn crate::Provider>,
) -> axum::Router {
    let ctx = JournalContext {
        engine: engine.clone(),
        provider: provider.clone(),
    };
    router.layer(axum::middleware::from_fn_with_state(
        ctx,
        journal_middleware,
    ))
}

/// The outermost layer of a provider router: body limit, tenant slot, journal entry.
pub async fn journal_middleware(
    State(ctx): State<JournalContext>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let limit = ctx.engine.config().max_body_bytes;
    let (method, uri, headers) = (
        parts.method.clone(),
        parts.uri.clone(),
        parts.headers.clone(),
    );
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
    let unanswered = resp_parts.extensions.get::<Unanswered>().is_some();
    let journal = &ctx.engine.journal();
    let at = match &notes.tenant {
        Some(t) => ctx.engine.clock().now_for(t),
        None => ctx.engine.clock().now(),
    };
    journal.record(Recorded {
        at,
        provider: ctx.provider.name(),
        tenant: notes.tenant,
        method,
        uri,
        headers,
        body: journal.clip(body_bytes),
        status: if unanswered {
            0
        } else {
            resp_parts.status.as_u16()
        },
        response_body: journal.clip(if unanswered {
            Bytes::new()
        } else {
            resp_bytes.clone()
        }),
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

    fn entry(provider: &'static str, path: &str) -> Recorded {
        Recorded {
            at: crate::clock::manual_epoch(),
            provider,
            tenant: None,
            method: http::Method::GET,
            uri: path.parse().unwrap(),
            headers: http::HeaderMap::new(),
            body: (Bytes::new(), 0),
            status: 200,
            response_body: (Bytes::new(), 0),
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

    fn login(journal: &Journal) -> JournalEntry {
        let mut e = entry("p", "/login");
        e.headers
            .insert("authorization", "Bearer sk_live_1".parse().unwrap());
        let body = Bytes::from_static(br#"{"user":"u","password":"p4ss"}"#);
        e.body = (body.clone(), body.len());
        journal.record(e);
        journal.query(&JournalQuery::default()).0.remove(0)
    }

    #[test]
    fn credentials_and_passwords_are_masked_unless_secrets_are_shown() {
        let masked = login(&Journal::new(10, 1024));
        let shown = login(&Journal::new(10, 1024).show_secrets(true));

        assert_eq!(masked.headers["authorization"], "Bearer ****");
        assert_eq!(
            masked.body,
            serde_json::json!({"user": "u", "password": "****"})
        );
        assert_eq!(shown.headers["authorization"], "Bearer sk_live_1");
        assert_eq!(shown.body["password"], "p4ss");
    }

    #[test]
    fn long_bodies_are_cut_at_the_body_cap() {
        let j = Journal::new(10, 8);
        let short = j.clip(Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(body_value(&short.0, short.1), serde_json::json!({"a": 1}));
        let long = j.clip(Bytes::from_static(b"0123456789abcdef"));
        assert_eq!(
            body_value(&long.0, long.1),
            Value::String("01234567…[16 bytes in all]".into())
        );
    }
}
