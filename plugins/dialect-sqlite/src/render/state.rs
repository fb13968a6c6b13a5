//! Applies a change to the model, mirroring what SQLite does to the live schema when the
//! rendered statements run. Rendering a batch walks this state forward one change at a time, so
//! each change is rendered against the schema the previous ones left.

use ai_shell_plugin_sdk::{Change, DatabaseSchema, IdentityKind, IndexTarget, PluginError, Table};

use crate::introspect::default_expression;
use crate::sql::rewrite::{mentions, rename_identifier};

pub fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn invalid(message: String) -> PluginError {
    PluginError::InvalidInput(message)
}

pub fn table<'a>(schema: &'a DatabaseSchema, name: &str) -> Result<&'a Table, PluginError> {
    schema
        .tables
        .iter()
        .find(|t| same(&t.name.name, name))
        .ok_or_else(|| invalid(format!("table `{name}` does not exist")))
}

pub fn table_mut<'a>(
    schema: &'a mut DatabaseSchema,
    name: &str,
) -> Result<&'a mut Table, PluginError> {
    schema
        .tables
        .iter_mut()
        .find(|t| same(&t.name.name, name))
        .ok_or_else(|| invalid(format!("table `{name}` does not exist")))
}

fn has_column(t: &Table, column: &str) -> Result<(), PluginError> {
    if t.columns.iter().any(|c| same(&c.name, column)) {
        Ok(())
    } else {
        Err(invalid(format!(
            "table `{}` has no column `{column}`",
            t.name.name
        )))
    }
}

fn column_mut<'a>(
    t: &'a mut Table,
    column: &str,
) -> Result<&'a mut ai_shell_plugin_sdk::Column, PluginError> {
    let table = t.name.name.clone();
    t.columns
        .iter_mut()
        .find(|c| same(&c.name, column))
        .ok_or_else(|| invalid(format!("table `{table}` has no column `{column}`")))
}

/// Removes the one item named `name` from `items`; unnamed items are named "" and can only be
/// removed when the name picks exactly one.
fn remove_named<T>(
    items: &mut Vec<T>,
    name: &str,
    item_name: impl Fn(&T) -> &str,
    what: &str,
    table: &str,
) -> Result<(), PluginError> {
    let hits: Vec<usize> = (0..items.len())
        .filter(|i| same(item_name(&items[*i]), name))
        .collect();
    match hits.as_slice() {
        [i] => {
            items.remove(*i);
            Ok(())
        }
        [] => Err(invalid(format!(
            "table `{table}` has no {what} named `{name}`"
        ))),
        _ => Err(invalid(format!(
            "table `{table}` has several {what}s named `{name}`; cannot tell which to drop"
        ))),
    }
}

/// Whether anything in table `t` other than the column itself depends on column `c`.
pub fn column_dependents(t: &Table, c: &str) -> Vec<String> {
    let mut found = Vec::new();
    if t.primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|x| same(x, c)))
    {
        found.push("the primary key".to_string());
    }
    for u in t
        .uniques
        .iter()
        .filter(|u| u.columns.iter().any(|x| same(x, c)))
    {
        found.push(format!("unique constraint `{}`", u.name));
    }
    for i in t.indexes.iter().filter(|i| index_uses(i, c)) {
        found.push(format!("index `{}`", i.name));
    }
    for f in t
        .foreign_keys
        .iter()
        .filter(|f| f.columns.iter().any(|x| same(x, c)))
    {
        found.push(format!("foreign key `{}`", f.name));
    }
    for k in t.checks.iter().filter(|k| mentions(&k.expression, c)) {
        found.push(format!("check `{}`", k.name));
    }
    for g in t.columns.iter().filter(|g| !same(&g.name, c)) {
        if g.generated
            .as_ref()
            .is_some_and(|e| mentions(&e.expression, c))
        {
            found.push(format!("generated column `{}`", g.name));
        }
    }
    found
}

fn index_uses(i: &ai_shell_plugin_sdk::Index, c: &str) -> bool {
    i.keys.iter().any(|k| match &k.target {
        IndexTarget::Column(x) => same(x, c),
        IndexTarget::Expression(e) => mentions(e, c),
    }) || i.predicate.as_deref().is_some_and(|p| mentions(p, c))
}

