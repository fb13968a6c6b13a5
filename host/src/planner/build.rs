//! Small constructors for the change IR, so intents read as what they do.

use super::infer::Inferred;
use super::names;
use crate::model::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, Change, CheckConstraint, ColumnRef, FkAction,
    ForeignKey, Index, IndexKey, IndexMethod, IndexTarget, QualifiedName, Table, TableObject,
};

pub fn key(target: IndexTarget) -> IndexKey {
    IndexKey {
        target,
        descending: false,
        nulls_first: None,
        opclass: None,
        collation: None,
        prefix_length: None,
    }
}

/// A plain b-tree index over columns.
pub fn index(name: String, columns: &[String], unique: bool) -> Index {
    Index {
        name,
        unique,
        method: IndexMethod::Btree,
        keys: columns
            .iter()
            .map(|c| key(IndexTarget::Column(c.clone())))
            .collect(),
        included_columns: vec![],
        predicate: None,
        comment: None,
    }
}

pub fn add_index(table: &QualifiedName, columns: &[String], unique: bool) -> Change {
    let prefix = if unique { "uq" } else { "idx" };
    let parts: Vec<&str> = columns.iter().map(String::as_str).collect();
    Change::AddIndex(AddIndex {
        table: table.clone(),
        index: index(
            names::generated(prefix, &table.name, &parts),
            columns,
            unique,
        ),
        concurrently: false,
    })
}

pub fn add_check(table: &QualifiedName, column: &str, expression: String) -> Change {
    Change::AddCheck(AddCheck {
        table: table.clone(),
        check: CheckConstraint {
            name: names::generated("chk", &table.name, &[column]),
            expression,
        },
    })
}

pub fn foreign_key(
    table: &str,
    column: &str,
    referenced: &QualifiedName,
    referenced_column: &str,
    on_delete: FkAction,
) -> ForeignKey {
    ForeignKey {
        name: names::generated("fk", table, &[column]),
        columns: vec![column.to_string()],
        referenced_table: referenced.clone(),
        referenced_columns: vec![referenced_column.to_string()],
        on_delete,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    }
}

pub fn column_ref(table: &QualifiedName, column: &str) -> ColumnRef {
    ColumnRef {
        table: table.clone(),
        column: column.to_string(),
    }
}

pub fn object(table: &QualifiedName, name: &str) -> TableObject {
    TableObject {
        table: table.clone(),
        name: name.to_string(),
    }
}

/// Whether `table` already has an index (or unique constraint, or primary key) led by `column`.
pub fn has_index_on(table: &Table, column: &str) -> bool {
    let leads = |keys: &[IndexKey]| {
        keys.first().is_some_and(
            |k| matches!(&k.target, IndexTarget::Column(c) if c.eq_ignore_ascii_case(column)),
        )
    };
    table.indexes.iter().any(|i| leads(&i.keys))
        || table.uniques.iter().any(|u| {
            u.columns
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case(column))
        })
        || table.primary_key.as_ref().is_some_and(|p| {
            p.columns
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case(column))
        })
}

/// The changes that add an inferred column to an existing table: the column, then its check,
/// foreign key and index.
pub fn add_column(table: &QualifiedName, col: &Inferred) -> Vec<Change> {
    let name = &col.column.name;
    let mut out = vec![Change::AddColumn(AddColumn {
        table: table.clone(),
        column: col.column.clone(),
    })];
    if let Some(expr) = &col.check {
        out.push(add_check(table, name, expr.clone()));
    }
    // The index comes before the foreign key: MySQL/MariaDB then use it for the key (instead of
    // creating their own), and the derived down drops the key before the index it needs.
    if col.unique {
        out.push(add_index(table, std::slice::from_ref(name), true));
    } else if col.index {
        out.push(add_index(table, std::slice::from_ref(name), false));
    }
    if let Some((t, k, action)) = &col.references {
        out.push(Change::AddForeignKey(AddForeignKey {
            table: table.clone(),
            foreign_key: foreign_key(&table.name, name, t, k, *action),
        }));
    }
    out
}

/// The ON DELETE action a request names: "cascade", "on delete set null", "set null when the
/// product is deleted", "restrict deletes".
pub fn on_delete_named(toks: &[super::tokens::Tok]) -> Option<FkAction> {
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    let set_null = toks
        .windows(2)
        .any(|p| p[0].is("set") && p[1].is_any(&["null", "nulls"]));
    let deleted = has("delete") || has("deleted") || has("deletes") || has("deleting");
    if has("cascade") || has("cascades") || has("cascading") {
        Some(FkAction::Cascade)
    } else if set_null && deleted {
        Some(FkAction::SetNull)
    } else if (has("restrict") || has("prevent") || has("block")) && deleted {
        Some(FkAction::Restrict)
    } else if toks.windows(2).any(|p| p[0].is("no") && p[1].is("action")) && deleted {
        Some(FkAction::NoAction)
    } else {
        None
    }
}
