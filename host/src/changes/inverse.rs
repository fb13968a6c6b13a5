//! The changes that undo a list of changes, derived from the schema each change was applied to: the
//! down section of a generated migration.

use super::simulate::{self, same};
use crate::model::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterColumnType,
    Change, ColumnRef, DatabaseSchema, DropView, EngineObject, IndexTarget, QualifiedName, RawSql,
    RenameColumn, RenameTable, SetCollation, SetComment, SetDefault, SetIdentity, SetTableOptions,
    TableObject,
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
        Change::AddUnique(u) => vec![Change::DropUnique(table_object(
            &u.table,
            &u.constraint.name,
        ))],
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
        Change::SetCollation(c) => {
            let t = simulate::table(s, &c.table)?;
            vec![Change::SetCollation(SetCollation {
                collation: simulate::column(t, &c.column)?.collation.clone(),
                ..c.clone()
            })]
        }
        Change::SetIdentity(c) => {
            let t = simulate::table(s, &c.table)?;
            vec![Change::SetIdentity(SetIdentity {
                identity: simulate::column(t, &c.column)?.identity,
                ..c.clone()
            })]
        }
        Change::SetTableOptions(c) => vec![Change::SetTableOptions(SetTableOptions {
            table: c.table.clone(),
            options: simulate::table(s, &c.table)?.options.clone(),
        })],
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
            return Err(
                "rows copied into an existing table: write the down section by hand".into(),
            );
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
            return Err(
                "overwritten column values cannot be restored: write the down section by hand"
                    .into(),
            );
        }
        // The rows it filled, known by the keys it kept, are NULL again.
        Change::FillNulls(f) => vec![Change::RestoreNulls(f.clone())],
        Change::RestoreNulls(f) => vec![Change::FillNulls(f.clone())],
        Change::CreateEnumType(e) => vec![Change::DropEnumType(e.name.clone())],
        Change::CreateSequence(seq) => vec![Change::DropSequence(seq.name.clone())],
        Change::CreateNamespace(n) => vec![Change::DropNamespace(n.clone())],
        Change::AlterEnumType(e) => {
            let old = s
                .enums
                .iter()
                .find(|x| same(&x.name, &e.name))
                .ok_or_else(|| format!("enum type `{}` does not exist", e.name.name))?;
            vec![Change::AlterEnumType(old.clone())]
        }
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
        // One that was there before (CREATE EXTENSION IF NOT EXISTS did nothing) stays.
        Change::CreateExtension(e) => match s.extensions.iter().any(|x| x.name == e.name) {
            true => vec![],
            false => vec![Change::DropExtension(e.clone())],
        },
        Change::DropExtension(e) => {
            let old = s.extensions.iter().find(|x| x.name == e.name);
            vec![Change::CreateExtension(old.unwrap_or(e).clone())]
        }
        Change::CreateObject(o) => {
            if s.objects.iter().any(|x| same_object(x, o)) {
                return Err(format!(
                    "{} `{}` replaces one that exists: its inverse would need the old definition",
                    o.kind, o.name.name
                ));
            }
            vec![Change::DropObject(o.clone())]
        }
        Change::DropObject(o) => vec![Change::CreateObject(o.clone())],
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
    let mentions = |cols: &[String]| cols.contains(&c.column);
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

