//! Interned names: the statuses, kinds and variants of the state machines, which every object's
//! [`Lifecycle`](crate::machine::Lifecycle) names again and again.
//!
//! A [`Name`] is a `&'static str` held once for the whole process: 16 bytes and no allocation
//! per object, compared and copied like a pointer. The set of names is small and fixed by the
//! providers' machines (a back-office move must name a status the machine knows), so the
//! interner only grows with new names, never with objects; a name read back from a file
//! (`--data-dir`) is interned too, and a file names a bounded number of statuses.

use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::{OnceLock, RwLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An interned name (see the module's documentation).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Name(&'static str);

fn interned() -> &'static RwLock<HashSet<&'static str>> {
    static NAMES: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
    NAMES.get_or_init(Default::default)
}

impl Name {
    /// The interned copy of `s` (made the first time `s` is seen).
    pub fn new(s: &str) -> Self {
        if let Some(known) = (interned().read().unwrap_or_else(|e| e.into_inner())).get(s) {
            return Self(known);
        }
        let mut names = interned().write().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = names.get(s) {
            return Self(known);
        }
        let leaked: &'static str = Box::leak(s.into());
        names.insert(leaked);
        Self(leaked)
    }

    /// A name known at compile time, without the interner (equal to `Name::new(s)`: names
    /// compare by their text).
    pub const fn from_static(s: &'static str) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
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
        n.0.to_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.0 == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == other.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
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
}
