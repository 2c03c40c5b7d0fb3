//! `GET /v1/cashout` (Tupay's spelling) and `GET /v1/cashouts` (D24's): the merchant's cashouts
//! created in `from..=to`, newest first, 50 a page, filtered by `country`, `status` and
//! `clienteDocument`/`clientDocument`, and by `paymentMethod`, which Tupay's table lists: it
//! matches the rail the cashout is paid on, a field D24's item (`model::Cashout`) does not show.
//! The handler is `listing::list`.

use axum::Router;
use axum::routing::get;

use crate::Tupay;
use crate::listing::{Listed, list};
use crate::model::Cashout;
use crate::state::{CashoutRec, Merchant};
use crate::validation::Listing;

pub(crate) fn routes() -> Router<Tupay> {
    Router::new()
        .route("/v1/cashout", get(list::<CashoutRec>))
        .route("/v1/cashouts", get(list::<CashoutRec>))
}

impl Listed for CashoutRec {
    const LISTING: Listing = Listing::Cashouts;
    type Wire<'a> = Cashout<'a>;

    fn of(m: &Merchant) -> &[Self] {
        &m.cashouts
    }

    fn wire<'a>(&'a self, m: &'a Merchant) -> Cashout<'a> {
        m.cashout_wire(self)
    }
}
