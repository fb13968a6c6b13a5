//! Changes that destroy data or break running code: drops, truncations, narrowing type changes and
//! renames. Drops and truncations are reported for statements the host marks destructive (a
//! rebuild's drop of a table whose rows it copied first is not).

use ai_shell_policy_sdk::{Change, Finding, QualifiedName, find_table, same_name};

use super::{Place, Plan, finding, thousands};
use crate::sql::{Action, Op};
use crate::types;

pub fn check(plan: &Plan, out: &mut Vec<Finding>) {
    for (i, op) in plan.each() {
        let statement = &plan.input.statements[i];
        // Only data that existed before the plan can be lost.
        let existing = |t: &QualifiedName| {
            statement.destructive
                && !plan.is_new(t, i)
                && !super::design::ours(&t.name)
                && plan
                    .input
                    .before
                    .as_ref()
                    .is_none_or(|b| find_table(b, t).is_some())
        };
        match op {
            Op::DropTable(tables) => {
                for t in tables.iter().filter(|t| existing(t)) {
                    drop_table(plan, i, t, out);
                }
            }
            Op::DropNamespace(name) if statement.destructive => out.push(
                finding(
                    "drop-namespace",
                    format!("DROP of `{name}` deletes every table, view and function in it, with their data"),
                    "Check what it contains (`ai-shell schema show`) and back it up; drop the objects that \
                     must go one by one, in their own migrations.",
                )
                .at(plan, i),
            ),
            Op::Truncate(tables) => {
                for t in tables.iter().filter(|t| existing(t)) {
                    out.push(truncate(plan, i, t, "TRUNCATE"));
                }
            }
            Op::Delete {
                table,
                filtered: false,
            } if existing(table) => {
                out.push(truncate(plan, i, table, "DELETE without WHERE"));
            }
            Op::Alter {
                table,
                action: Action::DropColumn(column),
            } if existing(table) && !added_earlier(plan, i, table, column) => {
                out.push(drop_column(plan, i, table, column))
            }
            Op::Alter {
                table,
                action: Action::RenameColumn { from, to },
            } if !plan.is_new(table, i) => out.push(rename_column(plan, i, table, from, to)),
            Op::Alter {
                table,
                action: Action::Change { old, def },
            } if !plan.is_new(table, i) && !old.eq_ignore_ascii_case(&def.name) => {
                out.push(rename_column(plan, i, table, old, &def.name))
            }
            Op::RenameTable { from, to } if !plan.is_new(from, i) => out.push(
                finding(
                    "rename-table",
                    format!(
                        "Renaming table {} to {} breaks running code that still uses the old name",
                        plan.label(from),
                        to.name
                    ),
                    format!(
                        "Expand/contract: create `{}` (or a view named after one of the two), copy the rows \
                         and keep both in step, switch readers and writers to the new name, and drop the \
                         old one in a later release.",
                        to.name
                    ),
                )
                .at(plan, i)
                .on(plan.resolve(from)),
            ),
            _ => {}
        }
    }
    lossy(plan, out);
}

/// Whether the plan added `table.column` before statement `stmt`.
fn added_earlier(plan: &Plan, stmt: usize, table: &QualifiedName, column: &str) -> bool {
    plan.each().any(|(i, op)| {
        i < stmt
            && matches!(op, Op::Alter { table: t, action: Action::AddColumn(c) }
                if same_name(t, table) && c.name.eq_ignore_ascii_case(column))
    })
}

fn drop_table(plan: &Plan, i: usize, table: &QualifiedName, out: &mut Vec<Finding>) {
    if let Some(rebuild) = plan.rebuild_dropping(i, table) {
        // The end of a rebuild: what is lost is the columns the new table does not have (a narrowed
        // type is `lossy-type-change`'s).
        // With no schema read, the change being implemented says which column goes.
        let change = plan
            .input
            .statements
            .get(i)
            .and_then(|s| plan.input.changes.get(s.change_index as usize));
        let lost: Vec<&str> = match (plan.before_table(table), change) {
            (Some(t), _) => t
                .columns
                .iter()
                .filter(|c| {
                    !rebuild
                        .columns
                        .iter()
                        .any(|n| n.name.eq_ignore_ascii_case(&c.name))
                })
                .map(|c| c.name.as_str())
                .collect(),
            (None, Some(Change::DropColumn(c))) if same_name(&c.table, table) => {
                vec![c.column.as_str()]
            }
            _ => Vec::new(),
        };
        for column in lost {
            out.push(drop_column(plan, i, table, column));
        }
        return;
    }
    let rows = match plan.rows(table) {
        Some(0) => "(it is empty)".to_string(),
        Some(n) => format!("and its {} rows", thousands(n)),
        None => "and all its rows".to_string(),
    };
    out.push(
        finding(
            "drop-table",
            format!("DROP TABLE {} deletes the table {rows}", plan.label(table)),
            "Back the table up first and make sure no code reads it any more; safer: rename it \
             (`orders_deprecated`) in one release and drop it in a later one.",
        )
        .at(plan, i)
        .on(plan.resolve(table)),
    );
}

