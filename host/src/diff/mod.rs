//! The schema diff: the changes (IR, never SQL) that turn one schema model into another, ordered by
//! dependency, with the down section, rename candidates a caller can ask about, the destructive changes,
//! and the differences the IR cannot express.
//!
//! Explicit rename answers become renames; everything else is matched by name. The down section is the
//! same engine run from `to` back to `from` with the renames reversed: it is exact, where
//! `changes::inverse` is not (it cannot undo extensions or engine objects, and brings a dropped NOT NULL
//! column back nullable).

mod tables;
#[cfg(test)]
mod tests;
mod text;

use std::str::FromStr;

use crate::changes::simulate::{self, same};
use crate::model::{Change, DatabaseSchema, QualifiedName, RenameColumn, RenameTable};

/// A rename the caller confirmed: without one, a table or column that disappears is dropped and the new
/// one added, which loses its data.
#[derive(Clone, Debug, PartialEq)]
pub enum Rename {
    /// `table OLD=NEW`.
    Table { from: QualifiedName, to: String },
    /// `TABLE.OLD=NEW`; the table may be given by its old or its new name.
    Column {
        table: QualifiedName,
        from: String,
        to: String,
    },
}

impl Rename {
    fn reversed(&self) -> Rename {
        match self {
            Rename::Table { from, to } => Rename::Table {
                from: QualifiedName {
                    namespace: from.namespace.clone(),
                    name: to.clone(),
                },
                to: from.name.clone(),
            },
            Rename::Column { table, from, to } => Rename::Column {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
            },
        }
    }
}

fn qualified(s: &str) -> QualifiedName {
    match s.rsplit_once('.') {
        Some((ns, name)) => QualifiedName {
            namespace: Some(ns.to_string()),
            name: name.to_string(),
        },
        None => QualifiedName {
            namespace: None,
            name: s.to_string(),
        },
    }
}

impl FromStr for Rename {
    type Err = String;

    /// `table OLD=NEW` renames a table; `TABLE.OLD=NEW` a column (`ns.table.old=new` with a namespace).
    fn from_str(s: &str) -> Result<Rename, String> {
        let bad = || format!("`{s}` is not a rename: write `table OLD=NEW` or `TABLE.OLD=NEW`");
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("table ") {
            let (old, new) = rest.split_once('=').ok_or_else(bad)?;
            let (old, new) = (old.trim(), new.trim());
            if old.is_empty() || new.is_empty() || new.contains('.') {
                return Err(bad());
            }
            return Ok(Rename::Table {
                from: qualified(old),
                to: new.to_string(),
            });
        }
        let (left, new) = s.split_once('=').ok_or_else(bad)?;
        let (table, old) = left.trim().rsplit_once('.').ok_or_else(bad)?;
        let new = new.trim();
        if table.is_empty() || old.is_empty() || new.is_empty() {
            return Err(bad());
        }
        Ok(Rename::Column {
            table: qualified(table),
            from: old.to_string(),
            to: new.to_string(),
        })
    }
}

impl std::fmt::Display for Rename {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rename::Table { from, to } => write!(f, "table {}={to}", from.display()),
            Rename::Column { table, from, to } => write!(f, "{}.{from}={to}", table.display()),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Renames the caller confirmed.
    pub renames: Vec<Rename>,
}

/// A change that can lose data, by its index in [`Diff::changes`].
#[derive(Clone, Debug, PartialEq)]
pub struct Destructive {
    pub index: usize,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    /// The up changes, in an order the engine accepts.
    pub changes: Vec<Change>,
    /// The changes that turn `to` back into `from`.
    pub down: Vec<Change>,
    /// Drop + add pairs that may be renames: ask, then diff again with the answer in [`Options::renames`].
    pub rename_candidates: Vec<Rename>,
    pub destructive: Vec<Destructive>,
    /// Differences left out because the IR has no change for them (dropping an extension or engine
    /// object, identity, collation, table options, an enum or sequence in use), one sentence each.
    pub unsupported: Vec<String>,
    /// The same for the down section.
    pub down_unsupported: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.unsupported.is_empty()
    }
}

/// The changes that turn `from` into `to`, and what a caller needs to review them.
pub fn diff(from: &DatabaseSchema, to: &DatabaseSchema, options: &Options) -> Diff {
    let up = one_way(from, to, &options.renames);
    let reversed: Vec<Rename> = options.renames.iter().map(Rename::reversed).collect();
    let down = one_way(to, from, &reversed);
    let destructive = up
        .changes
        .iter()
        .enumerate()
        .filter_map(|(index, c)| destructive_reason(c).map(|reason| Destructive { index, reason }))
        .collect();
    Diff {
        changes: up.changes,
        down: down.changes,
        rename_candidates: up.candidates,
        destructive,
        unsupported: up.unsupported,
        down_unsupported: down.unsupported,
    }
}

fn destructive_reason(change: &Change) -> Option<String> {
    Some(match change {
        Change::DropTable(t) => format!("drops table `{}` and its rows", t.display()),
        Change::DropColumn(c) => format!(
            "drops column `{}.{}` and its values",
            c.table.display(),
            c.column
        ),
        Change::DropSequence(s) => format!("drops sequence `{}` and its position", s.display()),
        Change::DropEnumType(e) => format!("drops enum type `{}`", e.display()),
        Change::DropNamespace(n) => format!("drops schema `{n}`"),
        Change::DropView(v) if v.materialized => {
            format!("drops materialized view `{}`", v.name.display())
        }
        Change::AlterColumnType(a) => format!(
            "changes the type of `{}.{}`: values that do not convert fail or are cut",
            a.table.display(),
            a.column
        ),
        _ => return None,
    })
}

