//! The admin router's outer layers: who may call it, and that every error it answers is JSON.
//!
//! [`guard`] runs before any admin route. The admin API can reset every tenant and load fault
//! rules, and it listens on loopback where any local process, and any web page open in the
//! developer's browser, can reach it. So:
//! - `Host`, when sent, must name the admin listener (a loopback address or `localhost`, or the
//!   bound address, with the admin port) or be allowed (`--admin-allow-host`): a page that
//!   rebinds its own name to 127.0.0.1 sends its own name;
//! - `Origin`, when sent, must be the admin listener's own or allowed (`--admin-allow-origin`):
//!   browsers send it with every cross-origin call and every POST, curl and SDKs do not;
//! - with `--admin-token`, every call (the inboxes included) needs `Authorization: Bearer <token>`
//!   (the simulator's own deliveries to its inboxes carry it);
//! - a state-changing call (POST, PUT, PATCH, DELETE) with a body or a content type must say
//!   JSON or YAML (`+json`/`+yaml` types too): an HTML form or a `text/plain` fetch cannot. A
//!   webhook delivered to an inbox may be of any type.
//!
//! Refusals are 403 (401 for the token, 415 for the content type), `{"error": …}`.
//! [`json_errors`] turns any error answer that is not JSON (axum's 405 with an empty body, a
//! `text/plain` 400 for a path or body that is not UTF-8, a 413) into `{"error": …}`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::AdminOptions;
use crate::Engine;
use crate::error::AdminError;
use crate::surface::{is_loopback_host, names_listener};

/// What [`guard`] needs: the options, and the engine (where the admin listener is bound).
#[derive(Clone)]
pub(super) struct Guard {
    pub options: AdminOptions,
    pub engine: Engine,
}

impl Guard {
    /// Whether `host[:port]` names the admin listener or is allowed.
    fn names_admin(&self, authority: &str) -> bool {
        let Ok(authority) = authority.parse::<http::uri::Authority>() else {
            return false;
        };
        let host = authority.host();
        if (self.options.allow_hosts.iter()).any(|h| h.eq_ignore_ascii_case(host)) {
            return true;
        }
        match self.engine.admin_listener() {
            Some(l) => names_listener(host, authority.port_u16().unwrap_or(80), l.addr),
            None => is_loopback_host(host),
        }
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        let listed = (self.options.allow_origins.iter())
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin));
        listed
            || origin
                .strip_prefix("http://")
                .is_some_and(|authority| self.names_admin(authority))
    }
}

fn forbidden(msg: String) -> Response {
    AdminError(StatusCode::FORBIDDEN, msg).into_response()
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// Whether a media type is JSON or YAML.
fn json_or_yaml(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let essence = essence.to_ascii_lowercase();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    let json = kind == "application" && (sub == "json" || sub.ends_with("+json"));
    let yaml = matches!(kind, "application" | "text") && matches!(sub, "yaml" | "x-yaml")
        || (kind == "application" && sub.ends_with("+yaml"));
    json || yaml
}

/// Whether a request has a body (or says what type it is).
fn has_body(req: &Request) -> bool {
    let headers = req.headers();
    let length = text(headers, header::CONTENT_LENGTH).map(str::trim);
    let hint = axum::body::HttpBody::size_hint(req.body());
    headers.contains_key(header::CONTENT_TYPE)
        || headers.contains_key(header::TRANSFER_ENCODING)
        || length.is_some_and(|l| l != "0")
        || hint.upper() != Some(0)
}

/// The checks every admin call passes first (see the module's documentation).
pub(super) async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if let Some(host) = text(headers, header::HOST)
        && !g.names_admin(host)
    {
        return forbidden(format!(
            "`Host: {host}` is not the admin listener (allow a name with --admin-allow-host)"
        ));
    }
    if let Some(origin) = text(headers, header::ORIGIN)
        && !g.origin_allowed(origin)
    {
        return forbidden(format!(
            "`Origin: {origin}` is not allowed to call the admin API (allow it with \
             --admin-allow-origin)"
        ));
    }
    if let Some(token) = &g.options.token {
        let given = text(headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(token.as_str()) {
            let msg = "admin token required: Authorization: Bearer <token>";
            return AdminError(StatusCode::UNAUTHORIZED, msg.into()).into_response();
        }
    }
    let changes = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let delivery = req.method() == Method::POST && req.uri().path().starts_with("/__admin/inbox/");
    if changes && !delivery && has_body(&req) {
        let given = text(headers, header::CONTENT_TYPE).unwrap_or("none");
        if !json_or_yaml(given) {
            let msg = format!(
                "the body must be JSON or YAML (Content-Type: application/json or \
                 application/yaml), not `{given}`"
            );
            return AdminError(StatusCode::UNSUPPORTED_MEDIA_TYPE, msg).into_response();
        }
    }
    next.run(req).await
}

/// Renders an error answer that is not JSON as `{"error": <its text, or its status's reason>}`.
pub(super) async fn json_errors(req: Request, next: Next) -> Response {
    let asked = format!("`{} {}`", req.method(), req.uri().path());
    let response = next.run(req).await;
    let status = response.status();
    let is_json = (response.headers().get(header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .is_some_and(json_or_yaml);
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Error texts are short; a body that cannot be read is replaced by the reason.
    let limited = http_body_util::Limited::new(body, 64 * 1024);
    let said = match limited.collect().await {
        Ok(c) => String::from_utf8_lossy(&c.to_bytes()).trim().to_string(),
        Err(_) => String::new(),
    };
    let msg = match said.is_empty() {
        true => match status {
            StatusCode::METHOD_NOT_ALLOWED => {
                format!("{asked}: the method is not allowed on this admin endpoint")
            }
            _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
        },
        false => said,
    };
    let mut answer = AdminError(status, msg).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::json_or_yaml;

    #[test]
    fn json_and_yaml_media_types_are_recognised_with_parameters_and_suffixes() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/vnd.api+json",
            "application/yaml",
            "application/x-yaml",
            "text/yaml",
            "Application/JSON",
        ] {
            assert!(json_or_yaml(ok), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "json",
            "",
        ] {
            assert!(!json_or_yaml(bad), "{bad}");
        }
    }
}
