//! Splitting a migration section into statements, with each engine's quoting, comments and compound bodies.
//!
//! What the splitter knows, per dialect:
//! - all: `'...'` strings with `''`, `"..."` identifiers with `""`, `--` line comments, `/* */` comments,
//!   `BEGIN ... END` bodies of `CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT` (nested `BEGIN`/`CASE ... END`;
//!   `END IF`, `END LOOP`, `END WHILE`, `END REPEAT`, `END FOR` close blocks that never opened one).
//! - PostgreSQL: `$$`/`$tag$` dollar quoting, nested `/* /* */ */` comments, `E'..\'..'` escape strings,
//!   `BEGIN ATOMIC ... END` function bodies.
//! - MySQL/MariaDB: backslash escapes in strings, `"..."` as a string, backtick identifiers, `#` comments,
//!   `--` followed by whitespace as a comment (`5--1` is arithmetic), `/*! ... */` and `/*+ ... */`
//!   kept as statement content, `DELIMITER xx` lines as the mysql client and mysqldump use them, MariaDB
//!   `BEGIN NOT ATOMIC ... END`.
//! - SQLite: backtick and `[bracket]` identifiers.
//!
//! Text is read with CRLF/CR as LF and a leading BOM skipped. Unterminated strings or comments run to the end
//! of the text; [`unterminated`] says which one, so that no command runs a section that would lose statements.

use std::cell::Cell;

use crate::connection::Engine;

/// The SQL dialect whose lexical rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SplitDialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
}

impl From<Engine> for SplitDialect {
    fn from(engine: Engine) -> SplitDialect {
        match engine {
            Engine::Postgres => SplitDialect::Postgres,
            Engine::MySql => SplitDialect::MySql,
            Engine::Sqlite => SplitDialect::Sqlite,
        }
    }
}

/// One statement of a section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The statement, trimmed, without leading comments and without its final `;` (or `DELIMITER`).
    pub sql: String,
    /// The 1-based line of the section where the statement starts.
    pub line: usize,
}

/// The statements of `sql`. Fragments holding only comments and whitespace produce none; `DELIMITER` lines
/// (MySQL) are consumed.
pub fn statements(sql: &str, dialect: SplitDialect) -> Vec<Statement> {
    let sql = sql.strip_prefix('\u{feff}').unwrap_or(sql);
    let text = super::file::normalize_newlines(sql);
    Splitter::new(&text, dialect).run()
}

/// The indexes in `statements` of the transaction control the author wrote (`BEGIN`, `START TRANSACTION`,
/// `COMMIT`, `END`, `ROLLBACK` without `TO`, `ABORT`), which ai-shell does itself. Compound blocks
/// (`BEGIN NOT ATOMIC ... END`, `BEGIN ... END` bodies) and savepoints are not transaction control.
pub fn transaction_control(statements: &[Statement]) -> Vec<usize> {
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| is_transaction_control(&s.sql))
        .map(|(i, _)| i)
        .collect()
}

fn is_transaction_control(sql: &str) -> bool {
    let words = leading_words(sql, 3);
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    match word(0) {
        "BEGIN" => !matches!(word(1), "NOT" | "ATOMIC") && !sql.contains(';'),
        "START" => word(1) == "TRANSACTION",
        "COMMIT" | "ABORT" => true,
        "END" => matches!(word(1), "" | "TRANSACTION" | "WORK"),
        "ROLLBACK" => {
            word(1) != "TO" && !(matches!(word(1), "TRANSACTION" | "WORK") && word(2) == "TO")
        }
        _ => false,
    }
}

/// The first `n` words of `sql`, upper-cased, skipping whitespace and comments.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = sql;
    while words.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r);
        } else {
            let end = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            words.push(rest[..end].to_ascii_uppercase());
            rest = &rest[end..];
        }
    }
    words
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// What kind of statement the current fragment is, as far as block structure goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// No word seen yet.
    Unknown,
    /// Began with CREATE; still reading the words that say what is created.
    Create,
    /// Began with BEGIN: a transaction, or MariaDB's `BEGIN NOT ATOMIC` block.
    Begin,
    /// May contain a `BEGIN ... END` body: `;` ends it only outside blocks.
    Routine,
    /// Ends at the first delimiter.
    Plain,
}

