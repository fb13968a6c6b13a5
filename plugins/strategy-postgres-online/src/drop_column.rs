//! drop-column in two steps: the column is marked deprecated (and made nullable when the application
//! would otherwise have to keep writing it), the operator confirms the application no longer uses it,
//! then it is dropped.

use ai_shell_strategy_sdk::{Change, ColumnRef, Phase, Step};

use crate::ddl::alter_column;
use crate::plan::{Context, catalog_phase, display, gate_phase};
use crate::quote::{ident, opt_literal, qualified};

/// The comment marking a column the plan will drop.
pub const DEPRECATED: &str = "deprecated: ai-shell will drop it";

/// The phases dropping `c`, or `None` when the column is unknown or part of the primary key.
pub fn plan(c: &ColumnRef, cx: &Context) -> Option<Vec<Phase>> {
    let table = cx.table(&c.table)?;
    let column = table.columns.iter().find(|x| x.name == c.column)?;
    if table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.contains(&c.column))
    {
        return None;
    }
    let who = display(&c.table, Some(&c.column));
    let comment = |text: Option<&str>| {
        format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            qualified(&c.table),
            ident(&c.column),
            opt_literal(text)
        )
    };
    // The application must be able to stop writing the column before it goes away.
    let must_be_written = !column.nullable
        && column.default.is_none()
        && column.identity.is_none()
        && column.generated.is_none();
    let mut steps = vec![Step::Sql(comment(Some(DEPRECATED)))];
    let mut rollback = vec![];
    let mut description = format!("Mark {who} deprecated");
    if must_be_written {
        steps.push(Step::Sql(alter_column(
            &c.table,
            &c.column,
            "DROP NOT NULL",
        )));
        // Scans the table under ACCESS EXCLUSIVE: the price of undoing the relaxation.
        rollback.push(Step::Sql(alter_column(&c.table, &c.column, "SET NOT NULL")));
        description.push_str(" and nullable, so the application can stop writing it");
    }
    rollback.push(Step::Sql(comment(column.comment.as_deref())));
    let drop = vec![Change::DropColumn(c.clone())];
    Some(vec![
        catalog_phase("deprecate", description, steps, rollback),
        gate_phase(format!("the application no longer reads or writes {who}")),
        catalog_phase(
            "contract",
            format!("Drop {who}"),
            vec![Step::Render(drop.clone())],
            vec![Step::RenderInverse(drop)],
        ),
    ])
}
