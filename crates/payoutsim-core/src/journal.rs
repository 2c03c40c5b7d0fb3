//! The request journal: every request a provider port received, with its answer.
//!
//! Bounded: at most `cap` entries and `max_bytes` bytes in all (oldest dropped first, whichever
//! bound is reached), at most `body_cap` bytes kept of each body and `header_cap` bytes of each
//! request's headers (headers past it are left out and the entry is marked `truncated`), so
//! memory stays flat under any load. [`journal_middleware`] is the outermost layer of every
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
    /// Whether a body was cut at the body cap or headers were left out past the header cap.
    pub truncated: bool,
}

/// Filters of `GET /__admin/requests`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct JournalQuery {
    pub provider: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub tenant: Option<String>,
    /// Without `after`: the newest `limit` matches. With it: the oldest `limit` matches whose id
    /// is greater (`after=0` starts at the oldest).
    pub limit: Option<usize>,
    pub after: Option<u64>,
}

/// The matches of a [`JournalQuery`], not yet rendered.
#[derive(Debug)]
pub struct Hits {
    pub entries: Vec<(u64, Recorded)>,
    /// How many entries matched in all.
    pub total: usize,
    /// The `after` of the next page, when matches follow this one.
    pub next_after: Option<u64>,
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
    /// Whether headers were left out past the header cap.
    pub headers_cut: bool,
    /// At most `body_cap` bytes of the request body, and its full length.
    pub body: (Bytes, usize),
    pub status: u16,
    pub response_body: (Bytes, usize),
    pub fault: Option<String>,
}

/// What an entry costs the byte bound beyond its bytes (its struct, the header map's table).
const ENTRY_OVERHEAD: usize = 512;

impl Recorded {
    /// What the entry costs the journal's byte bound.
    fn size(&self) -> usize {
        let headers: usize = (self.headers.iter())
            .map(|(k, v)| k.as_str().len() + v.len() + 32)
            .sum();
        let tenant = self.tenant.as_ref().map_or(0, String::len);
        let fault = self.fault.as_ref().map_or(0, String::len);
        ENTRY_OVERHEAD
            + uri_len(&self.uri)
            + headers
            + self.body.0.len()
            + self.response_body.0.len()
            + tenant
            + fault
    }
}

/// The length of `uri` as it prints (`scheme://authority/path?query`), without printing it.
fn uri_len(uri: &http::Uri) -> usize {
    let scheme = uri.scheme_str().map_or(0, |s| s.len() + 3);
    let authority = uri.authority().map_or(0, |a| a.as_str().len());
    let path = uri.path_and_query().map_or(0, |p| p.as_str().len());
    // An authority without a path prints as `…/`.
    let slash = usize::from(authority > 0 && path == 0);
    scheme + authority + path + slash
}

#[derive(Debug, Default)]
struct Entries {
    next_id: u64,
    bytes: usize,
    entries: VecDeque<(u64, Recorded, usize)>,
}

#[derive(Debug)]
pub struct Journal {
    cap: usize,
    max_bytes: usize,
    body_cap: usize,
    header_cap: usize,
    /// Render secrets as sent instead of masking them ([`crate::secrets`]).
    show_secrets: bool,
    inner: Mutex<Entries>,
}

impl Journal {
    pub fn new(cap: usize, body_cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            max_bytes: usize::MAX,
            body_cap,
            header_cap: usize::MAX,
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

    /// This journal, keeping at most `max_bytes` in all (entries and what they hold).
    #[must_use]
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// This journal, keeping at most `header_cap` bytes of each request's headers.
    #[must_use]
    pub fn header_cap(mut self, header_cap: usize) -> Self {
        self.header_cap = header_cap;
        self
    }

    /// Entries kept and the bytes they cost.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
    }

    /// The headers the journal keeps of a request: in order while they fit the header cap (a
    /// header that does not fit is left out), and whether any was left out.
    pub fn clip_headers(&self, headers: &http::HeaderMap) -> (http::HeaderMap, bool) {
        let total: usize = (headers.iter())
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        if total <= self.header_cap {
            // All of them fit: one copy of the map (its values share the request's bytes).
            return (headers.clone(), false);
        }
        let mut kept = http::HeaderMap::new();
        let mut used = 0;
        let mut cut = false;
        for (name, value) in headers {
            let size = name.as_str().len() + value.len();
            if used + size > self.header_cap {
                cut = true;
                continue;
            }
            used += size;
            kept.append(name.clone(), value.clone());
        }
        (kept, cut)
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

    /// Records an exchange and drops the oldest past either bound.
    pub fn record(&self, entry: Recorded) {
        let size = entry.size();
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        while inner.entries.len() >= self.cap
            || (!inner.entries.is_empty() && inner.bytes + size > self.max_bytes)
        {
            let Some((_, _, old)) = inner.entries.pop_front() else {
                break;
            };
            inner.bytes -= old;
        }
        inner.bytes += size;
        inner.entries.push_back((id, entry, size));
    }

    /// Matching entries, newest last (see [`JournalQuery::limit`]), rendered. Also the number
    /// that matched.
    pub fn query(&self, q: &JournalQuery) -> (Vec<JournalEntry>, usize) {
        let hits = self.hits(q);
        let entries = hits.entries.into_iter();
        let rendered = entries.map(|(id, e)| self.render(id, e)).collect();
        (rendered, hits.total)
    }

    /// The entries of a query, not yet rendered (render each with [`Journal::render`]).
    pub fn hits(&self, q: &JournalQuery) -> Hits {
        let inner = self.lock();
        let matching = || {
            inner
                .entries
                .iter()
                .map(|(id, e, _)| (id, e))
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
        };
        let total = matching().count();
        let limit = q.limit.unwrap_or(usize::MAX);
        let (entries, next_after): (Vec<(u64, Recorded)>, _) = match q.after {
            None => {
                let skip = total.saturating_sub(limit);
                let page = matching().skip(skip).map(|(id, e)| (*id, e.clone()));
                (page.collect(), None)
            }
            Some(after) => {
                let mut later = matching().filter(|(id, _)| **id > after);
                let page: Vec<_> = (later.by_ref().take(limit))
                    .map(|(id, e)| (*id, e.clone()))
                    .collect();
                let more = later.next().is_some();
                let next = more.then(|| page.last().map(|(id, _)| *id)).flatten();
                (page, next)
            }
        };
        Hits {
            entries,
            total,
            next_after,
        }
    }

    /// An entry as the admin API shows it, its secrets masked unless they are to be shown.
    pub fn render(&self, id: u64, e: Recorded) -> JournalEntry {
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
            truncated: e.headers_cut
                || e.body.0.len() < e.body.1
                || e.response_body.0.len() < e.response_body.1,
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
            .retain(|(_, e, _)| provider.is_some_and(|p| e.provider != p));
        inner.entries.shrink_to_fit();
        inner.bytes = inner.entries.iter().map(|(_, _, size)| size).sum();
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
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let (headers, headers_cut) = ctx.engine.journal().clip_headers(&parts.headers);
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
        headers_cut,
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
            headers_cut: false,
            body: (Bytes::new(), 0),
            status: 200,
            response_body: (Bytes::new(), 0),
            fault: None,
        }
    }

