//! The request journal: every request a provider port received, with its answer.
//!
//! Bounded: at most `cap` entries and `max_bytes` bytes in all (oldest dropped first, whichever
//! bound is reached), at most `body_cap` bytes kept of each body and `header_cap` bytes of each
//! request's headers (headers past it are left out and the entry is marked `truncated`), so
//! memory stays flat under any load. [`journaled`] puts it around every provider router, as the
//! outermost layer: it reads the body (refusing more than the body limit in the provider's own error
//! format), hands the handlers a [`RequestNotes`] slot where auth writes the tenant, and records the
//! exchange once the response body is complete.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::Value;
use tower::{Service, ServiceExt};

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

/// An exchange as the journal keeps it: raw bytes, rendered only when asked for, so recording
/// costs the request path no parsing or formatting. The request's target, headers and body are
/// copied into one buffer of their exact length ([`RawRequest`]): nothing of the connection's
/// read buffer is held, so the byte bound counts all that an entry keeps.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub at: chrono::DateTime<chrono::Utc>,
    pub provider: &'static str,
    pub tenant: Option<String>,
    pub method: http::Method,
    pub request: RawRequest,
    pub status: u16,
    pub response_body: (Bytes, usize),
    pub fault: Option<String>,
}

/// A request's target (path and query), the headers kept of it and at most `body_cap` bytes of
/// its body, in one allocation: `[path][query][headers][body]`, each header written as its
/// name's and its value's lengths (4 bytes each) then both.
#[derive(Clone, Debug, Default)]
pub struct RawRequest {
    buf: Box<[u8]>,
    path: u32,
    /// `None` when the target has no `?`.
    query: Option<u32>,
    headers: u32,
    /// Whether headers were left out past the header cap.
    headers_cut: bool,
    /// The body's full length (the buffer holds at most `body_cap` bytes of it).
    body_len: usize,
}

impl RawRequest {
    /// `uri`'s path and query, the `headers` that fit `header_cap` (in order; one that does not
    /// fit is left out and the request marked), and at most `body_cap` bytes of `body`.
    pub fn new(
        uri: &http::Uri,
        headers: &http::HeaderMap,
        header_cap: usize,
        body: &[u8],
        body_cap: usize,
    ) -> Self {
        let path = uri.path();
        let query = uri.query();
        let mut kept_headers = 0;
        let mut used = 0;
        let mut cut = false;
        for (name, value) in headers {
            let size = name.as_str().len() + value.len();
            if used + size > header_cap {
                cut = true;
                continue;
            }
            used += size;
            kept_headers += 8 + size;
        }
        let kept_body = &body[..body.len().min(body_cap)];
        let total = path.len() + query.map_or(0, str::len) + kept_headers + kept_body.len();
        let mut buf = Vec::with_capacity(total);
        buf.extend_from_slice(path.as_bytes());
        if let Some(q) = query {
            buf.extend_from_slice(q.as_bytes());
        }
        let mut used = 0;
        for (name, value) in headers {
            let size = name.as_str().len() + value.len();
            if used + size > header_cap {
                continue;
            }
            used += size;
            buf.extend_from_slice(&(name.as_str().len() as u32).to_le_bytes());
            buf.extend_from_slice(&(value.len() as u32).to_le_bytes());
            buf.extend_from_slice(name.as_str().as_bytes());
            buf.extend_from_slice(value.as_bytes());
        }
        buf.extend_from_slice(kept_body);
        Self {
            buf: buf.into_boxed_slice(),
            path: path.len() as u32,
            query: query.map(|q| q.len() as u32),
            headers: kept_headers as u32,
            headers_cut: cut,
            body_len: body.len(),
        }
    }

    fn query_end(&self) -> usize {
        self.path as usize + self.query.map_or(0, |q| q as usize)
    }

    pub fn path(&self) -> &str {
        // Written from `&str`s.
        std::str::from_utf8(&self.buf[..self.path as usize]).unwrap_or_default()
    }

    pub fn query(&self) -> Option<&str> {
        let q = &self.buf[self.path as usize..self.query_end()];
        self.query
            .map(|_| std::str::from_utf8(q).unwrap_or_default())
    }

    /// The headers kept, in the order they were sent.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let start = self.query_end();
        let mut rest = &self.buf[start..start + self.headers as usize];
        std::iter::from_fn(move || {
            let len = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
            if rest.len() < 8 {
                return None;
            }
            let (n, v) = (len(&rest[..4]), len(&rest[4..8]));
            let name = std::str::from_utf8(&rest[8..8 + n]).unwrap_or_default();
            let value = &rest[8 + n..8 + n + v];
            rest = &rest[8 + n + v..];
            Some((name, value))
        })
    }

    /// Whether headers were left out past the header cap.
    pub fn headers_cut(&self) -> bool {
        self.headers_cut
    }

    /// The bytes kept of the body, and its full length.
    pub fn body(&self) -> (&[u8], usize) {
        let start = self.query_end() + self.headers as usize;
        (&self.buf[start..], self.body_len)
    }
}

