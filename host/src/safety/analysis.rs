//! What SQL statements do to existing data, read from their text: drops, truncations, type changes, the copies
//! that carry data elsewhere first, and the objects they create (for dependencies between migrations). Written
//! for the statements migrations contain (DDL and `INSERT ... SELECT`/`UPDATE` data moves) on all three engines;
//! anything it does not recognise is left alone, so the rules built on it only ever add caution.

/// One thing a statement does that matters for data safety or dependencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `DROP TABLE t`.
    DropTable(Name),
    /// `TRUNCATE t`, or `DELETE FROM t` without `WHERE`.
    EmptyTable(Name),
    /// `DROP SCHEMA` / `DROP DATABASE`: everything in it.
    DropNamespace(String),
    /// `ALTER TABLE t DROP [COLUMN] c`.
    DropColumn(Name, String),
    /// `ALTER COLUMN c TYPE x` (PostgreSQL), `MODIFY c x` / `CHANGE c d x` (MySQL): the new type's spelling.
    ChangeType(Name, String, String),
    /// Rows of `source` copied elsewhere (`INSERT ... SELECT ... FROM source`, `UPDATE ... SET x = c`).
    Copy(DataCopy),
    /// `CREATE TABLE t`, `CREATE VIEW t`.
    CreateTable(Name),
    /// `ALTER TABLE t ADD [COLUMN] c`, `RENAME COLUMN a TO c`, `CHANGE a c ...`.
    AddColumn(Name, String),
    /// `CREATE [UNIQUE] INDEX i ON t`, `ADD CONSTRAINT i`.
    CreateIndex(String, Name),
    /// `ALTER TABLE t RENAME TO u`.
    RenameTable(Name, Name),
    /// `MODIFY c ... AUTO_INCREMENT` / `CHANGE a c ... AUTO_INCREMENT` (MySQL): rows holding 0 in a column
    /// that was not AUTO_INCREMENT are given new numbers.
    Renumber(Name, String),
}

/// A data copy out of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCopy {
    pub source: Name,
    /// Column names read (lower case); `all` when `*` is read.
    pub columns: Vec<String>,
    pub all: bool,
    /// A condition true of the source rows the copy leaves behind (`None`: it copies every row), for
    /// `SELECT COUNT(*) FROM source [alias] WHERE missed`.
    pub missed: Option<String>,
    /// The alias the copy gives the source, which `missed` may use.
    pub alias: Option<String>,
    /// The copy reads other tables too (joins): which rows it keeps cannot be counted here.
    pub joined: bool,
}

/// A possibly qualified table name, parts as written (unquoted).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    pub namespace: Option<String>,
    pub name: String,
}

impl Name {
    /// Same table, ignoring case (the namespace only when both have one).
    pub fn same(&self, other: &Name) -> bool {
        self.name.eq_ignore_ascii_case(&other.name)
            && match (&self.namespace, &other.namespace) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(n) => write!(f, "{n}.{}", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A bare word (keyword or identifier).
    Word,
    /// A quoted identifier.
    Quoted,
    /// A string literal, number or other literal.
    Literal,
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    /// The identifier's text (unquoted) or the punctuation.
    text: String,
    start: usize,
    end: usize,
}

impl Token {
    fn is(&self, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(keyword)
    }
    fn is_ident(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted)
    }
    fn punct(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }
}

/// Splits a statement into tokens, skipping comments and whitespace.
fn lex(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') || c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(b.len());
        } else if matches!(c, b'"' | b'`' | b'[') {
            let close = if c == b'[' { b']' } else { c };
            i += 1;
            let mut text = Vec::new();
            while i < b.len() {
                if b[i] == close {
                    if b.get(i + 1) == Some(&close) && close != b']' {
                        text.push(close);
                        i += 2;
                        continue;
                    }
                    break;
                }
                text.push(b[i]);
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push(Token {
                kind: Kind::Quoted,
                text: String::from_utf8_lossy(&text).into_owned(),
                start,
                end: i,
            });
        } else if c == b'\'' {
            i += 1;
            while i < b.len() {
                if b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push(Token {
                kind: Kind::Literal,
                text: String::new(),
                start,
                end: i,
            });
        } else if c == b'$' && dollar_tag(&b[i..]).is_some() {
            let tag = dollar_tag(&b[i..]).unwrap_or(1);
            let delimiter = &b[i..i + tag];
            i += tag;
            while i < b.len() && !b[i..].starts_with(delimiter) {
                i += 1;
            }
            i = (i + tag).min(b.len());
            out.push(Token {
                kind: Kind::Literal,
                text: String::new(),
                start,
                end: i,
            });
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            out.push(Token {
                kind: Kind::Word,
                text: sql[start..i].to_string(),
                start,
                end: i,
            });
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Token {
                kind: Kind::Literal,
                text: sql[start..i].to_string(),
                start,
                end: i,
            });
        } else {
            let ch = sql[i..].chars().next().unwrap_or(' ');
            i += ch.len_utf8();
            out.push(Token {
                kind: Kind::Punct(ch),
                text: ch.to_string(),
                start,
                end: i,
            });
        }
    }
    out
}

