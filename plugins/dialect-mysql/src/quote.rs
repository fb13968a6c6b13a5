//! Quoting of identifiers and string literals, the only way names and texts enter rendered SQL.

/// Quotes an identifier with backticks, doubling any backtick inside, so no content can escape it.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Quotes a string literal for the default `sql_mode`, where a backslash is an escape character:
/// backslashes are doubled and quotes doubled. Under `NO_BACKSLASH_ESCAPES` the literal stays
/// closed too (a doubled quote is still a quote), only its backslashes read twice.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Reads a quoted literal starting at `s[0]` (a `'` or `"`): returns its value and the bytes used.
/// Understands doubled quotes and backslash escapes, as MariaDB prints them in `COLUMN_TYPE`.
pub fn read_string(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    if q != '\'' && q != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        if c == q {
            if s[i + 1..].starts_with(q) {
                chars.next();
                out.push(q);
            } else {
                return Some((out, i + 1));
            }
        } else if c == '\\' {
            let (_, e) = chars.next()?;
            out.push(match e {
                '0' => '\0',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'b' => '\u{8}',
                'Z' => '\u{1a}',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_double_backticks() {
        assert_eq!(ident("a"), "`a`");
        assert_eq!(ident("a`b"), "`a``b`");
        assert_eq!(ident("`; drop table x; --"), "```; drop table x; --`");
        assert_eq!(ident("naïve 表"), "`naïve 表`");
    }

    #[test]
    fn strings_escape_backslash_and_quote() {
        assert_eq!(string("it's"), "'it''s'");
        assert_eq!(string("a\\'b"), "'a\\\\''b'");
        assert_eq!(string("x\\"), "'x\\\\'");
    }

    #[test]
    fn read_string_round_trips() {
        for s in ["", "it's", "a\\b", "\\'", "x,y)", "tab\tnew\nline", "ü'\\"] {
            let q = string(s);
            assert_eq!(read_string(&q), Some((s.to_string(), q.len())), "{q}");
        }
        assert_eq!(read_string("'a''b' rest"), Some(("a'b".into(), 6)));
        assert_eq!(read_string("'open"), None);
    }
}
