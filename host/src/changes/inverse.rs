//! The changes that undo a list of changes, derived from the schema each change was applied to: the
//! down section of a generated migration.

use super::simulate::{self, same};
use crate::model::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterColumnType,
    Change, ColumnRef, DatabaseSchema, DropView, IndexTarget, QualifiedName, RawSql, RenameColumn,
    RenameTable, SetComment, SetDefault, TableObject,
};

/// The changes that undo `changes` (applied in order to `before`), in the order they must run; or why
/// some change cannot be undone automatically.
pub fn inverse(changes: &[Change], before: &DatabaseSchema) -> Result<Vec<Change>, String> {
    let mut state = before.clone();
    let mut created_tables: Vec<QualifiedName> = Vec::new();
    let mut added_columns: Vec<(QualifiedName, String)> = Vec::new();
    let mut steps: Vec<Vec<Change>> = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        let undo = undo_one(change, &state, &created_tables, &added_columns)
            .map_err(|e| format!("change {} cannot be undone automatically: {e}", i + 1))?;
        match change {
            Change::CreateTable(t) => created_tables.push(t.name.clone()),
            Change::AddColumn(a) => added_columns.push((a.table.clone(), a.column.name.clone())),
            _ => {}
        }
        simulate::apply(&mut state, change).map_err(|e| format!("change {}: {e}", i + 1))?;
        steps.push(undo);
    }
    Ok(steps.into_iter().rev().flatten().collect())
}

fn table_object(table: &QualifiedName, name: &str) -> TableObject {
    TableObject {
        table: table.clone(),
        name: name.to_string(),
    }
}

fn column_ref(table: &QualifiedName, column: &str) -> ColumnRef {
    ColumnRef {
        table: table.clone(),
        column: column.to_string(),
    }
}

