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

/// Why a decimal amount was refused by [`minor_units`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Not a plain decimal number (an exponent, text).
    NotDecimal,
    /// More decimals than the currency has.
    TooPrecise,
    /// Larger than the bound given.
    TooLarge,
}

/// An amount of major units written in decimal (`"12.34"`, `12`, `0.5`) as minor units, exactly:
/// read from its text, never through `f64`. More than `decimals` decimals is refused, never
/// rounded (`12.345` with 2), and so is a magnitude over `max` minor units.
pub fn minor_units(text: &str, decimals: u32, max: i64) -> Result<i64, AmountError> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !plain(whole)
        || !plain(frac)
        || (digits.contains('.') && frac.is_empty())
    {
        return Err(AmountError::NotDecimal);
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > decimals as usize {
        return Err(AmountError::TooPrecise);
    }
    let scale = 10i64.pow(decimals);
    let whole: i64 = (whole.trim_start_matches('0'))
        .parse::<i64>()
        .or_else(|_| {
            if whole.bytes().all(|b| b == b'0') {
                Ok(0)
            } else {
                Err(())
            }
        })
        .map_err(|()| AmountError::TooLarge)?;
    let frac_units: i64 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<width$}", width = decimals as usize);
        padded.parse().map_err(|_| AmountError::NotDecimal)?
    };
    let units = (whole.checked_mul(scale))
        .and_then(|w| w.checked_add(frac_units))
        .filter(|u| *u <= max)
        .ok_or(AmountError::TooLarge)?;
    Ok(if negative { -units } else { units })
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

    #[test]
    fn decimal_amounts_become_exact_minor_units_or_are_refused() {
        assert_eq!(minor_units("12.34", 2, i64::MAX), Ok(1234));
        assert_eq!(minor_units("12", 2, i64::MAX), Ok(1200));
        assert_eq!(minor_units("0.5", 2, i64::MAX), Ok(50));
        assert_eq!(minor_units("-1.10", 2, i64::MAX), Ok(-110));
        assert_eq!(
            minor_units("12.345", 2, i64::MAX),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            minor_units("1e3", 2, i64::MAX),
            Err(AmountError::NotDecimal)
        );
        assert_eq!(minor_units("1.", 2, i64::MAX), Err(AmountError::NotDecimal));
        assert_eq!(
            minor_units("1000.0000000000001", 2, i64::MAX),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(minor_units("100", 2, 9_999), Err(AmountError::TooLarge));
        assert_eq!(
            minor_units("99999999999999999999", 2, i64::MAX),
            Err(AmountError::TooLarge)
        );
    }
}
