//! What the target engine accepts, checked on every plan before it leaves the planner: the size of
//! the request, each name a change creates ([`names::validate`]: length, characters) and the number
//! of columns each table ends up with. Whatever the intent, a plan the engine would refuse is
//! refused here, before any SQL is rendered or run.

use std::collections::HashMap;

use super::names::{self, engine_name, max_columns};
use super::plan::Refusal;
use crate::changes::simulate::display;
use crate::connection::Engine;
use crate::model::{Change, DatabaseSchema};

/// The longest request the planner reads. A request naming every column an engine allows, each
/// with a type and constraints, fits many times over; beyond this it is not a request to read.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// Refuses a request too long to be one.
pub fn request(request: &str) -> Result<(), Refusal> {
    if request.len() > MAX_REQUEST_BYTES {
        return Err(Refusal::unsupported(format!(
            "the request is {} bytes long; ai-shell reads requests of up to {} KiB. Split it into several requests, or write the migration by hand with `ai-shell migrate new NAME`",
            request.len(),
            MAX_REQUEST_BYTES / 1024
        )));
    }
    Ok(())
}

/// Refuses a request that names more columns for one table than the engine allows, before any of
/// them is inferred.
pub fn columns_named(engine: Engine, count: usize) -> Result<(), Refusal> {
    if count > max_columns(engine) {
        return Err(too_many(
            engine,
            format!("the request names {count} columns"),
        ));
    }
    Ok(())
}

fn too_many(engine: Engine, what: String) -> Refusal {
    Refusal::unsupported(format!(
        "{what}; {} allows at most {} columns in one table. Put some of them in a second table that references the first",
        engine_name(engine),
        max_columns(engine)
    ))
}

/// Refuses changes that create a name the engine would reject or a table wider than it allows.
pub fn check(changes: &[Change], schema: &DatabaseSchema, engine: Engine) -> Result<(), Refusal> {
    for change in changes {
        for name in crate::changes::validate::new_names(change) {
            names::validate(engine, name)?;
        }
    }
    // Columns per table as the changes leave them; only the tables they touch are counted.
    let before: HashMap<String, usize> = schema
        .tables
        .iter()
        .map(|t| (display(&t.name), t.columns.len()))
        .collect();
    let mut after: HashMap<String, usize> = HashMap::new();
    let count = |table: String, delta: isize, after: &mut HashMap<String, usize>| {
        let n = after
            .entry(table)
            .or_insert_with_key(|t| before.get(t).copied().unwrap_or(0));
        *n = n.saturating_add_signed(delta);
    };
    for change in changes {
        match change {
            Change::CreateTable(t) => {
                after.insert(display(&t.name), t.columns.len());
            }
            Change::AddColumn(a) => count(display(&a.table), 1, &mut after),
            Change::DropColumn(c) => count(display(&c.table), -1, &mut after),
            Change::DropTable(t) => {
                after.insert(display(t), 0);
            }
            Change::RenameTable(r) => {
                let old = display(&r.table);
                let n = after
                    .remove(&old)
                    .or_else(|| before.get(&old).copied())
                    .unwrap_or(0);
                after.insert(old, 0);
                let new = crate::model::QualifiedName {
                    namespace: r.table.namespace.clone(),
                    name: r.new_name.clone(),
                };
                after.insert(display(&new), n);
            }
            _ => {}
        }
    }
    let mut widest: Vec<(&String, &usize)> = after
        .iter()
        .filter(|(_, n)| **n > max_columns(engine))
        .collect();
    widest.sort();
    if let Some((table, n)) = widest.first() {
        return Err(too_many(
            engine,
            format!("table `{}` would have {n} columns", names::shown(table)),
        ));
    }
    Ok(())
}
