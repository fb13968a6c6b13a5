//! How the plan was made: a way back, unchecked SQL from an LLM, and names the engine would truncate
//! or refuse.

use ai_shell_policy_sdk::{Author, Change, Finding};

use super::naming::new_names;
use super::{Place, Plan, finding};
use crate::sql::Dialect;

pub fn check(plan: &Plan, out: &mut Vec<Finding>) {
    let input = plan.input;
    let empty = input.changes.is_empty() && input.statements.is_empty();
    if !input.context.has_down && !empty {
        let id = input
            .context
            .migration_id
            .as_ref()
            .map(|m| format!(" {m}"))
            .unwrap_or_default();
        out.push(finding(
            "missing-down",
            format!("The migration{id} has no down section: it cannot be rolled back"),
            "Write a down section that undoes the up section (ai-shell writes one for typed changes; \
             raw SQL needs one by hand), or record why there is no way back.",
        ));
    }
    if matches!(input.context.author, Author::Llm) {
        for (ci, change) in input.changes.iter().enumerate() {
            let Change::RawSql(raw) = change else {
                continue;
            };
            let note = raw
                .note
                .as_ref()
                .map(|n| format!(" ({})", n.trim()))
                .unwrap_or_default();
            let mut f = finding(
                "raw-sql-in-llm-plan",
                format!(
                    "The LLM-written plan contains raw SQL{note} as change {}: nothing checks what it does",
                    ci + 1
                ),
                "Ask for typed changes instead, or review the SQL yourself and commit it as a migration \
                 file (`ai-shell migrate new`).",
            );
            f.change_index = Some(ci as u32);
            if let Some(stmt) = input
                .statements
                .iter()
                .position(|s| s.change_index as usize == ci)
            {
                f = f.at(plan, stmt);
            }
            out.push(f);
        }
    }
    too_long(plan, out);
}

/// `identifier-too-long`: PostgreSQL truncates names to 63 bytes; MySQL refuses names over 64
/// characters.
fn too_long(plan: &Plan, out: &mut Vec<Finding>) {
    for n in new_names(plan) {
        let (size, limit, unit, what) = match plan.dialect {
            Dialect::Postgres => (
                n.name.len(),
                63,
                "bytes",
                "PostgreSQL silently truncates it to 63, so the name in the database differs from the \
                 one written",
            ),
            Dialect::Mysql => (
                n.name.chars().count(),
                64,
                "characters",
                "MySQL refuses names over 64",
            ),
            _ => continue,
        };
        if size > limit {
            out.push(
                finding(
                    "identifier-too-long",
                    format!("{} name `{}` is {size} {unit}; {what}", n.kind, n.name),
                    format!("Use a name of at most {limit} {unit}."),
                )
                .at(plan, n.stmt)
                .on(plan.resolve(&n.table)),
            );
        }
    }
}
