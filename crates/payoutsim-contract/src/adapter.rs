//! The suite's side of the client adapter protocol (`docs/adapter-protocol.md`): a team's own
//! client, in any language, behind a process that speaks JSON lines on stdin/stdout.
//!
//! [`AdapterProcess::start`] runs the command (through `sh -c`, so `python3 my_adapter.py`
//! works as typed), reads its `hello`, and then [`AdapterProcess::configure`],
//! [`AdapterProcess::perform`], [`AdapterProcess::reset`] and [`AdapterProcess::shutdown`]
//! exchange one message each way, matched by id. While an operation runs the adapter may ask the
//! suite to wait for it (`sleep`); [`perform`](AdapterProcess::perform) hands that to a
//! [`Sleeper`] (the suite advances the simulated clock) and answers `slept`.
//!
//! Everything the adapter does wrong is an [`AdapterError`] naming what it did, with the last
//! 64 KiB of its stderr: a run never hangs on an adapter (each answer has a wall-clock limit)
//! and never panics on its output.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The protocol's major version this suite speaks.
pub const PROTOCOL: u64 = 1;

/// How long the adapter has to say `hello` after it starts.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest line the suite reads from an adapter.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Bytes of the adapter's stderr kept to show beside a failure.
const STDERR_TAIL_BYTES: usize = 64 * 1024;

/// How the adapter's client waits (`hello.sleep`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepMode {
    /// Through `sleep` messages: the suite drives the simulated clock.
    Suite,
    /// In real time: the suite measures wall time instead.
    Wall,
}

/// What the adapter said of itself.
#[derive(Clone, Debug)]
pub struct Hello {
    pub name: String,
    pub version: String,
    /// Per provider, the operations it supports.
    pub operations: BTreeMap<String, BTreeSet<String>>,
    pub sleep: SleepMode,
}

/// The error taxonomy of the protocol: what the client's code concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Rejected,
    Timeout,
    Connection,
    Unknown,
    Unsupported,
}

impl ErrorKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rejected" => Self::Rejected,
            "timeout" => Self::Timeout,
            "connection" => Self::Connection,
            "unknown" => Self::Unknown,
            "unsupported" => Self::Unsupported,
            _ => return None,
        })
    }
}

/// An operation that did not succeed, as the adapter reported it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientError {
    pub kind: ErrorKind,
    /// The provider's HTTP status (`rejected` only).
    pub status: Option<u16>,
    /// The provider's own error code, if it has one.
    pub code: Option<Value>,
    pub message: String,
}

/// The answer to one operation.
pub type Outcome = Result<Value, ClientError>;

/// Waits `seconds` on the adapter's behalf and returns the simulated time after it (RFC 3339).
pub type Sleeper<'a> = &'a mut (dyn FnMut(f64) -> BoxFuture<'static, String> + Send);

/// The adapter broke the protocol or could not be run.
#[derive(Debug)]
pub struct AdapterError {
    pub what: String,
    /// The end of its stderr, when it wrote any.
    pub stderr: String,
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client adapter: {}", self.what)?;
        if !self.stderr.is_empty() {
            write!(f, "\n--- its stderr (end) ---\n{}", self.stderr)?;
        }
        Ok(())
    }
}

impl std::error::Error for AdapterError {}

/// A running adapter process.
pub struct AdapterProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// The task copying its stderr; it ends when the adapter closes stderr (exits).
    drain: Option<tokio::task::JoinHandle<()>>,
    hello: Hello,
    next_id: u64,
    /// Wall time one answer may take.
    answer_timeout: Duration,
}

impl AdapterProcess {
    /// Runs `command` with `sh -c` and reads its `hello` (within [`HELLO_TIMEOUT`]).
    pub async fn start(command: &str) -> Result<Self, AdapterError> {
        Self::start_within(command, HELLO_TIMEOUT).await
    }

