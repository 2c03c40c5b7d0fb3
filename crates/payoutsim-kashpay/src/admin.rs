//! Kashpay's back office, served by the core under `/__admin/providers/kashpay/`
//! (errors `{"error": "..."}`):
//! - `POST /fund` {tenant, amount}: credits an entity's balance (a type-3 `SPEI DE ENTRADA`)
//! - `POST /users` {tenant, user, password}: adds a user to an entity (the only way a second
//!   user joins one), or sets a known user's password
//! - `POST /orders/{id}/status` {status, tenant?}: forces an order's status
//! - `GET /orders?tenant=&limit=&offset=`, `GET /operations?tenant=&limit=&offset=`: a page of
//!   an entity's orders / operations
//!
//! and [`provision`] (a scenario's `setup.tenants`) and [`objects`], what
//! `GET /__admin/providers/kashpay/objects` shows.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use payoutsim_core::admin::{AdminError, AdminJson, AdminQuery};
use payoutsim_core::kit::{self, Found};
use payoutsim_core::page::Paging;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{is_entity, usable};
use crate::catalog::{ORDER, SPEI_IN, status_named, wire_status};
use crate::model::Money;
use crate::state::{EntityData, OperationRec, OwnTexts, Store};
use crate::validation::cents_of;
use crate::{Kashpay, with_entity};

/// The kinds `objects` knows.
pub const KINDS: &[&str] = &["entity", ORDER, "operation"];

pub(crate) fn routes() -> Router<Kashpay> {
    Router::new()
        .route("/fund", kit::fund())
        .route("/users", post(add_user))
        .route("/orders/{id}/status", post(force_status))
        .route("/orders", get(orders))
        .route("/operations", get(operations))
}

/// Forces order `id`'s status (a status name or its wire number); answers the order as
/// searchReference shows it. The kit finds the entity, asks `check_move`, moves the order and
/// applies its side effects.
async fn force_status(
    State(kashpay): State<Kashpay>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Status>,
) -> Result<Json<Value>, AdminError> {
    let to = status_named(&body.status).ok_or_else(|| {
        AdminError::bad_request(format!(
            "`{}` is not an order status (accepted/25, settled/26, returned/27)",
            body.status
        ))
    })?;
    let render = |store: &mut Store, found: &Found| {
        let detail = (store.entities.get(&found.tenant))
            .and_then(|t| t.order(&id))
            .map(|o| o.detail());
        serde_json::to_value(detail).unwrap_or(Value::Null)
    };
    kashpay
        .force(body.tenant.as_deref(), &[ORDER], &id, to, render)
        .map(Json)
}

async fn orders(
    State(kashpay): State<Kashpay>,
    AdminQuery(q): AdminQuery<Of>,
) -> Result<Json<Value>, AdminError> {
    listing(&kashpay, &q, ORDER).map(Json)
}

async fn operations(
    State(kashpay): State<Kashpay>,
    AdminQuery(q): AdminQuery<Of>,
) -> Result<Json<Value>, AdminError> {
    listing(&kashpay, &q, "operation").map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    status: String,
    tenant: Option<String>,
}

/// `POST /users`: `{tenant, user, password}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    tenant: String,
    user: String,
    password: String,
}

/// Adds `user` to the entity (201), provisioning the entity if new, or sets the password of a
/// user it already has (200). A user of another entity is a 409. The answer never repeats the
/// password.
async fn add_user(
    State(kashpay): State<Kashpay>,
    AdminJson(body): AdminJson<NewUser>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let entity = entity_of(&body.tenant)?;
    let field = |name: &str, value: &'_ str| -> Result<String, AdminError> {
        usable(value).map(str::to_string).ok_or_else(|| {
            AdminError::bad_request(format!(
                "`{name}` must be 1 to 128 characters with no control characters"
            ))
        })
    };
    let (user, password) = (
        field("user", &body.user)?,
        field("password", &body.password)?,
    );
    kashpay.declare(&body.tenant, None);
    with_entity(&kashpay, entity, |_| ());
    let mut store = kashpay.store();
    let status = match store.users.get_mut(&user) {
        Some(known) if known.entity != entity => {
            return Err(AdminError::conflict(format!(
                "user `{user}` belongs to entity `{}`",
                known.entity
            )));
        }
        Some(known) => {
            known.password = password;
            StatusCode::OK
        }
        None => {
            store.add_user(&user, entity, &password);
            StatusCode::CREATED
        }
    };
    Ok((status, Json(json!({ "tenant": body.tenant, "user": user }))))
}

