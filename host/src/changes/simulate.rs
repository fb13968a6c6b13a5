//! Applies changes to a schema model without a database: what the schema will look like after a plan, and
//! whether every change names things that exist (a table to alter, a column to drop) or not yet (a table to
//! create). Engine-specific objects and raw SQL are taken on trust.

use crate::model::{Change, Column, DatabaseSchema, QualifiedName, Table};

/// Whether two names denote the same object; a missing namespace is the engine's default one.
pub fn same(a: &QualifiedName, b: &QualifiedName) -> bool {
    let default = |n: &Option<String>| match n.as_deref() {
        None | Some("public") | Some("main") => None,
        Some(other) => Some(other.to_string()),
    };
    a.name == b.name && default(&a.namespace) == default(&b.namespace)
}

/// `schema.table` or `table`.
pub fn display(name: &QualifiedName) -> String {
    match &name.namespace {
        Some(ns) if ns != "public" && ns != "main" => format!("{ns}.{}", name.name),
        _ => name.name.clone(),
    }
}

pub fn table<'a>(schema: &'a DatabaseSchema, name: &QualifiedName) -> Result<&'a Table, String> {
    schema
        .tables
        .iter()
        .find(|t| same(&t.name, name))
        .ok_or_else(|| format!("table `{}` does not exist", display(name)))
}

fn table_mut<'a>(
    schema: &'a mut DatabaseSchema,
    name: &QualifiedName,
) -> Result<&'a mut Table, String> {
    schema
        .tables
        .iter_mut()
        .find(|t| same(&t.name, name))
        .ok_or_else(|| format!("table `{}` does not exist", display(name)))
}

pub fn column<'a>(table: &'a Table, name: &str) -> Result<&'a Column, String> {
    table
        .columns
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| {
            format!(
                "column `{name}` does not exist in table `{}`",
                display(&table.name)
            )
        })
}

fn column_mut<'a>(table: &'a mut Table, name: &str) -> Result<&'a mut Column, String> {
    let t = display(&table.name);
    table
        .columns
        .iter_mut()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("column `{name}` does not exist in table `{t}`"))
}

fn object_exists(table: &Table, name: &str) -> bool {
    table.indexes.iter().any(|i| i.name == name)
        || table.uniques.iter().any(|u| u.name == name)
        || table.foreign_keys.iter().any(|f| f.name == name)
        || table.checks.iter().any(|c| c.name == name)
        || table
            .primary_key
            .as_ref()
            .is_some_and(|p| p.name.as_deref() == Some(name))
}

fn require_columns(table: &Table, columns: &[String]) -> Result<(), String> {
    columns
        .iter()
        .try_for_each(|c| column(table, c).map(|_| ()))
}

fn fresh_object(table: &Table, name: &str) -> Result<(), String> {
    if object_exists(table, name) {
        return Err(format!(
            "table `{}` already has a constraint or index named `{name}`",
            display(&table.name)
        ));
    }
    Ok(())
}

/// Applies `changes` in order; the error names the change (1-based) that could not apply.
pub fn apply_all(schema: &mut DatabaseSchema, changes: &[Change]) -> Result<(), String> {
    for (i, change) in changes.iter().enumerate() {
        apply(schema, change).map_err(|e| format!("change {}: {e}", i + 1))?;
    }
    Ok(())
}

