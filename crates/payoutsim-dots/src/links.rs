//! Payout links: `POST|GET /v2/payout-links`, `GET|DELETE /v2/payout-links/{id}` (DELETE
//! cancels and answers the link), `POST /v2/payout-links/{id}/redeliver`, and
//! `POST /v2/payouts/send-payout` (a link sent by SMS to a user or a payee's phone).
//!
//! A link holds its amount from the app wallet: 201 when the wallet covers it, otherwise 202
//! with status `funds_pending` (the document's words, outside its status enum); such a link is
//! funded, in creation order, when the app wallet is funded. A funded link is delivered (its
//! first delivery) and then waits for its payee: `created` -> `delivered` for `link` delivery,
//! `created` -> `delivery_pending` -> `sent` for `sms`, `email`, `all`. It is delivered at most
//! 5 times, the first included: the fifth redeliver is refused with 400. Canceled, expired or
//! failed, its money goes back to the app wallet; claimed (back office), it is paid out.
//! A seen `idempotency_key` returns the existing link, whatever the body.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::Cause;
use payoutsim_core::forced::Forced;
use payoutsim_core::kit::Auth;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::error::{Body, DotsError, Id, Params, json as answer};
use crate::idempotent::{self, Repeat, reply};
use crate::model::{Delivery, Payee, Redelivered};
use crate::pages::PageQuery;
use crate::render;
use crate::state::{AppData, FlowRec, LINK_TERMINAL, LinkRec, PAYOUT_LINK};
use crate::transfers::MAX_AMOUNT;
use crate::users::user_of;
use crate::validation::Fields;
use crate::{Dots, flows};
use payoutsim_core::ordered::Order;

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/api/v2/payout-links", get(list).post(create))
        .route("/api/v2/payout-links/{id}", get(show).delete(cancel))
        .route("/api/v2/payout-links/{id}/redeliver", post(redeliver))
}

/// Delivery methods.
pub const METHODS: &[&str] = &["link", "sms", "email", "all"];

/// A link request, validated.
struct LinkRequest {
    amount: i64,
    user_id: Option<String>,
    payee: Payee,
    method: String,
    message_email: Option<String>,
    tax_exempt: bool,
    metadata: Value,
    memo: Option<String>,
    key: Option<String>,
    steps: Vec<String>,
    accounting: (Option<i64>, Option<i64>),
    funding_source: String,
}

/// Reads the fields of a payee object (all strings; extra ones ignored).
fn payee(f: &mut Fields<'_>, map: &Map<String, Value>, required: bool) -> Payee {
    let Some(p) = f.object("payee", false) else {
        return Payee::default();
    };
    let _ = map;
    let mut pf = Fields::at(p, "payee.");
    let payee = Payee {
        first_name: pf.string("first_name", false, 1, 50),
        last_name: pf.string("last_name", false, 1, 50),
        email: pf.email("email", false),
        country_code: pf.digits("country_code", required, 3),
        phone_number: pf.digits("phone_number", required, 20),
    };
    if let Err(e) = pf.finish() {
        f.error("payee", &e.to_string().replacen("payee.", "", 1));
    }
    payee
}

/// Reads the accounting data object.
fn accounting(f: &mut Fields<'_>) -> (Option<i64>, Option<i64>) {
    let Some(a) = f.object("accounting_data", false) else {
        return (None, None);
    };
    let mut af = Fields::at(a, "accounting_data.");
    let ids = (
        af.integer("quickbooks_account_id", false, 0, i64::MAX),
        af.integer("quickbooks_class_id", false, 0, i64::MAX),
    );
    if let Err(e) = af.finish() {
        f.error("accounting_data", &e.to_string());
    }
    ids
}

