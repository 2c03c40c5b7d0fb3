//! [`FaultLayer`] and its service [`Fault<S>`]: between the journal and a provider router, it
//! decides which rule hits a request and acts on it.
//!
//! With no rule loaded it costs one atomic load; with rules, a request whose method, path and
//! headers match none is passed on without allocating. HTTP-level faults (latency, status, 429,
//! token expiry, malformed body, forced outcome) are answered here; connection-level ones (hang,
//! reset, empty reply, truncated or slow body) are decided here, named in the journal, and marked
//! on the response with a [`WireFault`] for the connection to enact (see `wire.rs`).

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::future::{BoxFuture, Either};
use http::{HeaderValue, Request, StatusCode, header};
use payoutsim_core::forced::{ForcedOutcome, OutcomeSlot};
use payoutsim_core::journal::{RequestNotes, Unanswered};
use payoutsim_core::{Engine, Provider};
use tower::{Layer, Service, ServiceExt};

use crate::matcher::Subject;
use crate::rule::{Fault as Kind, Latency, Stage};
use crate::store::{Faults, Loaded};
use crate::wire::{WireFault, body_of, collected};

/// Wraps a provider router in its fault rules.
#[derive(Clone)]
pub struct FaultLayer {
    ctx: Arc<Ctx>,
}

struct Ctx {
    faults: Faults,
    engine: Engine,
    provider: Arc<dyn Provider>,
}

impl FaultLayer {
    pub fn new(faults: Faults, engine: Engine, provider: Arc<dyn Provider>) -> Self {
        Self {
            ctx: Arc::new(Ctx {
                faults,
                engine,
                provider,
            }),
        }
    }
}

impl<S> Layer<S> for FaultLayer {
    type Service = Fault<S>;
    fn layer(&self, inner: S) -> Fault<S> {
        Fault {
            inner,
            ctx: self.ctx.clone(),
        }
    }
}

/// The fault service around `S`.
#[derive(Clone)]
pub struct Fault<S> {
    inner: S,
    ctx: Arc<Ctx>,
}

impl<S> Service<Request<Body>> for Fault<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        if self.ctx.faults.is_empty() || !self.any_head_matches(&req) {
            return Either::Left(self.inner.call(req));
        }
        // The ready service goes with this request; a fresh clone waits for the next one.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        Either::Right(Box::pin(handle(self.ctx.clone(), inner, req)))
    }
}

impl<S> Fault<S> {
    fn any_head_matches(&self, req: &Request<Body>) -> bool {
        let head = head_of(self.ctx.provider.name(), req);
        self.ctx.faults.snapshot().any_head_matches(&head)
    }
}

fn head_of<'a>(provider: &'a str, req: &'a Request<Body>) -> Subject<'a> {
    Subject {
        provider,
        method: Some(req.method()),
        path: Some(req.uri().path()),
        headers: Some(req.headers()),
        ..Subject::default()
    }
}

