//! The typed model shared by every producer and consumer: the schema model and the change IR.
//! These are the types generated from `wit/schema.wit` and `wit/changes.wit`.

pub use crate::plugins::bindings::ai_shell::plugin::changes::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterColumnType,
    Change, ColumnPair, ColumnRef, CopyRows, DropView, FillColumn, RawSql, RenameColumn,
    RenameTable, SetComment, SetDefault, TableObject,
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
