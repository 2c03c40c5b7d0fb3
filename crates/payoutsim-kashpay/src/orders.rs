//! `POST /OKPay/createOrder` (seed; repo Mon19109/apis-kashpay) and `POST /OKPay/searchReference`
//! (repo verasofty/PortalKashpaySonar).
//!
//! An order debits the entity's balance when accepted (`initialBalance` -> `finalBalance =
//! initialBalance − amount`), answers status 25 (`accepted`), records a type-1 operation, and
//! later settles or is returned on the simulated clock (`lifecycle.rs`). Refused: invalid fields
//! (1010), a repeated `alphanumericReference` (1023), not enough balance (1022); nothing is
//! created then.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::forced::Forced;
use payoutsim_core::json_out;
use payoutsim_core::kit::Auth;
use serde_json::{Map, Value};

use crate::auth::Session;
use crate::catalog::{ORDER, SPEI, SPEI_OUT, magic_for, wire_status};
use crate::error::{ExactObject, JsonObject, KashpayError, json_bytes};
use crate::state::{EntityData, OperationRec, OrderRec};
use crate::validation::{Fields, NewOrder, new_order};
use crate::{Kashpay, with_entity};

pub(crate) fn routes() -> Router<Kashpay> {
    Router::new()
        .route("/OKPay/createOrder", post(create))
        .route("/OKPay/searchReference", post(search))
}

async fn create(
    State(kashpay): State<Kashpay>,
    Auth(session): Auth<Session>,
    forced: Forced,
    ExactObject(body, written): ExactObject,
) -> Result<Response, KashpayError> {
    let order = new_order(&body, written)?;
    let answer = create_order(&kashpay, &session, order, &forced)?;
    Ok(json_bytes(StatusCode::OK, answer))
}

async fn search(
    State(kashpay): State<Kashpay>,
    Auth(session): Auth<Session>,
    JsonObject(body): JsonObject,
) -> Result<Response, KashpayError> {
    let query = Query::parse(&body)?;
    let detail = with_entity(&kashpay, &session.entity, |t| {
        let order = query.candidate(t).filter(|o| query.matches(o))?;
        Some(written(ANSWER_BYTES, |out| order.write_detail_answer(out)))
    });
    let detail = detail.ok_or_else(|| {
        KashpayError::NotFound("No se encontró una orden con esa referencia".into())
    })??;
    Ok(json_bytes(StatusCode::OK, detail))
}

/// Room for an order's answer in the usual case (about 330 bytes for createOrder's, 560 for
/// searchReference's), so its buffer is not grown while the entity is locked.
const ANSWER_BYTES: usize = 640;

