//! Kashpay's error envelope, and the body extractor whose rejections use it.
//!
//! Every failure is `{"success":false,"error":{"name","message","code"},"totalItems":0,
//! "totalPages":0,"currentPage":0}` (seed: the createOrder `EntityException` 1022 example).
//! - [`KashpayError`]: what a client can be told, each variant with its HTTP status and code
//! - [`envelope`]: the body for any status (also `Provider::error_response`)
//! - [`JsonObject`]: the request body as a JSON object, rejections in the envelope
//!
//! Business errors (validation, funds, duplicates, unknown references) answer HTTP 200 with
//! `success:false`, like the documented 1022; session errors 401; transport errors their status.

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{StatusCode, header};
use payoutsim_core::kit::{self, NotAnObject};
use serde::Serialize;
use serde_json::{Map, Value};

/// What Kashpay tells a client when a request does not succeed. Codes other than 1022 are ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KashpayError {
    #[error("Usuario o contraseña incorrectos")]
    BadCredentials,
    #[error("{0}")]
    MissingCredentials(String),
    #[error("Se requiere el encabezado Authorization: Bearer <token>")]
    TokenMissing,
    #[error("Token inválido")]
    TokenInvalid,
    #[error("Token expirado")]
    TokenExpired,
    #[error("Se requiere el encabezado Entity-i")]
    EntityMissing,
    #[error("La entidad no corresponde al token")]
    EntityMismatch,
    #[error("{0}")]
    MalformedJson(String),
    #[error("{}", .0.join("; "))]
    Validation(Vec<String>),
    #[error("No se pudo procesar el pago")]
    InsufficientFunds,
    #[error("La referencia alfanumérica {0} ya fue utilizada")]
    DuplicateReference(String),
    #[error("{0}")]
    NotFound(String),
    /// A transport-level answer (unknown path, wrong method, too large, injected faults).
    #[error("{1}")]
    Http(StatusCode, String),
    #[error("Error interno")]
    Internal(String),
}

/// `--max-objects-per-tenant` reached with no settled or returned order to drop: a 429 in
/// Kashpay's transport-level envelope.
impl From<payoutsim_core::kit::TooManyObjects> for KashpayError {
    fn from(e: payoutsim_core::kit::TooManyObjects) -> Self {
        let message = format!(
            "Demasiadas solicitudes: la entidad tiene {} órdenes en curso",
            e.limit
        );
        Self::Http(StatusCode::TOO_MANY_REQUESTS, message)
    }
}

impl KashpayError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadCredentials
            | Self::MissingCredentials(_)
            | Self::TokenMissing
            | Self::TokenInvalid
            | Self::TokenExpired
            | Self::EntityMissing
            | Self::EntityMismatch => StatusCode::UNAUTHORIZED,
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_)
            | Self::InsufficientFunds
            | Self::DuplicateReference(_)
            | Self::NotFound(_) => StatusCode::OK,
            Self::Http(status, _) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `(name, code)` as they appear in `error`.
    pub fn codes(&self) -> (&'static str, u32) {
        const AUTH: &str = "AuthenticationException";
        match self {
            Self::BadCredentials => (AUTH, 1001),
            Self::TokenMissing => (AUTH, 1002),
            Self::TokenInvalid => (AUTH, 1003),
            Self::TokenExpired => (AUTH, 1004),
            Self::EntityMissing => (AUTH, 1005),
            Self::EntityMismatch => (AUTH, 1006),
            Self::MissingCredentials(_) => (AUTH, 1008),
            Self::MalformedJson(_) => ("RequestException", 1000),
            Self::Validation(_) => ("ValidationException", 1010),
            Self::InsufficientFunds => ("EntityException", 1022),
            Self::DuplicateReference(_) => ("EntityException", 1023),
            Self::NotFound(_) => ("OrderException", 1030),
            Self::Http(status, _) => (name_of(*status), u32::from(status.as_u16())),
            Self::Internal(_) => (name_of(StatusCode::INTERNAL_SERVER_ERROR), 500),
        }
    }

    /// One validation error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Validation(vec![message.into()])
    }
}

/// The `error.name` of a transport-level status.
pub fn name_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "RequestException",
        401 => "AuthenticationException",
        403 => "ForbiddenException",
        404 => "NotFoundException",
        405 => "MethodNotAllowedException",
        413 => "PayloadTooLargeException",
        429 => "TooManyRequestsException",
        503 => "ServiceUnavailableException",
        500..=599 => "InternalServerException",
        _ => "RequestException",
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    name: &'a str,
    message: &'a str,
    code: u32,
}

