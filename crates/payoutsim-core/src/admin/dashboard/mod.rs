//! The dashboard: one page on the admin port's root (`GET /`, also `GET /__admin/dashboard`) and
//! its assets under `/__admin/dashboard/`, plain HTML, CSS and JavaScript modules embedded in the
//! binary (no build step).
//!
//! - `index.html`: the page's frame (header with the clock, tenants on the left, four tabs)
//! - `app.js`: the token, the admin API client, the polling loop, the clock and the tenants
//! - `dom.js`: building elements (never from HTML strings: journal bodies are anyone's input),
//!   formatting, redrawing only what changed
//! - `views.js`: the tabs: objects and their timelines, the request journal, webhook deliveries,
//!   fault rules
//! - `style.css`
//!
//! The page and its assets are served without the admin token; everything it shows comes from
//! the admin API, which the page calls with `Authorization: Bearer <token>` once it was given one
//! (the token check stays where it is, on the data).

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AdminError;

/// The page loads only its own scripts and styles and talks only to its own origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; \
     frame-ancestors 'none'";

const PAGE: &str = include_str!("index.html");

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The assets under `/__admin/dashboard/`: name, content type, text.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.js", JAVASCRIPT, include_str!("app.js")),
    ("dom.js", JAVASCRIPT, include_str!("dom.js")),
    ("views.js", JAVASCRIPT, include_str!("views.js")),
    ("style.css", CSS, include_str!("style.css")),
];

/// The dashboard's routes. They are merged outside the admin token check: the page asks for the
/// token itself, and holds no data.
pub(super) fn routes() -> Router {
    Router::new()
        .route("/", get(page))
        .route("/__admin/dashboard", get(page))
        .route("/__admin/dashboard/{asset}", get(asset))
}

async fn page() -> Response {
    let csp = [(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)];
    (csp, served("text/html; charset=utf-8", PAGE)).into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, text)) => served(content_type, text).into_response(),
        None => {
            AdminError::not_found(format!("the dashboard has no asset `{name}`")).into_response()
        }
    }
}

/// `text` as `content_type`, revalidated on every load (a new binary may serve new assets under
/// the same names) and never sniffed as anything else.
fn served(content_type: &'static str, text: &'static str) -> impl IntoResponse {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
}