async fn handle<S>(ctx: Arc<Ctx>, inner: S, req: Request<Body>) -> Result<Response, S::Error>
where
    S: Service<Request<Body>, Response = Response> + Send + 'static,
    S::Future: Send + 'static,
{
    // The journal has read the body already: collecting it again is a copy of nothing.
    let (parts, body) = req.into_parts();
    let bytes = collected(body).await;
    let mut req = Request::from_parts(parts, Body::from(bytes.clone()));
    let provider = ctx.provider.clone();
    let decision = {
        let head = head_of(provider.name(), &req);
        let tail = |needs_body: bool| {
            let tenant = provider.tenant_hint(req.headers(), &bytes);
            let body = needs_body
                .then(|| serde_json::from_slice(&bytes).ok())
                .flatten();
            (tenant, body)
        };
        ctx.faults.decide(&ctx.engine, &head, tail, false)
    };
    let notes = req.extensions().get::<RequestNotes>().cloned();
    let note = |text: String| {
        if let Some(n) = &notes {
            n.set_fault(&text);
        }
    };

    let mut waited = Vec::new();
    for rule in &decision.latency {
        let wait = latency(&ctx.engine, rule);
        waited.push(format!("{}: latency {}ms", rule.id, wait.as_millis()));
        tokio::time::sleep(wait).await;
    }
    let Some(rule) = decision.fault else {
        if !waited.is_empty() {
            note(waited.join("; "));
        }
        return inner.oneshot(req).await;
    };
    let fault = &rule.rule.fault;
    let reaches_provider = matches!(fault, Kind::Outcome { .. } | Kind::SlowBody { .. })
        || fault.stage() == Some(Stage::After);
    if !reaches_provider
        && let (Some(n), Some(tenant)) = (&notes, provider.tenant_hint(req.headers(), &bytes))
    {
        // Auth never runs: the journal still tells whose request it was.
        n.set_tenant(&tenant);
    }
    let mut described = format!("{}: {}", rule.id, fault.describe());
    if !waited.is_empty() {
        described = format!("{}; {described}", waited.join("; "));
    }

    let response = match &rule.rule.fault {
        Kind::Status { status, body } => {
            let code = StatusCode::from_u16(status.0).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            match body {
                Some(body) => (code, axum::Json(body.clone())).into_response(),
                None => provider.error_response(code, code.canonical_reason().unwrap_or("Error")),
            }
        }
        Kind::RateLimit { retry_after_s } => {
            let mut r = provider.error_response(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_s));
            r
        }
        Kind::TokenExpired => provider.expired_token_response(),
        Kind::Outcome { status, reason } => {
            let slot = OutcomeSlot::new(ForcedOutcome {
                status: status.clone(),
                reason: reason.clone(),
                rule: rule.id.clone(),
            });
            req.extensions_mut().insert(slot.clone());
            let response = inner.oneshot(req).await?;
            if !slot.is_taken() {
                // Nothing was created: the rule waits for the next object.
                rule.refund();
                described.push_str(" (nothing created)");
            }
            response
        }
        Kind::SlowBody {
            chunk_bytes,
            delay_ms,
        } => {
            let mut response = inner.oneshot(req).await?;
            response.extensions_mut().insert(WireFault::Slow {
                chunk: *chunk_bytes,
                delay: Duration::from_millis(*delay_ms),
            });
            response
        }
        Kind::Hang { stage, max_s } => {
            let wire = WireFault::Hang(Duration::from_secs_f64(
                max_s.min(crate::values::MAX_HANG_S),
            ));
            staged((*stage, wire), &*provider, inner, req).await?
        }
        Kind::Reset { stage } => staged((*stage, WireFault::Reset), &*provider, inner, req).await?,
        Kind::Empty { stage } => staged((*stage, WireFault::Empty), &*provider, inner, req).await?,
        Kind::Truncate { stage } => {
            staged((*stage, WireFault::Truncate), &*provider, inner, req).await?
        }
        Kind::Malformed { stage } => {
            let response = match stage {
                Stage::Before => provider.placeholder(),
                Stage::After => inner.oneshot(req).await?,
            };
            malformed(response).await
        }
        // Never chosen for a request (latency adds up above; webhook kinds act on messages).
        Kind::Latency(_)
        | Kind::WebhookDrop
        | Kind::WebhookDuplicate
        | Kind::WebhookDelay { .. }
        | Kind::WebhookReorder => inner.oneshot(req).await?,
    };
    note(described);
    Ok(response)
}

/// A connection-level fault: `before`, the provider never sees the request (the journal records
/// no answer); `after`, its real answer is what gets lost.
async fn staged<S>(
    (stage, wire): (Stage, WireFault),
    provider: &dyn Provider,
    inner: S,
    req: Request<Body>,
) -> Result<Response, S::Error>
where
    S: Service<Request<Body>, Response = Response>,
{
    let mut response = match stage {
        Stage::Before => {
            let mut r = provider.placeholder();
            if !matches!(wire, WireFault::Truncate) {
                r.extensions_mut().insert(Unanswered);
            }
            r
        }
        Stage::After => inner.oneshot(req).await?,
    };
    response.extensions_mut().insert(wire);
    Ok(response)
}

/// Keeps the status and content type, cuts the body in half and appends what no JSON parser takes.
async fn malformed(response: Response) -> Response {
    let (mut parts, bytes) = body_of(response).await;
    let mut garbled = bytes[..bytes.len() / 2].to_vec();
    garbled.extend_from_slice(b"<!-- upstream error -->");
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(Bytes::from(garbled)))
}

/// How long a latency rule makes this request wait, drawn from the rule's seeded stream.
pub fn latency(engine: &Engine, rule: &Loaded) -> Duration {
    let Kind::Latency(shape) = &rule.rule.fault else {
        return Duration::ZERO;
    };
    let stream = format!("faults:{}:latency", rule.id);
    let ms = match *shape {
        Latency::Fixed(ms) => ms as f64,
        Latency::Uniform(lo, hi) => engine.ids().range(&stream, lo, hi) as f64,
        Latency::LogNormal { median_ms, sigma } => {
            // Box-Muller: a standard normal from two uniform draws.
            let u1 = engine.ids().unit(&stream).max(f64::MIN_POSITIVE);
            let u2 = engine.ids().unit(&stream);
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            median_ms * (sigma * z).exp()
        }
    };
    // At most ten minutes, whatever the tail draws.
    Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 600.0))
}
