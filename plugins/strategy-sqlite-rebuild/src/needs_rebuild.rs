//! Which changes SQLite's `ALTER TABLE` cannot make, so that the sqlite dialect renders them as the
//! 12-step table rebuild (mirrors `plugins/dialect-sqlite/src/render/mod.rs`).

use ai_shell_strategy_sdk::{
    Change, Column, DatabaseSchema, IdentityKind, IndexTarget, QualifiedName, Table, find_table,
};

/// The table a change rebuilds, or none when SQLite makes the change without a rebuild (or the
/// change is not about one existing table).
pub fn rebuilt_table<'a>(change: &'a Change, schema: &DatabaseSchema) -> Option<&'a QualifiedName> {
    let table = match change {
        Change::AlterColumnType(a) => &a.table,
        Change::SetNotNull(c) | Change::DropNotNull(c) | Change::DropDefault(c) => &c.table,
        Change::SetDefault(d) => &d.table,
        Change::SetIdentity(s) => &s.table,
        Change::SetTableOptions(s) => &s.table,
        Change::SetCollation(s) => &s.table,
        Change::AddPrimaryKey(p) => &p.table,
        Change::DropPrimaryKey(t) => t,
        Change::AddUnique(u) => &u.table,
        Change::AddForeignKey(f) => &f.table,
        Change::AddCheck(c) => &c.table,
        Change::DropUnique(o) | Change::DropForeignKey(o) | Change::DropCheck(o) => &o.table,
        Change::AddColumn(a) if !can_add_in_place(&a.column) => &a.table,
        Change::DropColumn(c) => {
            let table = find_table(schema, &c.table)?;
            if !has_dependents(table, &c.column) {
                return None;
            }
            &c.table
        }
        _ => return None,
    };
    find_table(schema, table).map(|_| table)
}

/// Whether `ALTER TABLE ... ADD COLUMN` can add the column: no AUTOINCREMENT, not STORED, a
/// constant default, NOT NULL only with a non-NULL default.
fn can_add_in_place(c: &Column) -> bool {
    let default = c.default.as_deref().map(str::trim);
    let constant = default.is_none_or(|d| {
        let upper = d.to_ascii_uppercase();
        !d.starts_with('(') && !upper.starts_with("CURRENT_") && !d.ends_with(')')
    });
    let non_null_default = default.is_some_and(|d| !d.eq_ignore_ascii_case("NULL"));
    c.identity != Some(IdentityKind::AutoIncrement)
        && !c.generated.as_ref().is_some_and(|g| g.stored)
        && constant
        && (c.nullable || non_null_default || c.generated.is_some())
}

/// Whether `sql` mentions `name` as a word (quoted or not).
fn mentions(sql: &str, name: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$' || !c.is_ascii();
    lower.match_indices(&name).any(|(at, _)| {
        !lower[..at].chars().next_back().is_some_and(word)
            && !lower[at + name.len()..].chars().next().is_some_and(word)
    })
}

/// Whether a key, index, constraint or generated column uses the column, which makes SQLite's
/// `DROP COLUMN` refuse it.
fn has_dependents(t: &Table, c: &str) -> bool {
    let is = |x: &String| x.eq_ignore_ascii_case(c);
    t.primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(is))
        || t.uniques.iter().any(|u| u.columns.iter().any(is))
        || t.indexes.iter().any(|i| {
            i.keys.iter().any(|k| match &k.target {
                IndexTarget::Column(x) => is(x),
                IndexTarget::Expression(e) => mentions(e, c),
            }) || i.predicate.as_deref().is_some_and(|p| mentions(p, c))
        })
        || t.foreign_keys.iter().any(|f| f.columns.iter().any(is))
        || t.checks.iter().any(|k| mentions(&k.expression, c))
        || t.columns.iter().any(|g| {
            !is(&g.name)
                && g.generated
                    .as_ref()
                    .is_some_and(|e| mentions(&e.expression, c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_mentions() {
        assert!(mentions("\"qty\" > 0", "qty"));
        assert!(!mentions("qty_old > 0", "qty"));
    }

    #[test]
    fn in_place_columns() {
        let mut c = Column {
            name: "c".into(),
            data_type: ai_shell_strategy_sdk::ColumnType::Integer,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        };
        assert!(can_add_in_place(&c));
        c.nullable = false;
        assert!(!can_add_in_place(&c));
        c.default = Some("0".into());
        assert!(can_add_in_place(&c));
        c.default = Some("CURRENT_TIMESTAMP".into());
        assert!(!can_add_in_place(&c));
        c.default = Some("(1 + 1)".into());
        assert!(!can_add_in_place(&c));
    }
}
