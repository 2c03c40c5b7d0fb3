//! OnePay's error envelope, and the extractors whose rejections use it.
//!
//! Every non-2xx answer is `{"message", "code", "code_name", "errors": [{"key", "description"}]}`
//! (page: https://docs.onepay.la/client/base/errors/index, spelled `errors` as in its field list).
//! - [`OnePayError`]: what a client can be told, each variant with its status and codes
//! - [`envelope`]: the body for any status (also used by `Provider::error_response`)
//! - [`parse_object`]: raw body bytes (the kit's `RawBody`) -> JSON object, with OnePay's 400/415
//!   answers
//! - [`OnePayJson`]: `axum::Json` both ways, rejections in the envelope

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use payoutsim_core::kit::{self, ExactObject, NotAnObject};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// One failing field of a validation error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub key: String,
    pub description: String,
}

impl FieldError {
    pub fn new(key: &str, description: impl Into<String>) -> Self {
        Self {
            key: key.to_string(),
            description: description.into(),
        }
    }
}

/// The envelope, field order as documented.
#[derive(Debug, Serialize)]
pub struct Envelope {
    pub message: String,
    pub code: String,
    pub code_name: String,
    pub errors: Vec<FieldError>,
}

/// What OnePay tells a client when a request does not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnePayError {
    #[error("{0}")]
    InvalidJson(String),
    #[error("Unauthenticated.")]
    Unauthenticated,
    #[error("{0}")]
    NotFound(String),
    #[error("The request must be sent as application/json.")]
    UnsupportedMediaType,
    #[error("The x-idempotency header is required (1 to 255 characters).")]
    IdempotencyKeyRequired,
    #[error("The x-idempotency key was already used with a different request.")]
    IdempotencyKeyConflict,
    #[error("A request with this x-idempotency key is still being processed.")]
    IdempotencyKeyInUse,
    #[error("{}", .0.first().map(|e| e.description.as_str()).unwrap_or("The given data was invalid."))]
    Validation(Vec<FieldError>),
    #[error("The balance is empty.")]
    BalanceIsEmpty,
    #[error("Insufficient funds.")]
    InsufficientFunds,
    #[error("Company account not found.")]
    CompanyAccountNotFound,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    /// `--max-objects-per-tenant` reached with nothing settled to drop.
    #[error("Too Many Requests: this account holds {0} objects, none of them settled.")]
    TooManyObjects(usize),
    #[error("Server error.")]
    Internal(String),
}

impl From<payoutsim_core::kit::TooManyObjects> for OnePayError {
    fn from(e: payoutsim_core::kit::TooManyObjects) -> Self {
        Self::TooManyObjects(e.limit)
    }
}

impl OnePayError {
    /// The 404 of an object that is not there: `"<What> not found."`.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found."))
    }

    /// A validation error on one field.
    pub fn field(key: &str, description: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(key, description)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidJson(_) | Self::IdempotencyKeyRequired => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::BalanceIsEmpty | Self::InsufficientFunds => {
                StatusCode::UNAUTHORIZED
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::IdempotencyKeyConflict | Self::IdempotencyKeyInUse => StatusCode::CONFLICT,
            Self::Validation(_) | Self::CompanyAccountNotFound => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyObjects(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `(code, code_name)` as they appear in the envelope.
    pub fn codes(&self) -> (String, String) {
        let named = |code: &str, name: &str| (code.to_string(), name.to_string());
        match self {
            Self::InvalidJson(_) => named("400", "invalid_json"),
            Self::IdempotencyKeyRequired => named("400", "idempotency_key_required"),
            Self::IdempotencyKeyConflict => named("409", "idempotency_key_conflict"),
            Self::IdempotencyKeyInUse => named("409", "idempotency_key_in_use"),
            Self::Validation(_) => named("422", "validation_error"),
            Self::BalanceIsEmpty => named("10500", "balance_is_empty"),
            Self::InsufficientFunds => named("10501", "insufficient_funds"),
            Self::CompanyAccountNotFound => named("10809", "company_account_not_found"),
            other => {
                let status = other.status();
                (status.as_str().to_string(), code_name(status))
            }
        }
    }
}

impl IntoResponse for OnePayError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "onepay: internal error");
        }
        let (code, code_name) = self.codes();
        let errors = match &self {
            Self::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        let body = Envelope {
            message: self.to_string(),
            code,
            code_name,
            errors,
        };
        json_response(self.status(), &body)
    }
}

