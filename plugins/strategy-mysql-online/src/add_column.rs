//! add-column: `ALGORITHM=INSTANT` where the server has it, else in place without a lock.

use ai_shell_strategy_sdk::{AddColumn, LockLevel, Phase, PluginError};

use crate::context::{Ctx, INPLACE_NOTE, INSTANT_NOTE, PhaseSpec, rebuild_ms};
use crate::version::{if_exists, if_not_exists};
use crate::{column_sql, quote};

/// The algorithm clause for dropping a column, instant where the server allows.
pub fn drop_algorithm(ctx: &Ctx, indexed: bool) -> &'static str {
    if ctx.server.instant_drop_column() && !indexed {
        "ALGORITHM=INSTANT"
    } else {
        "ALGORITHM=INPLACE, LOCK=NONE"
    }
}

pub fn plan(ctx: &Ctx, a: &AddColumn) -> Result<Option<Vec<Phase>>, PluginError> {
    let c = &a.column;
    // AUTO_INCREMENT and stored generated columns need ALGORITHM=COPY.
    if ctx.table(&a.table).is_none()
        || c.identity.is_some()
        || c.generated.as_ref().is_some_and(|g| g.stored)
    {
        return Ok(None);
    }
    let table = quote::table(&a.table);
    let (algorithm, note, ms) = if ctx.server.instant_add_column() {
        ("ALGORITHM=INSTANT", INSTANT_NOTE, 50)
    } else {
        (
            "ALGORITHM=INPLACE, LOCK=NONE",
            INPLACE_NOTE,
            rebuild_ms(ctx.rows(&a.table)),
        )
    };
    let add = format!(
        "ALTER TABLE {table} ADD COLUMN {}{}, {algorithm}",
        if_not_exists(&ctx.server),
        column_sql::definition(c)?
    );
    let drop = format!(
        "ALTER TABLE {table} DROP COLUMN {}{}, {}",
        if_exists(&ctx.server),
        quote::ident(&c.name),
        drop_algorithm(ctx, false)
    );
    Ok(Some(vec![
        PhaseSpec::outside(
            "add-column",
            format!("Add column {}.{} online", a.table.name, c.name),
            vec![add],
        )
        .rollback_sql(vec![drop])
        .lock(LockLevel::None, note)
        .ms(ms)
        .build(),
    ]))
}
