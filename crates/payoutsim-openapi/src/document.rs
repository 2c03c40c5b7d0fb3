//! Loading a document: its operations, their declared responses and request bodies, and one
//! compiled validator per declared schema.

use std::fmt;
use std::path::Path;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

use crate::LoadError;
use crate::normalise::normalise;
use crate::pointer;
use crate::template::{Rank, Template};

/// The URI the whole document is registered under, so that `$ref`s into `#/components/...`
/// resolve against it. It names nothing outside this process.
pub(crate) const DOCUMENT_URI: &str = "urn:payoutsim:openapi-document";

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// How many `$ref`s in a row a response or request body may take before it is called a loop.
const MAX_HOPS: usize = 32;

/// An OpenAPI 3.1 (or 3.0) document, ready to check answers and requests against.
///
/// Schemas are validated as JSON Schema 2020-12 with format validation on (`date-time`,
/// `date`, `uuid`, `email`, `uri`, ...); unknown formats are ignored. See [`crate`] for what is
/// normalised first.
pub struct Document {
    base_path: String,
    paths: Vec<PathItem>,
    problems: Vec<SchemaProblem>,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("base_path", &self.base_path)
            .field("operations", &self.operations().count())
            .field("schema_problems", &self.problems.len())
            .finish()
    }
}

/// One operation of the document: a method on a path template.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operation {
    /// Upper case: `GET`, `POST`.
    pub method: String,
    /// As the document spells it: `/v2/users/{user_id}`.
    pub template: String,
    /// `operationId`, when the operation has one (it need not be unique in a sloppy document).
    pub operation_id: Option<String>,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.template)?;
        if let Some(id) = &self.operation_id {
            write!(f, " ({id})")?;
        }
        Ok(())
    }
}

/// A schema of the document that the validator cannot use; checks that need it report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// JSON Pointer of the schema in the document.
    pub location: String,
    pub message: String,
}

struct PathItem {
    template: Template,
    operations: Vec<OperationSpec>,
}

pub(crate) struct OperationSpec {
    pub(crate) operation: Operation,
    /// JSON Pointer of the operation in the document.
    pub(crate) at: String,
    pub(crate) responses: Vec<(StatusKey, Content)>,
    pub(crate) request: Option<RequestBody>,
}

/// The key of a declared response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusKey {
    Exact(u16),
    /// `2XX`: the hundreds digit.
    Range(u16),
    Default,
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(code) => write!(f, "{code}"),
            Self::Range(digit) => write!(f, "{digit}XX"),
            Self::Default => f.write_str("default"),
        }
    }
}

/// The media types a response or request body declares; empty when it declares no content.
pub(crate) struct Content {
    /// JSON Pointer of the response or request body in the document.
    pub(crate) at: String,
    pub(crate) media: Vec<Media>,
}

pub(crate) struct Media {
    /// Lower case, without parameters: `application/json`, `text/*`, `*/*`.
    pub(crate) range: String,
    pub(crate) schema: Schema,
}

pub(crate) enum Schema {
    Absent,
    Ready(Box<Validator>),
    Unusable(String),
}

pub(crate) struct RequestBody {
    pub(crate) required: bool,
    pub(crate) content: Content,
}

/// Why no operation was found for a request.
pub(crate) enum Unlocated {
    NoPath,
    NoMethod {
        template: String,
        methods: Vec<String>,
    },
}

impl Document {
    /// A document written in YAML (or JSON, which is YAML).
    pub fn from_yaml_str(text: &str) -> Result<Self, LoadError> {
        Self::from_json(crate::yaml::parse(text)?)
    }

    /// A document read from a YAML or JSON file.
    pub fn from_yaml_file(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_yaml_str(&text)
    }

