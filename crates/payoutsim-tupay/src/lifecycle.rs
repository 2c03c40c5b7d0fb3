//! What a status change does to a Tupay record: it stamps `lastChangeDate`. The rest follows
//! from the status when the record is shown (a deposit's fee once COMPLETED, a cashout's
//! credited and debited amounts and voucher once COMPLETED) and when the report sums it (only
//! COMPLETED transactions count), so the lists, the report and the balance change together.

use payoutsim_core::Transition;

use crate::state::{Record, Store, find_mut};
use crate::statuses::{CASHOUT, DEPOSIT};

pub(crate) fn on_transition(store: &mut Store, change: &Transition) {
    let Some(m) = store.merchants.get_mut(&change.tenant) else {
        return;
    };
    // The back office moved one of its records: never evicted from now on.
    m.touched = true;
    let Ok(id) = change.object_id.parse::<u32>() else {
        return;
    };
    let txn = match change.kind.as_str() {
        DEPOSIT => find_mut(&mut m.deposits, id).map(|d| d.txn_mut()),
        CASHOUT => find_mut(&mut m.cashouts, id).map(|c| c.txn_mut()),
        _ => None,
    };
    if let Some(t) = txn {
        t.last_change = change.at.max(t.last_change);
    }
}
