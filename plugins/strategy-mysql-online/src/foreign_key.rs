//! add-foreign-key: added in place without checking the rows (InnoDB only builds it in place with
//! `foreign_key_checks` off), then validated by a query for orphan rows.

use ai_shell_strategy_sdk::{
    AddForeignKey, FkAction, ForeignKey, IndexTarget, LockLevel, Phase, PhaseKind, PluginError,
    Table, TableObject,
};

use crate::context::{Ctx, PhaseSpec, index_ms, scan_ms};
use crate::quote;
use crate::version::if_exists;

/// `ADD CONSTRAINT name FOREIGN KEY (...) REFERENCES ... ON DELETE ... ON UPDATE ...` for `fk`.
pub fn add_constraint(fk: &ForeignKey, name: &str) -> String {
    format!(
        "ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
        quote::ident(name),
        quote::list(&fk.columns),
        quote::table(&fk.referenced_table),
        quote::list(&fk.referenced_columns),
        action(&fk.on_delete),
        action(&fk.on_update)
    )
}

/// `alter` run with `foreign_key_checks` off (InnoDB adds a key in place only then): one statement on
/// MariaDB, the session variable around it elsewhere.
pub fn without_checks(ctx: &Ctx, alter: String) -> Vec<String> {
    if ctx.server.set_statement() {
        vec![format!("SET STATEMENT foreign_key_checks = 0 FOR {alter}")]
    } else {
        vec![
            "SET SESSION foreign_key_checks = 0".to_string(),
            alter,
            "SET SESSION foreign_key_checks = 1".to_string(),
        ]
    }
}

fn action(a: &FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

/// Whether an index of `table` starts with `columns`, so InnoDB needs not create one for the key.
fn has_leading_index(table: &Table, columns: &[String]) -> bool {
    let starts = |keys: Vec<&str>| {
        keys.len() >= columns.len()
            && keys
                .iter()
                .zip(columns)
                .all(|(k, c)| k.eq_ignore_ascii_case(c))
    };
    table
        .primary_key
        .as_ref()
        .is_some_and(|pk| starts(pk.columns.iter().map(String::as_str).collect()))
        || table
            .uniques
            .iter()
            .any(|u| starts(u.columns.iter().map(String::as_str).collect()))
        || table.indexes.iter().any(|i| {
            starts(
                i.keys
                    .iter()
                    .map_while(|k| match &k.target {
                        IndexTarget::Column(c) if k.prefix_length.is_none() => Some(c.as_str()),
                        _ => None,
                    })
                    .collect(),
            )
        })
}

pub fn plan(ctx: &Ctx, a: &AddForeignKey) -> Result<Option<Vec<Phase>>, PluginError> {
    let fk = &a.foreign_key;
    let Some(table) = ctx.table(&a.table) else {
        return Ok(None);
    };
    if fk.deferrable
        || fk.initially_deferred
        || fk.columns.is_empty()
        || fk.columns.len() != fk.referenced_columns.len()
    {
        return Ok(None);
    }
    let t = quote::table(&a.table);
    let name = quote::ident(&fk.name);
    let steps = without_checks(
        ctx,
        format!(
            "ALTER TABLE {t} {}, ALGORITHM=INPLACE, LOCK=NONE",
            add_constraint(fk, &fk.name)
        ),
    );
    let mut rollback = vec![format!(
        "ALTER TABLE {t} DROP FOREIGN KEY {}{name}",
        if_exists(&ctx.server)
    )];
    if !has_leading_index(table, &fk.columns) {
        // InnoDB created an index named after the key for it.
        rollback.push(format!(
            "ALTER TABLE {t} DROP INDEX {}{name}, ALGORITHM=INPLACE, LOCK=NONE",
            if_exists(&ctx.server)
        ));
    }
    let on: Vec<String> = fk
        .columns
        .iter()
        .zip(&fk.referenced_columns)
        .map(|(c, p)| format!("p.{} = c.{}", quote::ident(p), quote::ident(c)))
        .collect();
    let set: Vec<String> = fk
        .columns
        .iter()
        .map(|c| format!("c.{} IS NOT NULL", quote::ident(c)))
        .collect();
    let orphans = format!(
        "SELECT 1 FROM {t} AS c LEFT JOIN {} AS p ON {} WHERE {} AND p.{} IS NULL LIMIT 1",
        quote::table(&fk.referenced_table),
        on.join(" AND "),
        set.join(" AND "),
        quote::ident(&fk.referenced_columns[0])
    );
    let rows = ctx.rows(&a.table);
    Ok(Some(vec![
        PhaseSpec::outside(
            "add-foreign-key",
            format!(
                "Add foreign key {} on {} in place, without checking existing rows",
                fk.name, a.table.name
            ),
            steps,
        )
        .rollback_sql(rollback)
        .lock(
            LockLevel::None,
            "reads and writes go on; an exclusive metadata lock for a moment on this table and the referenced one",
        )
        .ms(if has_leading_index(table, &fk.columns) {
            100
        } else {
            index_ms(rows)
        })
        .build(),
        PhaseSpec::outside(
            "validate",
            format!(
                "Check that every row of {} has its {} row",
                a.table.name, fk.referenced_table.name
            ),
            vec![orphans],
        )
        .kind(PhaseKind::Validate)
        .lock(LockLevel::None, "reads only")
        .ms(scan_ms(rows))
        .build(),
    ]))
}

/// drop-foreign-key: in place, metadata only (InnoDB keeps the index the key used). Undone by adding the key
/// back in place without checking the rows, as [`plan`] adds one.
pub fn drop(ctx: &Ctx, o: &TableObject) -> Result<Option<Vec<Phase>>, PluginError> {
    let Some(fk) = ctx
        .table(&o.table)
        .and_then(|t| t.foreign_keys.iter().find(|f| f.name == o.name))
    else {
        return Ok(None);
    };
    let t = quote::table(&o.table);
    let rollback = without_checks(
        ctx,
        format!(
            "ALTER TABLE {t} {}, ALGORITHM=INPLACE, LOCK=NONE",
            add_constraint(fk, &fk.name)
        ),
    );
    Ok(Some(vec![
        PhaseSpec::outside(
            "drop-foreign-key",
            format!("Drop foreign key {} of {} in place", fk.name, o.table.name),
            vec![format!(
                "ALTER TABLE {t} DROP FOREIGN KEY {}{}, ALGORITHM=INPLACE, LOCK=NONE",
                if_exists(&ctx.server),
                quote::ident(&fk.name)
            )],
        )
        .rollback_sql(rollback)
        .lock(
            LockLevel::None,
            "metadata only: an exclusive metadata lock for a moment on this table and the referenced one",
        )
        .ms(100)
        .build(),
    ]))
}
