//! Checks HTTP answers and request bodies against an OpenAPI 3.1 document, with the `jsonschema`
//! crate as the validator, and records which operations a test exercised ([`Coverage`]).
//!
//! ```
//! use payoutsim_openapi::{Document, ViolationKind};
//!
//! let document = Document::from_yaml_str(r#"
//! openapi: 3.1.0
//! info: {title: pets, version: "1"}
//! servers: [{url: "https://pets.example/api"}]
//! paths:
//!   /pets/{id}:
//!     get:
//!       operationId: get-pet
//!       responses:
//!         200:
//!           description: OK
//!           content:
//!             application/json:
//!               schema: {type: object, required: [name], properties: {name: {type: string}}}
//! "#)?;
//! assert_eq!(document.base_path(), "/api");
//! let ok = document.check_response("GET", "/api/pets/7", 200, Some("application/json"), br#"{"name":"Rex"}"#);
//! assert!(ok.is_empty());
//! let bad = document.check_response("GET", "/api/pets/7", 200, Some("application/json"), b"{}");
//! assert_eq!(bad[0].kind, ViolationKind::Schema);
//! # Ok::<(), payoutsim_openapi::LoadError>(())
//! ```
//!
//! How the document is read:
//!
//! - The whole document is registered with the validator as one resource, and each declared
//!   schema is compiled as a reference into it, so `$ref`s into `#/components/...` resolve as the
//!   document wrote them. Schemas are JSON Schema 2020-12 (the dialect of OpenAPI 3.1; its extra
//!   keywords such as `discriminator` and `example` are annotations), with format validation on
//!   (`date-time`, `date`, `uuid`, `email`, `uri`, ...); unknown formats pass.
//! - Before that, three common spellings are given their intended meaning (see `normalise.rs`):
//!   3.0's `nullable: true` ("or null"), a YAML null in a `type` list (the type `"null"`), and in
//!   3.0 documents boolean `exclusiveMinimum`/`exclusiveMaximum`.
//! - Responses and request bodies may be `$ref`s to `#/components/...`; external references are
//!   refused at load. Status keys may be codes, `NXX` ranges or `default`, quoted or not.
//! - A body is validated when its content type is JSON (`application/json`, `+json`) and falls
//!   under a declared media range (exact, `type/*`, `*/*`) with a schema. Other media types are
//!   checked for being declared only. A response declaring no content accepts any body.
//! - Parameters (path, query, header) are not checked.

mod check;
mod coverage;
mod document;
mod error;
mod normalise;
mod pointer;
mod shared;
mod template;
mod yaml;

use std::path::{Path, PathBuf};

pub use check::{Violation, ViolationKind};
pub use coverage::{Coverage, Gap};
pub use document::{Document, Operation, SchemaProblem};
pub use error::LoadError;
pub use shared::{SHARED_ENV, announce_provider_spec};

/// The absolute path of `provider-specs/<name>` among the shared documents: in the directory
/// named by `PAYOUTSIM_SHARED` (read now), else in `shared/` beside this workspace's root. The
/// build script makes the same lookup for `cfg(dots_spec)`. `None` when it is in neither, or
/// when `name` is not a plain file name.
pub fn shared_spec_path(name: &str) -> Option<PathBuf> {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap_or(Path::new("."));
    shared::find_provider_spec(name, std::env::var_os(SHARED_ENV), workspace_root)
}
