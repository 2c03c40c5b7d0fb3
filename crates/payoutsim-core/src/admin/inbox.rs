//! `POST`/`GET`/`DELETE /__admin/inbox/{name}`: a built-in webhook receiver.
//!
//! Point a provider's webhook URL at `http://<admin>/__admin/inbox/<name>` to see what your app
//! would receive without running a receiver: every POST is kept (its body as raw bytes, headers,
//! simulated time) and answered 200. The body is parsed only when the inbox is read.
//!
//! Bounded across inboxes by count (`EngineConfig::inbox_max_messages`, `--inbox-max-messages`)
//! and by bytes (`EngineConfig::inbox_max_bytes`, `--inbox-max-bytes`, bodies and headers): past
//! either, the oldest messages are dropped; a message larger than the byte bound alone is refused
//! with 413. Reads are pages (`limit`, `after`; see [`crate::page`]).
//!
//! With `--admin-token`, an inbox needs the token like every admin route: the simulator's own
//! deliveries to its inboxes carry it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{AdminError, AdminQuery};
use crate::Engine;
use crate::page::{self, Items};

/// Raw bytes of the bodies in one page of an inbox: a page stops at the first message past it
/// (one message always fits), so an answer stays a few MiB whatever the messages.
pub const PAGE_MAX_BYTES: usize = 4 << 20;

/// A message as the inbox keeps it: bytes, rendered only when read.
#[derive(Clone, Debug)]
struct Stored {
    seq: u64,
    inbox: String,
    at: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Stored {
    /// What the message costs the inbox's byte bound.
    fn size(&self) -> usize {
        let headers: usize = (self.headers.iter()).map(|(k, v)| k.len() + v.len()).sum();
        self.inbox.len() + self.at.len() + headers + self.body.len()
    }
}

/// A message as `GET /__admin/inbox/{name}` shows it.
#[derive(Serialize)]
pub struct InboxMessage<'a> {
    /// Its place in the inboxes (the `after` cursor).
    pub seq: u64,
    pub inbox: &'a str,
    pub at: &'a str,
    pub headers: BTreeMap<&'a str, &'a str>,
    /// The body exactly as received (signatures are computed over these bytes).
    pub raw_body: std::borrow::Cow<'a, str>,
    /// The body as JSON (written as received, not re-encoded), or null when it is not JSON.
    pub body: Option<&'a RawValue>,
}

#[derive(Debug, Default)]
struct Kept {
    next: u64,
    bytes: usize,
    messages: VecDeque<Stored>,
}

/// Every inbox's messages, oldest first, bounded by count and bytes.
#[derive(Debug)]
pub struct Inboxes {
    max_messages: usize,
    max_bytes: usize,
    kept: Mutex<Kept>,
}

impl Inboxes {
    pub fn new(max_messages: usize, max_bytes: usize) -> Self {
        Self {
            max_messages: max_messages.max(1),
            max_bytes,
            kept: Mutex::new(Kept::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a message, dropping the oldest past either bound; `false` (nothing kept) when the
    /// message alone is larger than the byte bound.
    fn push(&self, inbox: String, at: String, headers: &HeaderMap, body: &[u8]) -> bool {
        let headers = (headers.iter())
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_string(), v)
            })
            .collect();
        let mut message = Stored {
            seq: 0,
            inbox,
            at,
            headers,
            // A copy of exactly the body's length (the buffer it was read into may be larger).
            body: Bytes::copy_from_slice(body),
        };
        let size = message.size();
        if size > self.max_bytes {
            return false;
        }
        let mut kept = self.lock();
        while kept.messages.len() >= self.max_messages || kept.bytes + size > self.max_bytes {
            let Some(old) = kept.messages.pop_front() else {
                break;
            };
            kept.bytes -= old.size();
        }
        kept.next += 1;
        message.seq = kept.next;
        kept.bytes += size;
        kept.messages.push_back(message);
        true
    }

    /// One page of an inbox: its messages after `after`, oldest first, at most `limit` and about
    /// [`PAGE_MAX_BYTES`] of bodies; and whether more follow.
    fn page(&self, inbox: &str, after: u64, limit: usize) -> (Vec<Stored>, bool) {
        let kept = self.lock();
        let mut page = Vec::new();
        let mut bytes = 0;
        let mut more = false;
        for m in (kept.messages.iter()).filter(|m| m.inbox == inbox && m.seq > after) {
            if page.len() == limit || (!page.is_empty() && bytes + m.body.len() > PAGE_MAX_BYTES) {
                more = true;
                break;
            }
            bytes += m.body.len();
            page.push(m.clone());
        }
        (page, more)
    }

    /// Messages kept, in all inboxes, and their bytes.
    pub fn usage(&self) -> (usize, usize) {
        let kept = self.lock();
        (kept.messages.len(), kept.bytes)
    }

    fn clear(&self, inbox: Option<&str>) {
        let mut kept = self.lock();
        kept.messages
            .retain(|x| inbox.is_some_and(|i| x.inbox != i));
        kept.bytes = kept.messages.iter().map(Stored::size).sum();
    }
}

