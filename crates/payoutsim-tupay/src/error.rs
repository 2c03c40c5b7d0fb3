//! Tupay's error envelope, `{"code": N, "description": "…"}` (the documented code 83), and the
//! extractors whose rejections use it.
//!
//! - [`TupayError`]: what a client can be told, each with its HTTP status and code
//! - [`envelope`]: the body for any status (also `Provider::error_response`)
//! - [`Params`]: the query string as name-value pairs, a bad one refused in the envelope
//! - [`Body`]: the request body's bytes, a body that cannot be read refused in the envelope
//!
//! Codes 11, 17 and 19 are D24's ("API Codes" page of its reconciliation API); 83 is Tupay's
//! own documented login refusal; the others are ours (README: "Errors"). Statuses follow the
//! simulator's decisions: 400 for parameters, 401 for credentials and sessions, 403 for the
//! location allow-list, 503 when the tenant store is full.

use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{StatusCode, header};
use serde::Serialize;

/// What Tupay tells a client when a request does not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TupayError {
    #[error(
        "You are not permitted to log in from this location, please contact your account administrator."
    )]
    Location,
    #[error("You have typed wrong credentials, or the user is either locked or inactive")]
    BadCredentials,
    #[error("{0}")]
    MalformedBody(String),
    #[error("Full authentication is required: log in and send the BEARER_TOKEN")]
    NoSession,
    #[error("The BEARER_TOKEN is not valid: log in again")]
    InvalidToken,
    #[error("The session has expired: log in again")]
    SessionExpired,
    #[error("Parameter `{0}` is required")]
    Missing(&'static str),
    #[error("Parameter `{0}` must be an integer{1}")]
    NotInteger(&'static str, &'static str),
    #[error("Date from must be before date to")]
    FromAfterTo,
    #[error("The maximum difference between `from` and `to` is 60 days")]
    RangeTooLong,
    #[error("Provided ISO country {0} is not valid")]
    InvalidCountry(String),
    #[error("Provided {0} {1} is not valid (accepted: {2})")]
    UnknownValue(&'static str, String, String),
    #[error("The query string could not be read")]
    BadQuery,
    /// A transport-level answer (unknown path, wrong method, too large, injected faults).
    #[error("{1}")]
    Http(StatusCode, String),
    /// A new tenant (or an evicted one back) when `max_tenants` merchants are in memory and the
    /// back office has changed every one.
    #[error("Tupay holds as many merchants as it is set to (max_tenants): try again later")]
    Full,
    #[error("Internal error")]
    Internal(String),
}

impl TupayError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Location => StatusCode::FORBIDDEN,
            Self::BadCredentials | Self::NoSession | Self::InvalidToken | Self::SessionExpired => {
                StatusCode::UNAUTHORIZED
            }
            Self::Http(status, _) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Full => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The `code` of the envelope.
    pub fn code(&self) -> u16 {
        match self {
            Self::Location => 83,
            Self::BadCredentials => 11,
            Self::FromAfterTo => 17,
            Self::InvalidCountry(_) => 19,
            Self::NoSession => 20,
            Self::InvalidToken => 21,
            Self::SessionExpired => 22,
            Self::MalformedBody(_) => 100,
            Self::Missing(_) => 101,
            Self::NotInteger(..) | Self::BadQuery => 102,
            Self::RangeTooLong => 103,
            Self::UnknownValue(..) => 104,
            Self::Full => 105,
            Self::Http(status, _) => status.as_u16(),
            Self::Internal(_) => 500,
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    code: u16,
    description: &'a str,
}

impl IntoResponse for TupayError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "tupay: internal error");
        }
        let description = self.to_string();
        let body = Envelope {
            code: self.code(),
            description: &description,
        };
        json_response(self.status(), &body)
    }
}

/// The envelope for any `status` with `message` (the journal's 413, the fault layer's errors).
pub fn envelope(status: StatusCode, message: &str) -> Response {
    TupayError::Http(status, message.to_string()).into_response()
}

/// `body` as JSON with `status`; a serialisation failure becomes the generic 500.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(e) => {
            tracing::error!(error = %e, "tupay: answer did not serialise");
            let body = br#"{"code":500,"description":"Internal error"}"#.to_vec();
            json_bytes(StatusCode::INTERNAL_SERVER_ERROR, body)
        }
    }
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let content = [(header::CONTENT_TYPE, "application/json")];
    (status, content, Bytes::from(bytes)).into_response()
}

/// The query string as name-value pairs, in order (a name may repeat: the last one counts).
#[derive(Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The last value of `name`, trimmed; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        (self.0.iter().rev())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` was sent at all (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

impl From<QueryRejection> for TupayError {
    fn from(_: QueryRejection) -> Self {
        Self::BadQuery
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = TupayError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, TupayError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        Ok(Self(pairs))
    }
}

impl From<BytesRejection> for TupayError {
    fn from(r: BytesRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::Http(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large".into(),
            ),
            _ => Self::MalformedBody("The request body could not be read".into()),
        }
    }
}

/// The request body's bytes, rejections in Tupay's envelope.
#[derive(Debug)]
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = TupayError;

    async fn from_request(req: Request, state: &S) -> Result<Self, TupayError> {
        Ok(Self(Bytes::from_request(req, state).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_refusal_is_the_documented_403_with_code_83() {
        let e = TupayError::Location;
        assert_eq!((e.status(), e.code()), (StatusCode::FORBIDDEN, 83));
        assert_eq!(
            e.to_string(),
            "You are not permitted to log in from this location, please contact your account administrator."
        );
    }

    #[test]
    fn session_errors_are_401_and_parameter_errors_400() {
        for e in [
            TupayError::NoSession,
            TupayError::SessionExpired,
            TupayError::BadCredentials,
        ] {
            assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
        }
        assert_eq!(TupayError::FromAfterTo.status(), StatusCode::BAD_REQUEST);
        assert_eq!(TupayError::FromAfterTo.code(), 17);
        assert_eq!(
            TupayError::InvalidCountry("XX".into()).to_string(),
            "Provided ISO country XX is not valid"
        );
    }

    #[test]
    fn an_empty_parameter_counts_as_absent_and_the_last_one_wins() {
        let p = Params(vec![
            ("a".into(), "1".into()),
            ("a".into(), " 2 ".into()),
            ("b".into(), "".into()),
        ]);
        assert_eq!(p.get("a"), Some("2"));
        assert_eq!(p.get("b"), None);
        assert!(p.has("b") && !p.has("c"));
    }
}
