//! drop-column, staged: make the column optional if the application must stop writing it, wait for
//! the operator to confirm the application no longer uses it, then drop it online.

use ai_shell_strategy_sdk::{ColumnRef, LockLevel, Phase, PluginError, Step};

use crate::add_column::drop_algorithm;
use crate::context::{
    Ctx, INPLACE_NOTE, INSTANT_NOTE, PhaseSpec, gate, indexed, mentions, rebuild_ms,
};
use crate::version::if_exists;
use crate::{column_sql, quote};

pub fn plan(ctx: &Ctx, change: &ColumnRef) -> Result<Option<Vec<Phase>>, PluginError> {
    let (Some(table), Some(column)) = (
        ctx.table(&change.table),
        ctx.column(&change.table, &change.column),
    ) else {
        return Ok(None);
    };
    let name = &column.name;
    let is = |c: &String| c.eq_ignore_ascii_case(name);
    // Key columns, foreign keys and expressions over the column need more than a drop.
    if table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(is))
        || table.foreign_keys.iter().any(|f| f.columns.iter().any(is))
        || ctx.column_referenced(&change.table, name)
        || table.checks.iter().any(|k| mentions(&k.expression, name))
        || table.columns.iter().any(|g| {
            !g.name.eq_ignore_ascii_case(name)
                && g.generated
                    .as_ref()
                    .is_some_and(|e| mentions(&e.expression, name))
        })
    {
        return Ok(None);
    }
    let t = quote::table(&change.table);
    let rows = ctx.rows(&change.table);
    let mut phases = Vec::new();
    if !column.nullable && column.default.is_none() && column.generated.is_none() {
        let mut optional = column.clone();
        optional.nullable = true;
        phases.push(
            PhaseSpec::outside(
                "relax",
                format!(
                    "Make {}.{name} nullable so the application can stop writing it",
                    change.table.name
                ),
                vec![format!(
                    "ALTER TABLE {t} MODIFY COLUMN {}, ALGORITHM=INPLACE, LOCK=NONE",
                    column_sql::definition(&optional)?
                )],
            )
            .rollback_sql(vec![format!(
                "ALTER TABLE {t} MODIFY COLUMN {}, ALGORITHM=INPLACE, LOCK=NONE",
                column_sql::definition(column)?
            )])
            .lock(LockLevel::None, INPLACE_NOTE)
            .ms(rebuild_ms(rows))
            .build(),
        );
    }
    phases.push(gate(
        "stop-using",
        format!(
            "the application no longer reads or writes {}.{name}",
            change.table.name
        ),
    ));
    let is_indexed = indexed(table, name);
    let algorithm = drop_algorithm(ctx, is_indexed);
    let instant = algorithm.contains("INSTANT");
    phases.push(
        PhaseSpec::outside(
            "drop",
            format!(
                "Drop column {}.{name} (its values are lost: a rollback adds it back empty)",
                change.table.name
            ),
            vec![format!(
                "ALTER TABLE {t} DROP COLUMN {}{}, {algorithm}",
                if_exists(&ctx.server),
                quote::ident(name)
            )],
        )
        .rollback(vec![Step::RenderInverse(vec![
            ai_shell_strategy_sdk::Change::DropColumn(change.clone()),
        ])])
        .lock(
            LockLevel::None,
            if instant { INSTANT_NOTE } else { INPLACE_NOTE },
        )
        .ms(if instant { 50 } else { rebuild_ms(rows) })
        .build(),
    );
    Ok(Some(phases))
}