fn read_link(map: &Map<String, Value>, send_payout: bool) -> Result<LinkRequest, DotsError> {
    let mut f = Fields::new(map);
    let amount = f.integer("amount", true, 1, MAX_AMOUNT);
    let user_id = f.uuid("user_id", false);
    let payee = payee(&mut f, map, send_payout);
    let delivery = f.object("delivery", false);
    let (method, message_email) = match delivery {
        Some(d) => {
            let mut df = Fields::at(d, "delivery.");
            df.string("message", false, 0, 1000);
            let method = if send_payout {
                // send-payout delivers by SMS; `delivery.method` real clients send is ignored.
                Some("sms".to_string())
            } else {
                df.one_of("method", false, METHODS)
            };
            let email = df.email("email", false);
            if let Err(e) = df.finish() {
                f.error("delivery", &e.to_string());
            }
            (method, email)
        }
        None => (None, None),
    };
    let method = method.unwrap_or_else(|| if send_payout { "sms" } else { "link" }.into());
    f.boolean("force_collect_compliance_information");
    f.boolean("hide_go_to_dashboard_on_complete");
    let tax_exempt = f.boolean("tax_exempt").unwrap_or(false);
    let metadata = f.metadata("metadata").unwrap_or(Value::Null);
    let memo = f.string("memo", false, 0, 1000);
    let key = f.uuid("idempotency_key", false);
    f.one_of("payout_fee_party", false, &["user", "platform"]);
    let steps = flows::read_steps(&mut f, "additional_steps", false).unwrap_or_default();
    let accounting = accounting(&mut f);
    let funding_source = (f.one_of("funding_source", false, &["dots_balance", "ach"]))
        .unwrap_or_else(|| "dots_balance".into());
    if send_payout && user_id.is_none() && payee.phone_number.is_none() {
        f.error(
            "user_id",
            "a user_id or a payee {country_code, phone_number} is required",
        );
    }
    f.finish()?;
    let amount = amount.ok_or_else(|| DotsError::Internal("validated amount missing".into()))?;
    Ok(LinkRequest {
        amount,
        user_id,
        payee,
        method,
        message_email,
        tax_exempt,
        metadata,
        memo,
        key,
        steps,
        accounting,
        funding_source,
    })
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    forced: Forced,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let req = read_link(&map, false)?;
    let reply = idempotent::run(
        &dots,
        &caller.tenant,
        "/v2/payout-links",
        req.key.clone().as_deref(),
        Repeat::ReturnFirst,
        || make_link(&dots, &caller, &req, &forced, false),
    )?;
    Ok(idempotent::answer(reply))
}

/// `POST /v2/payouts/send-payout`: a link delivered by SMS; the app wallet must cover it.
pub(crate) async fn send_payout(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    forced: Forced,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let req = read_link(&map, true)?;
    let reply = idempotent::run(
        &dots,
        &caller.tenant,
        "/v2/payouts/send-payout",
        req.key.clone().as_deref(),
        Repeat::ReturnFirst,
        || make_link(&dots, &caller, &req, &forced, true),
    )?;
    Ok(idempotent::answer(reply))
}

