//! The text of `CREATE TABLE`, `CREATE INDEX` and `CREATE VIEW`, written so that introspection
//! reads back exactly the model it was rendered from.

use ai_shell_plugin_sdk::{
    Column, ColumnType, FkAction, ForeignKey, IdentityKind, Index, IndexMethod, IndexTarget,
    PluginError, Table, View,
};

use crate::quote::quote_identifier as q;
use crate::types::type_name;

fn unsupported(message: String) -> PluginError {
    PluginError::UnsupportedChange(message)
}

/// The column that carries an inline `PRIMARY KEY AUTOINCREMENT`, if the table has one.
fn autoincrement_column(table: &Table) -> Result<Option<&str>, PluginError> {
    let mut found = None;
    for c in &table.columns {
        if c.identity != Some(IdentityKind::AutoIncrement) {
            continue;
        }
        let single_pk = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0].eq_ignore_ascii_case(&c.name));
        if !single_pk {
            return Err(unsupported(format!(
                "column `{}` of `{}`: SQLite has AUTOINCREMENT only on a table's single-column INTEGER PRIMARY KEY",
                c.name, table.name.name
            )));
        }
        found = Some(c.name.as_str());
    }
    Ok(found)
}

/// One column definition; `inline_pk` adds the table's primary key (with AUTOINCREMENT) to it.
pub fn column_definition(
    c: &Column,
    inline_pk: Option<Option<&str>>,
) -> Result<String, PluginError> {
    let mut sql = q(&c.name);
    let ty = type_name(&c.data_type)?;
    if !ty.trim().is_empty() {
        sql.push(' ');
        sql.push_str(&ty);
    }
    match (c.identity, inline_pk) {
        (_, Some(name)) => {
            if let Some(name) = name {
                sql.push_str(&format!(" CONSTRAINT {}", q(name)));
            }
            sql.push_str(" PRIMARY KEY AUTOINCREMENT");
        }
        (Some(IdentityKind::Always | IdentityKind::ByDefault), None) => {
            if !matches!(c.data_type, ColumnType::Integer) {
                return Err(unsupported(format!(
                    "column `{}`: SQLite has no identity columns; an INTEGER PRIMARY KEY numbers rows by itself",
                    c.name
                )));
            }
        }
        (Some(IdentityKind::AutoIncrement), None) => {
            return Err(unsupported(format!(
                "column `{}`: AUTOINCREMENT needs the column to be the table's INTEGER PRIMARY KEY",
                c.name
            )));
        }
        (None, None) => {}
    }
    if !c.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(&crate::introspect::default_expression(d));
    }
    if let Some(collation) = &c.collation {
        sql.push_str(&format!(" COLLATE {}", q(collation)));
    }
    if let Some(g) = &c.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            g.expression,
            if g.stored { "STORED" } else { "VIRTUAL" }
        ));
    }
    Ok(sql)
}

fn names(columns: &[String]) -> String {
    columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

fn constraint_prefix(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("CONSTRAINT {} ", q(name))
    }
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

pub fn foreign_key(fk: &ForeignKey) -> String {
    let mut sql = format!(
        "{}FOREIGN KEY ({}) REFERENCES {}",
        constraint_prefix(&fk.name),
        names(&fk.columns),
        q(&fk.referenced_table.name)
    );
    if !fk.referenced_columns.is_empty() {
        sql.push_str(&format!(" ({})", names(&fk.referenced_columns)));
    }
    if fk.on_delete != FkAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", action(fk.on_delete)));
    }
    if fk.on_update != FkAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", action(fk.on_update)));
    }
    if fk.deferrable {
        sql.push_str(" DEFERRABLE");
        if fk.initially_deferred {
            sql.push_str(" INITIALLY DEFERRED");
        }
    }
    sql
}

