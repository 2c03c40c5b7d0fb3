//! A JSON object written straight into a buffer, for the hot answers (a created or fetched
//! object): keys are written as they stand, and a value's text is copied without serde's
//! byte-by-byte escape scan when it needs no escape, which most texts (ids, statuses, dates)
//! never do. The bytes are exactly those `serde_json::to_vec` writes for the same object.

use serde::Serialize;

/// Whether serde_json writes `text` between quotes as it stands: no control character, no
/// quote and no backslash (it escapes nothing else). Read 16 bytes at a time without a branch
/// per byte, so the check of an id or a date is a few vector instructions.
fn plain(text: &str) -> bool {
    let mut chunks = text.as_bytes().chunks_exact(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |bad, &b| bad | escaped(b)) {
            return false;
        }
    }
    !chunks.remainder().iter().any(|&b| escaped(b))
}

/// Whether serde_json escapes byte `b` in a string.
fn escaped(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// The bytes `write` writes (an answer written with [`ObjectOut`]) into a buffer of `capacity`
/// bytes to start with: room for the usual answer, so it is not regrown while a store is locked.
pub fn written(
    capacity: usize,
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> serde_json::Result<bytes::Bytes> {
    let mut out = Vec::with_capacity(capacity);
    write(&mut out)?;
    Ok(bytes::Bytes::from(out))
}

/// `text` as a JSON string, as serde_json writes it.
pub fn push_json_str(out: &mut Vec<u8>, text: &str) {
    if plain(text) {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    }
}

/// One JSON object being written into `out`; [`ObjectOut::end`] closes it.
pub struct ObjectOut<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> ObjectOut<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    /// `"key":`, after a comma unless it is the first member. `key` is the code's own, written
    /// as it stands: it must need no escape.
    fn key(&mut self, key: &'static str) {
        debug_assert!(plain(key), "{key} needs escaping");
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        self.key(key);
        push_json_str(self.out, value);
        self
    }

    /// A string, or `null`.
    pub fn opt_str(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.null(key),
        }
    }

    pub fn bool(&mut self, key: &'static str, value: bool) -> &mut Self {
        self.key(key);
        let text: &[u8] = if value { b"true" } else { b"false" };
        self.out.extend_from_slice(text);
        self
    }

    pub fn null(&mut self, key: &'static str) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(b"null");
        self
    }

    /// Any other value, serialised by serde_json.
    pub fn value<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<&mut Self> {
        self.key(key);
        serde_json::to_writer(&mut *self.out, value)?;
        Ok(self)
    }

    /// An integer, as serde_json writes it.
    pub fn int(&mut self, key: &'static str, value: i64) -> &mut Self {
        self.key(key);
        // Writing an integer into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *self.out, &value);
        self
    }

    /// A nested object, its members written by `members`.
    pub fn object(
        &mut self,
        key: &'static str,
        members: impl FnOnce(&mut ObjectOut<'_>) -> serde_json::Result<()>,
    ) -> serde_json::Result<&mut Self> {
        self.key(key);
        let mut inner = ObjectOut::new(self.out);
        members(&mut inner)?;
        inner.end();
        Ok(self)
    }

    /// An array of objects, one per item, each written by `members`.
    pub fn objects<I>(
        &mut self,
        key: &'static str,
        items: impl IntoIterator<Item = I>,
        mut members: impl FnMut(&mut ObjectOut<'_>, I) -> serde_json::Result<()>,
    ) -> serde_json::Result<&mut Self> {
        self.key(key);
        self.out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            let mut inner = ObjectOut::new(self.out);
            members(&mut inner, item)?;
            inner.end();
        }
        self.out.push(b']');
        Ok(self)
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = ["", "plain", "ñandú €", "a\"b", "back\\slash", "tab\t"]
            .map(String::from)
            .to_vec();
        texts.extend((0u8..0x80).map(|b| format!("x{}y", b as char)));
        // Each escaped character at every place of a text longer than two 16-byte reads.
        for special in ['"', '\\', '\n', '\u{1f}', '\0'] {
            for at in 0..40 {
                let mut text: Vec<char> =
                    "0123456789abcdef0123456789abcdef01234567".chars().collect();
                text[at] = special;
                texts.push(text.into_iter().collect());
            }
        }
        for text in &texts {
            let mut out = Vec::new();
            push_json_str(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn an_object_is_written_as_serde_json_writes_the_same_members() {
        let mut out = Vec::new();
        let mut o = ObjectOut::new(&mut out);
        o.str("id", "c-1")
            .bool("ok", true)
            .bool("no", false)
            .null("none");
        o.opt_str("some", Some("é\n")).opt_str("other", None);
        o.value("n", &12.5).unwrap().value("list", &[1, 2]).unwrap();
        o.end();
        let expected = serde_json::json!({"id": "c-1", "ok": true, "no": false, "none": null,
            "some": "é\n", "other": null, "n": 12.5, "list": [1, 2]});
        let parsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"id":"c-1","ok":true,"no":false,"none":null,"some":"é\n","other":null,"n":12.5,"list":[1,2]}"#
        );
        let mut empty = Vec::new();
        ObjectOut::new(&mut empty).end();
        assert_eq!(empty, b"{}");
    }

    #[test]
    fn nested_objects_arrays_of_them_and_integers_are_written_as_serde_json_writes_them() {
        let mut out = Vec::new();
        let mut o = ObjectOut::new(&mut out);
        o.int("min", i64::MIN).int("max", i64::MAX).int("zero", 0);
        o.object("inner", |i| {
            i.str("a", "b").int("n", -7);
            Ok(())
        })
        .unwrap();
        o.object("empty", |_| Ok(())).unwrap();
        o.objects("none", [0; 0], |_, _: i32| Ok(())).unwrap();
        o.objects("two", ["x", "y\""], |i, t| {
            i.str("t", t);
            Ok(())
        })
        .unwrap();
        o.end();
        let expected = r#"{"min":-9223372036854775808,"max":9223372036854775807,"zero":0,"inner":{"a":"b","n":-7},"empty":{},"none":[],"two":[{"t":"x"},{"t":"y\""}]}"#;
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
