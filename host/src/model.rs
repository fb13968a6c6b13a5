//! The typed model shared by every producer and consumer: the schema model and the change IR.
//! These are the types generated from `wit/schema.wit` and `wit/changes.wit`.

pub use crate::plugins::bindings::ai_shell::plugin::changes::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterColumnType,
    Change, ColumnPair, ColumnRef, CopyRows, DropView, FillColumn, FillNulls, RawSql, RenameColumn,
    RenameTable, SetCollation, SetComment, SetDefault, SetIdentity, SetTableOptions, TableObject,
};
pub use crate::plugins::bindings::ai_shell::plugin::schema::*;
pub use crate::plugins::bindings::ai_shell::plugin::sql::QueryResult;
pub use crate::plugins::bindings::ai_shell::plugin::types::{
    CapabilitySet, DatabaseError, LockLevel, LogLevel, PluginError, SqlValue,
};
pub use crate::plugins::bindings::exports::ai_shell::plugin::dialect_api::{PluginInfo, Statement};

impl QualifiedName {
    /// `namespace.name`, or `name` alone.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl DatabaseSchema {
    /// A schema with nothing in it.
    pub fn empty() -> DatabaseSchema {
        DatabaseSchema {
            namespaces: vec![],
            extensions: vec![],
            enums: vec![],
            sequences: vec![],
            tables: vec![],
            views: vec![],
            objects: vec![],
        }
    }
}

/// Fills in the fields the model gained since `value` (the JSON form of a schema, a change or a list of
/// them) was written, with their empty values: snapshots kept in older histories and IR written by a model
/// that left them out still read. Today: a view's `options`.
pub fn upgrade_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("definition")
                && map.contains_key("materialized")
                && !map.contains_key("options")
            {
                map.insert("options".into(), serde_json::Value::Array(vec![]));
            }
            map.values_mut().for_each(upgrade_json);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(upgrade_json),
        _ => {}
    }
}

/// The value at (`row`, `col`) of a result read as a whole number: integers, floats (truncated) and numeric
/// text alike, as engines return counts and sizes in different types. `None` for NULL, other types or no row.
pub fn number_at(r: &QueryResult, row: usize, col: usize) -> Option<i64> {
    match r.rows.get(row)?.get(col)? {
        SqlValue::Integer(n) => Some(*n),
        SqlValue::Float(f) => Some(*f as i64),
        SqlValue::Text(t) => t
            .parse::<i64>()
            .ok()
            .or_else(|| t.parse::<f64>().ok().map(|f| f as i64)),
        _ => None,
    }
}
