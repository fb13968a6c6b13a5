//! The design of new objects: primary keys, indexes behind foreign keys, key sizes, time zones and
//! money types (names are [`super::naming`]'s). The predicates here serve the whole-schema check too.

use ai_shell_policy_sdk::{Finding, IndexTarget, QualifiedName, Table, same_name};

use super::{Place, Plan, finding};
use crate::sql::{ColumnDef, ConstraintKind, CreateTable, Dialect, Op};
use crate::types::{self, Ty};

pub fn check(plan: &Plan, out: &mut Vec<Finding>) {
    for (i, t) in new_tables(plan) {
        if t.primary_key().is_none() {
            out.push(
                finding(
                    "table-without-primary-key",
                    format!("New table {} has no primary key", t.table.name),
                    NO_PRIMARY_KEY_HINT,
                )
                .at(plan, i)
                .on(t.table.clone()),
            );
        }
        if let Some([key]) = t.primary_key().as_deref()
            && let Some(col) = t.columns.iter().find(|c| c.name.eq_ignore_ascii_case(key))
            && types::parse(&col.type_text).is_small_int()
        {
            out.push(
                finding(
                    "int-primary-key",
                    int_key_message(&t.table.name, &col.name, &col.type_text),
                    INT_KEY_HINT,
                )
                .at(plan, i)
                .on(t.table.clone()),
            );
        }
    }
    for (i, table, col) in new_columns(plan) {
        let ty = types::parse(&col.type_text);
        if matches!(ty, Ty::Timestamp { tz: false })
            && col
                .type_text
                .trim()
                .to_ascii_lowercase()
                .starts_with("timestamp")
        {
            out.push(
                finding(
                    "timestamp-without-time-zone",
                    timestamp_message(&table.name, &col.name),
                    TIMESTAMP_HINT,
                )
                .at(plan, i)
                .on(plan.resolve(&table)),
            );
        }
        if matches!(ty, Ty::Float { .. }) && money_name(&col.name) {
            out.push(
                finding(
                    "float-for-money",
                    money_message(&table.name, &col.name, &col.type_text),
                    MONEY_HINT,
                )
                .at(plan, i)
                .on(plan.resolve(&table)),
            );
        }
    }
    if plan.dialect != Dialect::Mysql {
        foreign_keys(plan, out);
    }
    super::naming::check(plan, out);
}

pub const NO_PRIMARY_KEY_HINT: &str = "Add a primary key (a bigint identity, or the natural key): \
    replication, updates and deletes of single rows, and most tools need one.";
pub const INT_KEY_HINT: &str = "Use bigint (BIGINT GENERATED ... AS IDENTITY, bigserial, or BIGINT \
    AUTO_INCREMENT): it costs 4 bytes a row and never runs out.";
pub const TIMESTAMP_HINT: &str = "Use timestamptz (timestamp with time zone): PostgreSQL stores it in \
    UTC and converts on the way in and out.";
pub const MONEY_HINT: &str =
    "Use numeric(p, 2) / DECIMAL(p, 2), or an integer number of cents (`price_cents bigint`).";
pub const FK_INDEX_HINT: &str = "Create an index whose first columns are the foreign key's columns \
    (CONCURRENTLY on PostgreSQL when the table exists).";

pub fn int_key_message(table: &str, column: &str, ty: &str) -> String {
    format!(
        "{table}.{column} is a {ty} primary key: a 32-bit key stops at 2,147,483,647 (less for smaller \
         types), and widening it later rewrites the table and every foreign key to it"
    )
}

pub fn timestamp_message(table: &str, column: &str) -> String {
    format!(
        "{table}.{column} is a timestamp without time zone: its values carry no offset, so times \
         written from different time zones cannot be told apart"
    )
}

pub fn money_message(table: &str, column: &str, ty: &str) -> String {
    format!(
        "{table}.{column} holds money but is {ty}: binary floats cannot hold most decimal fractions \
         exactly (0.1 + 0.2 is not 0.3), so sums drift"
    )
}

