//! JSON Pointers (RFC 6901) and their spelling in a URI fragment (RFC 3986).

/// `token` as one pointer segment: `~` is `~0`, `/` is `~1`.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A pointer written into a URI fragment: every byte outside the fragment's characters is
/// percent-encoded (`{user_id}` is `%7Buser_id%7D`).
pub(crate) fn to_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A URI fragment back to the pointer it spells. Malformed escapes are kept as written.
pub(crate) fn from_fragment(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_templated_path_survives_the_round_trip_through_a_fragment() {
        let pointer = format!("/paths/{}/get", escape("/v2/users/{user_id}"));
        assert_eq!(pointer, "/paths/~1v2~1users~1{user_id}/get");
        let fragment = to_fragment(&pointer);
        assert_eq!(fragment, "/paths/~1v2~1users~1%7Buser_id%7D/get");
        assert_eq!(from_fragment(&fragment), pointer);
    }
}
