//! Flows: `POST /v2/flows` (200), `GET /v2/flows/{id}`, `GET /v2/flows` (cursor pages, newest
//! first). A flow is a hosted page (`link`: `https://my-sandbox.dots.dev/flow/<id>` in sandbox,
//! `https://my.dots.dev/flow/<id>` in production) whose steps a person completes in a browser;
//! the simulator keeps the flow and its steps, none is ever completed by itself.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use payoutsim_core::kit::Auth;
use serde_json::Value;

use crate::Dots;
use crate::auth::Caller;
use crate::error::{Body, DotsError, Id, Params, json as answer};
use crate::pages::PageQuery;
use crate::render;
use crate::state::FlowRec;
use crate::users::user_of;
use crate::validation::Fields;
use payoutsim_core::ordered::Order;

/// Step names.
pub const STEPS: &[&str] = &[
    "compliance",
    "id-verification",
    "background-check",
    "manage-payments",
    "manage-payouts",
    "payout",
    "redirect",
    "pdf-form-fill",
];

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/api/v2/flows", get(list).post(create))
        // The flow guides post to `/api/v2/flows/` (a trailing slash the document's path lacks).
        .route("/api/v2/flows/", get(list).post(create))
        .route("/api/v2/flows/{id}", get(show))
}

/// A list of distinct steps, each a name or an object `{name, …options}` (options are
/// accepted: `redirect_url` must then be an http(s) URL).
pub fn read_steps(f: &mut Fields<'_>, field: &str, required: bool) -> Option<Vec<String>> {
    let items = f.array(field, required, usize::from(required), STEPS.len())?;
    let mut steps: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = match item {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => {
                let url = o.get("redirect_url");
                let bad_url = url.is_some_and(|u| {
                    !u.as_str()
                        .is_some_and(|s| s.starts_with("https://") || s.starts_with("http://"))
                });
                if bad_url {
                    f.error(
                        &format!("{field}[{i}].redirect_url"),
                        "must be an http(s) URL",
                    );
                    return None;
                }
                o.get("name").and_then(Value::as_str)
            }
            _ => None,
        };
        match name {
            Some(n) if STEPS.contains(&n) && !steps.iter().any(|s| s == n) => steps.push(n.into()),
            Some(n) if steps.iter().any(|s| s == n) => {
                f.error(field, "must not repeat a step");
                return None;
            }
            _ => {
                let what = format!("items must be one of {} (or {{name, …}})", STEPS.join(", "));
                f.error(&format!("{field}[{i}]"), &what);
                return None;
            }
        }
    }
    Some(steps)
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let steps = read_steps(&mut f, "steps", true);
    let user_id = f.uuid("user_id", false);
    f.boolean("hide_go_to_dashboard_on_complete");
    f.boolean("require_auth");
    let metadata = f.metadata("metadata");
    f.finish()?;
    let steps = steps.ok_or_else(|| DotsError::Internal("validated steps missing".into()))?;
    let now = dots.now_for(&caller.tenant);
    let id = dots.engine().ids().uuid(&caller.tenant);
    let flow = caller.with_app(&dots, |app| {
        if let Some(u) = &user_id {
            user_of(app, u)?;
        }
        dots.make_room(&caller.tenant, app, 1)?;
        let rec = FlowRec {
            id: id.clone(),
            created: now,
            user_id,
            steps,
            metadata: metadata.unwrap_or(Value::Null),
            payout_link_id: None,
        };
        let wire = render::flow(&rec, app.env);
        app.flows.insert(id.clone(), rec);
        Ok(wire)
    })?;
    Ok(answer(StatusCode::OK, &flow))
}

async fn show(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let flow = caller.with_app(&dots, |app| {
        (app.flows.get(&id))
            .map(|f| render::flow(f, app.env))
            .ok_or_else(|| DotsError::not_found("Flow", &id))
    })?;
    Ok(answer(StatusCode::OK, &flow))
}

async fn list(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    params: Params,
) -> Result<Response, DotsError> {
    let page = PageQuery::from(&params)?;
    let body = caller.with_app(&dots, |app| {
        let env = app.env;
        page.page(
            &app.flows,
            Order::NewestFirst,
            |_| true,
            |f| render::flow(f, env),
        )
    })?;
    Ok(answer(StatusCode::OK, &body))
}