/// The transport-level `code_name` of a status: the table of the wire contract, else the
/// canonical reason in snake case.
pub fn code_name(status: StatusCode) -> String {
    let fixed = match status.as_u16() {
        400 => "invalid_json",
        401 => "unauthenticated",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_error",
        429 => "too_many_requests",
        500 => "server_error",
        503 => "service_unavailable",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    let reason = status.canonical_reason().unwrap_or("error");
    reason
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' | '-' => Some('_'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The envelope for `status` with `message` and no field errors.
pub fn envelope(status: StatusCode, message: &str) -> Response {
    let body = Envelope {
        message: message.to_string(),
        code: status.as_str().to_string(),
        code_name: code_name(status),
        errors: Vec::new(),
    };
    json_response(status, &body)
}

/// `body` as JSON with `status`; a serialisation failure becomes the generic 500.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw_json(status, Bytes::from(bytes)),
        Err(e) => OnePayError::Internal(e.to_string()).into_response(),
    }
}

/// Already-serialised JSON with `status`.
pub fn raw_json(status: StatusCode, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A request body as a JSON object. An empty body counts as `{}` (nothing to mis-type); any other
/// body needs `Content-Type: application/json` (415), must parse (400) and be an object (400).
pub fn parse_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, OnePayError> {
    read_object(headers, body, kit::json_object)
}

/// [`parse_object`], with the top-level numbers' digits as sent, in one pass over the body
/// (amounts are read from these digits).
pub fn parse_exact_object(headers: &HeaderMap, body: &[u8]) -> Result<ExactObject, OnePayError> {
    read_object(headers, body, kit::exact_object)
}

/// `read`'s object of `body`, in OnePay's 415 and 400 when it is none.
fn read_object<T>(
    headers: &HeaderMap,
    body: &[u8],
    read: impl FnOnce(&[u8]) -> Result<T, NotAnObject>,
) -> Result<T, OnePayError> {
    if !kit::is_blank(body) && !kit::is_json(headers) {
        return Err(OnePayError::UnsupportedMediaType);
    }
    read(body).map_err(|e| {
        OnePayError::InvalidJson(match e {
            NotAnObject::OtherJson => "The request body must be a JSON object.".into(),
            NotAnObject::NotJson => "The request body is not valid JSON.".into(),
        })
    })
}

impl From<BytesRejection> for OnePayError {
    fn from(r: BytesRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            _ => Self::InvalidJson("The request body could not be read.".into()),
        }
    }
}

impl From<PathRejection> for OnePayError {
    fn from(_: PathRejection) -> Self {
        Self::NotFound("The route could not be found.".into())
    }
}

/// A `{id}` path segment, rejections in the envelope.
#[derive(Debug)]
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = OnePayError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, OnePayError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state).await?;
        Ok(Self(id))
    }
}

/// `axum::Json`, but rejections come back in OnePay's envelope. As a response it is plain JSON.
#[derive(Debug, Clone)]
pub struct OnePayJson<T>(pub T);

impl<T, S> FromRequest<S> for OnePayJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = OnePayError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await?;
        let map = parse_object(&headers, &bytes)?;
        serde_json::from_value(Value::Object(map))
            .map(OnePayJson)
            .map_err(|e| OnePayError::InvalidJson(format!("The request body is invalid: {e}.")))
    }
}

impl<T: Serialize> IntoResponse for OnePayJson<T> {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_follow_the_table_then_the_canonical_reason() {
        assert_eq!(
            code_name(StatusCode::TOO_MANY_REQUESTS),
            "too_many_requests"
        );
        assert_eq!(code_name(StatusCode::BAD_GATEWAY), "bad_gateway");
        assert_eq!(code_name(StatusCode::IM_A_TEAPOT), "im_a_teapot");
        assert_eq!(code_name(StatusCode::GATEWAY_TIMEOUT), "gateway_timeout");
    }

    #[test]
    fn business_errors_keep_their_documented_odd_statuses() {
        assert_eq!(
            OnePayError::BalanceIsEmpty.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(OnePayError::InsufficientFunds.codes().0, "10501");
        assert_eq!(
            OnePayError::CompanyAccountNotFound.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_text_is_refused() {
        let mut headers = HeaderMap::new();
        assert_eq!(parse_object(&headers, b""), Ok(Map::new()));
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(
            parse_object(&headers, b"{}"),
            Err(OnePayError::UnsupportedMediaType)
        );
        headers.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(matches!(
            parse_object(&headers, b"[1]"),
            Err(OnePayError::InvalidJson(_))
        ));
    }
}
