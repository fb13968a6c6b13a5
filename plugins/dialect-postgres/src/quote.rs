//! Quoting of identifiers and string literals: the only way names and texts enter generated SQL.

use ai_shell_plugin_sdk::QualifiedName;

/// Quotes an identifier. Inside double quotes only `"` is special, and it is doubled, so no
/// content (quotes, semicolons, backslashes, newlines, unicode) can end the identifier early.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"namespace"."name"`, or `"name"` when the namespace is absent (resolved by `search_path`).
pub fn qualified(name: &QualifiedName) -> String {
    match &name.namespace {
        Some(ns) => format!("{}.{}", ident(ns), ident(&name.name)),
        None => ident(&name.name),
    }
}

/// `"namespace"."name"` from separate parts.
pub fn qualified_parts(namespace: &str, name: &str) -> String {
    format!("{}.{}", ident(namespace), ident(name))
}

/// A name kept in the model as `name` (built into the engine, e.g. `text_pattern_ops`, `C`) or
/// `namespace.name`; each part is quoted.
pub fn dotted(name: &str) -> String {
    match name.split_once('.') {
        Some((ns, rest)) => qualified_parts(ns, rest),
        None => ident(name),
    }
}

/// A string literal. Quotes are doubled; a text containing backslashes becomes an `E'...'`
/// literal with doubled backslashes, which reads the same whatever `standard_conforming_strings` is.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_cannot_escape() {
        assert_eq!(
            ident("x\"; DROP TABLE victim; --"),
            "\"x\"\"; DROP TABLE victim; --\""
        );
        assert_eq!(ident("plain"), "\"plain\"");
        assert_eq!(ident("ünï\\code"), "\"ünï\\code\"");
    }

    #[test]
    fn qualified_names() {
        let q = QualifiedName {
            namespace: Some("a.b".into()),
            name: "c\"d".into(),
        };
        assert_eq!(qualified(&q), "\"a.b\".\"c\"\"d\"");
        let q = QualifiedName {
            namespace: None,
            name: "t".into(),
        };
        assert_eq!(qualified(&q), "\"t\"");
        assert_eq!(
            dotted("public.gist_trgm_ops"),
            "\"public\".\"gist_trgm_ops\""
        );
        assert_eq!(dotted("C"), "\"C\"");
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\'; DROP"), "E'a\\\\''; DROP'");
        assert_eq!(opt_literal(None), "NULL");
    }
}
