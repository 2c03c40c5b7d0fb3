//! Dots' error envelope and the extractors whose rejections use it.
//!
//! Every refusal is `{"success": false, "message": "…", "error_code": "…"}` (an assumption: the
//! v2 envelope is undocumented; `success`/`message` are the v2 organisation endpoints' and v1's
//! words, `error_code` carries the documented kebab-case codes of the error-codes page).
//! - [`DotsError`]: what a client can be told, each with its status and code
//! - [`Body`]: a request body that must be a JSON object (415 for another content type, 400 for
//!   malformed JSON, 413 past the body limit)
//! - [`Id`], [`Params`]: a path id and the query string, rejections in the envelope

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use payoutsim_core::kit::{self, NotAnObject};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Dots;

/// The documented codes this simulator answers with (and its own `unauthorized`, `not-found`).
pub mod code {
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const NOT_FOUND: &str = "not-found";
    pub const INVALID_INPUT: &str = "invalid-input";
    pub const INVALID_EMAIL: &str = "invalid-email";
    pub const INVALID_PHONE: &str = "invalid-phone-number";
    pub const EMAIL_EXISTS: &str = "auth-email-already-exists";
    pub const USERNAME_EXISTS: &str = "auth-username-already-exists";
    pub const INSUFFICIENT_FUNDS: &str = "transaction-insufficient-funds";
    pub const USER_INFO_MISSING: &str = "user-info-missing";
    pub const RESOURCE_BUSY: &str = "resource-busy";
    pub const UNAVAILABLE: &str = "service-unavailable";
}

/// The envelope, fields in this order.
#[derive(Debug, Serialize)]
pub struct Envelope<'a> {
    pub success: bool,
    pub message: &'a str,
    pub error_code: &'a str,
}

/// What Dots tells a client when a request does not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DotsError {
    /// 401: missing, malformed or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: an `Api-App-Id` this organisation has no app of.
    #[error("{0}")]
    Forbidden(String),
    /// 400 with a documented code (`invalid-input`, `invalid-email`, …).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 404: no such object in this app.
    #[error("{0}")]
    NotFound(String),
    /// 409: an `idempotency_key` already seen on an endpoint that rejects repeats.
    #[error("{0}")]
    Repeated(String),
    /// 409: the first request with this key is still being handled.
    #[error("A request with this idempotency_key is still being processed.")]
    Busy,
    /// 405.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// 413.
    #[error("The request body is too large (at most {0} bytes).")]
    TooLarge(usize),
    /// 415.
    #[error("The request body must be sent as application/json.")]
    UnsupportedMediaType,
    /// 503 `service-unavailable`: the app holds `--max-objects-per-tenant` objects and none is
    /// settled (Dots documents no rate limit, so its unavailable answer).
    #[error("Service unavailable: this app holds {0} objects, none of them settled.")]
    TooManyObjects(usize),
    /// 500, logged: a bug of the simulator's, never a client's input.
    #[error("Internal error.")]
    Internal(String),
}

impl DotsError {
    /// 400 `invalid-input`.
    pub fn input(message: impl Into<String>) -> Self {
        Self::Invalid {
            code: code::INVALID_INPUT,
            message: message.into(),
        }
    }

    /// 400 with `code`.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    /// 404 of a `what` (`User`, `Transfer`, …) with `id`.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::NotFound(format!("{what} not found: {id}"))
    }

    /// 400 `transaction-insufficient-funds`, naming the wallet that was short.
    pub fn insufficient(wallet: &str, have: i64, need: i64) -> Self {
        Self::invalid(
            code::INSUFFICIENT_FUNDS,
            format!(
                "Insufficient funds in the {wallet} wallet: {have} cents available, {need} needed"
            ),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Invalid { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Repeated(_) | Self::Busy => StatusCode::CONFLICT,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyObjects(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) | Self::Forbidden(_) => code::UNAUTHORIZED,
            Self::Invalid { code, .. } => code,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Busy => code::RESOURCE_BUSY,
            Self::Internal(_) | Self::TooManyObjects(_) => code::UNAVAILABLE,
            Self::Repeated(_) | Self::MethodNotAllowed | Self::TooLarge(_) => code::INVALID_INPUT,
            Self::UnsupportedMediaType => code::INVALID_INPUT,
        }
    }
}

impl From<payoutsim_core::kit::TooManyObjects> for DotsError {
    fn from(e: payoutsim_core::kit::TooManyObjects) -> Self {
        Self::TooManyObjects(e.limit)
    }
}

impl IntoResponse for DotsError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "dots: internal error");
        }
        envelope(self.status(), &self.to_string(), self.code())
    }
}

/// The envelope for `status` with `message` and `code`.
pub fn envelope(status: StatusCode, message: &str, error_code: &str) -> Response {
    let body = Envelope {
        success: false,
        message,
        error_code,
    };
    json(status, &body)
}

/// `body` as a JSON answer with `status`.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw_json(status, bytes.into()),
        Err(e) => DotsError::Internal(e.to_string()).into_response(),
    }
}

/// Serialised JSON `body` with `status`.
pub fn raw_json(status: StatusCode, body: Bytes) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// A request body that must be a JSON object, with its raw bytes (idempotency fingerprints).
/// A blank body is `{}`; a body with another content type is 415; malformed JSON or JSON that
/// is not an object is 400 `invalid-input`.
pub struct Body {
    pub map: Map<String, Value>,
    pub raw: Bytes,
}

impl FromRequest<Dots> for Body {
    type Rejection = DotsError;

    async fn from_request(req: Request, dots: &Dots) -> Result<Self, DotsError> {
        let limit = dots.config().max_body_bytes;
        let (parts, body) = req.into_parts();
        let declared = (parts.headers.get(header::CONTENT_LENGTH))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(DotsError::TooLarge(limit));
        }
        let raw = axum::body::to_bytes(body, limit).await.map_err(|e| {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                DotsError::TooLarge(limit)
            } else {
                DotsError::input(format!("The request body could not be read: {e}"))
            }
        })?;
        let map = parse_object(&parts.headers, &raw)?;
        Ok(Self { map, raw })
    }
}

/// `body` as a JSON object, refused as [`Body`] says.
pub fn parse_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, DotsError> {
    if !kit::is_blank(body) && !kit::is_json(headers) {
        return Err(DotsError::UnsupportedMediaType);
    }
    kit::json_object(body).map_err(|e| match e {
        NotAnObject::NotJson => DotsError::input("The request body is not valid JSON."),
        NotAnObject::OtherJson => DotsError::input("The request body must be a JSON object."),
    })
}

/// The one id of a path (`/v2/users/{user_id}`).
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = DotsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, DotsError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| Self(id))
            .map_err(|e: PathRejection| DotsError::input(format!("Invalid path: {e}")))
    }
}

/// The query string as `(name, value)` pairs, in order.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The last value of `name` (a repeated parameter: the last one wins).
    pub fn get(&self, name: &str) -> Option<&str> {
        let found = self.0.iter().rev().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = DotsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, DotsError> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(pairs)| Self(pairs))
            .map_err(|e: QueryRejection| DotsError::input(format!("Invalid query string: {e}")))
    }
}
