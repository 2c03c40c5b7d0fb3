//! `POST /v1/accounts`, `GET /v1/accounts/{id}`, `POST /v1/accounts/{id}/validate`
//! (page: https://docs.onepay.la/client/accounts/create; client:60803877339).
//!
//! An account starts `PENDING` and becomes `ACTIVE` after 300 simulated seconds (machine
//! `account`), or at once when validated. Cashouts are accepted to either.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use payoutsim_core::Cause;
use payoutsim_core::forced::Destiny;
use payoutsim_core::kit::Auth;
use serde_json::{Map, Value};

use crate::OnePay;
use crate::auth::Tenant;
use crate::banks;
use crate::error::{Id, OnePayError, OnePayJson};
use crate::idempotent::{Key, Post};
use crate::model::Account;
use crate::state::{ACCOUNT, AccountRec};
use crate::validation::Fields;

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/v1/accounts", post(create))
        .route("/v1/accounts/{id}", get(show))
        .route("/v1/accounts/{id}/validate", post(validate))
}

pub const SUBTYPES: &[&str] = &["SAVINGS", "CHECKING", "ELECTRONIC_DEPOSIT"];

async fn create(post: Post) -> Response {
    post.created(Key::Optional, |onepay, tenant, body| {
        create_account(onepay, tenant, body)
    })
}

async fn show(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
) -> Result<Response, OnePayError> {
    let account = tenant.with_data(&onepay, |t| {
        t.accounts.get(&id).and_then(|a| t.account_wire(a))
    });
    Ok(OnePayJson(account.ok_or_else(|| OnePayError::not_found("Account"))?).into_response())
}

/// Validates the account (any `otp` is accepted): `ACTIVE` at once (logged as a back-office
/// move, `admin`).
async fn validate(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
    OnePayJson(map): OnePayJson<Map<String, Value>>,
) -> Result<Response, OnePayError> {
    let mut f = Fields::new(&map);
    f.string("otp", false, 64);
    f.finish()?;
    let now = onepay.now_for(&tenant.name);
    let (account, events) = {
        let mut store = onepay.store();
        let t = store.tenant(&tenant.name, tenant.is_test, onepay.config());
        let pending = t.accounts.get(&id).is_some_and(|a| a.lc.status != "ACTIVE");
        let mut events = Vec::new();
        if pending {
            let object = (tenant.name.as_str(), ACCOUNT, id.as_str());
            match onepay.move_locked(&mut store, object, "ACTIVE", now, Cause::Admin) {
                Ok(moved) => events = moved,
                Err(e) => tracing::warn!(%e, "onepay: account validation"),
            }
        }
        let t = store.tenant(&tenant.name, tenant.is_test, onepay.config());
        let account = t.accounts.get(&id).and_then(|a| t.account_wire(a));
        (account, events)
    };
    onepay.emit(&tenant.name, events, now);
    Ok(OnePayJson(account.ok_or_else(|| OnePayError::not_found("Account"))?).into_response())
}

fn create_account(
    onepay: &OnePay,
    tenant: &Tenant,
    body: &Map<String, Value>,
) -> Result<Account, OnePayError> {
    let mut f = Fields::new(body);
    let subtype = f.one_of("subtype", true, SUBTYPES).map(String::from);
    let authorization = f.accepted("authorization");
    let re_enroll = f.boolean("re-enrollment").unwrap_or(false);
    let account_number = f.digits_or_string("account_number");
    if let Some(n) = &account_number
        && (!(6..=20).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        f.error(
            "account_number",
            "The account number field must be between 6 and 20 digits.",
        );
    }
    let customer_id = f.string("customer_id", true, 255).map(String::from);
    let bank_id = f.string("bank_id", true, 255).map(String::from);
    if bank_id.as_deref().is_some_and(|b| banks::find(b).is_none()) {
        f.error("bank_id", "The selected bank id is invalid.");
    }
    let external_id = f.string("external_id", false, 255).map(String::from);
    let machine = onepay
        .machine(ACCOUNT, "")
        .ok_or_else(|| OnePayError::Internal("no account machine".into()))?;
    let now = onepay.now_for(&tenant.name);
    tenant.with_data(onepay, |t| {
        if customer_id
            .as_deref()
            .is_some_and(|c| t.customers.get(c).is_none())
        {
            f.error("customer_id", "The selected customer id is invalid.");
        }
        f.finish()?;
        let (
            Some(subtype),
            Some(authorization),
            Some(account_number),
            Some(customer_id),
            Some(bank_id),
        ) = (subtype, authorization, account_number, customer_id, bank_id)
        else {
            return Err(OnePayError::Internal("validated fields missing".into()));
        };
        onepay.make_room(&tenant.name, t, 1)?;
        let uid = onepay.engine().ids().uid(&tenant.name);
        let id = uid.to_string();
        let lc = onepay.start(&tenant.name, &machine, &id, Destiny::default(), now);
        let rec = AccountRec {
            id: id.clone(),
            customer_id,
            bank_id,
            account_number,
            subtype,
            authorization,
            re_enroll,
            external_id,
            created_at: now,
            lc,
        };
        let wire = t.account_wire(&rec);
        t.accounts.insert(uid, rec);
        wire.ok_or_else(|| OnePayError::Internal("account without customer".into()))
    })
}
