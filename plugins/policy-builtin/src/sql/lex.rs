//! The tokenizer: words, quoted identifiers (`"x"`, `` `x` ``, `[x]`), string literals (`''` escapes,
//! `E'...'`, MySQL backslashes), dollar-quoted bodies, numbers and punctuation; comments are skipped.
//! Unclosed quotes and comments run to the end of the text. It never fails.

use super::Dialect;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A bare word: keyword or identifier.
    Word,
    /// A quoted identifier.
    Quoted,
    /// A string literal or dollar-quoted body.
    Str,
    Num,
    Punct(char),
}

#[derive(Clone, Debug)]
pub struct Token {
    pub kind: Kind,
    /// The word as written, the identifier or string unquoted, the number, or the punctuation.
    pub text: String,
    /// Byte range in the statement.
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// A bare word equal to `keyword`, ignoring case.
    pub fn is(&self, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    pub fn is_ident(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted)
    }

    pub fn punct(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }
}

/// Splits `sql` into tokens.
pub fn tokenize(sql: &str, dialect: Dialect) -> Vec<Token> {
    let b = sql.as_bytes();
    let mysql = dialect == Dialect::Mysql;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let mut push = |kind: Kind, text: String, end: usize| {
            out.push(Token {
                kind,
                text,
                start,
                end,
            })
        };
        if c.is_ascii_whitespace() {
            i += 1;
        } else if (c == b'-' && b.get(i + 1) == Some(&b'-')) || (mysql && c == b'#') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = comment_end(b, i, dialect == Dialect::Postgres);
        } else if !mysql && matches!(c, b'e' | b'E') && b.get(i + 1) == Some(&b'\'') {
            let (end, text) = quoted(b, i + 1, b'\'', true);
            i = end;
            push(Kind::Str, text, end);
        } else if c == b'\'' {
            let (end, text) = quoted(b, i, b'\'', mysql);
            i = end;
            push(Kind::Str, text, end);
        } else if c == b'"' || c == b'`' {
            let (end, text) = quoted(b, i, c, mysql && c == b'"');
            i = end;
            push(Kind::Quoted, text, end);
        } else if c == b'[' {
            let (end, text) = bracket(sql, i);
            i = end;
            push(Kind::Quoted, text, end);
        } else if c == b'$'
            && !mysql
            && let Some(tag) = dollar_tag(&b[i..])
        {
            let delimiter = &b[i..i + tag];
            let body = i + tag;
            let mut k = body;
            while k < b.len() && !b[k..].starts_with(delimiter) {
                k += 1;
            }
            let text = String::from_utf8_lossy(&b[body..k]).into_owned();
            i = (k + tag).min(b.len());
            push(Kind::Str, text, i);
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            push(Kind::Word, sql[start..i].to_string(), i);
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            push(Kind::Num, sql[start..i].to_string(), i);
        } else {
            // Only ASCII reaches here: bytes >= 0x80 start words.
            i += 1;
            push(Kind::Punct(c as char), (c as char).to_string(), i);
        }
    }
    out
}

/// The end of the `/* */` comment opening at `i` (PostgreSQL nests them).
fn comment_end(b: &[u8], mut i: usize, nested: bool) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') && (nested || depth == 0) {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// The text opening with quote `q` at `open` (a doubled quote stands for itself; with `backslash`, `\x`
/// stands for `x`): its end and content.
fn quoted(b: &[u8], open: usize, q: u8, backslash: bool) -> (usize, String) {
    let mut i = open + 1;
    let mut text = Vec::new();
    while i < b.len() {
        if backslash && b[i] == b'\\' {
            if let Some(&next) = b.get(i + 1) {
                text.push(next);
            }
            i += 2;
            continue;
        }
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                text.push(q);
                i += 2;
                continue;
            }
            return (i + 1, String::from_utf8_lossy(&text).into_owned());
        }
        text.push(b[i]);
        i += 1;
    }
    (b.len(), String::from_utf8_lossy(&text).into_owned())
}

/// `[name]` (nested brackets, as in `ARRAY[[1,2]]`, stay inside): its end and content.
fn bracket(sql: &str, open: usize) -> (usize, String) {
    let b = sql.as_bytes();
    let mut depth = 0;
    for (i, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return (i + 1, sql[open + 1..i].to_string());
                }
            }
            _ => {}
        }
    }
    (b.len(), sql[open + 1..].to_string())
}

/// The length of a dollar-quote opening tag (`$$`, `$body$`) at the start of `b`.
fn dollar_tag(b: &[u8]) -> Option<usize> {
    let len = b[1..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))?;
    let starts_with_digit = len > 0 && b[1].is_ascii_digit();
    (b.get(len + 1) == Some(&b'$') && !starts_with_digit).then_some(len + 2)
}