/// Makes the link of `req` (and its flow): funded and started when the app wallet covers it,
/// else waiting for funds (refused for send-payout).
fn make_link(
    dots: &Dots,
    caller: &Caller,
    req: &LinkRequest,
    forced: &Forced,
    must_fund: bool,
) -> Result<idempotent::Reply, DotsError> {
    let now = dots.now_for(&caller.tenant);
    let id = dots.engine().ids().uuid(&caller.tenant);
    let flow_id = dots.engine().ids().uuid(&caller.tenant);
    let (wire, funded) = caller.with_app(dots, |app| {
        let mut payee = req.payee.clone();
        if let Some(u) = &req.user_id {
            let user = user_of(app, u)?;
            payee
                .country_code
                .get_or_insert(user.phone.country_code.clone());
            payee
                .phone_number
                .get_or_insert(user.phone.phone_number.clone());
            payee.email.get_or_insert(user.email.clone());
            payee.first_name.get_or_insert(user.first_name.clone());
            payee.last_name.get_or_insert(user.last_name.clone());
        }
        let delivery = delivery_of(&req.method, &payee, req.message_email.clone())?;
        let funded = app.wallet >= req.amount;
        if must_fund && !funded {
            return Err(DotsError::insufficient("app", app.wallet, req.amount));
        }
        // The link and its flow.
        dots.make_room(&caller.tenant, app, 2)?;
        let mut steps = vec!["payout".to_string()];
        steps.extend(req.steps.iter().filter(|s| *s != "payout").cloned());
        app.flows.insert(
            flow_id.clone(),
            FlowRec {
                id: flow_id.clone(),
                created: now,
                user_id: req.user_id.clone(),
                steps,
                metadata: Value::Null,
                payout_link_id: Some(id.clone()),
            },
        );
        let mut rec = LinkRec {
            id: id.clone(),
            created: now,
            amount: req.amount,
            user_id: req.user_id.clone(),
            payee,
            delivery,
            tax_exempt: req.tax_exempt,
            memo: req.memo.clone(),
            metadata: req.metadata.clone(),
            accounting: req.accounting,
            funding_source: req.funding_source.clone(),
            flow_id: flow_id.clone(),
            transfer_id: None,
            claimed_user_id: None,
            deliveries: 0,
            funded: false,
            refunded: false,
            lc: None,
            canceled_unfunded: false,
        };
        if funded {
            fund_link(dots, &caller.tenant, app, &mut rec, forced.take(), now)?;
        }
        let wire = render::link(&rec, app.env);
        app.links.insert(id.clone(), rec);
        Ok((wire, funded))
    })?;
    let status = if funded {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    reply(status, &wire)
}

/// How a link is delivered: `sms` needs a phone number, `email` an address, `all` both.
fn delivery_of(method: &str, payee: &Payee, email: Option<String>) -> Result<Delivery, DotsError> {
    let email = email.or_else(|| payee.email.clone());
    let phone = payee.phone_number.is_some();
    let needs_phone = matches!(method, "sms" | "all");
    let needs_email = matches!(method, "email" | "all");
    if needs_phone && !phone {
        return Err(DotsError::input(format!(
            "delivery.method {method} needs a payee phone_number or a user_id"
        )));
    }
    if needs_email && email.is_none() {
        return Err(DotsError::input(format!(
            "delivery.method {method} needs a payee email or a user_id"
        )));
    }
    Ok(Delivery {
        method: method.to_string(),
        email: needs_email.then_some(email).flatten(),
        country_code: needs_phone.then(|| payee.country_code.clone()).flatten(),
        phone_number: needs_phone.then(|| payee.phone_number.clone()).flatten(),
    })
}

/// Holds `rec`'s amount from the app wallet and starts its lifecycle (its first delivery).
pub fn fund_link(
    dots: &Dots,
    tenant: &str,
    app: &mut AppData,
    rec: &mut LinkRec,
    forced: Option<payoutsim_core::forced::ForcedOutcome>,
    now: DateTime<Utc>,
) -> Result<(), DotsError> {
    let lc = start_link(dots, tenant, (&rec.id, &rec.delivery.method), forced, now)?;
    app.wallet -= rec.amount;
    rec.funded = true;
    rec.deliveries = 1;
    rec.lc = Some(lc);
    Ok(())
}

/// The lifecycle of link `id` delivered by `method`, started now.
fn start_link(
    dots: &Dots,
    tenant: &str,
    (id, method): (&str, &str),
    forced: Option<payoutsim_core::forced::ForcedOutcome>,
    now: DateTime<Utc>,
) -> Result<payoutsim_core::machine::Lifecycle, DotsError> {
    let variant = if method == "link" { "link" } else { "sms" };
    let machine = (dots.machine(PAYOUT_LINK, variant))
        .ok_or_else(|| DotsError::Internal(format!("no payout link machine {variant}")))?;
    let destiny = dots.decide::<i64>(&machine, forced, None);
    Ok(dots.start(tenant, &machine, id, destiny, now))
}

/// Funds, in creation order, the links of `app` waiting for funds that its wallet now covers.
pub fn fund_waiting(dots: &Dots, tenant: &str, app: &mut AppData, now: DateTime<Utc>) -> usize {
    let waiting: Vec<(String, String, i64)> = (app.links.iter())
        .filter(|l| l.lc.is_none() && !l.canceled_unfunded)
        .map(|l| (l.id.clone(), l.delivery.method.clone(), l.amount))
        .collect();
    let mut funded = 0;
    for (id, method, amount) in waiting {
        if app.wallet < amount {
            continue;
        }
        let Ok(lc) = start_link(dots, tenant, (&id, &method), None, now) else {
            continue;
        };
        if let Some(l) = app.links.get_mut(&id) {
            app.wallet -= amount;
            l.funded = true;
            l.deliveries = 1;
            l.lc = Some(lc);
            funded += 1;
        }
    }
    funded
}

async fn show(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let link = caller.with_app(&dots, |app| {
        (app.links.get(&id))
            .map(|l| render::link(l, app.env))
            .ok_or_else(|| DotsError::not_found("Payout link", &id))
    })?;
    Ok(answer(StatusCode::OK, &link))
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
            &app.links,
            Order::NewestFirst,
            |_| true,
            |l| render::link(l, env),
        )
    })?;
    Ok(answer(StatusCode::OK, &body))
}

