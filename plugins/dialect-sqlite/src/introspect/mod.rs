//! Reads the live schema. Four bulk queries (see `queries/*.sql`, runnable as they are with the
//! `sqlite3` shell) collect the catalog; [`build`] turns it into the model without touching the
//! database, so it is tested natively.

mod tables;
pub use tables::default_expression;
mod views;

use std::collections::BTreeMap;

use ai_shell_plugin_sdk::rows::Row;
use ai_shell_plugin_sdk::{
    DatabaseSchema, EngineObject, LogLevel, PluginError, QualifiedName, host,
};

pub const OBJECTS_SQL: &str = include_str!("queries/objects.sql");
pub const COLUMNS_SQL: &str = include_str!("queries/columns.sql");
pub const INDEXES_SQL: &str = include_str!("queries/indexes.sql");
pub const FOREIGN_KEYS_SQL: &str = include_str!("queries/foreign_keys.sql");

/// One row of `sqlite_schema`.
#[derive(Debug, Clone, Default)]
pub struct StoredObject {
    /// `table`, `index`, `view` or `trigger`.
    pub kind: String,
    pub name: String,
    pub table: String,
    pub sql: String,
    /// From `pragma_table_list`: `table`, `view`, `virtual`...
    pub table_kind: String,
}

/// One row of `pragma_table_xinfo`.
#[derive(Debug, Clone, Default)]
pub struct RawColumn {
    pub name: String,
    pub declared_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// Position in the primary key, 1-based; 0 when not part of it.
    pub pk: i64,
    /// 0 ordinary, 2 generated virtual, 3 generated stored.
    pub hidden: i64,
}

/// One key column of an index (`pragma_index_list` joined with `pragma_index_xinfo`).
#[derive(Debug, Clone, Default)]
pub struct RawIndexKey {
    pub index: String,
    pub unique: bool,
    /// `c`, `u` or `pk`.
    pub origin: String,
    /// -2 for an expression, -1 for the rowid.
    pub cid: i64,
    pub column: Option<String>,
    pub descending: bool,
}

/// One column pair of a foreign key (`pragma_foreign_key_list`).
#[derive(Debug, Clone, Default)]
pub struct RawForeignKey {
    pub id: i64,
    pub parent: String,
    pub from: String,
    pub to: Option<String>,
    pub on_update: String,
    pub on_delete: String,
}

/// Everything the queries return, grouped by table name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub objects: Vec<StoredObject>,
    pub columns: BTreeMap<String, Vec<RawColumn>>,
    pub index_keys: BTreeMap<String, Vec<RawIndexKey>>,
    pub foreign_keys: BTreeMap<String, Vec<RawForeignKey>>,
}

/// Runs the catalog queries through the host.
pub fn introspect() -> Result<DatabaseSchema, PluginError> {
    let catalog = read_catalog()?;
    let (schema, warnings) = build(&catalog);
    for w in warnings {
        host::log(LogLevel::Warn, &w);
    }
    Ok(schema)
}

fn read_catalog() -> Result<Catalog, PluginError> {
    let mut catalog = Catalog::default();
    for r in host::rows(OBJECTS_SQL, &[])? {
        catalog.objects.push(StoredObject {
            kind: r.text("type")?,
            name: r.text("name")?,
            table: r.text("tbl_name")?,
            sql: r.text("sql")?,
            table_kind: r.text("table_kind")?,
        });
    }
    for r in host::rows(COLUMNS_SQL, &[])? {
        catalog
            .columns
            .entry(r.text("table_name")?)
            .or_default()
            .push(RawColumn {
                name: r.text("name")?,
                declared_type: r.opt_text("type")?.unwrap_or_default(),
                not_null: r.bool("not_null")?,
                default: r.opt_text("dflt_value")?,
                pk: r.int("pk")?,
                hidden: r.int("hidden")?,
            });
    }
    for r in host::rows(INDEXES_SQL, &[])? {
        catalog
            .index_keys
            .entry(r.text("table_name")?)
            .or_default()
            .push(index_key(&r)?);
    }
    for r in host::rows(FOREIGN_KEYS_SQL, &[])? {
        catalog
            .foreign_keys
            .entry(r.text("table_name")?)
            .or_default()
            .push(RawForeignKey {
                id: r.int("id")?,
                parent: r.text("parent")?,
                from: r.text("from_column")?,
                to: r.opt_text("to_column")?,
                on_update: r.text("on_update")?,
                on_delete: r.text("on_delete")?,
            });
    }
    Ok(catalog)
}

fn index_key(r: &Row) -> Result<RawIndexKey, PluginError> {
    Ok(RawIndexKey {
        index: r.text("index_name")?,
        unique: r.bool("is_unique")?,
        origin: r.text("origin")?,
        cid: r.int("cid")?,
        column: r.opt_text("column_name")?,
        descending: r.bool("descending")?,
    })
}

/// Builds the model from the catalog; also returns warnings for the operator.
pub fn build(catalog: &Catalog) -> (DatabaseSchema, Vec<String>) {
    let mut warnings = Vec::new();
    let index_sql: BTreeMap<&str, &str> = catalog
        .objects
        .iter()
        .filter(|o| o.kind == "index")
        .map(|o| (o.name.as_str(), o.sql.as_str()))
        .collect();
    let mut tables = Vec::new();
    let mut objects = Vec::new();
    let mut triggers = Vec::new();
    for o in &catalog.objects {
        match (o.kind.as_str(), o.table_kind.as_str()) {
            ("table", "virtual") => objects.push(EngineObject {
                kind: "virtual table".into(),
                name: QualifiedName {
                    namespace: None,
                    name: o.name.clone(),
                },
                table: None,
                definition: o.sql.clone(),
            }),
            ("table", _) => tables.push(tables::build_table(o, catalog, &index_sql, &mut warnings)),
            ("trigger", _) => triggers.push(EngineObject {
                kind: "trigger".into(),
                name: QualifiedName {
                    namespace: None,
                    name: o.name.clone(),
                },
                table: Some(QualifiedName {
                    namespace: None,
                    name: o.table.clone(),
                }),
                definition: o.sql.clone(),
            }),
            _ => {}
        }
    }
    tables.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    tables::resolve_references(&mut tables);
    triggers.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    objects.extend(triggers);
    let views = views::build_views(&catalog.objects, &mut warnings);
    (
        DatabaseSchema {
            namespaces: Vec::new(),
            extensions: Vec::new(),
            enums: Vec::new(),
            sequences: Vec::new(),
            tables,
            views,
            objects,
        },
        warnings,
    )
}