    /// A document already parsed into JSON.
    pub fn from_json(mut document: Value) -> Result<Self, LoadError> {
        let version = document
            .get("openapi")
            .and_then(Value::as_str)
            .ok_or_else(|| LoadError::NotOpenApi("no `openapi` version string".into()))?;
        let openapi_30 = version.starts_with("3.0.");
        if !openapi_30 && !version.starts_with("3.1.") {
            return Err(LoadError::NotOpenApi(format!("version {version:?}")));
        }
        normalise(&mut document, openapi_30);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, &document)
            .and_then(|builder| builder.prepare())
            .map_err(|e| LoadError::Registry(e.to_string()))?;
        let mut loader = Loader {
            document: &document,
            registry: &registry,
            problems: Vec::new(),
        };
        let paths = loader.paths()?;
        let problems = loader.problems;
        Ok(Self {
            base_path: base_path(&document),
            paths,
            problems,
        })
    }

    /// The path of `servers[0].url` (server variables at their defaults), without a trailing
    /// slash: `/api` for `https://api.dots.dev/api`, empty when there is none.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Every operation, in the order of the document's paths (sorted) and methods.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.paths
            .iter()
            .flat_map(|item| item.operations.iter().map(|spec| &spec.operation))
    }

    /// The operation a request goes to. `path` is as sent: a query or fragment is dropped, the
    /// base path is stripped when present (as are a scheme and host), and the templates are
    /// matched segment by segment, a literal segment winning over a parameter. `method` is any
    /// case.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        self.locate(method, path).ok().map(|spec| &spec.operation)
    }

    /// Schemas the validator could not compile, with where they are.
    pub fn schema_problems(&self) -> &[SchemaProblem] {
        &self.problems
    }

    pub(crate) fn locate(&self, method: &str, path: &str) -> Result<&OperationSpec, Unlocated> {
        let path = self.route_path(path);
        let mut best: Option<(Rank, &PathItem)> = None;
        for item in &self.paths {
            if let Some(rank) = item.template.rank(path)
                && best.as_ref().is_none_or(|(top, _)| rank > *top)
            {
                best = Some((rank, item));
            }
        }
        let (_, item) = best.ok_or(Unlocated::NoPath)?;
        let method = method.to_ascii_uppercase();
        item.operations
            .iter()
            .find(|spec| spec.operation.method == method)
            .ok_or_else(|| Unlocated::NoMethod {
                template: item
                    .operations
                    .first()
                    .map(|spec| spec.operation.template.clone())
                    .unwrap_or_default(),
                methods: item
                    .operations
                    .iter()
                    .map(|s| s.operation.method.clone())
                    .collect(),
            })
    }

    /// The part of a request's path that the document's templates describe.
    fn route_path<'p>(&self, path: &'p str) -> &'p str {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let path = match path.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
            None => path,
        };
        match path.strip_prefix(self.base_path.as_str()) {
            Some(rest) if !self.base_path.is_empty() && rest.starts_with('/') => rest,
            Some("") if !self.base_path.is_empty() => "/",
            _ => path,
        }
    }
}