/// The length of a PostgreSQL dollar-quote opening tag (`$$`, `$body$`) at the start of `b`.
fn dollar_tag(b: &[u8]) -> Option<usize> {
    let end = b[1..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))?;
    (b.get(end + 1) == Some(&b'$') && !b.get(1).is_some_and(u8::is_ascii_digit)).then_some(end + 2)
}

/// A cursor over one statement's tokens.
struct Cursor<'a> {
    sql: &'a str,
    t: &'a [Token],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.t.get(self.i)
    }
    fn eat(&mut self, keyword: &str) -> bool {
        if self.peek().is_some_and(|t| t.is(keyword)) {
            self.i += 1;
            return true;
        }
        false
    }
    fn eat_all(&mut self, keywords: &[&str]) -> bool {
        let save = self.i;
        for k in keywords {
            if !self.eat(k) {
                self.i = save;
                return false;
            }
        }
        true
    }
    fn ident(&mut self) -> Option<String> {
        let t = self.peek().filter(|t| t.is_ident())?;
        self.i += 1;
        Some(t.text.clone())
    }
    /// `a`, `a.b` (and `a.b.c`, keeping the last two parts).
    fn name(&mut self) -> Option<Name> {
        let mut parts = vec![self.ident()?];
        while self.peek().is_some_and(|t| t.punct('.')) {
            self.i += 1;
            parts.push(self.ident()?);
        }
        let name = parts.pop()?;
        Some(Name {
            namespace: parts.pop(),
            name,
        })
    }
    /// The source text from the current token up to (not including) token `end`.
    fn text_to(&self, end: usize) -> String {
        let Some(first) = self.t.get(self.i) else {
            return String::new();
        };
        let last = end.min(self.t.len());
        if last <= self.i {
            return String::new();
        }
        self.sql[first.start..self.t[last - 1].end]
            .trim()
            .to_string()
    }
}

