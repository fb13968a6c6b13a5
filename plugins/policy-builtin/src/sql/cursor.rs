//! A cursor over one statement's tokens, with the small parsing steps every reader uses.

use ai_shell_policy_sdk::QualifiedName;

use super::{Kind, Token};

/// A cursor over the tokens `i..end` of one statement.
#[derive(Clone, Copy)]
pub(super) struct Cursor<'a> {
    pub(super) sql: &'a str,
    pub(super) t: &'a [Token],
    pub(super) i: usize,
    pub(super) end: usize,
    /// Unquoted names fold to lower case (PostgreSQL).
    pub(super) fold: bool,
}

impl<'a> Cursor<'a> {
    pub(super) fn sub(&self, from: usize, to: usize) -> Cursor<'a> {
        Cursor {
            i: from,
            end: to.min(self.end),
            ..*self
        }
    }
    pub(super) fn peek(&self) -> Option<&'a Token> {
        self.nth(0)
    }
    pub(super) fn nth(&self, n: usize) -> Option<&'a Token> {
        let k = self.i + n;
        (k < self.end).then(|| &self.t[k])
    }
    pub(super) fn done(&self) -> bool {
        self.i >= self.end
    }
    pub(super) fn bump(&mut self) {
        self.i += 1;
    }
    pub(super) fn at(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is(keyword))
    }
    pub(super) fn at_any(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.at(k))
    }
    pub(super) fn at_punct(&self, c: char) -> bool {
        self.peek().is_some_and(|t| t.punct(c))
    }
    pub(super) fn eat(&mut self, keyword: &str) -> bool {
        let hit = self.at(keyword);
        if hit {
            self.bump();
        }
        hit
    }
    pub(super) fn eat_punct(&mut self, c: char) -> bool {
        let hit = self.at_punct(c);
        if hit {
            self.bump();
        }
        hit
    }
    /// All of `keywords` in a row, or nothing consumed.
    pub(super) fn eat_all(&mut self, keywords: &[&str]) -> bool {
        let hit = keywords
            .iter()
            .enumerate()
            .all(|(n, k)| self.nth(n).is_some_and(|t| t.is(k)));
        if hit {
            self.i += keywords.len();
        }
        hit
    }
    /// An identifier, unquoted (folded when unquoted on PostgreSQL).
    pub(super) fn ident(&mut self) -> Option<String> {
        let t = self.peek().filter(|t| t.is_ident())?;
        self.bump();
        Some(if self.fold && t.kind == Kind::Word {
            t.text.to_lowercase()
        } else {
            t.text.clone()
        })
    }
    /// `a`, `a.b`, `a.b.c` (keeping the last two parts).
    pub(super) fn name(&mut self) -> Option<QualifiedName> {
        let mut parts = vec![self.ident()?];
        while self.at_punct('.') && self.nth(1).is_some_and(Token::is_ident) {
            self.bump();
            parts.push(self.ident()?);
        }
        let name = parts.pop()?;
        Some(QualifiedName {
            namespace: parts.pop(),
            name,
        })
    }
    /// `a, b.c, ...`.
    pub(super) fn names(&mut self) -> Vec<QualifiedName> {
        let mut out = Vec::new();
        while let Some(n) = self.name() {
            out.push(n);
            if !self.eat_punct(',') {
                break;
            }
        }
        out
    }
    /// The index of the `)` closing the `(` at `open` (the end when unclosed).
    pub(super) fn close_of(&self, open: usize) -> usize {
        let mut depth = 0;
        for k in open..self.end {
            match self.t[k].kind {
                Kind::Punct('(') => depth += 1,
                Kind::Punct(')') => {
                    depth -= 1;
                    if depth == 0 {
                        return k;
                    }
                }
                _ => {}
            }
        }
        self.end
    }
    /// At `(`: the token range inside the parentheses, moving past them.
    pub(super) fn group(&mut self) -> Option<(usize, usize)> {
        if !self.at_punct('(') {
            return None;
        }
        let open = self.i;
        let close = self.close_of(open);
        self.i = (close + 1).min(self.end);
        Some((open + 1, close))
    }
    /// Moves past one token, or a whole parenthesised group.
    pub(super) fn skip(&mut self) {
        if self.group().is_none() {
            self.bump();
        }
    }
    /// The source text of tokens `from..to`, trimmed.
    pub(super) fn text(&self, from: usize, to: usize) -> String {
        let to = to.min(self.end);
        if from >= to {
            return String::new();
        }
        self.sql[self.t[from].start..self.t[to - 1].end]
            .trim()
            .to_string()
    }
    /// The ranges of `from..to` between top-level `sep` punctuation.
    pub(super) fn split(&self, from: usize, to: usize, sep: char) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        let mut start = from;
        for k in from..to.min(self.end) {
            match self.t[k].kind {
                Kind::Punct('(') => depth += 1,
                Kind::Punct(')') => depth -= 1,
                Kind::Punct(c) if c == sep && depth <= 0 => {
                    if k > start {
                        out.push((start, k));
                    }
                    start = k + 1;
                }
                _ => {}
            }
        }
        if to.min(self.end) > start {
            out.push((start, to.min(self.end)));
        }
        out
    }
    /// The index of `keyword` at parenthesis depth 0 from the cursor, if any.
    pub(super) fn find_top(&self, keyword: &str) -> Option<usize> {
        let mut depth = 0i32;
        for k in self.i..self.end {
            match self.t[k].kind {
                Kind::Punct('(') => depth += 1,
                Kind::Punct(')') => depth -= 1,
                _ if depth == 0 && self.t[k].is(keyword) => return Some(k),
                _ => {}
            }
        }
        None
    }
    /// Whether `NOT VALID` follows anywhere from the cursor.
    pub(super) fn not_valid_ahead(&self) -> bool {
        (self.i..self.end)
            .any(|k| self.t[k].is("NOT") && self.t.get(k + 1).is_some_and(|t| t.is("VALID")))
    }
    /// The identifiers of a parenthesised list (`(a, b DESC, lower(c))`): names, or `(expression)` text.
    pub(super) fn column_list(&mut self) -> Vec<String> {
        let Some((from, to)) = self.group() else {
            return Vec::new();
        };
        self.split(from, to, ',')
            .into_iter()
            .map(|(a, b)| self.sub(a, b).key())
            .collect()
    }
    /// One index key: a column name (with MySQL's prefix length, order, opclass...), or an expression.
    pub(super) fn key(mut self) -> String {
        let simple = self.peek().is_some_and(Token::is_ident)
            && match self.nth(1) {
                None => true,
                Some(t) if t.kind == Kind::Word || t.kind == Kind::Quoted => true,
                // `name(10)`: a MySQL prefix length.
                Some(t) if t.punct('(') => {
                    self.nth(2).is_some_and(|n| n.kind == Kind::Num)
                        && self.nth(3).is_some_and(|n| n.punct(')'))
                }
                _ => false,
            };
        if simple {
            self.ident().unwrap_or_default()
        } else {
            format!("({})", self.text(self.i, self.end).to_lowercase())
        }
    }
}