/// The envelope, field order as documented.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    success: bool,
    error: ErrorBody<'a>,
    total_items: u64,
    total_pages: u64,
    current_page: u64,
}

fn render(status: StatusCode, name: &str, message: &str, code: u32) -> Response {
    let body = Envelope {
        success: false,
        error: ErrorBody {
            name,
            message,
            code,
        },
        total_items: 0,
        total_pages: 0,
        current_page: 0,
    };
    json_response(status, &body)
}

impl IntoResponse for KashpayError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "kashpay: internal error");
        }
        let (name, code) = self.codes();
        render(self.status(), name, &self.to_string(), code)
    }
}

/// The envelope for any `status` with `message` (the journal's 413, the fault layer's errors).
pub fn envelope(status: StatusCode, message: &str) -> Response {
    KashpayError::Http(status, message.to_string()).into_response()
}

/// `body` as JSON with `status`; a serialisation failure becomes the generic 500.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes(status, Bytes::from(bytes)),
        Err(e) => {
            tracing::error!(error = %e, "kashpay: answer did not serialise");
            let body = br#"{"success":false,"error":{"name":"InternalServerException","message":"Error interno","code":500},"totalItems":0,"totalPages":0,"currentPage":0}"#;
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "application/json")],
                &body[..],
            )
                .into_response()
        }
    }
}

/// A JSON answer already written.
pub fn json_bytes(status: StatusCode, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A request body as a JSON object. An empty body is `{}` (its fields are then reported missing);
/// anything else must parse as a JSON object (400 `RequestException` 1000). The content type is
/// not checked: the documented clients all send `application/json`, and the body decides.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, KashpayError> {
    read_object(body, kit::json_object)
}

/// `read`'s object of `body`, in Kashpay's 400 when it is none.
fn read_object<T>(
    body: &[u8],
    read: impl FnOnce(&[u8]) -> Result<T, NotAnObject>,
) -> Result<T, KashpayError> {
    read(body).map_err(|e| {
        KashpayError::MalformedJson(match e {
            NotAnObject::OtherJson => "El cuerpo de la petición debe ser un objeto JSON".into(),
            NotAnObject::NotJson => "El cuerpo de la petición no es JSON válido".into(),
        })
    })
}

impl From<BytesRejection> for KashpayError {
    fn from(r: BytesRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::Http(
                StatusCode::PAYLOAD_TOO_LARGE,
                "El cuerpo de la petición es demasiado grande".into(),
            ),
            _ => Self::MalformedJson("No se pudo leer el cuerpo de la petición".into()),
        }
    }
}

/// The request body as a JSON object, rejections in Kashpay's envelope.
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = KashpayError;

    async fn from_request(req: Request, state: &S) -> Result<Self, KashpayError> {
        let bytes = Bytes::from_request(req, state).await?;
        parse_object(&bytes).map(Self)
    }
}

/// [`JsonObject`] with its top-level numbers as the client wrote them, for amounts read exactly
/// (both from one pass over the body).
#[derive(Debug)]
pub struct ExactObject(
    pub Map<String, Value>,
    pub std::collections::BTreeMap<String, String>,
);

impl<S: Send + Sync> FromRequest<S> for ExactObject {
    type Rejection = KashpayError;

    async fn from_request(req: Request, state: &S) -> Result<Self, KashpayError> {
        let bytes = Bytes::from_request(req, state).await?;
        let object = read_object(&bytes, kit::exact_object)?;
        Ok(Self(object.members, object.written))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_errors_answer_200_and_session_errors_401() {
        assert_eq!(KashpayError::InsufficientFunds.status(), StatusCode::OK);
        assert_eq!(
            KashpayError::InsufficientFunds.codes(),
            ("EntityException", 1022)
        );
        assert_eq!(
            KashpayError::TokenExpired.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(KashpayError::invalid("x").status(), StatusCode::OK);
    }

    #[test]
    fn transport_errors_carry_their_status_as_code() {
        let e = KashpayError::Http(StatusCode::SERVICE_UNAVAILABLE, "down".into());
        assert_eq!(e.codes(), ("ServiceUnavailableException", 503));
        assert_eq!(name_of(StatusCode::BAD_GATEWAY), "InternalServerException");
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_an_array_is_refused() {
        assert_eq!(parse_object(b"  "), Ok(Map::new()));
        assert!(matches!(
            parse_object(b"[1]"),
            Err(KashpayError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_object(b"{"),
            Err(KashpayError::MalformedJson(_))
        ));
    }
}