/// The effects of one statement, in the order they happen.
pub fn effects(sql: &str) -> Vec<Effect> {
    let tokens = lex(sql);
    let mut c = Cursor {
        sql,
        t: &tokens,
        i: 0,
    };
    let mut out = vec![];
    if c.eat("DROP") {
        if c.eat("TABLE") {
            c.eat_all(&["IF", "EXISTS"]);
            while let Some(n) = c.name() {
                out.push(Effect::DropTable(n));
                if !c.peek().is_some_and(|t| t.punct(',')) {
                    break;
                }
                c.i += 1;
            }
        } else if c.eat("SCHEMA") || c.eat("DATABASE") {
            c.eat_all(&["IF", "EXISTS"]);
            if let Some(n) = c.ident() {
                out.push(Effect::DropNamespace(n));
            }
        }
    } else if c.eat("TRUNCATE") {
        c.eat("TABLE");
        c.eat("ONLY");
        while let Some(n) = c.name() {
            out.push(Effect::EmptyTable(n));
            if !c.peek().is_some_and(|t| t.punct(',')) {
                break;
            }
            c.i += 1;
        }
    } else if c.eat_all(&["DELETE", "FROM"]) {
        c.eat("ONLY");
        if let Some(n) = c.name()
            && !tokens[c.i..].iter().any(|t| t.is("WHERE") || t.is("USING"))
        {
            out.push(Effect::EmptyTable(n));
        }
    } else if c.eat("ALTER") {
        if c.eat("TABLE") {
            c.eat_all(&["IF", "EXISTS"]);
            c.eat("ONLY");
            if let Some(table) = c.name() {
                alter_table(&mut c, &table, &mut out);
            }
        }
    } else if c.eat("CREATE") {
        c.eat_all(&["OR", "REPLACE"]);
        c.eat("UNIQUE");
        c.eat("TEMPORARY");
        c.eat("TEMP");
        c.eat("MATERIALIZED");
        if c.eat("TABLE") || c.eat("VIEW") {
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            if let Some(n) = c.name() {
                out.push(Effect::CreateTable(n));
            }
        } else if c.eat("INDEX") {
            c.eat("CONCURRENTLY");
            c.eat_all(&["IF", "NOT", "EXISTS"]);
            let index = c.name();
            if c.eat("ON") {
                c.eat("ONLY");
                if let (Some(i), Some(t)) = (index, c.name()) {
                    out.push(Effect::CreateIndex(i.name, t));
                }
            }
        }
    } else if c.eat("INSERT") {
        c.eat("IGNORE");
        if c.eat("INTO")
            && c.name().is_some()
            && let Some(copy) = select_copy(&mut c)
        {
            out.push(Effect::Copy(copy));
        }
    } else if c.eat("UPDATE") {
        c.eat("ONLY");
        if let Some(table) = c.name() {
            out.extend(update_copy(&mut c, &table).into_iter().map(Effect::Copy));
        }
    }
    out
}

