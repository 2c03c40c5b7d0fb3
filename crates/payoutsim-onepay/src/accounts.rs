//! `POST /v1/accounts`, `GET /v1/accounts/{id}`, `POST /v1/accounts/{id}/validate`
//! (page: https://docs.onepay.la/client/accounts/create; client:60803877339).
//!
//! An account starts `PENDING` and becomes `ACTIVE` after 300 simulated seconds (machine
//! `account`), or at once when validated. Cashouts are accepted to either.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::OnePay;
use crate::auth::Tenant;
use crate::banks;
use crate::error::{Id, OnePayError, OnePayJson, RawBody, parse_object};
use crate::idempotent::{Key, Post, reply};
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
    post.run(Key::Optional, |onepay, tenant, map| {
        reply(StatusCode::CREATED, &onepay.create_account(tenant, &map)?)
    })
}

async fn show(
    State(onepay): State<OnePay>,
    tenant: Tenant,
    Id(id): Id,
) -> Result<Response, OnePayError> {
    let account = onepay.with_tenant(&tenant, |t| {
        t.accounts.get(&id).and_then(|a| t.account_wire(a))
    });
    Ok(OnePayJson(account.ok_or_else(not_found)?).into_response())
}

/// Validates the account (any `otp` is accepted): `ACTIVE` at once.
async fn validate(
    State(onepay): State<OnePay>,
    tenant: Tenant,
    Id(id): Id,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, OnePayError> {
    let map = parse_object(&headers, &body)?;
    let mut f = Fields::new(&map);
    f.string("otp", false, 64);
    f.finish()?;
    let machine = onepay
        .machine(ACCOUNT, "")
        .ok_or_else(|| OnePayError::Internal("no account machine".into()))?;
    let engine = onepay.engine();
    let now = engine.now_for(&tenant.name);
    let account = onepay.with_tenant(&tenant, |t| {
        let a = t.accounts.get_mut(&id)?;
        if a.lc.status != "ACTIVE" {
            let forced = engine.force_lifecycle(
                "onepay",
                &tenant.name,
                &machine,
                &id,
                &mut a.lc,
                "ACTIVE",
                now,
            );
            if let Err(e) = forced {
                tracing::warn!(%e, "onepay: account validation");
            }
        }
        let a = t.accounts.get(&id)?;
        t.account_wire(a)
    });
    Ok(OnePayJson(account.ok_or_else(not_found)?).into_response())
}

fn not_found() -> OnePayError {
    OnePayError::NotFound("Account not found.".into())
}

impl OnePay {
    fn create_account(
        &self,
        tenant: &Tenant,
        body: &Map<String, Value>,
    ) -> Result<Account, OnePayError> {
        let mut f = Fields::new(body);
        let subtype = f.one_of("subtype", true, SUBTYPES);
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
        let customer_id = f.string("customer_id", true, 255);
        let bank_id = f.string("bank_id", true, 255);
        if bank_id.as_deref().is_some_and(|b| banks::find(b).is_none()) {
            f.error("bank_id", "The selected bank id is invalid.");
        }
        let machine = self
            .machine(ACCOUNT, "")
            .ok_or_else(|| OnePayError::Internal("no account machine".into()))?;
        let engine = self.engine();
        let now = engine.now_for(&tenant.name);
        self.with_tenant(tenant, |t| {
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
            let id = engine.ids.uuid(&tenant.name);
            let lc = engine.start_lifecycle("onepay", &tenant.name, &machine, &id, None, now);
            let rec = AccountRec {
                id: id.clone(),
                customer_id,
                bank_id,
                account_number,
                subtype,
                authorization,
                re_enroll,
                created_at: now,
                lc,
            };
            let wire = t.account_wire(&rec);
            t.accounts.insert(&id, rec);
            wire.ok_or_else(|| OnePayError::Internal("account without customer".into()))
        })
    }
}
