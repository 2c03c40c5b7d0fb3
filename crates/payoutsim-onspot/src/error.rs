//! OnSpot's error bodies, and what makes a rejection one of them.
//!
//! OnSpot documents no error schema; its API is TypeScript behind AWS API Gateway, so payoutsim
//! answers NestJS's defaults (an assumption, README "Errors"):
//! `{"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}`, validation
//! `{"statusCode": 400, "message": ["…", "…"], "error": "Bad Request"}`, an unknown route
//! `{"statusCode": 404, "message": "Cannot POST /x", "error": "Not Found"}`.
//!
//! - [`OnSpotError`]: what a client can be told, each variant with its status
//! - [`nest`]: the body for any status (also `Provider::error_response`)
//! - `From<BytesRejection>`: a body the kit's `RawBody` cannot read, in this format
//! - [`json_response`]: a JSON answer with its status

use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{StatusCode, header};
use serde::Serialize;

/// NestJS's `message`: one text, or a list for validation errors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Message {
    One(String),
    Many(Vec<String>),
}

/// The error body, field order as NestJS writes it.
#[derive(Debug, Serialize)]
pub struct NestBody {
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    pub message: Message,
    pub error: String,
}

/// What OnSpot tells a client when a request does not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnSpotError {
    /// Missing, malformed or wrong credentials; a token expired, forged or of the other
    /// environment. Always the same body: the reason is not told.
    #[error("Unauthorized")]
    Unauthorized,
    /// A 400 whose `message` is a list (class-validator style).
    #[error("{}", .0.join(", "))]
    Validation(Vec<String>),
    /// A 400 whose `message` is one text (the body parser's).
    #[error("{0}")]
    BadRequest(String),
    /// An unknown route, or a known path with another method (Express answers 404 for both).
    #[error("Cannot {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("request entity too large")]
    PayloadTooLarge,
    /// `--max-objects-per-tenant` reached with no paid or failed payout to drop: NestJS's
    /// throttler's 429.
    #[error("ThrottlerException: Too Many Requests")]
    TooManyRequests,
    #[error("Internal server error")]
    Internal(String),
}

impl From<payoutsim_core::kit::TooManyObjects> for OnSpotError {
    fn from(_: payoutsim_core::kit::TooManyObjects) -> Self {
        Self::TooManyRequests
    }
}

impl OnSpotError {
    pub fn field(message: impl Into<String>) -> Self {
        Self::Validation(vec![message.into()])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Validation(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NoRoute { .. } => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Validation(list) => Message::Many(list.clone()),
            other => Message::One(other.to_string()),
        }
    }
}

impl IntoResponse for OnSpotError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "onspot: internal error");
        }
        body(self.status(), self.message())
    }
}

/// NestJS's `error`: the status's reason phrase (`Bad Request`, `Too Many Requests`, …).
pub fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// The error body for `status` with a one-text `message`.
pub fn nest(status: StatusCode, message: &str) -> Response {
    body(status, Message::One(message.to_string()))
}

fn body(status: StatusCode, message: Message) -> Response {
    let body = NestBody {
        status_code: status.as_u16(),
        message,
        error: reason(status).to_string(),
    };
    json_response(status, &body)
}

/// `body` as JSON with `status`; a serialisation failure becomes the generic 500.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            Bytes::from(bytes),
        )
            .into_response(),
        Err(e) => OnSpotError::Internal(e.to_string()).into_response(),
    }
}

impl From<BytesRejection> for OnSpotError {
    fn from(r: BytesRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            _ => Self::BadRequest("The request body could not be read.".into()),
        }
    }
}

/// Where a JSON parse failed, the way Node's `JSON.parse` says it.
pub fn json_syntax_error(body: &[u8], e: &serde_json::Error) -> OnSpotError {
    let line = e.line().max(1);
    let column = e.column();
    let mut offset = 0usize;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            offset += column.saturating_sub(1).min(l.len());
            break;
        }
        offset += l.len() + 1;
    }
    if e.is_eof() {
        OnSpotError::BadRequest("Unexpected end of JSON input".into())
    } else {
        OnSpotError::BadRequest(format!("Unexpected token in JSON at position {offset}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use serde_json::{Value, json};

    async fn json_of(resp: Response) -> Value {
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn unauthorized_is_nestjs_default_body() {
        let resp = OnSpotError::Unauthorized.into_response();
        assert_eq!(resp.status(), 401);
        assert_eq!(
            json_of(resp).await,
            json!({"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"})
        );
    }

    #[tokio::test]
    async fn validation_errors_list_every_message() {
        let err = OnSpotError::Validation(vec!["a must be x".into(), "b must be y".into()]);
        assert_eq!(
            json_of(err.into_response()).await,
            json!({"statusCode": 400, "message": ["a must be x", "b must be y"], "error": "Bad Request"})
        );
    }

    #[tokio::test]
    async fn any_status_gets_its_reason_phrase() {
        let body = json_of(nest(StatusCode::TOO_MANY_REQUESTS, "slow down")).await;
        assert_eq!(body["error"], "Too Many Requests");
        assert_eq!(body["statusCode"], 429);
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let body = b"[{\"a\": }]";
        let e = serde_json::from_slice::<Value>(body).unwrap_err();
        assert_eq!(
            json_syntax_error(body, &e),
            OnSpotError::BadRequest("Unexpected token in JSON at position 7".into())
        );
        let e = serde_json::from_slice::<Value>(b"[").unwrap_err();
        assert_eq!(
            json_syntax_error(b"[", &e),
            OnSpotError::BadRequest("Unexpected end of JSON input".into())
        );
    }
}