/// Whether two engine objects are the same object (kind and name).
fn same_object(a: &EngineObject, b: &EngineObject) -> bool {
    a.kind == b.kind && same(&a.name, &b.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Column, ColumnType, FkAction, ForeignKey, Index, IndexKey, IndexMethod, PrimaryKey, Table,
        UniqueConstraint,
    };

    fn name(n: &str) -> QualifiedName {
        QualifiedName {
            namespace: None,
            name: n.into(),
        }
    }

    fn col(n: &str, t: ColumnType, nullable: bool) -> Column {
        Column {
            name: n.into(),
            data_type: t,
            nullable,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }

    fn index(n: &str, c: &str) -> Index {
        Index {
            name: n.into(),
            unique: false,
            method: IndexMethod::Btree,
            keys: vec![IndexKey {
                target: IndexTarget::Column(c.into()),
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
                prefix_length: None,
            }],
            included_columns: vec![],
            predicate: None,
            comment: None,
        }
    }

    fn schema() -> DatabaseSchema {
        let mut s = DatabaseSchema::empty();
        s.tables.push(Table {
            name: name("users"),
            columns: vec![
                col("id", ColumnType::Bigint, false),
                col("email", ColumnType::Varchar(Some(255)), true),
                col("age", ColumnType::Integer, true),
            ],
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
            }),
            uniques: vec![UniqueConstraint {
                name: "uq_users_email".into(),
                columns: vec!["email".into()],
            }],
            indexes: vec![index("idx_users_age", "age")],
            foreign_keys: vec![],
            checks: vec![],
            comment: None,
            options: vec![],
        });
        s
    }

    /// Applying the changes and then their inverse gives back the schema (up to column order).
    fn round_trip(changes: Vec<Change>) {
        let before = schema();
        let down = inverse(&changes, &before).expect("invertible");
        let mut s = before.clone();
        simulate::apply_all(&mut s, &changes).unwrap();
        simulate::apply_all(&mut s, &down).unwrap();
        let sort = |mut s: DatabaseSchema| {
            for t in &mut s.tables {
                t.columns.sort_by(|a, b| a.name.cmp(&b.name));
                t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            }
            s
        };
        assert_eq!(
            sort(s),
            sort(before),
            "changes: {changes:?}\ndown: {down:?}"
        );
    }

    #[test]
    fn every_reversible_change_round_trips() {
        let users = name("users");
        round_trip(vec![Change::AddColumn(AddColumn {
            table: users.clone(),
            column: col("bio", ColumnType::Text, true),
        })]);
        round_trip(vec![Change::DropColumn(column_ref(&users, "age"))]);
        round_trip(vec![Change::DropColumn(column_ref(&users, "email"))]);
        round_trip(vec![Change::RenameColumn(RenameColumn {
            table: users.clone(),
            column: "email".into(),
            new_name: "mail".into(),
        })]);
        round_trip(vec![Change::AlterColumnType(AlterColumnType {
            table: users.clone(),
            column: "age".into(),
            new_type: ColumnType::Bigint,
            using: None,
        })]);
        round_trip(vec![
            Change::SetDefault(SetDefault {
                table: users.clone(),
                column: "age".into(),
                default: "0".into(),
            }),
            Change::SetNotNull(column_ref(&users, "age")),
        ]);
        round_trip(vec![Change::DropIndex(table_object(
            &users,
            "idx_users_age",
        ))]);
        round_trip(vec![Change::DropUnique(table_object(
            &users,
            "uq_users_email",
        ))]);
        round_trip(vec![Change::RenameTable(RenameTable {
            table: users.clone(),
            new_name: "accounts".into(),
        })]);
        round_trip(vec![Change::DropTable(users.clone())]);
    }

    #[test]
    fn a_new_table_with_copied_rows_and_a_filled_column_round_trips() {
        let users = name("users");
        let mut t = schema().tables[0].clone();
        t.name = name("profiles");
        t.uniques.clear();
        t.indexes.clear();
        let changes = vec![
            Change::CreateTable(t),
            Change::CopyRows(crate::model::CopyRows {
                source: users.clone(),
                target: name("profiles"),
                columns: vec![],
                distinct: false,
                when_any_not_null: vec![],
            }),
            Change::AddColumn(AddColumn {
                table: users.clone(),
                column: col("profile_id", ColumnType::Bigint, true),
            }),
            Change::FillColumn(crate::model::FillColumn {
                target: users.clone(),
                column: "profile_id".into(),
                source: name("profiles"),
                value: "id".into(),
                match_on: vec![crate::model::ColumnPair {
                    source: "email".into(),
                    target: "email".into(),
                }],
            }),
            Change::AddForeignKey(AddForeignKey {
                table: users.clone(),
                foreign_key: ForeignKey {
                    name: "fk_users_profile_id".into(),
                    columns: vec!["profile_id".into()],
                    referenced_table: name("profiles"),
                    referenced_columns: vec!["id".into()],
                    on_delete: FkAction::SetNull,
                    on_update: FkAction::NoAction,
                    deferrable: false,
                    initially_deferred: false,
                },
            }),
        ];
        round_trip(changes);
    }

    #[test]
    fn overwriting_existing_values_has_no_automatic_inverse() {
        let users = name("users");
        let fill = Change::FillColumn(crate::model::FillColumn {
            target: users.clone(),
            column: "age".into(),
            source: users.clone(),
            value: "age".into(),
            match_on: vec![crate::model::ColumnPair {
                source: "id".into(),
                target: "id".into(),
            }],
        });
        assert!(inverse(&[fill], &schema()).is_err());
    }
}