/// The table options SQLite knows, in its spelling.
fn options(table: &Table) -> Result<Vec<&'static str>, PluginError> {
    table
        .options
        .iter()
        .map(|o| {
            let words: Vec<String> = o.split_whitespace().map(str::to_ascii_uppercase).collect();
            match words.join(" ").as_str() {
                "WITHOUT ROWID" => Ok("WITHOUT ROWID"),
                "STRICT" => Ok("STRICT"),
                _ => Err(unsupported(format!(
                    "table `{}`: SQLite's table options are WITHOUT ROWID and STRICT, not `{o}`",
                    table.name.name
                ))),
            }
        })
        .collect()
}

/// `CREATE TABLE name (...)` for `table`, under the name `name` (the rebuild uses another).
pub fn create_table(table: &Table, name: &str) -> Result<String, PluginError> {
    if table.columns.is_empty() {
        return Err(PluginError::InvalidInput(format!(
            "table `{}` has no columns; SQLite needs at least one",
            table.name.name
        )));
    }
    let inline = autoincrement_column(table)?;
    let mut parts = Vec::new();
    for c in &table.columns {
        let here = inline
            .filter(|n| n.eq_ignore_ascii_case(&c.name))
            .map(|_| table.primary_key.as_ref().and_then(|pk| pk.name.as_deref()));
        parts.push(column_definition(c, here)?);
    }
    if let (Some(pk), None) = (&table.primary_key, inline) {
        let prefix = pk
            .name
            .as_deref()
            .map(constraint_prefix)
            .unwrap_or_default();
        parts.push(format!("{prefix}PRIMARY KEY ({})", names(&pk.columns)));
    }
    for u in &table.uniques {
        parts.push(format!(
            "{}UNIQUE ({})",
            constraint_prefix(&u.name),
            names(&u.columns)
        ));
    }
    for c in &table.checks {
        parts.push(format!(
            "{}CHECK ({})",
            constraint_prefix(&c.name),
            c.expression
        ));
    }
    for fk in &table.foreign_keys {
        parts.push(foreign_key(fk));
    }
    let mut sql = format!("CREATE TABLE {} (\n  {}\n)", q(name), parts.join(",\n  "));
    let options = options(table)?;
    if !options.is_empty() {
        sql.push(' ');
        sql.push_str(&options.join(", "));
    }
    Ok(sql)
}

pub fn create_index(table: &str, index: &Index) -> Result<String, PluginError> {
    let refuse = |what: &str| {
        Err(unsupported(format!(
            "index `{}`: SQLite indexes have no {what}",
            index.name
        )))
    };
    if !matches!(index.method, IndexMethod::Btree) {
        return refuse(&format!(
            "access method other than btree ({:?})",
            index.method
        ));
    }
    if !index.included_columns.is_empty() {
        return refuse("INCLUDE columns");
    }
    if index.keys.is_empty() {
        return Err(PluginError::InvalidInput(format!(
            "index `{}` has no keys",
            index.name
        )));
    }
    let mut keys = Vec::new();
    for k in &index.keys {
        if k.opclass.is_some() {
            return refuse("operator classes");
        }
        if k.nulls_first.is_some() {
            return refuse("NULLS FIRST/LAST");
        }
        if k.prefix_length.is_some() {
            return refuse("prefix lengths");
        }
        let mut key = match &k.target {
            IndexTarget::Column(c) => q(c),
            IndexTarget::Expression(e) => e.clone(),
        };
        if let Some(c) = &k.collation {
            key.push_str(&format!(" COLLATE {}", q(c)));
        }
        if k.descending {
            key.push_str(" DESC");
        }
        keys.push(key);
    }
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        q(&index.name),
        q(table),
        keys.join(", ")
    );
    if let Some(p) = &index.predicate {
        sql.push_str(&format!(" WHERE {p}"));
    }
    Ok(sql)
}

pub fn create_view(view: &View) -> Result<String, PluginError> {
    if view.materialized {
        return Err(unsupported(format!(
            "view `{}`: SQLite has no materialized views",
            view.name.name
        )));
    }
    Ok(format!(
        "CREATE VIEW {} AS {}",
        q(&view.name.name),
        view.definition.trim().trim_end_matches(';')
    ))
}
