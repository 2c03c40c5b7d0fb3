//! `POST /v1/customers`, `GET /v1/customers`, `GET /v1/customers/{id}`,
//! `GET /v1/customers/{id}/accounts` (repo yelloalejo/onepay-mcp-server `src/tools.ts`).

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use payoutsim_core::kit::Auth;
use serde_json::{Map, Value};

use crate::OnePay;
use crate::auth::Tenant;
use crate::error::{Id, OnePayError, OnePayJson};
use crate::idempotent::{Key, Post};
use crate::model::{Customer, laravel_date};
use crate::pagination::{Params, paginate, paginate_iter};
use crate::validation::Fields;

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/v1/customers", get(list).post(create))
        .route("/v1/customers/{id}", get(show))
        .route("/v1/customers/{id}/accounts", get(accounts))
}

pub const USER_TYPES: &[&str] = &["natural", "company"];
pub const DOCUMENT_TYPES: &[&str] = &["CC", "CE", "NIT", "PASSPORT", "TI", "PEP"];

async fn create(post: Post) -> Response {
    post.created(Key::Optional, |onepay, tenant, body| {
        create_customer(onepay, tenant, body)
    })
}

async fn list(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    params: Params,
) -> Result<Response, OnePayError> {
    let page = tenant.with_data(&onepay, |t| {
        paginate_iter(t.customers.iter().rev(), &params).map(Customer::clone)
    });
    Ok(OnePayJson(page).into_response())
}

async fn show(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
) -> Result<Response, OnePayError> {
    let customer = tenant.with_data(&onepay, |t| t.customers.get(&id).cloned());
    let customer = customer.ok_or_else(|| OnePayError::not_found("Customer"))?;
    Ok(OnePayJson(customer).into_response())
}

async fn accounts(
    State(onepay): State<OnePay>,
    Auth(tenant): Auth<Tenant>,
    Id(id): Id,
    params: Params,
) -> Result<Response, OnePayError> {
    let accounts = tenant.with_data(&onepay, |t| {
        t.customers.get(&id)?;
        let list: Vec<_> = (t.accounts.iter().rev())
            .filter(|a| a.customer_id == id)
            .filter_map(|a| t.account_wire(a))
            .collect();
        Some(list)
    });
    let accounts = accounts.ok_or_else(|| OnePayError::not_found("Customer"))?;
    Ok(OnePayJson(paginate(accounts, &params)).into_response())
}

fn create_customer(
    onepay: &OnePay,
    tenant: &Tenant,
    body: &Map<String, Value>,
) -> Result<Customer, OnePayError> {
    let mut f = Fields::new(body);
    let user_type = f.one_of("user_type", true, USER_TYPES).map(String::from);
    let natural = user_type.as_deref() == Some("natural");
    let first_name = f.string("first_name", natural, 255).map(String::from);
    let last_name = f.string("last_name", natural, 255).map(String::from);
    let email = f.email("email");
    let phone = f.string("phone", false, 30).map(String::from);
    let document_type = f
        .one_of("document_type", true, DOCUMENT_TYPES)
        .map(String::from);
    let document_number = f.digits_or_string("document_number");
    if let Some(n) = &document_number {
        let ok = (5..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            f.error(
                "document_number",
                "The document number field must be 5 to 20 letters or digits.",
            );
        }
    }
    let nationality = f.string("nationality", false, 64).map(String::from);
    let birthdate = f.date("birthdate");
    let enable_notifications = f.boolean("enable_notifications").unwrap_or(false);
    f.finish()?;
    let (Some(user_type), Some(email), Some(document_type), Some(document_number)) =
        (user_type, email, document_type, document_number)
    else {
        return Err(OnePayError::Internal("validated fields missing".into()));
    };
    let now = onepay.now_for(&tenant.name);
    let uid = onepay.engine().ids().uid(&tenant.name);
    let id = uid.to_string();
    let customer = Customer {
        id: id.clone(),
        user_type,
        first_name,
        last_name,
        email,
        phone,
        document_type,
        document_number,
        nationality,
        birthdate,
        enable_notifications,
        is_test: tenant.is_test,
        created_at: laravel_date(now),
        updated_at: laravel_date(now),
    };
    tenant.with_data(onepay, |t| {
        onepay.make_room(&tenant.name, t, 1)?;
        t.customers.insert(uid, customer.clone());
        Ok::<_, OnePayError>(())
    })?;
    Ok(customer)
}
