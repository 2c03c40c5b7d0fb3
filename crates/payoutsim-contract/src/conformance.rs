//! Every answer a simulator target gives the suite, checked against the provider's OpenAPI
//! document: [`Checked`] is an [`Adapter`] around the real one that, for a request to a
//! provider's base URL (or to the admin API), validates the answer with `payoutsim-openapi` and
//! fails the step, so the scenario, with the violations named when it departs from the document.
//! Malformed requests the suite sends on purpose are checked like any other: their answers must
//! be among the documented error answers.
//!
//! - The documents are the target's own, fetched once per run from
//!   `GET /__admin/providers/{p}/openapi.json` and `GET /__admin/openapi.json` (with the admin
//!   token when the target has one). `PAYOUTSIM_CONTRACT_OPENAPI=<dir>` names a directory of
//!   `<provider>.json` / `<provider>.yaml` (and `admin.json`) to check against instead, for the
//!   providers it holds one for: a document being written, or a drifted one in a test.
//! - Not checked, as in `testkit::Sim`: a 404 or 405 to a path the document has no operation for
//!   (an unknown route cannot be templated), and an answer a fault rule made (a placeholder, a
//!   cut body, an outage's 503): on a violation the journal is asked whether the newest matching
//!   exchange with that status was a fault's, and if it was the answer is let through.
//! - The sandbox target is never checked: the documents describe the simulator.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use futures::future::BoxFuture;
use payoutsim_openapi::{Document, Violation};
use serde_json::Value;

use crate::client::{Adapter, Request, ReqwestAdapter, Response};
use crate::target::Target;

/// The variable naming a directory of documents to check against instead of the target's.
pub const DOCUMENTS_ENV: &str = "PAYOUTSIM_CONTRACT_OPENAPI";

/// The name the admin API's document goes by among the documents.
const ADMIN: &str = "admin";

/// How many of the newest journal entries for a path are searched for a fault's answer.
const JOURNAL_WINDOW: usize = 50;

/// An adapter that checks every answer of the simulator's listeners against their documents.
pub struct Checked {
    inner: Arc<dyn Adapter>,
    /// The admin API's base URL: documents and the journal are read there.
    admin: String,
    admin_token: Option<String>,
    /// Base URL -> document name (`onepay`, …, and `admin`), longest first.
    listeners: Vec<(String, String)>,
}

impl Checked {
    /// `inner`, checking answers from `urls` (provider name -> base URL) and from `admin`.
    pub fn new(
        inner: Arc<dyn Adapter>,
        admin: &str,
        admin_token: Option<&str>,
        urls: &BTreeMap<String, String>,
    ) -> Self {
        let admin = admin.trim_end_matches('/').to_string();
        let mut listeners: Vec<(String, String)> = urls
            .iter()
            .map(|(p, u)| (u.trim_end_matches('/').to_string(), p.clone()))
            .chain([(admin.clone(), ADMIN.to_string())])
            .collect();
        listeners.sort_by_key(|(url, _)| std::cmp::Reverse(url.len()));
        Self {
            inner,
            admin,
            admin_token: admin_token.map(str::to_string),
            listeners,
        }
    }