/// Words after CREATE that say a body may follow.
const ROUTINES: &[&str] = &["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"];
/// Words after CREATE that say no body follows.
const NOT_ROUTINES: &[&str] = &[
    "TABLE",
    "VIEW",
    "INDEX",
    "UNIQUE",
    "SEQUENCE",
    "SCHEMA",
    "DATABASE",
    "TYPE",
    "DOMAIN",
    "EXTENSION",
    "ROLE",
    "USER",
    "MATERIALIZED",
    "POLICY",
    "RULE",
    "SERVER",
    "PUBLICATION",
    "SUBSCRIPTION",
    "COLLATION",
    "CAST",
    "OPERATOR",
    "TABLESPACE",
    "STATISTICS",
    "LANGUAGE",
    "VIRTUAL",
    "FULLTEXT",
    "SPATIAL",
    "AS",
    "ON",
];

struct Splitter<'a> {
    text: &'a str,
    b: &'a [u8],
    dialect: SplitDialect,
    out: Vec<Statement>,
    delimiter: String,
    line: usize,
    /// Only whitespace since the start of the line.
    line_start: bool,
    // The current fragment.
    start: Option<(usize, usize)>,
    kind: Kind,
    words: usize,
    depth: i64,
    after_end: bool,
    /// What the text ended inside of, and the line where it opened.
    unterminated: Option<Unterminated>,
    /// Bytes examined so far, look-ahead included: the splitter's work, which stays within a small multiple
    /// of the text's length (checked by the tests, so that a re-scan per statement cannot creep back in).
    work: Cell<usize>,
}

/// A string, identifier, comment, dollar quote or `DELIMITER` block that the text never closes: every
/// statement after its opening would be swallowed into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unterminated {
    /// "a `/*` comment", "a string"...
    pub what: &'static str,
    /// The 1-based line of the section where it opens.
    pub line: usize,
}

impl std::fmt::Display for Unterminated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {} is never closed, so everything after it would be read as part of it",
            self.line, self.what
        )
    }
}