fn undo_one(
    change: &Change,
    s: &DatabaseSchema,
    created_tables: &[QualifiedName],
    added_columns: &[(QualifiedName, String)],
) -> Result<Vec<Change>, String> {
    Ok(match change {
        Change::CreateTable(t) => vec![Change::DropTable(t.name.clone())],
        Change::DropTable(name) => {
            let t = simulate::table(s, name)?;
            vec![Change::CreateTable(t.clone())]
        }
        Change::RenameTable(r) => vec![Change::RenameTable(RenameTable {
            table: QualifiedName {
                namespace: r.table.namespace.clone(),
                name: r.new_name.clone(),
            },
            new_name: r.table.name.clone(),
        })],
        Change::AddColumn(a) => vec![Change::DropColumn(column_ref(&a.table, &a.column.name))],
        Change::DropColumn(c) => readd_column(s, c)?,
        Change::RenameColumn(r) => vec![Change::RenameColumn(RenameColumn {
            table: r.table.clone(),
            column: r.new_name.clone(),
            new_name: r.column.clone(),
        })],
        Change::AlterColumnType(a) => {
            let old = simulate::column(simulate::table(s, &a.table)?, &a.column)?;
            vec![Change::AlterColumnType(AlterColumnType {
                table: a.table.clone(),
                column: a.column.clone(),
                new_type: old.data_type.clone(),
                using: None,
            })]
        }
        Change::SetNotNull(c) => vec![Change::DropNotNull(c.clone())],
        Change::DropNotNull(c) => vec![Change::SetNotNull(c.clone())],
        Change::SetDefault(d) => {
            let old = simulate::column(simulate::table(s, &d.table)?, &d.column)?;
            match &old.default {
                Some(default) => vec![Change::SetDefault(SetDefault {
                    default: default.clone(),
                    ..d.clone()
                })],
                None => vec![Change::DropDefault(column_ref(&d.table, &d.column))],
            }
        }
        Change::DropDefault(c) => {
            let old = simulate::column(simulate::table(s, &c.table)?, &c.column)?;
            match &old.default {
                Some(default) => vec![Change::SetDefault(SetDefault {
                    table: c.table.clone(),
                    column: c.column.clone(),
                    default: default.clone(),
                })],
                None => vec![],
            }
        }
        Change::AddPrimaryKey(p) => vec![Change::DropPrimaryKey(p.table.clone())],
        Change::DropPrimaryKey(name) => {
            let t = simulate::table(s, name)?;
            let pk = t
                .primary_key
                .clone()
                .ok_or_else(|| format!("table `{}` has no primary key", name.name))?;
            vec![Change::AddPrimaryKey(AddPrimaryKey {
                table: name.clone(),
                primary_key: pk,
            })]
        }
        Change::AddIndex(a) => vec![Change::DropIndex(table_object(&a.table, &a.index.name))],
        Change::DropIndex(o) => {
            let t = simulate::table(s, &o.table)?;
            let index = t
                .indexes
                .iter()
                .find(|i| i.name == o.name)
                .ok_or_else(|| format!("no index `{}`", o.name))?;
            vec![Change::AddIndex(AddIndex {
                table: o.table.clone(),
                index: index.clone(),
                concurrently: false,
            })]
        }
        Change::AddUnique(u) => vec![Change::DropUnique(table_object(&u.table, &u.constraint.name))],
        Change::DropUnique(o) => {
            let t = simulate::table(s, &o.table)?;
            let u = t
                .uniques
                .iter()
                .find(|u| u.name == o.name)
                .ok_or_else(|| format!("no unique constraint `{}`", o.name))?;
            vec![Change::AddUnique(AddUnique {
                table: o.table.clone(),
                constraint: u.clone(),
            })]
        }
        Change::AddForeignKey(f) => vec![Change::DropForeignKey(table_object(
            &f.table,
            &f.foreign_key.name,
        ))],
        Change::DropForeignKey(o) => {
            let t = simulate::table(s, &o.table)?;
            let f = t
                .foreign_keys
                .iter()
                .find(|f| f.name == o.name)
                .ok_or_else(|| format!("no foreign key `{}`", o.name))?;
            vec![Change::AddForeignKey(AddForeignKey {
                table: o.table.clone(),
                foreign_key: f.clone(),
            })]
        }
        Change::AddCheck(c) => vec![Change::DropCheck(table_object(&c.table, &c.check.name))],
        Change::DropCheck(o) => {
            let t = simulate::table(s, &o.table)?;
            let c = t
                .checks
                .iter()
                .find(|c| c.name == o.name)
                .ok_or_else(|| format!("no check constraint `{}`", o.name))?;
            vec![Change::AddCheck(AddCheck {
                table: o.table.clone(),
                check: c.clone(),
            })]
        }
        Change::CreateView(v) => vec![Change::DropView(DropView {
            name: v.name.clone(),
            materialized: v.materialized,
        })],
        Change::DropView(d) => {
            let v = s
                .views
                .iter()
                .find(|v| same(&v.name, &d.name))
                .ok_or_else(|| format!("view `{}` does not exist", d.name.name))?;
            vec![Change::CreateView(v.clone())]
        }
        Change::SetComment(c) => {
            let t = simulate::table(s, &c.table)?;
            let old = match &c.column {
                Some(col) => simulate::column(t, col)?.comment.clone(),
                None => t.comment.clone(),
            };
            vec![Change::SetComment(SetComment {
                comment: old,
                ..c.clone()
            })]
        }
        // Rows copied into a table this migration creates go away with the table.
        Change::CopyRows(c) if created_tables.iter().any(|t| same(t, &c.target)) => vec![],
        Change::CopyRows(_) => {
            return Err("rows copied into an existing table: write the down section by hand".into());
        }
        // Values filled into a column this migration adds go away with the column.
        Change::FillColumn(f)
            if added_columns
                .iter()
                .any(|(t, c)| same(t, &f.target) && *c == f.column) =>
        {
            vec![]
        }
        Change::FillColumn(_) => {
            return Err("overwritten column values cannot be restored: write the down section by hand".into());
        }
        Change::CreateEnumType(e) => vec![Change::DropEnumType(e.name.clone())],
        Change::CreateSequence(seq) => vec![Change::DropSequence(seq.name.clone())],
        Change::CreateNamespace(n) => vec![Change::DropNamespace(n.clone())],
        Change::DropEnumType(n) => {
            let e = s
                .enums
                .iter()
                .find(|e| same(&e.name, n))
                .ok_or_else(|| format!("enum type `{}` does not exist", n.name))?;
            vec![Change::CreateEnumType(e.clone())]
        }
        Change::DropSequence(n) => {
            let seq = s
                .sequences
                .iter()
                .find(|x| same(&x.name, n))
                .ok_or_else(|| format!("sequence `{}` does not exist", n.name))?;
            vec![Change::CreateSequence(seq.clone())]
        }
        Change::DropNamespace(n) => vec![Change::CreateNamespace(n.clone())],
        Change::CreateExtension(e) => {
            return Err(format!("extension `{}` is not dropped automatically", e.name));
        }
        Change::CreateObject(o) => {
            return Err(format!("{} `{}` has no typed inverse", o.kind, o.name.name));
        }
        Change::RawSql(r) => match &r.down {
            Some(down) => vec![Change::RawSql(RawSql {
                up: down.clone(),
                down: Some(r.up.clone()),
                note: r.note.clone(),
            })],
            None => return Err("raw SQL without a down section".into()),
        },
    })
}

/// A dropped column comes back with the indexes and constraints that went with it. A NOT NULL column
/// without a default comes back nullable: its values are gone, and the table may have rows.
fn readd_column(s: &DatabaseSchema, c: &ColumnRef) -> Result<Vec<Change>, String> {
    let t = simulate::table(s, &c.table)?;
    let mut column = simulate::column(t, &c.column)?.clone();
    if !column.nullable && column.default.is_none() && column.identity.is_none() {
        column.nullable = true;
    }
    let mut out = vec![Change::AddColumn(AddColumn {
        table: c.table.clone(),
        column,
    })];
    let mentions = |cols: &[String]| cols.iter().any(|x| *x == c.column);
    for i in &t.indexes {
        if i.keys
            .iter()
            .any(|k| matches!(&k.target, IndexTarget::Column(n) if *n == c.column))
        {
            out.push(Change::AddIndex(AddIndex {
                table: c.table.clone(),
                index: i.clone(),
                concurrently: false,
            }));
        }
    }
    for u in t.uniques.iter().filter(|u| mentions(&u.columns)) {
        out.push(Change::AddUnique(AddUnique {
            table: c.table.clone(),
            constraint: u.clone(),
        }));
    }
    for f in t.foreign_keys.iter().filter(|f| mentions(&f.columns)) {
        out.push(Change::AddForeignKey(AddForeignKey {
            table: c.table.clone(),
            foreign_key: f.clone(),
        }));
    }
    Ok(out)
}
