//! Short texts written on the stack: a wire object's dates and the like, serialised with no
//! allocation (`serializer.serialize_str` of a borrowed `&str`).

use std::fmt;

/// Up to `N` bytes of text held inline. Written only whole (`push_str` of a `&str`, or
/// decimal digits), so it is always valid UTF-8.
#[derive(Clone, Copy)]
pub struct InlineStr<const N: usize> {
    text: [u8; N],
    len: usize,
}

impl<const N: usize> Default for InlineStr<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> InlineStr<N> {
    pub const fn new() -> Self {
        Self {
            text: [0; N],
            len: 0,
        }
    }

    pub fn as_str(&self) -> &str {
        // Only whole `&str`s and ASCII digits are ever written, so this never falls back.
        std::str::from_utf8(&self.text[..self.len]).unwrap_or_default()
    }

    /// Appends `s` whole, or nothing when it does not fit (`false`).
    pub fn push_str(&mut self, s: &str) -> bool {
        let Some(room) = self.text.get_mut(self.len..self.len + s.len()) else {
            return false;
        };
        room.copy_from_slice(s.as_bytes());
        self.len += s.len();
        true
    }

    /// Appends the last `width` decimal digits of `n`, zero-padded (nothing when they do not
    /// fit, `false`).
    pub fn push_digits(&mut self, n: u32, width: usize) -> bool {
        let Some(room) = self.text.get_mut(self.len..self.len + width) else {
            return false;
        };
        let mut n = n;
        for digit in room.iter_mut().rev() {
            *digit = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.len += width;
        true
    }
}

impl<const N: usize> std::ops::Deref for InlineStr<N> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> fmt::Write for InlineStr<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s).then_some(()).ok_or(fmt::Error)
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> fmt::Display for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> serde::Serialize for InlineStr<N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    #[test]
    fn text_is_written_whole_or_not_at_all() {
        let mut t = InlineStr::<8>::new();
        assert!(t.push_str("ab"));
        assert!(t.push_digits(7, 3));
        assert_eq!(t.as_str(), "ab007");
        assert!(!t.push_str("ñañ"), "5 bytes do not fit in 3");
        assert!(!t.push_digits(1234, 4));
        assert!(t.push_str("ñ"));
        assert_eq!(t.as_str(), "ab007ñ");
        assert!(write!(t, "{}", 12).is_err());
        assert_eq!(&*t, "ab007ñ");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"ab007ñ\"");
    }

    #[test]
    fn digits_keep_only_the_last_width_of_a_number() {
        let mut t = InlineStr::<24>::new();
        assert!(t.push_digits(2024, 4) && t.push_digits(123_456, 2) && t.push_digits(0, 1));
        assert!(t.push_digits(u32::MAX, 10));
        assert_eq!(t.as_str(), "20245604294967295");
    }
}
