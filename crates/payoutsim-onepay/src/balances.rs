//! The company balance: `GET /v1/balances` (repo yelloalejo/onepay-mcp-server `src/tools.ts`),
//! and its two documented payout endpoints (page: https://docs.onepay.la/client/balance/cashout,
//! two crawls that disagree): `POST /v1/balances/cashout` (201, the balance cashout) and
//! `POST /v1/balances` (204, errors 10500/10501/10809). Both create a `balance_cashout` that moves
//! on the ACH machine like an ACH cashout.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::StatusCode;
use payoutsim_core::forced::Forced;
use payoutsim_core::kit::{Auth, ExactObject};

use crate::OnePay;
use crate::auth::Tenant;
use crate::error::{OnePayError, OnePayJson};
use crate::idempotent::{Key, Post};
use crate::lifecycle::{announce, start_payout};
use crate::model::{Amount, Balance, BalanceCashout, Data, amount_label};
use crate::state::{BALANCE_CASHOUT, BalanceCashoutRec, TenantData, magic_for};
use crate::validation::Fields;

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/v1/balances", get(show).post(pay_out))
        .route("/v1/balances/cashout", post(cashout))
}

async fn show(State(onepay): State<OnePay>, Auth(tenant): Auth<Tenant>) -> Response {
    let balance = tenant.with_data(&onepay, |t| Balance {
        available: Amount(t.available),
        available_label: amount_label(t.available),
        in_transit: Amount(t.in_transit()),
        currency: "COP".into(),
        is_test: t.is_test,
    });
    OnePayJson(Data { data: balance }).into_response()
}

/// `POST /v1/balances/cashout` {amount, account_id}: 201 with the balance cashout.
async fn cashout(forced: Forced, post: Post) -> Response {
    post.created(Key::Required, move |onepay, tenant, body| {
        let mut f = Fields::exact(body);
        let amount = f.amount("amount", true);
        let account_id = f.string("account_id", true, 255).map(String::from);
        pay_out_balance(onepay, tenant, &forced, |t| {
            if account_id
                .as_deref()
                .is_some_and(|a| t.accounts.get(a).is_none())
            {
                f.error("account_id", "The selected account id is invalid.");
            }
            f.finish()?;
            let (Some(amount), Some(account_id)) = (amount, account_id) else {
                return Err(OnePayError::Internal("validated fields missing".into()));
            };
            if amount > t.available {
                return Err(OnePayError::InsufficientFunds);
            }
            Ok((amount, account_id))
        })
    })
}

/// `POST /v1/balances` {amount?, account_id?}: 204. No amount: the whole balance; no account:
/// the tenant's first account (its "main fundable account").
async fn pay_out(forced: Forced, post: Post) -> Response {
    post.run(Key::Optional, move |onepay, tenant, body: ExactObject| {
        let mut f = Fields::exact(&body);
        let amount = f.amount("amount", false);
        let account_id = f.string("account_id", false, 255).map(String::from);
        f.finish()?;
        pay_out_balance(onepay, tenant, &forced, |t| {
            if t.available <= 0 {
                return Err(OnePayError::BalanceIsEmpty);
            }
            let account = match &account_id {
                Some(id) => t.accounts.get(id),
                None => t.accounts.iter().next(),
            };
            let account = account.ok_or(OnePayError::CompanyAccountNotFound)?;
            let amount = amount.unwrap_or(t.available);
            if amount > t.available {
                return Err(OnePayError::InsufficientFunds);
            }
            Ok((amount, account.id.clone()))
        })?;
        Ok((StatusCode::NO_CONTENT, Bytes::new()))
    })
}

/// Creates a balance cashout of the `(amount, account_id)` that `check` settles on under the
/// store lock, debits it, starts its lifecycle and announces it.
fn pay_out_balance(
    onepay: &OnePay,
    tenant: &Tenant,
    forced: &Forced,
    check: impl FnOnce(&TenantData) -> Result<(i64, String), OnePayError>,
) -> Result<BalanceCashout, OnePayError> {
    let now = onepay.now_for(&tenant.name);
    let machine = onepay
        .machine(BALANCE_CASHOUT, "ACH")
        .ok_or_else(|| OnePayError::Internal("no balance_cashout machine".into()))?;
    let created = tenant.with_data(onepay, |t| {
        let (amount, account_id) = check(t)?;
        let account = t.accounts.get(&account_id);
        let magic = magic_for(account.map_or("", |a| a.account_number.as_str()), amount);
        onepay.make_room(&tenant.name, t, 1)?;
        let (id, lc) = start_payout(onepay, &tenant.name, &machine, forced, magic, now);
        t.available -= amount;
        let rec = BalanceCashoutRec {
            id,
            account_id,
            amount,
            created_at: now,
            processed_at: None,
            remarks: None,
            lc,
        };
        let wire = t.balance_cashout_wire(&rec);
        t.balance_cashouts.insert(id, rec);
        Ok::<_, OnePayError>(wire)
    })?;
    announce(onepay, &tenant.name, "cashout.created", &created, now);
    Ok(created)
}