/// The clauses of `ALTER TABLE table ...`, separated by top-level commas.
fn alter_table(c: &mut Cursor, table: &Name, out: &mut Vec<Effect>) {
    loop {
        let clause_end = clause_end(c.t, c.i);
        if c.eat("DROP") {
            let not_a_column = [
                "CONSTRAINT",
                "INDEX",
                "KEY",
                "PRIMARY",
                "FOREIGN",
                "CHECK",
                "PARTITION",
                "DEFAULT",
                "UNIQUE",
                "FULLTEXT",
                "SPATIAL",
                "SYSTEM",
                "PERIOD",
                "TRIGGER",
            ];
            if !c
                .peek()
                .is_some_and(|t| not_a_column.iter().any(|k| t.is(k)))
            {
                c.eat("COLUMN");
                c.eat_all(&["IF", "EXISTS"]);
                if let Some(col) = c.ident() {
                    out.push(Effect::DropColumn(table.clone(), col));
                }
            }
        } else if c.eat("ADD") {
            if c.eat("CONSTRAINT") {
                if let Some(name) = c.ident() {
                    out.push(Effect::CreateIndex(name, table.clone()));
                }
            } else if c.eat("INDEX") || c.eat("KEY") || c.eat("UNIQUE") {
                c.eat("INDEX");
                c.eat("KEY");
                if let Some(name) = c.ident() {
                    out.push(Effect::CreateIndex(name, table.clone()));
                }
            } else {
                let keyword = [
                    "PRIMARY",
                    "FOREIGN",
                    "CHECK",
                    "FULLTEXT",
                    "SPATIAL",
                    "PARTITION",
                ];
                if !c.peek().is_some_and(|t| keyword.iter().any(|k| t.is(k))) {
                    c.eat("COLUMN");
                    c.eat_all(&["IF", "NOT", "EXISTS"]);
                    if let Some(col) = c.ident() {
                        out.push(Effect::AddColumn(table.clone(), col));
                    }
                }
            }
        } else if c.eat("ALTER") {
            c.eat("COLUMN");
            if let Some(col) = c.ident() {
                let set_data = c.eat_all(&["SET", "DATA", "TYPE"]);
                if set_data || c.eat("TYPE") {
                    let end = (c.i..clause_end)
                        .find(|&k| c.t[k].is("USING") || c.t[k].is("COLLATE"))
                        .unwrap_or(clause_end);
                    out.push(Effect::ChangeType(table.clone(), col, c.text_to(end)));
                }
            }
        } else if c.eat("MODIFY") {
            c.eat("COLUMN");
            if let Some(col) = c.ident() {
                let spelling = mysql_type(c, clause_end);
                if auto_increment(c, clause_end) {
                    out.push(Effect::Renumber(table.clone(), col.clone()));
                }
                out.push(Effect::ChangeType(table.clone(), col, spelling));
            }
        } else if c.eat("CHANGE") {
            c.eat("COLUMN");
            if let (Some(old), Some(new)) = (c.ident(), c.ident()) {
                let spelling = mysql_type(c, clause_end);
                if auto_increment(c, clause_end) {
                    out.push(Effect::Renumber(table.clone(), old.clone()));
                }
                out.push(Effect::ChangeType(table.clone(), old.clone(), spelling));
                if !old.eq_ignore_ascii_case(&new) {
                    out.push(Effect::AddColumn(table.clone(), new));
                }
            }
        } else if c.eat("RENAME") {
            if c.eat("TO") || c.eat("AS") {
                if let Some(mut new) = c.name() {
                    if new.namespace.is_none() {
                        new.namespace = table.namespace.clone();
                    }
                    out.push(Effect::RenameTable(table.clone(), new));
                }
            } else {
                c.eat("COLUMN");
                if let Some(_old) = c.ident()
                    && c.eat("TO")
                    && let Some(new) = c.ident()
                {
                    out.push(Effect::AddColumn(table.clone(), new));
                }
            }
        }
        c.i = clause_end;
        if c.peek().is_some_and(|t| t.punct(',')) {
            c.i += 1;
            continue;
        }
        break;
    }
}

/// The index of the next top-level `,` (or the end) from `from`.
fn clause_end(t: &[Token], from: usize) -> usize {
    let mut depth = 0i32;
    for (k, token) in t.iter().enumerate().skip(from) {
        match token.kind {
            Kind::Punct('(') => depth += 1,
            Kind::Punct(')') => depth -= 1,
            Kind::Punct(',') | Kind::Punct(';') if depth <= 0 => return k,
            _ => {}
        }
    }
    t.len()
}

/// MySQL's column definition after the name: the type, up to its attributes.
/// Whether the column definition from the cursor to `clause_end` says AUTO_INCREMENT.
fn auto_increment(c: &Cursor, clause_end: usize) -> bool {
    (c.i..clause_end).any(|k| c.t[k].is("AUTO_INCREMENT"))
}

fn mysql_type(c: &Cursor, clause_end: usize) -> String {
    let attributes = [
        "NOT",
        "NULL",
        "DEFAULT",
        "AUTO_INCREMENT",
        "COMMENT",
        "PRIMARY",
        "UNIQUE",
        "FIRST",
        "AFTER",
        "COLLATE",
        "CHARACTER",
        "CHARSET",
        "GENERATED",
        "AS",
        "INVISIBLE",
        "VISIBLE",
        "CHECK",
        "REFERENCES",
        "ON",
        "KEY",
        "STORED",
        "VIRTUAL",
    ];
    let end = (c.i..clause_end)
        .find(|&k| attributes.iter().any(|a| c.t[k].is(a)))
        .unwrap_or(clause_end);
    c.text_to(end)
}

