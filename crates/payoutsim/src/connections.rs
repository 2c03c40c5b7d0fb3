//! What a connection may cost a listener: how long it may take to send a request head and a
//! body, how long it may sit idle between requests, how many may be open at once, and how long
//! a shutdown waits for them.
//!
//! - The head timer ([`HeadTimer`], hyper's `header_read_timeout`): a new connection must send a
//!   complete request head within `header_timeout`. Between two requests of a kept-alive
//!   connection it may stay silent for `idle_timeout`; once the first byte of its next request
//!   arrives, the rest of that head must follow within `header_timeout`.
//! - The body deadline (`payoutsim_faults::wire`, given `body_timeout`): a request's whole body must arrive within
//!   `body_timeout` of its head. None of the emulated providers documents an error for a body
//!   that never comes, so the connection is closed without an answer.
//! - The limits and the shutdown deadline are enforced by the accept loop in
//!   [`serve`](crate::serve).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use payoutsim_faults::wire::ReadCounter;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant as TokioInstant;

/// The limits every listener applies to its connections. Every default is named here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConnectionLimits {
    /// A request head must be complete within this long (`--header-timeout`). Default 10 s.
    pub header_timeout: Duration,
    /// A request body must be complete within this long of its head (`--body-timeout`).
    /// Default 30 s.
    pub body_timeout: Duration,
    /// A kept-alive connection may wait this long for its next request (`--idle-timeout`).
    /// Default 60 s.
    pub idle_timeout: Duration,
    /// Connections open at once on one listener (`--max-connections`); past it a new one is
    /// answered 503 and closed. Default 1024.
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight before closing what is left
    /// (`--shutdown-deadline`). Default 5 s.
    pub shutdown_deadline: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_deadline: Duration::from_secs(5),
        }
    }
}

impl ConnectionLimits {
    /// The HTTP/1.1 settings of one connection whose socket counts its reads into `reads`.
    pub(crate) fn http1(&self, reads: &ReadCounter) -> hyper::server::conn::http1::Builder {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .keep_alive(true)
            .timer(HeadTimer::new(reads, self))
            .header_read_timeout(self.header_timeout);
        builder
    }

    /// The answer past `--max-connections`, as bytes on the wire.
    fn refusal(&self) -> Vec<u8> {
        let body = serde_json::json!({
            "error": format!(
                "too many connections: this listener serves at most {} at once (--max-connections)",
                self.max_connections
            )
        })
        .to_string();
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\nretry-after: 1\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}

/// How long a refused connection is given to take its 503 and leave.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// Answers `stream` with the 503 refusal, then closes it once the client has gone (or
/// [`REFUSAL_LINGER`] has passed), so that the client reads the answer rather than a reset.
pub(crate) async fn refuse(mut stream: TcpStream, limits: ConnectionLimits) {
    let answer = limits.refusal();
    let sent = tokio::time::timeout(REFUSAL_LINGER, async {
        stream.write_all(&answer).await?;
        stream.shutdown().await?;
        // Whatever the client sent is read and dropped until it closes.
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), io::Error>(())
    })
    .await;
    if let Ok(Err(e)) = sent {
        tracing::debug!(error = %e, "a refused connection closed early");
    }
}

/// hyper's timer for the head timeout, which it starts whenever it waits for a request head.
/// On a connection's first request the head timeout runs from the start; on a later one the
/// wait is `idle` until the first byte of the next request is read, then the head timeout from
/// that byte.
///
/// hyper asks for a new wait before every request head and drops it once the head is read, so
/// a wait is cheap: it holds its deadline, and the connection's one tokio timer (its [`Alarm`])
/// is moved only when it would ring too late. An alarm that rings early, for a deadline that a
/// later wait pushed back, is set again to the deadline then current; one that rings between
/// heads wakes the connection once for nothing. On a busy kept-alive connection the timer
/// wheel is thus touched about once per head timeout, not twice per request.
#[derive(Clone)]
struct HeadTimer {
    reads: ReadCounter,
    idle: Duration,
    /// The head timeout hyper adds to its clock for each wait (`header_read_timeout`).
    header: Duration,
    conn: Arc<Connection>,
}

/// What the waits of one connection share.
struct Connection {
    /// Whether the connection has not waited for a head yet.
    fresh: AtomicBool,
    /// Set on the first wait that has to wait.
    alarm: Mutex<Option<Alarm>>,
}

/// The connection's tokio timer and the deadline it is set to.
struct Alarm {
    sleep: Pin<Box<tokio::time::Sleep>>,
    at: TokioInstant,
}

impl HeadTimer {
    fn new(reads: &ReadCounter, limits: &ConnectionLimits) -> Self {
        Self {
            reads: reads.clone(),
            idle: limits.idle_timeout,
            header: limits.header_timeout,
            conn: Arc::new(Connection {
                fresh: AtomicBool::new(true),
                alarm: Mutex::new(None),
            }),
        }
    }
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Fixed(Box::pin(tokio::time::sleep(duration))))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let deadline = TokioInstant::from_std(deadline);
        if self.conn.fresh.swap(false, Ordering::AcqRel) {
            return Box::pin(HeadWait {
                conn: self.conn.clone(),
                deadline,
                idle: None,
            });
        }
        // hyper asks for its clock plus the head timeout: that much is allowed once the head
        // begins, and until then the idle timeout from the same instant.
        let began = deadline.checked_sub(self.header).unwrap_or(deadline);
        Box::pin(HeadWait {
            conn: self.conn.clone(),
            deadline: began + self.idle,
            idle: Some(Idle {
                reads: self.reads.clone(),
                seen: self.reads.load(Ordering::Acquire),
                header: self.header,
            }),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        *sleep = self.sleep_until(new_deadline);
    }
}

/// A plain sleep, for hyper's other timers (HTTP/1 uses none today).
struct Fixed(Pin<Box<tokio::time::Sleep>>);

impl Future for Fixed {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for Fixed {}

/// One wait for a request head.
struct HeadWait {
    conn: Arc<Connection>,
    deadline: TokioInstant,
    /// While set, the connection is idle: the first byte read moves the deadline.
    idle: Option<Idle>,
}

struct Idle {
    reads: ReadCounter,
    /// The read count when the wait began.
    seen: u64,
    header: Duration,
}

impl Future for HeadWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let now = TokioInstant::now();
        // hyper polls this each time a read leaves the head incomplete, so the first byte of the
        // next request is noticed here.
        let header = (self.idle.as_ref())
            .filter(|idle| idle.reads.load(Ordering::Acquire) != idle.seen)
            .map(|idle| idle.header);
        if let Some(header) = header {
            self.idle = None;
            self.deadline = now + header;
        }
        if now >= self.deadline {
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        let mut alarm = self.conn.alarm.lock().unwrap_or_else(|e| e.into_inner());
        let alarm = alarm.get_or_insert_with(|| Alarm {
            sleep: Box::pin(tokio::time::sleep_until(deadline)),
            at: deadline,
        });
        if alarm.at > deadline || alarm.sleep.is_elapsed() {
            alarm.sleep.as_mut().reset(deadline);
            alarm.at = deadline;
        }
        match alarm.sleep.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            // Set to this wait's deadline: it has passed.
            Poll::Ready(()) if alarm.at == deadline => Poll::Ready(()),
            // An earlier alarm that rang between the check above and the poll: not this
            // wait's deadline, so it is set to it and waited for.
            Poll::Ready(()) => {
                alarm.sleep.as_mut().reset(deadline);
                alarm.at = deadline;
                alarm.sleep.as_mut().poll(cx)
            }
        }
    }
}

impl hyper::rt::Sleep for HeadWait {}