/// What `sql` leaves open at its end, if anything (see [`Unterminated`]).
pub fn unterminated(sql: &str, dialect: SplitDialect) -> Option<Unterminated> {
    let sql = sql.strip_prefix('\u{feff}').unwrap_or(sql);
    let text = super::file::normalize_newlines(sql);
    let mut splitter = Splitter::new(&text, dialect);
    splitter.split();
    splitter.unterminated
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str, dialect: SplitDialect) -> Splitter<'a> {
        Splitter {
            text,
            b: text.as_bytes(),
            dialect,
            out: Vec::new(),
            delimiter: ";".to_string(),
            line: 1,
            line_start: true,
            start: None,
            kind: Kind::Unknown,
            words: 0,
            depth: 0,
            after_end: false,
            unterminated: None,
            work: Cell::new(0),
        }
    }

    /// Counts `n` bytes examined.
    fn examined(&self, n: usize) {
        self.work.set(self.work.get() + n);
    }

    fn mysql(&self) -> bool {
        self.dialect == SplitDialect::MySql
    }

    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn run(mut self) -> Vec<Statement> {
        self.split();
        self.out
    }

    fn split(&mut self) {
        let mut i = 0;
        while i < self.b.len() {
            self.examined(1);
            let c = self.b[i];
            if c == b'\n' {
                self.line += 1;
                self.line_start = true;
                i += 1;
                continue;
            }
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            // Looked for at the line's first non-blank byte only: looking at every blank before it would read
            // the rest of the line once per blank.
            if self.line_start
                && self.start.is_none()
                && self.mysql()
                && let Some(next) = self.delimiter_command(i)
            {
                i = next;
                continue;
            }
            self.line_start = false;
            if let Some(next) = self.comment(i) {
                i = next;
                continue;
            }
            if self.b[i..].starts_with(self.delimiter.as_bytes()) && self.ends_statement() {
                self.finish(i);
                i += self.delimiter.len();
                continue;
            }
            self.begin(i);
            i = match c {
                b'\'' => self.quoted(i, b'\'', self.backslash_escapes(i)),
                b'"' => self.quoted(i, b'"', self.mysql()),
                b'`' if self.dialect != SplitDialect::Postgres => self.quoted(i, b'`', false),
                b'[' if self.dialect == SplitDialect::Sqlite => self.bracketed(i),
                // `/*!...*/` and `/*+...*/` (the only comments `comment` leaves): content, kept whole.
                b'/' if self.at(i + 1) == b'*' => {
                    self.after_end = false;
                    self.block_comment(i)
                }
                b'$' if self.dialect == SplitDialect::Postgres && self.dollar_tag(i).is_some() => {
                    self.dollar_quoted(i)
                }
                _ if is_ident_byte(c) && !c.is_ascii_digit() && c != b'$' => self.word(i),
                _ if is_ident_byte(c) => self.skip_ident(i),
                _ => {
                    self.after_end = false;
                    i + 1
                }
            };
        }
        if self.delimiter != ";"
            && let Some((_, line)) = self.start
            && self.unterminated.is_none()
        {
            self.unterminated = Some(Unterminated {
                what: "a block opened after `DELIMITER` (no closing delimiter)",
                line,
            });
        }
        self.finish(self.b.len());
    }

    fn open(&mut self, what: &'static str, line: usize) {
        if self.unterminated.is_none() {
            self.unterminated = Some(Unterminated { what, line });
        }
    }

    /// `DELIMITER xx` at the start of a line, between statements: sets the delimiter, returns the index after
    /// the line.
    fn delimiter_command(&mut self, i: usize) -> Option<usize> {
        let line_end = self.text[i..].find('\n').map_or(self.b.len(), |e| i + e);
        self.examined(line_end - i);
        let line = self.text[i..line_end].trim();
        let keyword = line.get(..9)?;
        if !keyword.eq_ignore_ascii_case("delimiter") {
            return None;
        }
        let rest = &line[9..];
        if !rest.starts_with(|c: char| c.is_whitespace()) {
            return None;
        }
        let delimiter = rest.split_whitespace().next()?;
        self.delimiter = delimiter.to_string();
        Some(line_end)
    }

    /// If a comment starts at `i` that is not statement content, the index after it.
    fn comment(&mut self, i: usize) -> Option<usize> {
        let (c, n) = (self.at(i), self.at(i + 1));
        let line_comment =
            (c == b'-' && n == b'-' && (!self.mysql() || n_is_space(self.at(i + 2))))
                || (c == b'#' && self.mysql());
        if line_comment {
            let end = self.text[i..].find('\n').map_or(self.b.len(), |e| i + e);
            self.examined(end - i);
            return Some(end);
        }
        if c == b'/' && n == b'*' {
            if self.mysql() && matches!(self.at(i + 2), b'!' | b'+') {
                return None; // executable comment or optimizer hint: content
            }
            return Some(self.block_comment(i));
        }
        None
    }

    fn block_comment(&mut self, start: usize) -> usize {
        let nested = self.dialect == SplitDialect::Postgres;
        let opened = self.line;
        let mut depth = 0;
        let mut i = start;
        while i < self.b.len() {
            self.examined(1);
            match (self.b[i], self.at(i + 1)) {
                (b'/', b'*') if depth == 0 || nested => {
                    depth += 1;
                    i += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return i;
                    }
                }
                (b'\n', _) => {
                    self.line += 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        self.open("a `/*` comment", opened);
        i
    }

    /// Whether a delimiter here ends the statement (not inside a routine's body when the delimiter is `;`).
    fn ends_statement(&self) -> bool {
        self.delimiter != ";" || self.kind != Kind::Routine || self.depth <= 0
    }

    fn begin(&mut self, i: usize) {
        if self.start.is_none() {
            self.start = Some((i, self.line));
        }
    }

    fn finish(&mut self, end: usize) {
        if let Some((start, line)) = self.start.take() {
            self.examined(end - start);
            let sql = self.text[start..end].trim_end();
            if !sql.is_empty() {
                self.out.push(Statement {
                    sql: sql.to_string(),
                    line,
                });
            }
        }
        self.kind = Kind::Unknown;
        self.words = 0;
        self.depth = 0;
        self.after_end = false;
    }

    fn backslash_escapes(&self, quote: usize) -> bool {
        match self.dialect {
            SplitDialect::MySql => true,
            SplitDialect::Postgres => {
                quote >= 1
                    && matches!(self.b[quote - 1], b'e' | b'E')
                    && (quote < 2 || !is_ident_byte(self.b[quote - 2]))
            }
            SplitDialect::Sqlite => false,
        }
    }

    /// A quoted string or identifier starting at `start`; doubled quotes escape, and backslashes if asked.
    fn quoted(&mut self, start: usize, quote: u8, backslash: bool) -> usize {
        self.after_end = false;
        let opened = self.line;
        let mut i = start + 1;
        while i < self.b.len() {
            self.examined(1);
            let c = self.b[i];
            if c == b'\n' {
                self.line += 1;
            }
            if backslash && c == b'\\' {
                if self.at(i + 1) == b'\n' {
                    self.line += 1;
                }
                i += 2;
                continue;
            }
            if c == quote {
                if self.at(i + 1) == quote {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += 1;
        }
        let what = match quote {
            b'\'' => "a `'` string",
            b'"' if self.mysql() => "a `\"` string",
            b'"' => "a `\"` quoted identifier",
            _ => "a `` ` `` quoted identifier",
        };
        self.open(what, opened);
        self.b.len()
    }

    fn bracketed(&mut self, start: usize) -> usize {
        self.after_end = false;
        let Some(end) = self.text[start..].find(']').map(|e| start + e + 1) else {
            self.examined(2 * (self.b.len() - start));
            self.open("a `[` quoted identifier", self.line);
            self.line += self.text[start..].matches('\n').count();
            return self.b.len();
        };
        self.examined(2 * (end - start));
        self.line += self.text[start..end].matches('\n').count();
        end
    }

    /// The tag of a dollar quote opening at `i` (`$$` → "", `$fn$` → "fn"), if one does.
    fn dollar_tag(&self, i: usize) -> Option<&'a str> {
        if i > 0 && is_ident_byte(self.b[i - 1]) {
            return None; // part of an identifier such as a$b
        }
        let rest = &self.text[i + 1..];
        let Some(end) = rest.find('$') else {
            self.examined(rest.len());
            return None;
        };
        let tag = &rest[..end];
        self.examined(2 * (end + 1));
        let valid = tag.chars().next().is_none_or(|c| !c.is_ascii_digit())
            && tag.chars().all(|c| c.is_alphanumeric() || c == '_');
        valid.then_some(tag)
    }

    fn dollar_quoted(&mut self, start: usize) -> usize {
        self.after_end = false;
        let tag = self.dollar_tag(start).unwrap_or_default();
        let open = tag.len() + 2;
        let close = format!("${tag}$");
        let body = start + open;
        let Some(end) = self.text[body..]
            .find(&close)
            .map(|e| body + e + close.len())
        else {
            self.examined(2 * (self.b.len() - start));
            self.open("a dollar-quoted string", self.line);
            self.line += self.text[start..].matches('\n').count();
            return self.b.len();
        };
        self.examined(2 * (end - start));
        self.line += self.text[start..end].matches('\n').count();
        end
    }

    /// Skips an identifier-like run that is not a keyword (a number, `$1`), stopping at a custom delimiter.
    fn skip_ident(&mut self, start: usize) -> usize {
        self.after_end = false;
        self.ident_end(start)
    }

    fn ident_end(&self, start: usize) -> usize {
        let mut i = start;
        while i < self.b.len() && is_ident_byte(self.b[i]) {
            self.examined(1);
            if i > start
                && self.delimiter != ";"
                && self.b[i..].starts_with(self.delimiter.as_bytes())
            {
                break;
            }
            i += 1;
        }
        i
    }

    /// A word at `start`: tracks what the statement is and its block depth.
    fn word(&mut self, start: usize) -> usize {
        let end = self.ident_end(start);
        let qualified = start > 0 && self.b[start - 1] == b'.';
        if qualified {
            self.after_end = false;
            return end;
        }
        self.examined(end - start);
        let word = self.text[start..end].to_ascii_uppercase();
        self.words += 1;
        match self.kind {
            Kind::Unknown => {
                self.kind = match word.as_str() {
                    "CREATE" => Kind::Create,
                    "BEGIN" => Kind::Begin,
                    _ => Kind::Plain,
                };
            }
            Kind::Begin => {
                // MariaDB `BEGIN NOT ATOMIC ... END` is a block; anything else a transaction.
                if word == "NOT" {
                    self.kind = Kind::Routine;
                    self.depth = 1;
                } else {
                    self.kind = Kind::Plain;
                }
            }
            Kind::Create => {
                if ROUTINES.contains(&word.as_str()) {
                    self.kind = Kind::Routine;
                } else if NOT_ROUTINES.contains(&word.as_str()) || self.words > 12 {
                    self.kind = Kind::Plain;
                }
            }
            Kind::Routine => self.block_word(&word),
            Kind::Plain => {}
        }
        end
    }

    fn block_word(&mut self, word: &str) {
        let after_end = std::mem::take(&mut self.after_end);
        if after_end {
            match word {
                // `END IF` and friends close blocks that never counted as opened.
                "IF" | "LOOP" | "WHILE" | "REPEAT" | "FOR" => {
                    self.depth += 1;
                    return;
                }
                // `END CASE` closes the CASE that END already closed.
                "CASE" => return,
                _ => {}
            }
        }
        match word {
            "BEGIN" | "CASE" => self.depth += 1,
            "END" => {
                self.depth -= 1;
                self.after_end = true;
            }
            _ => {}
        }
    }
}

fn n_is_space(b: u8) -> bool {
    b == 0 || b.is_ascii_whitespace() || b.is_ascii_control()
}

#[cfg(test)]
mod tests {
    use super::SplitDialect::{MySql, Postgres, Sqlite};
    use super::*;

    fn sqls(sql: &str, dialect: SplitDialect) -> Vec<String> {
        statements(sql, dialect)
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    const ALL: [SplitDialect; 3] = [Postgres, MySql, Sqlite];

    #[test]
    fn simple_statements_and_lines() {
        let sql = "CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1);   \n  SELECT 1";
        for d in ALL {
            assert_eq!(
                statements(sql, d),
                vec![
                    Statement {
                        sql: "CREATE TABLE a (id int)".into(),
                        line: 1
                    },
                    Statement {
                        sql: "INSERT INTO a VALUES (1)".into(),
                        line: 3
                    },
                    Statement {
                        sql: "SELECT 1".into(),
                        line: 4
                    },
                ]
            );
        }
    }

    #[test]
    fn comment_only_fragments_produce_nothing() {
        for d in ALL {
            assert!(statements("", d).is_empty());
            assert!(statements("  \n\t\n", d).is_empty());
            assert!(statements("-- nothing\n/* at\nall */\n;;\n", d).is_empty());
        }
        assert!(statements("# mysql comment\n;", MySql).is_empty());
    }

    #[test]
    fn leading_comments_are_dropped_and_line_is_the_statement() {
        let s = statements(
            "-- add a column\n/* why:\n   because */\nALTER TABLE a ADD b int; -- trailing\n",
            Postgres,
        );
        assert_eq!(
            s,
            vec![Statement {
                sql: "ALTER TABLE a ADD b int".into(),
                line: 4
            }]
        );
    }

    #[test]
    fn semicolons_in_strings_identifiers_and_comments() {
        let sql = "INSERT INTO t VALUES ('a;b', 'it''s; ok'); SELECT \"we;ird\"\"id\" FROM t -- ; no\n; SELECT /* ; */ 2;";
        for d in ALL {
            assert_eq!(
                sqls(sql, d),
                vec![
                    "INSERT INTO t VALUES ('a;b', 'it''s; ok')",
                    "SELECT \"we;ird\"\"id\" FROM t -- ; no",
                    "SELECT /* ; */ 2"
                ],
                "{d:?}"
            );
        }
    }

    #[test]
    fn mysql_backslashes_backticks_hash_and_double_quoted_strings() {
        let sql = "INSERT INTO `t;x` VALUES ('a\\';b', \"c\\\";d\"); # comment; here\nSELECT 5--1;\nSELECT 1 -- real comment;\n;";
        assert_eq!(
            sqls(sql, MySql),
            vec![
                "INSERT INTO `t;x` VALUES ('a\\';b', \"c\\\";d\")",
                "SELECT 5--1",
                "SELECT 1 -- real comment;"
            ]
        );
        // Without MySQL rules the backslash does not escape: the string ends at `\'`.
        assert_eq!(
            sqls("SELECT 'a\\'; SELECT 2;", Sqlite),
            vec!["SELECT 'a\\'", "SELECT 2"]
        );
    }

    #[test]
    fn mysql_executable_comments_are_content() {
        let sql = "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/* plain */;\nSELECT /*+ MAX_EXECUTION_TIME(1) */ 1;";
        assert_eq!(
            sqls(sql, MySql),
            vec![
                "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */",
                "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1"
            ]
        );
    }

    #[test]
    fn postgres_dollar_quotes_nested_comments_and_escape_strings() {
        let sql = "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 'a;b'; RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n\
                   DO $body$ BEGIN PERFORM 1; END $body$;\n\
                   /* outer /* inner ; */ still comment ; */ SELECT E'it\\'s;' , $1, a$b;\n\
                   SELECT $x$ has $$ inside; $x$;";
        let s = statements(sql, Postgres);
        let texts: Vec<&str> = s.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 'a;b'; RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql",
                "DO $body$ BEGIN PERFORM 1; END $body$",
                "SELECT E'it\\'s;' , $1, a$b",
                "SELECT $x$ has $$ inside; $x$"
            ]
        );
        assert_eq!(
            s.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![1, 6, 7, 8]
        );
    }

    #[test]
    fn postgres_begin_atomic_body() {
        let sql = "CREATE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 1;\nEND;\nSELECT one();";
        assert_eq!(
            sqls(sql, Postgres),
            vec![
                "CREATE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 1;\nEND",
                "SELECT one()"
            ]
        );
    }

    #[test]
    fn sqlite_trigger_body_with_case() {
        let sql = "CREATE TEMP TRIGGER IF NOT EXISTS t_upd AFTER UPDATE ON t FOR EACH ROW\nBEGIN\n  UPDATE t SET n = CASE WHEN new.n > 0 THEN 1 ELSE 0 END WHERE id = new.id;\n  INSERT INTO log VALUES ('x;y');\nEND;\nINSERT INTO [my;table] VALUES (`a;b`);";
        assert_eq!(
            sqls(sql, Sqlite),
            vec![
                "CREATE TEMP TRIGGER IF NOT EXISTS t_upd AFTER UPDATE ON t FOR EACH ROW\nBEGIN\n  UPDATE t SET n = CASE WHEN new.n > 0 THEN 1 ELSE 0 END WHERE id = new.id;\n  INSERT INTO log VALUES ('x;y');\nEND",
                "INSERT INTO [my;table] VALUES (`a;b`)"
            ]
        );
    }

    #[test]
    fn mysql_procedure_with_nested_blocks_without_delimiter() {
        let body = "CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  lbl: WHILE i < n DO\n    IF i = 2 THEN\n      BEGIN\n        SELECT 'two;';\n      END;\n    ELSEIF i = 3 THEN SELECT 3;\n    END IF;\n    CASE i WHEN 1 THEN SELECT 1; ELSE SELECT 0; END CASE;\n    SET i = i + 1;\n  END WHILE lbl;\n  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;\n  SELECT t.end FROM t;\nEND";
        let sql = format!("{body};\nCALL p(3);");
        assert_eq!(sqls(&sql, MySql), vec![body, "CALL p(3)"]);
    }

    #[test]
    fn mysql_trigger_and_function_forms() {
        let sql = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = CASE WHEN NEW.y THEN 1 ELSE 2 END;\n\
                   CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1;\n\
                   CREATE TABLE function_log (id INT);\n\
                   BEGIN NOT ATOMIC SELECT 1; SELECT 2; END;\n\
                   BEGIN;";
        assert_eq!(
            sqls(sql, MySql),
            vec![
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = CASE WHEN NEW.y THEN 1 ELSE 2 END",
                "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1",
                "CREATE TABLE function_log (id INT)",
                "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END",
                "BEGIN"
            ]
        );
    }

    #[test]
    fn mysql_delimiter_lines() {
        let sql = "DROP PROCEDURE IF EXISTS p;\nDELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT ';//';\nEND//\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN INSERT INTO b VALUES (1); END //\ndelimiter ;\nCALL p();\nDELIMITER $$\nCREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END$$\nDELIMITER ;\nSELECT f();";
        let s = statements(sql, MySql);
        assert_eq!(
            s.iter().map(|s| s.sql.as_str()).collect::<Vec<_>>(),
            vec![
                "DROP PROCEDURE IF EXISTS p",
                "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT ';//';\nEND",
                "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN INSERT INTO b VALUES (1); END",
                "CALL p()",
                "CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
                "SELECT f()"
            ]
        );
        assert_eq!(
            s.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![1, 3, 8, 10, 12, 14]
        );
        // DELIMITER is a mysql-client command: other dialects leave it as SQL.
        assert_eq!(
            sqls("DELIMITER //\nSELECT 1//", Postgres),
            vec!["DELIMITER //\nSELECT 1//"]
        );
    }

    #[test]
    fn crlf_bom_and_unicode() {
        let sql =
            "\u{feff}-- 注释\r\nINSERT INTO t VALUES ('é;ü');\r\nSELECT \"列;名\" FROM \"表\";\r\n";
        for d in ALL {
            let s = statements(sql, d);
            assert_eq!(
                s,
                vec![
                    Statement {
                        sql: "INSERT INTO t VALUES ('é;ü')".into(),
                        line: 2
                    },
                    Statement {
                        sql: "SELECT \"列;名\" FROM \"表\"".into(),
                        line: 3
                    }
                ]
            );
        }
    }

    #[test]
    fn what_is_never_closed_is_named_with_its_line() {
        let u = |sql: &str, d| unterminated(sql, d).map(|u| (u.what, u.line));
        assert_eq!(
            u(
                "SELECT 1;\n/* note\nCREATE TABLE a (id INT);\nCREATE TABLE b (id INT);",
                SplitDialect::Sqlite
            ),
            Some(("a `/*` comment", 2))
        );
        assert_eq!(
            u("SELECT 1;\nSELECT 'abc;\nSELECT 2;", SplitDialect::Postgres),
            Some(("a `'` string", 2))
        );
        assert_eq!(
            u(
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;",
                SplitDialect::Postgres
            ),
            Some(("a dollar-quoted string", 1))
        );
        assert_eq!(
            u(
                "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END",
                SplitDialect::MySql
            ),
            Some(("a block opened after `DELIMITER` (no closing delimiter)", 2))
        );
        assert_eq!(u("SELECT `a", SplitDialect::MySql).map(|x| x.1), Some(1));
        assert_eq!(u("SELECT [a", SplitDialect::Sqlite).map(|x| x.1), Some(1));
        for fine in [
            "SELECT 1; /* closed */ SELECT 'a''b';",
            "SELECT $$x$$; /* a /* nested */ comment */",
            "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;",
        ] {
            let d = if fine.contains("DELIMITER") {
                SplitDialect::MySql
            } else {
                SplitDialect::Postgres
            };
            assert_eq!(unterminated(fine, d), None, "{fine}");
        }
    }

    #[test]
    fn unterminated_quotes_run_to_the_end() {
        assert_eq!(
            sqls("SELECT 'oops; SELECT 2;", Postgres),
            vec!["SELECT 'oops; SELECT 2;"]
        );
        assert_eq!(sqls("SELECT 1; /* open", Postgres), vec!["SELECT 1"]);
        assert_eq!(
            sqls("SELECT $$ open; x", Postgres),
            vec!["SELECT $$ open; x"]
        );
    }

    #[test]
    fn lines_count_inside_strings_and_comments() {
        let sql = "SELECT 'a\nb';\n/* c\nd */ SELECT \"e\nf\";\nSELECT $$\n$$;\nSELECT 4;";
        let lines: Vec<usize> = statements(sql, Postgres).iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![1, 4, 6, 8]);
    }

    /// The bytes the splitter examines for `sql`, look-ahead included.
    fn work(sql: &str, dialect: SplitDialect) -> usize {
        let mut splitter = Splitter::new(sql, dialect);
        splitter.split();
        splitter.work.get()
    }

    /// A shape of text: its name, its dialect, and the text for a size.
    type Shape = (&'static str, SplitDialect, fn(usize) -> String);

    /// Shapes of text where a re-scan per statement, per line, per blank or per quote would be quadratic.
    fn shapes() -> Vec<Shape> {
        vec![
            ("small INSERTs", Sqlite, |n| {
                (0..n)
                    .map(|i| format!("INSERT INTO t VALUES ('row {i}');\n"))
                    .collect()
            }),
            ("small INSERTs", Postgres, |n| {
                (0..n)
                    .map(|i| format!("INSERT INTO t VALUES ({i});\n"))
                    .collect()
            }),
            ("small INSERTs", MySql, |n| {
                (0..n)
                    .map(|i| format!("INSERT INTO t VALUES ({i});"))
                    .collect()
            }),
            ("one long indentation", MySql, |n| {
                format!("{}SELECT 1;\n", " ".repeat(20 * n))
            }),
            ("indented lines", MySql, |n| {
                (0..n)
                    .map(|i| format!("{:1$}SELECT {i};\n", "", i % 200))
                    .collect()
            }),
            ("DELIMITER blocks", MySql, |n| {
                (0..n)
                    .map(|i| format!("DELIMITER //\nCREATE PROCEDURE p{i}() BEGIN SELECT 1; END//\nDELIMITER ;\n"))
                    .collect()
            }),
            ("comments", MySql, |n| {
                (0..n)
                    .map(|i| format!("# c {i}\n-- d\n/* e */ SELECT {i};\n"))
                    .collect()
            }),
            ("lone dollars", Postgres, |n| {
                format!(
                    "SELECT {};",
                    (0..n)
                        .map(|i| format!("${i} $ a$b"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
            ("dollar quotes", Postgres, |n| {
                (0..n)
                    .map(|i| format!("DO $f{i}$ BEGIN PERFORM 1; END $f{i}$;\n"))
                    .collect()
            }),
            ("unclosed dollar quote", Postgres, |n| {
                format!("SELECT $$ {}", "x; ".repeat(10 * n))
            }),
            ("unclosed bracket", Sqlite, |n| {
                format!("SELECT [ {}", "x;\n".repeat(10 * n))
            }),
            ("brackets", Sqlite, |n| {
                (0..n)
                    .map(|i| format!("SELECT [c{i}] FROM [t];\n"))
                    .collect()
            }),
            ("unclosed comment", Postgres, |n| {
                format!("/* {}", "/* x */ ;".repeat(5 * n))
            }),
            ("one long trigger", Sqlite, |n| {
                format!(
                    "CREATE TRIGGER t AFTER INSERT ON a BEGIN {} END;",
                    "UPDATE b SET c = CASE WHEN 1 THEN 2 END; ".repeat(n)
                )
            }),
            ("one long string", MySql, |n| {
                format!("SELECT '{}';", "a\\';\n".repeat(10 * n))
            }),
        ]
    }

    #[test]
    fn work_is_linear_in_the_text() {
        for (name, dialect, shape) in shapes() {
            let small = shape(1_000);
            let large = shape(4_000);
            let (w_small, w_large) = (work(&small, dialect), work(&large, dialect));
            // Each byte is looked at a bounded number of times, however the text is shaped...
            for (text, w) in [(&small, w_small), (&large, w_large)] {
                assert!(
                    w <= 6 * text.len(),
                    "{name} ({dialect:?}): {w} bytes examined for {} bytes of text",
                    text.len()
                );
            }
            // ...so four times the text is about four times the work, not sixteen.
            let ratio = w_large as f64 / w_small as f64;
            let size_ratio = large.len() as f64 / small.len() as f64;
            assert!(
                ratio <= size_ratio * 1.25,
                "{name} ({dialect:?}): text x{size_ratio:.1}, work x{ratio:.1}"
            );
        }
    }

    #[test]
    fn finds_transaction_control() {
        let sql = "BEGIN;\nCREATE TABLE a (id int);\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nROLLBACK TRANSACTION TO s;\nCOMMIT;\nSTART TRANSACTION READ WRITE;\nBEGIN TRANSACTION;\nEND;\nROLLBACK;\nBEGIN NOT ATOMIC SELECT 1; END;\nABORT;\nCOMMIT WORK;\nSELECT 'BEGIN';\nbegin immediate;\nEND TRANSACTION;";
        let s = statements(sql, MySql);
        let found: Vec<&str> = transaction_control(&s)
            .into_iter()
            .map(|i| s[i].sql.as_str())
            .collect();
        assert_eq!(
            found,
            vec![
                "BEGIN",
                "COMMIT",
                "START TRANSACTION READ WRITE",
                "BEGIN TRANSACTION",
                "END",
                "ROLLBACK",
                "ABORT",
                "COMMIT WORK",
                "begin immediate",
                "END TRANSACTION"
            ]
        );
        let s = statements("/* c */ COMMIT;", Postgres);
        assert_eq!(transaction_control(&s), vec![0]);
    }
}
