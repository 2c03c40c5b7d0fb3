//! Idempotency keys: the first response to a key is stored and replayed for the same request; a
//! different request under the same key is a conflict; keys expire on the simulated clock.
//!
//! A key is reserved while its first request runs, so a concurrent duplicate sees [`Begin::InFlight`]
//! rather than creating a second object. Only responses the provider chose to keep are stored
//! (see [`IdempotencyStore::complete`]); a released key can be used afresh.
//!
//! Bounded: expired keys are swept as simulated time passes (whenever the engine applies what
//! fell due, which it does at every advance and tick, and cheaply: only once the earliest expiry
//! has passed, and then only the tenants with a key expired, and only their expired keys, are
//! visited), and each tenant keeps at most
//! `max_per_tenant` answered keys (default 10,000, `--idempotency-max-keys`): past it, its
//! oldest answered key is forgotten, as if it had expired (a retry under it then runs afresh).
//! Keys whose first request is still running are never dropped.
//!
//! A handler holds its key through a [`Reservation`] ([`IdempotencyStore::reserve`]): the answer
//! is kept with [`Reservation::keep`], and a reservation dropped without one (a refusal, an early
//! return, a panic that unwinds through the handler) releases the key, so no key stays "in use"
//! after its request is gone.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::fastmap::FastMap;
use crate::ids::Uid;

/// A response kept for replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Bytes,
}

/// What a kept answer holds: its bytes, or the object the first request made, whose answer the
/// provider renders again on replay (it can when the object's first answer follows from the
/// object itself; it turns the answer into bytes with [`IdempotencyStore::freeze`] before it
/// forgets the object).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    /// An answer of no bytes (a scope that refuses repeats keeps no body).
    Empty,
    /// Boxed: a `Bytes` is 32 bytes, and most records hold an object's id or nothing.
    Bytes(Box<Bytes>),
    /// An object whose id is a UUID's text, held as its 16 bytes.
    Uid(Uid),
    Object(Box<str>),
}

impl Answer {
    fn bytes(body: Bytes) -> Self {
        if body.is_empty() {
            Self::Empty
        } else {
            Self::Bytes(Box::new(body))
        }
    }

    fn object(id: &str) -> Self {
        match id.parse::<Uid>() {
            Ok(uid) => Self::Uid(uid),
            Err(_) => Self::Object(id.into()),
        }
    }

    /// Whether this answer names object `id`.
    fn names(&self, id: &str) -> bool {
        match self {
            Self::Empty | Self::Bytes(_) => false,
            Self::Uid(uid) => id.parse::<Uid>().is_ok_and(|other| other == *uid),
            Self::Object(object) => **object == *id,
        }
    }
}

/// What a request with an idempotency key should do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Begin {
    /// First use of the key: go ahead, then `complete` or `release`.
    Proceed,
    /// Same key, same request, already answered: send this again.
    Replay(StoredResponse),
    /// Same key, same request, already answered with object `object` (kept with
    /// [`Reservation::keep_object`]): render its first answer again, with `status`.
    Render { status: u16, object: String },
    /// Same key, a different request.
    Conflict,
    /// Same key, and the first request is still running.
    InFlight,
}

/// The part of a request's fingerprint a record keeps: the first 16 bytes of its SHA-256 (two
/// different requests under one key share them with a chance of 2^-128).
type Print = [u8; 16];

fn print(fingerprint: &[u8; 32]) -> Print {
    let mut p = [0; 16];
    p.copy_from_slice(&fingerprint[..16]);
    p
}

#[derive(Debug)]
enum Slot {
    Running {
        fingerprint: Print,
    },
    Done {
        fingerprint: Print,
        status: u16,
        answer: Answer,
        expires: DateTime<Utc>,
        /// Which keeping of the key this is (its entry in [`TenantKeys::kept`] names it).
        generation: u64,
    },
}

/// An answered key in the order it was kept: its scope (an index into
/// [`TenantKeys::scopes`]), the key (shared with its record) and its generation.
#[derive(Debug)]
struct Kept {
    scope: usize,
    key: Arc<str>,
    generation: u64,
}

/// One scope's records by key.
type Slots = FastMap<Arc<str>, Slot>;

/// One tenant's records: per scope (an endpoint path, held once) its keys, and its answered
/// keys in the order they were kept (which is their expiry order: the TTL is one for all).
#[derive(Debug, Default)]
struct TenantKeys {
    scopes: Vec<(Box<str>, Slots)>,
    kept: VecDeque<Kept>,
    /// When the tenant is due in [`Keys::due`] (no answered key of its expires before), if it is.
    queued: Option<DateTime<Utc>>,
}

impl TenantKeys {
    fn scope(&self, scope: &str) -> Option<usize> {
        self.scopes.iter().position(|(s, _)| &**s == scope)
    }

    fn slots(&self, scope: &str) -> Option<&Slots> {
        self.scope(scope).map(|i| &self.scopes[i].1)
    }