    /// [`AdapterProcess::start`], with `hello_timeout` for its hello.
    pub async fn start_within(
        command: &str,
        hello_timeout: Duration,
    ) -> Result<Self, AdapterError> {
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = spawned.map_err(|e| AdapterError {
            what: format!("`{command}` could not be started: {e}"),
            stderr: String::new(),
        })?;
        let (Some(stdin), Some(stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(AdapterError {
                what: "its standard streams could not be opened".into(),
                stderr: String::new(),
            });
        };
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr);
        let drain = tokio::spawn(async move {
            let mut buf = [0u8; 8192];
            while let Ok(n @ 1..) = err.read(&mut buf).await {
                let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
                t.extend(&buf[..n]);
                let over = t.len().saturating_sub(STDERR_TAIL_BYTES);
                t.drain(..over);
            }
        });
        let mut process = Self {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr,
            drain: Some(drain),
            hello: Hello {
                name: String::new(),
                version: String::new(),
                operations: BTreeMap::new(),
                sleep: SleepMode::Wall,
            },
            next_id: 0,
            answer_timeout: Duration::from_secs(60),
        };
        let first = process.read(hello_timeout, "its hello").await?;
        process.hello = process.parse_hello(&first)?;
        Ok(process)
    }

    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    /// Whether the adapter listed `op` for `provider`.
    pub fn supports(&self, provider: &str, op: &str) -> bool {
        (self.hello.operations.get(provider)).is_some_and(|ops| ops.contains(op))
    }

    /// Tells the adapter where `provider` is and who the client is; `timeout_s` is the client's
    /// request timeout, and six times it bounds each answer.
    pub async fn configure(
        &mut self,
        provider: &str,
        base_url: &str,
        credentials: Value,
        webhook_secret: Option<&str>,
        timeout_s: f64,
    ) -> Result<(), AdapterError> {
        self.answer_timeout = Duration::from_secs_f64((timeout_s * 6.0).clamp(1.0, 3600.0));
        let mut message = json!({"type": "configure", "provider": provider,
            "base_url": base_url, "credentials": credentials, "timeout_s": timeout_s});
        if let Some(secret) = webhook_secret {
            message["webhook"] = json!({"secret": secret});
        }
        self.expect_empty(message, "configure").await
    }

    /// Between scenarios: the adapter's client forgets what it remembered.
    pub async fn reset(&mut self) -> Result<(), AdapterError> {
        self.expect_empty(json!({"type": "reset"}), "reset").await
    }

    /// Performs `op` for `provider`, waiting through `sleeper` when the adapter asks to.
    pub async fn perform(
        &mut self,
        provider: &str,
        op: &str,
        params: Value,
        sleeper: Sleeper<'_>,
    ) -> Result<Outcome, AdapterError> {
        let id = self
            .send(json!({"type": "request", "provider": provider, "op": op,
            "params": params}))
            .await?;
        loop {
            let message = self.read(self.answer_timeout, op).await?;
            match message["type"].as_str() {
                Some("sleep") => {
                    let seconds = message["seconds"]
                        .as_f64()
                        .filter(|s| (0.0..=86_400.0).contains(s));
                    let (Some(sleep_id), Some(seconds)) = (message["id"].as_str(), seconds) else {
                        return Err(self.broke(format!(
                            "a sleep without an id or 0..86400 seconds: {message}"
                        )));
                    };
                    let sleep_id = sleep_id.to_string();
                    let at = sleeper(seconds).await;
                    self.write(&json!({"type": "slept", "id": sleep_id, "at": at}))
                        .await?;
                }
                _ => return self.answer(&id, &message),
            }
        }
    }

    /// Asks the adapter to exit; kills it if it has not within 10 s.
    pub async fn shutdown(mut self) {
        self.shutdown_in_place().await;
    }

    /// [`shutdown`](Self::shutdown) for an adapter shared behind a lock: asks it to exit and
    /// kills it if it has not within 10 s (its stdin closes when the process value is dropped).
    pub async fn shutdown_in_place(&mut self) {
        let _ = self.write(&json!({"type": "shutdown"})).await;
        let waited = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        if waited.is_err() {
            let _ = self.child.kill().await;
        }
    }

    fn parse_hello(&self, m: &Value) -> Result<Hello, AdapterError> {
        if m["type"] != "hello" {
            return Err(self.broke(format!("its first line is not a hello: {m}")));
        }
        if m["protocol"] != PROTOCOL {
            return Err(self.broke(format!(
                "it speaks protocol {}, this suite speaks {PROTOCOL}",
                m["protocol"]
            )));
        }
        let mut operations = BTreeMap::new();
        for (provider, ops) in m["operations"].as_object().into_iter().flatten() {
            let Some(ops) = ops.as_array() else {
                return Err(self.broke(format!("hello.operations.{provider} is not a list")));
            };
            let names = ops
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            operations.insert(provider.clone(), names);
        }
        let sleep = match m["sleep"].as_str() {
            Some("suite") => SleepMode::Suite,
            None | Some("wall") => SleepMode::Wall,
            Some(other) => {
                return Err(self.broke(format!("hello.sleep {other:?} is neither suite nor wall")));
            }
        };
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Ok(Hello {
            name: text(&m["adapter"]["name"]),
            version: text(&m["adapter"]["version"]),
            operations,
            sleep,
        })
    }

