//! Checking an answer or a request body against what its operation declares.

use std::fmt;

use serde_json::Value;

use crate::document::{Content, DOCUMENT_URI, Document, Media, Schema, StatusKey, Unlocated};
use crate::pointer;

/// The longest message a violation keeps; a schema error quoting a whole body is cut there.
const MESSAGE_LIMIT: usize = 300;

/// One way an answer or a request departs from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The operation (`POST /v2/users (create-user)`), or the request as sent when the
    /// document has no operation for it.
    pub operation: String,
    /// The answer's status; `None` for a request body.
    pub status: Option<u16>,
    pub kind: ViolationKind,
    /// JSON Pointer into the body (`/data/0/email`); empty for the whole body or none.
    pub instance_path: String,
    /// Where the broken rule is in the document (`#/components/schemas/user/properties/email/format`).
    pub schema_path: String,
    pub message: String,
}

/// What kind of departure a [`Violation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// No path template fits, or the path has no operation for the method.
    UnknownOperation,
    /// The answer's status is not declared (exactly, by range or by `default`).
    UndeclaredStatus,
    /// The content type is missing or is not among those declared.
    UndeclaredContentType,
    /// A JSON content type with a body that does not parse as JSON.
    NotJson,
    /// The body is JSON that its schema refuses.
    Schema,
    /// The declared schema cannot be compiled (see `Document::schema_problems`).
    UnusableSchema,
    /// A required request body is empty.
    MissingBody,
    /// A request body was sent to an operation that declares none.
    UndeclaredBody,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.operation)?;
        match self.status {
            Some(status) => write!(f, "answer {status}")?,
            None => f.write_str("request")?,
        }
        write!(f, ": {}", self.message)?;
        if !self.instance_path.is_empty() {
            write!(f, " at {}", self.instance_path)?;
        }
        if !self.schema_path.is_empty() {
            write!(f, " [{}]", self.schema_path)?;
        }
        Ok(())
    }
}

/// Who a violation is about: the operation and, for an answer, its status.
struct Subject {
    operation: String,
    status: Option<u16>,
}

impl Subject {
    fn violation(&self, kind: ViolationKind, schema_path: String, message: String) -> Violation {
        Violation {
            operation: self.operation.clone(),
            status: self.status,
            kind,
            instance_path: String::new(),
            schema_path,
            message,
        }
    }
}

impl Document {
    /// Checks an answer: the operation exists, the status is declared (exact code, `NXX` range
    /// or `default`), and, when the declared response has content, the content type is declared
    /// and a JSON body is valid against its schema. A response that declares no content accepts
    /// any body. `content_type` is the answer's `Content-Type` header, if any.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<Violation> {
        let spec = match self.locate(method, path) {
            Ok(spec) => spec,
            Err(unlocated) => return vec![unknown(method, path, Some(status), unlocated)],
        };
        let subject = Subject {
            operation: spec.operation.to_string(),
            status: Some(status),
        };
        let Some(content) = select(&spec.responses, status) else {
            let declared: Vec<String> = spec
                .responses
                .iter()
                .map(|(key, _)| key.to_string())
                .collect();
            let message = format!(
                "status {status} is not declared (declared: {})",
                listed(&declared)
            );
            let at = format!("#{}/responses", spec.at);
            return vec![subject.violation(ViolationKind::UndeclaredStatus, at, message)];
        };
        check_body(&subject, content, content_type, body)
    }

    /// Checks a request body against the operation's `requestBody`: an empty body passes when
    /// the body is not `required`; a body sent to an operation that declares none is refused;
    /// otherwise as [`check_response`](Self::check_response) checks content.
    pub fn check_request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<Violation> {
        let spec = match self.locate(method, path) {
            Ok(spec) => spec,
            Err(unlocated) => return vec![unknown(method, path, None, unlocated)],
        };
        let subject = Subject {
            operation: spec.operation.to_string(),
            status: None,
        };
        let at = format!("#{}", spec.at);
        match &spec.request {
            None if body.is_empty() => Vec::new(),
            None => {
                let message = format!(
                    "a body of {} bytes, but no requestBody is declared",
                    body.len()
                );
                vec![subject.violation(ViolationKind::UndeclaredBody, at, message)]
            }
            Some(request) if body.is_empty() && request.required => {
                let message = "the required request body is empty".to_owned();
                let at = format!("#{}", request.content.at);
                vec![subject.violation(ViolationKind::MissingBody, at, message)]
            }
            Some(request) if body.is_empty() => Vec::new(),
            Some(request) => check_body(&subject, &request.content, content_type, body),
        }
    }
}

