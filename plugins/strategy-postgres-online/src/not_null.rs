//! NOT NULL without a long ACCESS EXCLUSIVE scan: `CHECK (c IS NOT NULL) NOT VALID` (instant),
//! `VALIDATE CONSTRAINT` (SHARE UPDATE EXCLUSIVE: writes go on), then `SET NOT NULL`, which PostgreSQL 12+
//! proves from the valid check without scanning, and the helper check is dropped.

use ai_shell_strategy_sdk::{Phase, QualifiedName, Step};

use crate::ddl::{alter_column, alter_table, drop_constraint, validate_constraint};
use crate::names;
use crate::plan::{catalog_phase, display, sql, validate_phase};
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

/// The phase running [`finish_steps`].
pub fn finish(table: &QualifiedName, column: &str, set_not_null: Step) -> Phase {
    catalog_phase(
        "set-not-null",
        format!(
            "Declare {} NOT NULL (proven by the valid check, no scan) and drop the helper check",
            display(table, Some(column))
        ),
        finish_steps(table, column, set_not_null),
        finish_rollback(table, column),
    )
}