    fn answer(&self, id: &str, m: &Value) -> Result<Outcome, AdapterError> {
        if m["id"] != id {
            return Err(self.broke(format!(
                "an answer to {} while {id} was asked: {m}",
                m["id"]
            )));
        }
        match m["type"].as_str() {
            Some("result") if m["result"].is_object() => Ok(Ok(m["result"].clone())),
            Some("error") => {
                let e = &m["error"];
                let Some(kind) = e["kind"].as_str().and_then(ErrorKind::parse) else {
                    return Err(self.broke(format!("an error of no known kind: {m}")));
                };
                let status = e["status"].as_u64().and_then(|s| u16::try_from(s).ok());
                if kind == ErrorKind::Rejected && status.is_none() {
                    return Err(
                        self.broke(format!("a rejected error without its HTTP status: {m}"))
                    );
                }
                let code = Some(e["code"].clone()).filter(|c| !c.is_null());
                let message = e["message"].as_str().unwrap_or_default().to_string();
                Ok(Err(ClientError {
                    kind,
                    status,
                    code,
                    message,
                }))
            }
            _ => Err(self.broke(format!("neither a result nor an error: {m}"))),
        }
    }

    async fn expect_empty(&mut self, message: Value, what: &str) -> Result<(), AdapterError> {
        let id = self.send(message).await?;
        let answer = self.read(self.answer_timeout, what).await?;
        match self.answer(&id, &answer)? {
            Ok(_) => Ok(()),
            Err(e) => Err(self.broke(format!("{what} failed: {:?} {}", e.kind, e.message))),
        }
    }

    async fn send(&mut self, mut message: Value) -> Result<String, AdapterError> {
        self.next_id += 1;
        let id = format!("s{}", self.next_id);
        message["id"] = json!(id);
        self.write(&message).await?;
        Ok(id)
    }

    async fn write(&mut self, message: &Value) -> Result<(), AdapterError> {
        let mut line = message.to_string();
        line.push('\n');
        let written = async {
            self.stdin.write_all(line.as_bytes()).await?;
            self.stdin.flush().await
        };
        match written.await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.broke(format!("its stdin is closed ({e}): it has exited"))),
        }
    }

    /// The next non-blank line, as a JSON object, within `limit`.
    async fn read(&mut self, limit: Duration, waiting_for: &str) -> Result<Value, AdapterError> {
        let mut line = Vec::new();
        loop {
            line.clear();
            let mut taken = (&mut self.stdout).take(MAX_LINE_BYTES as u64 + 1);
            let read = tokio::time::timeout(limit, taken.read_until(b'\n', &mut line)).await;
            match read {
                Err(_) => {
                    return Err(self.broke(format!("no answer to {waiting_for} within {limit:?}")));
                }
                Ok(Err(e)) => return Err(self.broke(format!("its stdout failed: {e}"))),
                Ok(Ok(0)) => {
                    // It closed stdout, so it is exiting: let its last words reach the tail.
                    if let Some(drain) = self.drain.take() {
                        let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
                    }
                    return Err(self.broke(format!("it exited before answering {waiting_for}")));
                }
                Ok(Ok(_)) if line.len() > MAX_LINE_BYTES => {
                    return Err(self.broke(format!("a line over {MAX_LINE_BYTES} bytes")));
                }
                Ok(Ok(_)) if line.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Ok(_)) => {}
            }
            return match serde_json::from_slice::<Value>(&line) {
                Ok(v) if v.is_object() => Ok(v),
                _ => Err(self.broke(format!(
                    "a line that is not a JSON object: {}",
                    String::from_utf8_lossy(&line[..line.len().min(200)]).trim_end()
                ))),
            };
        }
    }

    fn broke(&self, what: String) -> AdapterError {
        let tail = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        let bytes: Vec<u8> = tail.iter().copied().collect();
        AdapterError {
            what,
            stderr: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}
