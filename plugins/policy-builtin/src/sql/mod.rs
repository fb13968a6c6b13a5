//! A reader for the SQL that migrations contain: it turns one statement's text into the operations
//! ([`Op`]) the rules judge. Written for the DDL and data moves of PostgreSQL, MySQL/MariaDB and
//! SQLite; anything it does not recognise yields no operation, so rules built on it only ever add
//! caution. Names may be qualified and quoted; PostgreSQL folds unquoted names to lower case.

mod alter;
mod cursor;
mod definition;
mod lex;
mod ops;
mod statement;
#[cfg(test)]
mod tests;

use cursor::Cursor;
pub use lex::{Kind, Token, tokenize};
pub use ops::*;

/// The engine a statement is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
    Other,
}

impl Dialect {
    /// From a dialect plugin's name (`postgres`, `mysql`, `sqlite`).
    pub fn from_name(name: &str) -> Dialect {
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::Mysql,
            "sqlite" => Dialect::Sqlite,
            _ => Dialect::Other,
        }
    }

    /// The dialect plugin's name (`None` for others).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some("postgres"),
            Dialect::Mysql => Some("mysql"),
            Dialect::Sqlite => Some("sqlite"),
            Dialect::Other => None,
        }
    }
}

/// The operations of one statement (a text holding several `;`-separated statements gives all of them).
pub fn read(sql: &str, dialect: Dialect) -> Vec<Op> {
    let tokens = tokenize(sql, dialect);
    let all = Cursor {
        sql,
        t: &tokens,
        i: 0,
        end: tokens.len(),
        fold: dialect == Dialect::Postgres,
    };
    if is_routine(&tokens) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (from, to) in all.split(0, tokens.len(), ';') {
        statement::statement(&mut all.sub(from, to), &mut out);
    }
    out
}

/// A trigger, function, procedure or event definition, or a `DO` block: its body's statements run
/// later (or are not DDL of the migration), and MySQL bodies hold `;` outside any quote.
fn is_routine(tokens: &[Token]) -> bool {
    const ROUTINES: &[&str] = &["TRIGGER", "FUNCTION", "PROCEDURE", "EVENT", "RULE"];
    const OTHERS: &[&str] = &[
        "TABLE",
        "INDEX",
        "VIEW",
        "SCHEMA",
        "DATABASE",
        "SEQUENCE",
        "TYPE",
        "EXTENSION",
        "DOMAIN",
        "UNIQUE",
        "TEMP",
        "TEMPORARY",
        "MATERIALIZED",
        "UNLOGGED",
        "FULLTEXT",
        "SPATIAL",
        "GLOBAL",
        "LOCAL",
    ];
    let is_any = |t: &Token, words: &[&str]| words.iter().any(|w| t.is(w));
    match tokens.first() {
        Some(t) if t.is("DO") => true,
        // The first object word after `CREATE [OR REPLACE] [DEFINER = ...]`.
        Some(t) if t.is("CREATE") => tokens
            .iter()
            .skip(1)
            .take(12)
            .find_map(|t| {
                if is_any(t, ROUTINES) {
                    Some(true)
                } else if is_any(t, OTHERS) {
                    Some(false)
                } else {
                    None
                }
            })
            .unwrap_or(false),
        _ => false,
    }
}
