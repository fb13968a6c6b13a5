//! The schema as the changes so far leave it: `MODIFY COLUMN` needs a column's whole definition,
//! which may come from `current` or from an earlier change in the same list.

use ai_shell_plugin_sdk::{Change, Column, DatabaseSchema, PluginError, QualifiedName, Table};

#[derive(Clone)]
pub struct State {
    tables: Vec<Table>,
}

fn same(a: &QualifiedName, b: &QualifiedName) -> bool {
    a.name == b.name && a.namespace == b.namespace
}

impl State {
    pub fn new(current: DatabaseSchema) -> State {
        State {
            tables: current.tables,
        }
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.tables.iter().find(|t| same(&t.name, name))
    }

    fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| same(&t.name, name))
    }

    /// The column as it stands, or an error naming what is missing.
    pub fn column(&self, table: &QualifiedName, column: &str) -> Result<&Column, PluginError> {
        self.table(table)
            .and_then(|t| t.columns.iter().find(|c| c.name == column))
            .ok_or_else(|| {
                PluginError::InvalidInput(format!(
                    "column `{column}` of table `{}` is not in the current schema, so its definition is unknown",
                    table.name
                ))
            })
    }

    fn column_mut(&mut self, table: &QualifiedName, column: &str) -> Option<&mut Column> {
        self.table_mut(table)
            .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
    }

    /// Applies a change to the tables' columns; what rendering never reads is left alone.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::CreateTable(t) => {
                self.tables.retain(|x| !same(&x.name, &t.name));
                self.tables.push(t.clone());
            }
            Change::DropTable(name) => self.tables.retain(|x| !same(&x.name, name)),
            Change::RenameTable(r) => {
                if let Some(t) = self.table_mut(&r.table) {
                    t.name.name = r.new_name.clone();
                }
            }
            Change::AddColumn(a) => {
                if let Some(t) = self.table_mut(&a.table) {
                    t.columns.push(a.column.clone());
                }
            }
            Change::DropColumn(c) => {
                if let Some(t) = self.table_mut(&c.table) {
                    t.columns.retain(|x| x.name != c.column);
                }
            }
            Change::RenameColumn(r) => {
                if let Some(c) = self.column_mut(&r.table, &r.column) {
                    c.name = r.new_name.clone();
                }
            }
            Change::AlterColumnType(a) => {
                if let Some(c) = self.column_mut(&a.table, &a.column) {
                    c.data_type = a.new_type.clone();
                }
            }
            Change::SetNotNull(r) | Change::DropNotNull(r) => {
                let nullable = matches!(change, Change::DropNotNull(_));
                if let Some(c) = self.column_mut(&r.table, &r.column) {
                    c.nullable = nullable;
                }
            }
            Change::SetDefault(d) => {
                if let Some(c) = self.column_mut(&d.table, &d.column) {
                    c.default = Some(d.default.clone());
                }
            }
            Change::DropDefault(r) => {
                if let Some(c) = self.column_mut(&r.table, &r.column) {
                    c.default = None;
                }
            }
            Change::AddCheck(a) => {
                if let Some(t) = self.table_mut(&a.table) {
                    t.checks.push(a.check.clone());
                }
            }
            Change::DropCheck(o) => {
                if let Some(t) = self.table_mut(&o.table) {
                    t.checks.retain(|k| k.name != o.name);
                }
            }
            Change::SetCollation(s) => {
                if let Some(c) = self.column_mut(&s.table, &s.column) {
                    c.collation = s.collation.clone();
                }
            }
            Change::SetComment(s) => match &s.column {
                Some(column) => {
                    if let Some(c) = self.column_mut(&s.table, column) {
                        c.comment = s.comment.clone();
                    }
                }
                None => {
                    if let Some(t) = self.table_mut(&s.table) {
                        t.comment = s.comment.clone();
                    }
                }
            },
            _ => {}
        }
    }
}