async fn cancel(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let now = dots.now_for(&caller.tenant);
    let (wire, events) = {
        let mut store = dots.store();
        let app = (store.apps.get_mut(&caller.tenant))
            .ok_or_else(|| DotsError::Forbidden("This app no longer exists".into()))?;
        let link =
            (app.links.get_mut(&id)).ok_or_else(|| DotsError::not_found("Payout link", &id))?;
        let status = link.status().to_string();
        if LINK_TERMINAL.contains(&status.as_str()) {
            return Err(DotsError::input(format!(
                "Payout link {id} is {status} and cannot be canceled"
            )));
        }
        let events = if link.lc.is_none() {
            link.canceled_unfunded = true;
            Vec::new()
        } else {
            let at = (caller.tenant.as_str(), PAYOUT_LINK, id.as_str());
            (dots.move_locked(&mut store, at, "canceled", now, Cause::Timeline))
                .map_err(|e| DotsError::Internal(e.to_string()))?
        };
        let app = (store.apps.get(&caller.tenant))
            .ok_or_else(|| DotsError::Internal("app vanished".into()))?;
        let wire = (app.links.get(&id)).map(|l| render::link(l, app.env));
        (
            wire.ok_or_else(|| DotsError::Internal("link vanished".into()))?,
            events,
        )
    };
    dots.emit(&caller.tenant, events, now);
    Ok(answer(StatusCode::OK, &wire))
}

async fn redeliver(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let max = dots.config().max_link_deliveries;
    let now = dots.now_for(&caller.tenant);
    let (wire, events) = caller.with_app(&dots, |app| {
        let env = app.env;
        let link =
            (app.links.get_mut(&id)).ok_or_else(|| DotsError::not_found("Payout link", &id))?;
        let status = link.status().to_string();
        if link.lc.is_none() || LINK_TERMINAL.contains(&status.as_str()) {
            return Err(DotsError::input(format!(
                "Payout link {id} is {status} and cannot be redelivered"
            )));
        }
        if link.deliveries >= max {
            return Err(DotsError::input(format!(
                "Payout link {id} was already delivered {max} times"
            )));
        }
        link.deliveries += 1;
        let wire = render::link(link, env);
        let events = crate::webhooks::link_events(app, &id, "sent");
        Ok((wire, events))
    })?;
    dots.emit(&caller.tenant, events, now);
    let body = Redelivered {
        payout_link: wire,
        redelivered: true,
    };
    Ok(answer(StatusCode::OK, &body))
}
