//! rename-column (instant where the server allows) and rename-table (behind an updatable view
//! with the old name until the application has moved to the new one).

use ai_shell_strategy_sdk::{
    LockLevel, Phase, PluginError, QualifiedName, RenameColumn, RenameTable,
};

use crate::context::{Ctx, INPLACE_NOTE, INSTANT_NOTE, PhaseSpec, gate, rebuild_ms};
use crate::{column_sql, quote};

pub fn column(ctx: &Ctx, r: &RenameColumn) -> Result<Option<Vec<Phase>>, PluginError> {
    let Some(current) = ctx.column(&r.table, &r.column) else {
        return Ok(None);
    };
    let t = quote::table(&r.table);
    let instant = ctx.server.instant_rename_column();
    let algorithm = if instant {
        "ALGORITHM=INSTANT"
    } else {
        "ALGORITHM=INPLACE, LOCK=NONE"
    };
    let rename = |from: &str, to: &str| -> Result<String, PluginError> {
        Ok(if ctx.server.rename_column_syntax() {
            format!(
                "ALTER TABLE {t} RENAME COLUMN {} TO {}, {algorithm}",
                quote::ident(from),
                quote::ident(to)
            )
        } else {
            let mut renamed = current.clone();
            renamed.name = to.to_string();
            format!(
                "ALTER TABLE {t} CHANGE COLUMN {} {}, {algorithm}",
                quote::ident(from),
                column_sql::definition(&renamed)?
            )
        })
    };
    Ok(Some(vec![
        PhaseSpec::outside(
            "rename-column",
            format!(
                "Rename column {}.{} to {}",
                r.table.name, current.name, r.new_name
            ),
            vec![rename(&current.name, &r.new_name)?],
        )
        .rollback_sql(vec![rename(&r.new_name, &current.name)?])
        .lock(
            LockLevel::None,
            if instant { INSTANT_NOTE } else { INPLACE_NOTE },
        )
        .ms(if instant {
            50
        } else {
            rebuild_ms(ctx.rows(&r.table))
        })
        .build(),
    ]))
}

pub fn table(ctx: &Ctx, r: &RenameTable) -> Result<Option<Vec<Phase>>, PluginError> {
    if ctx.table(&r.table).is_none() {
        return Ok(None);
    }
    let old = quote::table(&r.table);
    let new = quote::table(&QualifiedName {
        namespace: r.table.namespace.clone(),
        name: r.new_name.clone(),
    });
    let drop_view = format!("DROP VIEW IF EXISTS {old}");
    Ok(Some(vec![
        PhaseSpec::outside(
            "rename",
            format!(
                "Rename table {} to {} and leave an updatable view {} in its place",
                r.table.name, r.new_name, r.table.name
            ),
            vec![
                format!("RENAME TABLE {old} TO {new}"),
                format!("CREATE VIEW {old} AS SELECT * FROM {new}"),
            ],
        )
        .rollback_sql(vec![drop_view.clone(), format!("RENAME TABLE {new} TO {old}")])
        .lock(
            LockLevel::Exclusive,
            "an exclusive metadata lock for a moment for the rename (waiting for transactions using the table); statements reaching the table between the rename and the view's creation, milliseconds apart, fail with 'table doesn't exist'",
        )
        .ms(50)
        .build(),
        gate(
            "move-application",
            format!(
                "the application uses {} instead of {}",
                r.new_name, r.table.name
            ),
        ),
        PhaseSpec::outside(
            "drop-view",
            format!("Drop the view {} standing for the old name", r.table.name),
            vec![drop_view],
        )
        .kind(ai_shell_strategy_sdk::PhaseKind::Cleanup)
        .lock(LockLevel::None, "no table lock")
        .ms(20)
        .build(),
    ]))
}