/// Views and triggers that would break if `column` of `table` went away.
pub fn sql_users(schema: &DatabaseSchema, table: &str, column: &str) -> Vec<String> {
    let views = schema
        .views
        .iter()
        .filter(|v| mentions(&v.definition, table) && mentions(&v.definition, column))
        .map(|v| format!("view `{}`", v.name.name));
    let objects = schema
        .objects
        .iter()
        .filter(|o| mentions(&o.definition, table) && mentions(&o.definition, column))
        .map(|o| format!("{} `{}`", o.kind, o.name.name));
    views.chain(objects).collect()
}

/// The schema after `change`.
pub fn apply(schema: &mut DatabaseSchema, change: &Change) -> Result<(), PluginError> {
    match change {
        Change::CreateNamespace(_)
        | Change::DropNamespace(_)
        | Change::CreateExtension(_)
        | Change::DropExtension(_)
        | Change::CreateEnumType(_)
        | Change::DropEnumType(_)
        | Change::AlterEnumType(_)
        | Change::CreateSequence(_)
        | Change::DropSequence(_)
        | Change::CopyRows(_)
        | Change::FillColumn(_)
        | Change::FillNulls(_)
        | Change::RestoreNulls(_)
        | Change::RawSql(_) => {}
        Change::CreateTable(t) => {
            if schema
                .tables
                .iter()
                .any(|x| same(&x.name.name, &t.name.name))
            {
                return Err(invalid(format!("table `{}` already exists", t.name.name)));
            }
            schema.tables.push(t.clone());
        }
        Change::DropTable(name) => {
            table(schema, &name.name)?;
            schema.tables.retain(|t| !same(&t.name.name, &name.name));
            schema
                .objects
                .retain(|o| !o.table.as_ref().is_some_and(|t| same(&t.name, &name.name)));
        }
        Change::RenameTable(r) => {
            let old = table(schema, &r.table.name)?.name.name.clone();
            if !same(&old, &r.new_name) && table(schema, &r.new_name).is_ok() {
                return Err(invalid(format!("table `{}` already exists", r.new_name)));
            }
            table_mut(schema, &old)?.name.name.clone_from(&r.new_name);
            for t in &mut schema.tables {
                for f in &mut t.foreign_keys {
                    if same(&f.referenced_table.name, &old) {
                        f.referenced_table.name.clone_from(&r.new_name);
                    }
                }
            }
            for o in &mut schema.objects {
                if o.table.as_ref().is_some_and(|t| same(&t.name, &old)) {
                    if let Some(t) = o.table.as_mut() {
                        t.name.clone_from(&r.new_name);
                    }
                    o.definition = rename_identifier(&o.definition, &old, &r.new_name);
                }
            }
            for v in &mut schema.views {
                v.definition = rename_identifier(&v.definition, &old, &r.new_name);
            }
        }
        Change::AddColumn(a) => {
            let t = table_mut(schema, &a.table.name)?;
            if t.columns.iter().any(|c| same(&c.name, &a.column.name)) {
                return Err(invalid(format!(
                    "table `{}` already has a column `{}`",
                    t.name.name, a.column.name
                )));
            }
            let mut column = a.column.clone();
            column.default = column.default.as_deref().map(default_expression);
            t.columns.push(column);
        }
        Change::DropColumn(c) => {
            let name = table(schema, &c.table.name)?.name.name.clone();
            for other in &schema.tables {
                for f in &other.foreign_keys {
                    if same(&f.referenced_table.name, &name)
                        && f.referenced_columns.iter().any(|x| same(x, &c.column))
                        && !same(&other.name.name, &name)
                    {
                        return Err(invalid(format!(
                            "column `{}` of `{name}` is referenced by foreign key `{}` of table `{}`; drop that first",
                            c.column, f.name, other.name.name
                        )));
                    }
                }
            }
            let users = sql_users(schema, &name, &c.column);
            if !users.is_empty() {
                return Err(invalid(format!(
                    "column `{}` of `{name}` is used by {}; drop or change them first",
                    c.column,
                    users.join(", ")
                )));
            }
            let t = table_mut(schema, &name)?;
            has_column(t, &c.column)?;
            for g in &t.columns {
                if !same(&g.name, &c.column)
                    && g.generated
                        .as_ref()
                        .is_some_and(|e| mentions(&e.expression, &c.column))
                {
                    return Err(invalid(format!(
                        "column `{}` is used by generated column `{}`; drop that first",
                        c.column, g.name
                    )));
                }
            }
            let col = &c.column;
            t.columns.retain(|x| !same(&x.name, col));
            if t.primary_key
                .as_ref()
                .is_some_and(|pk| pk.columns.iter().any(|x| same(x, col)))
            {
                t.primary_key = None;
            }
            t.uniques
                .retain(|u| !u.columns.iter().any(|x| same(x, col)));
            t.indexes.retain(|i| !index_uses(i, col));
            t.foreign_keys.retain(|f| {
                let uses_column = f.columns.iter().any(|x| same(x, col));
                let references_column = same(&f.referenced_table.name, &name)
                    && f.referenced_columns.iter().any(|x| same(x, col));
                !(uses_column || references_column)
            });
            t.checks.retain(|k| !mentions(&k.expression, col));
        }
        Change::RenameColumn(r) => rename_column(schema, &r.table.name, &r.column, &r.new_name)?,
        Change::AlterColumnType(a) => {
            column_mut(table_mut(schema, &a.table.name)?, &a.column)?.data_type = a.new_type.clone()
        }
        Change::SetNotNull(c) => {
            column_mut(table_mut(schema, &c.table.name)?, &c.column)?.nullable = false
        }
        Change::DropNotNull(c) => {
            column_mut(table_mut(schema, &c.table.name)?, &c.column)?.nullable = true
        }
        Change::SetDefault(d) => {
            column_mut(table_mut(schema, &d.table.name)?, &d.column)?.default =
                Some(default_expression(&d.default))
        }
        Change::DropDefault(c) => {
            column_mut(table_mut(schema, &c.table.name)?, &c.column)?.default = None
        }
        Change::AddPrimaryKey(p) => {
            let t = table_mut(schema, &p.table.name)?;
            if t.primary_key.is_some() {
                return Err(invalid(format!(
                    "table `{}` already has a primary key",
                    t.name.name
                )));
            }
            for c in &p.primary_key.columns {
                has_column(t, c)?;
            }
            t.primary_key = Some(p.primary_key.clone());
        }
        Change::DropPrimaryKey(name) => {
            let t = table_mut(schema, &name.name)?;
            let pk = t
                .primary_key
                .take()
                .ok_or_else(|| invalid(format!("table `{}` has no primary key", name.name)))?;
            for c in &mut t.columns {
                if pk.columns.iter().any(|x| same(x, &c.name))
                    && c.identity == Some(IdentityKind::AutoIncrement)
                {
                    c.identity = None;
                }
            }
        }
        Change::AddIndex(a) => {
            if schema
                .tables
                .iter()
                .flat_map(|t| &t.indexes)
                .any(|i| same(&i.name, &a.index.name))
            {
                return Err(invalid(format!("index `{}` already exists", a.index.name)));
            }
            table_mut(schema, &a.table.name)?
                .indexes
                .push(a.index.clone());
        }
        Change::DropIndex(o) => {
            let t = table_mut(schema, &o.table.name)?;
            let table = t.name.name.clone();
            remove_named(&mut t.indexes, &o.name, |i| &i.name, "index", &table)?;
        }
        Change::AddUnique(u) => {
            let t = table_mut(schema, &u.table.name)?;
            for c in &u.constraint.columns {
                has_column(t, c)?;
            }
            t.uniques.push(u.constraint.clone());
        }
        Change::DropUnique(o) => {
            let t = table_mut(schema, &o.table.name)?;
            let table = t.name.name.clone();
            remove_named(
                &mut t.uniques,
                &o.name,
                |u| &u.name,
                "unique constraint",
                &table,
            )?;
        }
        Change::AddForeignKey(f) => {
            let t = table_mut(schema, &f.table.name)?;
            for c in &f.foreign_key.columns {
                has_column(t, c)?;
            }
            t.foreign_keys.push(f.foreign_key.clone());
        }
        Change::DropForeignKey(o) => {
            let t = table_mut(schema, &o.table.name)?;
            let table = t.name.name.clone();
            remove_named(
                &mut t.foreign_keys,
                &o.name,
                |f| &f.name,
                "foreign key",
                &table,
            )?;
        }
        Change::AddCheck(c) => table_mut(schema, &c.table.name)?
            .checks
            .push(c.check.clone()),
        Change::DropCheck(o) => {
            let t = table_mut(schema, &o.table.name)?;
            let table = t.name.name.clone();
            remove_named(
                &mut t.checks,
                &o.name,
                |c| &c.name,
                "check constraint",
                &table,
            )?;
        }
        Change::CreateView(v) => {
            if schema
                .views
                .iter()
                .any(|x| same(&x.name.name, &v.name.name))
            {
                return Err(invalid(format!("view `{}` already exists", v.name.name)));
            }
            schema.views.push(v.clone());
        }
        Change::DropView(d) => {
            let before = schema.views.len();
            schema.views.retain(|v| !same(&v.name.name, &d.name.name));
            if schema.views.len() == before {
                return Err(invalid(format!("view `{}` does not exist", d.name.name)));
            }
        }
        Change::SetCollation(c) => {
            let t = table_mut(schema, &c.table.name)?;
            column_mut(t, &c.column)?.collation = c.collation.clone();
        }
        Change::SetTableOptions(c) => table_mut(schema, &c.table.name)?.options = c.options.clone(),
        Change::SetIdentity(c) => {
            let t = table_mut(schema, &c.table.name)?;
            column_mut(t, &c.column)?.identity = c.identity;
        }
        Change::SetComment(c) => {
            let t = table_mut(schema, &c.table.name)?;
            match &c.column {
                Some(col) => column_mut(t, col)?.comment = c.comment.clone(),
                None => t.comment = c.comment.clone(),
            }
        }
        Change::CreateObject(o) => schema.objects.push(o.clone()),
        Change::DropObject(o) => schema
            .objects
            .retain(|x| !(x.kind == o.kind && x.name.name.eq_ignore_ascii_case(&o.name.name))),
    }
    Ok(())
}

