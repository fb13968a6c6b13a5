//! NOT NULL without a long ACCESS EXCLUSIVE scan: `CHECK (c IS NOT NULL) NOT VALID` (instant),
//! `VALIDATE CONSTRAINT` (SHARE UPDATE EXCLUSIVE: writes go on), then `SET NOT NULL`, which PostgreSQL 12+
//! proves from the valid check without scanning, and the helper check is dropped.

use ai_shell_strategy_sdk::{Phase, QualifiedName, Step};

use crate::ddl::{alter_column, alter_table, drop_constraint, validate_constraint};
use crate::names;
use crate::plan::{Context, catalog_phase, display, scan_ms, sql, validate_phase};
use crate::quote::ident;

/// The `constrain` (ddl) and `validate` phases proving `column IS NOT NULL` for every row.
pub fn prove(table: &QualifiedName, column: &str, rows: u64) -> Vec<Phase> {
    let check = names::not_null_check(column);
    let who = display(table, Some(column));
    vec![
        catalog_phase(
            "constrain",
            format!(
                "Add the helper check {check} ({who} IS NOT NULL) without checking existing rows"
            ),
            sql([
                drop_constraint(table, &check),
                alter_table(
                    table,
                    &format!(
                        "ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                        ident(&check),
                        ident(column)
                    ),
                ),
            ]),
            sql([drop_constraint(table, &check)]),
        ),
        validate_phase(
            format!("Check that no row has a NULL {who}"),
            sql([validate_constraint(table, &check)]),
            rows,
        ),
    ]
}

/// `SET NOT NULL` (no scan thanks to the valid helper check) and the helper check's removal.
pub fn finish_steps(table: &QualifiedName, column: &str, set_not_null: Step) -> Vec<Step> {
    vec![
        set_not_null,
        Step::Sql(drop_constraint(table, &names::not_null_check(column))),
    ]
}

/// Undoes [`finish_steps`]: the column is nullable again (the helper check is dropped by the rollback
/// of the `constrain` phase).
pub fn finish_rollback(table: &QualifiedName, column: &str) -> Vec<Step> {
    sql([alter_column(table, column, "DROP NOT NULL")])
}

/// The phase running [`finish_steps`]. Before PostgreSQL 12 `SET NOT NULL` ignores the check and scans
/// the table under ACCESS EXCLUSIVE: the phase says so and its estimate includes the scan.
pub fn finish(table: &QualifiedName, column: &str, set_not_null: Step, cx: &Context) -> Phase {
    let mut phase = catalog_phase(
        "set-not-null",
        format!(
            "Declare {} NOT NULL (proven by the valid check, no scan) and drop the helper check",
            display(table, Some(column))
        ),
        finish_steps(table, column, set_not_null),
        finish_rollback(table, column),
    );
    if cx.major < 12 {
        adjust_before_12(&mut phase, cx.rows_or_zero(table));
    }
    phase
}

/// Before PostgreSQL 12, `SET NOT NULL` scans the table while holding ACCESS EXCLUSIVE.
pub fn adjust_before_12(phase: &mut Phase, rows: u64) {
    phase.lock_note = SCAN_BEFORE_12.into();
    phase.estimated_ms = scan_ms(rows);
}

const SCAN_BEFORE_12: &str = "ACCESS EXCLUSIVE while SET NOT NULL scans the table (before PostgreSQL 12 the \
     valid check does not spare the scan): reads and writes wait for the scan";
