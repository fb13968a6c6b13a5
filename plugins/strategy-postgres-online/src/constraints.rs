//! Indexes and constraints without blocking writes: indexes built `CONCURRENTLY`, constraints added
//! `NOT VALID` (instant) and validated under SHARE UPDATE EXCLUSIVE, NOT NULL proven by a valid check.

use ai_shell_strategy_sdk::{
    AddCheck, AddForeignKey, AddIndex, AddUnique, Change, ColumnRef, Index, IndexKey, IndexMethod,
    IndexTarget, LockLevel, Phase, PhaseKind, QualifiedName, Step,
};

use crate::ddl::{
    alter_table, check, create_index_concurrently, drop_constraint, drop_index_concurrently,
    foreign_key, validate_constraint,
};
use crate::not_null;
use crate::plan::{
    CATALOG_MS, Context, INDEX_NOTE, catalog_phase, display, index_ms, phase, sql, validate_phase,
};
use crate::quote::{ident, literal, sibling};

/// A `ddl-outside-transaction` phase building `index` concurrently (after dropping an INVALID leftover
/// of an earlier failed attempt), with its rollback dropping it concurrently.
fn build_index(table: &QualifiedName, index: &Index, rows: u64) -> Option<Phase> {
    let create = create_index_concurrently(table, index)?;
    let mut steps = sql([drop_index_concurrently(table, &index.name), create]);
    if let Some(c) = &index.comment {
        steps.push(Step::Sql(format!(
            "COMMENT ON INDEX {} IS {}",
            sibling(table, &index.name),
            literal(c)
        )));
    }
    Some(phase(
        "index",
        format!(
            "Build the {}index {} on {} without blocking writes",
            if index.unique { "unique " } else { "" },
            index.name,
            display(table, None)
        ),
        PhaseKind::DdlOutsideTransaction,
        steps,
        sql([drop_index_concurrently(table, &index.name)]),
        LockLevel::None,
        INDEX_NOTE,
        index_ms(rows),
    ))
}

/// add-index: one concurrent build.
pub fn plan_index(a: &AddIndex, cx: &Context) -> Option<Vec<Phase>> {
    Some(vec![build_index(
        &a.table,
        &a.index,
        cx.rows_or_zero(&a.table),
    )?])
}

/// add-unique: the unique index built concurrently, then attached as the constraint (a catalog update).
pub fn plan_unique(a: &AddUnique, cx: &Context) -> Option<Vec<Phase>> {
    let u = &a.constraint;
    if u.columns.is_empty() {
        return None;
    }
    let index = Index {
        name: u.name.clone(),
        unique: true,
        method: IndexMethod::Btree,
        keys: u
            .columns
            .iter()
            .map(|c| IndexKey {
                target: IndexTarget::Column(c.clone()),
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
                prefix_length: None,
            })
            .collect(),
        included_columns: vec![],
        predicate: None,
        comment: None,
    };
    Some(vec![
        build_index(&a.table, &index, cx.rows_or_zero(&a.table))?,
        catalog_phase(
            "attach",
            format!("Make the index {} the unique constraint {}", u.name, u.name),
            sql([alter_table(
                &a.table,
                &format!(
                    "ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                    ident(&u.name),
                    ident(&u.name)
                ),
            )]),
            sql([drop_constraint(&a.table, &u.name)]),
        ),
    ])
}

/// add-foreign-key: added NOT VALID (new rows are checked at once), then validated.
pub fn plan_foreign_key(a: &AddForeignKey, cx: &Context) -> Option<Vec<Phase>> {
    let fk = &a.foreign_key;
    let clause = foreign_key(fk)?;
    Some(vec![
        phase(
            "constrain",
            format!(
                "Add the foreign key {} without checking existing rows",
                fk.name
            ),
            PhaseKind::Ddl,
            sql([alter_table(&a.table, &format!("ADD {clause} NOT VALID"))]),
            sql([drop_constraint(&a.table, &fk.name)]),
            LockLevel::Shared,
            "SHARE ROW EXCLUSIVE on both tables for a catalog update (milliseconds): writes wait, \
             reads go on; waits at most the lock timeout, then retries",
            CATALOG_MS,
        ),
        validate_phase(
            format!(
                "Check every existing row against the foreign key {}",
                fk.name
            ),
            sql([validate_constraint(&a.table, &fk.name)]),
            cx.rows_or_zero(&a.table),
        ),
    ])
}

/// add-check: added NOT VALID (new rows are checked at once), then validated.
pub fn plan_check(a: &AddCheck, cx: &Context) -> Option<Vec<Phase>> {
    let c = &a.check;
    Some(vec![
        catalog_phase(
            "constrain",
            format!("Add the check {} without checking existing rows", c.name),
            sql([alter_table(
                &a.table,
                &format!("ADD {} NOT VALID", check(c)),
            )]),
            sql([drop_constraint(&a.table, &c.name)]),
        ),
        validate_phase(
            format!("Check every existing row against {}", c.name),
            sql([validate_constraint(&a.table, &c.name)]),
            cx.rows_or_zero(&a.table),
        ),
    ])
}

/// set-not-null: proven by a valid helper check, then declared without a scan.
pub fn plan_not_null(c: &ColumnRef, cx: &Context) -> Option<Vec<Phase>> {
    let table = cx.table(&c.table)?;
    let column = table.columns.iter().find(|x| x.name == c.column)?;
    if !column.nullable {
        return None;
    }
    let mut phases = not_null::prove(&c.table, &c.column, cx.rows_or_zero(&c.table));
    phases.push(not_null::finish(
        &c.table,
        &c.column,
        Step::Render(vec![Change::SetNotNull(c.clone())]),
        cx,
    ));
    Some(phases)
}