fn render(m: &Stored) -> InboxMessage<'_> {
    let body = std::str::from_utf8(&m.body)
        .ok()
        .and_then(|text| serde_json::from_str::<&RawValue>(text).ok());
    InboxMessage {
        seq: m.seq,
        inbox: &m.inbox,
        at: &m.at,
        headers: (m.headers.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        raw_body: String::from_utf8_lossy(&m.body),
        body,
    }
}

/// The inboxes' state: their messages (owned here, not by the engine) and the engine's clock.
#[derive(Clone)]
struct Inbox {
    engine: Engine,
    inboxes: Arc<Inboxes>,
}

/// The inbox routes, with inboxes of their own that a full reset empties.
pub(super) fn routes(engine: &Engine) -> Router {
    let config = engine.config();
    let inboxes = Arc::new(Inboxes::new(
        config.inbox_max_messages,
        config.inbox_max_bytes,
    ));
    let on_reset = inboxes.clone();
    engine.on_reset(Arc::new(move |provider| {
        if provider.is_none() {
            on_reset.clear(None);
        }
    }));
    let state = Inbox {
        engine: engine.clone(),
        inboxes,
    };
    Router::new()
        .route(
            "/__admin/inbox/{name}",
            get(list).post(receive).delete(clear),
        )
        .with_state(state)
}

async fn receive(
    State(Inbox { engine, inboxes }): State<Inbox>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, AdminError> {
    let at = crate::clock::rfc3339(engine.clock().now());
    if inboxes.push(name, at, &headers, &body) {
        Ok(StatusCode::OK)
    } else {
        Err(AdminError(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the message is larger than the inboxes' bound of {} bytes (--inbox-max-bytes)",
                engine.config().inbox_max_bytes
            ),
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageParams {
    limit: Option<usize>,
    after: Option<u64>,
}

#[derive(Serialize)]
struct Page<M> {
    messages: M,
    /// The `after` of the next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<u64>,
}

async fn list(
    State(inbox): State<Inbox>,
    Path(name): Path<String>,
    AdminQuery(q): AdminQuery<PageParams>,
) -> Result<Response, AdminError> {
    let limit = page::limit(q.limit)?;
    let (messages, more) = inbox.inboxes.page(&name, q.after.unwrap_or(0), limit);
    let next_after = more.then(|| messages.last().map(|m| m.seq)).flatten();
    Ok(page::json(&Page {
        messages: Items::new(messages.iter(), render),
        next_after,
    }))
}

async fn clear(State(inbox): State<Inbox>, Path(name): Path<String>) -> StatusCode {
    inbox.inboxes.clear(Some(&name));
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(inboxes: &Inboxes, name: &str, body: &[u8]) -> bool {
        inboxes.push(name.into(), "t".into(), &HeaderMap::new(), body)
    }

    #[test]
    fn past_the_count_bound_the_oldest_message_is_dropped() {
        let inboxes = Inboxes::new(2, 1 << 20);
        for body in [b"1", b"2", b"3"] {
            assert!(push(&inboxes, "a", body));
        }
        let (page, more) = inboxes.page("a", 0, 10);
        let bodies: Vec<_> = page.iter().map(|m| m.body.clone()).collect();
        assert_eq!(bodies, [Bytes::from_static(b"2"), Bytes::from_static(b"3")]);
        assert!(!more);
    }

    #[test]
    fn past_the_byte_bound_the_oldest_messages_are_dropped_and_a_larger_one_refused() {
        let inboxes = Inboxes::new(100, 2500);
        for _ in 0..3 {
            assert!(push(&inboxes, "a", &[b'x'; 1000]));
        }
        let (count, bytes) = inboxes.usage();
        assert_eq!(count, 2);
        assert!(bytes <= 2500, "{bytes}");
        assert!(!push(&inboxes, "a", &[b'x'; 3000]));
        assert_eq!(inboxes.usage().0, 2);
    }

    #[test]
    fn a_page_ends_at_its_limit_and_the_cursor_reads_the_rest() {
        let inboxes = Inboxes::new(100, 1 << 20);
        for i in 0..5 {
            push(&inboxes, "a", format!("{i}").as_bytes());
            push(&inboxes, "b", b"other");
        }
        let (first, more) = inboxes.page("a", 0, 3);
        assert!(more);
        let after = first.last().unwrap().seq;
        let (rest, more) = inboxes.page("a", after, 3);
        assert!(!more);
        let all: Vec<_> = first.iter().chain(&rest).map(|m| m.body.clone()).collect();
        assert_eq!(
            all,
            [b"0", b"1", b"2", b"3", b"4"].map(|b| Bytes::from_static(b))
        );
    }

    #[test]
    fn a_json_body_is_shown_as_sent_and_another_as_null() {
        let inboxes = Inboxes::new(10, 1 << 20);
        push(&inboxes, "a", br#"{"b": 1,  "a":[2]}"#);
        push(&inboxes, "a", b"not json");
        let (page, _) = inboxes.page("a", 0, 10);
        let shown = serde_json::to_value(Items::new(page.iter(), render)).unwrap();
        assert_eq!(shown[0]["body"], serde_json::json!({"b": 1, "a": [2]}));
        assert_eq!(shown[0]["raw_body"], r#"{"b": 1,  "a":[2]}"#);
        assert_eq!(shown[1]["body"], serde_json::Value::Null);
        assert_eq!(shown[1]["raw_body"], "not json");
    }
}
