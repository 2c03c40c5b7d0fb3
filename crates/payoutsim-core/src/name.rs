//! Interned names: the statuses, kinds and variants of the state machines, which every object's
//! [`Lifecycle`](crate::machine::Lifecycle) names again and again.
//!
//! A [`Name`] is an index (4 bytes) into a table of `&'static str`s held once for the whole
//! process: no allocation per object, compared and copied like an integer, and read back as its
//! text without a lock (the table only grows, in buckets that never move). The set of names is
//! small and fixed by the providers' machines (a back-office move must name a status the
//! machine knows), so the interner only grows with new names, never with objects; a name read
//! back from a file (`--data-dir`) is interned too, and a file names a bounded number of
//! statuses. Names hash and order by their text, as the `&'static str`s they were before did.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{OnceLock, RwLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fastmap::FastMap;

/// An interned name (see the module's documentation). `Name::default()` is the empty name.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Name(u32);

/// Bucket `b` of the table holds names `2^b - 1 .. 2^(b+1) - 1` (by their index less one; index
/// 0 is the empty name, never stored), so 32 buckets hold every `u32`.
const BUCKETS: usize = 32;

type Bucket = Box<[OnceLock<&'static str>]>;

/// The names' text by index, readable without a lock.
fn table() -> &'static [OnceLock<Bucket>; BUCKETS] {
    static TABLE: [OnceLock<Bucket>; BUCKETS] = [const { OnceLock::new() }; BUCKETS];
    &TABLE
}

/// Bucket and place of the name at table position `at` (its index less one).
fn place(at: u32) -> (usize, usize) {
    let n = u64::from(at) + 1;
    let bucket = (u64::BITS - 1 - n.leading_zeros()) as usize;
    (bucket, (n - (1u64 << bucket)) as usize)
}

/// The index of each name (writers only).
fn interned() -> &'static RwLock<FastMap<&'static str, u32>> {
    static NAMES: OnceLock<RwLock<FastMap<&'static str, u32>>> = OnceLock::new();
    NAMES.get_or_init(Default::default)
}

impl Name {
    /// The interned copy of `s` (made the first time `s` is seen).
    pub fn new(s: &str) -> Self {
        Self::intern(s, || Box::leak(s.into()))
    }

    /// A name whose text lives for the whole process already (interned without a copy).
    pub fn from_static(s: &'static str) -> Self {
        Self::intern(s, || s)
    }

    fn intern(s: &str, keep: impl FnOnce() -> &'static str) -> Self {
        if s.is_empty() {
            return Self(0);
        }
        if let Some(known) = (interned().read().unwrap_or_else(|e| e.into_inner())).get(s) {
            return Self(*known);
        }
        let mut names = interned().write().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = names.get(s) {
            return Self(*known);
        }
        let Ok(at) = u32::try_from(names.len()) else {
            // 2^32 distinct names: not a set of statuses any machine could define.
            panic!("more than u32::MAX distinct names interned");
        };
        let text = keep();
        let (bucket, slot) = place(at);
        let cells = table()[bucket]
            .get_or_init(|| (0..1usize << bucket).map(|_| OnceLock::new()).collect());
        // Only this writer (under the lock) fills position `at`, once.
        let _ = cells[slot].set(text);
        names.insert(text, at + 1);
        Self(at + 1)
    }

    pub fn as_str(&self) -> &'static str {
        let Some(at) = self.0.checked_sub(1) else {
            return "";
        };
        let (bucket, slot) = place(at);
        // A Name is made only once its text is in the table.
        (table()[bucket].get())
            .and_then(|cells| cells.get(slot)?.get().copied())
            .unwrap_or("")
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Self::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Self::new(&s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.as_str().to_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::new(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_held_once_however_often_it_is_made() {
        let a = Name::new("processing");
        let b = Name::new(&String::from("processing"));

        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(a, "processing");
        assert_eq!(Name::from_static("processing"), a);
        assert_ne!(Name::new("processed"), a);
    }

    #[test]
    fn a_name_reads_and_writes_as_its_text() {
        let n: Name = serde_json::from_str(r#""settled""#).unwrap();

        assert_eq!(n, "settled");
        assert_eq!(serde_json::to_string(&n).unwrap(), r#""settled""#);
        assert_eq!(format!("{n} {n:?}"), r#"settled "settled""#);
    }

    #[test]
    fn a_name_is_four_bytes_and_every_one_of_many_reads_back_as_its_text() {
        let names: Vec<(String, Name)> = (0..5000)
            .map(|n| format!("status-{n}"))
            .map(|s| (s.clone(), Name::new(&s)))
            .collect();

        assert_eq!(std::mem::size_of::<Name>(), 4);
        assert!(
            names
                .iter()
                .all(|(s, n)| n.as_str() == s && Name::new(s) == *n)
        );
        assert_eq!(Name::default().as_str(), "");
        assert_eq!(Name::new(""), Name::default());
    }

    #[test]
    fn names_order_and_hash_as_their_text() {
        use std::collections::HashMap;
        let (b, a) = (Name::new("zz-later"), Name::new("aa-sooner"));
        let by_text: HashMap<Name, u8> = [(a, 1), (b, 2)].into();

        assert!(a < b);
        assert_eq!(by_text.get("zz-later"), Some(&2));
    }
}
