//! Seeded ids, tokens and random draws.
//!
//! Every tenant (and the engine itself, stream `""`) draws from its own ChaCha stream derived from
//! the run's seed and the stream name. So the same seed and the same requests give the same ids,
//! and requests of one tenant never shift the ids another tenant sees, however they interleave.

use std::sync::Mutex;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use crate::fastmap::FastMap;

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The seeded source of every id, token and random outcome.
#[derive(Debug)]
pub struct Ids {
    seed: u64,
    streams: Mutex<FastMap<String, ChaCha8Rng>>,
}

impl Ids {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            streams: Mutex::default(),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn with<T>(&self, stream: &str, f: impl FnOnce(&mut ChaCha8Rng) -> T) -> T {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        // A known stream's name is not copied per id.
        if let Some(rng) = streams.get_mut(stream) {
            return f(rng);
        }
        let rng = streams.entry(stream.to_string()).or_insert_with(|| {
            let mut h = Sha256::new();
            h.update(self.seed.to_le_bytes());
            h.update(stream.as_bytes());
            ChaCha8Rng::from_seed(h.finalize().into())
        });
        f(rng)
    }

    /// A version-4 UUID, lower-case and hyphenated.
    pub fn uuid(&self, stream: &str) -> String {
        self.uid(stream).to_string()
    }

    /// [`Ids::uuid`] as its 16 bytes (the same draw: its text is the UUID `uuid` would give).
    pub fn uid(&self, stream: &str) -> Uid {
        let mut b = [0u8; 16];
        self.with(stream, |r| r.fill_bytes(&mut b));
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        Uid(b)
    }

    /// `prefix` followed by `len` alphanumeric characters, e.g. `wh_tok_` + 32.
    pub fn token(&self, stream: &str, prefix: &str, len: usize) -> String {
        self.with(stream, |r| {
            let mut s = String::with_capacity(prefix.len() + len);
            s.push_str(prefix);
            for _ in 0..len {
                s.push(ALPHANUMERIC[r.random_range(0..ALPHANUMERIC.len())] as char);
            }
            s
        })
    }

    /// `len` random bytes (a key, say).
    pub fn bytes(&self, stream: &str, len: usize) -> Vec<u8> {
        let mut b = vec![0u8; len];
        self.with(stream, |r| r.fill_bytes(&mut b));
        b
    }

    /// A uniform draw in `[0, 1)`.
    pub fn unit(&self, stream: &str) -> f64 {
        self.with(stream, |r| r.random::<f64>())
    }

    /// A uniform integer in `[lo, hi]`.
    pub fn range(&self, stream: &str, lo: u64, hi: u64) -> u64 {
        self.with(stream, |r| r.random_range(lo..=hi.max(lo)))
    }

    /// Forgets the streams whose name starts with `prefix` (all when `None`): after a reset a
    /// tenant's ids start again from the beginning of its stream.
    /// Forgets the streams of one tenant: `tenant` and those named `tenant:…`, exactly.
    pub fn forget_tenant(&self, tenant: &str) {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let of = |k: &str| {
            k.strip_prefix(tenant)
                .is_some_and(|r| r.is_empty() || r.starts_with(':'))
        };
        streams.retain(|k, _| !of(k));
    }

    pub fn reset(&self, prefix: Option<&str>) {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        match prefix {
            Some(p) => streams.retain(|k, _| !k.starts_with(p)),
            None => streams.clear(),
        }
    }
}

/// A UUID held as its 16 bytes (a record's id, where the text would take 36 bytes of heap and
/// 24 inline). Written, displayed and serialised as the lower-case hyphenated text; parsed back
/// from exactly that text only, so `text.parse::<Uid>()` succeeds just when the text is some
/// `Uid`'s own: an id in another spelling (upper case, no hyphens) names no `Uid`, as it named
/// no id when ids were compared as text. Bytes rather than a `u128`, whose 16-byte alignment
/// would pad every record and index entry holding one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(pub [u8; 16]);

impl Uid {
    /// The UUID whose bytes are `n`'s, big-endian.
    pub const fn from_u128(n: u128) -> Self {
        Self(n.to_be_bytes())
    }
}

/// Where a UUID's text has its hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

impl Uid {
    /// Its lower-case hyphenated text, written on the stack: what [`Display`](std::fmt::Display)
    /// and `Serialize` write, with no allocation (a wire object borrows it as a `&str`).
    pub fn text(&self) -> UidText {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        // Each byte's two digits go where `PAIRS` says; the hyphens are already in place.
        let mut text = [b'-'; 36];
        for (&b, &at) in self.0.iter().zip(&PAIRS) {
            text[at] = DIGITS[usize::from(b >> 4)];
            text[at + 1] = DIGITS[usize::from(b & 0x0f)];
        }
        UidText(text)
    }
}

/// A [`Uid`]'s text held inline: 36 bytes of hex digits and hyphens ([`Uid::text`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UidText([u8; 36]);

impl UidText {
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and hyphens are ever written, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for UidText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for UidText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Debug for UidText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Uid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl std::fmt::Debug for Uid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Uid({self})")
    }
}

/// The text is not a lower-case hyphenated UUID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a lower-case hyphenated UUID")]
pub struct NotAUid;

impl std::str::FromStr for Uid {
    type Err = NotAUid;