#[derive(Deserialize)]
struct Of {
    tenant: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// The entity of a tenant name `kashpay:<entity>`.
pub(crate) fn entity_of(tenant: &str) -> Result<&str, AdminError> {
    tenant
        .strip_prefix("kashpay:")
        .filter(|e| is_entity(e))
        .ok_or_else(|| {
            AdminError::bad_request(format!(
                "`tenant` must be `kashpay:<entity>`, got `{tenant}`"
            ))
        })
}

/// Makes an entity exist before its first authentication (`Provider::provision`), with the
/// sandbox starting balance; its first user and password are bound by that authentication. A
/// known entity is left as it is.
pub(crate) fn provision(kashpay: &Kashpay, tenant: &str) -> Result<Value, AdminError> {
    let entity = entity_of(tenant)?;
    kashpay.declare(tenant, None);
    Ok(with_entity(
        kashpay,
        entity,
        |t| json!({ "tenant": tenant, "balance": Money(t.balance) }),
    ))
}

/// Credits an entity's balance (`Provider::fund`), recorded as a type-3 operation.
pub(crate) fn fund(kashpay: &Kashpay, tenant: &str, amount: &str) -> Result<Value, AdminError> {
    let entity = entity_of(tenant)?;
    let cents = cents_of(amount).ok().filter(|c| *c > 0).ok_or_else(|| {
        AdminError::bad_request("`amount` must be a positive number with at most 2 decimals")
    })?;
    let now = kashpay.declare(tenant, None);
    with_entity(kashpay, entity, |t| {
        let overflow = || AdminError::bad_request("the balance would overflow");
        let balance = t.balance.checked_add(cents).ok_or_else(overflow)?;
        t.funded = t.funded.checked_add(cents).ok_or_else(overflow)?;
        let initial = std::mem::replace(&mut t.balance, balance);
        t.record(OperationRec {
            id: 0,
            kind: SPEI_IN,
            status: wire_status("settled"),
            amount: cents,
            initial_balance: initial,
            final_balance: balance,
            order_id: None,
            response_code: None,
            observation: Some("Fondeo desde el back office".into()),
            own: Some(Box::new(OwnTexts {
                target_name: Some(t.name.as_str().into()),
                target_id: Some(t.clabe.as_str().into()),
                target_id_code: Some("90646".into()),
                ..OwnTexts::default()
            })),
            created_at: now,
            updated_at: now,
        });
        Ok(json!({ "tenant": tenant, "balance": Money(t.balance) }))
    })
}

/// A page of one entity's orders or operations, oldest first (the newest `limit` without
/// `offset`, see `payoutsim_core::page::window`), with `total` and `next_offset`: the page is cut
/// out of the entity's table and only its rows are rendered.
fn listing(kashpay: &Kashpay, q: &Of, kind: &str) -> Result<Value, AdminError> {
    let tenant =
        (q.tenant.as_deref()).ok_or_else(|| AdminError::bad_request("`tenant` is required"))?;
    entity_of(tenant)?;
    let paging = Paging {
        limit: q.limit,
        offset: q.offset,
    };
    let store = kashpay.store();
    let t = (store.entities.get(tenant))
        .ok_or_else(|| AdminError::not_found(format!("no entity `{tenant}`")))?;
    let (items, total, next_offset) = match kind {
        ORDER => {
            let page = paging.window_iter(t.orders.iter())?;
            let items: Vec<Value> = page.items.iter().map(|o| json!(o.detail())).collect();
            (items, page.total, page.next_offset)
        }
        _ => {
            let page = paging.window_iter(t.operations.iter())?;
            let items: Vec<Value> = (page.items.iter())
                .map(|o| json!(t.operation_wire(o)))
                .collect();
            (items, page.total, page.next_offset)
        }
    };
    Ok(json!({ "tenant": tenant, kind: items, "total": total, "next_offset": next_offset }))
}

/// `{"objects": [{kind, tenant, id, object, lifecycle?}]}`, for one tenant and/or kind.
pub(crate) fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
    kit::objects_view(&store.entities, KINDS, tenant, kind, entity_objects)
}

fn entity_objects(t: &EntityData, tenant: &str, kind: &str, out: &mut kit::Objects) {
    let entry =
        |id: &str, object: Value, lifecycle| kit::entry(kind, tenant, id, object, lifecycle);
    match kind {
        "entity" => {
            let mut e = entry(&t.entity, json!(t.onsigna_entity()), None);
            if let Some(map) = e.as_object_mut() {
                map.insert(
                    "money".into(),
                    json!({
                        "balance": Money(t.balance),
                        "in_flight": Money(t.in_flight()),
                        "paid_out": Money(t.paid_out()),
                        "funded": Money(t.funded),
                    }),
                );
            }
            out.push(e);
        }
        ORDER => out.extend(
            (t.orders.iter()).map(|o| entry(&o.id.to_string(), json!(o.detail()), Some(&o.lc))),
        ),
        "operation" => out.extend(
            (t.operations.iter())
                .map(|o| entry(&o.id.to_string(), json!(t.operation_wire(o)), None)),
        ),
        _ => {}
    }
}
