//! `GET /v1/banks` and `GET /v1/accounts/banks`: a fixed catalogue of Colombian banks, as a
//! Laravel page. Account creation checks `bank_id` against it.

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use payoutsim_core::kit::Auth;
use serde::Serialize;

use crate::OnePay;
use crate::auth::Tenant;
use crate::error::{OnePayError, OnePayJson};
use crate::model::BankRef;
use crate::pagination::{self, Params};

pub(crate) fn routes() -> Router<OnePay> {
    Router::new()
        .route("/v1/banks", get(list))
        .route("/v1/accounts/banks", get(list))
}

/// A bank of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bank {
    pub id: &'static str,
    pub name: &'static str,
    pub logo: &'static str,
}

impl Bank {
    /// The bank as embedded in another object (`base64_logo: null` where OnePay shows it).
    pub fn as_ref(&self, with_base64: bool) -> BankRef {
        BankRef {
            id: self.id.to_string(),
            name: self.name.to_string(),
            logo: self.logo.to_string(),
            base64_logo: with_base64.then_some(None),
        }
    }
}

/// The catalogue: fixed ids, so clients can hard-code them in tests.
pub const BANKS: &[Bank] = &[
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a01",
        name: "Bancolombia",
        logo: "https://cdn.onepay.la/banks/bancolombia.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a02",
        name: "Banco de Bogotá",
        logo: "https://cdn.onepay.la/banks/banco-de-bogota.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a03",
        name: "Davivienda",
        logo: "https://cdn.onepay.la/banks/davivienda.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a04",
        name: "BBVA Colombia",
        logo: "https://cdn.onepay.la/banks/bbva-colombia.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a05",
        name: "Banco de Occidente",
        logo: "https://cdn.onepay.la/banks/banco-de-occidente.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a06",
        name: "Banco Popular",
        logo: "https://cdn.onepay.la/banks/banco-popular.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a07",
        name: "Nequi",
        logo: "https://cdn.onepay.la/banks/nequi.png",
    },
    Bank {
        id: "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a08",
        name: "Daviplata",
        logo: "https://cdn.onepay.la/banks/daviplata.png",
    },
];

pub fn find(id: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.id == id)
}

async fn list(_caller: Auth<Tenant>, params: Params) -> Result<Response, OnePayError> {
    let page = pagination::paginate(BANKS.to_vec(), &params);
    Ok(axum::response::IntoResponse::into_response(OnePayJson(
        page,
    )))
}