    fn slots_mut(&mut self, scope: &str) -> &mut Slots {
        let i = match self.scope(scope) {
            Some(i) => i,
            None => {
                self.scopes.push((scope.into(), FastMap::default()));
                self.scopes.len() - 1
            }
        };
        &mut self.scopes[i].1
    }

    /// Whether `entry` is still the answered key kept as its generation.
    fn holds(&self, entry: &Kept) -> bool {
        let slot = self
            .scopes
            .get(entry.scope)
            .and_then(|(_, m)| m.get(&entry.key));
        matches!(slot, Some(Slot::Done { generation, .. }) if *generation == entry.generation)
    }

    fn len(&self) -> usize {
        self.scopes.iter().map(|(_, m)| m.len()).sum()
    }

    /// Forgets the answered keys expired at `now`, oldest first, stopping at the first live one
    /// (answered keys expire in the order they were kept): a sweep costs what it drops, not
    /// what the tenant holds. Answers when the oldest key left expires.
    fn drop_expired(&mut self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        while let Some(entry) = self.kept.front() {
            let slot = (self.scopes.get(entry.scope)).and_then(|(_, m)| m.get(&entry.key));
            match slot {
                Some(Slot::Done {
                    generation,
                    expires,
                    ..
                }) if *generation == entry.generation => {
                    if *expires > now {
                        return Some(*expires);
                    }
                    if let Some((_, slots)) = self.scopes.get_mut(entry.scope) {
                        slots.remove(&entry.key);
                    }
                }
                // Since forgotten, or answered again under a later entry.
                _ => {}
            }
            self.kept.pop_front();
        }
        None
    }
}

/// Every tenant's records (the tenant name held once).
#[derive(Debug, Default)]
struct Keys {
    tenants: FastMap<Box<str>, TenantKeys>,
    generation: u64,
    /// Each tenant with answered keys, by when the first of them may expire (a lower bound: its
    /// `TenantKeys::queued`), soonest first: a sweep that falls due visits the tenants due, not
    /// every tenant. One entry per tenant at most.
    due: BTreeSet<(DateTime<Utc>, Box<str>)>,
}

impl Keys {
    /// `tenant` has an answered key expiring at `expires`: it is due by then at the latest.
    fn queue(&mut self, tenant: &str, expires: DateTime<Utc>) {
        let Some(t) = self.tenants.get_mut(tenant) else {
            return;
        };
        match t.queued {
            Some(at) if at <= expires => {}
            Some(at) => {
                self.due.remove(&(at, Box::from(tenant)));
                t.queued = Some(expires);
                self.due.insert((expires, tenant.into()));
            }
            None => {
                t.queued = Some(expires);
                self.due.insert((expires, tenant.into()));
            }
        }
    }

    /// Takes `tenant` out of [`Keys::due`] (it is forgotten, or about to be swept).
    fn unqueue(&mut self, tenant: &str) {
        if let Some(at) = self.tenants.get_mut(tenant).and_then(|t| t.queued.take()) {
            self.due.remove(&(at, Box::from(tenant)));
        }
    }

    /// Sweeps `tenant` at its own `now`: drops what expired, queues it again for its next
    /// expiry, and forgets it once it holds no key.
    fn sweep_tenant(&mut self, tenant: &str, now: DateTime<Utc>) {
        self.unqueue(tenant);
        let Some(t) = self.tenants.get_mut(tenant) else {
            return;
        };
        let next = t.drop_expired(now);
        if t.len() == 0 {
            self.tenants.remove(tenant);
        } else if let Some(next) = next {
            self.queue(tenant, next);
        }
    }
}

/// Answered keys a tenant keeps when no other number is given.
pub const DEFAULT_MAX_PER_TENANT: usize = 10_000;

/// Idempotency records keyed by (tenant, scope, key).
#[derive(Debug)]
pub struct IdempotencyStore {
    ttl: TimeDelta,
    max_per_tenant: usize,
    keys: Mutex<Keys>,
}

/// `body` serialised as the bytes of an answer that may be kept for replay: exactly as long as
/// it is (serde_json's buffer grows by doubling, and a kept answer would hold that spare room for
/// as long as its key lives).
pub fn answer_bytes<T: serde::Serialize + ?Sized>(body: &T) -> serde_json::Result<Bytes> {
    let mut bytes = serde_json::to_vec(body)?;
    bytes.shrink_to_fit();
    Ok(Bytes::from(bytes))
}

/// `body` serialised as an answer's bytes into a buffer of `capacity` bytes to start with: an
/// answer serialised while the store is locked is not regrown there when `capacity` covers it
/// (an answer sent, not kept: no [`answer_bytes`] trimming).
pub fn sized_answer<T: serde::Serialize + ?Sized>(
    body: &T,
    capacity: usize,
) -> serde_json::Result<Bytes> {
    let mut bytes = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut bytes, body)?;
    Ok(Bytes::from(bytes))
}

