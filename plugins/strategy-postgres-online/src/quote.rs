//! Quoting of identifiers and string literals: the only way names and texts enter generated SQL.

use ai_shell_strategy_sdk::QualifiedName;

/// Quotes an identifier, doubling embedded double quotes.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"namespace"."name"`, or `"name"` when the namespace is absent.
pub fn qualified(name: &QualifiedName) -> String {
    match &name.namespace {
        Some(ns) => format!("{}.{}", ident(ns), ident(&name.name)),
        None => ident(&name.name),
    }
}

/// An object named `name` in the namespace of `table` (indexes, functions and views next to a table).
pub fn sibling(table: &QualifiedName, name: &str) -> String {
    qualified(&QualifiedName {
        namespace: table.namespace.clone(),
        name: name.to_string(),
    })
}

/// A name kept as `name` or `namespace.name` (operator classes, collations); each part is quoted.
pub fn dotted(name: &str) -> String {
    match name.split_once('.') {
        Some((ns, rest)) => format!("{}.{}", ident(ns), ident(rest)),
        None => ident(name),
    }
}

/// A string literal. Quotes are doubled; a text containing backslashes becomes an `E'...'` literal with
/// doubled backslashes, which reads the same whatever `standard_conforming_strings` is.
pub fn literal(text: &str) -> String {
    let quoted = text.replace('\'', "''");
    if text.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// A literal, or `NULL`.
pub fn opt_literal(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_string(), literal)
}

/// `body` between dollar quotes whose tag does not occur in it.
pub fn dollar(body: &str) -> String {
    let mut tag = "$aish$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$aish{n}$");
    }
    format!("{tag}{body}{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_cannot_escape() {
        assert_eq!(
            ident("x\"; DROP TABLE v; --"),
            "\"x\"\"; DROP TABLE v; --\""
        );
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\'"), "E'a\\\\'''");
        assert_eq!(opt_literal(None), "NULL");
        assert_eq!(
            dotted("public.gist_trgm_ops"),
            "\"public\".\"gist_trgm_ops\""
        );
        let t = QualifiedName {
            namespace: Some("s".into()),
            name: "t".into(),
        };
        assert_eq!(sibling(&t, "i"), "\"s\".\"i\"");
    }

    #[test]
    fn dollar_tags_avoid_the_body() {
        assert_eq!(dollar("x"), "$aish$x$aish$");
        assert_eq!(dollar("a $aish$ b"), "$aish1$a $aish$ b$aish1$");
    }
}
