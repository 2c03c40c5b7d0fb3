//! The transport: how the wire-contract steps' requests reach the provider.
//!
//! An [`Adapter`] sends one HTTP exchange and returns what came back, nothing more: no retries,
//! no auth, no JSON handling (the steps do that).
//!
//! - [`Request`] and [`Response`]: one exchange, as the steps build it
//!   (`Request::json_api(method, url).header(..).json_body(..)`) and read it.
//! - [`ReqwestAdapter`]: the reqwest transport, also under the built-in client (`builtin.rs`).
//!
//! A team's own client is not a transport: it runs the `@client` scenarios' operations behind
//! an adapter process (`adapter.rs`, `client_under_test.rs`, `docs/adapter-protocol.md`).

use std::collections::BTreeMap;
use std::fmt;

use futures::future::BoxFuture;
use serde_json::Value;

/// One request, as the steps build it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub url: String,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Request {
    /// `method url` asking for JSON (`accept: application/json`), with no body yet.
    pub fn json_api(method: &str, url: String) -> Self {
        let accept = ("accept".to_string(), "application/json".to_string());
        Self {
            method: method.to_string(),
            url,
            headers: vec![accept],
            body: None,
        }
    }

    /// Adds the header `name` (lower-cased) with `value`.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Adds each of `headers`, in order.
    pub fn headers<'a>(self, headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        headers.into_iter().fold(self, |r, (k, v)| r.header(k, v))
    }

    /// Sets the body, if any, with a JSON content type unless the headers already name one (a
    /// step may send a body the provider must refuse for its type).
    pub fn json_body(mut self, body: Option<Vec<u8>>) -> Self {
        let typed = self.headers.iter().any(|(k, _)| k == "content-type");
        if body.is_some() && !typed {
            self = self.header("content-type", "application/json");
        }
        self.body = body;
        self
    }
}

/// One response, as the adapter received it.
#[derive(Clone)]
pub struct Response {
    pub status: u16,
    /// Header names lower-case; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON, or `Value::Null` when it is empty or not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}", self.status, self.text())
    }
}

/// Sends a request and returns the provider's answer (any status is an answer; only a transport
/// failure is an error).
pub trait Adapter: Send + Sync {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Response, String>>;
}

/// The built-in adapter: reqwest (plain HTTP to the simulator, rustls for a provider's sandbox).
pub struct ReqwestAdapter {
    http: reqwest::Client,
}

impl ReqwestAdapter {
    /// Requests time out after 30 s.
    pub fn new() -> Self {
        Self::with_timeout(std::time::Duration::from_secs(30))
    }

    /// Requests time out after `timeout`.
    pub fn with_timeout(timeout: std::time::Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        Self { http }
    }
}

impl Adapter for ReqwestAdapter {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|e| format!("bad method {}: {e}", request.method))?;
            let mut builder = self.http.request(method, &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = request.body {
                builder = builder.body(body);
            }
            let response = builder
                .send()
                .await
                .map_err(|e| format!("{} {}: {}", request.method, request.url, chain(&e)))?;
            let status = response.status().as_u16();
            let headers = header_map(response.headers());
            let body = response.bytes().await.map_err(|e| chain(&e))?.to_vec();
            Ok(Response {
                status,
                headers,
                body,
            })
        })
    }
}

/// `headers` by lower-case name, a repeated header's values joined with `, ` (an HTTP
/// `HeaderMap`, as reqwest and axum both hand it over).
pub fn header_map(headers: &reqwest::header::HeaderMap) -> BTreeMap<String, String> {
    let mut map = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.as_str().to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

/// An error with its sources (`error sending request: … : connection reset by peer`), so a step
/// can tell a reset from a timeout or a cut body.
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
