//! SQL fragments shared by `CREATE TABLE` and `ALTER TABLE`: column definitions, defaults,
//! index keys, foreign-key and check clauses.

use ai_shell_plugin_sdk::{
    CheckConstraint, Column, FkAction, ForeignKey, IdentityKind, Index, IndexMethod, IndexTarget,
    PluginError, QualifiedName, Table,
};

use crate::ON_UPDATE;
use crate::{quote, types};

/// A possibly qualified table name; a namespace on MySQL is another database.
pub fn table_name(name: &QualifiedName) -> String {
    match &name.namespace {
        Some(ns) => format!("{}.{}", quote::ident(ns), quote::ident(&name.name)),
        None => quote::ident(&name.name),
    }
}

pub fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote::ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `s` is one parenthesised expression: its first `(` closes at its last character.
fn wrapped_in_parens(s: &str) -> bool {
    if !s.starts_with('(') || !s.ends_with(')') {
        return false;
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && i != s.len() - 1 {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

/// Whether a default can follow `DEFAULT` bare: a literal, a keyword such as `CURRENT_TIMESTAMP`,
/// one function call such as `current_timestamp(3)`, or an already parenthesised expression.
fn bare_default(d: &str) -> bool {
    let d = d.trim();
    if d.is_empty() {
        return false;
    }
    if wrapped_in_parens(d) {
        return true;
    }
    if let Some((_, used)) = quote::read_string(d) {
        return used == d.len();
    }
    let lower = d.to_ascii_lowercase();
    if (lower.starts_with("b'") || lower.starts_with("x'"))
        && quote::read_string(&d[1..]).is_some_and(|(_, n)| n == d.len() - 1)
    {
        return true;
    }
    let number = d.strip_prefix('-').unwrap_or(d);
    if !number.is_empty()
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
        && number.starts_with(|c: char| c.is_ascii_digit() || c == '.')
    {
        return true;
    }
    let ident_len = d
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(d.len());
    if ident_len == 0 {
        return false;
    }
    ident_len == d.len() || wrapped_in_parens(&d[ident_len..])
}

/// `DEFAULT ...` (and any kept `ON UPDATE ...`) for a column, with a leading space; empty when the
/// column has none.
pub fn default_clause(default: Option<&str>, nullable: bool) -> String {
    let Some(default) = default else {
        return String::new();
    };
    let (base, on_update) = match default.find(ON_UPDATE) {
        Some(at) => (&default[..at], Some(&default[at + ON_UPDATE.len()..])),
        None => (default, None),
    };
    let mut out = String::new();
    let base = base.trim();
    // `NULL ON UPDATE ...` on a NOT NULL column means "no default", which has no spelling.
    let no_default = base.is_empty() || (base.eq_ignore_ascii_case("NULL") && !nullable);
    if !no_default {
        out.push_str(" DEFAULT ");
        out.push_str(&default_value(base));
    }
    if let Some(on_update) = on_update {
        out.push_str(" ON UPDATE ");
        out.push_str(on_update.trim());
    }
    out
}

/// A default expression as `DEFAULT`/`SET DEFAULT` take it.
pub fn default_value(expr: &str) -> String {
    if bare_default(expr) {
        expr.trim().to_string()
    } else {
        format!("({})", expr.trim())
    }
}

/// The full definition of a column, as `CREATE TABLE`, `ADD COLUMN` and `MODIFY COLUMN` take it.
pub fn column_definition(column: &Column) -> Result<String, PluginError> {
    let type_name = types::name(&column.data_type)?;
    let mut sql = format!("{} {type_name}", quote::ident(&column.name));
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", quote::ident(collation)));
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            generated.expression,
            if generated.stored {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
    } else {
        if !column.nullable {
            sql.push_str(" NOT NULL");
        } else if type_name.to_ascii_lowercase().starts_with("timestamp") {
            // Without explicit_defaults_for_timestamp a bare timestamp column is NOT NULL.
            sql.push_str(" NULL");
        }
        sql.push_str(&default_clause(column.default.as_deref(), column.nullable));
    }
    if let Some(identity) = &column.identity {
        match identity {
            IdentityKind::AutoIncrement | IdentityKind::Always | IdentityKind::ByDefault => {
                sql.push_str(" AUTO_INCREMENT")
            }
        }
    }
    if let Some(comment) = &column.comment {
        sql.push_str(&format!(" COMMENT {}", quote::string(comment)));
    }
    Ok(sql)
}

/// The check MariaDB keeps on a column itself (`c INT CHECK (c > 0)`), which it names after the column.
fn column_check<'a>(column: &Column, checks: &'a [CheckConstraint]) -> Option<&'a CheckConstraint> {
    checks
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(&column.name))
}

/// [`column_definition`] with the column's own check (see [`column_check`]) among `checks`.
pub fn column_definition_with(
    column: &Column,
    checks: &[CheckConstraint],
) -> Result<String, PluginError> {
    let mut sql = column_definition(column)?;
    if let Some(k) = column_check(column, checks) {
        sql.push_str(&format!(" CHECK ({})", k.expression));
    }
    Ok(sql)
}

/// `(key, ...)` of an index.
pub fn index_keys(index: &Index) -> Result<String, PluginError> {
    let unsupported = |what: &str| {
        Err(PluginError::UnsupportedChange(format!(
            "index `{}`: MySQL indexes have no {what}",
            index.name
        )))
    };
    if index.predicate.is_some() {
        return unsupported("WHERE clause (partial indexes)");
    }
    if !index.included_columns.is_empty() {
        return unsupported("INCLUDE columns");
    }
    let mut keys = Vec::new();
    for key in &index.keys {
        if key.opclass.is_some() {
            return unsupported("operator classes");
        }
        if key.nulls_first.is_some() {
            return unsupported("NULLS FIRST/LAST");
        }
        if key.collation.is_some() {
            return unsupported("per-key collation");
        }
        let mut k = match &key.target {
            IndexTarget::Column(c) => quote::ident(c),
            IndexTarget::Expression(e) => format!("({e})"),
        };
        if let Some(n) = key.prefix_length {
            k.push_str(&format!("({n})"));
        }
        if key.descending {
            k.push_str(" DESC");
        }
        keys.push(k);
    }
    Ok(format!("({})", keys.join(", ")))
}

