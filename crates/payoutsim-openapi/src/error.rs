//! Why a document could not be loaded.

use std::path::PathBuf;

/// A document that cannot be used at all. Problems confined to one schema do not stop the load:
/// they are listed by [`Document::schema_problems`](crate::Document::schema_problems) and
/// reported as violations by the checks that need that schema.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The text is not YAML (JSON is YAML too).
    #[error("not YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// A YAML value JSON cannot hold (a float that is not finite, a mapping as a key).
    #[error("not representable as JSON at {at}: {what}")]
    NotJson { at: String, what: String },
    /// The document is not an object with an `openapi` version this crate reads (3.0.x, 3.1.x).
    #[error("not an OpenAPI 3.0/3.1 document: {0}")]
    NotOpenApi(String),
    /// A field of the document has the wrong shape (`paths` not an object, a `$ref` that goes
    /// nowhere, ...).
    #[error("malformed document at {at}: {what}")]
    Malformed { at: String, what: String },
    /// The JSON-Schema validator refused the document as a resource.
    #[error("the document cannot be registered as a schema resource: {0}")]
    Registry(String),
}