/// Whether a column name means a money amount (`price`, `total_amount`, `shipping_cost`...); names
/// ending in `_cents` are integer counts of cents.
pub fn money_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "price", "amount", "cost", "total", "subtotal", "balance", "fee", "salary",
    ];
    let name = name.to_ascii_lowercase();
    !name.ends_with("_cents") && name.split('_').any(|w| WORDS.contains(&w))
}

/// The tables the plan creates for good, whose whole design is new: not temporary, not derived
/// (`AS SELECT`), not a rebuild of an existing table, not ai-shell's own bookkeeping.
fn new_tables<'p>(plan: &'p Plan) -> impl Iterator<Item = (usize, &'p CreateTable)> {
    plan.each().filter_map(|(i, op)| match op {
        Op::CreateTable(t)
            if !t.temporary
                && !t.derived
                && !ours(&t.table.name)
                && plan.rebuild_of(i, &t.table).is_none() =>
        {
            Some((i, t))
        }
        _ => None,
    })
}

/// The columns the plan adds: those of new tables, those a rebuild adds, and `ADD COLUMN`s.
fn new_columns<'p>(plan: &'p Plan) -> Vec<(usize, QualifiedName, &'p ColumnDef)> {
    let mut out = Vec::new();
    for (i, op) in plan.each() {
        match op {
            Op::CreateTable(t) if !t.temporary && !t.derived => {
                let target = plan.final_name(i, &t.table);
                let rebuilt = plan.rebuild_of(i, &t.table).is_some();
                if ours(&target.name) {
                    continue;
                }
                for c in &t.columns {
                    if !rebuilt || plan.before_column(&target, &c.name).is_none() {
                        out.push((i, target.clone(), c));
                    }
                }
            }
            Op::Alter {
                table,
                action: crate::sql::Action::AddColumn(c),
            } => out.push((i, table.clone(), c)),
            _ => {}
        }
    }
    out
}

/// ai-shell's own tables (`ai_shell_new_...` of a rebuild, `ai_shell_fill_...` bookkeeping).
pub fn ours(name: &str) -> bool {
    name.to_ascii_lowercase().starts_with("ai_shell_")
}

/// A foreign key the plan adds.
struct NewForeignKey {
    stmt: usize,
    table: QualifiedName,
    name: Option<String>,
    columns: Vec<String>,
    referenced: String,
}

/// `foreign-key-without-index` for the foreign keys the plan adds.
fn foreign_keys(plan: &Plan, out: &mut Vec<Finding>) {
    use crate::sql::Action;
    let mut new: Vec<NewForeignKey> = Vec::new();
    for (stmt, op) in plan.each() {
        let mut add = |table: &QualifiedName,
                       name: &Option<String>,
                       columns: &[String],
                       to: &QualifiedName| {
            new.push(NewForeignKey {
                stmt,
                table: table.clone(),
                name: name.clone(),
                columns: columns.to_vec(),
                referenced: to.name.clone(),
            })
        };
        match op {
            Op::CreateTable(t) if !t.temporary && !t.derived => {
                let target = plan.final_name(stmt, &t.table);
                let old = plan
                    .rebuild_of(stmt, &t.table)
                    .and_then(|_| plan.before_table(&target));
                let existed = |cols: &[String]| {
                    old.is_some_and(|o| o.foreign_keys.iter().any(|f| same_set(&f.columns, cols)))
                };
                for c in &t.columns {
                    if let Some((to, _)) = &c.references {
                        let cols = [c.name.clone()];
                        if !existed(&cols) {
                            add(&target, &None, &cols, to);
                        }
                    }
                }
                for k in &t.constraints {
                    if let ConstraintKind::ForeignKey {
                        columns, table: to, ..
                    } = &k.kind
                        && !existed(columns)
                    {
                        add(&target, &k.name, columns, to);
                    }
                }
            }
            Op::Alter {
                table,
                action: Action::AddConstraint(k),
            } => {
                if let ConstraintKind::ForeignKey {
                    columns, table: to, ..
                } = &k.kind
                {
                    add(table, &k.name, columns, to);
                }
            }
            Op::Alter {
                table,
                action: Action::AddColumn(c),
            } => {
                if let Some((to, _)) = &c.references {
                    add(table, &None, std::slice::from_ref(&c.name), to);
                }
            }
            _ => {}
        }
    }
    for f in new {
        if f.columns.is_empty()
            || plan_keys(plan, &f.table)
                .iter()
                .any(|k| leads(k, &f.columns))
        {
            continue;
        }
        let name = f.name.map(|n| format!("{n} ")).unwrap_or_default();
        out.push(
            finding(
                "foreign-key-without-index",
                fk_message(&plan.label(&f.table), &name, &f.columns, &f.referenced),
                FK_INDEX_HINT,
            )
            .at(plan, f.stmt)
            .on(plan.resolve(&f.table)),
        );
    }
}