/// The keyword before `INDEX`/`KEY` (`UNIQUE `, `FULLTEXT `...) and the `USING` suffix.
/// `hash_default`: the table's engine (MEMORY) needs `USING BTREE` said.
pub fn index_kind(
    index: &Index,
    hash_default: bool,
) -> Result<(&'static str, String), PluginError> {
    let prefix = if index.unique { "UNIQUE " } else { "" };
    Ok(match &index.method {
        IndexMethod::Btree if hash_default => (prefix, " USING BTREE".into()),
        IndexMethod::Btree => (prefix, String::new()),
        IndexMethod::Hash => (prefix, " USING HASH".into()),
        IndexMethod::Fulltext => ("FULLTEXT ", String::new()),
        IndexMethod::Spatial => ("SPATIAL ", String::new()),
        IndexMethod::Other(m) if m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            (prefix, format!(" USING {m}"))
        }
        other => {
            return Err(PluginError::UnsupportedChange(format!(
                "index `{}`: MySQL has no {other:?} indexes",
                index.name
            )));
        }
    })
}

pub fn index_comment(index: &Index) -> String {
    index
        .comment
        .as_deref()
        .map(|c| format!(" COMMENT {}", quote::string(c)))
        .unwrap_or_default()
}

/// `KEY name (keys)` inside `CREATE TABLE`.
pub fn inline_index(index: &Index, hash_default: bool) -> Result<String, PluginError> {
    let (kind, using) = index_kind(index, hash_default)?;
    Ok(format!(
        "{kind}KEY {} {}{using}{}",
        quote::ident(&index.name),
        index_keys(index)?,
        index_comment(index)
    ))
}

fn action(a: &FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

/// `CONSTRAINT name FOREIGN KEY (...) REFERENCES t (...) ON DELETE ... ON UPDATE ...`.
pub fn foreign_key(fk: &ForeignKey) -> Result<String, PluginError> {
    if fk.deferrable || fk.initially_deferred {
        return Err(PluginError::UnsupportedChange(format!(
            "foreign key `{}`: MySQL checks foreign keys immediately (no DEFERRABLE)",
            fk.name
        )));
    }
    Ok(format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
        quote::ident(&fk.name),
        column_list(&fk.columns),
        table_name(&fk.referenced_table),
        column_list(&fk.referenced_columns),
        action(&fk.on_delete),
        action(&fk.on_update)
    ))
}

pub fn check(check: &CheckConstraint) -> String {
    format!(
        "CONSTRAINT {} CHECK ({})",
        quote::ident(&check.name),
        check.expression
    )
}

/// The whole table in one statement: columns, keys, indexes, constraints, options, comment.
pub fn create_table(table: &Table) -> Result<String, PluginError> {
    let mut items = Vec::new();
    for column in &table.columns {
        items.push(column_definition_with(column, &table.checks)?);
    }
    if let Some(pk) = &table.primary_key {
        items.push(format!("PRIMARY KEY ({})", column_list(&pk.columns)));
    }
    for u in &table.uniques {
        items.push(format!(
            "UNIQUE KEY {} ({})",
            quote::ident(&u.name),
            column_list(&u.columns)
        ));
    }
    let hash_default = crate::introspect::hash_default(&table.options);
    for index in &table.indexes {
        items.push(inline_index(index, hash_default)?);
    }
    for fk in &table.foreign_keys {
        items.push(foreign_key(fk)?);
    }
    for c in table.checks.iter().filter(|k| {
        !table
            .columns
            .iter()
            .any(|c| k.name.eq_ignore_ascii_case(&c.name))
    }) {
        items.push(check(c));
    }
    let mut sql = format!(
        "CREATE TABLE {} (\n  {}\n)",
        table_name(&table.name),
        items.join(",\n  ")
    );
    for option in &table.options {
        sql.push(' ');
        sql.push_str(option);
    }
    if let Some(comment) = &table.comment {
        sql.push_str(&format!(" COMMENT={}", quote::string(comment)));
    }
    Ok(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bare_or_parenthesised() {
        for bare in [
            "'x'",
            "'it''s'",
            "5",
            "-1.5",
            "1e3",
            "NULL",
            "current_timestamp()",
            "current_timestamp(3)",
            "CURRENT_TIMESTAMP",
            "(1 + 1)",
            "b'101'",
            "rand()",
        ] {
            assert_eq!(default_value(bare), bare, "{bare}");
        }
        assert_eq!(default_value("1 + 1"), "(1 + 1)");
        assert_eq!(default_value("(1) + (2)"), "((1) + (2))");
        assert_eq!(default_value("'a' || 'b'"), "('a' || 'b')");
        assert_eq!(default_value("concat('a', 'b')"), "concat('a', 'b')");
    }

    #[test]
    fn default_clause_keeps_on_update() {
        assert_eq!(
            default_clause(
                Some("current_timestamp(3) ON UPDATE current_timestamp(3)"),
                true
            ),
            " DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3)"
        );
        assert_eq!(
            default_clause(Some("NULL ON UPDATE now()"), false),
            " ON UPDATE now()"
        );
        assert_eq!(default_clause(None, true), "");
    }
}
