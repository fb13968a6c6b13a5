//! The schema as the changes so far leave it: `MODIFY COLUMN` needs a column's whole definition,
//! which may come from `current` or from an earlier change in the same list.

use ai_shell_plugin_sdk::{
    Change, Column, DatabaseSchema, ForeignKey, Index, IndexKey, IndexMethod, IndexTarget,
    PluginError, QualifiedName, Table,
};

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

    /// The foreign keys of `table` that only the index or unique constraint `dropped` serves: MySQL refuses
    /// to drop it unless another index for each of them comes in the same statement. Each comes with the name
    /// for its new index (the key's own, unless an index has it).
    pub fn keys_left_unserved(
        &self,
        table: &QualifiedName,
        dropped: &str,
    ) -> Vec<(String, &ForeignKey)> {
        let Some(t) = self.table(table) else {
            return vec![];
        };
        let keys = key_columns(t);
        let Some((_, gone)) = keys.iter().find(|(n, _)| n == dropped) else {
            return vec![];
        };
        t.foreign_keys
            .iter()
            .filter(|fk| {
                let leads = |c: &Vec<String>| c.starts_with(&fk.columns);
                leads(gone) && !keys.iter().any(|(n, c)| n != dropped && leads(c))
            })
            .map(|fk| {
                let mut name = fk.name.clone();
                while keys.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                    name.push_str("_idx");
                }
                (name, fk)
            })
            .collect()
    }

    /// A renamed column under its new name in the keys of its table and in the keys that reference it.
    fn rename_in_keys(&mut self, table: &QualifiedName, from: &str, to: &str) {
        let rename = |columns: &mut Vec<String>| {
            for c in columns.iter_mut().filter(|c| c.as_str() == from) {
                *c = to.to_string();
            }
        };
        for t in &mut self.tables {
            if same(&t.name, table) {
                if let Some(pk) = &mut t.primary_key {
                    rename(&mut pk.columns);
                }
                for u in &mut t.uniques {
                    rename(&mut u.columns);
                }
                for k in t.indexes.iter_mut().flat_map(|i| i.keys.iter_mut()) {
                    if matches!(&k.target, IndexTarget::Column(c) if c == from) {
                        k.target = IndexTarget::Column(to.to_string());
                    }
                }
                for fk in &mut t.foreign_keys {
                    rename(&mut fk.columns);
                }
            }
            for fk in t
                .foreign_keys
                .iter_mut()
                .filter(|fk| same(&fk.referenced_table, table))
            {
                rename(&mut fk.referenced_columns);
            }
        }
    }

    /// Drops an index or unique constraint; a foreign key it alone served gets the index rendering adds.
    fn drop_key(&mut self, table: &QualifiedName, dropped: &str) {
        let added: Vec<Index> = self
            .keys_left_unserved(table, dropped)
            .into_iter()
            .map(|(name, fk)| key_index(name, &fk.columns))
            .collect();
        if let Some(t) = self.table_mut(table) {
            t.indexes.retain(|i| i.name != dropped);
            t.uniques.retain(|u| u.name != dropped);
            t.indexes.extend(added);
        }
    }

    /// Applies a change to the tables' columns and keys; what rendering never reads is left alone.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::AddIndex(a) => {
                if let Some(t) = self.table_mut(&a.table) {
                    t.indexes.push(a.index.clone());
                }
            }
            Change::AddUnique(u) => {
                if let Some(t) = self.table_mut(&u.table) {
                    t.uniques.push(u.constraint.clone());
                }
            }
            Change::DropIndex(o) | Change::DropUnique(o) => self.drop_key(&o.table, &o.name),
            Change::AddForeignKey(f) => {
                if let Some(t) = self.table_mut(&f.table) {
                    let fk = &f.foreign_key;
                    // MySQL makes an index under the key's name when none serves it.
                    if !key_columns(t)
                        .iter()
                        .any(|(_, c)| c.starts_with(&fk.columns))
                    {
                        t.indexes.push(key_index(fk.name.clone(), &fk.columns));
                    }
                    t.foreign_keys.push(fk.clone());
                }
            }
            Change::DropForeignKey(o) => {
                if let Some(t) = self.table_mut(&o.table) {
                    t.foreign_keys.retain(|k| k.name != o.name);
                }
            }
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
                self.rename_in_keys(&r.table, &r.column, &r.new_name);
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
            Change::SetTableOptions(s) => {
                if let Some(t) = self.table_mut(&s.table) {
                    t.options = s.options.clone();
                }
            }
            Change::SetIdentity(s) => {
                if let Some(c) = self.column_mut(&s.table, &s.column) {
                    c.identity = s.identity;
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

/// Every key of a table that can serve a foreign key, with its leading whole columns: the primary key
/// (named `PRIMARY`), unique constraints and B-tree indexes.
fn key_columns(t: &Table) -> Vec<(String, Vec<String>)> {
    let mut out = vec![];
    if let Some(pk) = &t.primary_key {
        out.push(("PRIMARY".to_string(), pk.columns.clone()));
    }
    out.extend(
        t.uniques
            .iter()
            .map(|u| (u.name.clone(), u.columns.clone())),
    );
    for i in &t.indexes {
        if matches!(i.method, IndexMethod::Fulltext | IndexMethod::Spatial) {
            continue;
        }
        let columns = i
            .keys
            .iter()
            .map_while(|k| match &k.target {
                IndexTarget::Column(c) if k.prefix_length.is_none() => Some(c.clone()),
                _ => None,
            })
            .collect();
        out.push((i.name.clone(), columns));
    }
    out
}

/// A plain index over `columns`, as MySQL keeps for a foreign key.
fn key_index(name: String, columns: &[String]) -> Index {
    Index {
        name,
        unique: false,
        method: IndexMethod::Btree,
        keys: columns
            .iter()
            .map(|c| IndexKey {
                target: IndexTarget::Column(c.clone()),
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
                prefix_length: None,
            })
            .collect(),
        included_columns: vec![],
        predicate: None,
        comment: None,
    }
}

#[cfg(test)]
pub fn key_index_for_test(name: &str, columns: &[&str]) -> Index {
    let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    key_index(name.into(), &columns)
}
