//! Changes that fail, or do something unintended, because of the rows already there: NOT NULL columns
//! without a default, and the data problems the host found in the live data (one rule per kind).

use ai_shell_policy_sdk::{Change, DataProblemKind, Finding, QualifiedName, Severity};

use super::{Place, Plan, finding, thousands};
use crate::sql::{Action, Dialect, Op};
use crate::types;

pub fn check(plan: &Plan, out: &mut Vec<Finding>) {
    not_null_without_default(plan, out);
    problems(plan, out);
}

fn not_null_without_default(plan: &Plan, out: &mut Vec<Finding>) {
    const ID: &str = "add-column-not-null-no-default";
    const HINT: &str = "Add the column nullable (or with a DEFAULT that suits the existing rows), fill it, \
                        then set NOT NULL.";
    for (i, op) in plan.each() {
        let Op::Alter {
            table,
            action: Action::AddColumn(def),
        } = op
        else {
            continue;
        };
        let filled = def.default.is_some()
            || def.identity
            || def.generated
            || types::is_serial(&def.type_text);
        if !(def.not_null || def.primary_key) || filled || plan.is_new(table, i) {
            continue;
        }
        let column = format!("{}.{}", plan.label(table), def.name);
        let rows = plan.rows(table);
        let (message, severity) = match (plan.dialect, rows) {
            (Dialect::Sqlite, _) => (
                format!(
                    "Adding NOT NULL column {column} without a default fails: SQLite refuses it whatever \
                     the table holds"
                ),
                rows.is_none().then_some(Severity::Warn),
            ),
            (_, Some(0)) => continue,
            (Dialect::Mysql, Some(n)) => (
                format!(
                    "Adding NOT NULL column {column} without a default to a table of {} rows gives them \
                     the type's implicit default (0, '' or a zero date), which is rarely the value wanted",
                    thousands(n)
                ),
                None,
            ),
            (_, Some(n)) => (
                format!(
                    "Adding NOT NULL column {column} without a default fails: the table has {} rows and \
                     they would hold NULL",
                    thousands(n)
                ),
                None,
            ),
            (_, None) => (
                format!(
                    "Adding NOT NULL column {column} without a default fails if the table has rows \
                     (its size is unknown)"
                ),
                Some(Severity::Warn),
            ),
        };
        let mut f = finding(ID, message, HINT)
            .at(plan, i)
            .on(plan.resolve(table));
        if let Some(s) = severity {
            f.severity = s;
        }
        out.push(f);
    }
}

/// One finding per data problem the host found.
fn problems(plan: &Plan, out: &mut Vec<Finding>) {
    for p in &plan.input.data {
        let table = plan
            .input
            .changes
            .get(p.change_index as usize)
            .and_then(change_table);
        let on = table
            .as_ref()
            .map(|t| format!(" on {}", plan.label(t)))
            .unwrap_or_default();
        let rows = match p.rows {
            1 => "1 row".to_string(),
            n => format!("{} rows", thousands(n)),
        };
        let (id, message, hint) = match p.kind {
            DataProblemKind::Duplicates => (
                "unique-over-duplicates",
                format!("The new unique key{on} fails: {rows} share a value"),
                "Find the duplicates (GROUP BY the key's columns HAVING count(*) > 1) and merge or delete \
                 them first, then add the key.",
            ),
            DataProblemKind::Nulls => (
                "not-null-over-nulls",
                format!("NOT NULL{on} fails: {rows} hold NULL"),
                "Fill the NULLs first (UPDATE ... WHERE column IS NULL, or a fill-nulls change), then set \
                 NOT NULL.",
            ),
            DataProblemKind::Orphans => (
                "foreign-key-orphans",
                format!("The new foreign key{on} fails: {rows} have no matching row"),
                "Delete or fix the orphaned rows first, or (PostgreSQL) add the key NOT VALID so new rows \
                 are checked, and validate it once the old ones are cleaned up.",
            ),
            DataProblemKind::CheckViolations => (
                "check-violated",
                format!("The new check{on} fails: {rows} break it"),
                "Fix the rows that break it first, or (PostgreSQL) add it NOT VALID and validate it once \
                 they are fixed.",
            ),
        };
        let detail = if p.detail.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", p.detail.trim())
        };
        let mut f = finding(id, format!("{message}{detail}"), hint);
        f.change_index = Some(p.change_index);
        if let Some(stmt) = plan
            .input
            .statements
            .iter()
            .position(|s| s.change_index == p.change_index)
        {
            f.statement_index = Some(stmt as u32);
        }
        if let Some(t) = table {
            f = f.on(plan.resolve(&t));
        }
        out.push(f);
    }
}

/// The table a change is about.
pub fn change_table(change: &Change) -> Option<QualifiedName> {
    Some(
        match change {
            Change::CreateTable(t) => &t.name,
            Change::DropTable(t) | Change::DropPrimaryKey(t) => t,
            Change::RenameTable(r) => &r.table,
            Change::AddColumn(a) => &a.table,
            Change::DropColumn(c)
            | Change::SetNotNull(c)
            | Change::DropNotNull(c)
            | Change::DropDefault(c) => &c.table,
            Change::RenameColumn(r) => &r.table,
            Change::AlterColumnType(a) => &a.table,
            Change::SetDefault(d) => &d.table,
            Change::AddPrimaryKey(a) => &a.table,
            Change::AddIndex(a) => &a.table,
            Change::AddUnique(a) => &a.table,
            Change::AddForeignKey(a) => &a.table,
            Change::AddCheck(a) => &a.table,
            Change::DropIndex(o)
            | Change::DropUnique(o)
            | Change::DropForeignKey(o)
            | Change::DropCheck(o) => &o.table,
            Change::SetComment(s) => &s.table,
            Change::SetCollation(s) => &s.table,
            Change::SetIdentity(s) => &s.table,
            Change::SetTableOptions(s) => &s.table,
            Change::CopyRows(c) => &c.target,
            Change::FillColumn(f) => &f.target,
            Change::FillNulls(f) | Change::RestoreNulls(f) => &f.column.table,
            _ => return None,
        }
        .clone(),
    )
}
