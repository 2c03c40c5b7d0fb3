//! Amounts kept in minor units and written the way most providers write major ones: a JSON
//! number with at most two decimals, whole amounts without any (`10`, `51.45`, `-0.1`).
//!
//! Providers keep money as integers (no float drift in sums) and serialise it through
//! [`Money`] only at the edge, so what a client sums from a list equals, to the cent, what the
//! provider summed.

use serde::{Serialize, Serializer};

/// An amount in minor units (cents, centavos), written as a number of major units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            // The quotient is correctly rounded, so its shortest decimal form is the one with
            // two decimals (or one): 5145 -> 51.45, 1010 -> 10.1.
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_amounts_have_no_decimals_and_others_at_most_two() {
        let json = serde_json::to_string(&[Money(5145), Money(1000), Money(-10), Money(1)]);
        assert_eq!(json.unwrap(), "[51.45,10,-0.1,0.01]");
    }

    #[test]
    fn every_cent_amount_reads_back_as_the_same_cents() {
        for cents in (-100_000..100_000)
            .step_by(7)
            .chain([i64::from(i32::MAX), 999_999_999_999])
        {
            let text = serde_json::to_string(&Money(cents)).unwrap();
            let back: f64 = text.parse().unwrap();
            assert_eq!((back * 100.0).round() as i64, cents, "{text}");
        }
    }
}