/// `[(cols)] SELECT list FROM source [WHERE ...]` after `INSERT INTO target`.
fn select_copy(c: &mut Cursor) -> Option<DataCopy> {
    if c.peek().is_some_and(|t| t.punct('(')) {
        let close = matching(c.t, c.i)?;
        c.i = close + 1;
    }
    if !c.eat("SELECT") {
        return None;
    }
    c.eat("DISTINCT");
    let from = top_level(c.t, c.i, "FROM")?;
    let mut columns = vec![];
    let mut all = false;
    for k in c.i..from {
        let t = &c.t[k];
        if t.punct('*') && (k == c.i || c.t[k - 1].punct(',') || c.t[k - 1].punct('.')) {
            all = true;
        }
        if t.is_ident() && !c.t.get(k + 1).is_some_and(|n| n.punct('.') || n.punct('(')) {
            columns.push(t.text.to_ascii_lowercase());
        }
    }
    c.i = from + 1;
    let source = c.name()?;
    let alias = alias(c);
    let rest_end = c.t.len();
    let filter_at = top_level(c.t, c.i, "WHERE");
    let joined = c.t[c.i..filter_at.unwrap_or(rest_end)]
        .iter()
        .any(|t| t.is("JOIN") || t.punct(','));
    let filter = filter_at.map(|w| {
        let end = (w + 1..rest_end)
            .find(|&k| {
                c.t[k].is("ORDER") || c.t[k].is("LIMIT") || c.t[k].is("ON") || c.t[k].punct(';')
            })
            .unwrap_or(rest_end);
        Cursor {
            sql: c.sql,
            t: c.t,
            i: w + 1,
        }
        .text_to(end)
    });
    let limited = c.t[c.i..]
        .iter()
        .any(|t| t.is("LIMIT") || t.is("GROUP") || t.is("HAVING"));
    Some(DataCopy {
        source,
        columns,
        all,
        missed: filter.map(|f| format!("({f}) IS NOT TRUE")),
        alias,
        joined: joined || limited,
    })
}

/// `[AS] alias` after a table name.
fn alias(c: &mut Cursor) -> Option<String> {
    let reserved = [
        "WHERE",
        "JOIN",
        "LEFT",
        "RIGHT",
        "INNER",
        "OUTER",
        "CROSS",
        "FULL",
        "NATURAL",
        "ON",
        "ORDER",
        "GROUP",
        "LIMIT",
        "HAVING",
        "UNION",
        "SET",
        "USING",
        "WINDOW",
        "RETURNING",
    ];
    let explicit = c.eat("AS");
    let t = c.peek()?;
    if t.kind == Kind::Quoted
        || (t.kind == Kind::Word && (explicit || !reserved.iter().any(|r| t.is(r))))
    {
        c.i += 1;
        return Some(t.text.clone());
    }
    None
}