fn truncate(plan: &Plan, i: usize, table: &QualifiedName, what: &str) -> Finding {
    finding(
        "truncate-table",
        format!("{what} deletes every row of {}", plan.sized(table)),
        "Back the rows up first; if only some rows should go, add a WHERE clause (and delete in \
         batches on a big table).",
    )
    .at(plan, i)
    .on(plan.resolve(table))
}

fn drop_column(plan: &Plan, i: usize, table: &QualifiedName, column: &str) -> Finding {
    finding(
        "drop-column",
        format!(
            "Dropping column {}.{column} deletes its values; code that still reads or writes it fails",
            plan.label(table)
        ),
        format!(
            "Stop reading and writing `{column}` in the application and deploy that first; back the \
             values up, then drop the column in a later migration."
        ),
    )
    .at(plan, i)
    .on(plan.resolve(table))
}

fn rename_column(plan: &Plan, i: usize, table: &QualifiedName, from: &str, to: &str) -> Finding {
    finding(
        "rename-column",
        format!(
            "Renaming column {}.{from} to {to} breaks running code that still uses `{from}`",
            plan.label(table)
        ),
        format!(
            "Expand/contract: add `{to}`, copy the values and keep both columns in step (trigger or \
             dual writes), switch readers to `{to}`, and drop `{from}` in a later release."
        ),
    )
    .at(plan, i)
    .on(plan.resolve(table))
}

/// Type changes that narrow, from the statements (old type from `before`), then from comparing the
/// tables of `before` and `after` (which catches SQLite rebuilds and expand/contract plans).
fn lossy(plan: &Plan, out: &mut Vec<Finding>) {
    let mut seen: Vec<(QualifiedName, String)> = Vec::new();
    for (i, op) in plan.each() {
        let Op::Alter { table, action } = op else {
            continue;
        };
        let (column, spelling) = match action {
            Action::AlterType { column, type_text } => (column, type_text),
            Action::Modify(def) => (&def.name, &def.type_text),
            Action::Change { old, def } => (old, &def.type_text),
            _ => continue,
        };
        if plan.is_new(table, i) {
            continue;
        }
        let Some(old) = plan.before_column(table, column) else {
            continue;
        };
        let new = types::parse(spelling);
        if types::lossy(&types::from_model(&old.data_type), &new) == Some(true) {
            seen.push((table.clone(), column.to_lowercase()));
            out.push(lossy_finding(
                plan,
                Some(i),
                table,
                column,
                &types::describe(&old.data_type),
                spelling,
            ));
        }
    }
    let (Some(before), Some(after)) = (&plan.input.before, &plan.input.after) else {
        return;
    };
    for t in &after.tables {
        let Some(old_table) = find_table(before, &t.name) else {
            continue;
        };
        // A table dropped and created anew is not a type change (a rebuild creates another name).
        let recreated = plan
            .each()
            .any(|(_, op)| matches!(op, Op::CreateTable(c) if same_name(&c.table, &t.name)));
        if recreated {
            continue;
        }
        for c in &t.columns {
            let Some(old) = old_table
                .columns
                .iter()
                .find(|o| o.name.eq_ignore_ascii_case(&c.name))
            else {
                continue;
            };
            let reported = seen
                .iter()
                .any(|(n, col)| same_name(n, &t.name) && col.eq_ignore_ascii_case(&c.name));
            let narrows = types::lossy(
                &types::from_model(&old.data_type),
                &types::from_model(&c.data_type),
            ) == Some(true);
            if narrows && !reported {
                let stmt = statement_about(plan, &t.name);
                let mut f = lossy_finding(
                    plan,
                    stmt,
                    &t.name,
                    &c.name,
                    &types::describe(&old.data_type),
                    &types::describe(&c.data_type),
                );
                if let Some(ci) = change_about(plan, &t.name, &c.name) {
                    f.change_index = Some(ci);
                }
                out.push(f);
            }
        }
    }
}

fn lossy_finding(
    plan: &Plan,
    stmt: Option<usize>,
    table: &QualifiedName,
    column: &str,
    old: &str,
    new: &str,
) -> Finding {
    let f = finding(
        "lossy-type-change",
        format!(
            "Changing {}.{column} from {old} to {new} narrows it: existing values can be truncated, \
             rounded or rejected",
            plan.label(table)
        ),
        "Check the current values first (longest, largest, most decimals) and back the column up; \
             widen instead, or convert with an explicit expression into a new column and switch to it.",
    )
    .on(plan.resolve(table));
    match stmt {
        Some(i) => f.at(plan, i),
        None => f,
    }
}

/// The first statement that works on `table` (alters it, copies it, or renames a rebuild onto it).
fn statement_about(plan: &Plan, table: &QualifiedName) -> Option<usize> {
    plan.each().find_map(|(i, op)| {
        let hit = match op {
            Op::Alter { table: t, .. } => same_name(t, table),
            Op::InsertSelect { source, .. } => same_name(source, table),
            Op::RenameTable { to, .. } => same_name(to, table),
            _ => false,
        };
        hit.then_some(i)
    })
}

/// The change that sets the type of `table.column`.
fn change_about(plan: &Plan, table: &QualifiedName, column: &str) -> Option<u32> {
    plan.input
        .changes
        .iter()
        .position(|c| {
            matches!(c, Change::AlterColumnType(a)
                if same_name(&a.table, table) && a.column.eq_ignore_ascii_case(column))
        })
        .map(|p| p as u32)
}
