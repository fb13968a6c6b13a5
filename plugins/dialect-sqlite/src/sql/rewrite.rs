//! Token-level edits of stored SQL: finding and renaming identifiers in expressions, triggers and
//! views, the way SQLite's own `ALTER TABLE ... RENAME` rewrites them.

use super::lexer::{Kind, tokenize};
use crate::quote::quote_identifier;

/// True when `sql` names `name` anywhere as an identifier (ASCII case-insensitive, as SQLite
/// compares names). Unreadable SQL counts as mentioning everything.
pub fn mentions(sql: &str, name: &str) -> bool {
    match tokenize(sql) {
        Ok(tokens) => tokens.iter().any(|t| {
            matches!(t.kind, Kind::Word | Kind::QuotedIdent)
                && t.name(sql).eq_ignore_ascii_case(name)
        }),
        Err(_) => true,
    }
}

/// Replaces every identifier `old` in `sql` by `new`, quoted. Function names (a word followed by
/// `(`) are left alone. Unreadable SQL is returned unchanged.
pub fn rename_identifier(sql: &str, old: &str, new: &str) -> String {
    let Ok(tokens) = tokenize(sql) else {
        return sql.to_string();
    };
    let mut out = String::with_capacity(sql.len());
    let mut last = 0;
    for (i, t) in tokens.iter().enumerate() {
        let is_call =
            t.kind == Kind::Word && tokens.get(i + 1).is_some_and(|n| n.is_punct(sql, "("));
        if matches!(t.kind, Kind::Word | Kind::QuotedIdent)
            && !is_call
            && t.name(sql).eq_ignore_ascii_case(old)
        {
            out.push_str(&sql[last..t.span.start]);
            out.push_str(&quote_identifier(new));
            last = t.span.end;
        }
    }
    out.push_str(&sql[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_identifiers_but_not_strings_or_calls() {
        assert_eq!(
            rename_identifier("a > 0 AND \"A\" < 'a' AND a(1) AND t.a", "a", "b\"c"),
            "\"b\"\"c\" > 0 AND \"b\"\"c\" < 'a' AND a(1) AND t.\"b\"\"c\""
        );
    }

    #[test]
    fn finds_mentions() {
        assert!(mentions("SELECT * FROM [Parent]", "parent"));
        assert!(!mentions("SELECT 'parent'", "parent"));
    }
}