    /// The document name and path (query left out) of `url`, when it is one of the listeners'.
    fn listener_of(&self, url: &str) -> Option<(&str, String)> {
        self.listeners.iter().find_map(|(base, name)| {
            let rest = url.strip_prefix(base.as_str())?;
            if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
                return None;
            }
            let parsed = reqwest::Url::parse(url).ok()?;
            Some((name.as_str(), parsed.path().to_string()))
        })
    }

    /// The violations of `response` to `request` on the listener `name`, fault-made answers
    /// and unknown routes left out.
    async fn violations(
        &self,
        name: &str,
        path: &str,
        request: &Request,
        response: &Response,
    ) -> Result<Vec<Violation>, String> {
        let document = self.document(name).await?;
        let unknown = document.operation(&request.method, path).is_none();
        if unknown && matches!(response.status, 404 | 405) {
            return Ok(Vec::new());
        }
        let found = document.check_response(
            &request.method,
            path,
            response.status,
            response.header("content-type"),
            &response.body,
        );
        if !found.is_empty()
            && name != ADMIN
            && self.made_by_fault(name, path, request, response).await
        {
            return Ok(Vec::new());
        }
        Ok(found)
    }

    /// Whether the journal's newest exchange of `request`'s method and path with `response`'s
    /// status was answered by a fault rule.
    async fn made_by_fault(
        &self,
        provider: &str,
        path: &str,
        request: &Request,
        response: &Response,
    ) -> bool {
        let query = format!(
            "/__admin/requests?provider={provider}&method={}&path={}&limit={JOURNAL_WINDOW}",
            request.method,
            encode(path)
        );
        let Ok(page) = self.admin_get(&query).await else {
            return false;
        };
        let entries = page["requests"].as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .rev()
            .find(|e| e["status"].as_u64() == Some(u64::from(response.status)))
            .is_some_and(|e| !e["fault"].is_null())
    }

    /// The document `name` of this run: the override directory's, or the target's, fetched once.
    async fn document(&self, name: &str) -> Result<Arc<Document>, String> {
        static LOADED: OnceLock<Mutex<HashMap<String, Arc<Document>>>> = OnceLock::new();
        let loaded = LOADED.get_or_init(Mutex::default);
        let cached = (loaded.lock().unwrap_or_else(PoisonError::into_inner))
            .get(name)
            .cloned();
        if let Some(document) = cached {
            return Ok(document);
        }
        let document = match overridden(name)? {
            Some(document) => document,
            None => {
                let path = match name {
                    ADMIN => "/__admin/openapi.json".to_string(),
                    p => format!("/__admin/providers/{p}/openapi.json"),
                };
                let json = self.admin_get(&path).await?;
                Document::from_json(json).map_err(|e| format!("{path} does not load: {e}"))?
            }
        };
        let document = Arc::new(document);
        (loaded.lock().unwrap_or_else(PoisonError::into_inner))
            .entry(name.to_string())
            .or_insert_with(|| Arc::clone(&document));
        Ok(document)
    }

    /// `GET {admin}{path}` through the inner adapter, as JSON; an error unless it is a 200.
    async fn admin_get(&self, path: &str) -> Result<Value, String> {
        let mut request = Request::json_api("GET", format!("{}{path}", self.admin));
        if let Some(token) = &self.admin_token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = self.inner.send(request).await?;
        if response.status != 200 {
            return Err(format!("GET {path} answered {response:?}"));
        }
        serde_json::from_slice(&response.body).map_err(|e| format!("GET {path}: {e}"))
    }
}

impl Adapter for Checked {
    /// Sends `request`; when the answer departs from its document, fails the step (a panic, as
    /// a failed assertion does) naming each violation. A transport error is returned as it is.
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            let listener = self.listener_of(&request.url);
            let response = self.inner.send(request.clone()).await?;
            let Some((name, path)) = listener else {
                return Ok(response);
            };
            match self.violations(name, &path, &request, &response).await {
                Ok(found) if found.is_empty() => Ok(response),
                Ok(found) => panic!("{}", report(name, &request, &response, &found)),
                Err(e) => panic!(
                    "the answer to {} {} could not be checked against {name}'s OpenAPI \
                     document: {e}",
                    request.method, request.url
                ),
            }
        })
    }
}

/// The built-in client; on a simulator target, with every answer of its listeners checked
/// against their OpenAPI documents ([`Checked`]).
pub fn client(
    target: &Target,
    urls: &BTreeMap<String, String>,
    admin: Option<&str>,
) -> Arc<dyn Adapter> {
    let client: Arc<dyn Adapter> = Arc::new(ReqwestAdapter::new());
    match admin {
        Some(admin) if target.is_simulator() => {
            Arc::new(Checked::new(client, admin, target.admin_token(), urls))
        }
        _ => client,
    }
}

/// The failure message: the exchange and each violation on a line.
fn report(name: &str, request: &Request, response: &Response, found: &[Violation]) -> String {
    let body: String = response.text().chars().take(300).collect();
    let lines: Vec<String> = found.iter().map(|v| format!("  - {v}")).collect();
    format!(
        "the answer to {} {} departs from {name}'s OpenAPI document ({} violation{}):\n{}\n  \
         answer: HTTP {} {body}",
        request.method,
        request.url,
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        lines.join("\n"),
        response.status,
    )
}

/// The document `name` from the [`DOCUMENTS_ENV`] directory, when it names one holding it.
fn overridden(name: &str) -> Result<Option<Document>, String> {
    let Some(dir) = std::env::var_os(DOCUMENTS_ENV).map(PathBuf::from) else {
        return Ok(None);
    };
    let json = dir.join(format!("{name}.json"));
    let yaml = dir.join(format!("{name}.yaml"));
    let loaded = if json.is_file() {
        let text = std::fs::read(&json).map_err(|e| format!("{}: {e}", json.display()))?;
        let value =
            serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", json.display()))?;
        Document::from_json(value).map_err(|e| format!("{}: {e}", json.display()))?
    } else if yaml.is_file() {
        Document::from_yaml_file(&yaml).map_err(|e| format!("{}: {e}", yaml.display()))?
    } else {
        return Ok(None);
    };
    Ok(Some(loaded))
}

/// `text` percent-encoded for a query value.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
