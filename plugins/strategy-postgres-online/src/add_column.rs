//! add-column. A nullable column, or one whose default PostgreSQL 11+ stores in the catalog, is one
//! instant `ddl` phase. A NOT NULL column with a volatile default (or on a server before 11) is added
//! nullable, filled by a batched backfill and then proven NOT NULL without a long lock.

use ai_shell_strategy_sdk::{AddColumn, Change, ColumnRef, Phase, SetDefault, Step};

use crate::plan::{Context, backfill_key, backfill_phase, catalog_phase, display, sql};
use crate::quote::{ident, qualified};
use crate::{not_null, volatile};

/// The phases adding `a.column`, or `None` when this strategy cannot add it online.
pub fn plan(a: &AddColumn, cx: &Context) -> Option<Vec<Phase>> {
    let c = &a.column;
    if c.identity.is_some() || c.generated.is_some() {
        // Both fill every existing row while rewriting the table.
        return None;
    }
    let who = display(&a.table, Some(&c.name));
    let one_phase = |what: &str| {
        Some(vec![catalog_phase(
            "expand",
            format!("Add {who} ({what})"),
            vec![Step::Render(vec![Change::AddColumn(a.clone())])],
            vec![Step::RenderInverse(vec![Change::AddColumn(a.clone())])],
        )])
    };
    let default = match &c.default {
        None if c.nullable => return one_phase("nullable, no default: a catalog update"),
        None => {
            // NOT NULL without a default only works on an empty table.
            return match cx.rows(&a.table) {
                Some(0) => one_phase("the table is empty"),
                _ => None,
            };
        }
        Some(d) => d,
    };
    if !volatile::is_volatile(default) && cx.major >= 11 {
        return one_phase("the default is stored in the catalog, existing rows are not rewritten");
    }
    let table = cx.table(&a.table)?;
    let key = backfill_key(table)?;
    let rows = cx.rows_or_zero(&a.table);
    let mut nullable = c.clone();
    nullable.nullable = true;
    nullable.default = None;
    let mut phases = vec![
        catalog_phase(
            "expand",
            format!(
                "Add {who} as a nullable column without a default, then give new rows the default"
            ),
            vec![
                Step::Render(vec![Change::AddColumn(AddColumn {
                    table: a.table.clone(),
                    column: nullable,
                })]),
                Step::Render(vec![Change::SetDefault(SetDefault {
                    table: a.table.clone(),
                    column: c.name.clone(),
                    default: default.clone(),
                })]),
            ],
            sql([format!(
                "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
                qualified(&a.table),
                ident(&c.name)
            )]),
        ),
        backfill_phase(
            if c.nullable {
                format!(
                    "Fill {who} of the existing rows with its default, batch by batch (a NULL written \
                     explicitly since the expand is filled too)"
                )
            } else {
                format!("Fill {who} of the existing rows with its default, batch by batch")
            },
            &a.table,
            key,
            format!(
                "UPDATE {} SET {col} = {default} WHERE {col} IS NULL AND {k} >= {{lo}} AND {k} < {{hi}}",
                qualified(&a.table),
                col = ident(&c.name),
                k = ident(key),
            ),
            rows,
        ),
    ];
    if !c.nullable {
        phases.extend(not_null::prove(&a.table, &c.name, rows));
        phases.push(not_null::finish(
            &a.table,
            &c.name,
            Step::Render(vec![Change::SetNotNull(ColumnRef {
                table: a.table.clone(),
                column: c.name.clone(),
            })]),
            cx,
        ));
    }
    Some(phases)
}
