//! Reading SQLite's stored `CREATE` statements: a tokenizer, a small cursor, and parsers for
//! the parts of `CREATE TABLE`, `CREATE INDEX` and `CREATE VIEW` that the pragmas do not report.

pub mod create_index;
pub mod create_table;
pub mod create_view;
pub mod lexer;
pub mod rewrite;

use lexer::{Kind, Token};

/// Why a stored statement could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<lexer::LexError> for ParseError {
    fn from(e: lexer::LexError) -> Self {
        ParseError(format!("{} at byte {}", e.message, e.offset))
    }
}

/// A position in a token list, with the source the tokens point into.
pub struct Cursor<'a> {
    pub src: &'a str,
    pub tokens: &'a [Token],
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str, tokens: &'a [Token]) -> Self {
        Cursor {
            src,
            tokens,
            pos: 0,
        }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    pub fn peek_at(&self, ahead: usize) -> Option<&'a Token> {
        self.tokens.get(self.pos + ahead)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    pub fn advance(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    pub fn peek_word(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.src, keyword))
    }

    pub fn peek_punct(&self, punct: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(self.src, punct))
    }

    /// Consumes `keyword` when it is next.
    pub fn eat_word(&mut self, keyword: &str) -> bool {
        let hit = self.peek_word(keyword);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub fn eat_punct(&mut self, punct: &str) -> bool {
        let hit = self.peek_punct(punct);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub fn expect_word(&mut self, keyword: &str) -> Result<(), ParseError> {
        if self.eat_word(keyword) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {keyword}")))
        }
    }

    pub fn expect_punct(&mut self, punct: &str) -> Result<(), ParseError> {
        if self.eat_punct(punct) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{punct}`")))
        }
    }

    /// Reads a name (bare, quoted, or a string literal used as a name).
    pub fn name(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Some(t) if t.is_name() => {
                self.pos += 1;
                Ok(t.name(self.src))
            }
            _ => Err(self.error("expected a name")),
        }
    }

    /// Reads `name` or `schema.name`, returning the last part.
    pub fn qualified_name(&mut self) -> Result<String, ParseError> {
        let first = self.name()?;
        if self.eat_punct(".") {
            return self.name();
        }
        Ok(first)
    }

    /// Skips a balanced parenthesised group starting at `(` and returns the source text inside it.
    pub fn group(&mut self) -> Result<&'a str, ParseError> {
        let open = self.peek().ok_or_else(|| self.error("expected `(`"))?;
        if !open.is_punct(self.src, "(") {
            return Err(self.error("expected `(`"));
        }
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.advance() {
            if t.is_punct(self.src, "(") {
                depth += 1;
            } else if t.is_punct(self.src, ")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(self.between(start + 1, self.pos - 1));
                }
            }
        }
        Err(self.error("unbalanced parentheses"))
    }

    /// The source text covering tokens `from..to` (exclusive), as written.
    pub fn between(&self, from: usize, to: usize) -> &'a str {
        if from >= to {
            return "";
        }
        &self.src[self.tokens[from].span.start..self.tokens[to - 1].span.end]
    }

    /// Splits the tokens `from..to` at commas outside parentheses; each part is a token range.
    pub fn split_commas(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let mut parts = Vec::new();
        let mut depth = 0i32;
        let mut start = from;
        for i in from..to {
            let t = &self.tokens[i];
            if t.kind != Kind::Punct {
                continue;
            }
            match t.text(self.src) {
                "(" => depth += 1,
                ")" => depth -= 1,
                "," if depth == 0 => {
                    parts.push((start, i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        if start < to {
            parts.push((start, to));
        }
        parts
    }

    /// The index of the `)` closing the `(` at `open`.
    pub fn closing(&self, open: usize) -> Result<usize, ParseError> {
        let mut depth = 0usize;
        for i in open..self.tokens.len() {
            let t = &self.tokens[i];
            if t.is_punct(self.src, "(") {
                depth += 1;
            } else if t.is_punct(self.src, ")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
        }
        Err(ParseError("unbalanced parentheses".into()))
    }

    pub fn error(&self, what: &str) -> ParseError {
        match self.peek() {
            Some(t) => ParseError(format!(
                "{what} at byte {}, near {:?}",
                t.span.start,
                t.text(self.src)
            )),
            None => ParseError(format!("{what} at the end of the statement")),
        }
    }
}

/// Reads an indexed-column list `(a COLLATE x DESC, b)` into the bare column names.
pub fn column_names(cur: &mut Cursor<'_>) -> Result<Vec<String>, ParseError> {
    let open = cur.pos;
    let close = cur.closing(open)?;
    let mut names = Vec::new();
    for (from, _) in cur.split_commas(open + 1, close) {
        let t = &cur.tokens[from];
        if !t.is_name() {
            return Err(ParseError(format!(
                "expected a column name near {:?}",
                t.text(cur.src)
            )));
        }
        names.push(t.name(cur.src));
    }
    cur.pos = close + 1;
    Ok(names)
}
