//! Start-up on a directory that holds a log: every input replayed through the same handlers,
//! at its recorded instant, with webhook sending off, each answer compared with the recorded
//! one; then the delivery records and where each webhook message stood are put back.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderName, HeaderValue, header};
use payoutsim_core::forced::OutcomeSlot;
use tower::ServiceExt;

use super::record::body_hash;
use super::store::{Input, Kind, Store};
use crate::App;

/// Inputs read from the file at once.
const BATCH: usize = 1000;

/// What a replay did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    pub inputs: u64,
    pub deliveries: usize,
    pub messages: usize,
}

/// Replays the log of `store` into `app` (whose clock the caller releases afterwards). An
/// answer that differs from the recorded one stops it with an error naming the input.
pub async fn replay(app: &App, store: &Store) -> Result<Replayed, String> {
    let engine = &app.engine;
    engine.set_replaying(true);
    let result = replay_inputs(app, store).await;
    engine.set_replaying(false);
    let inputs = result?;
    let history = store.deliveries(engine.config().history_cap)?;
    let deliveries = history.len();
    engine.restore_deliveries(history);
    let mut messages = 0;
    for (id, progress) in store.messages()? {
        if engine.restore_message(id, progress) {
            messages += 1;
        }
    }
    Ok(Replayed {
        inputs,
        deliveries,
        messages,
    })
}

async fn replay_inputs(app: &App, store: &Store) -> Result<u64, String> {
    let engine = &app.engine;
    let routers: BTreeMap<&str, Router> = (app.providers())
        .map(|(id, p)| (id.name(), p.router()))
        .collect();
    let admin = app.admin_routes();
    // A compacted log starts at a full reset: after it, the webhook numbering goes on from
    // where it stood then.
    let base = store.base()?;
    let mut after = 0;
    let mut count = 0u64;
    loop {
        let batch = store.inputs_after(after, BATCH)?;
        if batch.is_empty() {
            return Ok(count);
        }
        for (seq, input) in batch {
            engine.clock().pin(input.at);
            match input.kind {
                Kind::Tick => {
                    engine.run_due(None);
                }
                Kind::Provider => {
                    let router = routers.get(input.listener.as_str()).ok_or_else(|| {
                        format!(
                            "input #{seq} was made to provider `{}`, which this start does not \
                             serve (--providers)",
                            input.listener
                        )
                    })?;
                    let req = request(&input, None)?;
                    compare(seq, &input, router.clone(), req).await?;
                }
                Kind::Admin => {
                    let req = request(&input, Some(app))?;
                    compare(seq, &input, admin.clone(), req).await?;
                }
            }
            if let Some(mark) = base.filter(|b| b.seq == seq) {
                engine.set_webhook_numbering(mark.numbering);
            }
            after = seq;
            count += 1;
        }
    }
}

/// The request `input` was; for the admin listener, addressed to it as it is bound now (its
/// `Host`, its token) rather than with the headers it came with.
fn request(input: &Input, admin: Option<&App>) -> Result<Request, String> {
    let mut req = Request::builder()
        .method(input.method.as_str())
        .uri(input.uri.as_str());
    match admin {
        None => {
            for (k, v) in &input.headers {
                let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) else {
                    continue;
                };
                req = req.header(k, v);
            }
        }
        Some(app) => {
            let content_type = (input.headers.iter())
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.as_str());
            if let Some(ct) = content_type {
                req = req.header(header::CONTENT_TYPE, ct);
            }
            if let Some(listener) = app.engine.admin_listener() {
                req = req.header(header::HOST, listener.addr.to_string());
                if let Some(token) = &listener.token {
                    req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
                }
            }
        }
    }
    let mut req = req
        .body(Body::from(input.body.clone()))
        .map_err(|e| format!("a logged request cannot be rebuilt: {e}"))?;
    if let Some(peer) = input
        .peer
        .as_deref()
        .and_then(|p| p.parse::<SocketAddr>().ok())
    {
        req.extensions_mut().insert(ConnectInfo(peer));
    }
    if let Some(forced) = &input.forced {
        req.extensions_mut()
            .insert(OutcomeSlot::new(forced.clone()));
    }
    Ok(req)
}

/// Handles `req` and checks that it is answered as `input` was: the same status, and for a
/// provider request that is not a read, the same body.
async fn compare(seq: i64, input: &Input, router: Router, req: Request) -> Result<(), String> {
    let response = router
        .oneshot(req)
        .await
        .map_err(|e| format!("input #{seq} cannot be replayed: {e}"))?;
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| format!("input #{seq}'s answer cannot be read: {e}"))?;
    let hash = body_hash(&body);
    let reads = input.method == "GET" || input.method == "HEAD";
    let body_differs = input.kind == Kind::Provider && !reads && hash != input.body_hash;
    if status != input.status || body_differs {
        return Err(format!(
            "the log does not replay: input #{seq} ({} {} on {} at {}) was answered {} (body \
             sha256 {}) and is now answered {status} (body sha256 {hash}); the directory was \
             written by another build or configuration, or changed. Nothing was served; move the \
             directory away to start afresh",
            input.method,
            input.uri,
            input.listener,
            payoutsim_core::clock::rfc3339(input.at),
            input.status,
            input.body_hash,
        ));
    }
    Ok(())
}
