//! The few SQL fragments a plan carries as text (check and index expressions, default literals),
//! written with the engine's quoting so names from a request can never escape.

use crate::connection::Engine;

/// Quotes an identifier for use inside an expression.
pub fn ident(engine: Engine, name: &str) -> String {
    match engine {
        Engine::MySql => format!("`{}`", name.replace('`', "``")),
        Engine::Postgres | Engine::Sqlite => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// Quotes a (possibly schema-qualified) table name.
pub fn table(engine: Engine, name: &crate::model::QualifiedName) -> String {
    match &name.namespace {
        Some(n) => format!("{}.{}", ident(engine, n), ident(engine, &name.name)),
        None => ident(engine, &name.name),
    }
}

/// Quotes a string literal (MySQL also doubles backslashes, its escape character).
pub fn string(engine: Engine, text: &str) -> String {
    let mut s = text.replace('\'', "''");
    if engine == Engine::MySql {
        s = s.replace('\\', "\\\\");
    }
    format!("'{s}'")
}

/// A boolean default in the engine's own spelling (introspection reads it back the same).
pub fn boolean(engine: Engine, value: bool) -> String {
    match (engine, value) {
        (Engine::Postgres, true) => "true".into(),
        (Engine::Postgres, false) => "false".into(),
        (_, true) => "1".into(),
        (_, false) => "0".into(),
    }
}

/// `col IN ('a', 'b')`.
pub fn in_list(engine: Engine, column: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| string(engine, v)).collect();
    format!("{} IN ({})", ident(engine, column), list.join(", "))
}

/// An E.164 phone number check: an optional `+`, then 2 to 15 digits, the first not 0.
/// SQLite has no REGEXP function by default, so it checks with GLOB and length.
pub fn phone_check(engine: Engine, column: &str) -> String {
    let c = ident(engine, column);
    match engine {
        Engine::Postgres => format!("{c} ~ '^[+]?[1-9][0-9]{{1,14}}$'"),
        Engine::MySql => format!("{c} REGEXP '^[+]?[1-9][0-9]{{1,14}}$'"),
        Engine::Sqlite => format!(
            "length(ltrim({c}, '+')) BETWEEN 2 AND 15 AND ltrim({c}, '+') NOT GLOB '*[^0-9]*' \
             AND ltrim({c}, '+') GLOB '[1-9]*' AND {c} NOT GLOB '++*'"
        ),
    }
}

/// Whether a default value is a plain number.
/// Whether `value` is one SQL literal: a number, a single-quoted string (quotes doubled inside, no
/// backslash), or a boolean.
pub fn is_literal(value: &str) -> bool {
    let v = value.trim();
    if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
        return true;
    }
    if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return !inner.replace("''", "").contains('\'') && !inner.contains('\\');
    }
    is_number(v)
}

pub fn is_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_digit() || c == '.')
        && s.chars().filter(|c| *c == '.').count() <= 1
        && !s.starts_with('.')
        && !s.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_cannot_be_escaped() {
        assert_eq!(ident(Engine::Postgres, "a\"b"), "\"a\"\"b\"");
        assert_eq!(ident(Engine::MySql, "a`b"), "`a``b`");
        assert_eq!(string(Engine::MySql, "it's \\"), "'it''s \\\\'");
        assert_eq!(string(Engine::Sqlite, "it's \\"), "'it''s \\'");
    }

    #[test]
    fn phone_checks_per_engine() {
        assert!(phone_check(Engine::Postgres, "phone").contains(" ~ "));
        assert!(phone_check(Engine::MySql, "phone").contains("REGEXP"));
        assert!(phone_check(Engine::Sqlite, "phone").contains("GLOB"));
    }

    #[test]
    fn literals_are_one_value_and_nothing_else() {
        for ok in ["0", "-1.5", "'n/a'", "'it''s'", "TRUE", "false"] {
            assert!(is_literal(ok), "{ok}");
        }
        for bad in [
            "'a'; DROP TABLE t; --'",
            "'a\\'",
            "1.",
            "now()",
            "NULL",
            "'a' || 'b'",
        ] {
            assert!(!is_literal(bad), "{bad}");
        }
    }
}
