//! rename-column and rename-table, with a compatibility view so that clients still using the old name
//! keep working until the operator confirms they have moved.

use ai_shell_strategy_sdk::{Change, Phase, QualifiedName, RenameColumn, RenameTable, Step};

use crate::ddl::rename_column;
use crate::plan::{Context, catalog_phase, cleanup_phase, display, gate_phase, sql};
use crate::quote::{ident, qualified, sibling};

/// The schema holding the views that show renamed columns under their old names.
pub const COMPAT_SCHEMA: &str = "ai_shell_compat";

/// `ai_shell_compat."t"`: where old readers of a table with a renamed column look (search_path).
fn compat_view(table: &QualifiedName) -> String {
    format!("{}.{}", ident(COMPAT_SCHEMA), ident(&table.name))
}

/// Renames the column, adds `ai_shell_compat.<t>` listing every column with the renamed one under its
/// old name, waits for the clients to move, then drops the view.
pub fn plan_column(r: &RenameColumn, cx: &Context) -> Option<Vec<Phase>> {
    let table = cx.table(&r.table)?;
    if !table.columns.iter().any(|c| c.name == r.column) {
        return None;
    }
    let columns = table
        .columns
        .iter()
        .map(|c| {
            if c.name == r.column {
                format!("{} AS {}", ident(&r.new_name), ident(&r.column))
            } else {
                ident(&c.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let view = compat_view(&r.table);
    let old = display(&r.table, Some(&r.column));
    Some(vec![
        catalog_phase(
            "expand",
            format!(
                "Rename {old} to {}; the view {COMPAT_SCHEMA}.{} shows it under its old name",
                r.new_name, r.table.name
            ),
            vec![
                Step::Render(vec![Change::RenameColumn(r.clone())]),
                Step::Sql(format!(
                    "CREATE SCHEMA IF NOT EXISTS {}",
                    ident(COMPAT_SCHEMA)
                )),
                Step::Sql(format!(
                    "CREATE OR REPLACE VIEW {view} AS SELECT {columns} FROM {}",
                    qualified(&r.table)
                )),
            ],
            sql([
                format!("DROP VIEW IF EXISTS {view}"),
                rename_column(&r.table, &r.new_name, &r.column),
            ]),
        ),
        gate_phase(format!("no client reads {old} any more")),
        cleanup_phase(
            format!(
                "Drop the compatibility view {COMPAT_SCHEMA}.{}",
                r.table.name
            ),
            sql([format!("DROP VIEW IF EXISTS {view}")]),
        ),
    ])
}

/// Renames the table and leaves a view under the old name (a simple view is automatically updatable,
/// so old readers and writers keep working), waits for the clients to move, then drops the view.
pub fn plan_table(r: &RenameTable) -> Vec<Phase> {
    let old_view = qualified(&r.table);
    let new = sibling(&r.table, &r.new_name);
    let old = display(&r.table, None);
    vec![
        catalog_phase(
            "expand",
            format!(
                "Rename {old} to {}; a view under the old name passes reads and writes on",
                r.new_name
            ),
            vec![
                Step::Render(vec![Change::RenameTable(r.clone())]),
                Step::Sql(format!("CREATE VIEW {old_view} AS SELECT * FROM {new}")),
            ],
            sql([
                format!("DROP VIEW IF EXISTS {old_view}"),
                format!("ALTER TABLE {new} RENAME TO {}", ident(&r.table.name)),
            ]),
        ),
        gate_phase(format!(
            "no client uses {old} any more (they use {})",
            r.new_name
        )),
        cleanup_phase(
            format!("Drop the compatibility view {old}"),
            sql([format!("DROP VIEW IF EXISTS {old_view}")]),
        ),
    ]
}