/// What `ALTER TABLE ... RENAME COLUMN` does: SQLite rewrites every reference to the column in
/// the table, in foreign keys pointing at it, and in triggers and views.
fn rename_column(
    schema: &mut DatabaseSchema,
    table_name: &str,
    old: &str,
    new: &str,
) -> Result<(), PluginError> {
    let tname = table(schema, table_name)?.name.name.clone();
    {
        let t = table_mut(schema, &tname)?;
        if !same(old, new) && t.columns.iter().any(|c| same(&c.name, new)) {
            return Err(invalid(format!(
                "table `{tname}` already has a column `{new}`"
            )));
        }
        column_mut(t, old)?.name = new.to_string();
        let rename = |names: &mut Vec<String>| {
            for n in names.iter_mut() {
                if same(n, old) {
                    *n = new.to_string();
                }
            }
        };
        if let Some(pk) = &mut t.primary_key {
            rename(&mut pk.columns);
        }
        for u in &mut t.uniques {
            rename(&mut u.columns);
        }
        for f in &mut t.foreign_keys {
            rename(&mut f.columns);
        }
        for k in &mut t.checks {
            k.expression = rename_identifier(&k.expression, old, new);
        }
        for c in &mut t.columns {
            if let Some(g) = &mut c.generated {
                g.expression = rename_identifier(&g.expression, old, new);
            }
        }
        for i in &mut t.indexes {
            for k in &mut i.keys {
                match &mut k.target {
                    IndexTarget::Column(c) if same(c, old) => *c = new.to_string(),
                    IndexTarget::Expression(e) => *e = rename_identifier(e, old, new),
                    IndexTarget::Column(_) => {}
                }
            }
            if let Some(p) = &mut i.predicate {
                *p = rename_identifier(p, old, new);
            }
        }
    }
    for t in &mut schema.tables {
        for f in &mut t.foreign_keys {
            if same(&f.referenced_table.name, &tname) {
                for c in &mut f.referenced_columns {
                    if same(c, old) {
                        *c = new.to_string();
                    }
                }
            }
        }
    }
    for o in &mut schema.objects {
        if mentions(&o.definition, &tname) {
            o.definition = rename_identifier(&o.definition, old, new);
        }
    }
    for v in &mut schema.views {
        if mentions(&v.definition, &tname) {
            v.definition = rename_identifier(&v.definition, old, new);
        }
    }
    Ok(())
}