/// `UPDATE table SET a = expr, ... [WHERE ...]`: the columns the expressions read, copied within `table`, and
/// for each correlated subquery (`(SELECT s.c FROM other s WHERE s.id = table.other_id)`) a copy out of
/// `other` that leaves behind its rows no row of `table` matches. A backfill batch (`WHERE` on `{lo}`/`{hi}`)
/// runs over every key range, so it counts as unfiltered.
fn update_copy(c: &mut Cursor, table: &Name) -> Vec<DataCopy> {
    let target_text = {
        let start = c.i.saturating_sub(1);
        let mut k = start;
        while k > 0 && !c.t[k].is("UPDATE") {
            k -= 1;
        }
        c.sql[c.t[k + 1].start..c.t[start].end].to_string()
    };
    if !c.eat("SET") {
        return vec![];
    }
    let filter_at = top_level(c.t, c.i, "WHERE");
    let end = filter_at.unwrap_or(c.t.len());
    let mut out = vec![];
    let mut columns = vec![];
    let mut k = c.i;
    while k < end {
        // A correlated subquery: a copy out of the table it reads.
        if c.t[k].punct('(')
            && c.t.get(k + 1).is_some_and(|t| t.is("SELECT"))
            && let Some(close) = matching(c.t, k)
        {
            let mut inner = Cursor {
                sql: c.sql,
                t: &c.t[..close],
                i: k + 2,
            };
            if let Some(from) = top_level(inner.t, inner.i, "FROM") {
                let read: Vec<String> = (inner.i..from)
                    .filter(|&j| {
                        inner.t[j].is_ident()
                            && !inner
                                .t
                                .get(j + 1)
                                .is_some_and(|n| n.punct('.') || n.punct('('))
                    })
                    .map(|j| inner.t[j].text.to_ascii_lowercase())
                    .collect();
                inner.i = from + 1;
                if let Some(source) = inner.name() {
                    let alias = alias(&mut inner);
                    let at_where = inner.peek().is_some_and(|t| t.is("WHERE"));
                    let condition = if at_where {
                        inner.i += 1;
                        Some(inner.text_to(close))
                    } else {
                        None
                    };
                    out.push(DataCopy {
                        source,
                        columns: read,
                        all: false,
                        missed: condition
                            .map(|w| format!("NOT EXISTS (SELECT 1 FROM {target_text} WHERE {w})")),
                        alias,
                        joined: !at_where && inner.i < close,
                    });
                }
            }
            k = close + 1;
            continue;
        }
        // Skip each assignment's target: `col =`.
        if c.t[k].is_ident() && c.t.get(k + 1).is_some_and(|t| t.punct('=')) {
            k += 2;
            continue;
        }
        let t = &c.t[k];
        if t.is_ident() && !c.t.get(k + 1).is_some_and(|n| n.punct('.') || n.punct('(')) {
            columns.push(t.text.to_ascii_lowercase());
        }
        k += 1;
    }
    let filter = filter_at.and_then(|w| {
        let text = Cursor {
            sql: c.sql,
            t: c.t,
            i: w + 1,
        }
        .text_to(c.t.len());
        (!text.contains("{lo}")).then_some(text)
    });
    let joined = c.t[c.i..end].iter().any(|t| t.is("FROM") || t.is("JOIN"));
    if !columns.is_empty() {
        out.push(DataCopy {
            source: table.clone(),
            columns,
            all: false,
            missed: filter.map(|f| format!("({f}) IS NOT TRUE")),
            alias: None,
            joined,
        });
    }
    out
}

