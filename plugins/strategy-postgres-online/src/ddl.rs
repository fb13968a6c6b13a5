//! Definitions the plans spell themselves: index builds, foreign-key and check clauses, and the small
//! ALTER TABLE statements the recipes repeat.

use ai_shell_strategy_sdk::{
    CheckConstraint, FkAction, ForeignKey, Index, IndexKey, IndexMethod, IndexTarget, QualifiedName,
};

use crate::quote::{self, ident, qualified};

/// `"a", "b"`.
pub fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY "name" ON t USING m (keys) [INCLUDE (..)] [WHERE ..]`, or `None`
/// for an index PostgreSQL cannot build (no keys, MySQL methods, prefix lengths).
pub fn create_index_concurrently(table: &QualifiedName, index: &Index) -> Option<String> {
    if index.keys.is_empty() {
        return None;
    }
    let method = match &index.method {
        IndexMethod::Btree => "btree".to_string(),
        IndexMethod::Hash => "hash".to_string(),
        IndexMethod::Gin => "gin".to_string(),
        IndexMethod::Gist => "gist".to_string(),
        IndexMethod::Brin => "brin".to_string(),
        IndexMethod::Spgist => "spgist".to_string(),
        IndexMethod::Other(m) => ident(m),
        IndexMethod::Fulltext | IndexMethod::Spatial => return None,
    };
    let keys = index
        .keys
        .iter()
        .map(index_key)
        .collect::<Option<Vec<_>>>()?;
    let mut s = format!(
        "CREATE {}INDEX CONCURRENTLY {} ON {} USING {method} ({})",
        if index.unique { "UNIQUE " } else { "" },
        ident(&index.name),
        qualified(table),
        keys.join(", ")
    );
    if !index.included_columns.is_empty() {
        s.push_str(&format!(
            " INCLUDE ({})",
            column_list(&index.included_columns)
        ));
    }
    if let Some(p) = &index.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    Some(s)
}

fn index_key(k: &IndexKey) -> Option<String> {
    if k.prefix_length.is_some() {
        return None;
    }
    let mut s = match &k.target {
        IndexTarget::Column(c) => ident(c),
        IndexTarget::Expression(e) => format!("({e})"),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {}", quote::dotted(c)));
    }
    if let Some(o) = &k.opclass {
        s.push(' ');
        s.push_str(&quote::dotted(o));
    }
    if k.descending {
        s.push_str(" DESC");
    }
    match k.nulls_first {
        Some(true) => s.push_str(" NULLS FIRST"),
        Some(false) => s.push_str(" NULLS LAST"),
        None => {}
    }
    Some(s)
}

/// `DROP INDEX CONCURRENTLY IF EXISTS "ns"."name"`: clears an INVALID leftover of a failed build.
pub fn drop_index_concurrently(table: &QualifiedName, name: &str) -> String {
    format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {}",
        quote::sibling(table, name)
    )
}

/// `CONSTRAINT "name" FOREIGN KEY (..) REFERENCES t (..) [ON ..] [DEFERRABLE ..]`, or `None` when
/// malformed (no columns, INITIALLY DEFERRED without DEFERRABLE).
pub fn foreign_key(fk: &ForeignKey) -> Option<String> {
    if fk.columns.is_empty() || (fk.initially_deferred && !fk.deferrable) {
        return None;
    }
    let mut s = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}",
        ident(&fk.name),
        column_list(&fk.columns),
        qualified(&fk.referenced_table)
    );
    if !fk.referenced_columns.is_empty() {
        s.push_str(&format!(" ({})", column_list(&fk.referenced_columns)));
    }
    if fk.on_update != FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", action(fk.on_update)));
    }
    if fk.on_delete != FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", action(fk.on_delete)));
    }
    if fk.deferrable {
        s.push_str(" DEFERRABLE");
        if fk.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    Some(s)
}

fn action(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

/// `CONSTRAINT "name" CHECK (expr)`.
pub fn check(c: &CheckConstraint) -> String {
    format!("CONSTRAINT {} CHECK ({})", ident(&c.name), c.expression)
}

/// `ALTER TABLE t <action>`.
pub fn alter_table(table: &QualifiedName, action: &str) -> String {
    format!("ALTER TABLE {} {action}", qualified(table))
}

/// `ALTER TABLE t ALTER COLUMN "c" <action>`.
pub fn alter_column(table: &QualifiedName, column: &str, action: &str) -> String {
    alter_table(table, &format!("ALTER COLUMN {} {action}", ident(column)))
}

/// `ALTER TABLE t DROP CONSTRAINT IF EXISTS "name"`.
pub fn drop_constraint(table: &QualifiedName, name: &str) -> String {
    alter_table(table, &format!("DROP CONSTRAINT IF EXISTS {}", ident(name)))
}

/// `ALTER TABLE t VALIDATE CONSTRAINT "name"`.
pub fn validate_constraint(table: &QualifiedName, name: &str) -> String {
    alter_table(table, &format!("VALIDATE CONSTRAINT {}", ident(name)))
}

/// `ALTER TABLE t RENAME COLUMN "a" TO "b"`.
pub fn rename_column(table: &QualifiedName, from: &str, to: &str) -> String {
    alter_table(
        table,
        &format!("RENAME COLUMN {} TO {}", ident(from), ident(to)),
    )
}