    #[test]
    fn an_entry_counts_its_uri_at_its_printed_length() {
        for uri in [
            "/v1/cashouts",
            "/v1/cashouts?page=2&per_page=5",
            "http://127.0.0.1:4701/v1/cashouts?x=1",
            "http://example.com",
            "*",
        ] {
            let parsed: http::Uri = uri.parse().unwrap();
            assert_eq!(uri_len(&parsed), parsed.to_string().len(), "{uri}");
        }
    }

    #[test]
    fn headers_within_the_cap_are_kept_whole_and_in_order() {
        let j = Journal::new(10, 100).header_cap(64);
        let mut h = http::HeaderMap::new();
        h.append("x-a", "1".parse().unwrap());
        h.append("x-b", "2".parse().unwrap());
        h.append("x-a", "3".parse().unwrap());
        let (kept, cut) = j.clip_headers(&h);
        assert!(!cut);
        let seen: Vec<_> = kept
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(seen, [("x-a", "1"), ("x-a", "3"), ("x-b", "2")]);
        let (kept, cut) = Journal::new(10, 100).header_cap(8).clip_headers(&h);
        assert!(cut);
        assert_eq!(kept.len(), 2, "both x-a fit in 8 bytes, x-b does not");
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
    fn the_journal_stays_within_its_byte_bound_with_huge_headers() {
        let j = Journal::new(1000, 1024)
            .max_bytes(256 * 1024)
            .header_cap(16 * 1024);
        let mut huge = http::HeaderMap::new();
        huge.insert("x-small", "1".parse().unwrap());
        let value = "v".repeat(256 * 1024);
        huge.insert("x-huge", value.parse().unwrap());
        for i in 0..100 {
            let mut e = entry("p", &format!("/{i}"));
            (e.headers, e.headers_cut) = j.clip_headers(&huge);
            j.record(e);
        }

        let (count, bytes) = j.usage();
        assert!(bytes <= 256 * 1024, "{bytes} bytes kept");
        assert_eq!(count, 100, "each entry keeps its headers within the cap");
        let (entries, _) = j.query(&JournalQuery::default());
        assert!(entries[0].truncated);
        assert_eq!(
            entries[0].headers.get("x-small").map(String::as_str),
            Some("1")
        );
        assert!(!entries[0].headers.contains_key("x-huge"));
    }

    #[test]
    fn past_the_byte_bound_the_oldest_entries_are_dropped() {
        let j = Journal::new(1000, 64 * 1024).max_bytes(100 * 1024);
        for i in 0..50 {
            let mut e = entry("p", &format!("/{i}"));
            e.body = j.clip(Bytes::from(vec![b'x'; 10 * 1024]));
            j.record(e);
        }
        let (count, bytes) = j.usage();
        assert!(bytes <= 100 * 1024, "{bytes}");
        assert!((5..=10).contains(&count), "{count} entries kept");
        let (entries, _) = j.query(&JournalQuery::default());
        assert_eq!(entries.last().unwrap().path, "/49");
    }

    #[test]
    fn pages_after_a_cursor_read_every_match_once() {
        let j = Journal::new(100, 1024);
        for i in 0..7 {
            j.record(entry("p", &format!("/{i}")));
        }
        let mut seen = Vec::new();
        let mut after = 0;
        loop {
            let q = JournalQuery {
                limit: Some(3),
                after: Some(after),
                ..Default::default()
            };
            let hits = j.hits(&q);
            assert_eq!(hits.total, 7);
            seen.extend(hits.entries.iter().map(|(_, e)| e.uri.path().to_string()));
            match hits.next_after {
                Some(next) => after = next,
                None => break,
            }
        }
        assert_eq!(seen, (0..7).map(|i| format!("/{i}")).collect::<Vec<_>>());
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
