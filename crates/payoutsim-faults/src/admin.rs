//! The admin routes of fault rules and scenarios, merged into the admin router:
//! - `GET /__admin/faults`: the rules in order, each with `id`, `hits`, `matches`, `loaded_at`
//! - `POST /__admin/faults`: one rule (201 with it) or a list (201 with them), JSON or YAML
//! - `DELETE /__admin/faults`, `DELETE /__admin/faults/{id}` (404 when unknown)
//! - `POST /__admin/scenarios`: a scenario, YAML or JSON; 201 with its name and rules

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use payoutsim_core::Engine;
use payoutsim_core::admin::AdminError;
use serde_json::{Value, json};

use crate::load::{check_rule, check_rules, load_checked};
use crate::rule::Rule;
use crate::scenario::{self, Scenario};
use crate::store::{Faults, Loaded};

#[derive(Clone)]
struct Admin {
    engine: Engine,
    faults: Faults,
}

/// The routes, with their state applied.
pub fn routes(engine: Engine, faults: Faults) -> Router {
    Router::new()
        .route("/__admin/faults", get(list).post(add).delete(clear))
        .route("/__admin/faults/{id}", delete(remove))
        .route("/__admin/scenarios", post(load_scenario))
        .with_state(Admin { engine, faults })
}

fn views(rules: &[std::sync::Arc<Loaded>]) -> Value {
    json!(rules.iter().map(|r| r.view()).collect::<Vec<_>>())
}

async fn list(State(a): State<Admin>) -> Response {
    axum::Json(json!({ "rules": views(&a.faults.snapshot()) })).into_response()
}

/// A body is one rule or a list of rules.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Value>),
    One(Value),
}

/// Runs a rule load (parse, check, build the next rules) on the blocking pool: a big batch never
/// holds a worker thread that other requests, `/__admin/health` among them, are waiting for.
async fn off_the_workers(
    a: Admin,
    body: String,
    f: fn(&Admin, String) -> Result<Response, AdminError>,
) -> Result<Response, AdminError> {
    tokio::task::spawn_blocking(move || f(&a, body))
        .await
        .unwrap_or_else(|e| {
            Err(AdminError(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("loading the rules failed: {e}"),
            ))
        })
}

async fn add(State(a): State<Admin>, body: String) -> Result<Response, AdminError> {
    off_the_workers(a, body, add_now).await
}

fn add_now(a: &Admin, body: String) -> Result<Response, AdminError> {
    if body.trim().is_empty() {
        return Err(AdminError::bad_request("the body must be a fault rule"));
    }
    let parsed: OneOrMany = serde_yaml_ng::from_str(&body)
        .map_err(|e| AdminError::bad_request(format!("the body is not JSON or YAML: {e}")))?;
    let (rules, one) = match parsed {
        OneOrMany::One(v) => (vec![v], true),
        OneOrMany::Many(v) => (v, false),
    };
    let mut typed = Vec::with_capacity(rules.len());
    for (i, value) in rules.into_iter().enumerate() {
        let at = if one {
            String::new()
        } else {
            format!("[{i}].")
        };
        // Read through YAML (JSON is YAML) for errors that name the field path.
        let text = serde_json::to_string(&value).unwrap_or_default();
        let rule: Rule = serde_yaml_ng::from_str(&text)
            .map_err(|e| AdminError::bad_request(format!("{at}{}", strip(e))))?;
        typed.push(rule);
    }
    if one {
        check_rule(&a.engine, &typed[0], "").map_err(AdminError::bad_request)?;
    } else {
        check_rules(&a.engine, &typed, "").map_err(AdminError::bad_request)?;
    }
    let loaded = load_checked(&a.engine, &a.faults, typed).map_err(AdminError::bad_request)?;
    let body = if one {
        json!(loaded.first().map(|r| r.view()))
    } else {
        json!({ "rules": views(&loaded) })
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// A YAML error without its " at line L column C" (meaningless for a re-serialised body).
fn strip(e: serde_yaml_ng::Error) -> String {
    let mut m = e.to_string();
    if let Some(i) = m.rfind(" at line ") {
        m.truncate(i);
    }
    m
}

async fn clear(State(a): State<Admin>) -> Response {
    let removed = a.faults.snapshot().len();
    a.faults.clear(None);
    axum::Json(json!({ "removed": removed })).into_response()
}

async fn remove(State(a): State<Admin>, Path(id): Path<String>) -> Result<Response, AdminError> {
    if a.faults.remove(&id) {
        Ok(axum::Json(json!({ "removed": id })).into_response())
    } else {
        Err(AdminError::not_found(format!("no fault rule `{id}`")))
    }
}

async fn load_scenario(State(a): State<Admin>, body: String) -> Result<Response, AdminError> {
    off_the_workers(a, body, load_scenario_now).await
}

fn load_scenario_now(a: &Admin, body: String) -> Result<Response, AdminError> {
    let parsed =
        Scenario::parse(&body).map_err(|e| AdminError::bad_request(format!("scenario: {e}")))?;
    let notes = scenario::notes(&a.engine, &parsed);
    let loaded = scenario::apply(&a.engine, &a.faults, &parsed)
        .map_err(|e| AdminError::bad_request(format!("scenario `{}`: {e}", parsed.name)))?;
    let mut body = json!({ "name": parsed.name, "rules": views(&loaded) });
    if !notes.is_empty() {
        body["notes"] = json!(notes);
    }
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}