/// The index of the token closing the parenthesis at `open`.
fn matching(t: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, token) in t.iter().enumerate().skip(open) {
        match token.kind {
            Kind::Punct('(') => depth += 1,
            Kind::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The index of `keyword` at parenthesis depth 0 from `from`.
fn top_level(t: &[Token], from: usize, keyword: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (k, token) in t.iter().enumerate().skip(from) {
        match token.kind {
            Kind::Punct('(') => depth += 1,
            Kind::Punct(')') => depth -= 1,
            _ if depth == 0 && token.is(keyword) => return Some(k),
            _ => {}
        }
    }
    None
}

/// The identifiers a statement mentions (lower case, unquoted): what a later migration may depend on.
pub fn identifiers(sql: &str) -> Vec<String> {
    lex(sql)
        .into_iter()
        .filter(|t| t.is_ident())
        .map(|t| t.text.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(name: &str) -> Name {
        Name {
            namespace: None,
            name: name.into(),
        }
    }

    #[test]
    fn drops_and_truncations_are_found_on_every_engine() {
        assert_eq!(
            effects("DROP TABLE IF EXISTS \"a\", `b` CASCADE"),
            vec![Effect::DropTable(n("a")), Effect::DropTable(n("b"))]
        );
        assert_eq!(
            effects("-- why\nTRUNCATE TABLE public.t"),
            vec![Effect::EmptyTable(Name {
                namespace: Some("public".into()),
                name: "t".into()
            })]
        );
        assert_eq!(effects("DELETE FROM t"), vec![Effect::EmptyTable(n("t"))]);
        assert!(effects("DELETE FROM t WHERE id = 1").is_empty());
        assert_eq!(
            effects(
                "ALTER TABLE users DROP COLUMN phone, DROP CONSTRAINT c, DROP INDEX i, DROP email"
            ),
            vec![
                Effect::DropColumn(n("users"), "phone".into()),
                Effect::DropColumn(n("users"), "email".into())
            ]
        );
        assert!(
            effects("ALTER TABLE users ALTER COLUMN a DROP DEFAULT, ALTER COLUMN b DROP NOT NULL")
                .is_empty()
        );
        assert!(effects("DROP INDEX idx_users_email").is_empty());
        assert!(effects("SELECT 'DROP TABLE x'").is_empty());
    }

    #[test]
    fn type_changes_keep_the_new_spelling() {
        assert_eq!(
            effects("ALTER TABLE t ALTER COLUMN name TYPE VARCHAR(20) USING name::varchar(20)"),
            vec![Effect::ChangeType(
                n("t"),
                "name".into(),
                "VARCHAR(20)".into()
            )]
        );
        assert_eq!(
            effects("ALTER TABLE t MODIFY COLUMN amount DECIMAL(5, 2) NOT NULL DEFAULT 0"),
            vec![Effect::ChangeType(
                n("t"),
                "amount".into(),
                "DECIMAL(5, 2)".into()
            )]
        );
        assert_eq!(
            effects("ALTER TABLE t CHANGE a b INT UNSIGNED NULL"),
            vec![
                Effect::ChangeType(n("t"), "a".into(), "INT UNSIGNED".into()),
                Effect::AddColumn(n("t"), "b".into())
            ]
        );
    }

    #[test]
    fn copies_name_their_columns_and_filters() {
        let Effect::Copy(c) = &effects(
            "INSERT INTO new_users (id, name) SELECT id, name FROM users WHERE (a IS NOT NULL OR b IS NOT NULL)",
        )[0] else {
            panic!()
        };
        assert_eq!(c.source, n("users"));
        assert_eq!(c.columns, vec!["id", "name"]);
        assert_eq!(
            c.missed.as_deref(),
            Some("((a IS NOT NULL OR b IS NOT NULL)) IS NOT TRUE")
        );
        assert!(!c.joined && !c.all);
        let Effect::Copy(c) = &effects("INSERT INTO x SELECT * FROM users")[0] else {
            panic!()
        };
        assert!(c.all && c.missed.is_none());
        let Effect::Copy(c) = &effects("UPDATE t SET b = a WHERE id >= {lo} AND id < {hi}")[0]
        else {
            panic!()
        };
        assert_eq!(c.columns, vec!["a"]);
        assert!(c.missed.is_none());
        let Effect::Copy(c) = &effects(
            "UPDATE \"users\" SET \"city\" = (SELECT s.\"city\" FROM \"addresses\" s WHERE s.\"id\" = \"users\".\"address_id\")",
        )[0] else {
            panic!()
        };
        assert_eq!(c.source, n("addresses"));
        assert_eq!(c.columns, vec!["city"]);
        assert_eq!(c.alias.as_deref(), Some("s"));
        assert_eq!(
            c.missed.as_deref(),
            Some("NOT EXISTS (SELECT 1 FROM \"users\" WHERE s.\"id\" = \"users\".\"address_id\")")
        );
    }

    #[test]
    fn created_objects_are_found() {
        assert_eq!(
            effects("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON t (a)"),
            vec![Effect::CreateIndex("idx".into(), n("t"))]
        );
        assert_eq!(
            effects("ALTER TABLE new_t RENAME TO t"),
            vec![Effect::RenameTable(n("new_t"), n("t"))]
        );
        assert_eq!(
            effects(
                "ALTER TABLE t ADD COLUMN status TEXT, ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)"
            ),
            vec![
                Effect::AddColumn(n("t"), "status".into()),
                Effect::CreateIndex("fk".into(), n("t"))
            ]
        );
    }
}
