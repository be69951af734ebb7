//! OAuth 1.0 `PLAINTEXT` verification written from RFC 5849 alone: the `Authorization: OAuth`
//! header (§3.5.1), percent-encoding (§3.6) and the `PLAINTEXT` signature (§3.4.4).
//!
//! It shares no code with the client's signer (`crate::credentials`): the emulator checks what
//! a client sends against the RFC, so a client whose encoder drifts is refused instead of being
//! agreed with by construction. The decoder is strict where the RFC is (`%` followed by two
//! upper-case hex digits, every other byte unreserved), and is tested on the RFC's own examples.

/// The protocol parameters of one `Authorization: OAuth …` header, decoded, without `realm`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// The decoded value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// RFC 5849 §2.1 / §3.6: `ALPHA, DIGIT, "-", ".", "_", "~"` stand for themselves.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn upper_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a §3.6-encoded string; `None` for anything the RFC's encoder cannot produce
/// (a reserved byte left as is, lower-case hex, a truncated escape, bytes that are not UTF-8).
pub(crate) fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = upper_hex(*bytes.get(i + 1)?)?;
            let lo = upper_hex(*bytes.get(i + 2)?)?;
            out.push(hi * 16 + lo);
            i += 3;
        } else if unreserved(b) {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

/// Parses `OAuth realm="…", name="value", …` (§3.5.1): the scheme name case-insensitive,
/// every parameter quoted, names and values encoded, no parameter twice (§3.1). `None` when
/// the header is not such a header.
pub(crate) fn parse_header(value: &str) -> Option<Params> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for item in rest.split(',') {
        let (name, quoted) = item.trim().split_once('=')?;
        let raw = quoted.strip_prefix('"')?.strip_suffix('"')?;
        if name == "realm" {
            continue;
        }
        let (name, value) = (decode(name)?, decode(raw)?);
        if params.iter().any(|(n, _)| *n == name) {
            return None;
        }
        params.push((name, value));
    }
    Some(Params(params))
}

/// Whether `params` carry a valid `PLAINTEXT` signature (§3.4.4) for the client secret and
/// the token secret (empty when no token is involved): `oauth_signature_method="PLAINTEXT"`,
/// `oauth_version` absent or `1.0`, and the signature — once the header's own encoding is
/// removed — the client secret encoded, `&`, the token secret encoded.
pub(crate) fn plaintext_ok(params: &Params, client_secret: &str, token_secret: &str) -> bool {
    if params.get("oauth_signature_method") != Some("PLAINTEXT") {
        return false;
    }
    if params.get("oauth_version").is_some_and(|v| v != "1.0") {
        return false;
    }
    let Some((client, token)) = params
        .get("oauth_signature")
        .and_then(|s| s.split_once('&'))
    else {
        return false;
    };
    decode(client).as_deref() == Some(client_secret)
        && decode(token).as_deref() == Some(token_secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5849 §1.2: the temporary-credentials request of the example, signed PLAINTEXT
    /// with the client secret `ja893SD9` and no token secret.
    #[test]
    fn rfc5849_section_1_2_request() {
        let h = r#"OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_signature_method="PLAINTEXT", oauth_timestamp="137131200", oauth_nonce="wIjqoS", oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", oauth_signature="ja893SD9%26""#;
        let p = parse_header(h).unwrap();
        assert_eq!(p.get("oauth_consumer_key"), Some("dpf43f3p2l4k3l03"));
        assert_eq!(
            p.get("oauth_callback"),
            Some("http://printer.example.com/ready")
        );
        assert_eq!(p.get("realm"), None);
        assert!(plaintext_ok(&p, "ja893SD9", ""));
        assert!(!plaintext_ok(&p, "ja893SD8", ""));
        assert!(!plaintext_ok(&p, "ja893SD9", "x"));
    }

    /// RFC 5849 §3.4.4: client secret `djr9rjt0jd78jf88`, token secret `jjd99$tj88uiths3`
    /// give the signature `djr9rjt0jd78jf88&jjd99%24tj88uiths3`, sent encoded once more.
    #[test]
    fn rfc5849_section_3_4_4_plaintext() {
        let h = r#"OAuth oauth_signature_method="PLAINTEXT", oauth_signature="djr9rjt0jd78jf88%26jjd99%2524tj88uiths3""#;
        let p = parse_header(h).unwrap();
        assert_eq!(
            p.get("oauth_signature"),
            Some("djr9rjt0jd78jf88&jjd99%24tj88uiths3")
        );
        assert!(plaintext_ok(&p, "djr9rjt0jd78jf88", "jjd99$tj88uiths3"));
        // The secret sent without its inner encoding (`$` raw) is not the RFC's signature.
        let once = r#"OAuth oauth_signature_method="PLAINTEXT", oauth_signature="djr9rjt0jd78jf88%26jjd99%24tj88uiths3""#;
        assert!(!plaintext_ok(
            &parse_header(once).unwrap(),
            "djr9rjt0jd78jf88",
            "jjd99$tj88uiths3"
        ));
    }

    /// RFC 5849 §3.6 and its §3.4.1.3.1 examples of encoded parameter values.
    #[test]
    fn rfc5849_section_3_6_encoding() {
        assert_eq!(
            decode("Ladies%20%2B%20Gentlemen").unwrap(),
            "Ladies + Gentlemen"
        );
        assert_eq!(decode("%E2%98%83").unwrap(), "\u{2603}");
        assert_eq!(decode("a-b.c_d~e").unwrap(), "a-b.c_d~e");
        for bad in ["a+b", "a b", "%2b", "%2", "%", "a&b", "%FF"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        for bad in [
            "Basic abc",
            "OAuth oauth_signature=unquoted",
            r#"OAuth oauth_signature="a%26", oauth_signature="b%26""#,
            r#"OAuth oauth_signature="a&""#,
            "OAuth",
        ] {
            assert_eq!(parse_header(bad), None, "{bad}");
        }
        let wrong_version = r#"OAuth oauth_version="2.0", oauth_signature_method="PLAINTEXT", oauth_signature="s%26""#;
        assert!(!plaintext_ok(
            &parse_header(wrong_version).unwrap(),
            "s",
            ""
        ));
        let hmac = r#"OAuth oauth_signature_method="HMAC-SHA1", oauth_signature="s%26""#;
        assert!(!plaintext_ok(&parse_header(hmac).unwrap(), "s", ""));
    }
}