/// The bytes `write` writes ([`json_out::written`]), or why not, in Kashpay's envelope.
fn written(
    capacity: usize,
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> Result<Bytes, KashpayError> {
    json_out::written(capacity, write).map_err(|e| KashpayError::Internal(e.to_string()))
}

/// Accepts `order` for the session's entity: checks its reference and the balance, debits it,
/// records its type-1 operation and starts its lifecycle, destined as the request's forced
/// outcome, a magic value or success say. A refused order takes no forced outcome. Answers
/// createOrder's answer, written from the order's record.
fn create_order(
    kashpay: &Kashpay,
    session: &Session,
    order: NewOrder,
    forced: &Forced,
) -> Result<Bytes, KashpayError> {
    let tenant = &session.tenant;
    let now = kashpay.now_for(tenant);
    let machine = (kashpay.machine(ORDER, SPEI))
        .ok_or_else(|| KashpayError::Internal("no order machine".into()))?;
    with_entity(kashpay, &session.entity, |t| {
        let reference = &order.alphanumeric_reference;
        if t.references.contains_key(reference.as_str()) {
            return Err(KashpayError::DuplicateReference(reference.clone()));
        }
        if order.amount > t.balance {
            return Err(KashpayError::InsufficientFunds);
        }
        kashpay.make_room(tenant, t, 1)?;
        // Compute, then commit: the lifecycle is started (and scheduled) before the entity's
        // balance, counters or books change, and nothing after the first change can fail.
        let magic = magic_for(&order.account, order.amount);
        let destiny = kashpay.decide(&machine, forced.take(), magic);
        let number = t.next_order;
        let id = number.to_string();
        let payment = format!("{}{:012}", t.prefix, t.next_reference);
        let lc = kashpay.start(tenant, &machine, &id, destiny, now);
        let initial = t.balance;
        t.balance -= order.amount;
        t.next_order += 1;
        t.next_reference += 1;
        let operation_id = t.record(OperationRec {
            id: 0,
            kind: SPEI_OUT,
            status: wire_status(&machine.initial),
            amount: order.amount,
            initial_balance: initial,
            final_balance: t.balance,
            order_id: Some(number),
            response_code: None,
            observation: Some(order.concept.as_str().into()),
            own: None,
            created_at: now,
            updated_at: now,
        });
        let rec = OrderRec {
            id: number,
            numeric_reference: order.numeric_reference,
            alphanumeric_reference: order.alphanumeric_reference.into(),
            reference_created_payment: payment.into(),
            amount: order.amount,
            account: order.account.into(),
            account_kind: order.account_kind,
            bank_code: order.bank_code.into(),
            beneficiary_name: order.beneficiary_name.into(),
            beneficiary_email: order.email.map(String::into_boxed_str),
            concept: order.concept.into(),
            date_transaction: order.date_transaction.map(String::into_boxed_str),
            created_at: now,
            updated_at: now,
            initial_balance: initial,
            final_balance: t.balance,
            operation_id,
            lc,
        };
        let answer = written(ANSWER_BYTES, |out| rec.write_answer(out))?;
        t.references
            .insert(rec.alphanumeric_reference.clone(), number);
        t.orders.push(rec);
        Ok(answer)
    })
}

/// searchReference's body: at least one reference; `dateTransaction` narrows.
struct Query {
    alphanumeric: Option<String>,
    payment: Option<String>,
    date: Option<String>,
}

impl Query {
    fn parse(body: &Map<String, Value>) -> Result<Self, KashpayError> {
        let mut f = Fields::new(body);
        let alphanumeric = f.text("alphanumericReference", false, 30);
        let payment = f.text("referenceCreatedPayment", false, 30);
        let date = f.digits("dateTransaction", false);
        if alphanumeric.is_none() && payment.is_none() && f.errors.is_empty() {
            f.error(
                "alphanumericReference",
                "se requiere alphanumericReference o referenceCreatedPayment",
            );
        }
        f.finish()?;
        Ok(Self {
            alphanumeric,
            payment,
            date,
        })
    }

    /// The one order either reference names (each names at most one), found without a scan;
    /// [`Query::matches`] then checks the rest.
    fn candidate<'a>(&self, t: &'a EntityData) -> Option<&'a OrderRec> {
        match (&self.alphanumeric, &self.payment) {
            (Some(a), _) => t.order_by_reference(a),
            (None, Some(p)) => t.order_by_payment(p),
            (None, None) => None,
        }
    }

    fn matches(&self, o: &OrderRec) -> bool {
        self.alphanumeric
            .as_ref()
            .is_none_or(|a| **a == *o.alphanumeric_reference)
            && self
                .payment
                .as_ref()
                .is_none_or(|p| **p == *o.reference_created_payment)
            && self
                .date
                .as_ref()
                .is_none_or(|d| date_matches(d, o.date_transaction.as_deref(), o.created_at))
    }
}

/// Whether `date` names the order's day: its own `dateTransaction` as sent, or the creation day
/// as `YYYYMMDD`, `DDMMYY` or `YYMMDD` (the docs' `030421` is ambiguous between the last two).
fn date_matches(date: &str, sent: Option<&str>, created: DateTime<Utc>) -> bool {
    sent == Some(date)
        || ["%Y%m%d", "%d%m%y", "%y%m%d"]
            .iter()
            .any(|f| created.format(f).to_string() == date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_search_date_may_be_the_sent_one_or_the_creation_day_in_any_documented_form() {
        let created = Utc
            .with_ymd_and_hms(2021, 4, 3, 10, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(date_matches("20210403", None, created));
        assert!(date_matches("030421", None, created));
        assert!(date_matches("210403", None, created));
        assert!(date_matches("111111", Some("111111"), created));
        assert!(!date_matches("040421", None, created));
    }
}
