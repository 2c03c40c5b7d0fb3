//! Connection-level faults: what cannot be said in an HTTP response, enacted on the connection.
//!
//! The fault layer marks a response with a [`WireFault`]; the journal above it records the
//! exchange and keeps the mark; [`connection`] (one per accepted socket) then acts on it:
//! - `Reset`: no response byte; the socket is closed with `SO_LINGER 0`, so the peer gets an RST;
//! - `Empty`: no response byte; the socket is closed normally (FIN);
//! - `Hang(max)`: nothing is sent until the client gives up, `max` passes, or the server stops;
//!   then the socket is closed without an answer;
//! - `Truncate`: the headers declare the full `Content-Length`, half the body is sent, then the
//!   socket is closed;
//! - `Slow`: the body goes out in `chunk`-byte pieces, `delay` apart.
//!
//! Every request it serves carries the peer's address as axum's `ConnectInfo<SocketAddr>`, so a
//! provider can judge where a client connects from (a login allow-list).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, Request, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tower::ServiceExt;

/// A response extension: how the connection must misbehave instead of answering normally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireFault {
    Reset,
    Empty,
    Hang(Duration),
    Truncate,
    Slow { chunk: usize, delay: Duration },
}

/// How long the truncated part of a body stays on the wire before the connection is cut, so it
/// is flushed first.
const CUT_AFTER: Duration = Duration::from_millis(20);

/// What a connection can serve: an axum `Router`, or any service that answers as one does.
pub trait Served:
    tower::Service<Request<Body>, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + 'static
{
}

impl<S> Served for S where
    S: tower::Service<
            Request<Body>,
            Response = Response,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// Serves one accepted socket with `router` (an axum `Router`, or any service that answers
/// like one) over HTTP/1.1, enacting [`WireFault`] marks. `stop` ends a hang when the server
/// shuts down.
pub fn connection<S>(
    stream: TcpStream,
    router: S,
    stop: watch::Receiver<bool>,
) -> hyper::server::conn::http1::Connection<TokioIo<FaultIo>, Enact<S>>
where
    S: Served,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.keep_alive(true);
    connection_with(stream, router, stop, &builder, None, None)
}

/// The bytes read so far from one connection's socket, shared with whoever must tell a
/// connection that sends nothing from one part-way through a request (a head timer, say).
pub type ReadCounter = Arc<AtomicU64>;

/// [`connection`] served by `builder` (its timeouts and timer), counting the bytes read into
/// `reads` when given.
pub fn connection_with<S>(
    stream: TcpStream,
    router: S,
    stop: watch::Receiver<bool>,
    builder: &hyper::server::conn::http1::Builder,
    reads: Option<ReadCounter>,
    body_timeout: Option<Duration>,
) -> hyper::server::conn::http1::Connection<TokioIo<FaultIo>, Enact<S>>
where
    S: Served,
{
    let reset = Arc::new(AtomicBool::new(false));
    let peer = stream.peer_addr().ok();
    let io = FaultIo {
        stream,
        reset: reset.clone(),
        reads,
    };
    let service = Enact {
        router,
        reset,
        body_timeout,
        late: Arc::new(AtomicBool::new(false)),
        stop,
        peer,
    };
    builder.serve_connection(TokioIo::new(io), service)
}

/// The socket, which can be told to end with an RST.
pub struct FaultIo {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
    reads: Option<ReadCounter>,
}

impl FaultIo {
    fn resetting(&self) -> bool {
        self.reset.load(Ordering::Acquire)
    }
}