/// One direction's result.
struct OneWay {
    changes: Vec<Change>,
    candidates: Vec<Rename>,
    unsupported: Vec<String>,
}

/// The changes, grouped in the order they run.
#[derive(Default)]
struct Phases {
    renames: Vec<Change>,
    drop_views: Vec<Change>,
    drop_foreign_keys: Vec<Change>,
    drop_tables: Vec<Change>,
    drop_early: Vec<Change>,
    drop_table_objects: Vec<Change>,
    drop_columns: Vec<Change>,
    create_types: Vec<Change>,
    alter_columns: Vec<Change>,
    add_table_objects: Vec<Change>,
    /// Identities added or changed: after the keys MySQL wants under an AUTO_INCREMENT column.
    add_identities: Vec<Change>,
    create_tables: Vec<Change>,
    add_foreign_keys: Vec<Change>,
    table_objects: Vec<Change>,
    create_views: Vec<Change>,
    view_objects: Vec<Change>,
    drop_late: Vec<Change>,
}

impl Phases {
    fn into_changes(self) -> Vec<Change> {
        [
            self.renames,
            self.drop_views,
            self.drop_foreign_keys,
            self.drop_tables,
            self.drop_early,
            self.drop_table_objects,
            self.drop_columns,
            self.create_types,
            self.alter_columns,
            self.add_table_objects,
            self.add_identities,
            self.create_tables,
            self.add_foreign_keys,
            self.table_objects,
            self.create_views,
            self.view_objects,
            self.drop_late,
        ]
        .concat()
    }
}

fn one_way(from: &DatabaseSchema, to: &DatabaseSchema, renames: &[Rename]) -> OneWay {
    let mut phases = Phases::default();
    let mut unsupported = vec![];
    // Renames run first, on `from`; every later change names things as they are after them.
    let mut mid = from.clone();
    for r in renames.iter().filter(|r| matches!(r, Rename::Table { .. })) {
        apply_rename(&mut mid, to, r, &mut phases.renames, &mut unsupported);
    }
    for r in renames
        .iter()
        .filter(|r| matches!(r, Rename::Column { .. }))
    {
        apply_rename(&mut mid, to, r, &mut phases.renames, &mut unsupported);
    }
    let candidates = tables::rename_candidates(&mid, to);
    tables::diff_schema_objects(&mid, to, &mut phases, &mut unsupported);
    OneWay {
        changes: phases.into_changes(),
        candidates,
        unsupported,
    }
}

fn apply_rename(
    mid: &mut DatabaseSchema,
    to: &DatabaseSchema,
    rename: &Rename,
    out: &mut Vec<Change>,
    unsupported: &mut Vec<String>,
) {
    let change = match rename {
        Rename::Table { from, to: new } => {
            let target = QualifiedName {
                namespace: from.namespace.clone(),
                name: new.clone(),
            };
            let exists_to = to.tables.iter().any(|t| same(&t.name, &target));
            if !exists_to || mid.tables.iter().any(|t| same(&t.name, &target)) {
                unsupported.push(format!(
                    "rename `{rename}` ignored: `{new}` must be a table of the new schema only"
                ));
                return;
            }
            let Some(t) = mid.tables.iter().find(|t| same(&t.name, from)) else {
                unsupported.push(format!(
                    "rename `{rename}` ignored: no table `{}`",
                    from.display()
                ));
                return;
            };
            Change::RenameTable(RenameTable {
                table: t.name.clone(),
                new_name: new.clone(),
            })
        }
        Rename::Column {
            table,
            from: old,
            to: new,
        } => {
            // The table by its name after table renames, or by the name it had before them.
            let renamed_from = out.iter().find_map(|c| match c {
                Change::RenameTable(r) if same(&r.table, table) => Some(QualifiedName {
                    namespace: r.table.namespace.clone(),
                    name: r.new_name.clone(),
                }),
                _ => None,
            });
            let name = renamed_from.unwrap_or_else(|| table.clone());
            let fits = mid
                .tables
                .iter()
                .find(|t| same(&t.name, &name))
                .is_some_and(|t| {
                    t.columns.iter().any(|c| c.name == *old)
                        && !t.columns.iter().any(|c| c.name == *new)
                })
                && to
                    .tables
                    .iter()
                    .find(|t| same(&t.name, &name))
                    .is_some_and(|t| t.columns.iter().any(|c| c.name == *new));
            if !fits {
                unsupported.push(format!(
                    "rename `{rename}` ignored: it must name a column of the old table and a new column of the new one"
                ));
                return;
            }
            let real = mid
                .tables
                .iter()
                .find(|t| same(&t.name, &name))
                .map(|t| t.name.clone());
            Change::RenameColumn(RenameColumn {
                table: real.unwrap_or(name),
                column: old.clone(),
                new_name: new.clone(),
            })
        }
    };
    match simulate::apply(mid, &change) {
        Ok(()) => out.push(change),
        Err(e) => unsupported.push(format!("rename `{rename}` ignored: {e}")),
    }
}