/// Applies one change to `schema`.
pub fn apply(schema: &mut DatabaseSchema, change: &Change) -> Result<(), String> {
    match change {
        Change::CreateTable(t) => {
            if schema.tables.iter().any(|x| same(&x.name, &t.name)) {
                return Err(format!("table `{}` already exists", display(&t.name)));
            }
            if schema.views.iter().any(|v| same(&v.name, &t.name)) {
                return Err(format!(
                    "a view named `{}` already exists",
                    display(&t.name)
                ));
            }
            for fk in &t.foreign_keys {
                if !same(&fk.referenced_table, &t.name) {
                    let target = table(schema, &fk.referenced_table)?;
                    require_columns(target, &fk.referenced_columns)?;
                }
            }
            let mut seen = std::collections::BTreeSet::new();
            for c in &t.columns {
                if !seen.insert(c.name.as_str()) {
                    return Err(format!(
                        "table `{}` lists column `{}` twice",
                        display(&t.name),
                        c.name
                    ));
                }
            }
            schema.tables.push(t.clone());
        }
        Change::DropTable(name) => {
            table(schema, name)?;
            schema.tables.retain(|t| !same(&t.name, name));
        }
        Change::RenameTable(r) => {
            let new = QualifiedName {
                namespace: r.table.namespace.clone(),
                name: r.new_name.clone(),
            };
            if schema.tables.iter().any(|t| same(&t.name, &new)) {
                return Err(format!("table `{}` already exists", r.new_name));
            }
            table_mut(schema, &r.table)?.name = new.clone();
            for t in &mut schema.tables {
                for fk in &mut t.foreign_keys {
                    if same(&fk.referenced_table, &r.table) {
                        fk.referenced_table = new.clone();
                    }
                }
            }
        }
        Change::AddColumn(a) => {
            let t = table_mut(schema, &a.table)?;
            if t.columns.iter().any(|c| c.name == a.column.name) {
                return Err(format!(
                    "column `{}` already exists in table `{}`",
                    a.column.name,
                    display(&a.table)
                ));
            }
            t.columns.push(a.column.clone());
        }
        Change::DropColumn(c) => {
            let t = table_mut(schema, &c.table)?;
            column(t, &c.column)?;
            if t.columns.len() == 1 {
                return Err(format!(
                    "`{}` is the only column of table `{}`: drop the table instead",
                    c.column,
                    display(&c.table)
                ));
            }
            t.columns.retain(|x| x.name != c.column);
            let mentions = |cols: &[String]| cols.contains(&c.column);
            t.indexes.retain(|i| {
                !i.keys.iter().any(
                    |k| matches!(&k.target, crate::model::IndexTarget::Column(n) if *n == c.column),
                )
            });
            t.uniques.retain(|u| !mentions(&u.columns));
            t.foreign_keys.retain(|f| !mentions(&f.columns));
            if t.primary_key.as_ref().is_some_and(|p| mentions(&p.columns)) {
                t.primary_key = None;
            }
        }
        Change::RenameColumn(r) => {
            let t = table_mut(schema, &r.table)?;
            if t.columns.iter().any(|c| c.name == r.new_name) {
                return Err(format!(
                    "column `{}` already exists in table `{}`",
                    r.new_name,
                    display(&r.table)
                ));
            }
            column_mut(t, &r.column)?.name = r.new_name.clone();
            let rename = |cols: &mut Vec<String>| {
                for c in cols.iter_mut().filter(|c| **c == r.column) {
                    *c = r.new_name.clone();
                }
            };
            for i in &mut t.indexes {
                for k in &mut i.keys {
                    if let crate::model::IndexTarget::Column(n) = &mut k.target
                        && *n == r.column
                    {
                        *n = r.new_name.clone();
                    }
                }
            }
            t.uniques.iter_mut().for_each(|u| rename(&mut u.columns));
            t.foreign_keys
                .iter_mut()
                .for_each(|f| rename(&mut f.columns));
            if let Some(p) = &mut t.primary_key {
                rename(&mut p.columns);
            }
            let table_name = t.name.clone();
            for other in &mut schema.tables {
                for fk in &mut other.foreign_keys {
                    if same(&fk.referenced_table, &table_name) {
                        rename(&mut fk.referenced_columns);
                    }
                }
            }
        }
        Change::AlterColumnType(a) => {
            column_mut(table_mut(schema, &a.table)?, &a.column)?.data_type = a.new_type.clone();
        }
        Change::SetNotNull(c) => {
            column_mut(table_mut(schema, &c.table)?, &c.column)?.nullable = false
        }
        Change::DropNotNull(c) => {
            column_mut(table_mut(schema, &c.table)?, &c.column)?.nullable = true
        }
        Change::SetDefault(d) => {
            column_mut(table_mut(schema, &d.table)?, &d.column)?.default = Some(d.default.clone())
        }
        Change::DropDefault(c) => {
            column_mut(table_mut(schema, &c.table)?, &c.column)?.default = None
        }
        Change::AddPrimaryKey(p) => {
            let t = table_mut(schema, &p.table)?;
            if t.primary_key.is_some() {
                return Err(format!(
                    "table `{}` already has a primary key",
                    display(&p.table)
                ));
            }
            require_columns(t, &p.primary_key.columns)?;
            t.primary_key = Some(p.primary_key.clone());
        }
        Change::DropPrimaryKey(name) => {
            let t = table_mut(schema, name)?;
            if t.primary_key.take().is_none() {
                return Err(format!("table `{}` has no primary key", display(name)));
            }
        }
        Change::AddIndex(a) => {
            if schema
                .tables
                .iter()
                .any(|t| t.indexes.iter().any(|i| i.name == a.index.name))
            {
                return Err(format!("an index named `{}` already exists", a.index.name));
            }
            let t = table_mut(schema, &a.table)?;
            for k in &a.index.keys {
                if let crate::model::IndexTarget::Column(c) = &k.target {
                    column(t, c)?;
                }
            }
            fresh_object(t, &a.index.name)?;
            t.indexes.push(a.index.clone());
        }
        Change::DropIndex(o) => {
            let t = table_mut(schema, &o.table)?;
            let before = t.indexes.len();
            t.indexes.retain(|i| i.name != o.name);
            if t.indexes.len() == before {
                return Err(format!(
                    "table `{}` has no index `{}`",
                    display(&o.table),
                    o.name
                ));
            }
        }
        Change::AddUnique(u) => {
            let t = table_mut(schema, &u.table)?;
            require_columns(t, &u.constraint.columns)?;
            fresh_object(t, &u.constraint.name)?;
            t.uniques.push(u.constraint.clone());
        }
        Change::DropUnique(o) => {
            let t = table_mut(schema, &o.table)?;
            let before = t.uniques.len();
            t.uniques.retain(|u| u.name != o.name);
            if t.uniques.len() == before {
                return Err(format!(
                    "table `{}` has no unique constraint `{}`",
                    display(&o.table),
                    o.name
                ));
            }
        }
        Change::AddForeignKey(f) => {
            let target = table(schema, &f.foreign_key.referenced_table)?;
            require_columns(target, &f.foreign_key.referenced_columns)?;
            if f.foreign_key.columns.len() != f.foreign_key.referenced_columns.len() {
                return Err(format!(
                    "foreign key `{}` lists {} columns but references {}",
                    f.foreign_key.name,
                    f.foreign_key.columns.len(),
                    f.foreign_key.referenced_columns.len()
                ));
            }
            let t = table_mut(schema, &f.table)?;
            require_columns(t, &f.foreign_key.columns)?;
            // MySQL names the index that backs a foreign key after the constraint; after a drop, the index
            // stays and the key added back under its name reuses it.
            let backing = t.indexes.iter().any(|i| {
                i.name == f.foreign_key.name
                    && i.keys.len() >= f.foreign_key.columns.len()
                    && i.keys.iter().zip(&f.foreign_key.columns).all(|(k, c)| {
                        matches!(&k.target, crate::model::IndexTarget::Column(x) if x == c)
                    })
            });
            if !backing
                || t.foreign_keys.iter().any(|x| x.name == f.foreign_key.name)
                || t.uniques.iter().any(|u| u.name == f.foreign_key.name)
                || t.checks.iter().any(|c| c.name == f.foreign_key.name)
            {
                fresh_object(t, &f.foreign_key.name)?;
            }
            t.foreign_keys.push(f.foreign_key.clone());
        }
        Change::DropForeignKey(o) => {
            let t = table_mut(schema, &o.table)?;
            let before = t.foreign_keys.len();
            t.foreign_keys.retain(|f| f.name != o.name);
            if t.foreign_keys.len() == before {
                return Err(format!(
                    "table `{}` has no foreign key `{}`",
                    display(&o.table),
                    o.name
                ));
            }
        }
        Change::AddCheck(c) => {
            let t = table_mut(schema, &c.table)?;
            fresh_object(t, &c.check.name)?;
            t.checks.push(c.check.clone());
        }
        Change::DropCheck(o) => {
            let t = table_mut(schema, &o.table)?;
            let before = t.checks.len();
            t.checks.retain(|c| c.name != o.name);
            if t.checks.len() == before {
                return Err(format!(
                    "table `{}` has no check constraint `{}`",
                    display(&o.table),
                    o.name
                ));
            }
        }
        Change::CreateView(v) => {
            if schema.views.iter().any(|x| same(&x.name, &v.name))
                || schema.tables.iter().any(|x| same(&x.name, &v.name))
            {
                return Err(format!("`{}` already exists", display(&v.name)));
            }
            schema.views.push(v.clone());
        }
        Change::DropView(d) => {
            let before = schema.views.len();
            schema.views.retain(|v| !same(&v.name, &d.name));
            if schema.views.len() == before {
                return Err(format!("view `{}` does not exist", display(&d.name)));
            }
        }
        Change::SetCollation(s) => {
            let t = table_mut(schema, &s.table)?;
            column_mut(t, &s.column)?.collation = s.collation.clone();
        }
        Change::SetIdentity(s) => {
            let t = table_mut(schema, &s.table)?;
            column_mut(t, &s.column)?.identity = s.identity;
        }
        Change::SetTableOptions(s) => table_mut(schema, &s.table)?.options = s.options.clone(),
        Change::SetComment(s) => {
            let t = table_mut(schema, &s.table)?;
            match &s.column {
                Some(c) => column_mut(t, c)?.comment = s.comment.clone(),
                None => t.comment = s.comment.clone(),
            }
        }
        Change::CopyRows(c) => {
            let source = table(schema, &c.source)?;
            require_columns(
                source,
                &c.columns
                    .iter()
                    .map(|p| p.source.clone())
                    .collect::<Vec<_>>(),
            )?;
            require_columns(source, &c.when_any_not_null)?;
            let target = table(schema, &c.target)?;
            require_columns(
                target,
                &c.columns
                    .iter()
                    .map(|p| p.target.clone())
                    .collect::<Vec<_>>(),
            )?;
        }
        Change::FillNulls(f) | Change::RestoreNulls(f) => {
            let target = table(schema, &f.column.table)?;
            column(target, &f.column.column)?;
            require_columns(target, &f.key)?;
        }
        Change::FillColumn(f) => {
            let source = table(schema, &f.source)?;
            column(source, &f.value)?;
            require_columns(
                source,
                &f.match_on
                    .iter()
                    .map(|p| p.source.clone())
                    .collect::<Vec<_>>(),
            )?;
            let target = table(schema, &f.target)?;
            column(target, &f.column)?;
            require_columns(
                target,
                &f.match_on
                    .iter()
                    .map(|p| p.target.clone())
                    .collect::<Vec<_>>(),
            )?;
            if f.match_on.is_empty() {
                return Err(
                    "fill-column needs at least one pair of columns to match rows on".into(),
                );
            }
        }
        Change::CreateEnumType(e) => schema.enums.push(e.clone()),
        Change::DropEnumType(n) => schema.enums.retain(|e| !same(&e.name, n)),
        Change::AlterEnumType(e) => {
            let Some(x) = schema.enums.iter_mut().find(|x| same(&x.name, &e.name)) else {
                return Err(format!("enum type `{}` does not exist", display(&e.name)));
            };
            x.labels = e.labels.clone();
        }
        Change::CreateSequence(s) => schema.sequences.push(s.clone()),
        Change::DropSequence(n) => schema.sequences.retain(|s| !same(&s.name, n)),
        Change::CreateNamespace(n) => schema.namespaces.push(n.clone()),
        Change::DropNamespace(n) => schema.namespaces.retain(|x| x != n),
        Change::CreateExtension(e) => {
            if !schema.extensions.iter().any(|x| x.name == e.name) {
                schema.extensions.push(e.clone());
            }
        }
        Change::DropExtension(e) => schema.extensions.retain(|x| x.name != e.name),
        Change::CreateObject(o) => schema.objects.push(o.clone()),
        Change::DropObject(o) => schema
            .objects
            .retain(|x| !(x.kind == o.kind && same(&x.name, &o.name))),
        Change::RawSql(_) => {}
    }
    Ok(())
}