/// What an entry costs the byte bound beyond its bytes (its struct and the queue's slot).
const ENTRY_OVERHEAD: usize = 256;

impl Recorded {
    /// What the entry costs the journal's byte bound.
    fn size(&self) -> usize {
        let tenant = self.tenant.as_ref().map_or(0, String::len);
        let fault = self.fault.as_ref().map_or(0, String::len);
        ENTRY_OVERHEAD + self.request.buf.len() + self.response_body.0.len() + tenant + fault
    }
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

    /// At most this many bytes of each request's headers are kept.
    pub fn header_cap_bytes(&self) -> usize {
        self.header_cap
    }

    /// At most this many bytes of each body are kept.
    pub fn body_cap(&self) -> usize {
        self.body_cap
    }

    /// What the journal keeps of a request: its target, its headers within the header cap and
    /// its body within the body cap (see [`RawRequest::new`]).
    pub fn keep_request(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> RawRequest {
        RawRequest::new(uri, headers, self.header_cap, body, self.body_cap)
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
                        .is_none_or(|p| path_matches(p, e.request.path()))
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
        let (body, body_len) = e.request.body();
        JournalEntry {
            id,
            at: crate::clock::rfc3339(e.at),
            provider: e.provider.to_string(),
            tenant: e.tenant,
            method: e.method.to_string(),
            path: e.request.path().to_string(),
            query: e.request.query().map(str::to_string),
            headers: header_map(e.request.headers()),
            body: body_value(body, body_len),
            status: e.status,
            response_body: body_value(&e.response_body.0, e.response_body.1),
            fault: e.fault,
            truncated: e.request.headers_cut()
                || body.len() < body_len
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

/// `service` (a provider's API, possibly already wrapped in inner layers) with the journal as
/// its outermost layer, as every provider port serves it.
///
/// The layers are composed as services around the whole router rather than applied to each of
/// its routes (`Router::layer`), so a request costs one boxed clone of the stack, not one per
/// layer and route.
pub fn journaled<S>(
    service: S,
    engine: &Engine,
    provider: &Arc<dyn crate::Provider>,
) -> axum::Router
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    axum::Router::new().fallback_service(Journaled::new(service, engine, provider))
}

/// The journal layer's service around `S`: body limit, tenant slot, journal entry.
///
/// The server's connections call it directly (no router around it); [`journaled`] puts it in
/// a router for callers that want one.
#[derive(Clone)]
pub struct Journaled<S> {
    ctx: JournalContext,
    inner: S,
}

impl<S> Journaled<S> {
    /// `service` with the journal as its outermost layer.
    pub fn new(service: S, engine: &Engine, provider: &Arc<dyn crate::Provider>) -> Self {
        let ctx = JournalContext {
            engine: engine.clone(),
            provider: provider.clone(),
        };
        Self {
            ctx,
            inner: service,
        }
    }
}

impl<S> Service<Request> for Journaled<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = futures::future::BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        // Readiness is the inner service's, awaited per request (`oneshot`).
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let ctx = self.ctx.clone();
        let inner = self.inner.clone();
        Box::pin(async move { Ok(journal(ctx, inner, req).await) })
    }
}

/// The outermost layer of a provider router: body limit, tenant slot, journal entry.
async fn journal<S>(ctx: JournalContext, inner: S, req: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let (mut parts, body) = req.into_parts();
    let limit = ctx.engine.config().max_body_bytes;
    let method = parts.method.clone();
    let notes = RequestNotes::default();
    parts.extensions.insert(notes.clone());
    let journal = ctx.engine.journal();

    let (request, response) = match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let request = journal.keep_request(&parts.uri, &parts.headers, &bytes);
            let req = Request::from_parts(parts, Body::from(bytes));
            let response = match inner.oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            (request, response)
        }
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            let msg = format!("The request body is larger than {limit} bytes.");
            (
                journal.keep_request(&parts.uri, &parts.headers, &[]),
                ctx.provider
                    .error_response(StatusCode::PAYLOAD_TOO_LARGE, &msg),
            )
        }
        Err(_) => {
            let msg = "The request body could not be read.";
            (
                journal.keep_request(&parts.uri, &parts.headers, &[]),
                ctx.provider.error_response(StatusCode::BAD_REQUEST, msg),
            )
        }
    };

    let (resp_parts, resp_body) = response.into_parts();
    let resp_bytes = whole(resp_body).await;
    let notes = notes.take();
    let unanswered = resp_parts.extensions.get::<Unanswered>().is_some();
    let at = match &notes.tenant {
        Some(t) => ctx.engine.clock().now_for(t),
        None => ctx.engine.clock().now(),
    };
    journal.record(Recorded {
        at,
        provider: ctx.provider.name(),
        tenant: notes.tenant,
        method,
        request,
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
    Response::from_parts(resp_parts, Body::from(resp_bytes))
}

/// The whole of a response body (one that fails to read counts as empty). A body of one frame,
/// as every handler answers, comes back as that frame's bytes, without a copy.
async fn whole(body: Body) -> Bytes {
    body.collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}

fn header_map<'a>(headers: impl Iterator<Item = (&'a str, &'a [u8])>) -> BTreeMap<String, String> {
    headers
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(provider: &'static str, path: &str) -> Recorded {
        request(
            provider,
            path,
            &http::HeaderMap::new(),
            b"",
            usize::MAX,
            1024,
        )
    }

    fn request(
        provider: &'static str,
        path: &str,
        headers: &http::HeaderMap,
        body: &[u8],
        header_cap: usize,
        body_cap: usize,
    ) -> Recorded {
        let uri: http::Uri = path.parse().unwrap();
        Recorded {
            at: crate::clock::manual_epoch(),
            provider,
            tenant: None,
            method: http::Method::GET,
            request: RawRequest::new(&uri, headers, header_cap, body, body_cap),
            status: 200,
            response_body: (Bytes::new(), 0),
            fault: None,
        }
    }

    #[test]
    fn the_target_headers_and_body_are_kept_as_sent() {
        let mut h = http::HeaderMap::new();
        h.append("x-a", "1".parse().unwrap());
        h.append("x-b", "2".parse().unwrap());
        h.append("x-a", "3".parse().unwrap());
        let e = request("p", "/v1/cashouts?page=2&sort=x", &h, b"{\"a\":1}", 64, 100);
        assert_eq!(e.request.path(), "/v1/cashouts");
        assert_eq!(e.request.query(), Some("page=2&sort=x"));
        let seen: Vec<_> = e.request.headers().collect();
        assert_eq!(
            seen,
            [("x-a", &b"1"[..]), ("x-a", &b"3"[..]), ("x-b", &b"2"[..])]
        );
        assert!(!e.request.headers_cut());
        assert_eq!(e.request.body(), (&b"{\"a\":1}"[..], 7));
        let bare = request("p", "/v1", &http::HeaderMap::new(), b"", 64, 100);
        assert_eq!(bare.request.query(), None);
        assert_eq!(bare.request.headers().count(), 0);
        assert_eq!(bare.request.body(), (&b""[..], 0));
        let empty_query = request("p", "/v1?", &http::HeaderMap::new(), b"", 64, 100);
        assert_eq!(empty_query.request.query(), Some(""));
    }

    #[test]
    fn headers_past_the_cap_are_left_out_and_bodies_cut_at_the_body_cap() {
        let mut h = http::HeaderMap::new();
        h.append("x-a", "1".parse().unwrap());
        h.append("x-b", "2".parse().unwrap());
        h.append("x-a", "3".parse().unwrap());
        let e = request("p", "/", &h, b"0123456789", 8, 4);
        assert!(e.request.headers_cut());
        let names: Vec<_> = e.request.headers().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["x-a", "x-a"],
            "both x-a fit in 8 bytes, x-b does not"
        );
        assert_eq!(e.request.body(), (&b"0123"[..], 10));
    }

    #[test]
    fn the_fixed_cost_of_an_entry_covers_its_slot_in_the_queue() {
        assert!(std::mem::size_of::<(u64, Recorded, usize)>() <= ENTRY_OVERHEAD);
    }

    #[test]
    fn an_entry_costs_the_bound_what_it_keeps() {
        let mut h = http::HeaderMap::new();
        h.append("x-a", "1".parse().unwrap());
        let e = request("p", "/abc?d", &h, b"xyz", 64, 100);
        assert_eq!(
            e.size(),
            ENTRY_OVERHEAD + "/abcd".len() + 8 + "x-a1".len() + 3
        );
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
            e.request = j.keep_request(&format!("/{i}").parse().unwrap(), &huge, b"");
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
            let uri = format!("/{i}").parse().unwrap();
            e.request = j.keep_request(&uri, &http::HeaderMap::new(), &[b'x'; 10 * 1024]);
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
            seen.extend(
                hits.entries
                    .iter()
                    .map(|(_, e)| e.request.path().to_string()),
            );
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
        let mut h = http::HeaderMap::new();
        h.insert("authorization", "Bearer sk_live_1".parse().unwrap());
        let body = br#"{"user":"u","password":"p4ss"}"#;
        let e = request("p", "/login", &h, body, usize::MAX, 1024);
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
