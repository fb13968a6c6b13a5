//! Quoting of identifiers and string literals, the only way names and texts enter the SQL written here.

use ai_shell_strategy_sdk::QualifiedName;

/// Quotes an identifier with backticks, doubling any backtick inside.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Quotes a string literal for the default `sql_mode`, where a backslash is an escape character.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A possibly qualified table name; a namespace on MySQL is another database.
pub fn table(name: &QualifiedName) -> String {
    match &name.namespace {
        Some(ns) => format!("{}.{}", ident(ns), ident(&name.name)),
        None => ident(&name.name),
    }
}

/// `name` in the namespace of `like`: helper tables live beside the table they serve.
pub fn sibling(like: &QualifiedName, name: &str) -> String {
    table(&QualifiedName {
        namespace: like.namespace.clone(),
        name: name.to_string(),
    })
}

/// `a`, `b`, ... quoted and joined.
pub fn list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a quoted literal starting at `s[0]` (a `'` or `"`): its value and the bytes used.
pub fn read_string(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    if q != '\'' && q != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        if c == q {
            if s[i + 1..].starts_with(q) {
                chars.next();
                out.push(q);
            } else {
                return Some((out, i + 1));
            }
        } else if c == '\\' {
            let (_, e) = chars.next()?;
            out.push(e);
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_strings_cannot_escape() {
        assert_eq!(ident("a`b"), "`a``b`");
        assert_eq!(string("it's \\"), "'it''s \\\\'");
        let n = QualifiedName {
            namespace: Some("d`b".into()),
            name: "t".into(),
        };
        assert_eq!(table(&n), "`d``b`.`t`");
        assert_eq!(sibling(&n, "_t__aish_new"), "`d``b`.`_t__aish_new`");
        assert_eq!(list(&["a".into(), "b`".into()]), "`a`, `b```");
        assert_eq!(read_string("'a''b' x"), Some(("a'b".into(), 6)));
        assert_eq!(read_string("'open"), None);
    }
}