    fn from_str(text: &str) -> Result<Self, NotAUid> {
        // Every lookup of an object by its text id comes here: a fixed layout, decoded by table
        // with one test for a bad digit at the end rather than a branch per character.
        let Ok(bytes) = <&[u8; 36]>::try_from(text.as_bytes()) else {
            return Err(NotAUid);
        };
        if HYPHENS.iter().any(|&at| bytes[at] != b'-') {
            return Err(NotAUid);
        }
        let mut out = [0u8; 16];
        let mut bad = 0u8;
        for (byte, &at) in out.iter_mut().zip(&PAIRS) {
            let (hi, lo) = (HEX[usize::from(bytes[at])], HEX[usize::from(bytes[at + 1])]);
            bad |= hi | lo;
            *byte = (hi << 4) | (lo & 0x0f);
        }
        if bad & NOT_HEX != 0 {
            return Err(NotAUid);
        }
        Ok(Self(out))
    }
}

/// Where each byte's two hex digits start in a UUID's text (the hyphens skipped).
const PAIRS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// A character that is no lower-case hex digit, in [`HEX`].
const NOT_HEX: u8 = 0x10;

/// Each character's value as a lower-case hex digit, else [`NOT_HEX`].
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut c = 0;
    while c < 10 {
        table[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        table[b'a' as usize + c] = 10 + c as u8;
        c += 1;
    }
    table
};

impl serde::Serialize for Uid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text().as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_ids() {
        let (a, b) = (Ids::new(7), Ids::new(7));
        assert_eq!(a.uuid("t"), b.uuid("t"));
        assert_eq!(a.token("t", "wh_", 8), b.token("t", "wh_", 8));
    }

    #[test]
    fn streams_do_not_shift_each_other() {
        let (a, b) = (Ids::new(7), Ids::new(7));
        let _ = a.uuid("other");
        assert_eq!(a.uuid("t"), b.uuid("t"));
    }

    #[test]
    fn uuid_is_version_four() {
        let id = Ids::new(1).uuid("x");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn reset_replays_a_stream_from_its_start() {
        let ids = Ids::new(3);
        let first = ids.uuid("onepay:k");
        ids.reset(Some("onepay:"));
        assert_eq!(ids.uuid("onepay:k"), first);
    }

    #[test]
    fn a_uid_is_written_as_the_uuid_of_the_same_draw_and_parsed_back() {
        let (a, b) = (Ids::new(9), Ids::new(9));
        for _ in 0..50 {
            let text = a.uuid("t");
            let uid = b.uid("t");
            assert_eq!(uid.to_string(), text);
            assert_eq!(text.parse::<Uid>(), Ok(uid));
            assert_eq!(serde_json::to_string(&uid).unwrap(), format!("\"{text}\""));
        }
    }

    #[test]
    fn a_uids_stack_text_is_its_displayed_and_serialised_text() {
        let ids = Ids::new(4);
        for uid in [Uid([0; 16]), Uid([0xff; 16]), ids.uid("t"), ids.uid("t")] {
            let text = uid.text();
            assert_eq!(text.as_str(), uid.to_string());
            assert_eq!(text.as_str().parse::<Uid>(), Ok(uid));
            let json = serde_json::to_string(&uid).unwrap();
            assert_eq!(json, format!("\"{}\"", &*text));
        }
        assert_eq!(
            Uid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)
                .text()
                .as_str(),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
    }

    #[test]
    fn only_the_lower_case_hyphenated_text_parses_as_a_uid() {
        let text = Ids::new(1).uuid("x");
        assert!(text.parse::<Uid>().is_ok());
        for other in [
            text.to_uppercase(),
            text.replace('-', ""),
            format!("{text} "),
            text[..35].to_string(),
            text.replacen('-', "x", 1),
            "zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz".to_string(),
            String::new(),
        ] {
            assert_eq!(other.parse::<Uid>(), Err(NotAUid), "{other}");
        }
        assert_eq!(
            "00000000-0000-0000-0000-000000000000".parse::<Uid>(),
            Ok(Uid([0; 16]))
        );
    }

    #[test]
    fn lower_case_digits_are_read_and_every_malformed_position_is_refused() {
        let ids = Ids::new(7);
        let text = "0123abcd-ef45-4789-8abc-def0123456ff";
        let uid: Uid = text.parse().unwrap();
        assert_eq!(uid.to_string(), text);
        for n in [
            0u128,
            1,
            u128::MAX,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ] {
            assert_eq!(
                Uid::from_u128(n).to_string().parse::<Uid>(),
                Ok(Uid::from_u128(n))
            );
        }
        for _ in 0..200 {
            let uid = ids.uid("cases");
            let (lower, upper) = (uid.to_string(), uid.to_string().to_uppercase());
            assert_eq!(lower.parse::<Uid>(), Ok(uid));
            // Upper case names no id (an id is matched as the text OnePay wrote), unless the
            // text has no letter at all.
            assert_eq!(upper.parse::<Uid>().is_ok(), upper == lower, "{upper}");
        }
        // Each position, given each wrong character: a hyphen where a digit stands, an upper-case
        // or non-hex letter, a digit where a hyphen stands, a byte of a multi-byte character.
        for at in 0..36 {
            for wrong in ["-", "A", "F", "g", "z", "/", ":", "`", "0", "é"] {
                let mut bad = String::from(&text[..at]);
                bad.push_str(wrong);
                bad.push_str(&text[at + 1..]);
                let is_hyphen = HYPHENS.contains(&at);
                let still_valid = if is_hyphen {
                    wrong == "-"
                } else {
                    wrong == "0"
                };
                assert_eq!(bad.parse::<Uid>().is_ok(), still_valid, "{bad}");
            }
        }
    }
}