impl Drop for FaultIo {
    fn drop(&mut self) {
        if self.resetting() {
            // Closing with a zero linger discards the send buffer and sends RST, not FIN.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for FaultIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        let read = buf.filled().len().saturating_sub(before);
        if let Some(reads) = self.reads.as_ref().filter(|_| read > 0) {
            reads.fetch_add(read as u64, Ordering::Release);
        }
        polled
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.resetting() {
            return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.resetting() {
            // No FIN before the RST.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The per-connection service: the router, then the connection's part of any fault.
#[derive(Clone)]
pub struct Enact<S> {
    router: S,
    reset: Arc<AtomicBool>,
    /// How long a request's body may take to arrive once its head is read (`None`: no limit).
    body_timeout: Option<Duration>,
    /// Set when the body of the request in progress missed its deadline. One per connection:
    /// HTTP/1.1 serves its requests one after another.
    late: Arc<AtomicBool>,
    stop: watch::Receiver<bool>,
    /// The client's address, given to every request as `ConnectInfo`.
    peer: Option<SocketAddr>,
}

/// Why a connection was closed without an answer (hyper logs it; the client sees none).
fn closed(why: &str) -> io::Error {
    io::Error::other(format!("fault injected: {why}"))
}

impl<S> hyper::service::Service<Request<Incoming>> for Enact<S>
where
    S: Served,
{
    type Response = Response;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Response>> + Send>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let Enact {
            router,
            reset,
            body_timeout,
            late,
            mut stop,
            peer,
        } = self.clone();
        Box::pin(async move {
            let mut req = match body_timeout {
                // A request without a body (a GET) has nothing to wait for.
                Some(limit) if !hyper::body::Body::is_end_stream(req.body()) => {
                    late.store(false, Ordering::Release);
                    let started = tokio::time::Instant::now();
                    req.map(|inner| {
                        Body::new(Deadline {
                            inner,
                            deadline: started + limit,
                            sleep: None,
                            late: late.clone(),
                        })
                    })
                }
                _ => req.map(Body::new),
            };
            if let Some(peer) = peer {
                req.extensions_mut().insert(ConnectInfo(peer));
            }
            let response = match router.oneshot(req).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            if body_timeout.is_some() && late.swap(false, Ordering::AcqRel) {
                tracing::debug!(
                    limit = ?body_timeout,
                    "request body not complete in time: connection closed"
                );
                return Err(closed("request body not complete in time"));
            }
            let Some(fault) = response.extensions().get::<WireFault>().cloned() else {
                return Ok(response);
            };
            match fault {
                WireFault::Reset => {
                    reset.store(true, Ordering::Release);
                    Err(closed("connection reset"))
                }
                WireFault::Empty => Err(closed("empty reply")),
                WireFault::Hang(max) => {
                    tokio::select! {
                        _ = tokio::time::sleep(max) => {}
                        _ = stop.wait_for(|s| *s) => {}
                    }
                    Err(closed("hang"))
                }
                WireFault::Truncate => Ok(truncated(response).await),
                WireFault::Slow { chunk, delay } => Ok(dribbled(response, chunk, delay).await),
            }
        })
    }
}

/// A request body that fails once its deadline has passed. The timer is armed only if the body
/// is not there at once (a small body arrives with its head), so most requests never touch the
/// timer wheel.
struct Deadline {
    inner: Incoming,
    deadline: tokio::time::Instant,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    late: Arc<AtomicBool>,
}

impl hyper::body::Body for Deadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = self.deadline;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.as_mut().poll(cx).is_ready() {
            self.late.store(true, Ordering::Release);
            let late = io::Error::new(io::ErrorKind::TimedOut, "request body timeout");
            return Poll::Ready(Some(Err(late.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// The whole of `body`. One that fails to read counts as empty: a fault reshapes what the
/// provider produced, and has nothing better to offer when that is unreadable.
pub(crate) async fn collected(body: Body) -> Bytes {
    body.collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}

/// `response` taken apart: its head, and its whole body (see [`collected`]).
pub(crate) async fn body_of(response: Response) -> (http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    (parts, collected(body).await)
}

/// Declares the whole length, sends half (nothing of an empty body, declared as 16 bytes), then
/// fails the body so the connection is cut.
async fn truncated(response: Response) -> Response {
    let (mut parts, bytes) = body_of(response).await;
    let declared = bytes.len().max(16);
    let sent = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    let stream = futures::stream::unfold(Some(sent), |state| async move {
        match state {
            Some(sent) => Some((Ok::<Bytes, io::Error>(sent), None)),
            None => {
                tokio::time::sleep(CUT_AFTER).await;
                Some((Err(closed("truncated body")), None))
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The same body, `chunk` bytes at a time, `delay` apart, with its full `Content-Length`.
async fn dribbled(response: Response, chunk: usize, delay: Duration) -> Response {
    let (mut parts, bytes) = body_of(response).await;
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let chunk = chunk.max(1);
    let stream = futures::stream::unfold((bytes, true), move |(rest, first)| async move {
        if rest.is_empty() {
            return None;
        }
        if !first {
            tokio::time::sleep(delay).await;
        }
        let n = chunk.min(rest.len());
        Some((
            Ok::<Bytes, io::Error>(rest.slice(..n)),
            (rest.slice(n..), false),
        ))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
