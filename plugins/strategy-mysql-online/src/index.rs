//! add-index and add-unique: built in place while reads and writes go on.

use ai_shell_strategy_sdk::{
    AddIndex, AddUnique, Index, IndexMethod, IndexTarget, LockLevel, Phase, PluginError,
    QualifiedName,
};

use crate::context::{Ctx, PhaseSpec, index_ms};
use crate::quote;
use crate::version::{if_exists, if_not_exists};

const NOTE: &str = "reads and writes go on while InnoDB builds the index in place; an exclusive metadata lock for a moment at the start and at the end (waiting for transactions already using the table)";

/// `(key, ...)` of a plain column index; none for what needs the dialect's judgement (expressions,
/// partial indexes, operator classes...).
pub fn keys(index: &Index) -> Option<String> {
    if index.predicate.is_some() || !index.included_columns.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for key in &index.keys {
        if key.opclass.is_some() || key.nulls_first.is_some() || key.collation.is_some() {
            return None;
        }
        let IndexTarget::Column(c) = &key.target else {
            return None;
        };
        let mut k = quote::ident(c);
        if let Some(n) = key.prefix_length {
            k.push_str(&format!("({n})"));
        }
        if key.descending {
            k.push_str(" DESC");
        }
        out.push(k);
    }
    (!out.is_empty()).then(|| format!("({})", out.join(", ")))
}

fn build(
    ctx: &Ctx,
    table: &QualifiedName,
    name: &str,
    unique: bool,
    keys: String,
    comment: Option<&str>,
) -> Vec<Phase> {
    let t = quote::table(table);
    let kind = if unique { "UNIQUE INDEX" } else { "INDEX" };
    let comment = comment
        .map(|c| format!(" COMMENT {}", quote::string(c)))
        .unwrap_or_default();
    let add = format!(
        "ALTER TABLE {t} ADD {kind} {}{} {keys}{comment}, ALGORITHM=INPLACE, LOCK=NONE",
        if_not_exists(&ctx.server),
        quote::ident(name)
    );
    let drop = format!(
        "ALTER TABLE {t} DROP INDEX {}{}, ALGORITHM=INPLACE, LOCK=NONE",
        if_exists(&ctx.server),
        quote::ident(name)
    );
    let what = if unique { "unique index" } else { "index" };
    vec![
        PhaseSpec::outside(
            "build-index",
            format!("Build {what} {name} on {} in place", table.name),
            vec![add],
        )
        .rollback_sql(vec![drop])
        .lock(LockLevel::None, NOTE)
        // Sorting and writing the index: about 50 rows per millisecond.
        .ms(index_ms(ctx.rows(table)))
        .build(),
    ]
}

pub fn add_index(ctx: &Ctx, a: &AddIndex) -> Result<Option<Vec<Phase>>, PluginError> {
    let index = &a.index;
    if !matches!(index.method, IndexMethod::Btree) || ctx.table(&a.table).is_none() {
        return Ok(None);
    }
    Ok(keys(index).map(|k| {
        build(
            ctx,
            &a.table,
            &index.name,
            index.unique,
            k,
            index.comment.as_deref(),
        )
    }))
}

pub fn add_unique(ctx: &Ctx, u: &AddUnique) -> Result<Option<Vec<Phase>>, PluginError> {
    if u.constraint.columns.is_empty() || ctx.table(&u.table).is_none() {
        return Ok(None);
    }
    let keys = format!("({})", quote::list(&u.constraint.columns));
    Ok(Some(build(
        ctx,
        &u.table,
        &u.constraint.name,
        true,
        keys,
        None,
    )))
}
