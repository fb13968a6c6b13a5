//! Checks a proposed list of changes against the live schema before anything is rendered: every name
//! is usable on the engine, and every change applies to the schema the previous ones leave.

use super::{identifiers, simulate};
use crate::connection::Engine;
use crate::model::{Change, DatabaseSchema};

/// Every problem found, in words a planner (or an LLM) can act on; the schema after the changes when none.
pub fn validate(
    changes: &[Change],
    schema: &DatabaseSchema,
    engine: Engine,
) -> Result<DatabaseSchema, Vec<String>> {
    let mut problems = Vec::new();
    if changes.is_empty() {
        problems.push("the plan has no changes".to_string());
    }
    for (i, change) in changes.iter().enumerate() {
        for name in new_names(change) {
            if let Err(e) = identifiers::check(name, engine) {
                problems.push(format!("change {}: {e}", i + 1));
            }
        }
    }
    let mut after = schema.clone();
    for (i, change) in changes.iter().enumerate() {
        if let Err(e) = simulate::apply(&mut after, change) {
            problems.push(format!("change {}: {e}", i + 1));
            break;
        }
    }
    if problems.is_empty() {
        Ok(after)
    } else {
        Err(problems)
    }
}

/// The names a change introduces.
pub(crate) fn new_names(change: &Change) -> Vec<&str> {
    match change {
        Change::CreateTable(t) => {
            let mut names = vec![t.name.name.as_str()];
            names.extend(t.columns.iter().map(|c| c.name.as_str()));
            names.extend(t.indexes.iter().map(|i| i.name.as_str()));
            names.extend(t.uniques.iter().map(|u| u.name.as_str()));
            names.extend(t.foreign_keys.iter().map(|f| f.name.as_str()));
            names.extend(t.checks.iter().map(|c| c.name.as_str()));
            names
        }
        Change::RenameTable(r) => vec![&r.new_name],
        Change::AddColumn(a) => vec![&a.column.name],
        Change::RenameColumn(r) => vec![&r.new_name],
        Change::AddIndex(a) => vec![&a.index.name],
        Change::AddUnique(u) => vec![&u.constraint.name],
        Change::AddForeignKey(f) => vec![&f.foreign_key.name],
        Change::AddCheck(c) => vec![&c.check.name],
        Change::CreateView(v) => vec![&v.name.name],
        _ => vec![],
    }
}
