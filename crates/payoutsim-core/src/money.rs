//! Amounts kept in minor units and written the way most providers write major ones: a JSON
//! number with at most two decimals, whole amounts without any (`10`, `51.45`, `-0.1`).
//!
//! Providers keep money as integers (no float drift in sums) and serialise it through
//! [`Money`] only at the edge, so what a client sums from a list equals, to the cent, what the
//! provider summed.

use std::borrow::Cow;

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

/// `-12.34` as (negative, `12`, `34`): digits, an optional `.` followed by at least one digit.
fn split_decimal(text: &str) -> Option<(bool, &str, &str)> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let ok = !whole.is_empty()
        && plain(whole)
        && plain(frac)
        && !(digits.contains('.') && frac.is_empty());
    ok.then_some((negative, whole, frac))
}

/// An amount of major units written in decimal (`"12.34"`, `12`, `0.5`) as minor units, exactly:
/// read from its text, never through `f64`. More than `decimals` decimals is refused, never
/// rounded (`12.345` with 2), and so is a magnitude over `max` minor units.
pub fn minor_units(text: &str, decimals: u32, max: i64) -> Result<i64, AmountError> {
    let (negative, whole, frac) = split_decimal(text.trim()).ok_or(AmountError::NotDecimal)?;
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

/// A JSON number's text as plain decimal digits (`1.5e2` -> `150`, `-2E-3` -> `-0.002`),
/// shifted exactly, never through `f64`; `None` for text that is not a JSON number or whose
/// exponent moves the point more than 64 places (no amount is written that way). Text without
/// an exponent is answered as it stands (trimmed), borrowed.
pub fn plain_decimal(text: &str) -> Option<Cow<'_, str>> {
    let text = text.trim();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok().filter(|e| e.abs() <= 64)?),
        None => (text, 0),
    };
    let (negative, whole, frac) = split_decimal(mantissa)?;
    let sign = if negative { "-" } else { "" };
    if exponent == 0 {
        return Some(Cow::Borrowed(text));
    }
    let all = format!("{whole}{frac}");
    // Where the point goes in `all`, counted from its start.
    let point = whole.len() as i64 + i64::from(exponent);
    let (int, dec) = if point <= 0 {
        (
            String::from("0"),
            format!("{}{all}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= all.len() {
        (
            format!("{all}{}", "0".repeat(point as usize - all.len())),
            String::new(),
        )
    } else {
        let (i, d) = all.split_at(point as usize);
        (i.to_string(), d.to_string())
    };
    let int = match int.trim_start_matches('0') {
        "" => "0",
        t => t,
    };
    Some(Cow::Owned(if dec.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{dec}")
    }))
}

/// [`minor_units`] of a JSON number as its client wrote it (`written`, see
/// [`crate::kit::written_numbers`]); without the written text, of the parsed number's shortest
/// form. An exponent is shifted exactly first (`1e3` is 1000).
pub fn number_minor_units(
    written: Option<&str>,
    number: &serde_json::Number,
    decimals: u32,
    max: i64,
) -> Result<i64, AmountError> {
    let text = written.map_or_else(|| Cow::Owned(number.to_string()), Cow::Borrowed);
    let plain = plain_decimal(&text).ok_or(AmountError::NotDecimal)?;
    minor_units(&plain, decimals, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_shift_the_point_exactly() {
        assert_eq!(plain_decimal("1.5e2").as_deref(), Some("150"));
        assert_eq!(plain_decimal("1e3").as_deref(), Some("1000"));
        assert_eq!(plain_decimal("-2E-3").as_deref(), Some("-0.002"));
        assert_eq!(plain_decimal("12.345e1").as_deref(), Some("123.45"));
        assert_eq!(plain_decimal("0.5").as_deref(), Some("0.5"));
        assert_eq!(plain_decimal("1e999"), None);
        assert_eq!(plain_decimal("abc"), None);
    }

    #[test]
    fn a_number_is_read_from_its_written_digits_not_its_float() {
        let parsed: serde_json::Number = serde_json::from_str("999.99999999999999999").unwrap();

        let exact = number_minor_units(Some("999.99999999999999999"), &parsed, 2, i64::MAX);
        let from_float = number_minor_units(None, &parsed, 2, i64::MAX);

        assert_eq!(exact, Err(AmountError::TooPrecise));
        assert_eq!(from_float, Ok(100_000), "the float alone cannot tell");
        let written = number_minor_units(Some("1000.0000000000001"), &parsed, 2, i64::MAX);
        assert_eq!(written, Err(AmountError::TooPrecise));
    }

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
