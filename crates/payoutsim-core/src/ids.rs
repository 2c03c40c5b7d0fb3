//! Seeded ids, tokens and random draws.
//!
//! Every tenant (and the engine itself, stream `""`) draws from its own ChaCha stream derived from
//! the run's seed and the stream name. So the same seed and the same requests give the same ids,
//! and requests of one tenant never shift the ids another tenant sees, however they interleave.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The seeded source of every id, token and random outcome.
#[derive(Debug)]
pub struct Ids {
    seed: u64,
    streams: Mutex<HashMap<String, ChaCha8Rng>>,
}

impl Ids {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            streams: Mutex::new(HashMap::new()),
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
        let mut b = [0u8; 16];
        self.with(stream, |r| r.fill_bytes(&mut b));
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        uuid_text(&b)
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

/// `b` as a UUID's text (8-4-4-4-12 lower-case hex digits), written straight into its one
/// allocation.
fn uuid_text(b: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(char::from(HEX[usize::from(byte >> 4)]));
        s.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    s
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
    fn a_uuid_is_its_bytes_in_hex_with_hyphens_after_the_4th_6th_8th_and_10th() {
        for seed in 0..50u8 {
            let b: [u8; 16] =
                std::array::from_fn(|i| seed.wrapping_mul(37).wrapping_add(i as u8 * 11));
            let h = hex::encode(b);
            let expected = format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            );
            assert_eq!(uuid_text(&b), expected);
        }
    }

    #[test]
    fn reset_replays_a_stream_from_its_start() {
        let ids = Ids::new(3);
        let first = ids.uuid("onepay:k");
        ids.reset(Some("onepay:"));
        assert_eq!(ids.uuid("onepay:k"), first);
    }
}
