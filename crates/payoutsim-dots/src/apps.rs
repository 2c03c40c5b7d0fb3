//! Apps: `POST /v2/apps` (201), `GET /v2/apps` (an array, cursor parameters as documented),
//! `GET /v2/apps/{id}` (404 for an app the organisation does not have).
//!
//! A key pair is an organisation's; the apps it makes are its own data spaces, acted for with
//! `Api-App-Id: <app id>` (tenant `dots:<client_id>:<app id>`), each with its own users and
//! wallet ($100 in sandbox). `metrics` are the app wallet and the money paid out, in dollars,
//! and its users.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use payoutsim_core::kit::Auth;

use crate::auth::Caller;
use crate::error::{Body, DotsError, Id, Params, json as answer};
use crate::model::{App, Metrics, dollars};
use crate::pages::MAX_LIMIT;
use crate::state::{AppData, AppRec, Env, Store};
use crate::validation::Fields;
use crate::{Dots, tenant_name};
use payoutsim_core::ordered::{Cursor, Order, UnknownCursor};

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/api/v2/apps", get(list).post(create))
        .route("/api/v2/apps/{id}", get(show))
}

/// `rec` as `app`, with its data's metrics.
fn wire(rec: &AppRec, store: &Store) -> App {
    let data = store.apps.get(&rec.tenant);
    App {
        id: rec.id.clone(),
        name: rec.name.clone(),
        status: match data.map(|d| d.env) {
            Some(Env::Production) => "created",
            _ => "approved",
        },
        metrics: Metrics {
            wallet_balance: dollars(data.map_or(0, |d| d.wallet)),
            money_out: dollars(data.map_or(0, |d| d.money_out)),
            connected_users: data.map_or(0, |d| d.users.len()),
        },
        metadata: rec.metadata.clone(),
    }
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let name = f.string("name", true, 3, 60);
    let metadata = f.metadata("metadata");
    f.finish()?;
    let name = name.ok_or_else(|| DotsError::Internal("validated name missing".into()))?;
    let org = tenant_name(&caller.client_id);
    let now = dots.now_for(&org);
    let id = dots.engine().ids().uuid(&org);
    let tenant = format!("{org}:{id}");
    let funding = match caller.env {
        Env::Sandbox => dots.config().sandbox_funding_cents,
        Env::Production => 0,
    };
    let app = {
        let mut store = dots.store();
        let rec = AppRec {
            id: id.clone(),
            name: name.clone(),
            metadata,
            created: now,
            tenant: tenant.clone(),
        };
        let data = AppData::new(caller.env, &caller.client_id, id.clone(), name, funding);
        store.apps.insert(tenant.clone(), data);
        let wire = wire(&rec, &store);
        store
            .orgs
            .entry(caller.client_id.clone())
            .or_default()
            .insert(id, rec);
        wire
    };
    dots.declare(&tenant, Some(caller.env.name()));
    Ok(answer(StatusCode::CREATED, &app))
}

async fn list(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    params: Params,
) -> Result<Response, DotsError> {
    let limit = match params.get("limit") {
        None => crate::pages::DEFAULT_LIMIT,
        Some(s) => match s.trim().parse::<usize>() {
            Ok(n) if n <= MAX_LIMIT => n,
            _ => {
                return Err(DotsError::input(format!(
                    "limit: must be an integer from 0 to {MAX_LIMIT}"
                )));
            }
        },
    };
    let cursor = match (params.get("starting_after"), params.get("ending_before")) {
        (Some(_), Some(_)) => {
            return Err(DotsError::input(
                "starting_after and ending_before cannot be used together",
            ));
        }
        (Some(a), None) => Some(Cursor::After(a)),
        (None, Some(b)) => Some(Cursor::Before(b)),
        (None, None) => None,
    };
    let apps: Vec<App> = {
        let store = dots.store();
        match store.orgs.get(&caller.client_id) {
            None => Vec::new(),
            Some(apps) => {
                let (page, _) = (apps.page(Order::NewestFirst, limit, cursor, |_| true)).map_err(
                    |UnknownCursor { id }| {
                        DotsError::input(format!("No app with id {id} to page from"))
                    },
                )?;
                page.into_iter().map(|a| wire(a, &store)).collect()
            }
        }
    };
    Ok(answer(StatusCode::OK, &apps))
}

async fn show(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let app = {
        let store = dots.store();
        let rec = (store.orgs.get(&caller.client_id)).and_then(|apps| apps.get(&id));
        rec.map(|r| wire(r, &store))
    };
    let app = app.ok_or_else(|| DotsError::not_found("App", &id))?;
    Ok(answer(StatusCode::OK, &app))
}