/// `servers[0].url`'s path, variables at their defaults.
fn base_path(document: &Value) -> String {
    let Some(server) = document.pointer("/servers/0") else {
        return String::new();
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if let Some(Value::Object(variables)) = server.get("variables") {
        for (name, variable) in variables {
            if let Some(default) = variable.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
        None => url,
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() || path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

struct Loader<'d> {
    document: &'d Value,
    registry: &'d Registry<'d>,
    problems: Vec<SchemaProblem>,
}

impl<'d> Loader<'d> {
    fn paths(&mut self) -> Result<Vec<PathItem>, LoadError> {
        let paths = match self.document.get("paths") {
            None => return Ok(Vec::new()),
            Some(Value::Object(paths)) => paths,
            Some(_) => return Err(malformed("/paths", "not an object")),
        };
        let mut items = Vec::with_capacity(paths.len());
        for (template, item) in paths {
            let at = format!("/paths/{}", pointer::escape(template));
            let (item, at) = self.resolve(item, at)?;
            let Value::Object(item) = item else {
                return Err(malformed(&at, "a path item that is not an object"));
            };
            let mut operations = Vec::new();
            for method in METHODS {
                if let Some(operation) = item.get(*method) {
                    let at = format!("{at}/{method}");
                    operations.push(self.operation(template, method, operation, &at)?);
                }
            }
            items.push(PathItem {
                template: Template::parse(template),
                operations,
            });
        }
        Ok(items)
    }

    fn operation(
        &mut self,
        template: &str,
        method: &str,
        operation: &'d Value,
        at: &str,
    ) -> Result<OperationSpec, LoadError> {
        let Value::Object(fields) = operation else {
            return Err(malformed(at, "an operation that is not an object"));
        };
        let mut responses = Vec::new();
        if let Some(declared) = fields.get("responses") {
            let Value::Object(declared) = declared else {
                return Err(malformed(&format!("{at}/responses"), "not an object"));
            };
            for (key, response) in declared {
                let Some(status) = status_key(key) else {
                    // `x-` extensions and misspelt keys declare no status.
                    continue;
                };
                let at = format!("{at}/responses/{}", pointer::escape(key));
                let (response, at) = self.resolve(response, at)?;
                responses.push((status, self.content(response, &at)?));
            }
        }
        let request = match fields.get("requestBody") {
            None => None,
            Some(body) => {
                let (body, at) = self.resolve(body, format!("{at}/requestBody"))?;
                Some(RequestBody {
                    required: body
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    content: self.content(body, &at)?,
                })
            }
        };
        Ok(OperationSpec {
            at: at.to_owned(),
            operation: Operation {
                method: method.to_ascii_uppercase(),
                template: template.to_owned(),
                operation_id: fields
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            responses,
            request,
        })
    }

    /// The `content` of a response or request body.
    fn content(&mut self, holder: &Value, at: &str) -> Result<Content, LoadError> {
        let media = match holder.get("content") {
            None => {
                return Ok(Content {
                    at: at.to_owned(),
                    media: Vec::new(),
                });
            }
            Some(Value::Object(media)) => media,
            Some(_) => return Err(malformed(&format!("{at}/content"), "not an object")),
        };
        let media = media
            .iter()
            .map(|(range, object)| {
                let schema = if object.get("schema").is_some() {
                    let at = format!("{at}/content/{}/schema", pointer::escape(range));
                    self.compile(at)
                } else {
                    Schema::Absent
                };
                Media {
                    range: crate::check::essence(range),
                    schema,
                }
            })
            .collect();
        Ok(Content {
            at: at.to_owned(),
            media,
        })
    }

    fn compile(&mut self, at: String) -> Schema {
        let reference = json!({"$ref": format!("{DOCUMENT_URI}#{}", pointer::to_fragment(&at))});
        let built = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .offline()
            .with_registry(self.registry)
            .build(&reference);
        match built {
            Ok(validator) => Schema::Ready(Box::new(validator)),
            Err(error) => {
                let message = error.to_string();
                self.problems.push(SchemaProblem {
                    location: at,
                    message: message.clone(),
                });
                Schema::Unusable(message)
            }
        }
    }

    /// Follows local `$ref`s of OpenAPI objects (responses, request bodies, path items).
    fn resolve(
        &self,
        mut value: &'d Value,
        mut at: String,
    ) -> Result<(&'d Value, String), LoadError> {
        for _ in 0..MAX_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((value, at));
            };
            let Some(target) = reference.strip_prefix('#') else {
                return Err(malformed(
                    &at,
                    &format!("external reference {reference:?} is not read"),
                ));
            };
            let target = pointer::from_fragment(target);
            value = self
                .document
                .pointer(&target)
                .ok_or_else(|| malformed(&at, &format!("{reference:?} points at nothing")))?;
            at = target;
        }
        Err(malformed(&at, "a loop of references"))
    }
}

fn status_key(key: &str) -> Option<StatusKey> {
    if key == "default" {
        return Some(StatusKey::Default);
    }
    let bytes = key.as_bytes();
    if bytes.len() != 3 || !(b'1'..=b'5').contains(&bytes[0]) {
        return None;
    }
    if bytes[1..].eq_ignore_ascii_case(b"XX") {
        return Some(StatusKey::Range(u16::from(bytes[0] - b'0')));
    }
    key.parse().ok().map(StatusKey::Exact)
}

fn malformed(at: &str, what: &str) -> LoadError {
    LoadError::Malformed {
        at: at.to_owned(),
        what: what.to_owned(),
    }
}