fn unknown(method: &str, path: &str, status: Option<u16>, unlocated: Unlocated) -> Violation {
    let message = match unlocated {
        Unlocated::NoPath => "no path template of the document fits".to_owned(),
        Unlocated::NoMethod { template, methods } => {
            format!(
                "{template} has no {} operation (it has {})",
                method.to_ascii_uppercase(),
                listed(&methods)
            )
        }
    };
    let subject = Subject {
        operation: format!("{} {path}", method.to_ascii_uppercase()),
        status,
    };
    subject.violation(
        ViolationKind::UnknownOperation,
        "#/paths".to_owned(),
        message,
    )
}

/// The declared response for a status: the exact code, else its range, else `default`.
fn select(responses: &[(StatusKey, Content)], status: u16) -> Option<&Content> {
    let find = |wanted: StatusKey| {
        responses
            .iter()
            .find(|(key, _)| *key == wanted)
            .map(|(_, c)| c)
    };
    find(StatusKey::Exact(status))
        .or_else(|| find(StatusKey::Range(status / 100)))
        .or_else(|| find(StatusKey::Default))
}

fn check_body(
    subject: &Subject,
    content: &Content,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<Violation> {
    if content.media.is_empty() {
        return Vec::new();
    }
    let at = format!("#{}/content", content.at);
    let declared: Vec<&str> = content.media.iter().map(|m| m.range.as_str()).collect();
    let Some(answered) = content_type.map(essence).filter(|e| !e.is_empty()) else {
        let message = format!("no Content-Type (declared: {})", listed(&declared));
        return vec![subject.violation(ViolationKind::UndeclaredContentType, at, message)];
    };
    let Some(media) = find_media(&content.media, &answered) else {
        let message = format!(
            "Content-Type {answered} is not declared (declared: {})",
            listed(&declared)
        );
        return vec![subject.violation(ViolationKind::UndeclaredContentType, at, message)];
    };
    if !is_json(&answered) {
        return Vec::new();
    }
    let instance: Value = match serde_json::from_slice(body) {
        Ok(instance) => instance,
        Err(_) if body.is_empty() => {
            let message = format!("{answered} declared, but the body is empty");
            return vec![subject.violation(ViolationKind::NotJson, at, message)];
        }
        Err(error) => {
            let message = format!("{answered} declared, but the body is not JSON: {error}");
            return vec![subject.violation(ViolationKind::NotJson, at, message)];
        }
    };
    match &media.schema {
        Schema::Absent => Vec::new(),
        Schema::Unusable(problem) => {
            let message = format!("the declared schema cannot be used: {problem}");
            vec![subject.violation(ViolationKind::UnusableSchema, at, message)]
        }
        Schema::Ready(validator) => validator
            .iter_errors(&instance)
            .map(|error| Violation {
                instance_path: error.instance_path().to_string(),
                schema_path: schema_location(&error),
                ..subject.violation(
                    ViolationKind::Schema,
                    String::new(),
                    shorten(error.to_string()),
                )
            })
            .collect(),
    }
}

/// Where in the document the failing keyword is, as `#/pointer`.
fn schema_location(error: &jsonschema::ValidationError<'_>) -> String {
    let prefix = format!("{DOCUMENT_URI}#");
    match error.absolute_keyword_location() {
        Some(uri) => match uri.as_str().strip_prefix(&prefix) {
            Some(fragment) => format!("#{}", pointer::from_fragment(fragment)),
            None => uri.as_str().to_owned(),
        },
        None => error.schema_path().to_string(),
    }
}

/// A media type without parameters, lower case: `application/json; charset=utf-8` is
/// `application/json`.
pub(crate) fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// JSON by its media type: `application/json` or any `+json` type.
fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

/// The declared media range an answered type falls under: exact, then `type/*`, then `*/*`.
fn find_media<'c>(media: &'c [Media], answered: &str) -> Option<&'c Media> {
    let family = answered
        .split('/')
        .next()
        .map(|t| format!("{t}/*"))
        .unwrap_or_default();
    [answered, family.as_str(), "*/*"]
        .iter()
        .find_map(|wanted| media.iter().find(|m| m.range == *wanted))
}

fn listed<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

fn shorten(mut message: String) -> String {
    if message.len() > MESSAGE_LIMIT {
        let mut end = MESSAGE_LIMIT;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}
