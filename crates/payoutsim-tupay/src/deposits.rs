//! `GET /v1/deposits`: the merchant's deposits created in `from..=to`, newest first, 50 a page,
//! filtered by `country`, `paymentMethod`, `status` and `clienteDocument`/`clientDocument`
//! (seed; D24's get-deposits gives the item, `model::Deposit`). The handler is `listing::list`.

use axum::Router;
use axum::routing::get;

use crate::Tupay;
use crate::listing::{Listed, list};
use crate::model::Deposit;
use crate::state::{DepositRec, Merchant};
use crate::validation::Listing;

pub(crate) fn routes() -> Router<Tupay> {
    Router::new().route("/v1/deposits", get(list::<DepositRec>))
}

impl Listed for DepositRec {
    const LISTING: Listing = Listing::Deposits;
    type Wire<'a> = Deposit<'a>;

    fn of(m: &Merchant) -> &[Self] {
        &m.deposits
    }

    fn wire<'a>(&'a self, m: &'a Merchant) -> Deposit<'a> {
        m.deposit_wire(self)
    }
}
