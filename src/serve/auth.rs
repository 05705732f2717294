//! The workbench's token: made at start, shown once in the printed URL, then kept by the
//! browser in a cookie. Every request must carry it (in the query or the cookie), as Jupyter
//! does; a request without it gets 403 and a Chinese page saying where the right URL is.

use std::fmt::Write as _;

/// A new random token: 128 bits from the operating system, as 32 hex digits.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut token = String::with_capacity(32);
    for b in bytes {
        let _ = write!(token, "{b:02x}");
    }
    Ok(token)
}

/// The cookie that keeps the token. Cookies are shared by every port of a host, so the name
/// carries the port: two workbenches side by side keep their own.
pub fn cookie_name(port: u16) -> String {
    format!("jixiao_token_{port}")
}

/// Equality that takes the same time wherever the first difference is, so response times do
/// not tell how much of a guessed token was right.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `token` parameter of a query string, if any.
pub fn query_token(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|pair| pair.strip_prefix("token="))
}

/// The value of cookie `name` in a `Cookie` header, if any.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// A query string with its `token` parameter left out (None when nothing else is left): where
/// the browser is sent once the token is in its cookie, so the token leaves the address bar.
pub fn without_token(query: Option<&str>) -> Option<String> {
    let rest: Vec<&str> = query?
        .split('&')
        .filter(|pair| !pair.starts_with("token=") && !pair.is_empty())
        .collect();
    (!rest.is_empty()).then(|| rest.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn tokens_are_found_in_query_and_cookie() {
        assert_eq!(query_token(Some("a=1&token=abc")), Some("abc"));
        assert_eq!(query_token(Some("xtoken=abc")), None);
        assert_eq!(
            cookie_value("x=1; jixiao_token_80=t; y=2", "jixiao_token_80"),
            Some("t")
        );
        assert_eq!(cookie_value("jixiao_token_81=t", "jixiao_token_80"), None);
        assert_eq!(without_token(Some("token=abc&id=5")), Some("id=5".to_owned()));
        assert_eq!(without_token(Some("token=abc")), None);
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
