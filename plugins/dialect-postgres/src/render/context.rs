//! What rendering one change may need to know about the schema it applies to: `current` with
//! the earlier changes of the same list applied (as far as names and types go).

use ai_shell_plugin_sdk::{Change, ColumnType, DatabaseSchema, IdentityKind, QualifiedName};

use crate::model::same_name;
use crate::names;

pub struct Context<'a> {
    pub index: usize,
    pub changes: &'a [Change],
    pub current: &'a DatabaseSchema,
}

impl Context<'_> {
    fn earlier(&self) -> impl Iterator<Item = &Change> {
        self.changes[..self.index].iter().rev()
    }

    /// The primary key's name: from an earlier change, else the current schema (followed back through
    /// earlier renames of the table: a renamed table keeps its constraint's name), else the name the
    /// server gives (`table_pkey`).
    pub fn primary_key_name(&self, table: &QualifiedName) -> String {
        let mut name = table.clone();
        let mut from_changes = None;
        for c in self.earlier() {
            match c {
                Change::CreateTable(t) if same_name(&t.name, &name) => {
                    from_changes = Some(t.primary_key.as_ref().and_then(|p| p.name.clone()));
                    break;
                }
                Change::AddPrimaryKey(a) if same_name(&a.table, &name) => {
                    from_changes = Some(a.primary_key.name.clone());
                    break;
                }
                Change::RenameTable(r)
                    if r.table.namespace == name.namespace && r.new_name == name.name =>
                {
                    name = r.table.clone();
                }
                _ => {}
            }
        }
        let from_current = || {
            self.current
                .tables
                .iter()
                .find(|t| same_name(&t.name, &name))
                .and_then(|t| t.primary_key.as_ref())
                .and_then(|p| p.name.clone())
        };
        from_changes
            .flatten()
            .or_else(from_current)
            .unwrap_or_else(|| names::make_object_name(&name.name, None, "pkey"))
    }

    /// Whether `name` is a view (Some(materialized)) rather than a table.
    pub fn view_kind(&self, name: &QualifiedName) -> Option<bool> {
        self.earlier()
            .find_map(|c| match c {
                Change::CreateView(v) if same_name(&v.name, name) => Some(Some(v.materialized)),
                Change::CreateTable(t) if same_name(&t.name, name) => Some(None),
                _ => None,
            })
            .unwrap_or_else(|| {
                self.current
                    .views
                    .iter()
                    .find(|v| same_name(&v.name, name))
                    .map(|v| v.materialized)
            })
    }

    /// A column's type before this change, when known: followed back through earlier renames
    /// of the table and the column.
    pub fn column_type(&self, table: &QualifiedName, column: &str) -> Option<ColumnType> {
        let mut table = table.clone();
        let mut column = column.to_string();
        for change in self.earlier() {
            match change {
                Change::AlterColumnType(a) if same_name(&a.table, &table) && a.column == column => {
                    return Some(a.new_type.clone());
                }
                Change::AddColumn(a) if same_name(&a.table, &table) && a.column.name == column => {
                    return Some(a.column.data_type.clone());
                }
                Change::CreateTable(t) if same_name(&t.name, &table) => {
                    return t
                        .columns
                        .iter()
                        .find(|c| c.name == column)
                        .map(|c| c.data_type.clone());
                }
                Change::RenameColumn(r) if same_name(&r.table, &table) && r.new_name == column => {
                    column = r.column.clone();
                }
                Change::RenameTable(r)
                    if r.table.namespace == table.namespace && r.new_name == table.name =>
                {
                    table = r.table.clone();
                }
                _ => {}
            }
        }
        self.current
            .tables
            .iter()
            .find(|t| same_name(&t.name, &table))?
            .columns
            .iter()
            .find(|c| c.name == column)
            .map(|c| c.data_type.clone())
    }

    /// An enum type's labels before this change: from the latest change that created or altered it, else
    /// the current schema.
    pub fn enum_labels(&self, name: &QualifiedName) -> Option<Vec<String>> {
        self.earlier()
            .find_map(|c| match c {
                Change::CreateEnumType(e) | Change::AlterEnumType(e)
                    if same_name(&e.name, name) =>
                {
                    Some(e.labels.clone())
                }
                _ => None,
            })
            .or_else(|| {
                let e = self
                    .current
                    .enums
                    .iter()
                    .find(|e| same_name(&e.name, name))?;
                Some(e.labels.clone())
            })
    }

    /// The (table, column, default) of the columns of the current schema whose type is enum `name`.
    pub fn enum_columns(
        &self,
        name: &QualifiedName,
    ) -> Vec<(QualifiedName, String, Option<String>)> {
        self.current
            .tables
            .iter()
            .flat_map(|t| t.columns.iter().map(move |c| (t, c)))
            .filter(|(_, c)| matches!(&c.data_type, ColumnType::EnumRef(r) if same_name(r, name)))
            .map(|(t, c)| (t.name.clone(), c.name.clone(), c.default.clone()))
            .collect()
    }

    /// A table's options before this change: from the latest change that created the table or set them,
    /// else the current schema.
    pub fn table_options(&self, table: &QualifiedName) -> Vec<String> {
        self.earlier()
            .find_map(|c| match c {
                Change::SetTableOptions(s) if same_name(&s.table, table) => Some(s.options.clone()),
                Change::CreateTable(t) if same_name(&t.name, table) => Some(t.options.clone()),
                _ => None,
            })
            .or_else(|| {
                let t = self
                    .current
                    .tables
                    .iter()
                    .find(|t| same_name(&t.name, table))?;
                Some(t.options.clone())
            })
            .unwrap_or_default()
    }

    /// A column's identity (serial or `GENERATED ... AS IDENTITY`), when it has one: from the latest change
    /// that created the table, added the column or set its identity, else the current schema.
    pub fn identity(&self, table: &QualifiedName, column: &str) -> Option<IdentityKind> {
        let from_changes = self.earlier().find_map(|c| match c {
            Change::CreateTable(t) if same_name(&t.name, table) => Some(
                t.columns
                    .iter()
                    .find(|c| c.name == column)
                    .and_then(|c| c.identity),
            ),
            Change::AddColumn(a) if same_name(&a.table, table) && a.column.name == column => {
                Some(a.column.identity)
            }
            Change::SetIdentity(s) if same_name(&s.table, table) && s.column == column => {
                Some(s.identity)
            }
            _ => None,
        });
        from_changes.unwrap_or_else(|| {
            self.current
                .tables
                .iter()
                .find(|t| same_name(&t.name, table))?
                .columns
                .iter()
                .find(|c| c.name == column)?
                .identity
        })
    }
}