pub fn fk_message(table: &str, name: &str, columns: &[String], referenced: &str) -> String {
    format!(
        "Foreign key {name}on {table} ({}) has no index leading with its columns: every delete or key \
         update in {referenced} scans {table}, and joins on it are slow",
        columns.join(", ")
    )
}

/// The key lists of every index, unique and primary key `table` has before, gets in the plan, or has
/// after it.
fn plan_keys(plan: &Plan, table: &QualifiedName) -> Vec<Vec<String>> {
    use crate::sql::Action;
    let mut out = Vec::new();
    if !plan.is_new(table, usize::MAX)
        && let Some(t) = plan.before_table(table)
    {
        out.extend(table_keys(t));
    }
    if let Some(t) = plan.after_table(table) {
        out.extend(table_keys(t));
    }
    let constraint_keys = |k: &ConstraintKind| match k {
        ConstraintKind::PrimaryKey { columns, .. }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::Index { keys: columns } => Some(columns.clone()),
        _ => None,
    };
    for (i, op) in plan.each() {
        match op {
            Op::CreateIndex(c) if same_name(&plan.final_name(i, &c.table), table) => {
                out.push(c.keys.clone())
            }
            Op::CreateTable(t) if same_name(&plan.final_name(i, &t.table), table) => {
                out.extend(t.primary_key());
                out.extend(
                    t.constraints
                        .iter()
                        .filter_map(|k| constraint_keys(&k.kind)),
                );
                out.extend(
                    t.columns
                        .iter()
                        .filter(|c| c.unique)
                        .map(|c| vec![c.name.clone()]),
                );
            }
            Op::Alter {
                table: t,
                action: Action::AddConstraint(k),
            } if same_name(t, table) => out.extend(constraint_keys(&k.kind)),
            _ => {}
        }
    }
    out
}

/// The key lists of a table's indexes, uniques and primary key (expressions as `(expression)`).
pub fn table_keys(t: &Table) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    out.extend(t.primary_key.as_ref().map(|p| p.columns.clone()));
    out.extend(t.uniques.iter().map(|u| u.columns.clone()));
    out.extend(t.indexes.iter().map(|x| {
        x.keys
            .iter()
            .map(|k| match &k.target {
                IndexTarget::Column(c) => c.clone(),
                IndexTarget::Expression(e) => format!("({e})"),
            })
            .collect()
    }));
    out
}

/// Whether `columns` are the leading keys of `keys` (in any order).
pub fn leads(keys: &[String], columns: &[String]) -> bool {
    keys.len() >= columns.len() && same_set(&keys[..columns.len()], columns)
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|x| b.iter().any(|y| x.eq_ignore_ascii_case(y)))
        && b.iter()
            .all(|y| a.iter().any(|x| x.eq_ignore_ascii_case(y)))
}
