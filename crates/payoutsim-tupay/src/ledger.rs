//! The balance report and the balance, computed from the very records the lists show.
//!
//! One row per UTC day (of `creationDate`) and balance currency that had any transaction in the
//! range, whatever its status: `depositTotal` and `depositFeeTotal` sum that day's COMPLETED
//! deposits' `amount` and `fee`, `cashoutTotal` its COMPLETED cashouts' `amount`; `noteTotal`,
//! `settlementTotal` and `cancelledSettlementTotal` sum the back office's entries; `netAmount =
//! depositTotal - depositFeeTotal - cashoutTotal + noteTotal - settlementTotal +
//! cancelledSettlementTotal`; `totalBalance` is the balance at the end of that day: the opening
//! balance before the history plus every day's net up to and including it. On the first and last
//! day of a range that cuts a day, the totals count the part inside the range; `totalBalance`
//! is always the whole day's end. Rows are newest first, then by currency; 50 a page.
//! `/v1/balance` is, per currency, the balance after every record so far.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{BalanceRow, Money, ReportRow, timestamp};
use crate::state::{EntryKind, Merchant, Txn};
use crate::statuses::COMPLETED;
use crate::validation::Range;

/// What one record, or one day, adds to each report column (minor units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub deposit: i64,
    pub deposit_fee: i64,
    pub cashout: i64,
    pub note: i64,
    pub settlement: i64,
    pub cancelled_settlement: i64,
}

impl Totals {
    pub fn net(&self) -> i64 {
        self.deposit - self.deposit_fee - self.cashout + self.note - self.settlement
            + self.cancelled_settlement
    }

    fn add(&mut self, o: &Totals) {
        self.deposit += o.deposit;
        self.deposit_fee += o.deposit_fee;
        self.cashout += o.cashout;
        self.note += o.note;
        self.settlement += o.settlement;
        self.cancelled_settlement += o.cancelled_settlement;
    }
}

/// One record as the ledger sees it: when, in which currency, and what it adds.
struct Line {
    at: DateTime<Utc>,
    currency: &'static str,
    adds: Totals,
}

/// A transaction's line: what it adds once COMPLETED (`adds` of its `txn`), nothing before.
fn line_of(t: &Txn, adds: impl FnOnce(&Txn) -> Totals) -> Line {
    let adds = if t.lc.status == COMPLETED {
        adds(t)
    } else {
        Totals::default()
    };
    Line {
        at: t.created,
        currency: t.currency,
        adds,
    }
}

/// Every record of `m`, deposits, cashouts and entries, as ledger lines.
fn lines(m: &Merchant) -> impl Iterator<Item = Line> + '_ {
    let deposits = m.deposits.iter().map(|d| {
        line_of(&d.txn, |t| Totals {
            deposit: t.amount,
            deposit_fee: t.fee,
            ..Totals::default()
        })
    });
    let cashouts = m.cashouts.iter().map(|c| {
        line_of(&c.txn, |t| Totals {
            cashout: t.amount,
            ..Totals::default()
        })
    });
    let entries = m.entries.iter().map(|e| {
        let mut adds = Totals::default();
        match e.kind {
            EntryKind::Note => adds.note = e.amount,
            EntryKind::Settlement => adds.settlement = e.amount,
            EntryKind::CancelledSettlement => adds.cancelled_settlement = e.amount,
        }
        Line {
            at: e.at,
            currency: e.currency,
            adds,
        }
    });
    deposits.chain(cashouts).chain(entries)
}

/// Each currency's net by day, over every record.
fn nets(m: &Merchant) -> BTreeMap<&'static str, BTreeMap<NaiveDate, i64>> {
    let mut out: BTreeMap<&'static str, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    for line in lines(m) {
        let day = out.entry(line.currency).or_default();
        *day.entry(line.at.date_naive()).or_default() += line.adds.net();
    }
    out
}

/// The report's rows for `range`, newest first, then by currency (all pages).
pub fn report(m: &Merchant, range: &Range) -> Vec<ReportRow> {
    let mut days: BTreeMap<(NaiveDate, &'static str), Totals> = BTreeMap::new();
    for line in lines(m).filter(|l| range.contains(l.at)) {
        let day = line.at.date_naive();
        days.entry((day, line.currency))
            .or_default()
            .add(&line.adds);
    }
    let nets = nets(m);
    let mut rows: Vec<ReportRow> = (days.into_iter())
        .map(|((day, currency), t)| {
            let opening = m.opening.get(currency).copied().unwrap_or(0);
            let before: i64 = (nets.get(currency).into_iter())
                .flat_map(|n| n.range(..=day).map(|(_, v)| *v))
                .sum();
            let midnight = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
            ReportRow {
                id_merchant: m.id_merchant,
                deposit_total: Money(t.deposit),
                cashout_total: Money(t.cashout),
                note_total: Money(t.note),
                settlement_total: Money(t.settlement),
                cancelled_settlement_total: Money(t.cancelled_settlement),
                deposit_fee_total: Money(t.deposit_fee),
                net_amount: Money(t.net()),
                total_balance: Money(opening + before),
                date: midnight.map(timestamp).unwrap_or_default(),
                currency,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.date.cmp(&a.date).then(a.currency.cmp(b.currency)));
    rows
}

/// Each currency's balance now (`GET /v1/balance`), by currency.
pub fn balances(m: &Merchant, now: DateTime<Utc>) -> Vec<BalanceRow> {
    let mut totals: BTreeMap<&'static str, i64> = m.opening.clone();
    for line in lines(m) {
        *totals.entry(line.currency).or_default() += line.adds.net();
    }
    (totals.into_iter())
        .map(|(currency, total)| BalanceRow {
            id_merchant: m.id_merchant,
            currency,
            total_balance: Money(total),
            date: timestamp(now),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_net_takes_fees_cashouts_and_settlements_off_and_adds_notes_back() {
        let t = Totals {
            deposit: 10_000,
            deposit_fee: 250,
            cashout: 3_000,
            note: 100,
            settlement: 5_000,
            cancelled_settlement: 1_000,
        };
        assert_eq!(t.net(), 10_000 - 250 - 3_000 + 100 - 5_000 + 1_000);
    }
}
