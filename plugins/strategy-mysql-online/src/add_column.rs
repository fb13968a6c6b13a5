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

/// Whether a default is an expression evaluated for each row (a function call other than the current
/// time), which InnoDB cannot add instantly or in place.
fn per_row_default(default: &str) -> bool {
    let d = default.trim().to_ascii_lowercase();
    let quoted = d.starts_with('\'') || d.starts_with('"');
    let time = [
        "current_timestamp",
        "now(",
        "localtime",
        "current_date",
        "curdate(",
        "current_time",
    ]
    .iter()
    .any(|t| d.starts_with(t));
    !quoted && !time && d.contains('(')
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
    // A default evaluated per row (`uuid()`, `rand()`) cannot be added in place: copy into a shadow table,
    // where every existing row gets its own value.
    if c.default.as_deref().is_some_and(per_row_default) {
        let Some(table) = ctx.table(&a.table) else {
            return Ok(None);
        };
        let Some(key) = crate::change_type::shadow_key(ctx, table) else {
            return Ok(None);
        };
        return Ok(Some(crate::change_type::shadow_copy(
            ctx,
            table,
            key,
            None,
            &format!("{} added", c.name),
            format!("ADD COLUMN {}", column_sql::definition(c)?),
            ctx.rows(&a.table),
        )));
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
