//! Quoting: identifiers in double quotes, strings in single quotes, each with the quote doubled.
//! Nothing inside either can end it, so no name or label can inject SQL.

/// `name` as an SQLite identifier: always quoted, `"` doubled.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `value` as an SQL string literal, `'` doubled.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_quotes() {
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
        assert_eq!(
            quote_identifier("x\"; DROP TABLE t; --"),
            "\"x\"\"; DROP TABLE t; --\""
        );
        assert_eq!(quote_identifier("`[]\n"), "\"`[]\n\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }
}