/// The fingerprint of a request: its method, path and body, with JSON bodies compared by value
/// (so key order and white space do not make two requests different).
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> [u8; 32] {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => fingerprint_json(method, path, &v),
        Err(_) => {
            let mut h = HashWriter::new(method, path);
            h.put(b"R");
            h.put(body);
            h.finish()
        }
    }
}

/// [`fingerprint`] of a body the handler has already parsed, with no second parse.
pub fn fingerprint_json(method: &str, path: &str, body: &Value) -> [u8; 32] {
    let mut h = HashWriter::new(method, path);
    h.put(b"J");
    canonical(body, &mut h);
    h.finish()
}

/// [`fingerprint_json`] of an object body read as its members: the same fingerprint as the
/// object's.
pub fn fingerprint_members(method: &str, path: &str, members: &Map<String, Value>) -> [u8; 32] {
    let mut h = HashWriter::new(method, path);
    h.put(b"J");
    canonical_object(members, &mut h);
    h.finish()
}

/// Where [`canonical`] writes.
trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// `n` in 7-bit groups, lowest first, the high bit set on every group but the last (a
    /// length below 128 is one byte).
    fn put_varint(&mut self, mut n: u64) {
        let mut bytes = [0u8; 10];
        let mut len = 0;
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                bytes[len] = low;
                len += 1;
                break;
            }
            bytes[len] = low | 0x80;
            len += 1;
        }
        self.put(&bytes[..len]);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A JSON value's canonical form, as the fingerprint hashes it: a tag byte per value, then
/// for a string its length and its bytes, for an array or an object its length and its items
/// (an object's members in key order, as `serde_json::Map` keeps them, each key written as a
/// string), for an integer its magnitude (a negative one as `-1 - n`), for any other number
/// its 8 bytes; lengths and magnitudes as varints. Two values have the same form exactly when
/// they are equal as JSON values (`1` and `1.0` differ, as their texts do), and no form is the
/// start of another's, so a sequence of them reads back one way only.
fn canonical(value: &Value, out: &mut impl Sink) {
    match value {
        Value::Null => out.put(b"n"),
        Value::Bool(false) => out.put(b"f"),
        Value::Bool(true) => out.put(b"t"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.put(b"u");
                out.put_varint(u);
            } else if let Some(i) = n.as_i64() {
                // Negative here (a non-negative one is a `u64`): -1 is 0, -2 is 1, …
                out.put(b"i");
                out.put_varint(!(i as u64));
            } else {
                out.put(b"d");
                out.put(&n.as_f64().map_or(0, f64::to_bits).to_le_bytes());
            }
        }
        Value::String(text) => canonical_str(text, out),
        Value::Array(items) => {
            out.put(b"[");
            out.put_varint(items.len() as u64);
            for item in items {
                canonical(item, out);
            }
        }
        Value::Object(members) => canonical_object(members, out),
    }
}

fn canonical_object(members: &Map<String, Value>, out: &mut impl Sink) {
    out.put(b"{");
    out.put_varint(members.len() as u64);
    for (key, value) in members {
        canonical_str(key, out);
        canonical(value, out);
    }
}

fn canonical_str(text: &str, out: &mut impl Sink) {
    out.put(b"s");
    out.put_varint(text.len() as u64);
    out.put(text.as_bytes());
}

fn start(method: &str, path: &str) -> Sha256 {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h
}

/// How much of a canonical form [`HashWriter`] gathers before hashing it.
const HASH_CHUNK: usize = 512;

/// The hash of a fingerprint, gathering the canonical form's many small writes (a tag, a
/// length, a key) into chunks of [`HASH_CHUNK`] bytes on the stack, so the hash is updated
/// once per chunk rather than once per token. The bytes hashed are the same.
struct HashWriter {
    hash: Sha256,
    buf: [u8; HASH_CHUNK],
    len: usize,
}

impl HashWriter {
    fn new(method: &str, path: &str) -> Self {
        Self {
            hash: start(method, path),
            buf: [0; HASH_CHUNK],
            len: 0,
        }
    }

    fn finish(mut self) -> [u8; 32] {
        self.hash.update(&self.buf[..self.len]);
        self.hash.finalize().into()
    }
}

