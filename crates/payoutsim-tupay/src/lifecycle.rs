//! What a status change does to a Tupay record: it stamps `lastChangeDate`. The rest follows
//! from the status when the record is shown (a deposit's fee once COMPLETED, a cashout's
//! credited and debited amounts and voucher once COMPLETED) and when the report sums it (only
//! COMPLETED transactions count), so the lists, the report and the balance change together.

use payoutsim_core::Transition;

use crate::state::Store;
use crate::statuses::{CASHOUT, DEPOSIT};

pub(crate) fn on_transition(store: &mut Store, change: &Transition) {
    let Some(m) = store.merchants.get_mut(&change.tenant) else {
        return;
    };
    let Ok(id) = change.object_id.parse::<u32>() else {
        return;
    };
    let last_change = match change.kind.as_str() {
        DEPOSIT => m.deposit_mut(id).map(|d| &mut d.last_change),
        CASHOUT => m.cashout_mut(id).map(|c| &mut c.last_change),
        _ => None,
    };
    if let Some(at) = last_change {
        *at = change.at.max(*at);
    }
}
