//! A tokenizer for the SQLite SQL that `sqlite_schema` stores: enough to find the parts of a
//! `CREATE` statement and to keep every expression exactly as it was written.

use std::ops::Range;

/// What a token is; `Word` covers keywords and bare identifiers alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// `"..."`, `` `...` `` or `[...]`.
    QuotedIdent,
    /// `'...'`.
    String,
    /// `x'...'`.
    Blob,
    Number,
    /// `?`, `?1`, `:name`, `@name`, `$name`.
    Variable,
    /// An operator or punctuation, one or two characters.
    Punct,
}

/// One token and where it sits in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Range<usize>,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.span.clone()]
    }

    /// True when the token is the bare word `keyword` (ASCII case-insensitive).
    pub fn is_word(&self, src: &str, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(keyword)
    }

    pub fn is_punct(&self, src: &str, punct: &str) -> bool {
        self.kind == Kind::Punct && self.text(src) == punct
    }

    /// True for anything that can name an object: a bare word or a quoted identifier. SQLite
    /// also accepts a string literal as a name in most places.
    pub fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::QuotedIdent | Kind::String)
    }

    /// The name a name token stands for, with quotes removed and doubled quotes undone.
    pub fn name(&self, src: &str) -> String {
        unquote(self.text(src))
    }
}

/// Removes identifier or string quotes: `"a""b"` -> `a"b`, `` `a``b` `` -> ``a`b``, `[a]` -> `a`,
/// `'it''s'` -> `it's`. Bare words come back unchanged.
pub fn unquote(text: &str) -> String {
    let mut chars = text.chars();
    let (Some(first), Some(last)) = (chars.next(), text.chars().last()) else {
        return text.to_string();
    };
    if text.len() < 2 {
        return text.to_string();
    }
    let inner = &text[first.len_utf8()..text.len() - last.len_utf8()];
    match (first, last) {
        ('"', '"') => inner.replace("\"\"", "\""),
        ('`', '`') => inner.replace("``", "`"),
        ('\'', '\'') => inner.replace("''", "'"),
        ('[', ']') => inner.to_string(),
        _ => text.to_string(),
    }
}

/// A tokenizing failure: the byte offset and what was wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: &'static str,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// Splits `src` into tokens, dropping whitespace and comments.
pub fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = src[i..].chars().next().expect("in bounds");
        let start = i;
        let kind = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '-' if bytes.get(i + 1) == Some(&b'-') => {
                i = src[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            '/' if bytes.get(i + 1) == Some(&b'*') => {
                // An unterminated block comment runs to the end, as in SQLite.
                i = src[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            '\'' => {
                i = quoted_end(src, i, '\'')?;
                Kind::String
            }
            '"' => {
                i = quoted_end(src, i, '"')?;
                Kind::QuotedIdent
            }
            '`' => {
                i = quoted_end(src, i, '`')?;
                Kind::QuotedIdent
            }
            '[' => {
                i = src[i..].find(']').map(|n| i + n + 1).ok_or(LexError {
                    offset: start,
                    message: "unterminated [identifier]",
                })?;
                Kind::QuotedIdent
            }
            'x' | 'X' if bytes.get(i + 1) == Some(&b'\'') => {
                i = quoted_end(src, i + 1, '\'')?;
                Kind::Blob
            }
            c if c.is_ascii_digit()
                || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                i = number_end(bytes, i);
                Kind::Number
            }
            '?' => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                Kind::Variable
            }
            ':' | '@' | '$' if src[i + 1..].chars().next().is_some_and(is_word_char) => {
                i += 1;
                while let Some(c) = src[i..].chars().next().filter(|c| is_word_char(*c)) {
                    i += c.len_utf8();
                }
                Kind::Variable
            }
            c if is_word_char(c) => {
                while let Some(c) = src[i..].chars().next().filter(|c| is_word_char(*c)) {
                    i += c.len_utf8();
                }
                Kind::Word
            }
            _ => {
                let two = src.get(i..i + 2).unwrap_or("");
                i += if matches!(
                    two,
                    "||" | "<=" | ">=" | "==" | "!=" | "<>" | "<<" | ">>" | "->"
                ) {
                    if src.get(i..i + 3) == Some("->>") {
                        3
                    } else {
                        2
                    }
                } else {
                    c.len_utf8()
                };
                Kind::Punct
            }
        };
        tokens.push(Token {
            kind,
            span: start..i,
        });
    }
    Ok(tokens)
}

/// The end (exclusive) of a quoted token starting at `start`, where a doubled quote escapes it.
fn quoted_end(src: &str, start: usize, quote: char) -> Result<usize, LexError> {
    let bytes = src.as_bytes();
    let q = quote as u8;
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return Ok(i + 1);
        }
        i += 1;
    }
    Err(LexError {
        offset: start,
        message: "unterminated quoted token",
    })
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < bytes.len() && (bytes[i].is_ascii_hexdigit() || bytes[i] == b'_') {
            i += 1;
        }
        return i;
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_' || bytes[i] == b'.') {
        i += 1;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        tokenize(src)
            .unwrap()
            .iter()
            .map(|t| &src[t.span.clone()])
            .collect()
    }

    #[test]
    fn splits_quotes_comments_and_operators() {
        assert_eq!(
            texts("a \"b\"\"c\" `d` [e f] 'g''h' x'00' -- gone\n1.5e3 /* gone */ || <= ->> ?1 :x"),
            vec![
                "a",
                "\"b\"\"c\"",
                "`d`",
                "[e f]",
                "'g''h'",
                "x'00'",
                "1.5e3",
                "||",
                "<=",
                "->>",
                "?1",
                ":x"
            ]
        );
    }

    #[test]
    fn unquotes_every_style() {
        assert_eq!(unquote("\"a\"\"b\""), "a\"b");
        assert_eq!(unquote("`a``b`"), "a`b");
        assert_eq!(unquote("[a\"b]"), "a\"b");
        assert_eq!(unquote("'it''s'"), "it's");
        assert_eq!(unquote("plain"), "plain");
    }

    #[test]
    fn unicode_words_stay_whole() {
        assert_eq!(texts("café(ü)"), vec!["café", "(", "ü", ")"]);
    }

    #[test]
    fn reports_unterminated_quotes() {
        assert!(tokenize("'abc").is_err());
        assert!(tokenize("\"abc").is_err());
    }
}
