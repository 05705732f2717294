//! Text from forms and documents shown where control characters would act rather than show:
//! the terminal (an ESC starts a colour or cursor sequence, BEL rings, CR overwrites the line)
//! and text reports opened in a terminal or editor. Every control character except line feed
//! and tab is replaced at output — the documents themselves keep what the forms hold.

use std::borrow::Cow;

/// Whether `c` acts when printed: a C0 control other than line feed and tab, DEL, or a C1
/// control (U+0080–U+009F; some terminals read U+009B as the start of a sequence).
fn acts(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` with each control character (except line feed and tab) replaced by its visible
/// picture: ESC shows as ␛, BEL as ␇, CR as ␍, DEL as ␡, a C1 control as �.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(picture).collect())
}

/// [`visible`] keeping CR before LF (the line end of CSV files) as it is.
pub fn visible_keeping_crlf(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else {
            out.push(picture(c));
        }
    }
    Cow::Owned(out)
}

/// [`visible`] for a text whose byte offsets must not move (a file shown with underlined
/// spans): each control character becomes as many `?` as it has bytes. CR before LF is kept.
pub fn visible_same_length(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if acts(c) && !(c == '\r' && chars.peek() == Some(&'\n')) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn picture(c: char) -> char {
    if !acts(c) {
        return c;
    }
    match u32::from(c) {
        code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_instead_of_acting() {
        assert_eq!(visible("项目\u{1b}[31m红\u{7}\r\n下一行\t"), "项目␛[31m红␇␍\n下一行\t");
        assert!(matches!(visible("普通文字\n"), Cow::Borrowed(_)));
        assert_eq!(visible("\u{9b}31m\u{7f}"), "\u{fffd}31m\u{2421}");
        assert_eq!(visible_keeping_crlf("a\u{1b}\r\nb\rc"), "a␛\r\nb␍c");
        let same = visible_same_length("x\u{1b}y\u{9b}z\r\n");
        assert_eq!(same, "x?y??z\r\n");
        assert_eq!(same.len(), "x\u{1b}y\u{9b}z\r\n".len());
    }
}
