//! The engine's own error type, on the ground floor: the admin API, the provider kit and the
//! [`crate::Provider`] trait all answer with it, so none of them imports another for it.
//!
//! - [`AdminError`]: a status and a message, rendered `{"error": "..."}`
//! - [`AdminJson`], [`AdminQuery`]: `Json` and `Query` whose rejections are admin errors

use axum::extract::FromRequest;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An admin error: `{"error": "..."}` with its status.
#[derive(Debug)]
pub struct AdminError(pub StatusCode, pub String);

impl AdminError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self(StatusCode::BAD_REQUEST, msg.into())
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self(StatusCode::NOT_FOUND, msg.into())
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self(StatusCode::CONFLICT, msg.into())
    }
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0, self.1)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<axum::extract::rejection::JsonRejection> for AdminError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        Self(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for AdminError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        Self(StatusCode::BAD_REQUEST, r.body_text())
    }
}

/// `axum::Json`, with rejections as admin errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AdminError))]
pub struct AdminJson<T>(pub T);

/// `axum::extract::Query`, with rejections as admin errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AdminError))]
pub struct AdminQuery<T>(pub T);