impl Sink for HashWriter {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > HASH_CHUNK {
            self.hash.update(&self.buf[..self.len]);
            self.len = 0;
            if bytes.len() > HASH_CHUNK {
                self.hash.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

impl IdempotencyStore {
    pub fn new(ttl: TimeDelta) -> Self {
        Self {
            ttl,
            max_per_tenant: DEFAULT_MAX_PER_TENANT,
            keys: Mutex::new(Keys::default()),
        }
    }

    /// This store, keeping at most `max` answered keys per tenant (oldest forgotten first).
    #[must_use]
    pub fn max_per_tenant(mut self, max: usize) -> Self {
        self.max_per_tenant = max.max(1);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn begin(
        &self,
        tenant: &str,
        scope: &str,
        key: &str,
        fingerprint: [u8; 32],
        now: DateTime<Utc>,
    ) -> Begin {
        let fingerprint = print(&fingerprint);
        let mut keys = self.lock();
        let slot = (keys.tenants.get(tenant))
            .and_then(|t| t.slots(scope))
            .and_then(|m| m.get(key));
        match slot {
            Some(Slot::Done { expires, .. }) if *expires <= now => {}
            Some(Slot::Done {
                fingerprint: f,
                status,
                answer,
                ..
            }) => {
                return if *f != fingerprint {
                    Begin::Conflict
                } else {
                    match answer {
                        Answer::Empty => Begin::Replay(StoredResponse {
                            status: *status,
                            body: Bytes::new(),
                        }),
                        Answer::Bytes(body) => Begin::Replay(StoredResponse {
                            status: *status,
                            body: Bytes::clone(body),
                        }),
                        Answer::Uid(object) => Begin::Render {
                            status: *status,
                            object: object.to_string(),
                        },
                        Answer::Object(object) => Begin::Render {
                            status: *status,
                            object: object.to_string(),
                        },
                    }
                };
            }
            Some(Slot::Running { fingerprint: f }) => {
                return if *f == fingerprint {
                    Begin::InFlight
                } else {
                    Begin::Conflict
                };
            }
            None => {}
        }
        let slots = match keys.tenants.get_mut(tenant) {
            Some(t) => t.slots_mut(scope),
            None => (keys.tenants.entry(tenant.into()).or_default()).slots_mut(scope),
        };
        slots.insert(key.into(), Slot::Running { fingerprint });
        Begin::Proceed
    }

    /// Stores the response of the request that reserved the key.
    pub fn complete(
        &self,
        tenant: &str,
        scope: &str,
        key: &str,
        response: StoredResponse,
        now: DateTime<Utc>,
    ) {
        let answer = Answer::bytes(response.body);
        self.keep_answer(tenant, scope, key, response.status, answer, now);
    }

    /// Stores, for the request that reserved the key, that it answered `status` with object
    /// `object`: a replay is [`Begin::Render`], and the provider renders the object's first
    /// answer again. Answers the key as the store holds it (`None` if it holds no reservation
    /// of it), for the object's record to keep: before it forgets the object, the provider
    /// hands the answer's bytes to [`IdempotencyStore::freeze`] under that key.
    pub fn complete_object(
        &self,
        tenant: &str,
        scope: &str,
        key: &str,
        status: u16,
        object: &str,
        now: DateTime<Utc>,
    ) -> Option<Arc<str>> {
        let answer = Answer::object(object);
        self.keep_answer(tenant, scope, key, status, answer, now)
    }

    /// The object `object` that `tenant`'s answer under `key` named is about to be forgotten:
    /// the answer is kept as `body` from now on (byte for byte what a replay rendered), for as
    /// long as the key lives. The key is looked for in each of the tenant's scopes (a handful),
    /// and only an answer naming `object` changes: nothing happens if the key is gone.
    pub fn freeze(&self, tenant: &str, key: &str, object: &str, body: Bytes) {
        let mut keys = self.lock();
        let Some(t) = keys.tenants.get_mut(tenant) else {
            return;
        };
        for (_, slots) in &mut t.scopes {
            if let Some(Slot::Done { answer, .. }) = slots.get_mut(key)
                && answer.names(object)
            {
                *answer = Answer::bytes(body);
                return;
            }
        }
    }

    fn keep_answer(
        &self,
        tenant: &str,
        scope: &str,
        key: &str,
        status: u16,
        answer: Answer,
        now: DateTime<Utc>,
    ) -> Option<Arc<str>> {
        let mut guard = self.lock();
        let keys = &mut *guard;
        let t = keys.tenants.get_mut(tenant)?;
        let at = t.scope(scope)?;
        let Some((key, Slot::Running { fingerprint })) = t.scopes[at].1.get_key_value(key) else {
            return None;
        };
        let (key, fingerprint) = (Arc::clone(key), *fingerprint);
        let expires = now + self.ttl;
        keys.generation += 1;
        let generation = keys.generation;
        let done = Slot::Done {
            fingerprint,
            status,
            answer,
            expires,
            generation,
        };
        t.scopes[at].1.insert(Arc::clone(&key), done);
        // Entries of keys since swept or kept again first, then the oldest past the cap.
        while t.kept.front().is_some_and(|e| !t.holds(e)) {
            t.kept.pop_front();
        }
        while t.kept.len() >= self.max_per_tenant {
            let Some(old) = t.kept.pop_front() else {
                break;
            };
            if let Some((_, slots)) = t.scopes.get_mut(old.scope) {
                slots.remove(&old.key);
            }
        }
        t.kept.push_back(Kept {
            scope: at,
            key: Arc::clone(&key),
            generation,
        });
        keys.queue(tenant, expires);
        Some(key)
    }

    /// Frees a reserved key without storing an answer (the request was refused before it did
    /// anything, so a corrected retry under the same key is welcome).
    pub fn release(&self, tenant: &str, scope: &str, key: &str) {
        let mut keys = self.lock();
        let Some(slots) = keys.tenants.get_mut(tenant).and_then(|t| {
            let at = t.scope(scope)?;
            Some(&mut t.scopes[at].1)
        }) else {
            return;
        };
        if matches!(slots.get(key), Some(Slot::Running { .. })) {
            slots.remove(key);
        }
        // A tenant left without any key is not kept as an empty record.
        if keys.tenants.get(tenant).is_some_and(|t| t.len() == 0) {
            keys.unqueue(tenant);
            keys.tenants.remove(tenant);
        }
    }

    /// Drops expired records of every tenant, each at its own time, so memory stays bounded by
    /// the keys of the last TTL (a tenant whose clock ran ahead of the others).
    pub fn sweep(&self, now_for: impl Fn(&str) -> DateTime<Utc>) {
        let mut keys = self.lock();
        let tenants: Vec<Box<str>> = keys.tenants.keys().cloned().collect();
        for tenant in tenants {
            let now = now_for(&tenant);
            keys.sweep_tenant(&tenant, now);
        }
    }

    /// Drops the expired records of the tenants due by `now` (the global simulated time, which
    /// no tenant's is behind), each at its own time: a look at the soonest expiry otherwise, and
    /// a visit to each tenant with a key expired, not to every tenant.
    pub fn sweep_if_due(&self, now: DateTime<Utc>, now_for: impl Fn(&str) -> DateTime<Utc>) {
        let mut keys = self.lock();
        let mut due = Vec::new();
        while let Some((at, _)) = keys.due.first()
            && *at <= now
        {
            if let Some((_, tenant)) = keys.due.pop_first() {
                due.push(tenant);
            }
        }
        for tenant in due {
            // Out of the queue already; `sweep_tenant` queues it again for its next expiry.
            let at = now_for(&tenant);
            keys.sweep_tenant(&tenant, at);
        }
    }

    pub fn len(&self) -> usize {
        self.lock().tenants.values().map(TenantKeys::len).sum()
    }

    /// The answered and running keys `tenant` holds.
    pub fn len_for(&self, tenant: &str) -> usize {
        self.lock().tenants.get(tenant).map_or(0, TenantKeys::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every key of one tenant, exactly (keys still running included: their requests
    /// finish without storing an answer anyone can find).
    pub fn forget_tenant(&self, tenant: &str) {
        let mut keys = self.lock();
        keys.unqueue(tenant);
        keys.tenants.remove(tenant);
    }

    pub fn reset(&self, tenant_prefix: Option<&str>) {
        let mut keys = self.lock();
        match tenant_prefix {
            Some(p) => {
                keys.tenants.retain(|t, _| !t.starts_with(p));
                keys.due.retain(|(_, t)| !t.starts_with(p));
            }
            None => *keys = Keys::default(),
        }
        // What a reset forgets goes back to the allocator, not only out of sight.
        keys.tenants.shrink_to_fit();
    }
}

impl IdempotencyStore {
    /// [`begin`](Self::begin), with the key held by a guard: `Ok` when the request goes ahead,
    /// else what `begin` answered (`Replay`, `Conflict` or `InFlight`, never `Proceed`).
    pub fn reserve<'a>(
        &'a self,
        tenant: &'a str,
        scope: &'a str,
        key: &'a str,
        fingerprint: [u8; 32],
        now: DateTime<Utc>,
    ) -> Result<Reservation<'a>, Begin> {
        match self.begin(tenant, scope, key, fingerprint, now) {
            Begin::Proceed => Ok(Reservation {
                store: self,
                id: (tenant, scope, key),
                kept: false,
            }),
            other => Err(other),
        }
    }
}

/// A key reserved for one running request: kept with its answer, or released when dropped
/// without one, whatever ended the request (a refusal, an early return, a panic).
#[derive(Debug)]
#[must_use = "dropping a reservation releases its key at once"]
pub struct Reservation<'a> {
    store: &'a IdempotencyStore,
    /// Tenant, scope and key, borrowed from the request they came with.
    id: (&'a str, &'a str, &'a str),
    kept: bool,
}

impl Reservation<'_> {
    /// Stores `response` for replay under the key (see [`IdempotencyStore::complete`]).
    pub fn keep(mut self, response: StoredResponse, now: DateTime<Utc>) {
        let (tenant, scope, key) = self.id;
        self.store.complete(tenant, scope, key, response, now);
        self.kept = true;
    }

    /// Stores that the request answered `status` with object `object`, rendered again on
    /// replay (see [`IdempotencyStore::complete_object`]); answers the key as the store holds
    /// it, for the object's record.
    pub fn keep_object(
        mut self,
        status: u16,
        object: &str,
        now: DateTime<Utc>,
    ) -> Option<Arc<str>> {
        let (tenant, scope, key) = self.id;
        self.kept = true;
        self.store
            .complete_object(tenant, scope, key, status, object, now)
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.kept {
            let (tenant, scope, key) = self.id;
            self.store.release(tenant, scope, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(body: &'static str) -> StoredResponse {
        StoredResponse {
            status: 201,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn replays_the_stored_response_for_the_same_request() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/v1/cashouts", br#"{"a":1,"b":2}"#);
        assert_eq!(store.begin("t", "s", "k", fp, now), Begin::Proceed);
        assert_eq!(store.begin("t", "s", "k", fp, now), Begin::InFlight);
        store.complete("t", "s", "k", resp("{}"), now);
        let same = fingerprint("POST", "/v1/cashouts", br#"{ "b":2, "a":1 }"#);
        assert_eq!(
            store.begin("t", "s", "k", same, now),
            Begin::Replay(resp("{}"))
        );
    }

    #[test]
    fn a_parsed_body_fingerprints_like_its_bytes() {
        let body = br#"{ "b": [1, 2], "a": {"y": 1, "x": null} }"#;
        let parsed: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            fingerprint("POST", "/x", body),
            fingerprint_json("POST", "/x", &parsed)
        );
        assert_ne!(
            fingerprint("POST", "/x", body),
            fingerprint_json("POST", "/y", &parsed)
        );
    }

    #[test]
    fn a_fingerprint_hashes_the_canonical_form_whatever_its_length() {
        // Short, chunk-sized, and longer than several chunks (one string longer than a chunk).
        for len in [
            0,
            1,
            HASH_CHUNK - 20,
            HASH_CHUNK,
            HASH_CHUNK + 1,
            3 * HASH_CHUNK + 7,
        ] {
            let body = serde_json::json!({"z": "x".repeat(len), "a": [1, "two", null], "m": len});
            let mut form = b"J".to_vec();
            canonical(&body, &mut form);
            let mut h = start("POST", "/p");
            h.update(&form);
            let expected: [u8; 32] = h.finalize().into();
            assert_eq!(fingerprint_json("POST", "/p", &body), expected, "len {len}");
            let members = body.as_object().unwrap();
            assert_eq!(fingerprint_members("POST", "/p", members), expected);
        }
    }

    #[test]
    fn bodies_fingerprint_alike_exactly_when_they_are_equal_as_json() {
        let fp = |body: &str| fingerprint("POST", "/p", body.as_bytes());
        assert_eq!(
            fp(r#"{"a":1,"b":[true,null]}"#),
            fp(r#" { "b" : [ true , null ] , "a" : 1 } "#)
        );
        assert_eq!(fp(r#"{"a":"\u00e9"}"#), fp(r#"{"a":"é"}"#));
        let differ = [
            (r#"{"a":1}"#, r#"{"a":"1"}"#),
            (r#"{"a":1}"#, r#"{"a":1.0}"#),
            (r#"{"a":-1}"#, r#"{"a":-1.0}"#),
            (r#"{"a":-1}"#, r#"{"a":1}"#),
            (r#"{"a":-1}"#, r#"{"a":-2}"#),
            (r#"{"a":127}"#, r#"{"a":128}"#),
            (
                r#"{"a":18446744073709551615}"#,
                r#"{"a":-9223372036854775808}"#,
            ),
            (r#"{"a":0.0}"#, r#"{"a":-0.0}"#),
            (r#"{"a":[]}"#, r#"{"a":{}}"#),
            (r#"{"ab":"c"}"#, r#"{"a":"bc"}"#),
            (r#"{"a":["b","c"]}"#, r#"{"a":["bc"]}"#),
            (r#"[[],[]]"#, r#"[[[]]]"#),
            (r#"{"a":null}"#, r#"{}"#),
            (r#"{"a":true}"#, r#"{"a":false}"#),
            (r#"{"a":1,"b":2}"#, r#"{"a":2,"b":1}"#),
            // Not JSON: hashed as sent, apart from every JSON body.
            (r#"{"a":1"#, r#"{"a":1}"#),
            ("Jn", "null"),
        ];
        for (a, b) in differ {
            assert_ne!(fp(a), fp(b), "{a} and {b}");
        }
    }

    #[test]
    fn a_different_request_under_the_same_key_conflicts() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        store.begin("t", "s", "k", fingerprint("POST", "/x", b"{\"a\":1}"), now);
        store.complete("t", "s", "k", resp("{}"), now);
        let other = fingerprint("POST", "/x", b"{\"a\":2}");
        assert_eq!(store.begin("t", "s", "k", other, now), Begin::Conflict);
    }

    #[test]
    fn keys_expire_on_the_simulated_clock_and_are_swept() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/x", b"{}");
        store.begin("t", "s", "k", fp, now);
        store.complete("t", "s", "k", resp("{}"), now);
        let later = now + TimeDelta::hours(25);
        store.sweep(|_| later);
        assert!(store.is_empty());
        assert_eq!(store.begin("t", "s", "k", fp, later), Begin::Proceed);
    }

    fn keep(store: &IdempotencyStore, tenant: &str, key: &str, now: DateTime<Utc>) {
        let fp = fingerprint("POST", "/x", key.as_bytes());
        let held = store.reserve(tenant, "s", key, fp, now).unwrap();
        held.keep(resp("{}"), now);
    }

    #[test]
    fn past_the_per_tenant_cap_the_oldest_answered_key_is_forgotten() {
        let store = IdempotencyStore::new(TimeDelta::hours(24)).max_per_tenant(3);
        let now = crate::clock::manual_epoch();
        for k in ["k1", "k2", "k3", "k4"] {
            keep(&store, "a", k, now);
        }
        keep(&store, "b", "k1", now);
        let running = store.reserve("a", "s", "r", [0; 32], now).unwrap();

        assert_eq!(
            store.len_for("a"),
            4,
            "three answered keys and the running one"
        );
        assert_eq!(store.len_for("b"), 1, "another tenant keeps its own");
        let fp = |k: &str| fingerprint("POST", "/x", k.as_bytes());
        assert!(
            store.reserve("a", "s", "k1", fp("k1"), now).is_ok(),
            "k1 forgotten"
        );
        let replay = store.reserve("a", "s", "k4", fp("k4"), now).unwrap_err();
        assert_eq!(replay, Begin::Replay(resp("{}")));
        drop(running);
    }

    #[test]
    fn a_sweep_is_due_only_once_the_earliest_key_has_expired() {
        let store = IdempotencyStore::new(TimeDelta::hours(1));
        let now = crate::clock::manual_epoch();
        keep(&store, "a", "k1", now);
        keep(&store, "a", "k2", now + TimeDelta::minutes(30));

        store.sweep_if_due(now + TimeDelta::minutes(59), |_| {
            now + TimeDelta::minutes(59)
        });
        assert_eq!(store.len(), 2);
        let later = now + TimeDelta::minutes(61);
        store.sweep_if_due(later, |_| later);
        assert_eq!(store.len(), 1);
        let last = now + TimeDelta::minutes(91);
        store.sweep_if_due(last, |_| last);
        assert!(store.is_empty());
    }

    #[test]
    fn a_sweep_that_falls_due_visits_the_tenants_due_and_no_other() {
        let store = IdempotencyStore::new(TimeDelta::hours(1));
        let now = crate::clock::manual_epoch();
        // 1,000 tenants with a key each, a minute apart.
        for i in 0..1000 {
            keep(&store, &format!("t{i}"), "k", now + TimeDelta::minutes(i));
        }
        let visited = std::cell::RefCell::new(Vec::new());
        let sweep_at = |at: DateTime<Utc>| {
            store.sweep_if_due(at, |t| {
                visited.borrow_mut().push(t.to_string());
                at
            })
        };

        sweep_at(now + TimeDelta::minutes(59));
        assert!(visited.borrow().is_empty(), "none due yet");
        sweep_at(now + TimeDelta::minutes(62));
        assert_eq!(*visited.borrow(), ["t0", "t1", "t2"]);
        assert_eq!(store.len(), 997);
        visited.borrow_mut().clear();
        // A tenant forgotten is never visited; one reset out of sight neither.
        store.forget_tenant("t3");
        store.reset(Some("t4"));
        sweep_at(now + TimeDelta::minutes(65));
        assert_eq!(*visited.borrow(), ["t5"]);
        assert_eq!(store.len_for("t5"), 0);
        assert_eq!(store.len_for("t6"), 1);
    }

    #[test]
    fn a_sweep_passes_over_a_key_answered_again_and_stops_at_the_first_live_one() {
        let store = IdempotencyStore::new(TimeDelta::hours(1));
        let now = crate::clock::manual_epoch();
        keep(&store, "a", "k1", now);
        keep(&store, "a", "k2", now + TimeDelta::minutes(10));
        // k1 expired and answered again: its first entry no longer holds it.
        let again = now + TimeDelta::minutes(61);
        keep(&store, "a", "k1", again);
        keep(&store, "a", "k3", again + TimeDelta::minutes(1));

        let at = now + TimeDelta::minutes(75);
        store.sweep_if_due(at, |_| at);

        assert_eq!(store.len_for("a"), 2, "k2 swept, k1 (again) and k3 kept");
        let fp = |k: &str| fingerprint("POST", "/x", k.as_bytes());
        assert_eq!(
            store.reserve("a", "s", "k1", fp("k1"), at).unwrap_err(),
            Begin::Replay(resp("{}"))
        );
        let past_k1 = again + TimeDelta::minutes(60);
        store.sweep_if_due(past_k1, |_| past_k1);
        assert_eq!(store.len_for("a"), 1, "k3 is still live");
        let past_k3 = past_k1 + TimeDelta::minutes(1);
        store.sweep_if_due(past_k3, |_| past_k3);
        assert!(store.is_empty());
    }

    #[test]
    fn a_released_key_can_be_used_again_with_another_body() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        store.begin("t", "s", "k", fingerprint("POST", "/x", b"{\"a\":1}"), now);
        store.release("t", "s", "k");
        assert_eq!(
            store.begin("t", "s", "k", fingerprint("POST", "/x", b"{\"a\":2}"), now),
            Begin::Proceed
        );
    }

    #[test]
    fn tenants_do_not_share_keys() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        store.begin("a", "s", "k", fingerprint("POST", "/x", b"{\"a\":1}"), now);
        assert_eq!(
            store.begin("b", "s", "k", fingerprint("POST", "/x", b"{\"a\":2}"), now),
            Begin::Proceed
        );
    }

    #[test]
    fn a_reservation_dropped_by_a_panic_releases_its_key() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/v1/cashouts", b"{}");

        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _held = store.reserve("t", "s", "k", fp, now);
            panic!("the handler failed halfway");
        }));

        assert!(panicked.is_err());
        assert!(store.is_empty(), "no key left in use");
        assert!(store.reserve("t", "s", "k", fp, now).is_ok());
    }

    #[test]
    fn a_kept_reservation_replays_and_a_dropped_one_is_free_again() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/x", b"{}");

        let held = store.reserve("t", "s", "k", fp, now).unwrap();
        let busy = store.reserve("t", "s", "k", fp, now).unwrap_err();
        held.keep(resp("{}"), now);
        let replay = store.reserve("t", "s", "k", fp, now).unwrap_err();
        drop(store.reserve("t", "s", "other", fp, now).unwrap());
        let again = store.reserve("t", "s", "other", fp, now);

        assert_eq!(busy, Begin::InFlight);
        assert_eq!(replay, Begin::Replay(resp("{}")));
        assert!(again.is_ok());
    }

    #[test]
    fn an_answer_kept_as_its_object_replays_as_a_render_until_frozen_into_bytes() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/x", b"{}");

        let held = store.reserve("t", "s", "k", fp, now).unwrap();
        let key = held.keep_object(201, "obj-1", now);
        let render = store.begin("t", "s", "k", fp, now);
        let other = fingerprint("POST", "/x", br#"{"a":1}"#);
        let conflict = store.begin("t", "s", "k", other, now);
        store.freeze("t", "k", "obj-2", Bytes::from_static(b"not this one"));
        let still = store.begin("t", "s", "k", fp, now);
        store.freeze("t", "k", "obj-1", Bytes::from_static(b"{\"id\":1}"));
        let replay = store.begin("t", "s", "k", fp, now);

        assert_eq!(key.as_deref(), Some("k"));
        let want = Begin::Render {
            status: 201,
            object: "obj-1".into(),
        };
        assert_eq!(render, want);
        assert_eq!(conflict, Begin::Conflict);
        assert_eq!(still, want);
        assert_eq!(
            replay,
            Begin::Replay(StoredResponse {
                status: 201,
                body: Bytes::from_static(b"{\"id\":1}"),
            })
        );
    }

    #[test]
    fn an_object_answer_expires_with_its_key_and_a_late_freeze_keeps_nothing() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/x", b"{}");
        let held = store.reserve("t", "s", "k", fp, now).unwrap();
        assert!(held.keep_object(201, "obj-1", now).is_some());

        let later = now + TimeDelta::hours(25);
        store.sweep(|_| later);
        store.freeze("t", "k", "obj-1", Bytes::from_static(b"{}"));

        assert!(store.is_empty());
        assert_eq!(store.begin("t", "s", "k", fp, later), Begin::Proceed);
    }

    #[test]
    fn an_object_named_by_a_uuid_renders_and_freezes_the_same_way() {
        let store = IdempotencyStore::new(TimeDelta::hours(24));
        let now = crate::clock::manual_epoch();
        let fp = fingerprint("POST", "/x", b"{}");
        let id = crate::ids::Ids::new(1).uuid("t");
        let other = crate::ids::Ids::new(2).uuid("t");

        let held = store.reserve("t", "s", "k", fp, now).unwrap();
        assert!(held.keep_object(201, &id, now).is_some());
        let render = store.begin("t", "s", "k", fp, now);
        store.freeze("t", "k", &other, Bytes::from_static(b"other"));
        store.freeze("t", "k", &id.to_uppercase(), Bytes::from_static(b"upper"));
        let still = store.begin("t", "s", "k", fp, now);
        store.freeze("t", "k", &id, Bytes::from_static(b"{}"));

        let want = Begin::Render {
            status: 201,
            object: id.clone(),
        };
        assert_eq!(render, want);
        assert_eq!(still, want);
        assert_eq!(
            store.begin("t", "s", "k", fp, now),
            Begin::Replay(resp("{}"))
        );
    }
}
