//! set-default, drop-default (metadata only: instant), set-not-null and drop-not-null (an in-place
//! rebuild while writes go on; set-not-null first checks there is no NULL left).

use ai_shell_strategy_sdk::{
    Column, ColumnRef, LockLevel, Phase, PhaseKind, PluginError, QualifiedName, SetDefault,
};

use crate::column_sql::{ON_UPDATE, default_value};
use crate::context::{Ctx, INPLACE_NOTE, INSTANT_NOTE, PhaseSpec, rebuild_ms, scan_ms};
use crate::{column_sql, quote};

/// `SET DEFAULT x` / `DROP DEFAULT` for a default as the model holds it.
fn default_action(default: Option<&str>) -> String {
    match default {
        Some(d) => format!("SET DEFAULT {}", default_value(d)),
        None => "DROP DEFAULT".into(),
    }
}

fn change_default(
    ctx: &Ctx,
    table: &QualifiedName,
    new: Option<&str>,
) -> impl FnOnce(&Column) -> Option<Vec<Phase>> {
    let t = quote::table(table);
    let (algorithm, note) = if ctx.server.instant_default() {
        ("ALGORITHM=INSTANT", INSTANT_NOTE)
    } else {
        ("ALGORITHM=INPLACE, LOCK=NONE", INPLACE_NOTE)
    };
    let new = new.map(str::to_string);
    let table_name = table.name.clone();
    move |column: &Column| {
        let touches_on_update = |d: Option<&str>| d.is_some_and(|d| d.contains(ON_UPDATE));
        // A default kept with `ON UPDATE` needs MODIFY COLUMN: the dialect renders that.
        if touches_on_update(new.as_deref())
            || touches_on_update(column.default.as_deref())
            || column.generated.is_some()
        {
            return None;
        }
        let alter = |d: Option<&str>| {
            format!(
                "ALTER TABLE {t} ALTER COLUMN {} {}, {algorithm}",
                quote::ident(&column.name),
                default_action(d)
            )
        };
        Some(vec![
            PhaseSpec::outside(
                "default",
                format!(
                    "{} the default of {table_name}.{} (metadata only)",
                    if new.is_some() { "Set" } else { "Drop" },
                    column.name
                ),
                vec![alter(new.as_deref())],
            )
            .rollback_sql(vec![alter(column.default.as_deref())])
            .lock(LockLevel::None, note)
            .ms(50)
            .build(),
        ])
    }
}

pub fn set_default(ctx: &Ctx, d: &SetDefault) -> Result<Option<Vec<Phase>>, PluginError> {
    Ok(ctx
        .column(&d.table, &d.column)
        .and_then(change_default(ctx, &d.table, Some(&d.default))))
}

pub fn drop_default(ctx: &Ctx, r: &ColumnRef) -> Result<Option<Vec<Phase>>, PluginError> {
    Ok(ctx
        .column(&r.table, &r.column)
        .and_then(change_default(ctx, &r.table, None)))
}

/// set-not-null (`nullable` false) or drop-not-null (true).
pub fn nullability(
    ctx: &Ctx,
    r: &ColumnRef,
    nullable: bool,
) -> Result<Option<Vec<Phase>>, PluginError> {
    let Some(column) = ctx.column(&r.table, &r.column) else {
        return Ok(None);
    };
    if column.generated.is_some() {
        return Ok(None);
    }
    let t = quote::table(&r.table);
    let modify = |c: &Column| -> Result<String, PluginError> {
        Ok(format!(
            "ALTER TABLE {t} MODIFY COLUMN {}, ALGORITHM=INPLACE, LOCK=NONE",
            column_sql::definition(c)?
        ))
    };
    let mut changed = column.clone();
    changed.nullable = nullable;
    let rows = ctx.rows(&r.table);
    let mut phases = Vec::new();
    if !nullable {
        phases.push(
            PhaseSpec::outside(
                "check-nulls",
                format!(
                    "Check that no row of {} has {} NULL before rebuilding the table",
                    r.table.name, column.name
                ),
                vec![format!(
                    "SELECT 1 FROM {t} WHERE {} IS NULL LIMIT 1",
                    quote::ident(&column.name)
                )],
            )
            .kind(PhaseKind::Validate)
            .lock(LockLevel::None, "reads only")
            .ms(scan_ms(rows))
            .build(),
        );
    }
    phases.push(
        PhaseSpec::outside(
            if nullable {
                "drop-not-null"
            } else {
                "set-not-null"
            },
            format!(
                "Make {}.{} {} (the table is rebuilt in place)",
                r.table.name,
                column.name,
                if nullable { "nullable" } else { "NOT NULL" }
            ),
            vec![modify(&changed)?],
        )
        .rollback_sql(vec![modify(column)?])
        .lock(LockLevel::None, INPLACE_NOTE)
        .ms(rebuild_ms(rows))
        .build(),
    );
    Ok(Some(phases))
}
