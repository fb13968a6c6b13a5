//! Text a plugin supplied (its name, version, messages), made safe to print, and the rules a plugin's
//! identity must follow before it is installed.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The longest plugin name accepted.
pub const MAX_NAME_LEN: usize = 64;
/// The longest plugin version accepted.
pub const MAX_VERSION_LEN: usize = 64;

/// `text` with every character that could steer a terminal or reorder what it shows (control characters,
/// bidirectional overrides) written as `\u{..}`, so that a plugin cannot inject escape sequences.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_unless(text, |_| false)
}

/// Like [`escape`], but keeps line breaks and tabs: for multi-line text such as a panic message.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_unless(text, |c| c == '\n' || c == '\t')
}

fn escape_unless(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let escaped = |c: char| needs_escape(c) && !keep(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Why `name` is not a plugin name, if it is not one: 1 to 64 ASCII letters, digits, `-` or `_`, starting
/// with a letter or digit. Names become file names and are printed, so nothing else is accepted.
pub fn invalid_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Some(format!("it is {} bytes long", name.len()));
    }
    if let Some(c) = name.chars().find(|c| needs_escape(*c)) {
        return Some(format!(
            "it contains the control character {}",
            escape(&c.to_string())
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!("it contains `{c}`"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some("it does not start with a letter or digit".into());
    }
    None
}

/// Why `version` is not a plugin version, if it is not one: 1 to 64 printable characters, no spaces.
pub fn invalid_version(version: &str) -> Option<String> {
    if version.is_empty() {
        return Some("it is empty".into());
    }
    if version.len() > MAX_VERSION_LEN {
        return Some(format!("it is {} bytes long", version.len()));
    }
    if let Some(c) = version.chars().find(|c| needs_escape(*c)) {
        return Some(format!(
            "it contains the control character {}",
            escape(&c.to_string())
        ));
    }
    if version.chars().any(char::is_whitespace) {
        return Some("it contains white space".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(escape("postgres-quirks"), "postgres-quirks");
        assert_eq!(escape("élève 🎓"), "élève 🎓");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny\r\u{7f}"), "x\\u{a}y\\u{d}\\u{7f}");
        assert_eq!(escape("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            escape_lines("panicked at x:\n\tboom\u{1b}[0m"),
            "panicked at x:\n\tboom\\u{1b}[0m"
        );
    }

    #[test]
    fn names_are_plain_identifiers() {
        for ok in [
            "postgres",
            "postgres-quirks",
            "my_dialect2",
            "9lives",
            "Acme",
        ] {
            assert_eq!(invalid_name(ok), None, "{ok}");
        }
        for bad in [
            "",
            "-flag",
            "a/b",
            "..",
            "a b",
            "h\u{1b}[31mi",
            "é",
            &"x".repeat(65),
        ] {
            assert!(invalid_name(bad).is_some(), "{bad:?}");
        }
        assert!(invalid_name("h\u{1b}i").unwrap().contains("\\u{1b}"));
    }

    #[test]
    fn versions_are_printable_words() {
        assert_eq!(invalid_version("1.2.3-beta.1+abc"), None);
        assert_eq!(invalid_version("2024.1"), None);
        for bad in ["", "1.0 final", "1.0\u{7}", &"1".repeat(65)] {
            assert!(invalid_version(bad).is_some(), "{bad:?}");
        }
    }
}
